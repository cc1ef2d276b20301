"""Sensitivity analysis of a stochastic function ``f(params, seed) -> outputs``.

A stochastic model's output at a parameter point is a random variable: it moves with the
random path as well as with the parameters. Two things keep the two effects apart here
(the practice of Marrel et al. 2012 and Le Gratiet et al. 2017 for stochastic simulators):

* **Replications.** Every sample point is run ``R`` times with different seeds; the indices
  are computed on the point means, and :func:`replication_variance` reports, per output,
  how much of the variance of single runs is within a point (random path) rather than
  between points (parameters).
* **A noise-floor dummy** (:meth:`Problem.with_noise_dummy`). The dummy is a factor the
  function never sees: its value, an integer stream number, selects the seeds of the point's
  replications (:func:`stream_seeds`). Where SALib's design varies the dummy the run gets a
  new random stream, where it copies the dummy's column the run keeps the stream, exactly as
  for a real factor. The dummy's index is thus the share of the variance of the point means
  that is due to the random path (for additive noise of variance ``s^2``, ``s^2 / R``
  divided by the variance of the means); it is exactly 0 for a function that ignores its
  seed. :func:`noise_floor` reports it as its own row, :func:`beyond_noise` compares every
  parameter with it.

Without a dummy every point uses the same ``R`` seeds (common random numbers): the indices
are then those of the model *given* those random paths, and the noise shows only in
:func:`replication_variance`.

Seeds. ``stream_seeds(root, R)`` are the ``R`` children of ``SeedSequence(root)``, the
same seeds as :func:`gemsim.experiments.replication_seeds` (63-bit, prefix-consistent).
``stream_seeds(root, R, stream=s)`` are the ``R`` children of the root's ``s``-th child:
different from the common seeds, and from every other stream's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.analysis import SensitivityResult, analyze_outputs
from gemsim.sensitivity.estimate import sample_design
from gemsim.sensitivity.problem import Problem

__all__ = [
    "StochasticFn",
    "StochasticResult",
    "beyond_noise",
    "evaluate_replicated",
    "noise_floor",
    "point_means",
    "point_seeds",
    "replication_variance",
    "run_stochastic_sensitivity",
    "split_stream",
    "stream_seeds",
]

StochasticFn = Callable[[dict[str, Any], int], Mapping[str, float]]
"""A stochastic function: ``(params, seed) -> {output name: float}``; one seed, one result."""

Job = tuple[dict[str, Any], int]
JobMapFn = Callable[[Callable[[Job], Mapping[str, float]], Iterable[Job]], Iterator[Any]]

_MASK_63 = np.uint64(2**63 - 1)


def stream_seeds(root_seed: int, replications: int, stream: int | None = None) -> list[int]:
    """The seeds of ``replications`` runs: common ones, or those of random stream ``stream``.

    Replication ``r`` of stream ``s`` has spawn key ``(s, r)`` under ``SeedSequence(root)``;
    the common seeds (``stream=None``) have spawn key ``(r,)``. Both are prefix-consistent
    (the seeds of 10 replications start those of 30) and 63-bit.
    """
    if root_seed < 0:
        raise ValueError("root_seed must be non-negative")
    if replications < 1:
        raise ValueError("replications must be at least 1")
    parent = np.random.SeedSequence(root_seed)
    if stream is not None:
        if stream < 0:
            raise ValueError(f"stream must be non-negative, got {stream}")
        parent = np.random.SeedSequence(root_seed, spawn_key=(int(stream),))
    children = parent.spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] & _MASK_63) for c in children]


def split_stream(problem: Problem, params: Mapping[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Split decoded parameters into what the function sees and the dummy's stream number."""
    model_params = dict(params)
    if problem.noise_dummy is None:
        return model_params, None
    return model_params, int(model_params.pop(problem.noise_dummy))


def point_seeds(
    problem: Problem, params: Mapping[str, Any], root_seed: int, replications: int
) -> tuple[dict[str, Any], list[int]]:
    """The function's parameters at one decoded sample point, and its replications' seeds.

    With a noise dummy the seeds are those of the point's stream; without one they are the
    common seeds, the same at every point. A runner that evaluates a design itself calls
    this for every row of ``problem.decode_rows(X)``.
    """
    model_params, stream = split_stream(problem, params)
    return model_params, stream_seeds(root_seed, replications, stream)


