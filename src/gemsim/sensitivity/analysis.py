"""Public API: run a global sensitivity analysis on any callable, or analyse given outputs.

Typical use::

    result = run_sensitivity(model_fn, problem, method="sobol", n=1024, seed=0)
    result.indices          # long frame: output, parameter, S1, S1_conf, ST, ST_conf
    result.to_csv("out/sa")

A model runner that evaluates the design itself (e.g. in parallel on a cluster) does::

    X = sample_design(problem, "sobol", n=1024, seed=0)
    rows = problem.decode_rows(X)            # parameter dicts, one per run
    Y = ...                                  # DataFrame, one column per output, row order = X
    result = analyze_outputs(problem, "sobol", X, Y, seed=0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.convergence import check_convergence, convergence
from gemsim.sensitivity.estimate import SensitivityWarning, estimate, sample_design
from gemsim.sensitivity.problem import Problem

__all__ = [
    "SensitivityResult",
    "SensitivityWarning",
    "analyze_outputs",
    "evaluate",
    "run_sensitivity",
    "sample_design",
]

ModelFn = Callable[[dict[str, Any]], Mapping[str, float]]
MapFn = Callable[[ModelFn, Iterable[dict[str, Any]]], Iterator[Mapping[str, float]]]


@dataclass
class SensitivityResult:
    """Samples, outputs and sensitivity indices of one analysis.

    Attributes:
        method: method name (key of :data:`gemsim.sensitivity.METHODS`).
        problem: the analysed problem.
        X: SALib's raw sample matrix (continuous; needed for re-analysis/convergence).
        samples: decoded factor values, one row per model run, one column per factor.
        outputs: model outputs, one row per run, one column per output.
        indices: long frame ``output, parameter`` + the method's SALib columns.
        second_order: Sobol' second-order indices, long frame ``output, parameter_1,
            parameter_2, S2, S2_conf`` (``parameter_1`` before ``parameter_2`` in factor
            order), or ``None`` when not computed.
        seed: the seed used for sampling and (derived) for bootstrap CIs.
        settings: analysis settings (``num_resamples``, ``conf_level``,
            ``calc_second_order`` and method options), for re-analysis.
    """

    method: str
    problem: Problem
    X: np.ndarray
    samples: pd.DataFrame
    outputs: pd.DataFrame
    indices: pd.DataFrame
    second_order: pd.DataFrame | None = None
    seed: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    def for_output(self, output: str) -> pd.DataFrame:
        """Indices of one output, indexed by parameter."""
        sel = self.indices[self.indices["output"] == output]
        if sel.empty:
            raise KeyError(f"No indices for output {output!r}; have {self.output_names}")
        return sel.drop(columns="output").set_index("parameter")

    @property
    def output_names(self) -> list[str]:
        """Names of the analysed outputs."""
        return list(self.outputs.columns)

    def to_csv(self, directory: str | Path, prefix: str = "") -> dict[str, Path]:
        """Write ``samples``, ``outputs``, ``indices`` (and ``second_order``) as CSV files.

        Files are ``<directory>/<prefix><name>.csv``; samples and outputs carry a ``run``
        column (the row number in the design). Returns ``{name: path}``.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        frames: dict[str, pd.DataFrame] = {
            "samples": self.samples.rename_axis("run").reset_index(),
            "outputs": self.outputs.rename_axis("run").reset_index(),
            "indices": self.indices,
        }
        if self.second_order is not None:
            frames["second_order"] = self.second_order
        paths: dict[str, Path] = {}
        for name, frame in frames.items():
            path = out / f"{prefix}{name}.csv"
            frame.to_csv(path, index=False)
            paths[name] = path
        return paths

    def convergence(self, steps: int = 5) -> pd.DataFrame:
        """Indices on growing prefixes of this sample (see :func:`convergence`)."""
        return convergence(
            self.problem, self.method, self.X, self.outputs, self.seed, steps, **self.settings
        )

    def check_convergence(
        self, tolerance: float = 0.05, *, index: str = "ST", leading: int | None = 3, steps: int = 5
    ) -> pd.DataFrame:
        """Per output, whether the leading indices settled to ``tolerance`` over the last
        doubling of the sample (see :func:`gemsim.sensitivity.convergence.check_convergence`)."""
        return check_convergence(self.convergence(steps), tolerance, index=index, leading=leading)


