"""The municipal desk's month, compiled (Numba).

:func:`gemsim.model.municipality.decide_municipal_applications` is the NumPy rule (the
ODD's specification): some forty NumPy calls on a handful of applications a month. This
module does it in three compiled passes, with the same operations in the same order
(``gemsim.model.compiled``): which applications are due and decided within the desk's
capacity (oldest first, by municipality); the money side (``municipality.grant_decided``:
handling costs from the pots, the approved grants that fit, paid less the compliance
cost), after the approval, which is drawn as the NumPy rule draws it, with the ledger's
transfers of the same totals in the same order; and, after the decisions, the
collectives' experiences, reporting load, grant period and closed applications. The
reporting hours' movement relief stays the NumPy rule. ``tests/test_desk_month.py``
compares the two on random tables and whole runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.collectives import (
    COLLECTIVES_ACCOUNT,
    MUNICIPAL,
    NO_CHANNEL,
    reporting_hours,
)
from gemsim.model.compiled import compiled
from gemsim.model.ledger import to_cents
from gemsim.model.municipality import BUDGET_ACCOUNT, approve, desk_capacity

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@compiled
def _decided(
    rows: np.ndarray,
    app_channel: np.ndarray,
    app_due: np.ndarray,
    app_submitted: np.ndarray,
    municipality: np.ndarray,
    experience_local: np.ndarray,
    capacity: np.ndarray,
    month: int,
    waiting_penalty: float,
    municipal_channel: int,
) -> np.ndarray:
    """The municipal applications decided this month, by municipality, oldest first (then
    by row), at most ``capacity`` per municipality; those overdue lose
    ``waiting_penalty`` of local experience (in place)."""
    due_count = 0
    for j in range(rows.size):
        row = rows[j]
        if app_channel[row] == municipal_channel:
            if app_due[row] < month:
                experience_local[row] -= waiting_penalty
            if app_due[row] <= month:
                due_count += 1
    due = np.empty(due_count, dtype=np.int64)
    due_count = 0
    for j in range(rows.size):
        row = rows[j]
        if app_channel[row] == municipal_channel and app_due[row] <= month:
            due[due_count] = row
            due_count += 1
    # By municipality, then submission month, then row: stable sorts, last key first
    # (``due`` is in row order).
    order = np.argsort(app_submitted[due], kind="mergesort")
    order = order[np.argsort(municipality[due[order]], kind="mergesort")]
    decided = np.empty(due.size, dtype=np.int64)
    count = 0
    rank = 0
    for j in range(order.size):
        row = due[order[j]]
        if j > 0 and municipality[row] != municipality[due[order[j - 1]]]:
            rank = 0
        if rank < capacity[municipality[row]]:
            decided[count] = row
            count += 1
        rank += 1
    return decided[:count]


@compiled
def _record(
    decided: np.ndarray,
    approved: np.ndarray,
    granted: np.ndarray,
    backlog_added: np.ndarray,
    experience_local: np.ndarray,
    reporting_backlog: np.ndarray,
    grant_until: np.ndarray,
    app_channel: np.ndarray,
    last_decision: np.ndarray,
    expected_approval: float,
    month: int,
    grant_months: int,
    no_channel: int,
) -> None:
    """After the decisions, in the NumPy rule's order: the granted gain and the rejected
    lose local experience against what was expected, grants add reporting hours and run
    for ``grant_months``, every decided application is closed."""
    for j in range(granted.size):
        experience_local[granted[j]] += 1.0 - expected_approval
    for j in range(decided.size):
        if not approved[j]:
            experience_local[decided[j]] -= expected_approval
    for j in range(granted.size):
        reporting_backlog[granted[j]] += backlog_added[j]
        grant_until[granted[j]] = month + grant_months
    for j in range(decided.size):
        app_channel[decided[j]] = no_channel
        last_decision[decided[j]] = month


@compiled
def _money(
    decided: np.ndarray,
    approved: np.ndarray,
    municipality: np.ndarray,
    app_amount: np.ndarray,
    money: np.ndarray,
    grants_eur: np.ndarray,
    pots: np.ndarray,
    handling_cents: int,
    compliance: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``grant_decided`` after the approval (``approved``, per decided application, updated
    in place to approved and paid), in the NumPy rule's order: each decision's handling
    cost from its pot as far as it goes, then the approved grants that still fit their
    pot (no partial grants), paid into the collectives' money, less the compliance cost.
    Returns the rows granted and, in cents, the handling paid from the pots
    and by the general budgets, the grants' total and the compliance cost's total."""
    wanted = np.zeros(pots.size, dtype=np.int64)
    for j in range(decided.size):
        wanted[municipality[decided[j]]] += 1
    paid_from_pots = 0
    paid_elsewhere = 0
    for m in range(pots.size):
        want = wanted[m] * handling_cents
        paid = want if want < pots[m] else pots[m]  # np.minimum of two integers
        pots[m] -= paid
        paid_from_pots += paid
        paid_elsewhere += want - paid
    granted = np.empty(decided.size, dtype=np.int64)
    count = 0
    for j in range(decided.size):
        if approved[j]:
            row = decided[j]
            if app_amount[row] <= pots[municipality[row]]:
                pots[municipality[row]] -= app_amount[row]
                granted[count] = row
                count += 1
            else:
                approved[j] = False
    granted = granted[:count]
    amounts = np.empty(count, dtype=np.int64)
    granted_total = 0
    compliance_total = 0
    for j in range(count):
        amounts[j] = app_amount[granted[j]]
        money[granted[j]] += amounts[j]
        granted_total += amounts[j]
    for j in range(count):
        grants_eur[granted[j]] += amounts[j] / 100
    for j in range(count):
        lost = int(np.floor(amounts[j] * compliance))
        money[granted[j]] -= lost
        compliance_total += lost
    totals = np.array([paid_from_pots, paid_elsewhere, granted_total, compliance_total])
    return granted, totals


