"""The self-contained HTML report of an experiment: ``report.html``.

One file, no external resources (inline CSS, figures as base64 PNG; built with
:mod:`gemsim.analysis.html`), so it can be mailed, archived and cited. It opens with what a
reader needs to scale and cite a number: the simulated region (inhabitants, municipalities,
buurten, its share of the Netherlands, inhabitants per agent), the horizon, and the public
money of each scenario for the region and as a national equivalent. Beside the headline
table stand the caveat that its intervals are Monte Carlo only and whether the comparison
has been tested against the model's assumptions. Then the costs per unit gained (quoted only
where they are clear), figures, what was run, every number in tables, the assumptions,
caveats and the command that reproduces it. It reads stored results only and never reruns
the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gemsim.analysis.data import (
    Region,
    Results,
    experiment_command,
    fold_points,
    load_results,
    neighbourhood_count,
    non_default_parameters,
    region,
    scenario_label,
    table_in,
)
from gemsim.analysis.html import Html, escape, figure, page, table
from gemsim.analysis.outcomes import (
    CE_OUTCOMES,
    EQUITY_GAPS,
    HEADLINE_OUTCOMES,
    OUTCOMES,
    SPENDING_COLUMNS,
    describe,
    horizon_text,
)
from gemsim.analysis.sensitivity_verdict import ContrastTest, find_contrast_tests, sign_verdict
from gemsim.analysis.summary import (
    COST_DEFINITION,
    NO_GAIN,
    QUOTABLE_RATIO,
    cost_not_quoted,
    mean_ci,
)
from gemsim.atomic import write_text

__all__ = [
    "compute_tables",
    "findings",
    "render_report",
    "write_report",
]

MINUS = "\u2212"
#: Scenario columns per table: more are split over several tables, so that every table
#: fits a narrow window.
COLUMNS_PER_TABLE = 4

_FIGURE_TEXT: dict[str, tuple[str, str]] = {
    "outcomes_over_time": (
        "Outcomes over time",
        "Each line is the mean over the replications of a scenario. The grey band is the 95% "
        "confidence interval of the baseline's mean: the replications differ in their random "
        "draws (and in the sizes of their buurten), so levels vary more between replications "
        "than between scenarios. The differences between scenarios are much more precise, "
        "because every scenario ran with the same seeds (next figure).",
    ),
    "differences": (
        "Difference to the baseline",
        "Each marker is the mean difference to the baseline over paired replications (same "
        "random seed in both scenarios); the bar is its 95% confidence interval (Monte Carlo "
        "uncertainty only). A bar that crosses the vertical line means no clear difference.",
    ),
    "equity": (
        "Who gains: high- versus low-SES neighbourhoods",
        "Top: the gap between high- and low-SES neighbourhoods (high minus low) over time, "
        "with the 95% band of the baseline's mean. Bottom: how much the gap changed from the "
        "start to the end of the run; below zero means low-SES neighbourhoods caught up. The "
        "model reports the gaps, not the separate levels of each group.",
    ),
    "money": (
        "Where the public money went",
        "Public money spent in the simulated region from the start to the end of the run, "
        "mean of the replications, split into where it went; the parts add up to the total "
        "that the cost figures count. The whisker is the 95% confidence interval of the "
        "total. Money budgeted but not paid out by then, and money returned unspent, is not "
        "spent and not shown.",
    ),
    "cost_effectiveness": (
        "Cost per unit of outcome gained",
        "Extra public money compared with the baseline divided by the gain, with the 95% "
        "confidence interval (Fieller's method on paired replications); quoted only where "
        "the gain is clearly above zero and the upper end of the interval is at most "
        f"{QUOTABLE_RATIO:g} times the lower end.",
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


def _sig3(value: float) -> str:
    """``value`` (> 0) to three significant digits, keeping trailing zeros: 15.0, 846, 1.20."""
    return f"{value:,.{_decimals(value)}f}"


def _eur(value: float, short: bool = False) -> str:
    """Euros to three significant digits: "€52,300", "€1.62 million" ("€1.62M" if short)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    sign = MINUS if value < 0 else ""
    size = float(f"{abs(value):.3g}")
    for divisor, long_name, short_name in ((1e9, " billion", "bn"), (1e6, " million", "M")):
        if size >= divisor:
            return f"{sign}€{_sig3(size / divisor)}{short_name if short else long_name}"
    return f"{sign}€{size:,.0f}"


