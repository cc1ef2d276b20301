"""Spin-up: months simulated before month 0, not reported (docs/ODD.md, section 5.5).

The initial state (section 5) reproduces the CBS figures, but not the structure the
model's own dynamics build: participation is hardly clustered in the network, and citizens'
expectations of the desk are not yet those its decisions teach. Left alone, the status quo
drifts while that structure forms. The spin-up runs the model first for
``spin_up_months`` under the status quo's funding only (the same for every regime; no
investment streams) while a controller keeps the participation and active shares at the
region's drawn shares. At month 0 the reported run starts from the spun-up state, reset to
the drawn figures: money starts a new ledger period, participation, active share and trust
are set back to their drawn shares and wellbeing to its drawn values.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit, logit

from gemsim.model import citizens as rules
from gemsim.model import spin_up_month
from gemsim.model.arrays import weighted_cut, weighted_cuts
from gemsim.model.citizens import ACTIVE, INACTIVE, OCCASIONAL, weighted_share
from gemsim.model.collectives import (
    COLLECTIVES_ACCOUNT,
    NO_CHANNEL,
    count_members,
    update_membership,
)
from gemsim.model.ledger import Ledger
from gemsim.model.perception import sense_of_ownership, stock_gained
from gemsim.model.regimes import make_regime

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

OPENING_SOURCE = "source:initial_holdings"


@dataclass
class Targets:
    """The drawn month-0 shares (population-weighted) the spin-up keeps and restores."""

    participation: float
    active: float
    trust_local: float
    trust_national: float

    @classmethod
    def of(cls, model: CommunityModel) -> Targets:
        c = model.citizens
        return cls(
            participation=weighted_share(c.participating, c.weight),
            active=weighted_share(c.state >= ACTIVE, c.weight),
            trust_local=weighted_share(c.trust_local >= 0.5, c.weight),
            trust_national=weighted_share(c.trust_national >= 0.5, c.weight),
        )


@dataclass
class SpinUp:
    """What the spin-up did (kept on the model as ``model.spin_up``, not reported)."""

    months: int
    targets: Targets
    ledger: Ledger = field(default_factory=Ledger)
    counts: Counter[str] = field(default_factory=Counter)
    threshold_shift: float = 0.0  # total shift of the threshold mean
    margin_start: float = 0.0
    margin_end: float = 0.0
    trust_shift: float = 0.0  # logit shift of local trust at the reset
    before_reset: dict[str, float] = field(default_factory=dict)
    withdrawn: int = 0  # applications pending at the reset, withdrawn without a decision


def willingness_gap(model: CommunityModel) -> np.ndarray:
    """Each citizen's willingness now less its threshold (as ``monthly_update`` computes
    willingness next month, from today's states)."""
    c, params = model.citizens, model.params
    will = rules.willingness(
        model.region.network.neighbour_mean(c.participating.astype(np.float64)),
        c.motivation,
        model.perception.efficacy[c.neighbourhood],
        params.motivation_weight,
        params.efficacy_weight,
    )
    gap: np.ndarray = will - c.threshold
    return gap


def willingness_cuts(model: CommunityModel, shares: Sequence[float]) -> list[float]:
    """The willingness gaps at which the weighted shares of citizens at or above them are
    ``shares`` (the model runs its compiled twin, ``spin_up_month.willingness_cuts``)."""
    return weighted_cuts(willingness_gap(model), model.citizens.weight, shares)


def calibrate(model: CommunityModel, targets: Targets) -> float:
    """Shift every threshold and the threshold mean, and set the active margin, so that the
    states citizens' willingness points to have the target shares; returns the shift."""
    c = model.citizens
    shift, active_cut = spin_up_month.willingness_cuts(
        model, (targets.participation, targets.active)
    )
    c.threshold = c.threshold + shift
    c.threshold_mean += shift
    c.active_margin = max(active_cut - shift, 0.0)
    return shift


def restore_shares(model: CommunityModel, targets: Targets) -> None:
    """Move the citizens nearest the cuts (by willingness) between states until the
    participation and active shares are the drawn ones again."""
    c = model.citizens
    gap = willingness_gap(model)
    total = float(c.weight.sum())

    def move(pool: np.ndarray, surplus: float, new_state: int, most_willing: bool) -> None:
        order = pool[np.argsort(-gap[pool] if most_willing else gap[pool], kind="stable")]
        moved = order[np.cumsum(c.weight[order]) / total <= surplus + 1e-12]
        c.state[moved] = new_state

    participation = weighted_share(c.participating, c.weight)
    if participation < targets.participation:
        pool = np.flatnonzero(c.state == INACTIVE)
        move(pool, targets.participation - participation, OCCASIONAL, most_willing=True)
    elif participation > targets.participation:
        pool = np.flatnonzero(c.state == OCCASIONAL)
        move(pool, participation - targets.participation, INACTIVE, most_willing=False)
    active = weighted_share(c.state >= ACTIVE, c.weight)
    if active < targets.active:
        pool = np.flatnonzero(c.state == OCCASIONAL)
        move(pool, targets.active - active, ACTIVE, most_willing=True)
    elif active > targets.active:
        pool = np.flatnonzero(c.state == ACTIVE)  # initiators keep leading
        move(pool, active - targets.active, OCCASIONAL, most_willing=False)


def logit_shift(trust: np.ndarray, weight: np.ndarray, share: float) -> float:
    """The shift on the logit scale after which the weighted share with trust >= 0.5 is
    ``share``."""
    return -weighted_cut(logit(np.clip(trust, 1e-12, 1 - 1e-12)), weight, share)


def shifted(trust: np.ndarray, shift: float) -> np.ndarray:
    result: np.ndarray = expit(logit(np.clip(trust, 1e-12, 1 - 1e-12)) + shift)
    return result


