"""The self-contained HTML report of an experiment: ``report.html``.

One file, no external resources (inline CSS, figures as base64 PNG; built with
:mod:`gemsim.analysis.html`), so it can be mailed, archived and cited. It says what was run,
what came out (plain sentences generated from the summary, figures, tables), which
assumptions it rests on, what it does not mean, and the command that reproduces it. It
reads stored results only and never reruns the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gemsim.analysis.data import (
    Results,
    experiment_command,
    fold_points,
    load_results,
    neighbourhood_count,
    non_default_parameters,
)
from gemsim.analysis.html import escape, figure, page, table
from gemsim.analysis.outcomes import (
    EQUITY_GAPS,
    HEADLINE_OUTCOMES,
    OUTCOMES,
    describe,
    horizon_text,
)
from gemsim.analysis.summary import COST_DEFINITION, NO_GAIN
from gemsim.atomic import write_text

__all__ = [
    "compute_tables",
    "headline_sentences",
    "render_report",
    "write_report",
]

MINUS = "\u2212"

_FIGURE_TEXT: dict[str, tuple[str, str]] = {
    "outcomes_over_time": (
        "Outcomes over time",
        "Each line is the mean over the replications of a scenario; the shaded band is the "
        "95% confidence interval of that mean (Monte Carlo uncertainty only).",
    ),
    "differences": (
        "Difference to the baseline",
        "Each marker is the mean difference to the baseline over paired replications (same "
        "random seed in both scenarios); the bar is its 95% confidence interval. A bar that "
        "crosses the vertical line means no clear difference.",
    ),
    "equity": (
        "Who gains: high- versus low-SES neighbourhoods",
        "Top: the gap between high- and low-SES neighbourhoods (high minus low) over time. "
        "Bottom: how much the gap changed from the start to the end of the run; below zero "
        "means low-SES neighbourhoods caught up. The model reports the gaps, not the "
        "separate levels of each group.",
    ),
    "money": (
        "Where the money went",
        "Cumulative euros in the simulated region at the end of the run, mean of the "
        "replications. Grants are money paid to collectives (which spend it on projects and "
        "running costs or still hold it); 'still held' includes municipal budgets and fund "
        "balances not yet paid out and collectives' own money, so the bar is not a "
        "partition of public money.",
    ),
    "cost_effectiveness": (
        "Cost per unit of outcome gained",
        "Extra public money compared with the baseline divided by the gain, with the 95% "
        "confidence interval (Fieller's method on paired replications); 'n/a (no gain)' "
        "where the gain is not clearly above zero.",
    ),
}


# ------------------------------------------------------------------------ number formats
def _decimals(*values: float) -> int:
    """Decimals that show the largest of ``values`` with three significant digits."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not finite:
        return 1
    magnitude = math.floor(math.log10(max(finite)))
    return max(0, min(4, 2 - magnitude))


