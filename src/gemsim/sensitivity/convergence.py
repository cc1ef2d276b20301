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