def run_spin_up(model: CommunityModel) -> SpinUp:
    """Simulate ``spin_up_months`` before month 0 under the status quo's funding, keeping
    the participation and active shares at the drawn ones; then reset (``reset``)."""
    months = model.params.spin_up_months
    spin = SpinUp(months=months, targets=Targets.of(model))
    spin.margin_start = model.citizens.active_margin
    regime = model.regime
    model.regime = make_regime("status_quo")
    for month in range(-months, 0):
        model.spin_up_month = month
        model.advance_month(streams=False, movement=False)
        model.ledger.check(model.holdings())
        spin.threshold_shift += calibrate(model, spin.targets)
    model.spin_up_month = None
    model.regime = regime
    reset(model, spin)
    return spin


def balance_factor(yearly_depreciation: float, months: int) -> float:
    """Stock standing at the balance of building and depreciation over the stock standing
    after ``months`` of building at the same constant rate from none (depreciation first,
    then building, as each month does); 1 without depreciation (no balance exists)."""
    kept = (1.0 - yearly_depreciation) ** (months / 12.0)
    return 1.0 / (1.0 - kept) if kept < 1.0 else 1.0


def settle_stock(model: CommunityModel) -> None:
    """The community stock (and the residents' own part of it) at the balance the spin-up's
    building keeps up, cell by cell; the drawn stock is today's provision including it, so
    regular budgets keep up the rest (at least 0) and the month-0 stock is the drawn one
    wherever the balance does not exceed it."""
    params, region = model.params, model.region
    factor = balance_factor(params.infrastructure_depreciation_per_year, params.spin_up_months)
    model.community_stock = model.community_stock * factor
    model.owned_stock = model.owned_stock * factor
    region.initial_stock = np.maximum(region.initial_stock - model.community_stock, 0.0)
    model._refresh_stock()
    model.perception.see_stock(stock_gained(model), params.efficacy_per_stock)


def reset(model: CommunityModel, spin: SpinUp) -> None:
    """Month 0 after a spin-up: a new ledger period whose opening balances are what the
    collectives hold; empty municipal pots; counts from zero; the drawn participation,
    active and trust shares; the drawn wellbeing."""
    c, targets = model.citizens, spin.targets
    spin.before_reset = {
        "participation": weighted_share(c.participating, c.weight),
        "active_share": weighted_share(c.state >= ACTIVE, c.weight),
        "trust_government": weighted_share(c.trust_local >= 0.5, c.weight),
        "collectives": float(model.collectives.living().size),
    }
    # Money: the spin-up's period closes (pots returned), a new one opens with what the
    # collectives hold, booked as initial holdings.
    model.municipal_budgets.return_unspent()
    model.ledger.check(model.holdings())
    spin.ledger = copy.deepcopy(model.ledger)
    model.ledger.balance.clear()
    model.ledger.flows.clear()
    model.ledger.transfer(OPENING_SOURCE, COLLECTIVES_ACCOUNT, int(model.collectives.money.sum()))
    model.ledger.check(model.holdings())
    spin.counts, model.counts = model.counts, Counter()
    model.perception.approval_memory.seen_decisions = 0
    model.perception.approval_memory.seen_grants = 0

    # Applications: those pending were sent to the status quo's desk; they are withdrawn
    # without a decision, so that from month 0 every collective applies through its
    # regime's channels (the same rule in every regime). Left pending, they were decided by
    # a desk that in some regimes has no money for them, which no regime's collectives
    # would have chosen.
    table = model.collectives
    pending = table.app_channel != NO_CHANNEL
    spin.withdrawn = int(np.count_nonzero(pending & table.alive))
    table.app_channel[pending] = NO_CHANNEL

    # Stock: what the collectives built is taken to its balance and counted in the drawn
    # stock, so that the status quo neither builds up nor runs down (section 5.5).
    settle_stock(model)

    # Trust: a logit shift of everyone's trust and baseline restores the drawn shares.
    for name, share in (
        ("trust_local", targets.trust_local),
        ("trust_national", targets.trust_national),
    ):
        values = getattr(c, name)
        delta = logit_shift(values, c.weight, share)
        setattr(c, name, shifted(values, delta))
        baseline = f"{name}_baseline"
        setattr(c, baseline, shifted(getattr(c, baseline), delta))
        if name == "trust_local":
            spin.trust_shift = delta

    # Participation: thresholds calibrated once more (efficacy changed with the stock),
    # the citizens nearest the cuts moved to restore the drawn shares; the month-0 state is
    # the new reference of social trust and wellbeing.
    spin.threshold_shift += calibrate(model, targets)
    spin.margin_end = c.active_margin
    restore_shares(model, targets)
    c.social_trust_baseline = np.clip(
        c.social_trust_baseline
        + model.params.social_trust_participation_effect
        * (c.participating.astype(np.float64) - c.participating_initial),
        0.0,
        1.0,
    )
    c.participating_initial = c.participating.copy()
    update_membership(model)
    model._citizen_hours = model._hours()
    count_members(model, model._citizen_hours)
    # Wellbeing: the baseline absorbs what the spun-up stock and ownership add, so that each
    # citizen starts month 0 at the drawn wellbeing.
    params, home = model.params, c.neighbourhood
    needs = stock_gained(model)[home]
    ownership = sense_of_ownership(model)[home]
    c.wellbeing_baseline = (
        c.wellbeing_baseline
        - params.wellbeing_needs_effect * needs
        - params.wellbeing_ownership_effect * ownership
    )
    c.wellbeing = rules.current_wellbeing(
        c.wellbeing_baseline,
        np.zeros(c.size),
        needs,
        ownership,
        c.social_trust - c.social_trust_baseline,
        params,
    )
