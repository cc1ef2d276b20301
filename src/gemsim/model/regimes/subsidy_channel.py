"""subsidy_channel: extra national money routed through municipalities' subsidy desks.

The money passes a national layer (overhead), is added to municipal pots by population,
and reaches collectives through the same applications, caps, delays and reporting as today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gemsim.model.regimes.base import FundingRegime, register

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@register
class SubsidyChannel(FundingRegime):
    name = "subsidy_channel"
    description = "Extra national money through municipal subsidy desks."
    adds_money = True

    def yearly_inflow(self, model: CommunityModel) -> None:
        model.municipal_budgets.replenish(
            extra_cents=self.extra_money_cents(model),
            replaced_share=0.0,
            carry_over=model.params.municipal_carry_over,
        )
