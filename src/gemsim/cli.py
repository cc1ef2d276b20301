"""The ``gemsim`` command: thin argument parsing over :mod:`gemsim.study`.

Exit codes: 0 success; 1 a run or the report failed (:class:`~gemsim.errors.RunError`);
2 a usage or file problem (:class:`~gemsim.errors.UserError`: one line
``gemsim: error: ...`` per problem, no traceback); 130 interrupted (finished batches kept;
``--resume`` continues).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import os
import shlex
import sys
import textwrap
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from gemsim.errors import RunError, UserError

if TYPE_CHECKING:
    from gemsim.study.experiment import Experiment
    from gemsim.study.jobs import JobResult, RunOptions

__all__ = ["build_parser", "main"]

DEFAULT_EXPERIMENT = "experiments/compare_regimes.toml"
DEFAULT_RUN_REPLICATIONS = 10
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Columns of `gemsim params` (a terminal's width is no guide when the output is piped).
PARAMS_WIDTH = 100

DESCRIPTION = """\
gemsim: an agent-based simulation of community investment in the Netherlands.
Citizens, citizen collectives and municipalities under four funding regimes (status quo,
subsidy channel, direct community fund, hybrid), as proposed in the Groeiplan
Versterking Gemeenschapskracht (2021).
"""

EPILOG = """\
examples:
  gemsim validate scenarios/*.toml experiments/*.toml
  gemsim run groeiplan --replications 5 --months 60
  gemsim compare                          # experiments/compare_regimes.toml
  gemsim sweep experiments/sweep_reporting_burden.toml --workers 8
  gemsim sensitivity experiments/morris.toml --workers 2   # the screen, then:
  gemsim sensitivity experiments/sobol.toml --workers 2
  gemsim claims                           # experiments/claims.toml
  gemsim report results/compare_regimes
  gemsim params --format markdown
  gemsim bench
  gemsim bench --against main --regions 1,3,10
"""


class UsageError(UserError):
    """A bad command line (reported as one line, exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _count(text: str) -> int:
    """An integer >= 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: must be an integer >= 1")
    return value


def _counts(text: str) -> tuple[int, ...]:
    """Comma-separated integers >= 1 (argparse type)."""
    return tuple(_count(part) for part in text.split(","))


def _scenario_names(text: str) -> tuple[str, ...]:
    """Comma-separated names of scenarios that load (argparse type)."""
    from gemsim.errors import UserError
    from gemsim.study.scenarios import load_scenario

    names = tuple(part.strip() for part in text.split(","))
    for name in names:
        try:
            load_scenario(name)
        except UserError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return names


def _assignment(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` for a model parameter: VALUE as a number, true/false or text (argparse
    type); the name and value are checked against this tree's parameters."""
    from gemsim.model.parameters import Parameters, value_from_text

    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or name not in Parameters.model_fields:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed: must be NAME=VALUE with NAME a model parameter "
            "(see `gemsim params`)"
        )
    value = value_from_text(raw.strip())
    try:
        Parameters.build({name: value})
    except UserError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return name, value


def _seed(text: str) -> int:
    """An integer >= 0 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: must be an integer >= 0")
    return value


def _add_running_options(
    parser: argparse.ArgumentParser, replications_default: str, design_size: bool = False
) -> None:
    group = parser.add_argument_group("experiment overrides (recorded in the manifest)")
    if design_size:
        group.add_argument(
            "--n",
            type=_count,
            metavar="N",
            help="design size: Sobol' base sample (a power of two), Morris trajectories or "
            "FAST points per search curve (default: the file's [sensitivity] n)",
        )
    group.add_argument(
        "--replications",
        type=_count,
        metavar="N",
        help=f"replications per scenario and point ({replications_default})",
    )
    group.add_argument("--months", type=_count, metavar="M", help="horizon in months")
    group.add_argument("--seed", type=_seed, metavar="S", help="root seed")

    running = parser.add_argument_group("running (does not change the results)")
    running.add_argument(
        "--workers",
        type=_count,
        default=os.cpu_count() or 1,
        metavar="N",
        help="local worker processes (default: all cores, %(default)s here)",
    )
    dask = running.add_mutually_exclusive_group()
    dask.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on this dask scheduler's workers"
    )
    dask.add_argument(
        "--dask-local", type=_count, metavar="N", help="run on a local dask cluster of N workers"
    )
    running.add_argument(
        "--out", type=Path, metavar="DIR", help="results folder (default: results/<name>/)"
    )
    state = running.add_mutually_exclusive_group()
    state.add_argument(
        "--resume", action="store_true", help="finish an interrupted run in the same folder"
    )
    state.add_argument(
        "--force", action="store_true", help="delete previous results in the folder first"
    )
    state.add_argument(
        "--extend",
        action="store_true",
        help="like --resume, and add replications to the stored experiment (or, with "
        "--n, sample points to a stored Sobol' design)",
    )
    running.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    running.add_argument(
        "--no-report",
        dest="report",
        action="store_false",
        help="store results only (build the report later with `gemsim report DIR`)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gemsim`` command."""
    parser = _Parser(
        prog="gemsim",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from gemsim import __version__

    parser.add_argument("--version", action="version", version=f"gemsim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run one scenario with replications",
        description="Run one scenario (a name from scenarios/ or a path to a .toml file) "
        "several times and build its report.",
    )
    run.add_argument("scenario", metavar="SCENARIO", help="scenario name or path")
    _add_running_options(run, f"default {DEFAULT_RUN_REPLICATIONS}")

    compare = commands.add_parser(
        "compare",
        help="run an experiment comparing scenarios",
        description="Run every scenario of an experiment file with common random numbers "
        "and report the differences against its baseline.",
    )
    compare.add_argument(
        "experiment",
        metavar="EXPERIMENT",
        nargs="?",
        default=DEFAULT_EXPERIMENT,
        help=f"experiment file (default: {DEFAULT_EXPERIMENT})",
    )
    _add_running_options(compare, "default: the file's")

    sweep = commands.add_parser(
        "sweep",
        help="run an experiment with a [sweep] grid",
        description="Run every scenario of an experiment file at every point of its "
        "[sweep] grid of parameter values.",
    )
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment file with [sweep]")
    _add_running_options(sweep, "default: the file's")

    sensitivity = commands.add_parser(
        "sensitivity",
        help="run a global sensitivity analysis ([sensitivity] table)",
        description="Run an experiment with a [sensitivity] table: sample its parameters "
        "(Sobol', Morris or FAST), run every scenario it names at every sample point with "
        "common random numbers, and report which parameters drive each outcome and each "
        "regime contrast (indices with bootstrap intervals, convergence, sign flips) in "
        "sensitivity.html.",
    )
    sensitivity.add_argument(
        "experiment", metavar="EXPERIMENT", help="experiment file with a [sensitivity] table"
    )
    _add_running_options(
        sensitivity, "default: the file's [sensitivity] replications", design_size=True
    )

    report = commands.add_parser(
        "report",
        help="rebuild summary, figures and report from stored results",
        description="Rebuild summary.csv, figures/ and report.html from a results folder, "
        "without rerunning anything.",
    )
    report.add_argument("results_dir", type=Path, metavar="RESULTS_DIR")

    validate = commands.add_parser(
        "validate",
        help="check scenario and experiment files",
        description="Check scenario and experiment files without running anything; print "
        "OK per good file and every problem of a bad one.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")

    params = commands.add_parser(
        "params",
        help="list the model parameters",
        description="List every model parameter with unit, default, allowed range and source.",
    )
    params.add_argument(
        "names", nargs="*", metavar="TEXT", help="show only parameters whose name contains TEXT"
    )
    params.add_argument(
        "--format",
        choices=("table", "csv", "markdown"),
        default="table",
        help="output format (default: %(default)s)",
    )

    bench = commands.add_parser(
        "bench",
        help="measure speed on this machine",
        description="Time one regional and one national run, the vectorised citizen rules "
        "against a per-citizen loop, and sweep throughput with 1 and 2 workers; print a "
        "table and write results/bench/<date>.json.",
    )
    bench.add_argument(
        "--out",
        type=Path,
        default=Path("results/bench"),
        metavar="DIR",
        help="folder for the JSON results (default: %(default)s)",
    )
    bench.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    bench.add_argument(
        "--against",
        metavar="TREE",
        help="instead: time runs of this source tree and of TREE (a checkout folder or a git "
        "revision, e.g. main) side by side in one invocation; print medians and ratios",
    )
    bench.add_argument(
        "--regions",
        type=_counts,
        default=(1, 3, 10),
        metavar="N,N,...",
        help="with --against: region sizes in municipalities (default: 1,3,10)",
    )
    bench.add_argument(
        "--repeats",
        type=_count,
        default=15,
        metavar="R",
        help="with --against: timed runs per tree and size (default: %(default)s)",
    )
    bench.add_argument(
        "--scenarios",
        type=_scenario_names,
        default=(),
        metavar="NAME,NAME,...",
        help="with --against: time these scenarios at one seed, one after another (a study's "
        "sample point), per run",
    )
    bench.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="with --against: build both trees' models with this parameter value (repeatable), "
        "e.g. inhabitants_per_agent=50 to compare at the same agent scale when the trees' "
        "defaults differ",
    )
    _add_dashboard_parser(commands)
    _add_patterns_parser(commands)
    _add_claims_parser(commands)
    return parser


def _add_dashboard_parser(commands: Any) -> None:
    """``gemsim dashboard``: serve the interactive page (needs the viz extra)."""
    from gemsim.dashboard.server import DEFAULT_HOST, DEFAULT_PORT

    dashboard = commands.add_parser(
        "dashboard",
        help="open the interactive dashboard in a browser",
        description="Serve the dashboard (explore one run, compare scenarios) on this machine "
        "and print its address. Works without internet; needs the visualisation extra: "
        "pip install 'gemsim[viz]'.",
    )
    dashboard.add_argument(
        "--port", type=_count, default=DEFAULT_PORT, metavar="P", help="port (default: %(default)s)"
    )
    dashboard.add_argument(
        "--host",
        default=DEFAULT_HOST,
        metavar="H",
        help="address to listen on (default: "
        "%(default)s; 0.0.0.0 makes it reachable from other machines)",
    )
    dashboard.add_argument("--open", action="store_true", help="also open it in a browser")


def _dashboard(args: argparse.Namespace) -> int:
    from gemsim.dashboard.server import serve  # MissingVizError is a UserError: exit 2

    return serve(args.host, args.port, open_browser=args.open)


def _add_claims_parser(commands: Any) -> None:
    """``gemsim claims``: check the Groeiplan's claims."""
    from gemsim.study.claims import DEFAULT_CLAIMS_FILE

    claims = commands.add_parser(
        "claims",
        help="check the Groeiplan's claims (claims.csv, the claims table in the reports)",
        description="Run the scenarios of an experiment with a [claims] table under default "
        "assumptions, the goal seek of [claims.goal_seek] (the money for a target share of "
        "buurten in order), and read the sensitivity results it names: claims.csv (each "
        "claim: estimate with its 95%% interval, verdict, share of the assumption space where "
        "it holds, where it fails, what it rests on) and the claims table first in "
        "report.html and in the sensitivity folder's sensitivity.html.",
    )
    claims.add_argument(
        "experiment",
        metavar="FILE",
        nargs="?",
        default=DEFAULT_CLAIMS_FILE,
        help=f"experiment file with [claims] (default: {DEFAULT_CLAIMS_FILE})",
    )
    _add_running_options(claims, "default: the file's")
    claims.add_argument(
        "--sensitivity",
        metavar="DIR",
        help="read the assumption space from this sensitivity results folder (default: the "
        "file's [claims] sensitivity), e.g. a Sobol' run grown with --n and --extend",
    )


def _claims(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from gemsim.study.claims_job import load_claims_experiment, run_claims_job

    experiment = load_claims_experiment(
        args.experiment,
        replications=args.replications,
        months=args.months,
        seed=args.seed,
        claims_sensitivity=args.sensitivity,
    )
    options = _run_options(args, argv, experiment, args.experiment, "claims")
    return _announce(run_claims_job(experiment, options, _log(args)), options, args)


def _add_patterns_parser(commands: Any) -> None:
    """``gemsim patterns``: run a [patterns] experiment and score it against observed data."""
    from gemsim.study.files import DEFAULT_PATTERNS_FILE

    patterns = commands.add_parser(
        "patterns",
        help="score the status quo against observed trends (pattern-oriented validation)",
        description="Run an experiment with a [patterns] table (the status quo over an "
        "observed period) and score it against the observed Dutch series shipped with gemsim: "
        "patterns.csv (each criterion: observed, simulated mean and 95% interval, pass or "
        "fail and by how much), figures/patterns.png and patterns.html, next to report.html. "
        "Score stored runs again with --resume.",
    )
    patterns.add_argument(
        "experiment",
        metavar="FILE",
        nargs="?",
        default=DEFAULT_PATTERNS_FILE,
        help=f"experiment file with [patterns] (default: {DEFAULT_PATTERNS_FILE})",
    )
    _add_running_options(patterns, "default: the file's")


def _patterns(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from gemsim.analysis.patterns import pattern_verdicts, verdict_line
    from gemsim.study.patterns import CSV_FILE, load_patterns_experiment, run_patterns_job

    experiment = load_patterns_experiment(
        args.experiment, replications=args.replications, months=args.months, seed=args.seed
    )
    options = _run_options(args, argv, experiment, args.experiment, "patterns")
    result = run_patterns_job(experiment, options, _log(args))
    status = _announce(result, options, args)
    scored = result.out_dir / CSV_FILE
    if status == EXIT_OK and not args.quiet and args.report and scored.is_file():
        import pandas as pd

        for row in pattern_verdicts(pd.read_csv(scored)).to_dict("records"):
            _say(f"  {verdict_line(row)}")
    return status


# ------------------------------------------------------------------------------ commands
def _reproducing_command(args: argparse.Namespace, target: str, experiment: Experiment) -> str:
    """The command line that reproduces the results (values resolved, run options left out)."""
    words = ["gemsim", args.command, target]
    settings = experiment.sensitivity_settings
    if settings is not None:
        words += ["--n", str(settings.n)]
    words += ["--replications", str(experiment.runs_per_point)]
    words += ["--months", str(experiment.horizon), "--seed", str(experiment.seed)]
    if getattr(args, "sensitivity", None) is not None:  # gemsim claims --sensitivity DIR
        words += ["--sensitivity", args.sensitivity]
    if args.out is not None:
        words += ["--out", str(args.out)]
    return shlex.join(words)


def _load_for_command(args: argparse.Namespace) -> tuple[Experiment, str]:
    """The experiment a running command asks for, with overrides; and its target as given."""
    from gemsim.study.experiment import experiment_for_scenario, load_experiment
    from gemsim.study.files import ScenarioError, show_path

    overrides = {"replications": args.replications, "months": args.months, "seed": args.seed}
    if args.command == "run":
        experiment = experiment_for_scenario(args.scenario, replications=DEFAULT_RUN_REPLICATIONS)
        return experiment.with_overrides(**overrides), args.scenario
    if args.command == "sensitivity":
        overrides["n"] = args.n
    experiment = load_experiment(args.experiment).with_overrides(**overrides)
    where = show_path(args.experiment)
    if args.command == "sensitivity" and not experiment.is_sensitivity:
        raise ScenarioError(
            f"{where}: has no [sensitivity] table; allowed: an experiment with [sensitivity] "
            "(see experiments/sobol.toml)"
        )
    if args.command != "sensitivity" and experiment.is_sensitivity:
        raise ScenarioError(
            f"{where}: has a [sensitivity] table; allowed: run it with `gemsim sensitivity`"
        )
    if args.command == "sweep" and not experiment.sweep:
        raise ScenarioError(
            f"{where}: has no [sweep] table; allowed: an experiment with [sweep] "
            "(use `gemsim compare` for plain comparisons)"
        )
    if args.command == "compare" and experiment.sweep:
        raise ScenarioError(
            f"{where}: has a [sweep] table; allowed: an experiment without [sweep] "
            "(run this one with `gemsim sweep`)"
        )
    return experiment, args.experiment


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from gemsim.study.jobs import run_job

    experiment, target = _load_for_command(args)
    options = _run_options(args, argv, experiment, target, args.command)
    return _announce(run_job(experiment, options, log=_log(args)), options, args, stored=True)


def _run_options(
    args: argparse.Namespace,
    argv: Sequence[str],
    experiment: Experiment,
    target: str,
    kind: str,
) -> RunOptions:
    """How a running command runs its experiment, from its command-line options."""
    from gemsim.study.jobs import RunOptions, default_out_dir

    return RunOptions(
        out_dir=args.out if args.out is not None else default_out_dir(experiment),
        workers=args.workers,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        force=args.force,
        resume=args.resume,
        extend=args.extend,
        progress=not args.quiet,
        report=args.report,
        kind=kind,
        command=_reproducing_command(args, target, experiment),
        argv=tuple(argv),
    )


def _log(args: argparse.Namespace) -> Callable[[str], None]:
    return (lambda message: None) if args.quiet else _say


def _announce(
    result: JobResult, options: RunOptions, args: argparse.Namespace, *, stored: bool = False
) -> int:
    """Say how a job ended (where its results are, how to resume) and return the exit code."""
    from gemsim.study.files import show_path

    where = show_path(result.out_dir)
    if result.status == "interrupted":
        if result.error:
            _error(result.error)
        if not result.resumable:
            _say(
                f"gemsim: stopped: {result.stored} of {result.planned} runs stored in {where}; "
                "resuming would stop the same way: change what the error names"
            )
            return EXIT_USAGE
        _say(
            f"gemsim: interrupted: {result.stored} of {result.planned} runs stored in {where}; "
            f"finish with: {options.command} --resume"
        )
        return EXIT_FAILED if result.error else EXIT_INTERRUPTED
    if not args.quiet:
        count = f" ({result.stored} stored)" if stored else ""
        seconds = f"{result.wall_time_s:.1f} s"
        _say(f"gemsim: done: {result.executed} runs in {seconds}{count} -> {where}")
        for key, value in (result.outputs or {}).items():
            _say(f"  {key}: {_describe_output(value)}")
    return EXIT_OK


def _describe_output(value: Any) -> str:
    from gemsim.study.files import show_path

    if isinstance(value, str | Path):
        return show_path(value)
    if isinstance(value, list | tuple):
        return f"{len(value)} files"
    if isinstance(value, dict):
        return f"{len(value)} entries"
    return str(value)


def _report(args: argparse.Namespace) -> int:
    from gemsim.experiments import ResultStore
    from gemsim.study.files import show_path
    from gemsim.study.jobs import build_report

    status = ResultStore(args.results_dir).manifest_status()
    if status not in (None, "complete"):
        _say(f"gemsim: warning: {show_path(args.results_dir)} is incomplete (status: {status})")
    outputs = build_report(args.results_dir)
    print(f"report rebuilt in {show_path(args.results_dir)}")
    for key, value in outputs.items():
        print(f"  {key}: {_describe_output(value)}")
    return EXIT_OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _validate_one(name: str) -> str:
    """Validate one file; return its OK line (raises UserError)."""
    from gemsim.study.experiment import load_experiment
    from gemsim.study.files import file_kind, read_toml, show_path
    from gemsim.study.scenarios import read_scenario

    path = Path(name)
    kind = file_kind(read_toml(path)) if path.is_file() else "scenario"
    if not path.is_file():  # a scenario name, or a missing file (reported by read_scenario)
        scenario = read_scenario(name)
        path = scenario.path
    elif kind == "calibration":
        from gemsim.study.calibration_spec import read_calibration_file

        calibration, _ = read_calibration_file(path)
        return (
            f"OK {show_path(path)}: calibration of "
            f"{_plural(len(calibration.parameters), 'parameter')} to "
            f"{', '.join(calibration.patterns_scored)} of {calibration.patterns}: "
            f"{calibration.population_size} particles x at most "
            f"{_plural(calibration.max_populations, 'generation')} x "
            f"{_plural(calibration.replications, 'replication')}"
        )
    elif kind == "experiment":
        experiment = load_experiment(path)
        settings = experiment.sensitivity_settings
        if settings is not None:
            count = _plural(len(settings.factors), "parameter")
            most = ""
            if settings.screen_pending:
                count = (
                    f"the parameters screened from {settings.screened_from} (at most "
                    f"{settings.screen_max})"
                )
                most = "at most "
            if settings.noise_dummy:
                count += " + the noise-floor dummy"
            return (
                f"OK {show_path(path)}: sensitivity experiment {experiment.name!r}: "
                f"{settings.method}, {count}, n = "
                f"{settings.n}: {most}{_plural(settings.n_points, 'point')} x "
                f"{_plural(len(experiment.scenarios), 'scenario')} x "
                f"{_plural(settings.replications, 'replication')} = "
                f"{most}{_plural(experiment.run_count, 'run')} of {experiment.horizon} months"
            )
        return (
            f"OK {show_path(path)}: experiment {experiment.name!r}: "
            f"{_plural(len(experiment.scenarios), 'scenario')} x "
            f"{_plural(len(experiment.points()), 'point')} x "
            f"{_plural(experiment.replications, 'replication')} = "
            f"{_plural(experiment.run_count, 'run')} of {experiment.horizon} months"
        )
    else:
        scenario = read_scenario(path)
    extends = f", extends {' -> '.join(scenario.extends)}" if scenario.extends else ""
    params = scenario.build()
    return (
        f"OK {show_path(path)}: scenario {scenario.name!r} (regime {params.regime}{extends}; "
        f"{len(scenario.parameters)} parameters set)"
    )


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for name in args.files:
        try:
            print(_validate_one(name))
        except UserError as error:
            failed = True
            _error(str(error))
    return EXIT_USAGE if failed else EXIT_OK


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _unmatched_names(texts: Sequence[str], names: Sequence[str]) -> list[str]:
    """One problem per TEXT that is part of no parameter name, with close names."""
    words = sorted({word for name in names for word in name.split("_")})
    problems = []
    for text in texts:
        if any(text in name for name in names):
            continue
        close = difflib.get_close_matches(text, names, n=3) or difflib.get_close_matches(
            text, words, n=3
        )
        hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        problems.append(
            f"params {text}: no parameter name contains {text!r}{hint}; allowed: part of a "
            "parameter name listed by `gemsim params`"
        )
    return problems


def _parameter_block(row: dict[str, Any], width: int = PARAMS_WIDTH) -> list[str]:
    """One parameter as ``name = default  # unit`` (as in a scenario's [parameters]) with
    its allowed values and source below, wrapped to ``width`` columns."""
    default = row["default"]
    value = f'"{default}"' if isinstance(default, str) else _format_value(default)
    unit = f"  # {row['unit']}" if row["unit"] not in ("", "-") else ""
    lines = [f"{row['name']} = {value}{unit}"]
    labelled = [("allowed", row["allowed"]), ("source", row["source"])]
    if row["plausible"]:
        labelled.insert(1, ("varied", f"{row['plausible']} in sensitivity analyses"))
    for label, text in labelled:
        lines += textwrap.wrap(
            str(text),
            width,
            initial_indent=f"    {label + ':':<9}",
            subsequent_indent=" " * 13,
            break_on_hyphens=False,
        )
    return lines


def _params(args: argparse.Namespace) -> int:
    from gemsim.model.parameters import parameter_table

    table = parameter_table()
    problems = _unmatched_names(args.names, [row["name"] for row in table])
    if problems:
        raise UsageError("\n".join(problems))
    selected = [
        row for row in table if not args.names or any(text in row["name"] for text in args.names)
    ]
    if args.format == "table":
        for row in selected:
            print("\n".join(_parameter_block(row)))
        return EXIT_OK
    columns = ["name", "unit", "default", "allowed", "plausible", "source"]
    rows = [{**row, "default": _format_value(row["default"])} for row in selected]
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, [*columns, "description"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif args.format == "markdown":
        header = [*columns, "description"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            cells = [str(row[c]).replace("|", "\\|") for c in header]
            print("| " + " | ".join(cells) + " |")
    return EXIT_OK


# ------------------------------------------------------------------------------ main
def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _error(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"gemsim: error: {line}", file=sys.stderr, flush=True)


def _dispatch(args: argparse.Namespace, argv: Sequence[str]) -> int:
    match args.command:
        case "run" | "compare" | "sweep" | "sensitivity":
            return _run(args, argv)
        case "report":
            return _report(args)
        case "validate":
            return _validate(args)
        case "params":
            return _params(args)
        case "dashboard":
            return _dashboard(args)
        case "patterns":
            return _patterns(args, argv)
        case "claims":
            return _claims(args, argv)
        case "bench":
            if args.against is not None:
                from gemsim.bench_against import main as against

                repeats = 3 if args.quick else args.repeats
                months = 12 if args.quick else 120
                against(
                    args.against,
                    args.regions,
                    args.out,
                    repeats,
                    1 if args.quick else 5,
                    months,
                    scenarios=args.scenarios,
                    params=dict(args.set),
                )
                return EXIT_OK
            from gemsim.bench import main as bench

            bench(args.out, quick=args.quick)
            return EXIT_OK
    raise UsageError(f"unknown command {args.command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gemsim`` command with ``argv`` (default: ``sys.argv[1:]``); return the
    exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(build_parser().parse_args(arguments), arguments)
    except SystemExit as done:  # --help, --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except UserError as error:  # bad input: the message says what to change
        _error(str(error))
        return EXIT_USAGE
    except RunError as error:  # a run or the report failed; a bug behind it shows where
        if error.__cause__ is not None:
            traceback.print_exception(error.__cause__, file=sys.stderr)
        _error(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _say("gemsim: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `gemsim params | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
