"""The municipal desk's month, compiled (Numba).

:func:`gemsim.model.municipality.decide_municipal_applications` is the NumPy rule (the
ODD's specification): some forty NumPy calls on a handful of applications a month. This
module does its bookkeeping in two compiled passes, with the same operations in the same
order (``gemsim.model.compiled``): which applications are due and decided within the
desk's capacity (oldest first, by municipality), and, after the decisions, the
collectives' experiences, reporting load, grant period and closed applications. What
touches money (``municipality.grant_decided``: handling costs, the approval draw, the
pots, the grants) and the reporting hours' movement relief stay the NumPy rules, so the
ledger and the random stream see the same calls. ``tests/test_desk_month.py`` compares
the two on random tables and whole runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.collectives import MUNICIPAL, NO_CHANNEL, reporting_hours
from gemsim.model.compiled import compiled
from gemsim.model.municipality import desk_capacity, grant_decided

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
