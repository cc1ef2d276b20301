"""hybrid: the direct fund, with municipalities co-deciding with residents.

Each municipality's willingness to co-decide (0-1) sets how far the fund's ranking is
mixed with the municipality's and residents' judgement of need, how far fund decisions
are credited to local government, and adds procedural fairness for residents; co-decision
takes extra decision time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.regimes.base import register
from gemsim.model.regimes.direct_fund import DirectFund

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@register
class Hybrid(DirectFund):
    name = "hybrid"
    description = "Societal fund with municipal co-decision."

    def fund_decision_months(self, model: CommunityModel, n: int) -> int | np.ndarray:
        return super().fund_decision_months(model, n) + model.params.hybrid_extra_decision_months

    def co_decision_weight(self, model: CommunityModel) -> np.ndarray:
        return model.region.municipality_co_decision

    def local_attribution(self, model: CommunityModel) -> np.ndarray:
        return model.region.municipality_co_decision
