"""direct_fund: the proposal's societal fund grants to collectives directly.

A light, trust-based process: fast decisions, a minimum-quality check, multi-year grants
in monthly tranches, yearly Social Handprint reporting, and a configurable allocation
rule. The fund partly replaces municipal small subsidies (`subsidy_replacement_share`).
Collectives without a running fund grant apply to the fund; those with one (paid in
tranches), or refused by the fund within `fund_referral_months`, may still apply to their
municipality. Every process parameter of the fund channel can be set to the municipal
desk's (docs/ODD.md, section 9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.collectives import FUND, MUNICIPAL
from gemsim.model.regimes.base import FundingRegime, register

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@register
class DirectFund(FundingRegime):
    name = "direct_fund"
    description = "Societal fund granting to collectives directly, light and multi-year."
    adds_money = True
    has_fund = True

    def yearly_inflow(self, model: CommunityModel) -> None:
        model.municipal_budgets.replenish(
            extra_cents=0,
            replaced_share=model.params.subsidy_replacement_share,
            carry_over=model.params.municipal_carry_over,
        )
        if not model.params.fund_carry_over:
            model.fund.return_unspent()
        model.fund.add(self.extra_money_cents(model))
        params = model.params
        if params.allocation_rule == "per_capita" and params.fund_envelope_period == "year":
            region = model.region
            model.fund.open_year_envelopes(region.municipality_population / region.population)

    def route(self, model: CommunityModel, rows: np.ndarray) -> np.ndarray:
        """The fund, unless a fund grant is running in tranches or the fund said no within
        ``fund_referral_months``: then the municipality."""
        table = model.collectives
        has_grant = table.fund_months_left[rows] > 0
        referral = model.params.fund_referral_months
        recently_refused = model.current_month - table.fund_rejected[rows] < referral
        return np.where(has_grant | recently_refused, MUNICIPAL, FUND)

    def decision_months(self, model: CommunityModel, channel: np.ndarray) -> np.ndarray:
        municipal = super().decision_months(model, channel)
        return np.where(channel == FUND, self.fund_decision_months(model, channel.size), municipal)

    def fund_decision_months(self, model: CommunityModel, n: int) -> int | np.ndarray:
        """``fund_decision_months``, plus a uniform draw of 0 to
        ``fund_decision_months_spread`` months per application where that is positive."""
        params = model.params
        if params.fund_decision_months_spread == 0:
            return params.fund_decision_months
        spread = model.rng.integers(0, params.fund_decision_months_spread + 1, n)
        return params.fund_decision_months + spread

    def decide(self, model: CommunityModel) -> None:
        from gemsim.model.fund import decide_fund_applications

        super().decide(model)
        decide_fund_applications(model, self.co_decision_weight(model))

    def co_decision_weight(self, model: CommunityModel) -> np.ndarray | None:
        return None
