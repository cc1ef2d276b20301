"""Run a run function over run specs with an executor and store the results in batches.

The runner knows nothing about the model. A *run function* is a module-level (picklable)
``Callable[[RunSpec], pandas.DataFrame]`` returning one run's time series: a ``month``
column and one column per reporter. It must depend only on its spec (seeded from
``spec.seed``), which makes results bit-identical whatever the executor and worker count.

Typical use (the caller owns the store state and the manifest)::

    store = ResultStore(out_dir)
    store.prepare(force=force, resume=resume)
    with make_executor(workers, scheduler, dask_local) as executor:
        summary = run_experiment(specs, simulate, store, executor)
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import pandas as pd

from gemsim.errors import RunError, UserError
from gemsim.experiments.executors import Executor
from gemsim.experiments.progress import Progress
from gemsim.experiments.specs import KEY_COLUMNS, RunSpec
from gemsim.experiments.store import ResultStore

__all__ = [
    "BatchCallback",
    "ResumeMismatchError",
    "RunFailedError",
    "RunFunction",
    "RunSummary",
    "StartKey",
    "default_batch_size",
    "make_batches",
    "run_batch",
    "run_experiment",
]

RunFunction = Callable[[RunSpec], pd.DataFrame]
#: Called in the parent after each batch is stored, with the batch's specs and time series.
BatchCallback = Callable[[Sequence[RunSpec], pd.DataFrame], None]
#: A run's start: runs with equal keys begin from the same state.
StartKey = Callable[[RunSpec], Hashable]

MAX_BATCH_SIZE = 50
BATCHES_PER_WORKER = 4


class RunFailedError(RunError, RuntimeError):
    """A run function raised; carries the run id and the worker-side traceback, or only the
    message when the run refused its input (a :class:`UserError`, e.g. a parameter error):
    running it again would fail the same way, so it is not ``resumable``."""

    def __init__(self, run_id: str, detail: str, resumable: bool = True) -> None:
        super().__init__(run_id, detail, resumable)  # args: what a worker pickles
        self.run_id = run_id
        self.detail = detail
        self.resumable = resumable

    def __str__(self) -> str:
        return f"run {self.run_id} failed:\n{self.detail}"


class ResumeMismatchError(UserError, RuntimeError):
    """Stored runs have the ids of the requested runs but other seeds, horizons or params."""


@dataclass(frozen=True)
class RunSummary:
    """What :func:`run_experiment` did.

    Attributes:
        requested: number of specs given.
        skipped: specs already stored before this call (resume).
        executed: runs executed and stored by this call.
        batches: batches executed and stored by this call.
        batch_size: runs per batch used.
        wall_time_s: wall-clock time of this call in seconds.
    """

    requested: int
    skipped: int
    executed: int
    batches: int
    batch_size: int
    wall_time_s: float

    @property
    def runs_per_second(self) -> float:
        """Executed runs per wall-clock second (0 if nothing ran)."""
        return self.executed / self.wall_time_s if self.wall_time_s > 0 else 0.0


def default_batch_size(runs: int, workers: int) -> int:
    """About ``BATCHES_PER_WORKER`` batches per worker, between 1 and ``MAX_BATCH_SIZE`` runs."""
    if runs <= 0:
        return 1
    per_batch = -(-runs // (BATCHES_PER_WORKER * max(1, workers)))  # ceil division
    return max(1, min(MAX_BATCH_SIZE, per_batch))


def sharing_order(specs: Sequence[RunSpec], start_key: StartKey | None = None) -> list[RunSpec]:
    """``specs`` with the runs of each parameter point and replication next to each other
    (scenarios in their order): they share a seed and differ only in their scenario, so a
    worker builds their month 0 once (:mod:`gemsim.model.month_zero`). With ``start_key``,
    the runs of points that start alike (e.g. a Sobol' design's points that differ only in
    a parameter read after month 0) also follow one another, from the first point of each
    start on, each point's runs in the order above."""
    ordered = sorted(specs, key=lambda spec: (spec.point, spec.replication))
    if start_key is None:
        return ordered
    first: dict[Hashable, int] = {}  # each start's rank: the order of its first point
    ranks = [first.setdefault(start_key(spec), len(first)) for spec in ordered]
    return [spec for _, spec in sorted(zip(ranks, ordered, strict=True), key=lambda p: p[0])]


