"""The Saltelli design of a Sobol' analysis, with A's and B's columns paired for balance.

A Saltelli design of ``D`` factors takes each base point from a scrambled Sobol' sequence
of ``2 D`` dimensions: the first ``D`` give the row A, the other ``D`` the row B, and the
rows ``A_B^i`` (A with column i from B) measure factor i's effect. The total-order
(Jansen) estimator reads that effect from ``f(A) - f(A_B^i)``, so it needs A's and B's
column i to be independent over the base points. SALib pairs A's column i with the
sequence's dimension ``D + i``. In a short prefix some of those pairs are strongly
correlated, with a sign that changes from scramble to scramble: for ``D = 23``, over 256
scrambles, the worst pair's root-mean-square correlation is 0.75 at 32 base points and
0.40 at 64, against ``1/sqrt(n)`` (0.18, 0.13) for independent random draws. The estimate
stays unbiased over scrambles, but in any one design an effect linear in such a factor is
read at about ``1 - r`` times its size (:mod:`gemsim.sensitivity.design_balance`).

``pairing = "balanced"`` keeps the same points and A, and gives B's columns to A's by an
assignment (SciPy's ``linear_sum_assignment``) that minimises, over all pairs, the square
of each pair's worst root-mean-square correlation across the prefix sizes
:data:`PAIRING_SIZES`, measured on :data:`PAIRING_SCRAMBLES` scrambles and expressed in
units of ``1/sqrt(n)``. For ``D = 23``, on 256 other scrambles, the worst pair is then
0.10 at 32 base points and 0.04 at 64 (``python benchmarks/design_balance.py --pairings
23``). On a linear function with unequal coefficients the worst factor's total-order
error (root-mean-square over those scrambles) falls from 0.12 to 0.03 at 32 base points
and from 0.023 to 0.018 at 64 (``--estimates``). The points being the same, A's column j
and B's column k (j != k) are as correlated as before, and the first-order estimates gain
little (worst 0.13 to 0.11, mean 0.052 to 0.051). The pairing depends only
on ``D``, not on the seed, so a design still grows with ``--extend``: its first base
points are those of the smaller design. ``pairing = "salib"`` gives SALib's design exactly
(that of every Sobol' result stored before the pairing existed); SALib's factor groups
are not supported (``Problem`` has none).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from SALib.util import scale_samples
from scipy.optimize import linear_sum_assignment
from scipy.stats import qmc

from gemsim.sensitivity.problem import Problem

__all__ = [
    "PAIRINGS",
    "PAIRING_SCRAMBLES",
    "PAIRING_SIZES",
    "balanced_pairing",
    "pair_correlations",
    "saltelli_design",
]

#: The ways A's columns may take B's: ``balanced`` (assigned, see the module docstring)
#: or ``salib`` (the sequence's dimension ``D + i``, as SALib does).
PAIRINGS: tuple[str, ...] = ("balanced", "salib")
#: Prefix sizes (base points) at which the balanced pairing is judged.
PAIRING_SIZES: tuple[int, ...] = (16, 32, 64, 128, 256)
#: Scrambles (seeds 0, 1, ...) over which a pair's correlation is averaged.
PAIRING_SCRAMBLES = 64


def pair_correlations(
    dims: int,
    sizes: tuple[int, ...] = PAIRING_SIZES,
    seeds: Sequence[int] = range(PAIRING_SCRAMBLES),
) -> np.ndarray:
    """Root-mean-square correlation, over the scrambles ``seeds`` of a Sobol' sequence of
    ``2 dims`` dimensions, between dimension ``i`` and dimension ``dims + j`` over the
    first ``n`` points: an array ``(len(sizes), dims, dims)`` indexed ``[size, i, j]``, in
    units of ``1/sqrt(n)`` (about 1 for independent random draws)."""
    if dims < 1:
        raise ValueError(f"a design needs at least one factor, not {dims}")
    longest = max(sizes)
    draws = np.stack(
        [qmc.Sobol(d=2 * dims, scramble=True, seed=seed).random(longest) for seed in seeds]
    )
    out = np.empty((len(sizes), dims, dims))
    for k, n in enumerate(sizes):
        x = draws[:, :n]
        z = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
        r = np.einsum("sni,snj->sij", z[:, :, :dims], z[:, :, dims:]) / n
        out[k] = np.sqrt(np.mean(r**2, axis=0) * n)
    return out


@cache
def balanced_pairing(dims: int) -> tuple[int, ...]:
    """For each of A's columns ``i``, the column of B (0-based, among B's ``dims``) that
    the balanced design pairs with it (see the module docstring)."""
    worst = pair_correlations(dims).max(axis=0)
    # The chosen assignment costs less than the next best by far more than a sum's last
    # bits (0.012 for D = 23, 0.002 for D = 100), so it is the same on any machine.
    _, columns = linear_sum_assignment(worst**2)
    return tuple(int(c) for c in columns)


def saltelli_design(
    problem: Problem,
    n: int,
    seed: int,
    *,
    calc_second_order: bool = False,
    pairing: str = "balanced",
) -> np.ndarray:
    """A Saltelli design of ``n`` base points (SALib's layout and scaling): per base point
    the rows A, ``A_B^i`` for each factor, with ``calc_second_order`` ``B_A^i`` for each
    factor, and B; one column per factor of ``problem``."""
    if pairing not in PAIRINGS:
        raise ValueError(f"pairing must be one of {', '.join(PAIRINGS)}, not {pairing!r}")
    dims = problem.num_vars
    base = qmc.Sobol(d=2 * dims, scramble=True, seed=seed).random(n)
    a = base[:, :dims]
    b = base[:, dims:]
    if pairing == "balanced":
        b = b[:, list(balanced_pairing(dims))]
    factor = np.arange(dims)
    parts = [a[:, None, :]]
    a_b = np.repeat(a[:, None, :], dims, axis=1)
    a_b[:, factor, factor] = b
    parts.append(a_b)
    if calc_second_order:
        b_a = np.repeat(b[:, None, :], dims, axis=1)
        b_a[:, factor, factor] = a
        parts.append(b_a)
    parts.append(b[:, None, :])
    unit = np.concatenate(parts, axis=1).reshape(-1, dims)
    return np.asarray(scale_samples(unit, problem.to_salib()))
