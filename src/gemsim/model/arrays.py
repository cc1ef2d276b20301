"""Array types of the model's columns, by element type, so that a type checker follows
numpy's arithmetic (an array of unknown element type makes most results ``Any``), and the
operations the rules share whose last bits must not depend on the CPU."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def summed_rows(weights: FloatArray, matrix: FloatArray | BoolArray) -> FloatArray:
    """``weights @ matrix`` summed by NumPy, not BLAS: OpenBLAS picks its kernel by CPU, so
    a matrix product's last bits can differ between machines."""
    total: FloatArray = (weights[:, None] * matrix).sum(axis=0)
    return total


def exp(values: FloatArray) -> FloatArray:
    """``e ** values``, element-wise, the C library's, whatever NumPy's CPU dispatch: NumPy's
    ``exp`` runs its own AVX-512 kernel where the CPU has one and the C library's elsewhere,
    and the two differ in the last bit now and then, which a seeded run can carry into its
    results. SciPy's Box-Cox inverse at lambda 0 is the C library's ``exp``. (SciPy is
    imported here, so that what needs only this module's types loads without it.)"""
    from scipy.special import inv_boxcox

    result: FloatArray = inv_boxcox(np.asarray(values, dtype=np.float64), 0.0)
    return result


def sorted_unique(values: IntArray) -> IntArray:
    """``np.unique(values)`` (each value once, ascending) by one sort: NumPy 2.3 and later
    find the unique integers with a hash table and then sort them, about four times slower
    on the model's hundred thousand contact codes than sorting first."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    unique: IntArray = ordered[first]
    return unique


def descending(values: np.ndarray) -> npt.NDArray[np.intp]:
    """Indices that order ``values`` from largest to smallest, equal values in index order
    (as a stable sort of ``-values``). Without ties every sort gives that order, so the
    faster unstable sort is used, and the stable one where values tie (or are NaN, which
    sort last and never compare equal)."""
    order = np.argsort(-values)
    ordered = values[order]
    if ordered.size and (np.any(ordered[1:] == ordered[:-1]) or np.isnan(ordered[-1])):
        order = np.argsort(-values, kind="stable")
    return order


def weighted_cut(values: np.ndarray, weight: np.ndarray, share: float) -> float:
    """The value ``v`` such that the weighted share of ``values >= v`` is ``share``
    (the smallest such share at least ``share``)."""
    return weighted_cuts(values, weight, (share,))[0]


def weighted_cuts(values: np.ndarray, weight: np.ndarray, shares: Sequence[float]) -> list[float]:
    """:func:`weighted_cut` for several shares from one ordering of ``values``.

    Only the largest values are ordered: those that surely hold the largest share (by the
    smallest weight), found by a partition; the others never reach a cut. Their order and
    running sums are the first entries of the full order's, so the cuts are the same,
    bit for bit; where that prefix would not hold the share, the whole array is sorted."""
    total = weight.sum()
    needed = max(shares) - 1e-12
    n = values.size
    smallest = float(weight.min()) if n else 0.0
    k = int(np.ceil(max(needed, 0.0) * float(total) / smallest * 1.01)) + 2 if smallest > 0 else n
    order: npt.NDArray[np.intp] | None = None
    if k < n and not np.isnan(values).any():
        kth = -np.partition(-values, k - 1)[k - 1]
        top = np.flatnonzero(values >= kth)
        prefix = top[descending(values[top])]
        cumulative = np.cumsum(weight[prefix]) / total
        if cumulative[-1] >= needed:
            order = prefix
    if order is None:
        order = descending(values)
        cumulative = np.cumsum(weight[order]) / total
    cuts = []
    for share in shares:
        index = min(int(np.searchsorted(cumulative, share - 1e-12)), values.size - 1)
        cuts.append(float(values[order[index]]))
    return cuts