def _range(low: float, high: float, short: bool = True) -> str:
    return f"{_eur(low, short)} to {_eur(high, short)}"


def _cell(value: str, detail: str = "", *, interval: bool = True) -> Html:
    """A table cell: ``value`` with ``detail`` on a line of its own, which wraps only
    when it is not an ``interval`` (a unit, a note)."""
    css = "ci" if interval else "sub"
    below = f"<span class='{css}'>{escape(detail)}</span>" if detail else ""
    return Html(f"{escape(value)}{below}")


def _is_clear(low: float, high: float) -> bool:
    """True if the 95% CI excludes 0."""
    return math.isfinite(low) and math.isfinite(high) and (low > 0 or high < 0)


def _difference_cell(row: Mapping[str, Any], scale: float) -> Html:
    """The difference to the baseline with its 95% CI; "no clear difference" when the CI
    includes 0; "no difference" when every paired run gave the same value."""
    mean, low, high = (row[k] for k in ("diff_mean", "diff_ci_low", "diff_ci_high"))
    if mean is None or not math.isfinite(mean):
        return _cell("n/a")
    if mean == 0 and low == 0 and high == 0:
        return _cell("no difference", "identical in every paired run", interval=False)
    digits = _decimals(mean * scale, low * scale, high * scale)
    interval = (
        f"{_num(low * scale, digits)} to {_num(high * scale, digits)}"
        if math.isfinite(low) and math.isfinite(high)
        else ""
    )
    if _is_clear(low, high) or not interval:
        return _cell(_num(mean * scale, digits, sign=True), interval)
    return _cell("no clear difference", interval)


def _level_cell(row: Mapping[str, Any], scale: float) -> Html:
    mean, low, high = row["mean"] * scale, row["ci_low"] * scale, row["ci_high"] * scale
    digits = _decimals(mean, low, high)
    interval = (
        f"{_num(low, digits)} to {_num(high, digits)}"
        if math.isfinite(low) and math.isfinite(high)
        else ""
    )
    return _cell(_num(mean, digits), interval)


def _chunks(items: Sequence[str], size: int = COLUMNS_PER_TABLE) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]