@dataclass(frozen=True)
class _Call:
    """``f`` as a one-argument callable on ``(params, seed)``; picklable if ``f`` is."""

    f: StochasticFn

    def __call__(self, job: Job) -> Mapping[str, float]:
        params, seed = job
        return self.f(params, seed)


def evaluate_replicated(
    f: StochasticFn,
    problem: Problem,
    X: np.ndarray,
    root_seed: int,
    replications: int,
    map_fn: JobMapFn = map,
) -> pd.DataFrame:
    """Run ``f`` ``replications`` times at every row of ``X``; one row per run.

    Returns a long frame ``point, replication, seed`` + one column per output (the problem's
    outputs, or the keys of the first result), ordered by point, then replication.
    ``map_fn`` must preserve order (``map``, ``Executor.map``); it is called with a
    one-argument callable on ``(params, seed)`` tuples.
    """
    jobs: list[Job] = []
    keys: list[tuple[int, int, int]] = []
    for point, params in enumerate(problem.decode_rows(X)):
        model_params, seeds = point_seeds(problem, params, root_seed, replications)
        for replication, seed in enumerate(seeds):
            jobs.append((model_params, seed))
            keys.append((point, replication, seed))
    results = list(map_fn(_Call(f), jobs))
    if len(results) != len(jobs):
        raise ValueError(f"map_fn returned {len(results)} results for {len(jobs)} runs")
    names = list(problem.outputs) or list(results[0])
    data = np.empty((len(results), len(names)), dtype=float)
    for i, res in enumerate(results):
        if not isinstance(res, Mapping):
            raise TypeError(f"Run {keys[i]}: function returned {type(res).__name__}, not a dict")
        for j, name in enumerate(names):
            try:
                data[i, j] = float(res[name])
            except KeyError:
                raise KeyError(f"Run {keys[i]}: output {name!r} missing") from None
    frame = pd.DataFrame(keys, columns=["point", "replication", "seed"])
    return pd.concat([frame, pd.DataFrame(data, columns=names)], axis=1)


def _output_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c not in ("point", "replication", "seed")]


