"""Mesa agents: read-only views onto the columnar state, for inspection.

The model's rules run on columns (``citizens.Citizens``, ``collectives.CollectiveTable``,
``world.Region`` and ``municipality.MunicipalBudgets``); these agents exist so that a user
(or Mesa's visualisation) can look at one citizen, collective or municipality the way Mesa
users expect, and so that Mesa's ``agents_by_type`` counts collectives and municipalities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from gemsim.model.citizens import STATE_NAMES
from gemsim.model.collective_types import COLLECTIVE_TYPES

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


class Citizen(mesa.Agent["CommunityModel"]):
    """One citizen agent (standing for ``weight`` inhabitants)."""

    def __init__(self, model: CommunityModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def neighbourhood(self) -> int:
        return int(self.model.citizens.neighbourhood[self.index])

    @property
    def participation(self) -> str:
        return STATE_NAMES[int(self.model.citizens.state[self.index])]

    @property
    def trust_in_local_government(self) -> float:
        return float(self.model.citizens.trust_local[self.index])

    @property
    def social_trust(self) -> float:
        return float(self.model.citizens.social_trust[self.index])

    @property
    def motivation(self) -> float:
        return float(self.model.citizens.motivation[self.index])

    @property
    def wellbeing(self) -> float:
        return float(self.model.citizens.wellbeing[self.index])

    @property
    def collective(self) -> int | None:
        row = int(self.model.citizens.collective[self.index])
        return None if row < 0 else row

    def __repr__(self) -> str:
        return (
            f"Citizen({self.index}, buurt {self.neighbourhood}, {self.participation}, "
            f"trust {self.trust_in_local_government:.2f}, wellbeing {self.wellbeing:.1f})"
        )


class Collective(mesa.Agent["CommunityModel"]):
    """A citizen collective: a view onto its row of the model's ``CollectiveTable``."""

    def __init__(self, model: CommunityModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def kind(self) -> str:
        return COLLECTIVE_TYPES[int(self.model.collectives.kind[self.row])].name

    @property
    def neighbourhood(self) -> int:
        return int(self.model.collectives.neighbourhood[self.row])

    @property
    def members(self) -> int:
        return int(self.model.collectives.members[self.row])

    @property
    def money_eur(self) -> float:
        return int(self.model.collectives.money[self.row]) / 100

    @property
    def volunteer_hours(self) -> float:
        return float(self.model.collectives.hours[self.row])

    def __repr__(self) -> str:
        return (
            f"Collective({self.unique_id}, {self.kind}, buurt {self.neighbourhood}, "
            f"{self.members} members, EUR {self.money_eur:,.2f})"
        )


class Municipality(mesa.Agent["CommunityModel"]):
    """A municipality: a view onto its row of the region and of the municipal budgets."""

    def __init__(self, model: CommunityModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def population(self) -> float:
        return float(self.model.region.municipality_population[self.row])

    @property
    def co_decision(self) -> float:
        """Willingness to co-decide with residents, 0-1."""
        return float(self.model.region.municipality_co_decision[self.row])

    @property
    def budget_eur(self) -> float:
        return int(self.model.municipal_budgets.cents[self.row]) / 100

    def __repr__(self) -> str:
        return f"Municipality({self.row}, {self.population:,.0f} inhabitants)"
