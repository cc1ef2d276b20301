"""The spin-up controller's monthly cuts, compiled (Numba).

Every spin-up month :func:`gemsim.model.spin_up.calibrate` finds the two willingness gaps
at which the participation and active shares are the drawn ones:
:func:`gemsim.model.spin_up.willingness_cuts` (the specification) computes each citizen's
gap with a sparse product and a few NumPy passes, then orders the largest gaps by a
partition and a sort. This module computes the gaps in one pass (the contacts' sum in the
sparse matrix's order, from zero, as SciPy's product sums it) and orders them largest
first, equal gaps in citizen order (the order the NumPy rule's stable sort gives), by
buckets: a monotone map of each gap's distance from the largest spreads them over as many
buckets as there are gaps, and only the buckets up to the last cut are sorted. The running
weighted share is the same sequential sum, each divided by the same total, so the cuts are
the same to the last bit (``tests/test_spin_up_month.py`` compares them on random values,
shares on the running shares' boundaries, scrambled states and whole runs). Gaps with NaN
(which the buckets do not order as NumPy does), and gaps so uneven that one bucket holds
many of them (where sorting it would be slower than the NumPy rule's partition), go to
the NumPy rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from gemsim.model import arrays
from gemsim.model.citizens import OCCASIONAL
from gemsim.model.compiled import compiled

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel


@compiled
def _gaps(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    isolated: np.ndarray,
    state: np.ndarray,
    occasional: int,
    motivation: np.ndarray,
    efficacy: np.ndarray,
    neighbourhood: np.ndarray,
    threshold: np.ndarray,
    motivation_weight: float,
    efficacy_weight: float,
) -> np.ndarray:
    """``willingness_gap``: each citizen's share of participating contacts (own where
    none) plus the weighted motivation and buurt efficacy, less the threshold."""
    n = state.size
    participating = np.empty(n)
    for i in range(n):
        participating[i] = 1.0 if state[i] >= occasional else 0.0
    gap = np.empty(n)
    for i in range(n):
        contacts = 0.0
        for entry in range(indptr[i], indptr[i + 1]):
            contacts += weights[entry] * participating[indices[entry]]
        if isolated[i]:
            contacts = participating[i]
        will = (
            contacts
            + motivation_weight * motivation[i]
            + efficacy_weight * efficacy[neighbourhood[i]]
        )
        gap[i] = will - threshold[i]
    return gap


@compiled
def _sort_descending(order: np.ndarray, start: int, end: int, values: np.ndarray) -> None:
    """Order ``order[start:end]`` by ``values`` from largest to smallest, keeping the
    present order of equal values (-0.0 and 0.0 included): stable."""
    if end - start <= 16:  # insertion sort
        for j in range(start + 1, end):
            index, value = order[j], values[order[j]]
            k = j
            while k > start and values[order[k - 1]] < value:
                order[k] = order[k - 1]
                k -= 1
            order[k] = index
    else:
        part = order[start:end].copy()
        order[start:end] = part[np.argsort(-values[part], kind="mergesort")]


@compiled
def _cuts(values: np.ndarray, weight: np.ndarray, total: float, targets: np.ndarray) -> np.ndarray:
    """``weighted_cuts`` by the full order (largest first, equal values in index order):
    for each target share (less 1e-12, as ``targets`` holds it), the value where the
    running weighted share first reaches it, the last value of the order where it never
    does. Values without NaN; an empty result where one bucket holds more than
    ``max(64, n // 8)`` values (then the NumPy rule is faster).

    The values are spread over as many buckets as there are values, by their distance from
    the largest (a monotone map, so a bucket holds only values smaller than the one
    before's; in index order), and only the buckets up to the last cut are sorted."""
    n = values.size
    largest = values.max()
    span = largest - values.min()
    scale = (n - 1) / span if span > 0.0 and np.isfinite(span) else 0.0
    if not np.isfinite(scale):
        scale = 0.0
    bucket = np.empty(n, dtype=np.int64)
    starts = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        b = min(int((largest - values[i]) * scale), n - 1) if scale > 0.0 else 0
        bucket[i] = b
        starts[b + 1] += 1
    if starts.max() > max(64, n // 8):
        return np.empty(0)
    for b in range(n):
        starts[b + 1] += starts[b]
    order = np.empty(n, dtype=np.int64)
    filled = starts[:-1].copy()
    for i in range(n):
        order[filled[bucket[i]]] = i
        filled[bucket[i]] += 1
    cuts = np.empty(targets.size)
    found = np.zeros(targets.size, dtype=np.bool_)
    left = targets.size
    running = 0.0
    for b in range(n):
        if left == 0:
            break
        _sort_descending(order, starts[b], starts[b + 1], values)
        for rank in range(starts[b], starts[b + 1]):
            running += weight[order[rank]]
            share = running / total
            for t in range(targets.size):
                if not found[t] and share >= targets[t]:
                    cuts[t] = values[order[rank]]
                    found[t] = True
                    left -= 1
    if left:  # never reached: the last value of the order (every bucket is sorted by now)
        for t in range(targets.size):
            if not found[t]:
                cuts[t] = values[order[n - 1]]
    return cuts


def willingness_gap(model: CommunityModel) -> np.ndarray:
    """:func:`gemsim.model.spin_up.willingness_gap`, compiled: the same bits."""
    c, params, network = model.citizens, model.params, model.region.network
    indptr, indices = network.unsigned_rows
    gap: np.ndarray = _gaps(
        indptr,
        indices,
        network.mean_operator.data,
        network.isolated,
        c.state,
        OCCASIONAL,
        c.motivation,
        model.perception.efficacy,
        c.neighbourhood,
        c.threshold,
        params.motivation_weight,
        params.efficacy_weight,
    )
    return gap


def willingness_cuts(model: CommunityModel, shares: Sequence[float]) -> list[float]:
    """:func:`gemsim.model.spin_up.willingness_cuts`, compiled: the willingness gaps at
    which the weighted shares of citizens at or above them are ``shares``."""
    return weighted_cuts(willingness_gap(model), model.citizens.weight, shares)


def weighted_cuts(values: np.ndarray, weight: np.ndarray, shares: Sequence[float]) -> list[float]:
    """:func:`gemsim.model.arrays.weighted_cuts`, compiled where the values allow (no NaN,
    not one bucket holding many): the same bits."""
    if values.size and not np.isnan(values).any():
        targets = np.array([share - 1e-12 for share in shares])
        cuts = _cuts(values, weight, float(weight.sum()), targets)
        if cuts.size:
            return [float(cut) for cut in cuts]
    return arrays.weighted_cuts(values, weight, shares)
