"""The six kinds of citizen collective in the Groeiplan, and what each serves.

Categories and SDGs follow the proposal's description of each movement; the euro
figures are assumptions (no public cost accounts exist for these collectives) and are
listed in ``docs/ODD.md``. National counts and potentials are model parameters (see ``Parameters``).
"""

from __future__ import annotations

from dataclasses import dataclass

from gemsim.model.infrastructure import CATEGORIES


@dataclass(frozen=True)
class CollectiveType:
    """One kind of collective and its economics (euros per month unless stated)."""

    name: str
    categories: tuple[str, ...]  # infrastructure categories its projects improve
    sdgs: tuple[int, ...]  # Sustainable Development Goals its activities contribute to
    count_parameter: str  # parameter holding its national count
    potential_parameter: str  # parameter holding its national potential (Bass diffusion)
    monthly_cost_eur: float  # rent, insurance, materials
    own_income_eur: float  # earned income per month when fully staffed (covers costs)
    hours_needed: float  # volunteer hours per month for full activity
    project_size_eur: float  # typical project budget

    @property
    def category_indices(self) -> tuple[int, ...]:
        return tuple(CATEGORIES.index(name) for name in self.categories)


COLLECTIVE_TYPES: tuple[CollectiveType, ...] = (
    CollectiveType(
        "resident_initiative",
        ("meeting_place", "youth_play", "healthy_environment"),
        (3, 11, 17),
        "resident_initiatives_national",
        "resident_initiative_potential_national",
        100,
        100,
        40,
        15_000,
    ),
    CollectiveType(
        "care_cooperative",
        ("welfare_care_coordination", "meeting_place"),
        (3, 10),
        "care_cooperatives_national",
        "care_cooperative_potential_national",
        2_000,
        2_000,
        400,
        30_000,
    ),
    CollectiveType(
        "housing_cooperative",
        ("housing",),
        (1, 11),
        "housing_cooperatives_national",
        "housing_cooperative_potential_national",
        3_000,
        3_000,
        100,
        100_000,
    ),
    CollectiveType(
        "neighbourhood_enterprise",
        ("meeting_place", "essential_shops", "welfare_care_coordination"),
        (8, 11),
        "neighbourhood_enterprises_national",
        "neighbourhood_enterprise_potential_national",
        4_000,
        4_000,
        300,
        40_000,
    ),
    CollectiveType(
        "energy_cooperative",
        ("energy",),
        (7, 13),
        "energy_cooperatives_national",
        "energy_cooperative_potential_national",
        1_500,
        1_500,
        100,
        60_000,
    ),
    CollectiveType(
        "social_enterprise",
        ("essential_shops", "childcare", "healthy_environment"),
        (5, 8, 12),
        "social_enterprises_national",
        "social_enterprise_potential_national",
        6_000,
        6_000,
        200,
        40_000,
    ),
)
TYPE_NAMES: tuple[str, ...] = tuple(kind.name for kind in COLLECTIVE_TYPES)

# serves[t, c] is True when collectives of type t improve category c.
SERVES = [
    [index in kind.category_indices for index in range(len(CATEGORIES))]
    for kind in COLLECTIVE_TYPES
]
