"""Sampling a design and estimating indices from its outputs.

The core that both the one-call API (:mod:`gemsim.sensitivity.analysis`) and the convergence
check (:mod:`gemsim.sensitivity.convergence`) build on. It knows nothing of
:class:`~gemsim.sensitivity.analysis.SensitivityResult`, so the two modules above can both
import it without importing each other.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.methods import SensitivityMethod, get_method
from gemsim.sensitivity.problem import Problem

__all__ = ["Estimate", "SensitivityWarning", "estimate", "sample_design"]


class SensitivityWarning(UserWarning):
    """An output could not be analysed meaningfully (constant or non-finite)."""


@dataclass(frozen=True)
class Estimate:
    """Indices of every output of one design.

    Attributes:
        method: the method's registered name.
        outputs: the analysed outputs, one column per output, one row per design row.
        indices: long frame ``output, parameter`` + the method's SALib columns.
        second_order: long frame of Sobol' S2 per pair, or ``None`` when not computed.
        settings: ``num_resamples``, ``conf_level``, ``calc_second_order`` and the method's
            options, as used.
    """

    method: str
    outputs: pd.DataFrame
    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    settings: dict[str, Any]


def sample_design(
    problem: Problem,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    *,
    calc_second_order: bool = False,
    **options: Any,
) -> np.ndarray:
    """SALib's raw sample matrix for ``method`` (decode rows with ``problem.decode_rows``)."""
    m = get_method(method)
    _check_second_order(m, calc_second_order)
    return m.sample(problem, n, seed, calc_second_order=calc_second_order, **m.options(options))


def _check_second_order(m: SensitivityMethod, calc_second_order: bool) -> None:
    if calc_second_order and not m.supports_second_order:
        raise ValueError(f"Method {m.name!r} does not compute second-order indices")


def _nan_frame(problem: Problem, m: SensitivityMethod) -> pd.DataFrame:
    return pd.DataFrame(
        np.nan, index=pd.Index(problem.names, name="parameter"), columns=list(m.columns)
    )


def _analyze_one(
    problem: Problem,
    m: SensitivityMethod,
    X: np.ndarray,
    y: np.ndarray,
    output: str,
    seed: int,
    settings: dict[str, Any],
    options: dict[str, Any],
) -> pd.DataFrame:
    """Analyse one output vector, returning NaN indices (with a warning) when undefined."""
    so = settings["calc_second_order"]
    if not np.isfinite(y).all():
        bad = int((~np.isfinite(y)).sum())
        warnings.warn(
            f"Output {output!r} has {bad} non-finite value(s); its {m.name} indices are NaN",
            SensitivityWarning,
            stacklevel=4,
        )
        df = _nan_frame(problem, m)
    elif np.all(y == y[0]) and m.variance_based:
        warnings.warn(
            f"Output {output!r} is constant (zero variance); its {m.name} indices are "
            "undefined and reported as NaN",
            SensitivityWarning,
            stacklevel=4,
        )
        df = _nan_frame(problem, m)
    else:
        if np.all(y == y[0]):
            warnings.warn(
                f"Output {output!r} is constant; all its {m.name} elementary effects are 0",
                SensitivityWarning,
                stacklevel=4,
            )
        df = m.analyze(
            problem,
            X,
            y,
            seed,
            num_resamples=settings["num_resamples"],
            conf_level=settings["conf_level"],
            calc_second_order=so,
            **options,
        )
    if so and "S2" not in df.attrs:
        nan = pd.DataFrame(np.nan, index=problem.names, columns=problem.names)
        df.attrs["S2"], df.attrs["S2_conf"] = nan, nan
    return df


def _second_order_long(problem: Problem, output: str, df: pd.DataFrame) -> pd.DataFrame:
    names = problem.names
    s2, s2c = df.attrs["S2"], df.attrs["S2_conf"]
    rows = [
        (output, a, b, float(s2.loc[a, b]), float(s2c.loc[a, b]))
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    ]
    return pd.DataFrame(rows, columns=["output", "parameter_1", "parameter_2", "S2", "S2_conf"])


def _output_frame(Y: pd.DataFrame | Mapping[str, Any], outputs: tuple[str, ...]) -> pd.DataFrame:
    frame = Y if isinstance(Y, pd.DataFrame) else pd.DataFrame(dict(Y))
    if outputs:
        missing = [o for o in outputs if o not in frame.columns]
        if missing:
            raise KeyError(f"Outputs {missing} not in the output frame ({list(frame.columns)})")
        frame = frame[list(outputs)]
    return frame.reset_index(drop=True).astype(float)


def estimate(
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
) -> Estimate:
    """Indices of every output of the design ``X`` (arguments as for
    :func:`gemsim.sensitivity.analyze_outputs`, which wraps this)."""
    m = get_method(method)
    _check_second_order(m, calc_second_order)
    opts = m.options(options)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != problem.num_vars:
        raise ValueError(f"X has shape {X.shape}; expected (rows, {problem.num_vars})")
    m.units_in(problem, X.shape[0], calc_second_order)
    Y = _output_frame(Y_frame, problem.outputs)
    if len(Y) != X.shape[0]:
        raise ValueError(f"{len(Y)} output rows for {X.shape[0]} sample rows")
    settings: dict[str, Any] = {
        "num_resamples": num_resamples,
        "conf_level": conf_level,
        "calc_second_order": calc_second_order,
    }
    parts, s2_parts = [], []
    for output in Y.columns:
        df = _analyze_one(problem, m, X, Y[output].to_numpy(), output, seed, settings, opts)
        long = df.reset_index()
        long.attrs = {}  # S2 matrices travel in attrs; pandas cannot concat frame-valued attrs
        long.insert(0, "output", output)
        parts.append(long)
        if calc_second_order:
            s2_parts.append(_second_order_long(problem, output, df))
    columns = ["output", "parameter", *m.columns]
    indices = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return Estimate(
        method=m.name,
        outputs=Y,
        indices=indices[columns],
        second_order=pd.concat(s2_parts, ignore_index=True) if calc_second_order else None,
        settings={**settings, **opts},
    )
