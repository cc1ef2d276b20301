"""The page's comparison panel: choose scenarios, run them in the background, read the
results (outcomes over time with bands, paired differences, money, SES gaps)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara
from solara.lab import use_task

from gemsim.analysis.outcomes import EQUITY_GAPS, HEADLINE_OUTCOMES, OUTCOMES, horizon_text
from gemsim.dashboard.charts import DISPLAY, Chart, Prose, bands_option, bars_option, plain_label
from gemsim.dashboard.compare import (
    DEFAULT_SEED,
    ComparisonCancelled,
    ComparisonResult,
    ComparisonSettings,
    available_scenarios,
    check_uploaded_scenario,
    plain_scenario_name,
    run_comparison,
)
from gemsim.errors import GemsimError

__all__ = ["ComparePanel", "comparison_charts"]

MAX_REPLICATIONS = 30  # as experiments/compare_regimes.toml


def comparison_charts(result: ComparisonResult) -> dict[str, list[dict[str, Any]]]:
    """ECharts options of a finished comparison, by section."""
    names = {s: plain_scenario_name(s) for s in result.scenarios}
    stats = result.over_time

    def over_time(outcome: str, diff: bool = False) -> dict[str, Any]:
        info = OUTCOMES[outcome]
        rows = stats.loc[stats["outcome"] == outcome]
        display = DISPLAY[outcome]
        if diff:
            rows = rows.loc[rows["scenario"] != result.baseline]
            spread = _diff_range(rows, display.scale)
            display = replace(
                display,
                unit=info.diff_unit,
                suffix=display.suffix.replace("%", " pp"),
                y_min=-spread,
                y_max=spread,
            )
            return bands_option(
                f"{plain_label(outcome)}: difference to {plain_scenario_name(result.baseline)}",
                rows,
                display,
                [s for s in result.scenarios if s != result.baseline],
                names,
                result.horizon,
                mean="diff_mean",
                low="diff_ci_low",
                high="diff_ci_high",
                subtitle=f"{info.diff_unit}; paired by seed; band: 95% interval",
            )
        return bands_option(
            plain_label(outcome),
            rows,
            display,
            result.scenarios,
            names,
            result.horizon,
            subtitle=f"{display.unit}; band: 95% interval of the mean",
        )

    final = result.summary.loc[result.summary["horizon_month"] == result.horizon]

    def money(outcome: str) -> list[float]:
        values = final.loc[final["outcome"] == outcome].set_index("scenario")["mean"]
        return [float(values.get(s, np.nan)) / 1e6 for s in result.scenarios]

    return {
        "levels": [over_time(name) for name in HEADLINE_OUTCOMES],
        "differences": [over_time(name, diff=True) for name in HEADLINE_OUTCOMES],
        "money": [
            bars_option(
                f"Where the money went, {horizon_text(result.horizon)}",
                [names[s] for s in result.scenarios],
                {
                    "Reached communities": money("funds_disbursed_eur"),
                    "Lost to overhead": money("overhead_eur"),
                },
                "€M for the simulated region, cumulative (mean of the replications)",
            )
        ],
        "gaps": [over_time(name) for name in EQUITY_GAPS],
    }


def _diff_range(rows: pd.DataFrame, scale: float) -> float:
    """A symmetric y-range around 0 that holds every difference and its interval."""
    values = rows[["diff_mean", "diff_ci_low", "diff_ci_high"]].to_numpy(dtype=float) * scale
    finite = np.abs(values[np.isfinite(values)])
    largest = float(finite.max()) if finite.size else 1.0
    power = 10 ** np.floor(np.log10(largest)) if largest > 0 else 1.0
    return float(np.ceil(largest / power) * power)


@solara.component
def ComparePanel() -> None:
    """Scenario choice, the background run with progress, and the results."""
    shipped = solara.use_memo(available_scenarios, [])
    uploads = solara.use_reactive({})  # scenario name -> path of an uploaded file
    upload_folder = solara.use_memo(
        lambda: tempfile.TemporaryDirectory(prefix="gemsim-uploads-"), []
    )
    chosen = solara.use_reactive([name for name in ("status_quo", "groeiplan") if name in shipped])
    baseline = solara.use_reactive("status_quo")
    replications = solara.use_reactive(5)
    years = solara.use_reactive(10)
    seed = solara.use_reactive(DEFAULT_SEED)
    problem = solara.use_reactive("")
    progress = solara.use_reactive((0, 0))

    entries = {**{name: name for name in shipped}, **uploads.value}

    def settings() -> ComparisonSettings:
        picked = [name for name in chosen.value if name in entries]
        base = baseline.value if baseline.value in picked else (picked[0] if picked else "")
        return ComparisonSettings(
            scenarios=tuple(entries[name] for name in picked),
            baseline=entries.get(base, base),
            replications=replications.value,
            months=12 * years.value,
            seed=seed.value,
        )

    def work(current: ComparisonSettings) -> ComparisonResult:
        return run_comparison(
            current,
            on_progress=lambda done, total: progress.set((done, total)),
            should_stop=lambda: not runner.is_current(),
        )

    runner = use_task(work, dependencies=None, raise_error=False)

    def start() -> None:
        problem.set("")
        try:
            current = settings()
            current.experiment()  # check before starting: a clear message, no thread
        except GemsimError as error:
            problem.set(str(error))
            return
        progress.set((0, current.replications * len(current.scenarios)))
        runner(current)

    def add_upload(file: Any) -> None:
        problem.set("")
        try:
            path = check_uploaded_scenario(
                file["name"], file["file_obj"].read(), Path(upload_folder.name)
            )
        except GemsimError as error:
            problem.set(str(error))
            return
        name = path.stem
        uploads.set({**uploads.value, name: str(path)})
        chosen.set([*chosen.value, name])

    with solara.Columns([1, 3], style={"align-items": "flex-start"}):
        with solara.Card("What to compare", classes=["gemsim-compare-settings"]):
            Prose(
                "Each scenario runs with the same random seeds (common random numbers), so "
                "differences to the baseline are paired and precise."
            )
            for name in entries:
                description = shipped.get(name, "uploaded scenario file")
                solara.Checkbox(
                    label=f"{plain_scenario_name(name)} ({name})",
                    value=name in chosen.value,
                    on_value=lambda on, name=name: chosen.set(
                        [
                            n
                            for n in entries
                            if (n == name and on) or (n != name and n in chosen.value)
                        ]
                    ),
                )
                solara.Text(
                    description,
                    style={"font-size": "12px", "color": "#444", "margin": "-8px 0 6px 32px"},
                )
            solara.FileDrop(
                label="Or drop a scenario file (.toml) here", on_file=add_upload, lazy=False
            )
            picked = [n for n in entries if n in chosen.value]
            if picked:
                shown = {plain_scenario_name(n): n for n in picked}
                solara.Select(
                    "Baseline (differences are to this one)",
                    value=plain_scenario_name(
                        baseline.value if baseline.value in picked else picked[0]
                    ),
                    values=list(shown),
                    on_value=lambda label: baseline.set(shown[label]),
                )
            Prose(f"**Replications per scenario**: {replications.value}")
            solara.SliderInt("", value=replications, min=2, max=MAX_REPLICATIONS, thumb_label=False)
            Prose(f"**Years simulated**: {years.value}")
            solara.SliderInt("", value=years, min=1, max=10, thumb_label=False)
            solara.InputInt("Root seed", value=seed, continuous_update=True)
            with solara.Row():
                solara.Button(
                    "Run comparison", on_click=start, color="primary", disabled=runner.pending
                )
                solara.Button("Stop", on_click=runner.cancel, disabled=not runner.pending)
            done, total = progress.value
            if runner.pending:
                solara.ProgressLinear(100 * done / total if total else True)
                solara.Text(f"{done} of {total} runs done", classes=["gemsim-progress"])
            if problem.value:
                solara.Error(problem.value, classes=["gemsim-error"])
            if runner.error and not isinstance(runner.exception, ComparisonCancelled):
                solara.Error(f"The comparison failed: {runner.exception}", classes=["gemsim-error"])
        with solara.Column():
            result = runner.value if runner.finished else None
            if result is None:
                solara.Info(
                    "Choose two or more scenarios and press Run comparison. A few "
                    "replications of the default region take seconds; 30 replications of "
                    "four scenarios about a minute."
                )
            else:
                ComparisonResults(result)


@solara.component
def ComparisonResults(result: ComparisonResult) -> None:
    charts = solara.use_memo(lambda: comparison_charts(result), [result])
    settings = result.settings
    solara.Success(
        f"{result.runs} runs ({len(result.scenarios)} scenarios × {settings.replications} "
        f"replications × {settings.months} months) in {result.wall_time_s:.1f} s.",
        classes=["gemsim-compare-done"],
    )
    Prose("### Outcomes over time (mean of the replications, 95% band)")
    with solara.GridFixed(columns=2):
        for index, option in enumerate(charts["levels"]):
            Chart(option, height=290, test_id=f"compare-level-{index}")
    Prose(f"### Differences to {plain_scenario_name(result.baseline)}")
    Prose(
        "Replication *r* of every scenario used the same seed as replication *r* of the "
        "baseline; each difference is taken per pair and summarised with a 95% "
        "interval (Student t). The intervals say how precisely the replications pin down "
        "the model's mean, not whether its assumptions are right."
    )
    solara.DataFrame(result.differences(), items_per_page=40)
    with solara.GridFixed(columns=2):
        for index, option in enumerate(charts["differences"]):
            Chart(option, height=290, test_id=f"compare-diff-{index}")
    Prose("### Money to the ground and money lost to overhead")
    Chart(charts["money"][0], height=120 + 48 * len(result.scenarios), test_id="compare-money")
    Prose("### Gaps between high- and low-SES neighbourhoods")
    with solara.GridFixed(columns=3):
        for index, option in enumerate(charts["gaps"]):
            Chart(option, height=290, test_id=f"compare-gap-{index}")
    with solara.Details("Reproduce these numbers from the command line"):
        Prose(
            "Save this as `comparison.toml` and run `gemsim compare comparison.toml`: its "
            "`summary.csv` holds the same numbers."
        )
        solara.Preformatted(settings.toml())
        solara.FileDownload(
            settings.toml(), filename="comparison.toml", label="Download comparison.toml"
        )
