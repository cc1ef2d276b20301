"""Pattern-oriented validation: score simulated yearly values against observed series.

:func:`score_patterns` is a pure function: the observed table, the simulated yearly values
and the ``[patterns]`` criteria in, one row per criterion (and per year of a ``levels``
or ``ratio`` criterion) out, with the columns of :data:`COLUMNS` (the columns of ``patterns.csv``).
Every criterion reduces to one check: a value (``checked``: the observed statistic, or the
simulated mean) lies in an accepted interval; ``miss`` is how far outside it lies, in the
row's unit (0 for a pass):

======= ======================================== ==========================================
kind    checked value                            accepted interval
======= ======================================== ==========================================
change  observed change from_year -> to_year     95% interval of the simulated mean change
                                                 ± tolerance
levels  observed level in the year               95% interval of the simulated mean level
                                                 ± tolerance
flat    simulated mean change                    -tolerance .. +tolerance
growth  simulated growth factor: mean count in   low .. high
        to_year / mean count in from_year
ratio   simulated mean level in the year /       low .. high
        observed level
======= ======================================== ==========================================

The simulated statistic is the mean over replications: the nation is the sum of many
regions like the simulated one, so its figure is compared with the regions' mean, not with
one region. The 95% interval is the t interval of that mean (a single replication gives no
interval: its bounds are its value), and Fieller's interval for a growth factor (a ratio of
two means from the same replications; unbounded, shown empty, when the count in from_year
is not clearly above zero).

:func:`plot_patterns` draws one panel per pattern (observed points over the simulated
band) and :func:`render_patterns_page` the self-contained ``patterns.html``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gemsim.analysis.files import write_png
from gemsim.analysis.html import Html, escape, figure, page, table
from gemsim.analysis.summary import CONFIDENCE, fieller_interval, mean_ci

if TYPE_CHECKING:  # the study package holds the schema; analysis reads its attributes only
    from matplotlib.axes import Axes

    from gemsim.study.patterns_spec import PatternCriterion, PatternSettings

__all__ = [
    "COLUMNS",
    "COLUMN_DOCS",
    "pattern_label",
    "pattern_verdicts",
    "plot_patterns",
    "render_patterns_page",
    "score_patterns",
    "verdict_line",
    "yearly_bands",
]

#: The columns of ``patterns.csv`` and what each holds.
COLUMN_DOCS: dict[str, str] = {
    "pattern": "the observed pattern (a pattern of the observed table)",
    "kind": "the criterion: change, levels, flat, growth or ratio",
    "years": "the year of a level or ratio, or from_year-to_year of a change or growth factor",
    "unit": "unit of the values in this row: %, count, percentage points, factor",
    "observed": "the observed level, change or growth factor (1 for a ratio)",
    "simulated_mean": "the simulated level, change, growth factor or ratio to the observed "
    "level (mean over replications)",
    "simulated_low": "lower end of its 95% interval",
    "simulated_high": "upper end of its 95% interval",
    "checked": "which value must lie in the accepted interval: observed or simulated_mean",
    "accepted_low": "lower end of the accepted interval",
    "accepted_high": "upper end of the accepted interval",
    "result": "pass or fail",
    "miss": "how far the checked value lies outside the accepted interval (0 if it passes)",
    "criterion": "the criterion in words",
    "why": "why this criterion and tolerance (from the experiment file)",
}
COLUMNS: tuple[str, ...] = tuple(COLUMN_DOCS)

_OBSERVED_COLOUR = "#000000"
_BAND_COLOUR = "#0072B2"
_PASS, _FAIL = "pass", "fail"
#: The kinds scored in one row per named year (their reasons are shown once per criterion).
_PER_YEAR = ("levels", "ratio")


# ------------------------------------------------------------------------------ scoring
def _interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and its t interval (both bounds the value itself for one replication)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, mean, mean
    low, high = mean_ci(mean, float(values.std(ddof=1)), values.size, confidence)
    return mean, float(low), float(high)


def _miss(checked: float, low: float, high: float) -> float:
    if not (math.isfinite(checked) and math.isfinite(low) and math.isfinite(high)):
        return math.nan
    return max(low - checked, checked - high, 0.0)


def _target(observed: pd.DataFrame, pattern: str, year: int) -> float:
    rows = observed.loc[
        (observed["pattern"] == pattern) & (observed["year"] == year) & observed["target"]
    ]
    if len(rows) != 1:
        raise ValueError(f"{pattern}: {len(rows)} target figures in {year}; expected one")
    return float(rows["value"].iloc[0])


def _by_replication(simulated: pd.DataFrame, pattern: str) -> pd.DataFrame:
    """Replications x years of one pattern's simulated values."""
    part = simulated.loc[simulated["pattern"] == pattern]
    return part.pivot_table(index="replication", columns="year", values="value", aggfunc="first")