def point_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean of every output over the replications of each point, in point order."""
    return runs.groupby("point", sort=True)[_output_columns(runs)].mean().reset_index(drop=True)


def replication_variance(runs: pd.DataFrame) -> pd.DataFrame:
    """Per output: how much of the variance is the random path, and how much the parameters.

    Columns:

    * ``replications``: runs per point ``R``;
    * ``run_variance``: variance of single runs over all points and replications;
    * ``within_variance``: mean over points of the variance between a point's replications
      (NaN with one replication);
    * ``within_share``: ``within_variance / run_variance``, the share of a single run's
      variance due to the random path;
    * ``mean_variance``: variance of the point means (what the indices decompose);
    * ``noise_share_of_means``: ``within_variance / R / mean_variance``, the share of that
      due to the random path (what a noise dummy's index estimates).
    """
    outputs = _output_columns(runs)
    per_point = runs.groupby("point", sort=True)[outputs]
    replications = int(per_point.size().min())
    within = per_point.var(ddof=1).mean() if replications > 1 else pd.Series(np.nan, outputs)
    run_var = runs[outputs].var(ddof=1)
    mean_var = per_point.mean().var(ddof=1)
    return pd.DataFrame(
        {
            "output": outputs,
            "replications": replications,
            "run_variance": run_var.to_numpy(),
            "within_variance": within.to_numpy(),
            "within_share": (within / run_var).to_numpy(),
            "mean_variance": mean_var.to_numpy(),
            "noise_share_of_means": (within / replications / mean_var).to_numpy(),
        }
    )


def noise_floor(problem: Problem, indices: pd.DataFrame) -> pd.DataFrame:
    """The noise dummy's rows of a long ``indices`` frame (one per output)."""
    if problem.noise_dummy is None:
        raise ValueError("The problem has no noise dummy (use Problem.with_noise_dummy)")
    rows = indices[indices["parameter"] == problem.noise_dummy]
    return rows.reset_index(drop=True)


def beyond_noise(problem: Problem, indices: pd.DataFrame, index: str = "ST") -> pd.DataFrame:
    """Every parameter's ``index`` beside the noise dummy's, per output.

    A parameter is ``beyond_noise`` when the lower end of its confidence interval lies above
    the upper end of the dummy's (the dummy-parameter screening rule of Khorashadi Zadeh et
    al. 2017, here with a dummy that carries the random path). Columns: ``output,
    parameter, <index>, <index>_conf, noise, noise_conf, beyond_noise``.
    """
    conf = f"{index}_conf"
    floor = noise_floor(problem, indices)[["output", index, conf]]
    floor = floor.rename(columns={index: "noise", conf: "noise_conf"})
    columns = ["output", "parameter", index, conf]
    params = indices.loc[indices["parameter"] != problem.noise_dummy, columns]
    out = params.merge(floor, on="output", how="left")
    low = out[index] - out[conf].fillna(0.0)
    high_noise = out["noise"] + out["noise_conf"].fillna(0.0)
    out["beyond_noise"] = low > high_noise
    return out.reset_index(drop=True)


@dataclass
class StochasticResult:
    """Indices of a stochastic function, with the random path measured beside them.

    Attributes:
        result: the sensitivity analysis of the point means (the dummy, if any, has its own
            row in ``result.indices``).
        runs: every run: ``point, replication, seed`` + outputs.
        replication_variance: :func:`replication_variance` of ``runs``.
    """

    result: SensitivityResult
    runs: pd.DataFrame
    replication_variance: pd.DataFrame

    @property
    def indices(self) -> pd.DataFrame:
        """The long frame of indices (``output, parameter`` + the method's columns)."""
        return self.result.indices

    def noise_floor(self) -> pd.DataFrame:
        """The noise dummy's row per output (see :func:`noise_floor`)."""
        return noise_floor(self.result.problem, self.result.indices)

    def beyond_noise(self, index: str = "ST") -> pd.DataFrame:
        """Parameters against the noise floor (see :func:`beyond_noise`)."""
        return beyond_noise(self.result.problem, self.result.indices, index)

    def metamodel_indices(
        self, *, n: int = 4096, folds: int = 5, max_points: int = 800
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Sobol' indices of a Gaussian-process fit to the point means, and its fit
        statistics (see :func:`gemsim.sensitivity.metamodel.metamodel_indices`); the
        cross-validation holds out whole design blocks."""
        from gemsim.sensitivity.discovery import design_blocks
        from gemsim.sensitivity.metamodel import metamodel_indices
        from gemsim.sensitivity.methods import get_method

        result = self.result
        per = get_method(result.method).rows_per_unit(
            result.problem, bool(result.settings.get("calc_second_order", False))
        )
        return metamodel_indices(
            result.problem,
            result.X,
            point_means(self.runs),
            n=n,
            seed=result.seed,
            folds=folds,
            max_points=max_points,
            groups=design_blocks(result.method, per, len(result.X)),
        )


def run_stochastic_sensitivity(
    f: StochasticFn,
    problem: Problem,
    method: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    *,
    replications: int = 2,
    num_resamples: int = 1000,
    conf_level: float = 0.95,
    calc_second_order: bool = False,
    map_fn: JobMapFn = map,
    **options: Any,
) -> StochasticResult:
    """Sample, run ``f`` ``replications`` times per point, analyse the point means.

    Args:
        f: ``(params, seed) -> {output: float}``; ``params`` never holds the noise dummy.
        problem: factors and outputs, usually with :meth:`Problem.with_noise_dummy`.
        method, n, num_resamples, conf_level, calc_second_order, **options: as for
            :func:`gemsim.sensitivity.run_sensitivity`.
        seed: sampling seed, and the root of the runs' seeds (:func:`stream_seeds`).
        replications: runs per sample point (at least 2 for :func:`replication_variance`).
        map_fn: order-preserving map over ``(params, seed)`` jobs.
    """
    X = sample_design(problem, method, n, seed, calc_second_order=calc_second_order, **options)
    runs = evaluate_replicated(f, problem, X, seed, replications, map_fn)
    result = analyze_outputs(
        problem,
        method,
        X,
        point_means(runs),
        seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
        calc_second_order=calc_second_order,
        **options,
    )
    return StochasticResult(result, runs, replication_variance(runs))
