"""Compare scenarios side by side: the same job as ``gemsim compare``, run for the page.

:func:`run_comparison` plans the runs with :func:`gemsim.study.jobs.plan_runs` (every
scenario with the same replication seeds: common random numbers), runs them with the
experiment runner and :func:`gemsim.study.simulation.simulate` into a private temporary
result store, and summarises them with :func:`gemsim.analysis.report.compute_tables` and
:func:`gemsim.analysis.summary.summarize`, so its tables are the ones ``gemsim compare``
writes to ``summary.csv`` and ``cost_effectiveness.csv`` for the same settings
(:meth:`ComparisonSettings.toml` is that experiment file). Nothing is kept on disk.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from gemsim.analysis.data import load_results
from gemsim.analysis.outcomes import EQUITY_GAPS, HEADLINE_OUTCOMES, describe, horizon_text
from gemsim.analysis.report import compute_tables
from gemsim.analysis.summary import summarize
from gemsim.errors import UserError
from gemsim.experiments import (
    ResultStore,
    build_manifest,
    make_executor,
    replication_seeds,
    run_experiment,
)
from gemsim.experiments.store import MANIFEST
from gemsim.study.jobs import plan_runs
from gemsim.study.scenario import (
    Experiment,
    ScenarioError,
    read_scenario,
    scenario_search_dirs,
    toml_value,
)
from gemsim.study.simulation import simulate

__all__ = [
    "ComparisonCancelled",
    "ComparisonResult",
    "ComparisonSettings",
    "available_scenarios",
    "plain_scenario_name",
    "run_comparison",
]

#: Plain names of the shipped scenarios (others are shown by their own name).
SCENARIO_NAMES: dict[str, str] = {
    "status_quo": "Status quo",
    "subsidy_channel": "Proposal's money via municipal subsidies",
    "groeiplan": "Groeiplan: direct community fund",
    "hybrid": "Community fund with municipal co-decision",
    "netherlands": "Groeiplan, whole Netherlands (1:100)",
}

#: Outcomes summarised for every month (drawn over time with bands).
OVER_TIME: tuple[str, ...] = (*HEADLINE_OUTCOMES, *EQUITY_GAPS)
MONEY: tuple[str, ...] = ("funds_disbursed_eur", "overhead_eur")
DEFAULT_SEED = 20210601  # the root seed of experiments/compare_regimes.toml


class ComparisonCancelled(Exception):
    """The visitor stopped the comparison (raised from the runner's batch callback)."""


def plain_scenario_name(name: str) -> str:
    return SCENARIO_NAMES.get(name, name.replace("_", " ").capitalize())


def available_scenarios() -> dict[str, str]:
    """Scenario name -> description, for every scenario file the command line would find
    by name (``./scenarios`` and the shipped ones)."""
    found: dict[str, str] = {}
    for folder in scenario_search_dirs():
        for path in sorted(folder.glob("*.toml")):
            if path.stem in found:
                continue
            try:
                found[path.stem] = read_scenario(path).description
            except ScenarioError:
                continue  # not a scenario file, or a broken one: not offered
    return found


@dataclass(frozen=True)
class ComparisonSettings:
    """What to compare: scenario names or paths, the baseline, replications, horizon, seed
    and optionally the region's size (None: as each scenario sets it)."""

    scenarios: tuple[str, ...]
    baseline: str
    replications: int = 5
    months: int = 120
    seed: int = DEFAULT_SEED
    n_municipalities: int | None = None

    def experiment(self) -> Experiment:
        """The experiment, resolved and checked; raises ScenarioError naming the problem."""
        if len(self.scenarios) < 2:
            raise ScenarioError("choose at least two scenarios to compare")
        parameters = (
            {} if self.n_municipalities is None else {"n_municipalities": self.n_municipalities}
        )
        try:
            experiment = Experiment(
                name="dashboard",
                description="Comparison run from the dashboard.",
                scenarios=list(self.scenarios),
                baseline=self.baseline,
                replications=self.replications,
                months=self.months,
                seed=self.seed,
                parameters=parameters,
            )
        except ValueError as error:
            raise ScenarioError(str(error)) from None
        return experiment.resolve()

    def toml(self) -> str:
        """The experiment file that ``gemsim compare`` runs to get the same numbers."""
        lines = [
            'name = "dashboard"',
            'description = "Comparison run from the dashboard."',
            f"scenarios = {toml_value(list(self.scenarios))}",
            f"baseline = {toml_value(self.baseline)}",
            f"replications = {self.replications}",
            f"months = {self.months}",
            f"seed = {self.seed}",
        ]
        if self.n_municipalities is not None:
            lines += ["", "[parameters]", f"n_municipalities = {self.n_municipalities}"]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ComparisonResult:
    """The summaries of a finished comparison.

    Attributes:
        settings: what was compared.
        scenarios: scenario names, baseline first.
        baseline: the baseline's name.
        descriptions: scenario name -> description.
        summary: as ``summary.csv``: per scenario x outcome x horizon (5 and 10 years, or
            the last month), mean with 95% CI and the paired difference to the baseline
            with its 95% CI.
        cost: as ``cost_effectiveness.csv``.
        over_time: :func:`summarize` at every month for the outcomes drawn over time and
            the money reporters.
        horizon: the last month.
        runs: number of runs; wall_time_s: how long they took.
    """

    settings: ComparisonSettings
    scenarios: list[str]
    baseline: str
    descriptions: dict[str, str]
    summary: pd.DataFrame = field(repr=False)
    cost: pd.DataFrame = field(repr=False)
    over_time: pd.DataFrame = field(repr=False)
    horizon: int
    runs: int
    wall_time_s: float

    def differences(self) -> pd.DataFrame:
        """The paired differences to the baseline in display units, for the page's table:
        scenario, outcome, horizon, difference and its 95% CI as text."""
        rows = []
        table = self.summary.loc[self.summary["scenario"] != self.baseline]
        for row in table.itertuples(index=False):
            outcome = describe(str(row.outcome))
            if outcome.name not in (*OVER_TIME, *MONEY):
                continue
            scale = outcome.scale
            digits = 3 if outcome.diff_unit == "points" else 1 if scale == 100 else 0
            shown = (row.diff_mean * scale, row.diff_ci_low * scale, row.diff_ci_high * scale)
            if outcome.unit == "EUR":
                text = [f"{'+' if value >= 0 else '-'}€{abs(value) / 1e6:,.2f}M" for value in shown]
                unit = "€M"
            else:
                text = [f"{value:+.{digits}f}" for value in shown]
                unit = outcome.diff_unit
            rows.append(
                {
                    "Scenario": plain_scenario_name(str(row.scenario)),
                    "Outcome": outcome.label,
                    "After": horizon_text(int(row.horizon_month)),
                    "Difference to baseline": text[0],
                    "95% interval": f"{text[1]} to {text[2]}",
                    "Unit": unit,
                    "Pairs": int(row.n_pairs),
                }
            )
        return pd.DataFrame(rows)


def run_comparison(
    settings: ComparisonSettings,
    *,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ComparisonResult:
    """Run a comparison and summarise it (module docstring).

    Args:
        settings: what to compare.
        workers: worker processes (default: all cores, at most one per run; 1 runs here).
        on_progress: called with (runs done, runs planned) after each stored batch.
        should_stop: polled after each batch; True stops the runs.

    Raises:
        ScenarioError: a scenario or setting is invalid.
        ComparisonCancelled: ``should_stop`` returned True.
        RunFailedError: a run failed.
    """
    started = time.perf_counter()
    experiment = settings.experiment()
    specs = plan_runs(experiment)
    total = len(specs)
    done = 0
    if on_progress is not None:
        on_progress(0, total)

    def after_batch(batch: Sequence[object], frame: pd.DataFrame) -> None:
        nonlocal done
        done += len(batch)
        if on_progress is not None:
            on_progress(done, total)
        if should_stop is not None and should_stop():
            raise ComparisonCancelled("comparison stopped")

    with tempfile.TemporaryDirectory(prefix="gemsim-dashboard-") as folder:
        store = ResultStore(Path(folder))
        store.prepare()
        record = {**experiment.as_record(), "kind": "compare"}
        seeds = replication_seeds(experiment.seed, experiment.replications)
        count = max(1, min(workers or os.cpu_count() or 1, total))
        with make_executor(count) as executor:
            run_experiment(specs, simulate, store, executor, progress=False, on_batch=after_batch)
        now = datetime.now(UTC)
        store.write_json(
            MANIFEST,
            build_manifest(
                record, seeds, now, now, total, time.perf_counter() - started, "complete"
            ),
        )
        results = load_results(folder)
        summary, cost = compute_tables(results)
        over_time = summarize(
            store.read_timeseries(
                columns=["scenario", "replication", "seed", "point", "month", *OVER_TIME, *MONEY]
            ),
            baseline=results.baseline or None,
            outcomes=[*OVER_TIME, *MONEY],
            horizons=range(experiment.horizon + 1),
        )
    return ComparisonResult(
        settings=settings,
        scenarios=results.scenarios,
        baseline=results.baseline,
        descriptions={name: results.descriptions.get(name, "") for name in results.scenarios},
        summary=summary,
        cost=cost,
        over_time=over_time,
        horizon=experiment.horizon,
        runs=total,
        wall_time_s=time.perf_counter() - started,
    )


def check_uploaded_scenario(name: str, data: bytes, folder: Path) -> Path:
    """Save an uploaded scenario file in ``folder`` and check it; return its path.

    Raises UserError (ScenarioError) naming the file and the problem.
    """
    if not name.endswith(".toml"):
        raise UserError(f"{name}: not allowed: a scenario file must be a .toml file")
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in Path(name).name)
    path = folder / safe
    path.write_bytes(data)
    try:
        read_scenario(path).build()
    except UserError as error:
        path.unlink(missing_ok=True)
        raise UserError(str(error).replace(f"{folder}{os.sep}", "")) from None
    return path
