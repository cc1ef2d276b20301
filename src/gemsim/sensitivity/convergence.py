"""Convergence of sensitivity indices: re-analyse growing prefixes of one design.

Only prefixes that are themselves valid designs are used:

* Sobol': the Saltelli design is laid out one base point at a time (``D + 2`` rows each, or
  ``2D + 2`` with second order), so the first ``n (D + 2)`` rows are the design for the
  first ``n`` Sobol' base points. Base sizes are powers of two (where Sobol' sequences are
  balanced) below the full size ``N``, followed by ``N`` itself.
* Morris: the first ``r`` trajectories (``r (D + 1)`` rows), ``r`` evenly spaced up to the
  total (and at least 2, so ``sigma`` is defined).
* FAST: not prefix-able (each search curve's frequencies are tied to its full length); a
  ``ValueError`` is raised.

:func:`check_convergence` turns such a frame into a verdict per output: converged when the
leading indices moved by at most a stated tolerance over the last doubling of the sample,
and estimates the sample size at which their bootstrap intervals would reach it.
:func:`disjoint_halves` and :func:`halves_z` compare those intervals with the gap between
the indices of the design's two halves (a check where the runs' noise dominates).
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.estimate import estimate
from gemsim.sensitivity.methods import get_method
from gemsim.sensitivity.problem import Problem


def _design_and_outputs(
    X: np.ndarray, Y_frame: pd.DataFrame | Mapping[str, Any]
) -> tuple[np.ndarray, pd.DataFrame]:
    """The design as floats and the outputs as a frame indexed by row position."""
    Y = Y_frame if isinstance(Y_frame, pd.DataFrame) else pd.DataFrame(dict(Y_frame))
    return np.asarray(X, dtype=float), Y.reset_index(drop=True)


def convergence(
    problem: Problem,
    method: str,
    X: np.ndarray,
    Y_frame: pd.DataFrame | Mapping[str, Any],
    seed: int = 0,
    steps: int = 5,
    *,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
    calc_second_order: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Indices recomputed on up to ``steps`` growing prefixes of the design ``X``.

    Returns a long frame with columns ``output, parameter, n, n_runs`` followed by the
    method's index columns (e.g. ``S1, S1_conf, ST, ST_conf``), sorted by output (in input
    order), ``n`` and parameter order. ``n`` is in the method's design units (Sobol' base
    samples, Morris trajectories), ``n_runs`` the number of model runs in the prefix. The
    last ``n`` is the full design, so its rows equal :func:`analyze_outputs` on all of ``X``
    (same seed and settings). Arguments as for :func:`gemsim.sensitivity.analyze_outputs`.
    """
    m = get_method(method)
    if m.prefix_sizes is None:
        raise ValueError(
            f"Method {m.name!r} does not support convergence on sample prefixes: its design "
            "cannot be truncated (for FAST, every search curve's frequencies depend on its "
            "full length). Re-run with several sample sizes instead."
        )
    X, Y = _design_and_outputs(X, Y_frame)
    n_total = m.units_in(problem, X.shape[0], calc_second_order)
    per = m.rows_per_unit(problem, calc_second_order)
    parts = []
    for n in m.prefix_sizes(n_total, steps):
        rows = n * per
        res = estimate(
            problem,
            method,
            X[:rows],
            Y.iloc[:rows],
            seed,
            num_resamples=num_resamples,
            conf_level=conf_level,
            calc_second_order=calc_second_order,
            **options,
        )
        frame = res.indices.copy()
        frame.insert(2, "n", n)
        frame.insert(3, "n_runs", rows)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    order = {name: i for i, name in enumerate(problem.names)}
    out_order = {name: i for i, name in enumerate(dict.fromkeys(out["output"]))}
    out = out.assign(_o=out["output"].map(out_order), _p=out["parameter"].map(order))
    out = out.sort_values(["_o", "n", "_p"], kind="stable").drop(columns=["_o", "_p"])
    return out.reset_index(drop=True)