def _column(grid: pd.DataFrame, pattern: str, year: int) -> np.ndarray:
    if year not in grid.columns:
        raise ValueError(f"{pattern}: {year} was not simulated")
    return np.asarray(grid[year].to_numpy(dtype=float))


def _unit_texts(unit: str) -> tuple[str, str]:
    """(unit of a level, unit of a difference) for an observed unit."""
    return ("%", "percentage points") if unit == "%" else ("count", "count")


def _amount(value: float, unit: str) -> str:
    if unit != "percentage points":
        return f"{value:g}"
    return f"{value:g} percentage point{'' if value == 1 else 's'}"


def _criterion_rows(
    criterion: PatternCriterion,
    pattern: str,
    unit: str,
    observed: pd.DataFrame,
    grid: pd.DataFrame,
    confidence: float,
) -> list[dict[str, Any]]:
    level_unit, change_unit = _unit_texts(unit)
    share = f"{confidence:.0%}"
    base = {"pattern": pattern, "kind": criterion.kind, "why": criterion.why}
    if criterion.kind == "ratio":
        rows = []
        for year in criterion.years or ():
            value = _target(observed, pattern, year)
            mean, low, high = (
                x / value for x in _interval(_column(grid, pattern, year), confidence)
            )
            rows.append(
                {
                    **base,
                    "years": str(year),
                    "unit": "factor",
                    "observed": 1.0,
                    "simulated_mean": mean,
                    "simulated_low": low,
                    "simulated_high": high,
                    "checked": "simulated_mean",
                    "accepted": (float(criterion.low or 0.0), float(criterion.high or 0.0)),
                    "criterion": f"the simulated level in {year} over the observed "
                    f"({value:g}) lies within {criterion.low:g} to {criterion.high:g}",
                }
            )
        return rows
    if criterion.kind == "levels":
        simulated_years = [int(y) for y in grid.columns]
        targets = observed.loc[(observed["pattern"] == pattern) & observed["target"], "year"]
        years = criterion.years or tuple(sorted(y for y in targets if y in simulated_years))
        rows = []
        tolerance = float(criterion.tolerance or 0.0)
        for year in years:
            value = _target(observed, pattern, year)
            mean, low, high = _interval(_column(grid, pattern, year), confidence)
            accepted = (low - tolerance, high + tolerance)
            rows.append(
                {
                    **base,
                    "years": str(year),
                    "unit": level_unit,
                    "observed": value,
                    "simulated_mean": mean,
                    "simulated_low": low,
                    "simulated_high": high,
                    "checked": "observed",
                    "accepted": accepted,
                    "criterion": f"the observed level in {year} lies within the simulated "
                    f"{share} interval ± {_amount(tolerance, change_unit)}",
                }
            )
        return rows
    first, last = int(criterion.from_year or 0), int(criterion.to_year or 0)
    start = _column(grid, pattern, first)
    end = _column(grid, pattern, last)
    observed_first, observed_last = (
        _target(observed, pattern, first),
        _target(observed, pattern, last),
    )
    row = {**base, "years": f"{first}-{last}"}
    if criterion.kind == "growth":
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = float(np.divide(end.mean(), start.mean()))
        bounds = fieller_interval(end, start, confidence) if start.size > 1 else None
        low, high = bounds if bounds is not None else (math.nan, math.nan)
        if start.size == 1:
            low = high = mean
        return [
            {
                **row,
                "unit": "factor",
                "observed": observed_last / observed_first,
                "simulated_mean": mean,
                "simulated_low": low,
                "simulated_high": high,
                "checked": "simulated_mean",
                "accepted": (float(criterion.low or 0.0), float(criterion.high or 0.0)),
                "criterion": f"the simulated growth factor from {first} to {last} lies within "
                f"{criterion.low:g} to {criterion.high:g}",
            }
        ]
    tolerance = float(criterion.tolerance or 0.0)
    mean, low, high = _interval(end - start, confidence)
    if criterion.kind == "change":
        checked, accepted = "observed", (low - tolerance, high + tolerance)
        text = (
            f"the observed change from {first} to {last} lies within the simulated {share} "
            f"interval of the change ± {_amount(tolerance, change_unit)}"
        )
    else:  # flat
        checked, accepted = "simulated_mean", (-tolerance, tolerance)
        text = (
            f"the simulated change from {first} to {last} lies within "
            f"± {_amount(tolerance, change_unit)}"
        )
    return [
        {
            **row,
            "unit": change_unit,
            "observed": observed_last - observed_first,
            "simulated_mean": mean,
            "simulated_low": low,
            "simulated_high": high,
            "checked": checked,
            "accepted": accepted,
            "criterion": text,
        }
    ]


