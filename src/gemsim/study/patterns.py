"""What ``gemsim patterns`` does: run a patterns experiment and score it against the data.

A patterns experiment is an experiment file with a ``[patterns]`` table (schema:
:mod:`gemsim.study.patterns_spec`; example ``experiments/patterns.toml``). The job:

1. loads the file and checks that its horizon reaches every year a criterion names;
2. runs it like any experiment (:func:`gemsim.study.jobs.run_job`: same seeds, store,
   manifest, resume and ``report.html``);
3. reads the stored monthly values of each pattern's reporter and turns them into yearly
   values in the observed unit (:func:`simulated_years`);
4. scores them (:func:`gemsim.analysis.patterns.score_patterns`) and writes
   ``patterns.csv``, ``figures/patterns.png`` and ``patterns.html`` into the results folder.

``patterns.html`` is a page of its own rather than a section of ``report.html``: the report
is the same for every experiment and is rebuilt by ``gemsim report``, while the scoring
needs the ``[patterns]`` criteria and the observed table. Rerun ``gemsim patterns FILE
--resume`` to score stored runs again without rerunning them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gemsim.errors import UserError
from gemsim.study.experiment import Experiment, load_experiment
from gemsim.study.files import DEFAULT_PATTERNS_FILE, ScenarioError, show_path
from gemsim.study.jobs import JobResult, Log, ReportError, RunOptions, run_job

if TYPE_CHECKING:
    import pandas as pd

    from gemsim.study.patterns_spec import PatternSettings

__all__ = [
    "CSV_FILE",
    "DEFAULT_PATTERNS_FILE",
    "FIGURE_FILE",
    "PAGE_FILE",
    "build_patterns_outputs",
    "load_patterns_experiment",
    "population_share",
    "run_patterns_job",
    "simulated_years",
]

CSV_FILE = "patterns.csv"
FIGURE_FILE = "figures/patterns.png"
PAGE_FILE = "patterns.html"


def load_patterns_experiment(
    path: str | Path,
    *,
    replications: int | None = None,
    months: int | None = None,
    seed: int | None = None,
) -> Experiment:
    """Read a patterns experiment with command-line overrides; raises ScenarioError if it
    has no ``[patterns]`` table or its horizon ends before a year a criterion names."""
    experiment = load_experiment(path).with_overrides(
        replications=replications, months=months, seed=seed
    )
    where = show_path(path)
    settings = experiment.patterns
    if settings is None:
        raise ScenarioError(
            f"{where}: has no [patterns] table; allowed: an experiment with [patterns] "
            "(see experiments/patterns.toml)"
        )
    needed = settings.months_needed()
    if experiment.horizon < needed:
        given = f"--months {months}" if months is not None else f"months = {experiment.horizon}"
        raise ScenarioError(
            f"{where}: {given} is not allowed: the criteria compare years up to "
            f"{settings.last_year}, so a run from January {settings.start_year} needs at "
            f"least {needed} months"
        )
    return experiment


def population_share(overrides: Mapping[str, Any]) -> float:
    """The simulated region's expected share of the national population.

    The region's expected population (``Parameters.expected_population``: its buurten of
    ``inhabitants_per_neighbourhood`` inhabitants on average) over the nation's; one run's
    own share differs from it by a few percent, as its buurt sizes are drawn. Initial
    collective counts are national counts times the run's share, so dividing a count by
    this share gives it at national scale.
    """
    from gemsim.model.parameters import Parameters

    params = Parameters.build(dict(overrides))
    return params.expected_population() / params.national_population


def simulated_years(
    timeseries: pd.DataFrame, settings: PatternSettings, population_share: float
) -> pd.DataFrame:
    """Each replication's yearly value of each pattern, in the observed unit.

    Args:
        timeseries: stored monthly values: ``replication``, ``month`` and each pattern's
            reporter (month 0 is the initial state; month 1 is January of ``start_year``).
        settings: the ``[patterns]`` table (reporter and ``at`` of each pattern).
        population_share: the region's share of the national population.

    Returns:
        ``pattern``, ``replication``, ``year``, ``value``: shares in % (the reporter's
        scale), counts divided by ``population_share``; only whole simulated years.
    """
    import pandas as pd

    from gemsim.model.outcomes import OUTCOMES

    outcomes = {outcome.name: outcome for outcome in OUTCOMES}
    monthly = timeseries.loc[timeseries["month"] >= 1]
    year = settings.start_year + (monthly["month"] - 1) // 12
    whole_year = monthly.groupby(year)["month"].transform("nunique") == 12
    frames = []
    for pattern, spec in settings.patterns.items():
        outcome = outcomes[spec.reporter]
        is_count = spec.reporter == "collectives" or outcome.kind == "collective_type"
        factor = 1 / population_share if is_count else outcome.scale
        values = monthly.loc[whole_year, ["replication", "month", spec.reporter]]
        values = values.assign(year=year[whole_year])
        if spec.at == "end":
            values = values.loc[values["month"] % 12 == 0]
        yearly = values.groupby(["replication", "year"], sort=True)[spec.reporter].mean()
        frames.append(
            pd.DataFrame(
                {
                    "pattern": pattern,
                    "replication": yearly.index.get_level_values("replication"),
                    "year": yearly.index.get_level_values("year").astype(int),
                    "value": yearly.to_numpy(dtype=float) * factor,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def build_patterns_outputs(
    results_dir: Path | str, experiment: Experiment, command: str = ""
) -> dict[str, Path]:
    """Score the stored runs of ``experiment`` in ``results_dir``; write ``patterns.csv``,
    ``figures/patterns.png`` and ``patterns.html``; return them by name (``patterns``,
    ``figure:patterns``, ``patterns_page``)."""
    from gemsim.analysis.files import write_csv
    from gemsim.analysis.patterns import plot_patterns, render_patterns_page, score_patterns
    from gemsim.atomic import write_text
    from gemsim.experiments import ResultStore
    from gemsim.study.observed import observed_frame

    settings = experiment.patterns
    if settings is None:
        raise ScenarioError(f"experiment {experiment.name!r} has no [patterns] table")
    folder = Path(results_dir)
    scenario = experiment.baseline_name
    overrides = experiment.scenario_overrides()[scenario]
    share = population_share(overrides)
    reporters = list(dict.fromkeys(spec.reporter for spec in settings.patterns.values()))
    timeseries = ResultStore(folder).read_timeseries(
        columns=["replication", "month", *reporters], filters=[("scenario", "==", scenario)]
    )
    simulated = simulated_years(timeseries, settings, share)
    observed = observed_frame()
    scored = score_patterns(observed, simulated, settings)
    paths = {"patterns": write_csv(scored, folder / CSV_FILE)}
    paths["figure:patterns"] = plot_patterns(observed, simulated, scored, folder / FIGURE_FILE)
    context = {
        "name": experiment.name,
        "description": experiment.description,
        "scenario": scenario,
        "start_year": settings.start_year,
        "months": experiment.horizon,
        "replications": int(simulated["replication"].nunique()),
        "seed": experiment.seed,
        "population_share": share,
        "command": command,
    }
    html_text = render_patterns_page(scored, observed, paths["figure:patterns"], context)
    paths["patterns_page"] = write_text(folder / PAGE_FILE, html_text)
    return paths


def run_patterns_job(experiment: Experiment, options: RunOptions, log: Log) -> JobResult:
    """Run a patterns experiment (:func:`run_job`) and, if it completed and
    ``options.report``, score it: the outputs are added to the result's ``outputs``."""
    if options.force:  # the result store deletes its own files (figures/ included)
        for name in (CSV_FILE, PAGE_FILE):
            (Path(options.out_dir) / name).unlink(missing_ok=True)
    result = run_job(experiment, options, log)
    if result.status != "complete" or not options.report:
        return result
    try:
        outputs = build_patterns_outputs(options.out_dir, experiment, options.command)
    except UserError:
        raise
    except Exception as error:  # a bug in the scoring: keep its traceback as the cause
        where = show_path(options.out_dir)
        raise ReportError(
            f"scoring the patterns of {where} failed: {type(error).__name__}: {error}; the "
            f"results are stored, retry with `{options.command or 'gemsim patterns'} --resume`"
        ) from error
    return replace(result, outputs={**(result.outputs or {}), **outputs})