def disjoint_halves(
    problem: Problem,
    method: str,
    X: np.ndarray,
    Y_frame: pd.DataFrame | Mapping[str, Any],
    seed: int = 0,
    *,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
    calc_second_order: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """The indices estimated on the first and on the second half of the design ``X``
    (its first and last ``n // 2`` design units: disjoint runs), to check the bootstrap
    intervals against the estimator's actual spread where noise dominates. Only the
    runs' noise is independent between the halves: the second half of a scrambled Sobol'
    sequence is the first with its digits flipped, so on a smooth function the halves'
    errors are correlated (and can agree better than independent samples would); and an
    error both halves share (the noise's bias of a total index) is invisible to it.

    Returns ``output, parameter, n_half`` and each of the method's index columns twice,
    suffixed ``_first`` and ``_second`` (for each half its own bootstrap, seeded ``seed``
    and ``seed + 1``). :func:`halves_z` turns it into standardised gaps. Methods whose
    design cannot be cut (FAST) raise ``ValueError``.
    """
    m = get_method(method)
    if m.prefix_sizes is None:
        raise ValueError(f"Method {m.name!r}: its design cannot be cut into halves")
    X, Y = _design_and_outputs(X, Y_frame)
    n_half = m.units_in(problem, X.shape[0], calc_second_order) // 2
    rows = n_half * m.rows_per_unit(problem, calc_second_order)
    if n_half < 2:
        raise ValueError(f"{X.shape[0]} rows: too few design units for two halves")
    first, second = (
        estimate(
            problem,
            method,
            X[part],
            Y.iloc[part],
            seed + k,
            num_resamples=num_resamples,
            conf_level=conf_level,
            calc_second_order=calc_second_order,
            **options,
        ).indices
        for k, part in enumerate((slice(0, rows), slice(rows, 2 * rows)))
    )
    halves = first.merge(second, on=["output", "parameter"], suffixes=("_first", "_second"))
    halves.insert(2, "n_half", n_half)
    return halves


def halves_z(halves: pd.DataFrame, index: str = "ST", conf_level: float = 0.95) -> pd.Series:
    """The gap between the halves' ``index`` in standard errors of the difference, each
    half's standard error read from its bootstrap half-width (``{index}_conf``, SALib's
    normal quantile times the bootstrap standard deviation). Calibrated intervals on
    independent halves give ``|z|`` > 1.96 about 5% of the time (more with small halves,
    whose standard errors are themselves uncertain); NaN where an index is missing or
    neither half varies."""
    quantile = NormalDist().inv_cdf(0.5 + conf_level / 2)
    errors = [halves[f"{index}_conf_{half}"] / quantile for half in ("first", "second")]
    spread = np.sqrt(errors[0] ** 2 + errors[1] ** 2)
    gap = halves[f"{index}_first"] - halves[f"{index}_second"]
    return (gap / spread.where(spread > 0)).rename("z")


def check_convergence(
    frame: pd.DataFrame,
    tolerance: float = 0.05,
    *,
    index: str = "ST",
    leading: int | None = 3,
) -> pd.DataFrame:
    """Whether each output's leading indices have settled over the last doubling of ``n``.

    The criterion (after Sarrazin et al. 2016, *Environ. Model. Softw.* 79: 135-152, who
    measure convergence as the change of the indices as the sample grows): compare the
    indices at the full ``n`` with those at the largest prefix of at most ``n / 2`` and
    take the largest absolute change among the ``leading`` parameters (those with the
    largest ``index`` at the full ``n``; ``None`` for all). The indices have converged when
    that change is at most ``tolerance``, in the units of ``index`` (a share of variance for
    ``S1``/``ST``; output units per normalised range for Morris' ``mu_star``).

    Args:
        frame: a long frame from :func:`convergence` (``output, parameter, n`` + indices).
        tolerance: the largest change allowed.
        index: the index column to check.
        leading: how many of the largest indices to check.

    How large a sample would do: ``max_conf`` is the largest bootstrap half-width
    (``{index}_conf``) among the leading indices at the full ``n`` (NaN if one of them has
    none), and ``n_for_tolerance`` the sample size at which it would shrink to
    ``tolerance`` if it falls as 1/sqrt(n), as an estimator's sampling error does over
    independent points: ``n (max_conf / tolerance) ** 2``, rounded up (below ``n`` when it
    is already within). For independent points the change over a doubling of a nested
    sample has about one full-sample standard error, so at that size the widest leader
    passes the check about 95% of the time (an output, all of whose leaders must pass,
    somewhat less often); while ``max_conf`` exceeds the tolerance a pass can be chance
    (``interval_within``: whether it does not). A scrambled Sobol' design without noise
    converges faster than its bootstrap intervals say.

    Returns one row per output: ``output, index, n_half, n, leading, max_change,
    worst_parameter, tolerance, converged, max_conf, interval_within, n_for_tolerance``.
    """
    if index not in frame.columns:
        raise KeyError(f"No column {index!r} in the convergence frame ({list(frame.columns)})")
    if tolerance <= 0:
        raise ValueError(f"tolerance must be positive, got {tolerance}")
    rows = []
    for output, sel in frame.groupby("output", sort=False):
        sizes = sorted(sel["n"].unique())
        n_full = sizes[-1]
        halves = [n for n in sizes if n <= n_full / 2]
        if not halves:
            raise ValueError(
                f"Output {output!r}: no prefix of at most half of n={n_full} "
                f"(sizes {sizes}); compute the convergence frame with more steps"
            )
        n_half = halves[-1]
        at_full = sel[sel["n"] == n_full].set_index("parameter")
        full = at_full[index]
        half = sel[sel["n"] == n_half].set_index("parameter")[index]
        top = full.abs().sort_values(ascending=False, kind="stable")
        names = list(top.index if leading is None else top.index[:leading])
        change = (full[names] - half[names]).abs()
        worst = str(change.idxmax()) if change.notna().any() else ""
        max_change = float(change.max())
        conf = f"{index}_conf"
        widest = (
            float(at_full[conf][names].abs().max(skipna=False)) if conf in sel.columns else np.nan
        )
        rows.append(
            {
                "output": output,
                "index": index,
                "n_half": int(n_half),
                "n": int(n_full),
                "leading": ", ".join(names),
                "max_change": max_change,
                "worst_parameter": worst,
                "tolerance": tolerance,
                "converged": bool(max_change <= tolerance),
                "max_conf": widest,
                "interval_within": bool(widest <= tolerance),  # NaN: no
                "n_for_tolerance": sample_size_for(widest, tolerance, int(n_full)),
            }
        )
    return pd.DataFrame(rows)


def sample_size_for(half_width: float, tolerance: float, n: int, rate: float = -0.5) -> float:
    """The sample size at which an interval of ``half_width`` at size ``n``, shrinking as
    ``n ** rate`` (-0.5: a sampling error), would reach ``tolerance``:
    ``ceil(n (tolerance / half_width) ** (1 / rate))``; infinite if it does not shrink
    (``rate >= 0``) and is wider, NaN for a NaN width."""
    if not np.isfinite(half_width):
        return np.nan
    if half_width <= 0:  # no spread at all: any sample would do
        return 0.0
    if rate >= 0:
        return float(n) if half_width <= tolerance else np.inf
    return float(np.ceil(n * (tolerance / half_width) ** (1 / rate)))
