"""The societal fund: grants to collectives directly, through a light, trust-based process.

Decisions are fast, the check is light (a minimum application quality), grants run for
several years in monthly tranches, and reporting is a yearly Social Handprint. Each of
these is a parameter of the channel (``fund_approval_rule``, ``fund_payment``,
``fund_carry_over``...), so that the fund can also be run with the municipal desk's
process (docs/ODD.md, section 9). Which applications win when money is short is set by
the allocation rule:

- ``need_weighted``: largest infrastructure deficit of the collective's buurt first;
- ``per_capita``: each municipality has an envelope proportional to its population;
- ``first_come``: in order of submission;
- ``participatory_vote``: residents vote; a collective's score is the share of its buurt
  that are its members or know a member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.arrays import FloatArray, sorted_unique
from gemsim.model.collectives import (
    FUND,
    NO_CHANNEL,
    approval_probability,
    receive_grants,
    reporting_hours,
)
from gemsim.model.infrastructure import deficits
from gemsim.model.ledger import Ledger
from gemsim.model.municipality import charge_handling, grouped_fits

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

FUND_ACCOUNT = "held:fund"


class Fund:
    """The societal fund's money: its balance is the ledger account ``held:fund``, and it
    keeps the cents it has promised to running grants, so that it never promises what it
    does not hold. Only the fund changes its commitments."""

    def __init__(self, ledger: Ledger, layer_overhead_share: float) -> None:
        self._ledger = ledger
        self._layer_overhead_share = layer_overhead_share
        self._committed = 0
        self._year_envelopes: np.ndarray | None = None

    @property
    def committed(self) -> int:
        """Cents still owed to running grants."""
        return self._committed

    def add(self, cents: int) -> None:
        """Extra national money into the fund, after the fund organisation's overhead."""
        layer = round(cents * self._layer_overhead_share)
        self._ledger.transfer("source:national_fund", "overhead:channel_layer", layer)
        self._ledger.transfer("source:national_fund", FUND_ACCOUNT, cents - layer)

    def return_unspent(self) -> None:
        """January, for a fund without carry-over: money not promised to running grants
        leaves the fund, as an unspent municipal pot does."""
        self._ledger.transfer(FUND_ACCOUNT, "unspent:fund_returned", max(self.uncommitted(), 0))

    def uncommitted(self) -> int:
        """Cents held and not yet promised."""
        return self._ledger.balance[FUND_ACCOUNT] - self._committed

    def envelopes(self, population_shares: np.ndarray) -> np.ndarray:
        """Per-capita allocation: in each decision round a municipality's collectives may
        commit at most its population share of the fund's money not yet committed (or what
        is left of this year's envelope, after :meth:`open_year_envelopes`)."""
        if self._year_envelopes is not None:
            return self._year_envelopes.copy()
        envelopes = np.floor(self.uncommitted() * population_shares).astype(np.int64)
        return np.maximum(envelopes, 0)

    def open_year_envelopes(self, population_shares: np.ndarray) -> None:
        """January: fix each municipality's envelope for the year at its population share
        of the money not yet committed (``fund_envelope_period = 'year'``)."""
        envelopes = np.floor(max(self.uncommitted(), 0) * population_shares).astype(np.int64)
        self._year_envelopes = envelopes

    def spend_envelopes(self, municipality: np.ndarray, cents: np.ndarray) -> None:
        """Take granted amounts out of this year's envelopes (if fixed for the year)."""
        if self._year_envelopes is not None:
            np.subtract.at(self._year_envelopes, municipality, cents)

    def commit(self, cents: int) -> None:
        """Promise ``cents`` to newly granted collectives."""
        self._committed += cents

    def release(self, cents: int) -> None:
        """Commitments that were paid out, or lapsed when a collective dissolved."""
        self._committed -= cents

    def pay_handling(self, wanted: np.ndarray) -> None:
        """Handling cost of decisions per municipality (cents): from money not yet promised
        (commitments come first) and, with envelopes fixed for the year, only from what is
        left of the deciding municipality's envelope (as from a municipal pot); the rest
        from the fund organisation's general budget (an extra source)."""
        total = int(wanted.sum())
        payable = max(self.uncommitted(), 0)
        if self._year_envelopes is not None:
            from_envelopes = np.minimum(wanted, np.maximum(self._year_envelopes, 0))
            self._year_envelopes -= from_envelopes
            payable = min(payable, int(from_envelopes.sum()))
        paid = min(total, payable)
        self._ledger.transfer(FUND_ACCOUNT, "overhead:fund_handling", paid)
        self._ledger.transfer("source:fund_admin", "overhead:fund_handling", total - paid)


def allocation_scores(model: CommunityModel, rows: np.ndarray) -> np.ndarray:
    """Higher score = decided earlier; ties broken by a random draw."""
    table, rule = model.collectives, model.params.allocation_rule
    tiebreak = model.rng.random(rows.size) * 1e-6
    score: FloatArray
    match rule:
        case "need_weighted":
            need = deficits(model.stock, model.params.in_order_threshold).sum(axis=1)
            score = need[table.neighbourhood[rows]]
        case "first_come" | "per_capita":
            score = -table.app_submitted[rows].astype(np.float64)
        case "participatory_vote":
            score = vote_shares(model)[rows]
        case _:
            raise ValueError(f"unknown allocation rule {rule!r}")
    return score + tiebreak