def score_patterns(
    observed: pd.DataFrame,
    simulated: pd.DataFrame,
    settings: PatternSettings,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Score simulated yearly values against the observed patterns (module docstring).

    Args:
        observed: the observed table: ``pattern``, ``year``, ``value``, ``unit`` and a boolean
            ``target`` (see :func:`gemsim.study.observed.observed_frame`).
        simulated: ``pattern``, ``replication``, ``year``, ``value``: each replication's value
            of each pattern in each simulated year, in the observed unit (shares in %,
            counts national).
        settings: the ``[patterns]`` table (only its ``patterns`` are read).
        confidence: level of the simulated intervals.

    Returns:
        One row per criterion (per year of a ``levels`` or ``ratio`` criterion), in the
        file's order,
        with the columns :data:`COLUMNS`.

    Raises:
        ValueError: a year a criterion needs was not simulated or has no single target
            figure.
    """
    rows: list[dict[str, Any]] = []
    for pattern, spec in settings.patterns.items():
        units = observed.loc[observed["pattern"] == pattern, "unit"]
        if units.empty:
            raise ValueError(f"{pattern}: not in the observed table")
        grid = _by_replication(simulated, pattern)
        for criterion in spec.criteria:
            rows += _criterion_rows(
                criterion, pattern, str(units.iloc[0]), observed, grid, confidence
            )
    for row in rows:
        low, high = row.pop("accepted")
        row["accepted_low"], row["accepted_high"] = low, high
        row["miss"] = _miss(float(row[row["checked"]]), low, high)
        row["result"] = _PASS if row["miss"] == 0.0 else _FAIL
    return pd.DataFrame(rows, columns=list(COLUMNS))


def pattern_verdicts(scored: pd.DataFrame) -> pd.DataFrame:
    """Per pattern, in order: ``result`` (pass only if every row passes), the number of
    rows that fail, and the largest ``miss`` with its ``unit`` and ``kind``."""
    rows = []
    for pattern, part in scored.groupby("pattern", sort=False):
        failed = part.loc[part["result"] != _PASS]
        worst = failed.loc[failed["miss"].fillna(np.inf).idxmax()] if len(failed) else None
        rows.append(
            {
                "pattern": pattern,
                "result": _FAIL if len(failed) else _PASS,
                "failed": len(failed),
                "criteria": len(part),
                "worst_kind": worst["kind"] if worst is not None else "",
                "worst_years": worst["years"] if worst is not None else "",
                "worst_miss": float(worst["miss"]) if worst is not None else 0.0,
                "worst_unit": worst["unit"] if worst is not None else "",
            }
        )
    return pd.DataFrame(rows)


def verdict_line(verdict: Mapping[str, Any]) -> str:
    """One row of :func:`pattern_verdicts` as a line for the terminal."""
    if verdict["result"] == _PASS:
        return f"pass: {verdict['pattern']}"
    return (
        f"fail: {verdict['pattern']}: {verdict['failed']} of {verdict['criteria']} checks; "
        f"largest miss {_miss_text(verdict['worst_miss'])} {_unit_words(verdict['worst_unit'])}"
        f" ({verdict['worst_kind']} {verdict['worst_years']})"
    )


# ------------------------------------------------------------------------------ figure
def pattern_label(pattern: str) -> str:
    """``energy_cooperatives`` -> ``Energy cooperatives``."""
    text = pattern.replace("_", " ")
    return text[:1].upper() + text[1:]


def yearly_bands(simulated: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per pattern and year: the mean over replications, its interval (``low``, ``high``)
    and the range of the middle 95% of replications (``spread_low``, ``spread_high``)."""
    grouped = simulated.groupby(["pattern", "year"], sort=True)["value"]
    stats = grouped.agg(["mean", "std", "count"])
    low, high = mean_ci(stats["mean"], stats["std"], stats["count"], confidence)
    single = stats["count"] < 2
    stats["low"] = np.where(single, stats["mean"], low)
    stats["high"] = np.where(single, stats["mean"], high)
    stats["spread_low"] = grouped.quantile(0.025)
    stats["spread_high"] = grouped.quantile(0.975)
    return stats.reset_index()


def _panel(ax: Axes, pattern: str, bands: pd.DataFrame, points: pd.DataFrame, verdict: str) -> None:
    part = bands.loc[bands["pattern"] == pattern]
    years = part["year"].to_numpy(dtype=float)
    ax.fill_between(
        years, part["spread_low"], part["spread_high"], color=_BAND_COLOUR, alpha=0.12, lw=0
    )
    ax.fill_between(years, part["low"], part["high"], color=_BAND_COLOUR, alpha=0.35, lw=0)
    ax.plot(years, part["mean"], color=_BAND_COLOUR, linewidth=1.8)
    mine = points.loc[points["pattern"] == pattern]
    targets, others = mine.loc[mine["target"]], mine.loc[~mine["target"]]
    ax.plot(targets["year"], targets["value"], "o", color=_OBSERVED_COLOUR, markersize=5.5)
    ax.plot(
        others["year"],
        others["value"],
        "o",
        markerfacecolor="white",
        markeredgecolor=_OBSERVED_COLOUR,
        markersize=5.5,
    )
    unit = str(mine["unit"].iloc[0]) if len(mine) else ""
    if unit == "count":
        ax.set_yscale("log")
        ax.set_ylabel("count, national (log scale)")
        if (part["mean"] <= 0).any():
            ax.text(
                0.02,
                0.02,
                "simulated mean 0 in some years (not drawn on a log scale)",
                transform=ax.transAxes,
                fontsize=8,
                color=_BAND_COLOUR,
            )
    else:
        ax.set_ylabel("% of population")
    ax.set_title(f"{pattern_label(pattern)}: {verdict}", fontsize=10.5, fontweight="bold")
    ax.set_xlabel("year")
    ax.grid(alpha=0.3)
    from matplotlib.ticker import MaxNLocator

    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default (AutoLocator): ticks at whole years
        locator.set_params(integer=True)


def plot_patterns(
    observed: pd.DataFrame,
    simulated: pd.DataFrame,
    scored: pd.DataFrame,
    path: str | Path,
    confidence: float = CONFIDENCE,
) -> Path:
    """One panel per scored pattern: the simulated mean over the years with the interval of
    the mean (dark band) and the middle 95% of replications (light band), and the observed
    figures (filled: targets; hollow: unverified or excluded)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    patterns = list(dict.fromkeys(scored["pattern"]))
    if not patterns:
        raise ValueError("no pattern was scored")
    verdicts = dict(pattern_verdicts(scored)[["pattern", "result"]].itertuples(index=False))
    columns = min(3, len(patterns))
    rows = -(-len(patterns) // columns)
    fig = Figure(figsize=(4.6 * columns, 3.4 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(patterns) :]:
        ax.set_visible(False)
    first, last = int(simulated["year"].min()), int(simulated["year"].max())
    shown = observed.loc[observed["year"].between(first, last)]
    bands = yearly_bands(simulated, confidence)
    for ax, pattern in zip(axes, patterns, strict=False):
        _panel(ax, pattern, bands, shown, verdicts[pattern])
    replications = int(simulated.groupby("pattern")["replication"].nunique().min())
    fig.suptitle(
        f"Observed figures over the simulated years ({replications} replications)", fontsize=12
    )
    handles = [
        Line2D([], [], color=_BAND_COLOUR, linewidth=1.8, label="simulated mean"),
        Patch(color=_BAND_COLOUR, alpha=0.35, label=f"{confidence:.0%} interval of the mean"),
        Patch(color=_BAND_COLOUR, alpha=0.12, label="middle 95% of replications"),
        Line2D([], [], marker="o", linestyle="", color=_OBSERVED_COLOUR, label="observed target"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=_OBSERVED_COLOUR,
            label="observed, not a target (unverified or excluded)",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return write_png(fig, path)


# ------------------------------------------------------------------------------ page
def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    value = float(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _unit_words(unit: str) -> str:
    """A row's unit after a number in a sentence."""
    return {"factor": "in the factor", "%": "percentage points"}.get(unit, unit)


def _miss_text(value: float) -> str:
    """A miss; undefined where the simulated value is (e.g. a growth from zero)."""
    return "undefined" if not math.isfinite(float(value)) else _number(value)


def _interval_text(low: Any, high: Any) -> str:
    if not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return "unbounded"
    return f"{_number(low)} to {_number(high)}"


def _criteria_table(scored: pd.DataFrame) -> Html:
    rows = []
    for row in scored.to_dict("records"):
        verdict = "pass" if row["result"] == _PASS else f"fail by {_miss_text(row['miss'])}"
        rows.append(
            [
                pattern_label(row["pattern"]),
                row["years"],
                row["unit"],
                _number(row["observed"]),
                Html(
                    f"{escape(_number(row['simulated_mean']))}<span class='ci'>"
                    f"{escape(_interval_text(row['simulated_low'], row['simulated_high']))}"
                    "</span>"
                ),
                Html(
                    f"{escape(_interval_text(row['accepted_low'], row['accepted_high']))}"
                    f"<span class='sub'>for the {escape(row['checked'].replace('_', ' '))} "
                    "value</span>"
                ),
                Html(f"<span class='clear'>{escape(verdict)}</span>")
                if row["result"] != _PASS
                else verdict,
                row["criterion"],
            ]
        )
    header = [
        "pattern",
        "year(s)",
        "unit",
        "observed",
        "simulated mean (95% interval)",
        "accepted",
        "result",
        "criterion",
    ]
    return table(header, rows, numeric=(3, 4))


def _verdict_html(scored: pd.DataFrame) -> str:
    verdicts = pattern_verdicts(scored)
    passed = verdicts.loc[verdicts["result"] == _PASS, "pattern"].tolist()
    failed = verdicts.loc[verdicts["result"] != _PASS]
    items = [
        f"<li><b>{escape(pattern_label(r['pattern']))}</b> fails {r['failed']} of "
        f"{r['criteria']} check{'' if r['criteria'] == 1 else 's'}; the largest miss is "
        f"{escape(_miss_text(r['worst_miss']))} {escape(_unit_words(r['worst_unit']))} "
        f"({escape(r['worst_kind'])}, {escape(r['worst_years'])})</li>"
        for r in failed.to_dict("records")
    ]
    passing = ", ".join(pattern_label(p) for p in passed) or "none"
    return (
        f"<div class='box'><p class='clear'>{len(passed)} of {len(verdicts)} patterns pass "
        "their stated criteria.</p>"
        f"<p>Pass: {escape(passing)}.</p>"
        + (f"<p>Fail:</p><ul>{''.join(items)}</ul>" if items else "")
        + "</div>"
    )


def _why_html(scored: pd.DataFrame) -> str:
    seen: dict[tuple[str, str, str], str] = {}
    for row in scored.to_dict("records"):
        years = "" if row["kind"] in _PER_YEAR else row["years"]
        seen.setdefault((row["pattern"], row["kind"], years), row["why"])
    items = "".join(
        f"<li><b>{escape(pattern_label(p))}, {escape(kind)}"
        f"{' ' + escape(years) if years else ''}</b>: {escape(why)}</li>"
        for (p, kind, years), why in seen.items()
    )
    return f"<h2>Why these criteria</h2><ul>{items}</ul>"


def _observed_table(observed: pd.DataFrame, patterns: Sequence[str]) -> str:
    rows = [
        [
            pattern_label(row["pattern"]),
            row["year"],
            f"{row['value']:g} {row['unit']}",
            row["status"],
            "target" if row["target"] else (row["excluded"] or "not a target (unverified)"),
            row["source"],
        ]
        for row in observed.to_dict("records")
        if row["pattern"] in patterns
    ]
    header = ["pattern", "year", "observed", "status", "use", "source"]
    return (
        "<h2>Observed figures</h2><p>Status V: the figure appears in its source; D: derived "
        "by arithmetic from V figures; U: unverified, never a target. Definitions differ "
        "between sources of one pattern: see the definition column of the observed table "
        "(<code>gemsim/study/observed_trends.csv</code>).</p>" + table(header, rows, numeric=(1, 2))
    )


def render_patterns_page(
    scored: pd.DataFrame,
    observed: pd.DataFrame,
    figure_path: Path | None,
    context: Mapping[str, Any],
) -> str:
    """``patterns.html`` as one string.

    Args:
        scored: :func:`score_patterns`'s table.
        observed: the observed table (with ``target``, ``status``, ``excluded``, ``source``).
        figure_path: the PNG of :func:`plot_patterns` (embedded), or None.
        context: what was run: ``name``, ``description``, ``scenario``, ``start_year``,
            ``months``, ``replications``, ``seed``, ``population_share``, ``command``.
    """
    name = str(context.get("name", "patterns"))
    years = int(context.get("months", 0)) // 12
    start = int(context.get("start_year", 0))
    share = float(context.get("population_share", math.nan))
    run = (
        f"<h2>What was run</h2><p>Scenario <code>{escape(context.get('scenario'))}</code> "
        f"from January {start} for {escape(context.get('months'))} months "
        f"({start}–{start + years - 1}), {escape(context.get('replications'))} replications, "
        f"root seed {escape(context.get('seed'))}. The simulated region holds "
        f"{share:.2%} of the national population: its counts of collectives are divided by "
        "that share to compare them with national counts. A year's simulated value is the "
        "mean of its 12 months for a survey, its last month for a count at the end of the "
        "year. The simulated value is the mean over replications (the nation is the sum of "
        "many regions like the simulated one) with its 95% interval; the tolerances stand for "
        "measurement error and definition changes. The full report of the run, with every "
        "outcome over time, is <a href='report.html'>report.html</a>.</p>"
        f"<p>Reproduce: <code>{escape(context.get('command', ''))}</code></p>"
    )
    patterns = list(dict.fromkeys(scored["pattern"]))
    body = "".join(
        [
            f"<h1>Pattern-oriented validation: {escape(name)}</h1>",
            f"<p class='subtitle'>{escape(context.get('description', ''))}</p>",
            _verdict_html(scored),
            run,
            "<h2>Criteria and results</h2><p>Each row is one check: the checked value must lie "
            "in the accepted interval; a failing row says by how much it misses, in the row's "
            "unit. The criteria were stated in the experiment file before the model was "
            "compared with the data.</p>",
            _criteria_table(scored),
            figure(
                figure_path,
                "Dark band: 95% interval of the simulated mean; light band: the middle 95% of "
                "single replications (one region); line: the mean. Filled points are the "
                "observed targets; hollow points are unverified or excluded figures (e.g. "
                "COVID-19 years: the model has no pandemic).",
                title="Observed points over the simulated bands",
            ),
            _why_html(scored),
            _observed_table(observed, patterns),
        ]
    )
    return page(f"gemsim patterns: {name}", body)
