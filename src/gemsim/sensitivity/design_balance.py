"""How far a Saltelli design's A and B matrices are from independent, parameter by parameter.

The total-order estimator (Jansen) reads parameter i's effect from ``f(A) - f(A_B^i)``,
where the two rows differ only in column i, drawn once from A and once from B. For an
effect linear in that parameter its expected value is proportional to
``mean((a_i - b_i)^2) / (2 var)`` over the base points, 1 when the two columns are
independent. In a short prefix of a Sobol' sequence they need not be: with a correlation
r the ratio is about ``1 - r``, and the total index of a parameter that acts linearly is
read that many times too low (or, for r < 0, too high) before any sampling error. SALib's
design pairs some columns that stay correlated in short prefixes whatever the scramble;
the balanced pairing (:mod:`gemsim.sensitivity.sobol_design`, the default) avoids them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["design_balance"]


def design_balance(
    X: np.ndarray, names: Sequence[str], sizes: Sequence[int], *, second_order: bool = False
) -> pd.DataFrame:
    """Per parameter and prefix size n (base points): the correlation of its A and B
    columns over the first n base points and ``mean((a - b)^2) / (2 var)``.

    ``X`` is a Saltelli design (per base point the row A first and the row B last, with
    ``D + 2`` rows, or ``2 D + 2`` with ``second_order``), one column per name. Returns the
    columns ``parameter, n, correlation, ratio``; NaN where a column does not vary.
    """
    X = np.asarray(X, dtype=float)
    dims = len(names)
    if X.ndim != 2 or X.shape[1] != dims:
        raise ValueError(f"the design has shape {X.shape}, not (rows, {dims})")
    per = 2 * dims + 2 if second_order else dims + 2
    if len(X) % per:
        raise ValueError(f"{len(X)} rows are not a Saltelli design of {dims} inputs")
    blocks = X.reshape(-1, per, dims)
    rows = []
    for column, name in enumerate(names):
        a, b = blocks[:, 0, column], blocks[:, -1, column]
        for n in sizes:
            spread = float(np.var(np.concatenate([a[:n], b[:n]])))
            if spread > 0 and n > 1:
                ratio = float(np.mean((a[:n] - b[:n]) ** 2) / (2 * spread))
                correlation = float(np.corrcoef(a[:n], b[:n])[0, 1])
            else:
                ratio = correlation = float("nan")
            rows.append(
                {"parameter": name, "n": int(n), "correlation": correlation, "ratio": ratio}
            )
    return pd.DataFrame(rows, columns=["parameter", "n", "correlation", "ratio"])