def analyze_outputs(
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
) -> SensitivityResult:
    """Analyse already-computed outputs of the design ``X``, each output separately.

    Args:
        problem: the problem ``X`` was sampled for.
        method: method name; must match the one ``X`` was sampled with.
        X: SALib's raw sample matrix (from :func:`sample_design`), rows in run order.
        Y_frame: outputs, one column per output, rows in the same order as ``X``. If
            ``problem.outputs`` is non-empty only those columns are analysed.
        seed: the sampling seed; bootstrap CIs use a seed derived from it.
        num_resamples: bootstrap resamples for confidence intervals.
        conf_level: confidence level of the intervals (0-1).
        calc_second_order: Sobol' only; must match the sampling.
        **options: method options (``num_levels`` for Morris, ``M`` for FAST); must match
            the sampling.

    Constant outputs give NaN indices for variance-based methods (Sobol', FAST) and zero
    elementary effects for Morris, each with a :class:`SensitivityWarning`; outputs with
    NaN/inf values give NaN indices with a warning.
    """
    result = estimate(
        problem,
        method,
        X,
        Y_frame,
        seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
        calc_second_order=calc_second_order,
        **options,
    )
    X = np.asarray(X, dtype=float)
    return SensitivityResult(
        method=result.method,
        problem=problem,
        X=X,
        samples=problem.decode_matrix(X),
        outputs=result.outputs,
        indices=result.indices,
        second_order=result.second_order,
        seed=seed,
        settings=result.settings,
    )


def evaluate(f: ModelFn, problem: Problem, X: np.ndarray, map_fn: MapFn = map) -> pd.DataFrame:
    """Decode every row of ``X``, call ``f`` on it through ``map_fn``; outputs as a frame.

    Output columns are ``problem.outputs`` if given, otherwise the keys of the first
    result (in its order). ``map_fn`` must preserve order (``map``, ``Executor.map``).
    """
    rows = problem.decode_rows(X)
    results = list(map_fn(f, rows))
    if len(results) != len(rows):
        raise ValueError(f"map_fn returned {len(results)} results for {len(rows)} rows")
    if not results:
        raise ValueError("Empty design: nothing to evaluate")
    names = list(problem.outputs) or list(results[0])
    data = np.empty((len(results), len(names)), dtype=float)
    for i, res in enumerate(results):
        if not isinstance(res, Mapping):
            raise TypeError(f"Run {i}: model returned {type(res).__name__}, expected a mapping")
        for j, name in enumerate(names):
            try:
                data[i, j] = float(res[name])
            except KeyError:
                raise KeyError(f"Run {i} ({rows[i]}): output {name!r} missing") from None
    return pd.DataFrame(data, columns=names)


def run_sensitivity(
    f: ModelFn,
    problem: Problem,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    *,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
    calc_second_order: bool = False,
    map_fn: MapFn = map,
    **options: Any,
) -> SensitivityResult:
    """Sample, evaluate ``f`` on every decoded sample row, and analyse each output.

    Args:
        f: model, ``params dict -> {output name: float}``. Must be picklable if ``map_fn``
            uses processes.
        problem: factors and (optionally) output names.
        method: ``"sobol"``, ``"morris"``, ``"fast"`` or any registered method.
        n: design size: Sobol' base sample size (runs ``n (D + 2)``, or ``n (2D + 2)`` with
            second order; use a power of two), Morris trajectories (runs ``n (D + 1)``),
            FAST points per search curve (runs ``n D``, ``n > 4 M^2``).
        seed: sampling seed; bootstrap CIs use a seed derived from it. Same seed, same
            result.
        num_resamples, conf_level: bootstrap settings for the confidence intervals.
        calc_second_order: Sobol' second-order indices (in ``result.second_order``).
        map_fn: order-preserving map used to evaluate ``f``, e.g.
            ``ThreadPoolExecutor().map`` or ``ProcessPoolExecutor().map``.
        **options: method options: ``pairing`` (Sobol', default ``"balanced"``),
            ``num_levels`` (Morris, default 4), ``M`` (FAST, default 4).
    """
    X = sample_design(problem, method, n, seed, calc_second_order=calc_second_order, **options)
    Y = evaluate(f, problem, X, map_fn)
    return analyze_outputs(
        problem,
        method,
        X,
        Y,
        seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
        calc_second_order=calc_second_order,
        **options,
    )