def grant_decided(model: CommunityModel, decided: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`gemsim.model.municipality.grant_decided`, compiled: the same bits, the same
    draw, the same ledger transfers in the same order."""
    table, params = model.collectives, model.params
    approved = approve(model, decided)  # no draw in the handling before it: the same draws
    candidates = int(np.count_nonzero(approved))
    granted, totals = _money(
        decided,
        approved,
        table.municipality,
        table.app_amount,
        table.money,
        table.grants_eur,
        model.municipal_budgets.pots_to_pay_from(),
        int(to_cents(params.handling_cost_eur)),
        float(params.municipal_compliance_cost_share),
    )
    paid_from_pots, paid_elsewhere, granted_total, compliance_total = (int(t) for t in totals)
    ledger = model.ledger
    ledger.transfer(BUDGET_ACCOUNT, "overhead:municipal_handling", paid_from_pots)
    ledger.transfer("source:municipal_admin", "overhead:municipal_handling", paid_elsewhere)
    model.counts["municipal_out_of_budget"] += candidates - granted.size
    ledger.transfer(BUDGET_ACCOUNT, COLLECTIVES_ACCOUNT, granted_total)
    model.counts["granted_cents_municipal"] += granted_total
    ledger.transfer(COLLECTIVES_ACCOUNT, "applicant_cost:municipal", compliance_total)
    return approved, granted


def decide_municipal_applications(model: CommunityModel) -> None:
    """:func:`gemsim.model.municipality.decide_municipal_applications`, compiled: same
    rule, same bits, the same ledger transfers and draws."""
    table, params, month = model.collectives, model.params, model.current_month
    decided = _decided(
        table.living(),
        table.app_channel,
        table.app_due,
        table.app_submitted,
        table.municipality,
        table.experience_local,
        desk_capacity(model),
        month,
        float(params.waiting_penalty),
        MUNICIPAL,
    )
    if decided.size == 0:
        return

    approved, granted = grant_decided(model, decided)
    _record(
        decided,
        approved,
        granted,
        np.asarray(reporting_hours(model, params.municipal_reporting_hours, granted), dtype=float),
        table.experience_local,
        table.reporting_backlog,
        table.grant_until,
        table.app_channel,
        table.last_decision,
        float(model.perception.expected_approval),
        month,
        int(params.municipal_grant_months),
        NO_CHANNEL,
    )
    model.counts["municipal_decisions"] += decided.size
    model.counts["municipal_grants"] += granted.size
