"""Municipalities: their small-subsidy pots and the desk that decides applications.

The desk decides applications in order of arrival after a 4-8 week decision time, up to
its monthly capacity (the rest wait, and waiting beyond the promised time is a negative
experience). Approval depends on application quality (so better-resourced collectives win
more: the Matthew effect) and on money left in the yearly pot; grants are capped, need an
own contribution, and cost volunteer hours in applying and reporting. The approval rule
and carrying the pot over are parameters of the channel, as for the fund.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.collectives import (
    MUNICIPAL,
    NO_CHANNEL,
    approval_probability,
    rank_within_groups,
    receive_grants,
    reporting_hours,
)
from gemsim.model.ledger import Ledger, to_cents
from gemsim.model.world import Region

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

BUDGET_ACCOUNT = "held:municipal"


class MunicipalBudgets:
    """Each municipality's small-subsidy pot for this year, in cents, mirrored by the ledger
    account ``held:municipal``. Only the budgets change their pots."""

    def __init__(
        self,
        ledger: Ledger,
        region: Region,
        own_eur_per_inhabitant: float,
        layer_overhead_share: float,
    ) -> None:
        self._ledger = ledger
        self._population = region.municipality_population
        self._shares = region.municipality_population / region.population
        self._own_eur_per_inhabitant = own_eur_per_inhabitant
        self._layer_overhead_share = layer_overhead_share
        self._cents = np.zeros(region.n_municipalities, dtype=np.int64)

    @property
    def cents(self) -> np.ndarray:
        """Each pot now (a read-only view)."""
        view = self._cents.view()
        view.flags.writeable = False
        return view

    def total(self) -> int:
        return int(self._cents.sum())

    def pots_to_pay_from(self) -> np.ndarray:
        """The pots themselves (writable), for the compiled desk
        (``desk_month.grant_decided``), which pays handling costs and grants from them as
        :meth:`pay_handling` and :meth:`pay_grants` do, and books the same transfers."""
        return self._cents

    def replenish(self, extra_cents: int, replaced_share: float, carry_over: bool) -> None:
        """January: last year's unspent pot returns to the general budget (unless it is
        carried over); the pot then receives the municipality's own money (less any share
        the fund replaces) plus extra national money after the channel's layer overhead,
        both by population."""
        kept = self._cents if carry_over else np.zeros_like(self._cents)
        if not carry_over:
            self._ledger.transfer(BUDGET_ACCOUNT, "unspent:municipal_returned", self.total())
        own = to_cents(self._own_eur_per_inhabitant * (1 - replaced_share) * self._population)
        self._ledger.transfer("source:municipal_budget", BUDGET_ACCOUNT, int(own.sum()))
        layer = round(extra_cents * self._layer_overhead_share)
        self._ledger.transfer("source:national_fund", "overhead:channel_layer", layer)
        extra = np.floor((extra_cents - layer) * self._shares).astype(np.int64)
        self._ledger.transfer("source:national_fund", BUDGET_ACCOUNT, int(extra.sum()))
        self._cents = kept + own + extra

    def return_unspent(self) -> None:
        """Empty every pot: what is left returns to the general budgets (as in January)."""
        self._ledger.transfer(BUDGET_ACCOUNT, "unspent:municipal_returned", self.total())
        self._cents[:] = 0

    def fits(self, municipality: np.ndarray, amounts: np.ndarray) -> np.ndarray:
        """For grants in decision order: whether each still fits in its municipality's pot."""
        return grouped_fits(municipality, amounts, self._cents)

    def pay_grants(self, municipality: np.ndarray, amounts: np.ndarray) -> None:
        """Take granted amounts out of the pots (the ledger moves them with the grants)."""
        np.subtract.at(self._cents, municipality, amounts)

    def pay_handling(self, wanted: np.ndarray) -> None:
        """Handling cost per municipality (cents), from its pot as far as it goes; the rest
        from the municipality's general budget (an extra source)."""
        paid = np.minimum(wanted, self._cents)
        self._cents -= paid
        self._ledger.transfer(BUDGET_ACCOUNT, "overhead:municipal_handling", int(paid.sum()))
        self._ledger.transfer(
            "source:municipal_admin", "overhead:municipal_handling", int((wanted - paid).sum())
        )