def _num(value: float, decimals: int, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.replace("-", MINUS)


def _eur(value: float) -> str:
    """Euros to three significant digits: "€52,300", "€1.62 million"."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e6:
        return f"€{value / 1e6:,.3g} million".replace("-", MINUS)
    rounded = float(f"{value:.3g}")
    return f"€{rounded:,.0f}".replace("-", MINUS)


def _ci_text(mean: float, low: float, high: float, scale: float, sign: bool = False) -> str:
    digits = _decimals(mean * scale, low * scale, high * scale)
    if not (math.isfinite(low) and math.isfinite(high)):
        return _num(mean * scale, digits, sign)
    return (
        f"{_num(mean * scale, digits, sign)} "
        f"({_num(low * scale, digits)} to {_num(high * scale, digits)})"
    )


# ------------------------------------------------------------------------ sentences
def _is_clear(low: float, high: float) -> bool:
    """True if the 95% CI excludes 0."""
    return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)


def _clear_sentence(row: Mapping[str, Any], baseline_gap: float | None) -> str:
    """ "Compared with B, S raises X by d unit (95% CI a to b) after N years." (|d|, a, b > 0)."""
    info = describe(row["outcome"])
    mean, low, high = (row[k] * info.scale for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
    digits = _decimals(mean, low, high)
    size, lo, hi = (mean, low, high) if mean > 0 else (-mean, -high, -low)
    noun = escape(info.noun)
    if row["outcome"] in EQUITY_GAPS:
        # The gap is high- minus low-SES: a rise widens it when high-SES are ahead.
        widening = (mean > 0) == (baseline_gap is None or baseline_gap >= 0)
        verb = "widens" if widening else "narrows"
        noun = f"the {noun} between high- and low-SES neighbourhoods"
    else:
        verb = "raises" if mean > 0 else "lowers"
    return (
        f"Compared with {escape(row['baseline'])}, {escape(row['scenario'])} "
        f"<span class='clear'>{verb} {noun} by {_num(size, digits)} {escape(info.diff_unit)}"
        f"</span> (95% CI {_num(lo, digits)} to {_num(hi, digits)}) "
        f"{horizon_text(int(row['horizon_month']))}."
    )


def _unclear_phrase(row: Mapping[str, Any]) -> str:
    """ "social trust (+0.3 percentage points, 95% CI −0.5 to 1.1)"."""
    info = describe(row["outcome"])
    mean, low, high = (row[k] * info.scale for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
    digits = _decimals(mean, low, high)
    return (
        f"{escape(info.noun)} ({_num(mean, digits, sign=True)} {escape(info.diff_unit)}, 95% CI "
        f"{_num(low, digits)} to {_num(high, digits)})"
    )


def _cost_sentence(row: Mapping[str, Any]) -> str:
    return (
        f"In {escape(row['scenario'])}, the extra public money per {escape(row['unit'])} "
        f"gained was about <b>{_eur(row['eur_per_unit'])}</b> (95% CI "
        f"{_eur(row['eur_per_unit_ci_low'])} to {_eur(row['eur_per_unit_ci_high'])}) "
        f"{horizon_text(int(row['horizon_month']))}"
        f"{': a gain at no extra cost' if row['note'] else ''}."
    )


def _scenario_sentences(
    part: pd.DataFrame, cost: pd.DataFrame, base_means: Mapping[str, float]
) -> list[str]:
    lines, unclear = [], []
    for outcome in (*HEADLINE_OUTCOMES, *EQUITY_GAPS):
        hit = part.loc[part["outcome"] == outcome]
        if hit.empty:
            continue
        row = hit.iloc[0].to_dict()
        if _is_clear(row["diff_ci_low"], row["diff_ci_high"]):
            lines.append(_clear_sentence(row, base_means.get(outcome)))
        else:
            unclear.append(_unclear_phrase(row))
    first = part.iloc[0]
    if unclear:
        lines.append(
            f"Compared with {escape(first['baseline'])}, {escape(first['scenario'])} shows "
            f"<b>no clear difference</b> {horizon_text(int(first['horizon_month']))} in "
            + "; ".join(unclear)
            + "."
        )
    no_gain = []
    for _, row in cost.iterrows():
        if math.isfinite(row["eur_per_unit"]):
            lines.append(_cost_sentence(row.to_dict()))
        else:
            noun = escape(describe(row["outcome"]).noun)
            no_gain.append(noun if row["note"] == NO_GAIN else f"{noun} ({escape(row['note'])})")
    if no_gain:
        lines.append(
            "No cost per unit gained is given for "
            + ", ".join(no_gain)
            + ": the gain is not clearly above zero."
        )
    return lines


def headline_sentences(
    summary: pd.DataFrame,
    cost: pd.DataFrame | None = None,
    horizon: int | None = None,
    scenarios: Sequence[str] | None = None,
) -> dict[str, list[str]]:
    """Plain sentences per non-baseline scenario at a horizon (default: the last).

    A difference whose 95% CI excludes 0 gets its own sentence ("raises ... by ..."); the
    others are listed under "no clear difference", with their numbers. Costs per unit gained
    follow. Text is HTML-escaped; emphasis uses ``<b>`` and ``<span>``.
    """
    rows = summary.loc[summary["diff_mean"].notna()]
    if rows.empty:
        return {}
    horizon = int(rows["horizon_month"].max()) if horizon is None else horizon
    rows = rows.loc[rows["horizon_month"] == horizon]
    base_means = summary.loc[
        (summary["scenario"] == summary["baseline"]) & (summary["horizon_month"] == horizon)
    ].set_index("outcome")["mean"]
    if cost is None or cost.empty:
        cost = pd.DataFrame(columns=["scenario", "horizon_month", "outcome", "eur_per_unit"])
    cost = cost.loc[cost["horizon_month"] == horizon]
    present = list(dict.fromkeys(rows["scenario"]))
    order = [s for s in (scenarios or []) if s in present] + [
        s for s in present if s not in (scenarios or [])
    ]
    return {
        str(scenario): _scenario_sentences(
            rows.loc[rows["scenario"] == scenario],
            cost.loc[cost["scenario"] == scenario],
            base_means.to_dict(),
        )
        for scenario in order
    }


# ------------------------------------------------------------------------ HTML pieces
def _what_was_run(results: Results) -> str:
    manifest, experiment = results.manifest, results.experiment
    runs = results.runs
    reps = runs.groupby("scenario")["replication"].nunique()
    reps = reps.reindex([s for s in results.scenarios if s in reps.index])
    months = sorted(int(m) for m in runs["months"].unique()) if "months" in runs else []
    seeds = manifest.get("seeds") or sorted(runs["seed"].unique().tolist())
    git = manifest.get("git") if isinstance(manifest.get("git"), dict) else {}
    versions = manifest.get("versions") if isinstance(manifest.get("versions"), dict) else {}
    neighbourhoods = neighbourhood_count(runs)
    facts: list[tuple[str, str]] = [
        ("Experiment", str(experiment.get("name") or results.results_dir.name)),
        ("Status", str(manifest.get("status") or "not recorded")),
        ("Replications per scenario", ", ".join(f"{s}: {n}" for s, n in reps.items())),
        (
            "Horizon",
            ", ".join(f"{m} months ({m / 12:g} years)" for m in months) or "not recorded",
        ),
        (
            "Horizons summarised",
            ", ".join(f"month {h} ({horizon_text(h)})" for h in results.horizons),
        ),
        ("Root seed", str(experiment.get("seed", "not recorded"))),
        ("Replication seeds", _seed_text(seeds)),
        ("Runs stored", f"{len(runs)} (manifest: {manifest.get('run_count', 'not recorded')})"),
        (
            "Neighbourhoods in the simulated region",
            str(neighbourhoods) if neighbourhoods else "varies between runs",
        ),
        ("Started / finished", f"{manifest.get('started')} / {manifest.get('finished')}"),
        ("Wall time", f"{manifest.get('wall_time_s')} s"),
        ("gemsim version", str(manifest.get("gemsim_version", "not recorded"))),
        (
            "Library versions",
            ", ".join(f"{k} {v}" for k, v in versions.items() if v) or "not recorded",
        ),
        (
            "Git commit",
            f"{git.get('commit') or 'not recorded'}"
            + (" (with uncommitted changes)" if git.get("dirty") else ""),
        ),
    ]
    facts_html = table(["Item", "Value"], facts, css="facts")
    scenario_rows = [
        (
            s + (" (baseline)" if s == results.baseline else ""),
            results.descriptions.get(s) or "",
        )
        for s in results.scenarios
    ]
    return (
        "<h2>What was run</h2>"
        + table(["Scenario", "Description"], scenario_rows, css="scenarios")
        + facts_html
    )


def _seed_text(seeds: Sequence[Any]) -> str:
    seeds = [str(s) for s in seeds]
    if len(seeds) <= 4:
        return ", ".join(seeds) or "not recorded"
    return f"{len(seeds)} seeds: {', '.join(seeds[:3])}, …, {seeds[-1]}"


def _glance_html(results: Results, summary: pd.DataFrame) -> str:
    """One table to start from: each scenario's difference to the baseline at the horizon,
    per key outcome and equity gap, with its 95% CI; blank where there is no clear
    difference."""
    horizon = max(results.horizons)
    rows_at = summary[summary["horizon_month"] == horizon]
    others = [s for s in results.scenarios if s != results.baseline]
    rows = []
    for outcome in (*HEADLINE_OUTCOMES, *EQUITY_GAPS):
        info = describe(outcome)
        cells = [f"{info.label} ({info.diff_unit})"]
        for scenario in others:
            match = rows_at[(rows_at["scenario"] == scenario) & (rows_at["outcome"] == outcome)]
            if match.empty or not math.isfinite(match["diff_mean"].iloc[0]):
                cells.append("n/a")
                continue
            row = match.iloc[0]
            if _is_clear(row["diff_ci_low"], row["diff_ci_high"]):
                cells.append(
                    _ci_text(
                        row["diff_mean"],
                        row["diff_ci_low"],
                        row["diff_ci_high"],
                        info.scale,
                        sign=True,
                    )
                )
            else:
                cells.append("no clear difference")
        rows.append(cells)
    header = [f"Difference to {results.baseline}, {horizon_text(horizon)}", *others]
    return (
        "<h3>At a glance</h3>"
        + table(header, rows, numeric=frozenset(range(1, len(others) + 1)))
        + "<p class='box'>Mean difference over paired replications with its 95% confidence "
        "interval in brackets. For the gaps between high- and low-SES neighbourhoods, below "
        "zero means low-SES neighbourhoods catch up.</p>"
    )


def _headlines_html(results: Results, summary: pd.DataFrame, cost: pd.DataFrame) -> str:
    if not results.baseline:
        wanted = results.experiment.get("baseline") or "status_quo"
        return (
            "<h2>Main results</h2><p class='box'>The baseline scenario "
            f"<code>{escape(wanted)}</code> was not run, so scenarios are not compared; "
            "the figures and tables show each scenario on its own.</p>"
        )
    if len(results.scenarios) < 2:
        return (
            "<h2>Main results</h2><p class='box'>Only one scenario was run, so there is no "
            "comparison; the figures and tables describe it on its own.</p>"
        )
    parts = ["<h2>Main results</h2>", _glance_html(results, fold_points(summary))]
    for horizon in reversed(results.horizons):
        sentences = headline_sentences(
            fold_points(summary), fold_points(cost), horizon, scenarios=results.scenarios
        )
        parts.append(f"<h3>{escape(horizon_text(horizon).capitalize())}</h3>")
        for scenario, lines in sentences.items():
            items = "".join(f"<li>{line}</li>" for line in lines)
            about = results.descriptions.get(scenario)
            about_text = f": {escape(about)}" if about else ""
            parts.append(f"<p><b>{escape(scenario)}</b>{about_text}</p><ul>{items}</ul>")
    parts.append(
        "<p class='box'>'95% CI' is the 95% confidence interval of the mean over replications. "
        "'No clear difference' means the interval includes zero. Differences are computed per "
        "pair of runs with the same random seed (common random numbers).</p>"
    )
    return "".join(parts)


def _figures_html(figures: Mapping[str, Path]) -> str:
    parts = ["<h2>Figures</h2>"]
    for name, path in figures.items():
        title, caption = _FIGURE_TEXT.get(name, (name.replace("_", " ").capitalize(), ""))
        parts.append(figure(path, caption, title=title))
    return "".join(parts)


def _summary_tables(summary: pd.DataFrame, scenarios: Sequence[str]) -> str:
    summary = fold_points(summary)
    rank = {name: index for index, name in enumerate(scenarios)}
    summary = summary.assign(_rank=summary["scenario"].map(rank).fillna(len(rank)))
    summary = summary.sort_values("_rank", kind="stable")
    parts = [
        "<h2>Summary tables</h2>",
        "<p>Levels are means over replications with their 95% confidence interval; shares "
        "are shown in %, differences between shares in percentage points. The same numbers, "
        "in stored units (shares 0-1), are in <code>summary.csv</code>.</p>",
    ]
    for horizon in sorted(summary["horizon_month"].unique(), reverse=True):
        part = summary.loc[summary["horizon_month"] == horizon]
        rows = []
        for _, row in part.iterrows():
            info = describe(row["outcome"])
            diff = (
                _ci_text(
                    row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"], info.scale, sign=True
                )
                + f" {info.diff_unit}"
                if pd.notna(row["diff_mean"])
                else ""
            )
            rows.append(
                (
                    info.label,
                    row["scenario"],
                    _ci_text(row["mean"], row["ci_low"], row["ci_high"], info.scale)
                    + f" {info.unit}",
                    diff,
                    int(row["n"]),
                )
            )
        label_rank = {label: index for index, label in enumerate(dict.fromkeys(part["label"]))}
        rows.sort(key=lambda r: label_rank[r[0]])
        baseline = part["baseline"].iloc[0] if part["baseline"].iloc[0] else "baseline"
        parts.append(f"<h3>Month {int(horizon)} ({escape(horizon_text(int(horizon)))})</h3>")
        parts.append(
            table(
                ["Outcome", "Scenario", "Mean (95% CI)", f"Difference to {baseline} (95% CI)", "n"],
                rows,
                css="summary",
                numeric=frozenset({2, 3, 4}),
            )
        )
    return "".join(parts)


def _costtable(cost: pd.DataFrame) -> str:
    if cost.empty:
        return ""
    cost = fold_points(cost)
    rows = []
    for _, row in cost.iterrows():
        info = describe(row["outcome"])
        ratio = (
            f"{_eur(row['eur_per_unit'])} ({_eur(row['eur_per_unit_ci_low'])} to "
            f"{_eur(row['eur_per_unit_ci_high'])})"
            if math.isfinite(row["eur_per_unit"])
            else ""
        )
        rows.append(
            (
                f"month {int(row['horizon_month'])}",
                row["scenario"],
                info.label,
                f"{_eur(row['extra_cost_eur'])} ({_eur(row['extra_cost_ci_low'])} to "
                f"{_eur(row['extra_cost_ci_high'])})",
                _ci_text(row["gain"], row["gain_ci_low"], row["gain_ci_high"], 1.0, True),
                row["unit"],
                ratio,
                row["note"],
            )
        )
    return (
        "<h3>Cost per unit of outcome gained</h3>"
        f"<p>{escape(COST_DEFINITION)} The cost per unit is the mean extra cost divided by the "
        "mean gain; its 95% CI is Fieller's interval over the paired replications. It is "
        "shown only where the gain is clearly above zero.</p>"
        + table(
            [
                "Horizon",
                "Scenario",
                "Outcome",
                "Extra public money (95% CI)",
                "Gain in units (95% CI)",
                "Unit",
                "EUR per unit (95% CI)",
                "Note",
            ],
            rows,
            css="cost",
            numeric=frozenset({3, 4, 6}),
        )
    )


def _value_used(name: str, default: Any, settings: pd.DataFrame, scenarios: Sequence[str]) -> str:
    if settings.empty or name not in set(settings["parameter"]):
        return str(default)
    row = settings.set_index("parameter").loc[name]
    changed = [f"{s}: {row[s]}" for s in scenarios if s in row and row[s] != ""]
    return f"{default} (default); " + "; ".join(changed)


def _assumptions_html(results: Results) -> str:
    from gemsim.model.parameters import parameter_table

    settings = non_default_parameters(results.runs)
    scenarios = [c for c in settings.columns if c not in ("parameter", "default")]
    parts = ["<h2>Settings and assumptions</h2>"]
    if settings.empty:
        parts.append("<p>Every parameter had its default value in every scenario.</p>")
    else:
        parts.append(
            "<h3>Values that differ from the defaults</h3><p>Empty cells: the default.</p>"
            + table(
                ["Parameter", "Default", *scenarios],
                settings.itertuples(index=False),
                css="settings",
            )
        )
    every_parameter = parameter_table()
    assumed = [row for row in every_parameter if "assumption" in str(row["source"]).lower()]
    rows = [
        (
            row["name"],
            _value_used(row["name"], row["default"], settings, scenarios),
            row["unit"],
            row["allowed"],
            row["source"],
            row["description"],
        )
        for row in assumed
    ]
    parts.append(
        f"<h3>Assumptions without data ({len(assumed)} of {len(every_parameter)} parameters)</h3>"
        "<p>These values were chosen by the modellers because no public figure was found. "
        "They are the first candidates for sensitivity analysis.</p>"
        "<details><summary>Show the assumptions</summary>"
        + table(
            ["Parameter", "Value used", "Unit", "Allowed", "Source", "Meaning"],
            rows,
            css="assumptions",
        )
        + "</details>"
    )
    return "".join(parts)


def _caveats_html(results: Results) -> str:
    items = [
        "gemsim is a what-if tool, not a forecast: it shows what follows from its assumptions "
        "under each scenario, for a synthetic region built from Dutch averages, not what will "
        "happen in a real municipality.",
        "Many parameters are assumptions for want of data (listed above); MAEX's Social "
        "Handprint coefficients are not public, so handprint values are illustrative.",
        "The confidence intervals show Monte Carlo uncertainty only (which random draws each "
        "run got). They do not include uncertainty in the parameters; run a sensitivity "
        "analysis (<code>gemsim sensitivity</code>) to see which assumptions drive the result "
        "and where a conclusion flips.",
        "Euros are for the simulated region, not for the Netherlands as a whole.",
    ]
    runs = results.runs.groupby("scenario")["replication"].nunique()
    if not runs.empty and int(runs.min()) < 10:
        items.append(
            f"Only {int(runs.min())} replications per scenario: intervals are wide and "
            "unstable; use 30 or more for conclusions."
        )
    if results.manifest.get("status") not in (None, "complete"):
        items.append(
            f"The experiment's status is '{escape(results.manifest.get('status'))}': these are "
            "partial results."
        )
    git = results.manifest.get("git")
    if isinstance(git, dict) and git.get("dirty"):
        items.append(
            "The code had uncommitted changes when this ran; the commit alone "
            "does not reproduce it."
        )
    return (
        "<h2>What these results do not say</h2><ul class='caveat'>"
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul>"
    )


def _reproduce_html(results: Results) -> str:
    command = experiment_command(results.manifest)
    text = (
        f"<pre>{escape(command)}</pre>"
        if command
        else "<p>The command was not recorded in manifest.json.</p>"
    )
    return (
        "<h2>Reproduce</h2><p>Run this command with the same gemsim version and git commit "
        "to get the same results (runs are bit-identical for the same seeds):</p>"
        + text
        + f"<p>Rebuild this report from the stored results: <code>gemsim report "
        f"{escape(results.results_dir)}</code></p>"
    )


def compute_tables(results: Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary (every known outcome, plus reporters the experiment lists under
    ``outputs``) and the cost-effectiveness table of ``results``."""
    from gemsim.analysis.summary import cost_effectiveness, summarize

    frame = results.at_horizons
    listed = results.experiment.get("outputs")
    extra = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else []
    outcomes = [c for c in dict.fromkeys([*OUTCOMES, *extra]) if c in frame.columns]
    baseline = results.baseline or None
    summary = summarize(frame, baseline=baseline, outcomes=outcomes, horizons=results.horizons)
    cost = cost_effectiveness(
        frame,
        baseline=baseline,
        horizons=results.horizons,
        neighbourhoods=neighbourhood_count(results.runs),
    )
    return summary, cost


def render_report(
    results: Results, summary: pd.DataFrame, cost: pd.DataFrame, figures: Mapping[str, Path]
) -> str:
    """The report as one HTML string (figures embedded)."""
    name = results.experiment.get("name") or results.results_dir.name
    description = results.experiment.get("description") or ""
    body = "".join(
        [
            f"<h1>gemsim results: {escape(name)}</h1>",
            "<p class='subtitle'>Community investment in the Netherlands: an agent-based "
            f"what-if model. {escape(description)}</p>",
            _headlines_html(results, summary, cost),
            _what_was_run(results),
            _figures_html(figures),
            _summary_tables(summary, results.scenarios),
            _costtable(cost),
            _assumptions_html(results),
            _caveats_html(results),
            _reproduce_html(results),
        ]
    )
    return page(f"gemsim results: {name}", body)


def write_report(
    results_dir: Path | str,
    *,
    results: Results | None = None,
    summary: pd.DataFrame | None = None,
    cost: pd.DataFrame | None = None,
    figures: Mapping[str, Path] | None = None,
) -> Path:
    """Write ``results_dir/report.html`` and return its path.

    Whatever is not passed in is computed from the stored results (figures are then
    written to ``results_dir/figures``). :func:`gemsim.analysis.build_outputs` passes
    everything so nothing is computed twice.
    """
    from gemsim.analysis.figures import make_figures

    results = results or load_results(results_dir)
    if summary is None or cost is None:
        summary, cost = compute_tables(results)
    if figures is None:
        figures = make_figures(results, summary, cost)
    html_text = render_report(results, summary, cost, figures)
    return write_text(Path(results_dir) / "report.html", html_text)
