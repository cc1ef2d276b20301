"""What citizens perceive each month: the inputs of their rules (``citizens.monthly_update``).

Citizens experience their own collective's funding decisions, hear of the decisions in
their buurt, see its improvements and co-decision, carry their collective's reporting load,
and feel their buurt's collective efficacy, its needs and its ownership (docs/ODD.md,
section 7.12). Each buurt remembers its decisions; the memory and the stock it sees set its
perceived efficacy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from gemsim.model.arrays import exp
from gemsim.model.citizens import (
    CitizenInputs,
    Citizens,
    balanced_expectation,
    update_efficacy,
)
from gemsim.model.parameters import Parameters
from gemsim.model.world import Network

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@dataclass
class ApprovalMemory:
    """Moving averages of the decisions citizens see each month (all channels) and of the
    grants among them; their ratio is the approval rate they have come to expect."""

    decisions: float = 0.0
    grants: float = 0.0
    seen_decisions: int = 0  # the model's cumulative counts already taken in
    seen_grants: int = 0

    def learn(self, total_decisions: int, total_grants: int, memory_months: float) -> float | None:
        """Take in this month's decisions and grants (from cumulative totals); the rate
        experienced over about ``memory_months``, or ``None`` before any decision."""
        decided = total_decisions - self.seen_decisions
        granted = total_grants - self.seen_grants
        self.seen_decisions, self.seen_grants = total_decisions, total_grants
        self.decisions += (decided - self.decisions) / memory_months
        self.grants += (granted - self.grants) / memory_months
        return self.grants / self.decisions if self.decisions > 0 else None


@dataclass
class Perception:
    """Per buurt: the memory of funding decisions and the perceived collective efficacy;
    and the approval chance citizens expect of a decision, formed under today's desk and,
    with an expectation memory, following the approval rate they experience."""

    expected_approval: float
    decision_memory: np.ndarray
    efficacy: np.ndarray
    approval_memory: ApprovalMemory = field(default_factory=ApprovalMemory)

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
        the buurt's stock above what regular budgets keep up (``stock_gained``)."""
        self.decision_memory = update_efficacy(self.decision_memory, outcome, memory_months)
        self.see_stock(stock_change, efficacy_per_stock)

    def see_stock(self, stock_change: np.ndarray, efficacy_per_stock: float) -> None:
        """Efficacy is the decision memory plus the buurt's stock above what regular
        budgets keep up, ``efficacy_per_stock`` per unit."""
        self.efficacy = self.decision_memory + efficacy_per_stock * stock_change

    def learn_expectation(
        self, total_decisions: int, total_grants: int, memory_months: float, asymmetry: float
    ) -> None:
        """Expectations follow experience: the expected approval chance is the one in
        balance (``balanced_expectation``) with the share of decisions seen to end in a
        grant over the last ``memory_months`` (a moving average); unchanged before any
        decision, and always with ``memory_months`` = 0."""
        if memory_months <= 0:
            return
        rate = self.approval_memory.learn(total_decisions, total_grants, memory_months)
        if rate is not None:
            self.expected_approval = balanced_expectation(rate, asymmetry)


def stock_gained(model: CommunityModel) -> np.ndarray:
    """Per buurt: its mean stock above what regular budgets keep up (section 7.12)."""
    gained: np.ndarray = model.stock.mean(axis=1) - model.region.initial_stock.mean(axis=1)
    return gained


def sense_of_ownership(model: CommunityModel) -> np.ndarray:
    """Per buurt: residents' sense of ownership, 0-1, saturating in the stock they own."""
    owned = model.owned_stock.mean(axis=1) / model.params.ownership_saturation_stock
    result: np.ndarray = 1.0 - exp(-owned)
    return result


@dataclass
class InputSources:
    """The month's inputs before they reach the residents: per collective row (the table's
    rows), per buurt, and the procedural fairness per citizen (``None`` where no buurt
    co-decided). :func:`gather_inputs` hands them to each citizen."""

    local_by_row: np.ndarray  # per row: its decisions credited to local government (signed)
    experience_fund: np.ndarray  # per row: this month's fund decisions (signed)
    experience_local: np.ndarray  # per row: this month's municipal decisions (signed)
    controlling: np.ndarray  # per row: its reporting load, 0-1
    grant_until: np.ndarray  # per row: the month its running grant ends
    month: int
    exposure_share: float  # collective_volunteering_share
    fund_attribution_national: float
    municipal_attribution_national: float
    heard_local_positive: np.ndarray  # per buurt, weighted by hearsay_weight
    heard_local_negative: np.ndarray
    heard_national_positive: np.ndarray
    heard_national_negative: np.ndarray
    seen: np.ndarray  # per buurt: the visible improvement credited locally
    fair: np.ndarray | None  # per citizen: procedural fairness, or None
    efficacy: np.ndarray  # per buurt
    needs_change: np.ndarray  # per buurt
    ownership: np.ndarray  # per buurt


