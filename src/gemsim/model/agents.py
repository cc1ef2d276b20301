"""Citizens as Mesa agents: read-only views onto the columnar state, for inspection.

The model's rules run on the columns in ``gemsim.model.citizens``; these agents exist so that a
user (or Mesa's visualisation) can look at one citizen the way Mesa users expect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from gemsim.model.citizens import STATE_NAMES

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


class Citizen(mesa.Agent):
    """One citizen agent (standing for ``weight`` inhabitants)."""

    def __init__(self, model: CommunityModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def _column(self, name: str) -> float:
        return getattr(self.model.citizens, name)[self.index]

    @property
    def neighbourhood(self) -> int:
        return int(self._column("neighbourhood"))

    @property
    def participation(self) -> str:
        return STATE_NAMES[int(self._column("state"))]

    @property
    def trust_in_local_government(self) -> float:
        return float(self._column("trust_local"))

    @property
    def social_trust(self) -> float:
        return float(self._column("social_trust"))

    @property
    def motivation(self) -> float:
        return float(self._column("motivation"))

    @property
    def wellbeing(self) -> float:
        return float(self._column("wellbeing"))

    @property
    def collective(self) -> int | None:
        row = int(self._column("collective"))
        return None if row < 0 else row

    def __repr__(self) -> str:
        return (
            f"Citizen({self.index}, buurt {self.neighbourhood}, {self.participation}, "
            f"trust {self.trust_in_local_government:.2f}, wellbeing {self.wellbeing:.1f})"
        )
