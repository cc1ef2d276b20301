"""What a running ``gemsim`` command does: experiment → run specs → runner → manifest → report.

The command line (:mod:`gemsim.cli`) only parses arguments and calls :func:`run_job` or
:func:`build_report`. A job:

1. plans the runs: ``replication_seeds(seed, replications)`` shared by every scenario and
   sweep point (common random numbers), run ids from ``build_specs``;
2. prepares the results folder (refusing to touch finished results without ``force``;
   with ``resume`` keeping the stored batches, after checking that the stored experiment
   is the one asked for, or differs only by more replications with ``extend``, and
   setting damaged batches aside to be redone), and appends this invocation to
   ``manifest.json`` with status ``running``;
3. runs what is not stored yet on the chosen executor, one Parquet batch at a time;
4. records the invocation as ``complete`` (or ``interrupted`` on Ctrl-C, SIGTERM or a
   failed run: the stored batches stay and ``--resume`` finishes the job); earlier
   invocations are kept as they were (:mod:`gemsim.experiments.manifest`);
5. builds the summary, figures and report with ``gemsim.analysis.build_outputs``.

A sensitivity experiment (:func:`run_sensitivity_job`) is planned by
:func:`gemsim.study.plans.plan_sensitivity` instead (every scenario x sample point x
replication, common random numbers), stores its sample next to the runs before running,
and is analysed by :func:`gemsim.analysis.sensitivity_outputs.build_sensitivity_outputs`
(indices, convergence, contrasts, ``sensitivity.html``).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gemsim.errors import RunError, UserError
from gemsim.experiments import (
    Executor,
    ResultStore,
    ResumeMismatchError,
    RunFailedError,
    RunSpec,
    build_manifest,
    build_specs,
    make_executor,
    replication_seeds,
    run_experiment,
)
from gemsim.experiments.differences import Difference, record_differences
from gemsim.experiments.manifest import environment, same_code, stored_history
from gemsim.experiments.store import MANIFEST, DamagedBatch, DamagedResultsError
from gemsim.study.experiment import Experiment
from gemsim.study.files import show_path

__all__ = [
    "JobError",
    "JobResult",
    "ReportError",
    "RunOptions",
    "build_report",
    "default_out_dir",
    "plan_runs",
    "run_job",
    "run_sensitivity_job",
]

Log = Callable[[str], None]
_SOURCE_DIR = Path(__file__).resolve().parent


class JobError(UserError, RuntimeError):
    """A problem the user can fix (bad results folder, unreachable cluster...)."""


class ReportError(RunError, RuntimeError):
    """Building the summary, figures or report failed (the results themselves are stored)."""


@dataclass(frozen=True)
class RunOptions:
    """How to run an experiment (none of these change its results).

    Attributes:
        out_dir: the results folder.
        workers: local worker processes (1: run in this process).
        scheduler: address of a dask scheduler (``tcp://host:8786``), or None.
        dask_local: start a local dask cluster with this many workers, or None.
        force: delete previous results in ``out_dir`` first.
        resume: keep the stored runs of an interrupted run of the same experiment (refused
            if the stored experiment differs from this one).
        extend: like ``resume``, but the experiment may have more replications than the
            stored one (the stored runs are the first replications of the larger one).
        progress: show the progress bar (only on a terminal).
        report: build summary, figures and report after the runs.
        kind: the command that ran (``run``, ``compare``, ``sweep``, ``sensitivity``).
        command: the command line that reproduces the results (stored in the manifest).
        argv: the arguments as given.
    """

    out_dir: Path
    workers: int = 1
    scheduler: str | None = None
    dask_local: int | None = None
    force: bool = False
    resume: bool = False
    extend: bool = False
    progress: bool = True
    report: bool = True
    kind: str = "compare"
    command: str = ""
    argv: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class JobResult:
    """What a job did.

    Attributes:
        status: ``complete`` or ``interrupted`` (Ctrl-C, SIGTERM or a failed run).
        out_dir: the results folder.
        planned, stored: runs of the experiment, and runs now stored in the folder.
        executed: runs executed by this job (None if interrupted).
        wall_time_s: duration of this job.
        outputs: what ``build_outputs`` returned (None without a report).
        error: the failed run's message, if a run failed.
        resumable: False when the failed run refused its input (resuming repeats it).
    """

    status: str
    out_dir: Path
    planned: int
    stored: int
    executed: int | None
    wall_time_s: float
    outputs: dict[str, Any] | None = None
    error: str | None = None
    resumable: bool = True


def default_out_dir(experiment: Experiment) -> Path:
    """``results/<experiment name>`` below the working directory."""
    return Path("results") / experiment.name


def plan_runs(experiment: Experiment) -> list[RunSpec]:
    """Every run of the experiment: scenarios x sweep points x replications."""
    return build_specs(
        experiment.scenario_overrides(),
        seeds=replication_seeds(experiment.seed, experiment.replications),
        months=experiment.horizon,
        points=experiment.points(),
    )


def _now() -> datetime:
    return datetime.now(UTC).astimezone()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (a cluster's job limit, ``kill``) like Ctrl-C while runs are going."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_store(store: ResultStore, specs: Sequence[RunSpec]) -> None:
    """Before resuming: the stored runs must all belong to this experiment, unchanged."""
    planned = {spec.run_id for spec in specs}
    foreign = sorted(store.completed_run_ids() - planned)
    if foreign:
        raise JobError(
            f"{show_path(store.out_dir)} holds {len(foreign)} runs that are not part of this "
            f"experiment (e.g. {foreign[0]}); use --force to replace them or choose another "
            "--out folder"
        )
    problems = store.stored_mismatches(specs)
    if problems:
        raise ResumeMismatchError(
            f"{show_path(store.out_dir)} holds runs with the same ids but other settings "
            f"({problems[0]}); use --force to replace them or choose another --out folder"
        )


class _Manifest:
    """Appends this job's invocation to the manifest and rewrites it at each change of
    status; earlier invocations (``history``) are copied unchanged."""

    def __init__(
        self,
        store: ResultStore,
        record: dict[str, Any],
        experiment: Experiment,
        options: RunOptions,
        specs: Sequence[RunSpec],
        executor_name: str,
        stored: _Stored,
    ) -> None:
        self.store = store
        self.record = record
        self.seeds = replication_seeds(experiment.seed, experiment.runs_per_point)
        self.options = options
        self.planned = len(specs)
        self.executor_name = executor_name
        self.history = stored.history
        self.runs_before = len(store.completed_run_ids())
        self.damaged = [str(batch) for batch in stored.damaged]
        self.env = environment(_SOURCE_DIR, input_paths(experiment))
        self.started = _now()
        self.clock = time.perf_counter()

    def write(self, status: str, error: str | None = None) -> int:
        """Write the manifest with ``status``; return the number of stored runs."""
        stored = len(self.store.completed_run_ids())
        running = status == "running"
        manifest = build_manifest(
            self.record,
            self.seeds,
            started=self.started,
            finished=None if running else _now(),
            run_count=stored,
            wall_time_s=None if running else time.perf_counter() - self.clock,
            status=status,
            history=self.history,
            runs_before=self.runs_before,
            env=self.env,
            command=self.options.command,
            argv=list(self.options.argv),
            runs_planned=self.planned,
            resumed=self.options.resume or self.options.extend,
            extended=self.options.extend,
            executor=self.executor_name,
            damaged_set_aside=self.damaged,
            error=error,
        )
        self.store.write_json(MANIFEST, manifest)
        return stored


def input_paths(experiment: Experiment) -> list[Path]:
    """The files an experiment was read from: its file, then every scenario file and the
    files they extend (recorded with their SHA-256 in the manifest)."""
    paths = [experiment.source] if experiment.source is not None else []
    for scenario in experiment.resolved_scenarios.values():
        paths.extend(scenario.chain)
    return list(dict.fromkeys(Path(p) for p in paths))


#: Keys of the experiment record that do not change what is run or reported.
_NOT_COMPARED = (
    "file",
    "scenario_entries",
    "description",
    "run_count",
    "points",
    "scenarios.*.file",
    "scenarios.*.extends",
    "scenarios.*.description",
    # How many points train the report's metamodels: no run reads it, and a resumed or
    # extended folder's report follows the current file (its manifest records it).
    "sensitivity.metamodel_points",
)
#: Keys that ``extend`` may increase.
_EXTENDABLE = ("replications", "sensitivity.replications")
#: What a larger Sobol' design changes in the record (see _grows_sobol_design): its size,
#: and how many draws of a normal or log-normal factor were clipped to the allowed range.
_DESIGN = ("sensitivity.n", "sensitivity.points", "sensitivity.clipped")


def _of_design(key: str) -> bool:
    return any(key == part or key.startswith(f"{part}.") for part in _DESIGN)


@dataclass
class _Stored:
    """What a resume found in the results folder before running."""

    history: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[DamagedBatch] = field(default_factory=list)
    manifest: dict[str, Any] | None = None


def _read_stored_manifest(store: ResultStore) -> dict[str, Any] | None:
    where = show_path(store.out_dir)
    try:
        manifest = store.read_manifest()
    except DamagedResultsError as error:
        raise JobError(
            f"{error}. It records which experiment the stored runs belong to, so they "
            "cannot be resumed: restore the file, or rerun everything with --force"
        ) from None
    if manifest is None and store.has_stored_batches():
        raise JobError(
            f"{where} holds stored runs but no {MANIFEST}, so it cannot be told which "
            "experiment they belong to: rerun everything with --force or choose another "
            "--out folder"
        )
    return manifest


def _refuse_other_experiment(
    store: ResultStore, manifest: dict[str, Any], record: dict[str, Any], extend: bool
) -> None:
    """Raise JobError naming every difference between the stored experiment and this one
    (with ``extend``, more replications are allowed)."""
    stored = manifest.get("experiment")
    if not isinstance(stored, dict):
        raise JobError(
            f"{show_path(store.out_dir / MANIFEST)} does not record its experiment, so the "
            "stored runs cannot be resumed: rerun everything with --force"
        )
    differences = record_differences(as_current_record(stored), record, ignore=_NOT_COMPARED)
    grows = _grows_sobol_design(stored, differences)
    if extend:
        differences = [
            d for d in differences if not (_adds_replications(d) or (grows and _of_design(d.key)))
        ]
    if not differences:
        return
    listed = "\n  ".join(str(d) for d in differences)
    stored_command = manifest.get("command")
    finish = f"finish it as stored with `{stored_command} --resume`, " if stored_command else ""
    if extend:
        raise JobError(
            f"{show_path(store.out_dir)} holds another experiment; --extend only adds "
            "replications, or sample points to a Sobol' design (n a multiple of the stored "
            f"n), but these differ:\n  {listed}\n"
            f"{finish}or use --force or another --out folder"
        )
    more = (
        "add replications or a Sobol' design's points with --extend, "
        if all(_adds_replications(d) or (grows and _of_design(d.key)) for d in differences)
        else ""
    )
    raise JobError(
        f"{show_path(store.out_dir)} holds another experiment than the one asked for:\n  "
        f"{listed}\n{finish}{more}or use --force or another --out folder"
    )


def as_current_record(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored experiment record as this version writes it: a Sobol' design stored before
    the ``pairing`` option existed is SALib's (``pairing = "salib"``)."""
    table = stored.get("sensitivity")
    if not isinstance(table, dict) or table.get("method") != "sobol":
        return stored
    options = table.get("options")
    if not isinstance(options, dict) or "pairing" in options:
        return stored
    return {**stored, "sensitivity": {**table, "options": {**options, "pairing": "salib"}}}


def _grows_sobol_design(stored: dict[str, Any], differences: Sequence[Difference]) -> bool:
    """Does the current experiment ask for the stored Sobol' design at a larger ``n``? Its
    sample then starts with the stored one (a scrambled Sobol' sequence with the same seed:
    the first rows are the same, and each base row's block of points keeps its place), so
    the stored runs are the first points of the larger design."""
    table = stored.get("sensitivity")
    if not isinstance(table, dict) or table.get("method") != "sobol":
        return False
    sizes = [d for d in differences if d.key == "sensitivity.n"]
    if len(sizes) != 1:
        return False
    before, now = sizes[0].stored, sizes[0].current
    return isinstance(before, int) and isinstance(now, int) and now > before and now % before == 0


def _adds_replications(difference: Difference) -> bool:
    return (
        difference.key in _EXTENDABLE
        and isinstance(difference.stored, int)
        and isinstance(difference.current, int)
        and difference.current > difference.stored
    )


def _prepare_store(
    store: ResultStore, record: dict[str, Any], options: RunOptions, log: Log
) -> _Stored:
    """Check and prepare the results folder; with resume or extend, refuse another
    experiment and set damaged batches aside (their runs are then redone)."""
    keep = options.resume or options.extend
    if not keep:
        store.prepare(force=options.force)
        return _Stored()
    manifest = _read_stored_manifest(store)
    if manifest is not None:
        _refuse_other_experiment(store, manifest, record, options.extend)
    store.prepare(resume=True)
    damaged = store.damaged_batches()
    if damaged:
        folder = store.set_aside(damaged)
        runs = sum(batch.runs or 0 for batch in damaged)
        listed = "\n  ".join(str(batch) for batch in damaged)
        log(
            f"gemsim: warning: {len(damaged)} damaged batch(es) of {runs} runs set aside in "
            f"{show_path(folder) if folder else '-'}; their runs are run again:\n  {listed}"
        )
    return _Stored(history=stored_history(manifest or {}), damaged=damaged, manifest=manifest)


def _warn_if_other_code(stored: _Stored, env: dict[str, Any], log: Log) -> None:
    producing = [i for i in stored.history if i.get("runs_executed")]
    if producing and not same_code(producing[0], env):
        before = producing[0]
        log(
            "gemsim: warning: the stored runs were made with other code (gemsim "
            f"{before.get('gemsim_version')}, commit {(before.get('git') or {}).get('commit')}"
            f"); this invocation runs gemsim {env.get('gemsim_version')}, commit "
            f"{(env.get('git') or {}).get('commit')}. manifest.json lists both."
        )


def _open_executor(options: RunOptions, runs: int) -> Executor:
    """The executor the options ask for, with no more local workers than runs."""
    workers = max(1, min(options.workers, runs))
    try:
        return make_executor(workers, options.scheduler, options.dask_local)
    except (OSError, TimeoutError) as error:
        raise JobError(f"cannot reach the dask scheduler {options.scheduler}: {error}") from None


def run_job(experiment: Experiment, options: RunOptions, log: Log = _stderr) -> JobResult:
    """Run ``experiment`` into ``options.out_dir`` and build its outputs (module docstring).

    Raises:
        ResultsExistError: the folder holds results and neither force nor resume was given
            (nothing is touched).
        JobError, ResumeMismatchError: resuming into a folder of another experiment.
        ReportError: the runs are stored but building the outputs failed.
    """
    if experiment.is_sensitivity:
        return run_sensitivity_job(experiment, options, log)
    specs = plan_runs(experiment)
    shape = (
        f"scenarios x points x replications = {len(experiment.scenarios)} x "
        f"{len(experiment.points())} x {experiment.replications}"
    )
    return _execute(experiment, options, specs, shape, log)


def run_sensitivity_job(
    experiment: Experiment, options: RunOptions, log: Log = _stderr
) -> JobResult:
    """Run a sensitivity experiment (one with a ``[sensitivity]`` table) and analyse it.

    Every scenario the ``[sensitivity]`` table names is run at every sample point with the
    same replication seeds (see :mod:`gemsim.study.plans`); ``sample.parquet`` and
    ``design.parquet`` are written before the runs. Afterwards (``options.report``) the
    indices, convergence check, contrasts, figures and ``sensitivity.html`` are built from
    the stored runs. Interrupting and ``resume`` work as for :func:`run_job`; the results do
    not depend on the executor or the number of workers. From Python::

        from pathlib import Path
        from gemsim.study.jobs import RunOptions, run_sensitivity_job
        from gemsim.study.experiment import load_experiment

        experiment = load_experiment("experiments/sobol.toml").with_overrides(n=32)
        result = run_sensitivity_job(
            experiment, RunOptions(out_dir=Path("results/sobol"), workers=2, kind="sensitivity")
        )
        result.outputs["report"]        # results/sobol/sensitivity.html

    Raises:
        ScenarioError: the experiment has no ``[sensitivity]`` table, or a drawn sample
            point is not a valid parameter set for one of its scenarios.
        ResultsExistError, JobError, ResumeMismatchError, ReportError: as for
            :func:`run_job`.
    """
    from gemsim.study.plans import plan_sensitivity, write_design

    plan = plan_sensitivity(experiment)
    settings = plan.settings
    shape = (
        f"{settings.method} design of {len(settings.factors)} parameters, n = {settings.n}: "
        f"points x scenarios x replications = {plan.points} x {len(experiment.scenarios)} x "
        f"{settings.replications}"
    )
    extra = {"sensitivity": {**settings.as_record(), "clipped": plan.clipped}}
    return _execute(
        experiment,
        options,
        plan.specs,
        shape,
        log,
        before_runs=lambda: write_design(options.out_dir, plan),
        extra_record=extra,
    )


def _execute(
    experiment: Experiment,
    options: RunOptions,
    specs: Sequence[RunSpec],
    shape: str,
    log: Log,
    *,
    before_runs: Callable[[], Any] | None = None,
    extra_record: dict[str, Any] | None = None,
) -> JobResult:
    """Prepare the folder, run what is not stored, keep the manifest, build the outputs."""
    store = ResultStore(options.out_dir)
    where = show_path(options.out_dir)
    record = {**experiment.as_record(), "kind": options.kind, **(extra_record or {})}
    stored = _prepare_store(store, record, options, log)
    if options.force:
        _delete_sensitivity_files(options.out_dir)
    if options.resume or options.extend:
        _check_store(store, specs)
    with _open_executor(options, len(specs)) as executor:
        manifest = _Manifest(store, record, experiment, options, specs, repr(executor), stored)
        if manifest.runs_before < len(specs):
            _warn_if_other_code(stored, manifest.env, log)
        manifest.write("running")
        if before_runs is not None:
            before_runs()
        log(
            f"gemsim: {experiment.name}: {len(specs)} runs of {experiment.horizon} months "
            f"({shape}) on {executor.workers} worker(s) -> {where}"
        )
        try:
            with _terminate_as_interrupt():
                summary = run_experiment(
                    specs,
                    _simulate(),
                    store,
                    executor,
                    progress=options.progress,
                    start_key=_start_key(),
                )
        except KeyboardInterrupt:
            stored_runs = manifest.write("interrupted")
            return _stopped(options, len(specs), stored_runs, manifest, None)
        except RunFailedError as error:
            stored_runs = manifest.write("interrupted", error=str(error))
            return _stopped(options, len(specs), stored_runs, manifest, str(error), error.resumable)
        stored_runs = manifest.write("complete")
    outputs = build_report(options.out_dir) if options.report else None
    return JobResult(
        status="complete",
        out_dir=options.out_dir,
        planned=len(specs),
        stored=stored_runs,
        executed=summary.executed,
        wall_time_s=time.perf_counter() - manifest.clock,
        outputs=outputs,
    )


def _delete_sensitivity_files(out_dir: Path) -> None:
    """``--force``: the files a sensitivity job and its analysis write (the runs, manifest
    and figures folder are the result store's)."""
    from gemsim.analysis.sensitivity_outputs import OWNED_FILES

    for name in OWNED_FILES:
        (Path(out_dir) / name).unlink(missing_ok=True)


def _stopped(
    options: RunOptions,
    planned: int,
    stored: int,
    manifest: _Manifest,
    error: str | None,
    resumable: bool = True,
) -> JobResult:
    return JobResult(
        status="interrupted",
        out_dir=options.out_dir,
        planned=planned,
        stored=stored,
        executed=None,
        wall_time_s=time.perf_counter() - manifest.clock,
        error=error,
        resumable=resumable,
    )


def _simulate() -> Callable[[RunSpec], Any]:
    # Imported here: the model (and mesa) load only when something actually runs.
    from gemsim.study.simulation import simulate

    return simulate


def _start_key() -> Callable[[RunSpec], Any]:
    from gemsim.study.simulation import start_key

    return start_key


def build_report(results_dir: Path | str) -> dict[str, Any]:
    """(Re)build summary, figures and report from stored results, without rerunning.

    Raises JobError if ``results_dir`` holds no results, its manifest cannot be read or a
    stored batch is damaged (each named; nothing is read from them), another UserError if
    the stored results cannot be analysed as they are, ReportError if building fails.
    """
    folder = Path(results_dir)
    store = ResultStore(folder)
    if not (folder / MANIFEST).is_file():
        raise JobError(
            f"{show_path(folder)} is not a gemsim results folder (it has no {MANIFEST}); "
            "allowed: a folder written by gemsim run, compare or sweep"
        )
    try:
        manifest = store.read_manifest() or {}
    except DamagedResultsError as error:
        raise JobError(
            f"{error}; no report is built from a folder whose manifest cannot be read "
            "(rerun the experiment with --force to rebuild it)"
        ) from None
    damaged = store.damaged_batches()
    if damaged:
        listed = "\n  ".join(str(batch) for batch in damaged)
        command = manifest.get("command")
        redo = f"`{command} --resume`" if command else "the experiment's command with --resume"
        raise JobError(
            f"{show_path(folder)} holds damaged results, so no report is built from it:\n  "
            f"{listed}\nredo their runs with {redo}"
        )
    if not store.completed_run_ids():
        raise JobError(f"{show_path(folder)} holds no stored runs yet; nothing to report")
    try:
        if _is_sensitivity_folder(store):
            from gemsim.analysis.sensitivity_outputs import build_sensitivity_outputs

            build_outputs: Callable[[Path | str], dict[str, Path]] = build_sensitivity_outputs
        else:
            from gemsim.analysis import build_outputs as build_study_outputs

            build_outputs = build_study_outputs
    except ImportError as error:
        raise ReportError(f"cannot build the report: {error}") from None
    try:
        return build_outputs(folder)
    except UserError:  # results that cannot be analysed as they are: the message says why
        raise
    except Exception as error:  # a bug in the analysis: keep its traceback as the cause
        raise ReportError(
            f"building the report from {show_path(folder)} failed: {type(error).__name__}: "
            f"{error}; the results are stored, retry with `gemsim report {show_path(folder)}`"
        ) from error


def _is_sensitivity_folder(store: ResultStore) -> bool:
    try:
        manifest = store.read_json(MANIFEST)
    except (OSError, ValueError):
        return False
    experiment = manifest.get("experiment") if isinstance(manifest, dict) else None
    return isinstance(experiment, dict) and isinstance(experiment.get("sensitivity"), dict)