def citizen_inputs(
    model: CommunityModel, visible_gain: np.ndarray, fairness: np.ndarray
) -> CitizenInputs:
    """Per citizen: their own collective's decisions, hearsay from the buurt, visible
    improvements, co-decision, reporting load, efficacy, needs and ownership. Also
    updates each buurt's memory of decisions and its perceived efficacy."""
    return gather_inputs(
        model.citizens.collective,
        model.citizens.neighbourhood,
        input_sources(model, visible_gain, fairness),
    )


def procedural_fairness(
    c: Citizens, fairness: np.ndarray, network: Network, params: Parameters
) -> np.ndarray:
    """Per citizen, the signal of a co-decided fund decision in their buurt (``fairness``,
    per buurt): it reaches the residents who took part in the co-decision (a share of
    those who volunteer) and, by word of mouth, their contacts; not the whole buurt."""
    took_part = params.co_decision_turnout * c.participating * fairness[c.neighbourhood]
    fair: np.ndarray = params.procedural_fairness_signal * took_part
    if fair.any():
        fair = fair + params.contact_experience_weight * network.neighbour_mean(fair)
    return fair


FairnessRule = Callable[[Citizens, np.ndarray, Network, Parameters], np.ndarray]


class DecisionInputs(NamedTuple):
    """What :func:`decision_signals` reads: the living collectives' ``rows`` (of a table
    with ``capacity`` rows) with their buurt and their municipality's co-decision, the
    table's experience columns, each buurt's ``fairness`` (raised in place where a fund
    decision was co-decided, if ``has_fund``) and improvement signal, and the ``weights``:
    the fund's and the desk's local attribution, their national attribution, the hearsay
    weight and the improvement attribution."""

    rows: np.ndarray
    buurt_of_row: np.ndarray
    co_decision: np.ndarray
    experience_local: np.ndarray
    experience_fund: np.ndarray
    fairness: np.ndarray
    improvement: np.ndarray
    capacity: int
    has_fund: bool
    weights: tuple[float, float, float, float, float, float]


def decision_signals(inputs: DecisionInputs) -> tuple[np.ndarray, ...]:
    """What the month's decisions and improvements signal, per living collective and per
    buurt: each row's decisions credited to local government (``local_by_row``), each
    buurt's mean decision outcome, the hearsay of local and national credit and blame, and
    the improvement credited locally."""
    rows, buurt_of_row, co_decision, experience_local, experience_fund = inputs[:5]
    fairness, improvement, capacity, has_fund, weights = inputs[5:]
    fund_local, municipal_local, fund_national, municipal_national, hearsay, attributed = weights
    n_b = improvement.size
    # Who is credited with a decision is a parameter of each channel; co-decision (hybrid)
    # adds local credit for fund decisions and is felt as procedural fairness.
    attribution = fund_local + (1 - fund_local) * co_decision
    local = municipal_local * experience_local[rows] + attribution * experience_fund[rows]
    national = fund_national * experience_fund[rows] + municipal_national * experience_local[rows]
    if has_fund:
        decided = (experience_fund[rows] != 0) & (co_decision > 0)
        np.maximum.at(fairness, buurt_of_row[decided], co_decision[decided])

    counts = np.maximum(np.bincount(buurt_of_row, minlength=n_b), 1)

    def per_buurt(values: np.ndarray) -> np.ndarray:
        return np.bincount(buurt_of_row, weights=values, minlength=n_b) / counts

    outcome = per_buurt(experience_local[rows] + experience_fund[rows])
    local_by_row = np.zeros(capacity)
    local_by_row[rows] = local
    return (
        local_by_row,
        outcome,
        # Per buurt first, then to its residents (the same products, fewer of them).
        hearsay * per_buurt(np.maximum(local, 0)),
        hearsay * per_buurt(np.maximum(-local, 0)),
        hearsay * per_buurt(np.maximum(national, 0)),
        hearsay * per_buurt(np.maximum(-national, 0)),
        attributed * improvement,
    )