def _and(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# ------------------------------------------------------------------------ what it means
def findings(summary: pd.DataFrame, horizon: int | None = None) -> dict[str, dict[str, list[str]]]:
    """Per non-baseline scenario, the headline outcomes and equity gaps sorted by what the
    scenario does to them at ``horizon`` (default: the last) compared with the baseline:
    ``raises``, ``lowers``, ``narrows``, ``widens`` (gaps) where the 95% CI excludes 0, and
    ``unclear`` where it does not. Outcomes are given by name, in headline order."""
    rows = summary.loc[summary["diff_mean"].notna()]
    if rows.empty:
        return {}
    horizon = int(rows["horizon_month"].max()) if horizon is None else horizon
    rows = rows.loc[rows["horizon_month"] == horizon]
    base_means = summary.loc[
        (summary["scenario"] == summary["baseline"]) & (summary["horizon_month"] == horizon)
    ].set_index("outcome")["mean"]
    result: dict[str, dict[str, list[str]]] = {}
    for scenario, part in rows.groupby("scenario", sort=False):
        sorted_out: dict[str, list[str]] = {
            key: [] for key in ("raises", "lowers", "narrows", "widens", "unclear")
        }
        by_outcome = part.set_index("outcome")
        for outcome in (*HEADLINE_OUTCOMES, *EQUITY_GAPS):
            if outcome not in by_outcome.index:
                continue
            row = by_outcome.loc[outcome]
            if not _is_clear(row["diff_ci_low"], row["diff_ci_high"]):
                sorted_out["unclear"].append(outcome)
            elif outcome in EQUITY_GAPS:
                # A gap is high- minus low-SES: a rise widens it when high-SES are ahead.
                ahead = base_means.get(outcome)
                widening = (row["diff_mean"] > 0) == (ahead is None or ahead >= 0)
                sorted_out["widens" if widening else "narrows"].append(outcome)
            else:
                sorted_out["raises" if row["diff_mean"] > 0 else "lowers"].append(outcome)
        result[str(scenario)] = sorted_out
    return result


def _nouns(outcomes: Sequence[str]) -> list[str]:
    return [
        escape(f"the {describe(o).noun}" if o in EQUITY_GAPS else describe(o).noun)
        for o in outcomes
    ]


def _finding_sentence(found: Mapping[str, list[str]]) -> str:
    def said(verbs: tuple[str, ...]) -> list[str]:
        return [f"{verb} {_and(_nouns(found[verb]))}" for verb in verbs if found[verb]]

    clauses = said(("raises", "lowers"))
    gaps = said(("narrows", "widens"))
    if gaps:
        clauses.append(" and ".join(gaps) + " between high- and low-SES neighbourhoods")
    if not clauses:
        return "It makes no clear difference in any of the main outcomes."
    text = "It clearly " + "; it ".join(clauses)
    if found["unclear"]:
        text += f"; no clear difference in {_and(_nouns(found['unclear']))}"
    return text + "."


# ------------------------------------------------------------------------ the region and money
def _spent(results: Results) -> pd.DataFrame:
    """Per scenario (points folded): public money spent by the final horizon (what the cost
    counts: money that reached communities plus overhead), mean and 95% CI."""
    frame = fold_points(results.at_horizons)
    if frame.empty or not all(c in frame.columns for c in SPENDING_COLUMNS):
        return pd.DataFrame(columns=["n", "mean", "low", "high"])
    frame = frame.loc[frame["month"] == results.final_horizon]
    spent = frame[list(SPENDING_COLUMNS)].sum(axis=1).groupby(frame["scenario"], sort=False)
    stats = spent.agg(["count", "mean", "std"]).rename(columns={"count": "n"})
    stats["low"], stats["high"] = mean_ci(stats["mean"], stats["std"], stats["n"])
    return stats.reindex(_ordered(stats.index, results))


def _region_sentence(results: Results, where: Region | None) -> str:
    horizon = results.final_horizon
    years = horizon_text(horizon).removeprefix("after ")
    reps = results.runs.groupby("scenario")["replication"].nunique()
    fewest = int(reps.min()) if not reps.empty else 0
    count = len(results.scenarios)
    runs = (
        f"It was run under {count} scenario{'s' if count != 1 else ''}, each {fewest} "
        f"time{'s' if fewest != 1 else ''} with the same seeds."
    )
    if where is None:
        return (
            "<p class='box'>The runs of this experiment do not all simulate the same region "
            "(their region parameters differ: see <i>Settings and assumptions</i>), so no "
            f"single size is given. Each run covers {escape(years)} ({horizon} months). "
            f"{runs} Euros are for each run's own region.</p>"
        )
    inhabitants = float(f"{where.inhabitants:.3g}")
    return (
        f"<p class='box'>A synthetic region of about <b>{inhabitants:,.0f} inhabitants</b> "
        f"in {where.municipalities} municipalit{'ies' if where.municipalities != 1 else 'y'} "
        f"and {where.neighbourhoods:,} buurten (neighbourhoods of on average "
        f"{where.inhabitants_per_neighbourhood:,.0f} inhabitants): "
        f"<b>{where.national_share:.1%} of the Netherlands</b> "
        f"({where.national_population / 1e6:,.3g} million), followed for "
        f"<b>{escape(years)}</b> ({horizon} months). {runs} One citizen agent stands for "
        f"{where.inhabitants_per_agent:,.0f} inhabitants (about {where.agents:,.0f} agents "
        "per run); each replication draws its own buurt sizes around the mean, so its "
        "population differs by a few percent. Euros below are for this region; the national "
        f"equivalent divides them by its {where.national_share:.1%} share, as the model "
        "scales national budgets to the region by population.</p>"
    )


def _extra_cost(cost: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per scenario: extra public money vs the baseline at ``horizon`` (mean and CI)."""
    cost = fold_points(cost)
    rows = cost.loc[cost["horizon_month"] == horizon]
    columns = ["extra_cost_eur", "extra_cost_ci_low", "extra_cost_ci_high"]
    return rows.drop_duplicates("scenario").set_index("scenario")[columns]


def _money_html(results: Results, cost: pd.DataFrame, where: Region | None) -> str:
    spent = _spent(results)
    if spent.empty:
        return ""
    horizon = results.final_horizon
    extra = _extra_cost(cost, horizon) if not cost.empty else pd.DataFrame()
    share = where.national_share if where else None
    baseline = scenario_label(results.baseline) if results.baseline else ""

    def national(value: float) -> float:
        return value / share if share else math.nan

    years = horizon_text(horizon).removeprefix("after ")
    header = ["Scenario", f"Public money spent over {years}: region"]
    if share:
        header.append("National equivalent")
    if not extra.empty:
        header.append(f"Extra vs {baseline}: region")
        if share:
            header.append("National equivalent")
    rows = []
    for scenario, stats in spent.iterrows():
        cells: list[Any] = [_scenario_cell(str(scenario), results)]
        cells.append(_cell(_eur(stats["mean"], True), _range(stats["low"], stats["high"])))
        if share:
            cells.append(
                _cell(
                    "≈ " + _eur(national(stats["mean"]), True),
                    _range(national(stats["low"]), national(stats["high"])),
                )
            )
        if not extra.empty:
            if scenario in extra.index:
                mean, low, high = extra.loc[scenario]
                cells.append(_cell(_eur(mean, True), _range(low, high)))
                if share:
                    cells.append(
                        _cell(
                            "≈ " + _eur(national(mean), True),
                            _range(national(low), national(high)),
                        )
                    )
            else:
                cells += ["–", "–"] if share else ["–"]
        rows.append(cells)
    note = (
        "<p class='muted'>Mean over the replications, its 95% confidence interval below. "
        "Public money spent is the money that reached communities plus overhead.</p>"
        f"<details><summary>What is counted</summary><p>{escape(COST_DEFINITION)}</p></details>"
    )
    return table(header, rows, numeric=range(1, len(header)), css="money") + note


def _scenario_cell(name: str, results: Results) -> Html:
    label = scenario_label(name)
    if _is_baseline(name, results):
        return _cell(label, "baseline", interval=False)
    return _cell(label)


# ------------------------------------------------------------------------ headline
def _glance_table(summary: pd.DataFrame, horizon: int, scenarios: Sequence[str]) -> str:
    """Differences to the baseline at ``horizon`` per headline outcome and equity gap (one
    table per group of at most :data:`COLUMNS_PER_TABLE` scenarios)."""
    rows_at = summary[summary["horizon_month"] == horizon].set_index(["outcome", "scenario"])
    parts = []
    for group in _chunks(scenarios):
        rows = []
        for outcome in (*HEADLINE_OUTCOMES, *EQUITY_GAPS):
            if not any((outcome, s) in rows_at.index for s in group):
                continue
            info = describe(outcome)
            cells: list[Any] = [_cell(info.label, info.diff_unit, interval=False)]
            for scenario in group:
                if (outcome, scenario) not in rows_at.index:
                    cells.append("n/a")
                    continue
                cells.append(_difference_cell(rows_at.loc[(outcome, scenario)], info.scale))
            rows.append(cells)
        header = ["Outcome", *(scenario_label(s) for s in group)]
        parts.append(table(header, rows, numeric=range(1, len(header)), css="headline"))
    return "".join(parts)


def _how_sure_html(results: Results, others: Sequence[str]) -> str:
    """The caveat on the intervals and the sensitivity verdict, set beside the headline."""
    tests = find_contrast_tests(results.results_dir, results.experiment)
    baseline = results.baseline
    compared = dict.fromkeys(_base_name(s) for s in others)
    untested = [s for s in compared if not any(t.pairs(s, baseline) for t in tests)]
    parts = [
        "<h3>How sure is this?</h3>",
        "<p><b>The intervals are Monte Carlo only.</b> They show how much a result moves "
        "between runs with other random draws, and shrink with more replications. They do "
        "not include uncertainty in the model's assumptions, many of which are chosen for "
        "want of data (see <i>Settings and assumptions</i>). A tight interval means the "
        "model was run often enough, not that the real world would show this difference "
        "this precisely.</p>",
        "<p><b>Tested against its assumptions?</b> ",
    ]
    if untested:
        names = _and([escape(scenario_label(s)) for s in untested])
        parts.append(
            f"{names} versus {escape(scenario_label(baseline))}: <b>not yet tested against "
            "its assumptions</b> (no sensitivity analysis of these scenarios was found next "
            "to these results; see <code>gemsim sensitivity</code>).</p>"
        )
    else:
        parts.append("Every comparison in the table was tested (below).</p>")
    for test in tests:
        parts.append(_test_html(test))
    return "<aside class='caveat'>" + "".join(parts) + "</aside>"


_METHOD_NAMES = {"sobol": "Sobol' indices", "morris": "Morris screening", "fast": "FAST"}


def _test_html(test: ContrastTest) -> str:
    scenario, reference = scenario_label(test.scenario), scenario_label(test.reference)
    method = _METHOD_NAMES.get(test.method, test.method)
    shown = [o for o in (*HEADLINE_OUTCOMES, *EQUITY_GAPS) if o in set(test.rows["output"])]
    items = []
    for outcome in shown:
        row = test.rows[test.rows["output"] == outcome].iloc[0].to_dict()
        direction, verdict = sign_verdict(row)
        items.append(f"<li>{escape(describe(outcome).noun)}: {direction} {escape(verdict)}</li>")
    return (
        f"<p>{escape(scenario)} versus {escape(reference)} was tested in "
        f"<code>{escape(test.folder.name)}/</code> ({escape(method)}, "
        f"{test.parameters} assumptions varied over {test.points:,} parameter points; "
        f"details in its <code>sensitivity.html</code>). {escape(scenario)} ends:</p>"
        f"<ul>{''.join(items)}</ul>"
    )


def _headlines_html(
    results: Results, summary: pd.DataFrame, cost: pd.DataFrame, where: Region | None
) -> str:
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
    folded = fold_points(summary)
    baseline = results.baseline
    others = [s for s in _ordered(folded["scenario"], results) if not _is_baseline(s, results)]
    final = results.final_horizon
    glance = (
        f"<h3>Difference to {escape(scenario_label(baseline))}, "
        f"{escape(horizon_text(final))}</h3>"
        + _glance_table(folded, final, others)
        + "<p class='muted'>Mean difference over paired replications (same seeds in both "
        "scenarios), its 95% confidence interval below. For the gaps between high- and "
        "low-SES neighbourhoods, below zero means low-SES neighbourhoods catch up.</p>"
    )
    parts = [
        "<h2>Main results</h2>",
        f"<div class='side'><div>{glance}</div>{_how_sure_html(results, others)}</div>",
        _sentences_html(results, folded, cost, others, where),
    ]
    for horizon in reversed(results.horizons[:-1]):
        parts.append(
            f"<details><summary>Differences {escape(horizon_text(horizon))}</summary>"
            + _glance_table(folded, horizon, others)
            + "</details>"
        )
    return "".join(parts)


def _sentences_html(
    results: Results,
    summary: pd.DataFrame,
    cost: pd.DataFrame,
    others: Sequence[str],
    where: Region | None,
) -> str:
    """One short paragraph per scenario: what it is, what it costs, what it changes."""
    final = results.final_horizon
    years = horizon_text(final).removeprefix("after ")
    found = findings(summary, final)
    extra = _extra_cost(cost, final) if not cost.empty else pd.DataFrame()
    baseline = escape(scenario_label(results.baseline))
    paragraphs = []
    for scenario in others:
        about = results.descriptions.get(_base_name(scenario), "").strip()
        text = f"<b>{escape(scenario_label(scenario))}</b>: "
        if about:
            text += escape(about if about.endswith(".") else about + ".") + " "
        if scenario in extra.index:
            mean, low, high = extra.loc[scenario]
            if not _is_clear(low, high):
                text += f"It spends about the same public money as {baseline}. "
            else:
                national = (
                    f" (≈ {_eur(abs(mean) / where.national_share)} nationally)" if where else ""
                )
                text += (
                    f"Compared with {baseline}, it spends {_eur(abs(mean))} "
                    f"{'more' if mean > 0 else 'less'} public money over {escape(years)} in "
                    f"this region{national}. "
                )
        if scenario in found:
            text += _finding_sentence(found[scenario])
        paragraphs.append(f"<p>{text}</p>")
    return "".join(paragraphs)


def _base_name(name: str) -> str:
    """The scenario of a name whose parameter points are folded: "a · point 2" -> "a"."""
    return name.split(" · ")[0]


def _is_baseline(name: str, results: Results) -> bool:
    return bool(results.baseline) and _base_name(name) == results.baseline


def _ordered(names: Any, results: Results) -> list[str]:
    """Scenario names (points folded) in the experiment's order."""
    rank = {name: index for index, name in enumerate(results.scenarios)}
    present = list(dict.fromkeys(str(n) for n in names))
    return sorted(present, key=lambda n: rank.get(_base_name(n), len(rank)))


# ------------------------------------------------------------------------ costs
def _cost_cell(row: Mapping[str, Any]) -> Html:
    reason = cost_not_quoted(row)
    if reason == NO_GAIN:
        return _cell("no clear gain")
    if reason:
        return _cell(reason.removeprefix("n/a (").removesuffix(")"))
    return _cell(
        _eur(row["eur_per_unit"], True),
        _range(row["eur_per_unit_ci_low"], row["eur_per_unit_ci_high"]),
    )


def _cost_html(results: Results, cost: pd.DataFrame) -> str:
    if cost.empty:
        return ""
    cost = fold_points(cost)
    scenarios = [s for s in _ordered(cost["scenario"], results) if not _is_baseline(s, results)]
    order = [o for o in (*CE_OUTCOMES, *cost["outcome"]) if o in set(cost["outcome"])]
    order = list(dict.fromkeys(order))
    parts = [
        "<h2>Cost per unit of outcome gained</h2>",
        f"<p>Extra public money compared with {escape(scenario_label(results.baseline))} "
        "(in this region, counted as under <i>What was simulated</i>) divided by the mean "
        "gain, with its 95% confidence interval below (Fieller's interval over the paired "
        "replications). <b>A cost is quoted only where the gain is clearly above zero and "
        "the cost is known within a factor of "
        f"{QUOTABLE_RATIO:g}</b> (the upper end of its interval at most {QUOTABLE_RATIO:g} "
        "times the lower end); elsewhere the cell says why. A tiny gain makes the cost per "
        "unit huge and its interval wide: such numbers invite misuse. Every number, quoted "
        "or not, is in <code>cost_effectiveness.csv</code>.</p>",
    ]
    for horizon in sorted(cost["horizon_month"].unique(), reverse=True):
        part = cost.loc[cost["horizon_month"] == horizon].set_index(["outcome", "scenario"])
        tables = []
        for group in _chunks(scenarios):
            rows = []
            for outcome in order:
                present = [s for s in group if (outcome, s) in part.index]
                if not present:
                    continue
                unit = str(part.loc[(outcome, present[0]), "unit"])
                cells: list[Any] = [_cell(f"per {unit}")]
                for scenario in group:
                    if (outcome, scenario) in part.index:
                        cells.append(_cost_cell(part.loc[(outcome, scenario)].to_dict()))
                    else:
                        cells.append("n/a")
                rows.append(cells)
            header = ["Extra public money", *(scenario_label(s) for s in group)]
            tables.append(table(header, rows, numeric=range(1, len(header)), css="cost"))
        heading = f"<h3>{escape(horizon_text(int(horizon)).capitalize())}</h3>"
        parts.append(heading + "".join(tables))
    return "".join(parts)


# ------------------------------------------------------------------------ other sections
def _what_was_run(results: Results, where: Region | None) -> str:
    manifest, experiment = results.manifest, results.experiment
    runs = results.runs
    reps = runs.groupby("scenario")["replication"].nunique()
    reps = reps.reindex([s for s in results.scenarios if s in reps.index])
    months = sorted(int(m) for m in runs["months"].unique()) if "months" in runs else []
    seeds = manifest.get("seeds") or sorted(runs["seed"].unique().tolist())
    git = table_in(manifest, "git")
    versions = table_in(manifest, "versions")
    neighbourhoods = neighbourhood_count(runs)
    facts: list[tuple[str, str]] = [
        ("Experiment", str(experiment.get("name") or results.results_dir.name)),
        ("Status", str(manifest.get("status") or "not recorded")),
        (
            "Replications per scenario",
            ", ".join(f"{scenario_label(s)}: {n}" for s, n in reps.items()),
        ),
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
        (
            "Inhabitants per citizen agent",
            f"{where.inhabitants_per_agent:,.0f}" if where else "varies between runs",
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
    scenario_rows = [
        (
            _scenario_cell(s, results),
            Html(f"<code>{escape(s)}</code>"),
            results.descriptions.get(s) or "",
        )
        for s in results.scenarios
    ]
    return (
        "<h2>What was run</h2>"
        + table(["Scenario", "Name in the files", "Description"], scenario_rows, css="scenarios")
        + table(["Item", "Value"], facts, css="facts")
    )


def _seed_text(seeds: Sequence[Any]) -> str:
    seeds = [str(s) for s in seeds]
    if len(seeds) <= 4:
        return ", ".join(seeds) or "not recorded"
    return f"{len(seeds)} seeds: {', '.join(seeds[:3])}, …, {seeds[-1]}"


def _figures_html(figures: Mapping[str, Path]) -> str:
    parts = ["<h2>Figures</h2>"]
    for name, path in figures.items():
        title, caption = _FIGURE_TEXT.get(name, (name.replace("_", " ").capitalize(), ""))
        parts.append(figure(path, caption, title=title))
    return "".join(parts)


def _summary_tables(results: Results, summary: pd.DataFrame) -> str:
    summary = fold_points(summary)
    order = _ordered(summary["scenario"], results)
    rank = {name: index for index, name in enumerate(order)}
    summary = summary.assign(_rank=summary["scenario"].map(rank))
    parts = [
        "<h2>Every outcome</h2>",
        "<p>Levels are means over replications with their 95% confidence interval below; "
        "shares are shown in %, differences between shares in percentage points. The same "
        "numbers, in stored units (shares 0-1), are in <code>summary.csv</code>.</p>",
    ]
    for horizon in sorted(summary["horizon_month"].unique(), reverse=True):
        part = summary.loc[summary["horizon_month"] == horizon]
        label_rank = {label: index for index, label in enumerate(dict.fromkeys(part["label"]))}
        part = part.assign(_label=part["label"].map(label_rank))
        part = part.sort_values(["_label", "_rank"], kind="stable")
        baseline = part["baseline"].iloc[0] or ""
        rows = []
        for _, row in part.iterrows():
            info = describe(row["outcome"])
            rows.append(
                (
                    _cell(info.label, info.unit, interval=False),
                    scenario_label(row["scenario"]),
                    _level_cell(row, info.scale),
                    _difference_cell(row, info.scale) if pd.notna(row["diff_mean"]) else "",
                )
            )
        n = int(part["n"].min()) if len(part) else 0
        parts.append(
            f"<details><summary>{escape(horizon_text(int(horizon)).capitalize())} "
            f"(month {int(horizon)}), {n} or more replications per scenario</summary>"
            + table(
                [
                    "Outcome",
                    "Scenario",
                    "Mean",
                    f"Difference to {scenario_label(baseline)}" if baseline else "Difference",
                ],
                rows,
                css="summary",
                numeric={2, 3},
            )
            + "</details>"
        )
    return "".join(parts)


def _value_used(name: str, default: Any, settings: pd.DataFrame, scenarios: Sequence[str]) -> str:
    if settings.empty or name not in set(settings["parameter"]):
        return str(default)
    row = settings.set_index("parameter").loc[name]
    changed = [f"{scenario_label(s)}: {row[s]}" for s in scenarios if s in row and row[s] != ""]
    return f"{default} (default); " + "; ".join(changed)


def _identifier(name: str, detail: str = "") -> Html:
    """A parameter name that may wrap after its underscores, with ``detail`` below."""
    wrapped = "_<wbr>".join(escape(part) for part in str(name).split("_"))
    below = f"<span class='sub'>{escape(detail)}</span>" if detail else ""
    return Html(f"<code>{wrapped}</code>{below}")


def _assumptions_html(results: Results) -> str:
    from gemsim.model.parameters import parameter_table

    settings = non_default_parameters(results.runs)
    present = [c for c in settings.columns if c not in ("parameter", "default")]
    scenarios = [s for s in results.scenarios if s in present]
    scenarios += [s for s in present if s not in scenarios]
    parts = ["<h2>Settings and assumptions</h2>"]
    if settings.empty:
        parts.append("<p>Every parameter had its default value in every scenario.</p>")
    else:
        rows = [
            [_identifier(row["parameter"]), row["default"], *(row[s] for s in scenarios)]
            for _, row in settings.iterrows()
        ]
        parts.append(
            "<h3>Values that differ from the defaults</h3><p>Empty cells: the default.</p>"
            + table(
                ["Parameter", "Default", *(scenario_label(s) for s in scenarios)],
                rows,
                css="settings",
            )
        )
    every_parameter = parameter_table()
    assumed = [row for row in every_parameter if "assumption" in str(row["source"]).lower()]
    assumed_rows = [
        (
            _identifier(row["name"], row["unit"]),
            _cell(
                _value_used(row["name"], row["default"], settings, scenarios),
                f"allowed: {row['allowed']}",
                interval=False,
            ),
            row["source"],
            row["description"],
        )
        for row in assumed
    ]
    parts.append(
        f"<h3>Assumptions without data ({len(assumed)} of {len(every_parameter)} "
        "parameters)</h3>"
        "<p>These values were chosen by the modellers because no public figure was found. "
        "They are the first candidates for sensitivity analysis.</p>"
        "<details><summary>Show the assumptions</summary>"
        + table(
            ["Parameter and unit", "Value used", "Source", "Meaning"],
            assumed_rows,
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
        "The confidence intervals show Monte Carlo uncertainty only (see <i>How sure is "
        "this?</i> beside the main results).",
        "Euros are for the simulated region. National equivalents scale them by population "
        "alone; a real national roll-out would differ between regions.",
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


# ------------------------------------------------------------------------ the report
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


def claims_section_for(folder: Path) -> str:
    """The claims table of ``gemsim claims`` (empty in a folder without ``claims.csv``)."""
    from gemsim.analysis.claims import section_for

    return section_for(folder)


def render_report(
    results: Results, summary: pd.DataFrame, cost: pd.DataFrame, figures: Mapping[str, Path]
) -> str:
    """The report as one HTML string (figures embedded)."""
    name = results.experiment.get("name") or results.results_dir.name
    description = results.experiment.get("description") or ""
    where = region(results.runs)
    body = "".join(
        [
            f"<h1>gemsim results: {escape(name)}</h1>",
            "<p class='subtitle'>Community investment in the Netherlands: an agent-based "
            f"what-if model. {escape(description)}</p>",
            claims_section_for(results.results_dir),  # the claims table first, if checked
            "<h2>What was simulated</h2>",
            _region_sentence(results, where),
            _money_html(results, cost, where),
            _headlines_html(results, summary, cost, where),
            _cost_html(results, cost),
            _figures_html(figures),
            _what_was_run(results, where),
            _summary_tables(results, summary),
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