def vote_shares(model: CommunityModel) -> np.ndarray:
    """Per collective row: share of its buurt's inhabitants who are members or have a
    contact who is a member (the participatory vote)."""
    c, table = model.citizens, model.collectives
    network = model.region.network
    member_row = c.collective
    voter_rows = np.concatenate([member_row, member_row[network.indices]])
    voters = np.concatenate([np.arange(c.size), network.sources])
    keep = voter_rows >= 0
    pairs = sorted_unique(voter_rows[keep] * np.int64(c.size) + voters[keep])
    rows, who = pairs // c.size, pairs % c.size
    votes = np.bincount(rows, weights=c.weight[who], minlength=table.alive.size)
    population = model.region.neighbourhood_population[table.neighbourhood]
    return votes / population


def decide_fund_applications(
    model: CommunityModel, co_decision_weight: np.ndarray | None = None
) -> None:
    """Decide due fund applications, best score first, while uncommitted money lasts.

    ``co_decision_weight`` (per municipality, 0-1) mixes the fund's ranking with the
    municipality's judgement of need made with residents (the hybrid regime)."""
    table, params, month = model.collectives, model.params, model.current_month
    rows = table.living()
    due = rows[(table.app_channel[rows] == FUND) & (table.app_due[rows] <= month)]
    if due.size == 0:
        return
    charge_handling(model, table.municipality[due], "fund")

    if params.fund_approval_rule == "ranked":
        eligible = due[table.quality[due] >= params.fund_minimum_quality]
    else:
        chance = approval_probability(
            table.quality[due], params.fund_approval_base, params.approval_quality_bias
        )
        eligible = due[model.rng.random(due.size) < chance]
    score = allocation_scores(model, eligible)
    ordered = decision_order(model, eligible, score, co_decision_weight)

    months = 12 * params.fund_grant_years
    lump_sum = params.fund_payment == "lump_sum"
    totals = table.app_amount[ordered]
    if not lump_sum:
        totals = totals // months * months  # whole cents per tranche
    if params.allocation_rule == "per_capita":
        budgets = model.fund.envelopes(
            model.region.municipality_population / model.region.population
        )
        groups = table.municipality[ordered]
    else:
        budgets = np.array([model.fund.uncommitted()], dtype=np.int64)
        groups = np.zeros(ordered.size, dtype=np.int64)
    fits = grouped_fits(groups, totals, budgets) & (totals > 0)
    granted = ordered[fits]
    model.fund.spend_envelopes(table.municipality[granted], totals[fits])

    table.grant_until[granted] = month + months
    if lump_sum:
        receive_grants(
            model, granted, totals[fits], FUND_ACCOUNT, "fund", params.fund_compliance_cost_share
        )
        report = params.fund_grant_years * params.fund_reporting_hours
    else:
        table.fund_tranche[granted] = totals[fits] // months
        table.fund_months_left[granted] = months
        model.fund.commit(int(totals[fits].sum()))
        report = params.fund_reporting_hours
    rejected = np.setdiff1d(due, granted)
    table.experience_fund[granted] += 1.0 - model.perception.expected_approval
    table.experience_fund[rejected] -= model.perception.expected_approval
    table.fund_rejected[rejected] = month
    table.reporting_backlog[granted] += reporting_hours(model, report, granted)
    table.app_channel[due] = NO_CHANNEL
    table.last_decision[due] = month
    model.counts["fund_decisions"] += due.size
    model.counts["fund_grants"] += granted.size


def decision_order(
    model: CommunityModel,
    eligible: np.ndarray,
    score: np.ndarray,
    co_decision_weight: np.ndarray | None,
) -> np.ndarray:
    """The eligible rows in the order they are decided: by the fund's ``score`` alone, or
    with ``co_decision_weight`` (per municipality) mixed with each project's local need."""
    if co_decision_weight is not None:
        # Residents and their municipality judge the project itself: how far the category
        # it works on is below the in-order threshold in its buurt (local knowledge the fund
        # does not have); collectives without a project count as no need.
        local_need = project_need(model, eligible)
        weight = co_decision_weight[model.collectives.municipality[eligible]]
        score = (1 - weight) * rank_scale(score) + weight * rank_scale(local_need)
    return eligible[np.argsort(-score, kind="stable")]


def project_need(model: CommunityModel, rows: np.ndarray) -> np.ndarray:
    """Per row: how far its project's category is below ``in_order_threshold`` in its
    buurt (0 without a project or when the category is in order)."""
    table = model.collectives
    gaps = deficits(model.stock, model.params.in_order_threshold)
    category = table.project_category[rows]
    return np.where(category >= 0, gaps[table.neighbourhood[rows], np.maximum(category, 0)], 0.0)


def rank_scale(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to [0, 1] so that differently scaled scores can be mixed."""
    if values.size <= 1:
        return np.ones_like(values, dtype=np.float64)
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") / (values.size - 1)


def pay_fund_tranches(model: CommunityModel) -> None:
    """Pay this month's tranche of every running fund grant."""
    table, params = model.collectives, model.params
    rows = table.living()
    running = rows[table.fund_months_left[rows] > 0]
    if running.size == 0:
        return
    amounts = table.fund_tranche[running]
    receive_grants(model, running, amounts, FUND_ACCOUNT, "fund", params.fund_compliance_cost_share)
    model.fund.release(int(amounts.sum()))
    table.fund_months_left[running] -= 1
    yearly = running[
        (table.fund_months_left[running] % 12 == 0) & (table.fund_months_left[running] > 0)
    ]
    table.reporting_backlog[yearly] += reporting_hours(model, params.fund_reporting_hours, yearly)