def make_batches(specs: Sequence[RunSpec], batch_size: int) -> list[tuple[RunSpec, ...]]:
    """Split ``specs`` (in order) into consecutive batches of at most ``batch_size`` runs."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    return [tuple(specs[i : i + batch_size]) for i in range(0, len(specs), batch_size)]


def _one_run(run_function: RunFunction, spec: RunSpec) -> pd.DataFrame:
    try:
        frame = run_function(spec)
    except UserError as exc:
        raise RunFailedError(spec.run_id, str(exc), resumable=False) from exc
    except Exception as exc:
        raise RunFailedError(spec.run_id, traceback.format_exc()) from exc
    if not isinstance(frame, pd.DataFrame):
        raise RunFailedError(
            spec.run_id, f"run function returned {type(frame).__name__}, not a DataFrame"
        )
    if "month" not in frame.columns:
        raise RunFailedError(spec.run_id, "run function result has no 'month' column")
    clash = [c for c in KEY_COLUMNS if c in frame.columns]
    if clash:
        raise RunFailedError(spec.run_id, f"reporter columns clash with key columns: {clash}")
    keys = pd.DataFrame(
        {
            "run_id": pd.Series([spec.run_id] * len(frame), dtype=object),
            "scenario": pd.Series([spec.scenario] * len(frame), dtype=object),
            "replication": pd.Series([spec.replication] * len(frame), dtype="int64"),
            "seed": pd.Series([spec.seed] * len(frame), dtype="int64"),
            "point": pd.Series([spec.point] * len(frame), dtype="int64"),
        }
    )
    reporters = frame.reset_index(drop=True)
    ordered = ["month", *[c for c in reporters.columns if c != "month"]]
    return pd.concat([keys, reporters[ordered]], axis=1)


def run_batch(
    run_function: RunFunction, batch: tuple[int, Sequence[RunSpec]]
) -> tuple[int, pd.DataFrame]:
    """Worker task: run every spec of a batch; return its index and the long time series.

    Columns: run_id, scenario, replication, seed, point, month, then the reporters.
    """
    index, specs = batch
    frames = [_one_run(run_function, spec) for spec in specs]
    return index, pd.concat(frames, ignore_index=True)


def _check_resume(specs: Sequence[RunSpec], store: ResultStore, done: set[str]) -> None:
    if not done.intersection(s.run_id for s in specs):
        return
    problems = store.stored_mismatches(specs)
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise ResumeMismatchError(
            f"{store.out_dir} holds runs with the same ids but different settings, so they "
            f"belong to another experiment; use --force or another output folder:\n  "
            f"{shown}{more}"
        )


def run_experiment(
    specs: Sequence[RunSpec],
    run_function: RunFunction,
    store: ResultStore,
    executor: Executor,
    *,
    batch_size: int | None = None,
    progress: bool = True,
    progress_interval_s: float | None = None,
    on_batch: BatchCallback | None = None,
    start_key: StartKey | None = None,
) -> RunSummary:
    """Run every spec not yet stored, storing each batch as soon as it finishes.

    Args:
        specs: the runs of the experiment (unique run ids).
        run_function: module-level function ``RunSpec -> DataFrame`` (``month`` + reporters).
        store: the results folder; call ``store.prepare(...)`` first. Runs already stored
            are skipped (after checking that their seeds, horizons and params match).
        executor: where batches run; shut down (cancelled) here on interrupt or error.
        batch_size: runs per task (default: :func:`default_batch_size`).
        progress: show progress on stderr: a bar on a terminal, otherwise a line with the
            runs done, the rate and the time left every ``progress_interval_s`` seconds
            (default :data:`gemsim.experiments.progress.PROGRESS_INTERVAL_S`).
        on_batch: called after each stored batch with its specs and time series.
        start_key: runs with equal keys start from the same state; they run one after
            another (:func:`sharing_order`). Only the order changes, never a result.

    Raises:
        KeyboardInterrupt: after cancelling outstanding work; stored batches remain on
            disk and ``--resume`` continues from them.
        RunFailedError: a run function raised (its traceback is in the message).
        ResumeMismatchError: stored runs with the same ids differ from ``specs``.
    """
    started = time.perf_counter()
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ValueError(f"duplicate run ids, e.g. {dupes}")
    done = store.completed_run_ids()
    _check_resume(specs, store, done)
    todo = sharing_order([s for s in specs if s.run_id not in done], start_key)
    skipped = len(specs) - len(todo)
    size = batch_size or default_batch_size(len(todo), executor.workers)
    batches = make_batches(todo, size)

    bar = Progress(len(specs), skipped, enabled=progress, interval_s=progress_interval_s)
    executed = stored_batches = 0
    results: Iterator[tuple[int, pd.DataFrame]] = executor.map_batches(
        partial(run_batch, run_function), list(enumerate(batches))
    )
    try:
        for index, frame in results:
            batch = batches[index]
            store.write_batch(batch, frame)
            executed += len(batch)
            stored_batches += 1
            bar.update(len(batch))
            if on_batch is not None:
                on_batch(batch, frame)
            del frame
    except BaseException:
        # Ctrl-C or a failed run: stop submitting, abandon work in flight, keep the stored
        # batches, and let the caller see the original exception.
        close = getattr(results, "close", None)
        if close is not None:
            close()
        executor.close(cancel=True)
        raise
    finally:
        bar.close()
    return RunSummary(
        requested=len(specs),
        skipped=skipped,
        executed=executed,
        batches=stored_batches,
        batch_size=size,
        wall_time_s=time.perf_counter() - started,
    )