SignalsRule = Callable[[DecisionInputs], tuple[np.ndarray, ...]]


def input_sources(
    model: CommunityModel,
    visible_gain: np.ndarray,
    fairness: np.ndarray,
    fairness_rule: FairnessRule = procedural_fairness,
    signals_rule: SignalsRule = decision_signals,
) -> InputSources:
    """The month's :class:`InputSources`; updates each buurt's memory of decisions and its
    perceived efficacy, and ``fairness`` (per buurt) where a fund decision was co-decided.
    ``fairness_rule`` and ``signals_rule`` are :func:`procedural_fairness` and
    :func:`decision_signals` or their compiled twins."""
    params, table, region = model.params, model.collectives, model.region
    rows = table.living()
    decisions = DecisionInputs(
        rows,
        table.neighbourhood[rows],
        model.regime.local_attribution(model)[table.municipality[rows]],
        table.experience_local,
        table.experience_fund,
        fairness,
        params.improvement_signal_scale * visible_gain.mean(axis=1),
        table.alive.size,
        model.regime.has_fund,
        (
            params.fund_attribution_local,
            params.municipal_attribution_local,
            params.fund_attribution_national,
            params.municipal_attribution_national,
            params.hearsay_weight,
            params.improvement_attribution,
        ),
    )
    local_by_row, outcome, heard_lp, heard_ln, heard_np, heard_nn, seen = signals_rule(decisions)
    perception = model.perception
    perception.learn_expectation(
        model.counts["municipal_decisions"] + model.counts["fund_decisions"],
        model.counts["municipal_grants"] + model.counts["fund_grants"],
        params.expectation_memory_months,
        params.trust_asymmetry,
    )
    stock_change = stock_gained(model)
    perception.remember(
        outcome,
        stock_change,
        params.efficacy_memory_months,
        params.efficacy_per_stock,
    )
    fair = None
    if fairness.any():
        fair = fairness_rule(model.citizens, fairness, region.network, params)
    return InputSources(
        local_by_row=local_by_row,
        experience_fund=table.experience_fund,
        experience_local=table.experience_local,
        controlling=table.controlling,
        grant_until=table.grant_until,
        month=model.current_month,
        exposure_share=params.collective_volunteering_share,
        fund_attribution_national=params.fund_attribution_national,
        municipal_attribution_national=params.municipal_attribution_national,
        heard_local_positive=heard_lp,
        heard_local_negative=heard_ln,
        heard_national_positive=heard_np,
        heard_national_negative=heard_nn,
        seen=seen,
        fair=fair,
        efficacy=perception.efficacy,
        needs_change=stock_change,
        ownership=sense_of_ownership(model),
    )


def gather_inputs(
    collective: np.ndarray, neighbourhood: np.ndarray, s: InputSources
) -> CitizenInputs:
    """Each citizen's inputs from the month's sources: members (``collective`` >= 0)
    experience their own collective's decisions and reporting, everyone hears of the
    decisions in their buurt (``neighbourhood``) and sees its improvements."""
    member = collective >= 0
    row_of = np.maximum(collective, 0)
    # An agent's state averages the inhabitants it stands for, of whom only the share who
    # volunteer in the collective live through its decisions and reporting.
    exposure = member * s.exposure_share  # the share, or 0
    home = neighbourhood
    seen = s.seen[home]
    return CitizenInputs(
        own_local=exposure * s.local_by_row[row_of],
        own_national=(
            exposure * s.fund_attribution_national * s.experience_fund[row_of]
            + exposure * s.municipal_attribution_national * s.experience_local[row_of]
        ),
        heard_local_positive=s.heard_local_positive[home],
        heard_local_negative=s.heard_local_negative[home],
        heard_national_positive=s.heard_national_positive[home],
        heard_national_negative=s.heard_national_negative[home],
        # where no buurt had a co-decision, as adding zeros
        seen_and_fair=seen + 0.0 if s.fair is None else seen + s.fair,
        controlling=exposure * s.controlling[row_of],
        # Supportive funding: a running grant from any channel, as far as its reporting
        # load leaves the members alone (the same rule for every channel).
        trusted=exposure * (s.grant_until[row_of] > s.month) * (1.0 - s.controlling[row_of]),
        efficacy=s.efficacy[home],
        needs_change=s.needs_change[home],
        ownership=s.ownership[home],
    )
