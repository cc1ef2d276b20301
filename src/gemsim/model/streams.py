"""The Groeiplan's two investment streams, switchable in any regime.

- Social infrastructure (claim 3): a national sum spread evenly over some years, scaled to
  the region, allocated to buurten's gaps. Municipalities decide together with residents
  what is missing: a municipality's co-decision willingness ``c`` sets how far money
  follows the buurten's and categories' actual deficits (``c``) rather than population
  and an even split (``1 - c``). Co-deciding is a procedural-fairness experience.
- Movement infrastructure (claim 4a): support capacity that raises application quality,
  lowers reporting effort and helps new collectives start, with a priority for low-SES
  buurten. Built capacity depreciates like physical infrastructure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.arrays import FloatArray, exp
from gemsim.model.infrastructure import (
    N_CATEGORIES,
    cost_to_raise,
    deficits,
    depreciate,
    stock_gain,
)
from gemsim.model.ledger import to_cents

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel
    from gemsim.model.parameters import Parameters

SOCIAL_ACCOUNT = "held:social_infrastructure"


class MovementSupport:
    """Support capacity the movement-infrastructure stream has built in each buurt, in euros
    per inhabitant; it depreciates like physical infrastructure. Only the stream builds it."""

    def __init__(self, n_neighbourhoods: int) -> None:
        self._eur_per_inhabitant = np.zeros(n_neighbourhoods)

    @property
    def eur_per_inhabitant(self) -> FloatArray:
        """Capacity per buurt now (a read-only view)."""
        view = self._eur_per_inhabitant.view()
        view.flags.writeable = False
        return view

    def depreciate(self, yearly_rate: float) -> None:
        self._eur_per_inhabitant = depreciate(self._eur_per_inhabitant, yearly_rate)

    def build(self, eur_per_inhabitant: FloatArray) -> None:
        self._eur_per_inhabitant += eur_per_inhabitant

    def fraction(self, buurten: np.ndarray, params: Parameters) -> FloatArray:
        """:func:`support_fraction` of the given buurten (one entry each). Zeros, without
        reading the saturation, while no buurt has capacity: so nothing before month 0
        (the stream starts at month 1) reads the support's parameters."""
        if not self._eur_per_inhabitant.any():
            return np.zeros(len(buurten))
        return support_fraction(
            self._eur_per_inhabitant[buurten], params.movement_support_saturation_eur
        )


def monthly_amount_cents(total_eur: float, years: float, share: float, month: int) -> int:
    """The regional share of a national sum spread evenly over ``years``."""
    if month >= round(12 * years):
        return 0
    return int(to_cents(total_eur * share / round(12 * years)))


def social_infrastructure_month(model: CommunityModel) -> tuple[np.ndarray, np.ndarray]:
    """Receive and spend this month's social-infrastructure money.

    Returns the stock added (buurten x categories) and the procedural-fairness
    experience per buurt (co-decision willingness where money was spent)."""
    params, region, ledger = model.params, model.region, model.ledger
    inflow = monthly_amount_cents(
        params.social_infrastructure_eur,
        params.social_infrastructure_years,
        model.population_share,
        model.current_month,
    )
    overhead = round(inflow * params.social_infrastructure_overhead_share)
    ledger.transfer("source:social_infrastructure", SOCIAL_ACCOUNT, inflow)
    ledger.transfer(SOCIAL_ACCOUNT, "overhead:social_infrastructure", overhead)

    available = ledger.balance[SOCIAL_ACCOUNT]
    no_gain = np.zeros_like(model.stock)
    fairness = np.zeros(region.n_neighbourhoods)
    gaps = deficits(model.stock, params.in_order_threshold)
    cost_of_gaps = cost_to_raise(
        gaps,
        region.neighbourhood_population[:, None],
        params.infrastructure_cost_eur_per_inhabitant,
        params.project_effectiveness,
    )
    need = cost_of_gaps.sum(axis=1)
    if available <= 0 or need.sum() <= 0:
        return no_gain, fairness

    c = region.municipality_co_decision[region.neighbourhood_municipality]
    population = region.neighbourhood_population
    weights = c * need / need.sum() + (1 - c) * (need > 0) * population / population[need > 0].sum()
    weights /= weights.sum()
    budget = available / 100 * weights
    spend_buurt = np.minimum(budget, need)
    by_need = np.divide(
        cost_of_gaps, need[:, None], out=np.zeros_like(cost_of_gaps), where=need[:, None] > 0
    )
    split = c[:, None] * by_need + (1 - c[:, None]) / N_CATEGORIES
    spend = np.minimum(spend_buurt[:, None] * split, cost_of_gaps)
    spend += _spend_leftover(spend_buurt - spend.sum(axis=1), cost_of_gaps - spend)
    spend_cents = np.floor(spend * 100).astype(np.int64)  # never more than is held
    ledger.transfer(SOCIAL_ACCOUNT, "spent:social_infrastructure", spend_cents.sum())
    gain = stock_gain(
        spend_cents / 100,
        population[:, None],
        params.infrastructure_cost_eur_per_inhabitant,
        params.project_effectiveness,
    )
    fairness = np.where(spend_cents.sum(axis=1) > 0, c, 0.0)
    return gain, fairness


def _spend_leftover(leftover: np.ndarray, remaining: np.ndarray) -> np.ndarray:
    """A buurt's budget that the first split could not use (its even share fell on
    categories without a gap, or beyond a gap) goes to the gaps still open, in proportion
    to what each still costs. The leftover never exceeds the remaining cost (a buurt's
    budget is at most its need), so this spends the whole budget and fills every gap when
    the budget covers the need."""
    total = remaining.sum(axis=1)
    share = np.divide(
        remaining, total[:, None], out=np.zeros_like(remaining), where=total[:, None] > 0
    )
    extra: FloatArray = np.minimum(np.maximum(leftover, 0.0)[:, None] * share, remaining)
    return extra


def movement_infrastructure_month(model: CommunityModel) -> None:
    """Spend this month's movement money on support capacity, per buurt (EUR/inhabitant)."""
    params, region = model.params, model.region
    amount = monthly_amount_cents(
        params.movement_infrastructure_eur,
        params.movement_infrastructure_years,
        model.population_share,
        model.current_month,
    )
    model.ledger.transfer("source:movement_infrastructure", "spent:movement_support", amount)
    if amount == 0:
        return
    population = region.neighbourhood_population
    low = region.neighbourhood_low_ses
    share = params.movement_low_ses_priority * low * population / max(population[low].sum(), 1)
    share += (1 - params.movement_low_ses_priority) * population / population.sum()
    model.movement_support.build(amount / 100 * share / population)


def support_fraction(support_eur_per_inhabitant: np.ndarray, saturation: float) -> np.ndarray:
    """How close a buurt's support capacity is to saturation, 0-1."""
    return 1.0 - exp(-support_eur_per_inhabitant / saturation)
