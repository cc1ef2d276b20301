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
leading indices moved by at most a stated tolerance over the last doubling of the sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.estimate import estimate
from gemsim.sensitivity.methods import get_method
from gemsim.sensitivity.problem import Problem


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
    X = np.asarray(X, dtype=float)
    Y = Y_frame if isinstance(Y_frame, pd.DataFrame) else pd.DataFrame(dict(Y_frame))
    Y = Y.reset_index(drop=True)
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

    Returns one row per output: ``output, index, n_half, n, leading, max_change,
    worst_parameter, tolerance, converged``.
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
        full = sel[sel["n"] == n_full].set_index("parameter")[index]
        half = sel[sel["n"] == n_half].set_index("parameter")[index]
        top = full.abs().sort_values(ascending=False, kind="stable")
        names = list(top.index if leading is None else top.index[:leading])
        change = (full[names] - half[names]).abs()
        worst = str(change.idxmax()) if change.notna().any() else ""
        max_change = float(change.max())
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
            }
        )
    return pd.DataFrame(rows)
