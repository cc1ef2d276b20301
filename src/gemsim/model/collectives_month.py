"""The collectives' operating month, applications and project work, compiled (Numba).

:func:`gemsim.model.collectives.operate_collectives`,
:func:`gemsim.model.collectives.apply_for_funding` and
:func:`gemsim.model.collectives.run_projects` are the NumPy rules (the ODD's
specification): each some twenty NumPy calls on a few dozen collectives, where the calls'
overhead is the cost. This module does their arithmetic in one pass over the living
collectives each, with the same operations in the same order (``gemsim.model.compiled``,
whose ``minimum`` and ``maximum`` choose as NumPy's do on ties and NaN). The ledger's
transfers get the same totals in the same order; what the regime decides (the channel,
the months to a decision, a random draw), choosing new projects (rare), the application
quality (its ``exp`` is the C library's, ``arrays.exp``) and adding the stock stay the
NumPy rules. ``tests/test_collectives_month.py`` compares the two on random tables and
whole runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.collectives import (
    COLLECTIVES_ACCOUNT,
    FULL_PROVISION,
    HOURS_NEEDED,
    MONTHLY_COST,
    MUNICIPAL,
    NO_CHANNEL,
    OWN_INCOME,
    start_projects,
    update_quality,
    working,
)
from gemsim.model.compiled import compiled, maximum, minimum
from gemsim.model.ledger import to_cents

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@compiled
def _operate(
    rows: np.ndarray,
    kind: np.ndarray,
    hours: np.ndarray,
    members: np.ndarray,
    money: np.ndarray,
    months_short: np.ndarray,
    months_without_members: np.ndarray,
    hours_needed: np.ndarray,
    own_income: np.ndarray,
    monthly_cost: np.ndarray,
) -> tuple[np.int64, np.int64]:
    """Income in proportion to staffing, then the costs as far as the money goes, row by
    row in place; returns the cents earned and the cents paid (the ledger's transfers)."""
    earned = np.int64(0)
    for j in range(rows.size):
        row = rows[j]
        k = kind[row]
        staffing = minimum(hours[row] / hours_needed[k], 1.0)
        income = np.int64(np.rint(own_income[k] * staffing * 100.0))
        money[row] += income
        earned += income
    paid_total = np.int64(0)
    for j in range(rows.size):
        row = rows[j]
        cost = np.int64(np.rint(monthly_cost[kind[row]] * 100.0))
        paid = cost if cost <= money[row] else np.int64(money[row])
        money[row] -= paid
        paid_total += paid
        months_short[row] = months_short[row] + 1 if paid < cost else 0
        no_members = members[row] == 0
        months_without_members[row] = months_without_members[row] + 1 if no_members else 0
    return earned, paid_total


def operate_collectives(model: CommunityModel) -> None:
    """:func:`gemsim.model.collectives.operate_collectives`, compiled: same rule, same
    bits, the same ledger transfers."""
    table = model.collectives
    rows = table.living()
    earned, paid = _operate(
        rows,
        table.kind,
        table.hours,
        table.members,
        table.money,
        table.months_short,
        table.months_without_members,
        HOURS_NEEDED,
        OWN_INCOME,
        MONTHLY_COST,
    )
    model.ledger.transfer("source:own_income", COLLECTIVES_ACCOUNT, earned)
    model.ledger.transfer(COLLECTIVES_ACCOUNT, "spent:operations", paid)
    start_projects(model, rows)


@compiled
def _spend(
    rows: np.ndarray,
    kind: np.ndarray,
    neighbourhood: np.ndarray,
    category: np.ndarray,
    hours: np.ndarray,
    money: np.ndarray,
    remaining: np.ndarray,
    stock_made: np.ndarray,
    population: np.ndarray,
    monthly_cost: np.ndarray,
    gain: np.ndarray,
    eur_per_hour: float,
    reserve_months: float,
    effectiveness: float,
    cost_per_inhabitant: float,
) -> tuple[np.int64, np.ndarray]:
    """Each working collective spends what its hours, its project and its money above the
    reserve allow; in place: money, the project's remainder, stock made and ``gain`` (per
    buurt and category). Returns the cents spent and each row's money left free after."""
    spent = np.int64(0)
    left_free = np.empty(rows.size)
    for j in range(rows.size):
        row = rows[j]
        capacity = hours[row] * eur_per_hour
        free = maximum(money[row] / 100 - reserve_months * monthly_cost[kind[row]], 0.0)
        spend = minimum(minimum(capacity, remaining[row]), free)
        cents = np.int64(np.floor(spend * 100))
        money[row] -= cents
        spent += cents
        buurt = neighbourhood[row]
        added = effectiveness * cents / 100 / (cost_per_inhabitant * population[buurt])
        gain[buurt, category[row]] += added
        stock_made[row] += added
        remaining[row] -= cents / 100
        left_free[j] = free - cents / 100
    return spent, left_free


@compiled
def _finish(
    rows: np.ndarray,
    neighbourhood: np.ndarray,
    category: np.ndarray,
    remaining: np.ndarray,
    left_free: np.ndarray,
    stock: np.ndarray,
    minimum_application: float,
    full_provision: float,
) -> None:
    """Projects done, unable to go on (a remainder too small to apply for that the money
    left free does not cover) or whose category is fully provided end."""
    for j in range(rows.size):
        row = rows[j]
        too_small = remaining[row] < minimum_application and left_free[j] < remaining[row]
        full = stock[neighbourhood[row], category[row]] >= full_provision
        if remaining[row] <= 0.01 or too_small or full:
            category[row] = -1
            remaining[row] = 0.0


def run_projects(model: CommunityModel) -> np.ndarray:
    """:func:`gemsim.model.collectives.run_projects`, compiled: same rule, same bits, the
    same ledger transfer; returns the stock gained per buurt and category."""
    params, table = model.params, model.collectives
    rows = working(model)
    gain = np.zeros_like(model.stock)
    if rows.size == 0:
        return gain
    spent, left_free = _spend(
        rows,
        table.kind,
        table.neighbourhood,
        table.project_category,
        table.hours,
        table.money,
        table.project_remaining,
        table.stock_made,
        model.region.neighbourhood_population,
        MONTHLY_COST,
        gain,
        float(params.eur_per_volunteer_hour_capacity),
        float(params.operating_reserve_months),
        float(params.project_effectiveness),
        float(params.infrastructure_cost_eur_per_inhabitant),
    )
    model.ledger.transfer(COLLECTIVES_ACCOUNT, "spent:projects", spent)
    model.add_stock(gain, owned_weight=1.0)
    _finish(
        rows,
        table.neighbourhood,
        table.project_category,
        table.project_remaining,
        left_free,
        model.stock,
        float(params.minimum_application_eur),
        FULL_PROVISION,
    )
    return gain


@compiled
def _applicants(
    rows: np.ndarray,
    kind: np.ndarray,
    hours: np.ndarray,
    remaining: np.ndarray,
    money: np.ndarray,
    members: np.ndarray,
    app_channel: np.ndarray,
    last_decision: np.ndarray,
    month: int,
    eur_per_hour: float,
    project_reserve_months: float,
    operating_reserve_months: float,
    reapply_months: float,
    monthly_cost: np.ndarray,
    own_income: np.ndarray,
    no_channel: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The collectives that apply (their money above the operating reserve covers less
    than the reserve of work and costs; members, no pending application, waited after
    their last decision), what each needs and the euros each holds."""
    wants = np.zeros(rows.size, dtype=np.bool_)
    need = np.empty(rows.size)
    for j in range(rows.size):
        row, k = rows[j], kind[rows[j]]
        capacity = hours[row] * eur_per_hour
        deficit = maximum(monthly_cost[k] - own_income[k], 0.0)
        reserve = project_reserve_months * (deficit + minimum(remaining[row], capacity))
        free = maximum(money[row] / 100 - operating_reserve_months * monthly_cost[k], 0.0)
        wants[j] = (
            free < reserve
            and members[row] > 0
            and app_channel[row] == no_channel
            and month - last_decision[row] >= reapply_months
        )
        need[j] = remaining[row] + project_reserve_months * deficit - free
    applicants = rows[wants]
    return applicants, need[wants], money[applicants] / 100


@compiled
def _amounts(
    channel: np.ndarray,
    need: np.ndarray,
    money_eur: np.ndarray,
    running: np.ndarray,
    municipal_cap: float,
    fund_cap: float,
    concurrent_share: float,
    municipal_own_share: float,
    fund_own_share: float,
    minimum_cents: int,
    municipal_channel: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each applicant's request in cents (what it needs, within the channel's cap, a share
    of it while a grant runs, and what its money can match), whether it reaches the
    minimum application, and how many wanted money but asked for none."""
    amount = np.empty(channel.size, dtype=np.int64)
    able = np.empty(channel.size, dtype=np.bool_)
    discouraged = 0
    for j in range(channel.size):
        municipal = channel[j] == municipal_channel
        cap = municipal_cap if municipal else fund_cap
        if running[j]:
            cap = concurrent_share * cap
        wanted = minimum(maximum(need[j], 0.0), cap)
        own_share = municipal_own_share if municipal else fund_own_share
        if own_share > 0:
            matchable = money_eur[j] / maximum(own_share, 1e-300)
        else:
            matchable = np.inf
        amount[j] = np.int64(np.rint(minimum(wanted, matchable) * 100))
        able[j] = amount[j] >= minimum_cents
        if not able[j] and wanted > 0:
            discouraged += 1
    return able, amount, discouraged


def apply_for_funding(model: CommunityModel) -> None:
    """:func:`gemsim.model.collectives.apply_for_funding`, compiled: same rule, same bits;
    the regime routes and times the applications as there."""
    params, table, month = model.params, model.collectives, model.current_month
    rows = table.living()
    update_quality(model, rows)
    applicants, need, money_eur = _applicants(
        rows,
        table.kind,
        table.hours,
        table.project_remaining,
        table.money,
        table.members,
        table.app_channel,
        table.last_decision,
        month,
        float(params.eur_per_volunteer_hour_capacity),
        float(params.project_reserve_months),
        float(params.operating_reserve_months),
        float(params.reapply_months),
        MONTHLY_COST,
        OWN_INCOME,
        NO_CHANNEL,
    )
    if applicants.size == 0:
        return
    channel = model.regime.route(model, applicants)
    # A regime without a fund routes every application to the municipality: the fund's
    # terms are not read (nor, so, before month 0; month_zero.AFTER_MONTH_0).
    has_fund = model.regime.has_fund
    able, amount, discouraged = _amounts(
        np.asarray(channel, dtype=np.int64),
        need,
        money_eur,
        table.grant_until[applicants] > month,
        float(params.municipal_grant_cap_eur),
        float(params.fund_grant_cap_eur_per_year * params.fund_grant_years if has_fund else 0.0),
        float(params.concurrent_funding_share),
        float(params.municipal_own_contribution_share),
        float(params.fund_own_contribution_share if has_fund else 0.0),
        int(to_cents(params.minimum_application_eur)),
        MUNICIPAL,
    )
    model.counts["discouraged"] += discouraged
    applicants, channel, amount = applicants[able], channel[able], amount[able]
    table.app_channel[applicants] = channel
    table.app_amount[applicants] = amount
    table.app_submitted[applicants] = month
    table.app_due[applicants] = month + model.regime.decision_months(model, channel)
    model.counts["applications"] += applicants.size
