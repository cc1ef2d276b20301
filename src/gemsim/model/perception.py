"""What citizens perceive each month: the inputs of their rules (``citizens.monthly_update``).

Citizens experience their own collective's funding decisions, hear of the decisions in
their buurt, see its improvements and co-decision, carry their collective's reporting load,
and feel their buurt's collective efficacy, its needs and its ownership (docs/ODD.md,
section 7.12). Each buurt remembers its decisions; the memory and the stock it sees set its
perceived efficacy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.citizens import CitizenInputs, balanced_expectation, update_efficacy
from gemsim.model.parameters import Parameters

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@dataclass
class Perception:
    """Per buurt: the memory of funding decisions and the perceived collective efficacy;
    and the approval chance citizens expect of a decision, formed under today's desk."""

    expected_approval: float
    decision_memory: np.ndarray
    efficacy: np.ndarray

    @classmethod
    def initial(cls, params: Parameters, n_neighbourhoods: int) -> Perception:
        return cls(
            expected_approval=balanced_expectation(
                params.municipal_approval_base, params.trust_asymmetry
            ),
            decision_memory=np.zeros(n_neighbourhoods),
            efficacy=np.zeros(n_neighbourhoods),
        )

    def remember(
        self,
        outcome: np.ndarray,
        stock_change: np.ndarray,
        memory_months: float,
        efficacy_per_stock: float,
    ) -> None:
        """This month's decision outcomes enter the memory; efficacy is the memory plus
        what the buurt's stock gained since the start."""
        self.decision_memory = update_efficacy(self.decision_memory, outcome, memory_months)
        self.efficacy = self.decision_memory + efficacy_per_stock * stock_change


def citizen_inputs(
    model: CommunityModel, visible_gain: np.ndarray, fairness: np.ndarray
) -> CitizenInputs:
    """Per citizen: their own collective's decisions, hearsay from the buurt, visible
    improvements, co-decision, reporting load, efficacy, needs and ownership. Also
    updates each buurt's memory of decisions and its perceived efficacy."""
    params, c, table, region = model.params, model.citizens, model.collectives, model.region
    n_b = region.n_neighbourhoods
    rows = table.living()
    buurt_of_row = table.neighbourhood[rows]
    # Who is credited with a decision is a parameter of each channel; co-decision (hybrid)
    # adds local credit for fund decisions and is felt as procedural fairness.
    co_decision = model.regime.local_attribution(model)[table.municipality[rows]]
    own_share = params.fund_attribution_local
    attribution = own_share + (1 - own_share) * co_decision
    experience_local, experience_fund = table.experience_local, table.experience_fund
    local = (
        params.municipal_attribution_local * experience_local[rows]
        + attribution * experience_fund[rows]
    )
    national = (
        params.fund_attribution_national * experience_fund[rows]
        + params.municipal_attribution_national * experience_local[rows]
    )
    if model.regime.has_fund:
        decided = (experience_fund[rows] != 0) & (co_decision > 0)
        np.maximum.at(fairness, buurt_of_row[decided], co_decision[decided])

    counts = np.maximum(np.bincount(buurt_of_row, minlength=n_b), 1)

    def per_buurt(values: np.ndarray) -> np.ndarray:
        return np.bincount(buurt_of_row, weights=values, minlength=n_b) / counts

    improvement = params.improvement_signal_scale * visible_gain.mean(axis=1)
    outcome = per_buurt(table.experience_local[rows] + table.experience_fund[rows])
    perception = model.perception
    stock_change = model.stock.mean(axis=1) - region.initial_stock.mean(axis=1)
    perception.remember(
        outcome,
        stock_change,
        params.efficacy_memory_months,
        params.efficacy_per_stock,
    )

    # Members experience their own collective's decisions; everyone hears of the
    # decisions in their buurt and sees its improvements.
    member = c.collective >= 0
    row_of = np.maximum(c.collective, 0)
    local_by_row = np.zeros(table.alive.size)
    local_by_row[rows] = local
    # An agent's state averages the inhabitants it stands for, of whom only the share who
    # volunteer in the collective live through its decisions and reporting.
    exposure = np.where(member, params.collective_volunteering_share, 0.0)
    own_local = exposure * local_by_row[row_of]
    own_national = (
        exposure * params.fund_attribution_national * experience_fund[row_of]
        + exposure * params.municipal_attribution_national * experience_local[row_of]
    )
    home = c.neighbourhood
    heard_local_pos = params.hearsay_weight * per_buurt(np.maximum(local, 0))[home]
    heard_local_neg = params.hearsay_weight * per_buurt(np.maximum(-local, 0))[home]
    heard_nat_pos = params.hearsay_weight * per_buurt(np.maximum(national, 0))[home]
    heard_nat_neg = params.hearsay_weight * per_buurt(np.maximum(-national, 0))[home]
    seen = params.improvement_attribution * improvement[home]
    # Procedural fairness reaches the residents who took part in the co-decision (a share of
    # those who volunteer) and, by word of mouth, their contacts; not the whole buurt.
    took_part = params.co_decision_turnout * c.participating * fairness[home]
    fair = params.procedural_fairness_signal * took_part
    if fair.any():
        fair = fair + params.contact_experience_weight * region.network.neighbour_mean(fair)

    inputs = CitizenInputs(
        own_local=own_local,
        own_national=own_national,
        heard_local_positive=heard_local_pos,
        heard_local_negative=heard_local_neg,
        heard_national_positive=heard_nat_pos,
        heard_national_negative=heard_nat_neg,
        seen_and_fair=seen + fair,
        controlling=exposure * table.controlling[row_of],
        # Supportive funding: a running grant from any channel, as far as its reporting
        # load leaves the members alone (the same rule for every channel).
        trusted=exposure
        * (table.grant_until[row_of] > model.current_month)
        * (1.0 - table.controlling[row_of]),
        efficacy=perception.efficacy[home],
        needs_change=stock_change[home],
        ownership=(
            1.0 - np.exp(-model.owned_stock.mean(axis=1) / model.params.ownership_saturation_stock)
        )[home],
    )
    return inputs
