"""Social Handprint: activities -> SDG-tagged indicators -> euro value per month.

MAEX's coefficient table is not public, so the coefficients are documented assumptions
(parameters ``handprint_*``). Three activities count:
- volunteer hours in collectives, tagged with the SDGs of each collective's type;
- infrastructure added by collectives and the investment streams (still standing), per
  inhabitant served, tagged with the SDGs of each category;
- social connectedness of citizens who are members of a collective (SDG 3 and 10).
"""

from __future__ import annotations

import numpy as np

from gemsim.model.arrays import FloatArray, summed_rows
from gemsim.model.collective_types import COLLECTIVE_TYPES
from gemsim.model.infrastructure import CATEGORIES

N_SDGS = 17
CATEGORY_SDGS: dict[str, tuple[int, ...]] = {
    "meeting_place": (3, 11),
    "healthy_environment": (3, 11, 13),
    "housing": (1, 11),
    "energy": (7, 13),
    "welfare_care_coordination": (3,),
    "youth_play": (3, 4),
    "childcare": (4, 5, 8),
    "essential_shops": (2, 8, 11),
}
CONNECTEDNESS_SDGS = (3, 10)


def tag_matrix(tags: list[tuple[int, ...]]) -> FloatArray:
    """Rows split one euro evenly over their SDGs (columns 0..16 = SDG 1..17)."""
    matrix = np.zeros((len(tags), N_SDGS))
    for row, sdgs in enumerate(tags):
        matrix[row, [sdg - 1 for sdg in sdgs]] = 1.0 / len(sdgs)
    return matrix


TYPE_TO_SDG = tag_matrix([kind.sdgs for kind in COLLECTIVE_TYPES])
CATEGORY_TO_SDG = tag_matrix([CATEGORY_SDGS[name] for name in CATEGORIES])
CONNECTEDNESS_TO_SDG: FloatArray = tag_matrix([CONNECTEDNESS_SDGS])[0]


def handprint_by_sdg(
    hours_by_type: FloatArray,
    added_stock: FloatArray,
    population: FloatArray,
    member_inhabitants: float,
    eur_per_hour: float,
    eur_per_stock_inhabitant_year: float,
    eur_per_participant_year: float,
) -> FloatArray:
    """Euro value created this month, per SDG (17 values)."""
    volunteering = summed_rows(hours_by_type * eur_per_hour, TYPE_TO_SDG)
    served = (np.clip(added_stock, 0.0, None) * population[:, None]).sum(axis=0)
    infrastructure = summed_rows(served * eur_per_stock_inhabitant_year / 12.0, CATEGORY_TO_SDG)
    connectedness = member_inhabitants * eur_per_participant_year / 12.0 * CONNECTEDNESS_TO_SDG
    return volunteering + infrastructure + connectedness
