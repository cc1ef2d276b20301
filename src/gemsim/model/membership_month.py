"""The month's end for membership, compiled (Numba): who leaves and joins a collective,
each citizen's volunteer hours, and each collective's members, hours and member SES.

:func:`gemsim.model.collectives.update_membership`, :func:`gemsim.model.citizens.volunteer_hours`
and :func:`gemsim.model.collectives.count_members` are the NumPy rules (the ODD's
specification): some thirty passes over the population and a few sorts a month. This
module does the same in three passes, citizen by citizen, with the same operations in the
same order (``gemsim.model.compiled``): the hours' sums per collective run in citizen
order, as ``np.bincount`` adds its weights. The shuffle of the newcomers stays a NumPy
draw at the same place in the random stream. ``tests/test_membership_month.py`` compares
the two on random states and on whole runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gemsim.model.citizens import ACTIVE, INITIATOR, NO_COLLECTIVE, OCCASIONAL
from gemsim.model.compiled import compiled, minimum

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@compiled
def _leave(collective: np.ndarray, state: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Members no longer active, or whose collective dissolved, leave (initiators of a
    dissolved one become active); returns the citizens who seek a collective."""
    seeking = 0
    for i in range(collective.size):
        row = collective[i]
        if row >= 0:
            gone = not alive[row]
            if state[i] < ACTIVE or gone:
                collective[i] = NO_COLLECTIVE
            if gone and state[i] == INITIATOR:
                state[i] = ACTIVE
        if collective[i] < 0 and state[i] >= ACTIVE:
            seeking += 1
    seekers = np.empty(seeking, dtype=np.int64)
    seeking = 0
    for i in range(collective.size):
        if collective[i] < 0 and state[i] >= ACTIVE:
            seekers[seeking] = i
            seeking += 1
    return seekers


@compiled
def _join(
    collective: np.ndarray,
    seekers: np.ndarray,
    home_of: np.ndarray,
    rows: np.ndarray,
    row_buurt: np.ndarray,
    row_members: np.ndarray,
    n_buurten: int,
) -> None:
    """Deal each buurt's seekers (in the shuffled order) out to its living collectives in
    turn, starting with the one that has the fewest members (ties in row order)."""
    # The rows by buurt, then members, then row: a stable sort on one combined key.
    top = 0
    for r in range(rows.size):
        top = max(top, row_members[r])
    key = np.empty(rows.size, dtype=np.int64)
    for r in range(rows.size):
        key[r] = row_buurt[r] * (top + 1) + row_members[r]
    order = np.argsort(key, kind="mergesort")
    per_buurt = np.zeros(n_buurten, dtype=np.int64)
    for r in range(rows.size):
        per_buurt[row_buurt[r]] += 1
    first = np.zeros(n_buurten, dtype=np.int64)
    for b in range(1, n_buurten):
        first[b] = first[b - 1] + per_buurt[b - 1]
    turn = np.zeros(n_buurten, dtype=np.int64)
    for s in range(seekers.size):
        citizen = seekers[s]
        home = home_of[citizen]
        if per_buurt[home] > 0:
            collective[citizen] = rows[order[first[home] + turn[home] % per_buurt[home]]]
            turn[home] += 1


@compiled
def _count(
    collective: np.ndarray,
    state: np.ndarray,
    free_time: np.ndarray,
    weight: np.ndarray,
    ses: np.ndarray,
    volunteering_share: float,
    occasional_hours: float,
    active_hours: float,
    members: np.ndarray,
    hours: np.ndarray,
    mean_member_ses: np.ndarray,
) -> np.ndarray:
    """Each citizen's volunteer hours (returned) and, in place, each collective's members,
    real volunteer hours and mean member SES."""
    by_state = np.zeros(INITIATOR + 1)
    by_state[OCCASIONAL] = occasional_hours
    by_state[ACTIVE] = active_hours
    by_state[INITIATOR] = 1.5 * active_hours
    citizen_hours = np.empty(state.size)
    members[:] = 0
    hours[:] = 0.0
    ses_sum = np.zeros(members.size)
    for i in range(state.size):
        citizen_hours[i] = minimum(by_state[state[i]], free_time[i])
        row = collective[i]
        if row >= 0:
            members[row] += 1
            hours[row] += citizen_hours[i] * (weight[i] * volunteering_share)
            ses_sum[row] += ses[i]
    for row in range(members.size):
        mean_member_ses[row] = ses_sum[row] / members[row] if members[row] > 0 else 0.0
    return citizen_hours


def update_membership(model: CommunityModel) -> None:
    """:func:`gemsim.model.collectives.update_membership`, compiled: same rule, same bits,
    the same draw from the model's random stream."""
    c, table = model.citizens, model.collectives
    seekers = _leave(c.collective, c.state, table.alive)
    rows = table.living()
    if rows.size == 0 or seekers.size == 0:
        return
    seekers = seekers[model.rng.permutation(seekers.size)]
    _join(
        c.collective,
        seekers,
        c.neighbourhood,
        rows.astype(np.int64),
        table.neighbourhood[rows],
        table.members[rows],
        model.region.n_neighbourhoods,
    )


def count_members(model: CommunityModel) -> np.ndarray:
    """Each citizen agent's volunteer hours (``CommunityModel._hours``) and then
    :func:`gemsim.model.collectives.count_members` with them, compiled; returns the
    hours."""
    c, table, params = model.citizens, model.collectives, model.params
    hours: np.ndarray = _count(
        c.collective,
        c.state,
        c.free_time,
        c.weight,
        c.ses,
        float(params.collective_volunteering_share),
        float(params.occasional_volunteer_hours),
        float(params.active_volunteer_hours),
        table.members,
        table.hours,
        table.mean_member_ses,
    )
    return hours