def grouped_fits(groups: np.ndarray, amounts: np.ndarray, budgets: np.ndarray) -> np.ndarray:
    """For rows already in decision order: whether each amount still fits in its group's
    budget after the earlier rows of the group took theirs (no partial grants)."""
    fits = np.zeros(groups.size, dtype=bool)
    remaining = budgets.copy()
    # A short loop over approved applications only (tens per month), kept exact in cents.
    for index, (group, amount) in enumerate(zip(groups, amounts, strict=True)):
        if amount <= remaining[group]:
            remaining[group] -= amount
            fits[index] = True
    return fits


def desk_capacity(model: CommunityModel) -> np.ndarray:
    """Per municipality, the applications its desk decides in a month."""
    capacity: np.ndarray = np.ceil(
        model.params.municipal_capacity_per_10k * model.region.municipality_population / 10_000
    ).astype(np.int64)
    return capacity


def decide_municipal_applications(model: CommunityModel) -> None:
    """Decide the municipal applications that are due, within capacity and budget."""
    table, params, month = model.collectives, model.params, model.current_month
    rows = table.living()
    pending = rows[table.app_channel[rows] == MUNICIPAL]
    if pending.size == 0:
        return
    due = pending[table.app_due[pending] <= month]
    overdue = pending[table.app_due[pending] < month]
    table.experience_local[overdue] -= params.waiting_penalty
    if due.size == 0:
        return

    municipality = table.municipality[due]
    order, rank = rank_within_groups(municipality, table.app_submitted[due], due)
    capacity = desk_capacity(model)
    decided = due[order][rank < capacity[municipality[order]]]
    if decided.size == 0:
        return

    approved, granted = grant_decided(model, decided)
    rejected = decided[~approved]
    table.experience_local[granted] += 1.0 - model.perception.expected_approval
    table.experience_local[rejected] -= model.perception.expected_approval
    table.reporting_backlog[granted] += reporting_hours(
        model, params.municipal_reporting_hours, granted
    )
    table.grant_until[granted] = month + params.municipal_grant_months
    table.app_channel[decided] = NO_CHANNEL
    table.last_decision[decided] = month
    model.counts["municipal_decisions"] += decided.size
    model.counts["municipal_grants"] += granted.size


def approve(model: CommunityModel, decided: np.ndarray) -> np.ndarray:
    """Which decided applications the desk approves: a draw against the approval chance,
    or the quality threshold (``municipal_approval_rule``)."""
    table, params = model.collectives, model.params
    if params.municipal_approval_rule == "probabilistic":
        chance = approval_probability(
            table.quality[decided], params.municipal_approval_base, params.approval_quality_bias
        )
        drawn: np.ndarray = model.rng.random(decided.size) < chance
        return drawn
    ranked: np.ndarray = table.quality[decided] >= params.municipal_minimum_quality
    return ranked


def grant_decided(model: CommunityModel, decided: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The money side of the desk's decisions: handling costs, approval (a draw, or the
    quality threshold), the grants the pots can pay, paid out. Returns which decided
    applications were approved and paid, and the rows granted."""
    table, params = model.collectives, model.params
    charge_handling(model, table.municipality[decided], "municipal")
    approved = approve(model, decided)
    candidates = decided[approved]
    fits = model.municipal_budgets.fits(
        table.municipality[candidates], table.app_amount[candidates]
    )
    granted = candidates[fits]
    approved[approved] = fits
    # Approved but refused because the pot is empty (a diagnostic: where the budget binds).
    model.counts["municipal_out_of_budget"] += int(candidates.size - granted.size)
    amounts = table.app_amount[granted]
    model.municipal_budgets.pay_grants(table.municipality[granted], amounts)
    receive_grants(
        model, granted, amounts, BUDGET_ACCOUNT, "municipal", params.municipal_compliance_cost_share
    )
    return approved, granted


def charge_handling(model: CommunityModel, municipality: np.ndarray, channel: str) -> None:
    """Handling cost of each decision, paid from the pot it is decided on; what a pot
    cannot pay is paid from the organisation's general budget (an extra source)."""
    cost = int(to_cents(model.params.handling_cost_eur))
    wanted = np.bincount(municipality, minlength=model.region.n_municipalities) * cost
    if channel == "municipal":
        model.municipal_budgets.pay_handling(wanted)
    else:
        model.fund.pay_handling(wanted)
