"""Figures for scenario experiments (matplotlib, Agg canvas; no pyplot global state).

Every ``plot_*`` function takes data frames as produced by :mod:`gemsim.analysis.data` and
:mod:`gemsim.analysis.summary`, writes one PNG (:func:`gemsim.analysis.files.write_png`)
and returns its path. Shares are shown as percentages, differences between shares in
percentage points. Each scenario keeps its colour in every figure: the baseline is grey, the
others follow the Okabe-Ito colour-blind-safe palette in scenario order.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from gemsim.analysis.data import Results, fold_points, scenario_label
from gemsim.analysis.files import write_png
from gemsim.analysis.outcomes import (
    CE_OUTCOMES,
    EQUITY_GAPS,
    HEADLINE_OUTCOMES,
    MONEY_PARTS,
    describe,
    horizon_text,
)
from gemsim.analysis.summary import NO_GAIN, cost_not_quoted, mean_ci, scenario_order

__all__ = [
    "FIGURE_NAMES",
    "make_figures",
    "plot_cost_effectiveness",
    "plot_differences",
    "plot_equity",
    "plot_money",
    "plot_outcomes_over_time",
    "scenario_colours",
]

#: Where the public money that the cost counts went: these parts add up exactly to
#: ``funds_disbursed_eur + overhead_eur`` (grants and the two streams reach communities;
#: the rest is overhead), so the money figure is a partition of the public money spent.
PUBLIC_SPENDING_PARTS: tuple[str, ...] = (
    "grants_municipal_eur",
    "grants_fund_eur",
    "social_infrastructure_eur",
    "movement_support_eur",
    "overhead_channel_layer_eur",
    "overhead_handling_eur",
    "overhead_social_infrastructure_eur",
)

BASELINE_COLOUR = "#555555"
_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C564B",
    "#17BECF",
    "#BCBD22",
    "#7F7F7F",
)
_MONEY_COLOURS = (
    "#1b9e77",
    "#66c2a5",
    "#7570b3",
    "#a6a1d6",
    "#d95f02",
    "#fc8d62",
    "#fdb98f",
    "#bdbdbd",
    "#e7e7e7",
)
_HORIZON_MARKERS = ("o", "s", "D", "^")  # last horizon first: the final one is a circle

#: File names (without .png) of the figures, in report order.
FIGURE_NAMES: tuple[str, ...] = (
    "outcomes_over_time",
    "differences",
    "equity",
    "money",
    "cost_effectiveness",
)


def scenario_colours(scenarios: Sequence[str], baseline: str | None = None) -> dict[str, str]:
    """A fixed colour per scenario: grey for the baseline, then the palette in order."""
    colours: dict[str, str] = {}
    others = [s for s in scenarios if s != baseline]
    for index, name in enumerate(others):
        colours[name] = _PALETTE[index % len(_PALETTE)]
    if baseline is not None and baseline in scenarios:
        colours[baseline] = BASELINE_COLOUR
    return colours


def _order(frame: pd.DataFrame, scenarios: Sequence[str] | None, baseline: str | None) -> list[str]:
    """Scenarios present in ``frame``: listed ones first, in their order; baseline first."""
    present = list(dict.fromkeys(frame["scenario"]))
    listed = [s for s in (scenarios or []) if s in present]
    return scenario_order(listed + [s for s in present if s not in listed], baseline)


def _marker(index: int, count: int) -> str:
    """Marker of horizon ``index`` of ``count``: the last horizon is a circle."""
    return _HORIZON_MARKERS[(count - 1 - index) % len(_HORIZON_MARKERS)]


def _legend_name(scenario: str, baseline: str | None) -> str:
    label = scenario_label(scenario)
    return f"{label} (baseline)" if scenario == baseline else label


def _grid(panels: int, columns: int = 3) -> tuple[int, int]:
    columns = max(1, min(columns, panels))
    return -(-panels // columns), columns


def _figure(
    panels: int, columns: int = 3, width: float = 4.6, height: float = 3.4
) -> tuple[Figure, list[Axes]]:
    """A figure with a grid of ``panels`` axes (unused grid cells hidden)."""
    rows, cols = _grid(panels, columns)
    fig = Figure(figsize=(width * cols, height * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[panels:]:
        ax.set_visible(False)
    return fig, list(axes[:panels])


def _thousands(ax: Axes, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda value, _: f"{value:,.0f}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _euro_scale(values: np.ndarray) -> tuple[float, str]:
    """Divisor and unit name so the largest absolute value reads well."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    largest = float(finite.max()) if finite.size else 0.0
    if largest >= 1e6:
        return 1e6, "million EUR"
    if largest >= 1e4:
        return 1e3, "thousand EUR"
    return 1.0, "EUR"


def _scenario_legend(
    fig: Figure, scenarios: Sequence[str], colours: Mapping[str, str], baseline: str | None
) -> None:
    handles = [
        Line2D([], [], color=colours[s], linewidth=3, label=_legend_name(s, baseline))
        for s in scenarios
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))


def _band_stats(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    stats = frame.groupby(["scenario", "month"], sort=True)[outcome].agg(["mean", "std", "count"])
    stats["low"], stats["high"] = mean_ci(stats["mean"], stats["std"], stats["count"])
    return stats


def _banded(order: Sequence[str], baseline: str | None) -> list[str]:
    return [baseline] if baseline is not None and baseline in order else list(order)


def _band_text(banded: Sequence[str], baseline: str | None) -> str:
    if baseline in banded:
        return f"band: 95% confidence interval of the mean of {scenario_label(str(baseline))}"
    return "bands: 95% confidence intervals of the means"


def _time_panels(
    axes: Sequence[Axes],
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    order: Sequence[str],
    colours: Mapping[str, str],
    banded: Sequence[str],
) -> None:
    """One panel per outcome: each scenario's mean over time, and the 95% band of the
    scenarios in ``banded`` only (overlapping bands of every scenario hide the lines)."""
    for ax, outcome in zip(axes, outcomes, strict=True):
        info = describe(outcome)
        stats = _band_stats(frame, outcome)
        for scenario in order:
            if scenario not in stats.index.get_level_values(0):
                continue
            part = stats.loc[scenario]
            years = part.index.to_numpy(dtype=float) / 12
            colour = colours[scenario]
            ax.plot(years, part["mean"] * info.scale, color=colour, linewidth=1.8, zorder=3)
            if scenario in banded:
                ax.fill_between(
                    years,
                    part["low"] * info.scale,
                    part["high"] * info.scale,
                    color=colour,
                    alpha=0.18,
                    linewidth=0,
                    zorder=1,
                )
        ax.set_title(info.label, fontsize=10.5, fontweight="bold")
        ax.set_ylabel(info.unit)
        ax.set_xlabel("years since start")
        ax.grid(alpha=0.3)


def plot_outcomes_over_time(
    timeseries: pd.DataFrame,
    path: str | Path,
    *,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Path:
    """Key outcomes over time: one panel per outcome, per scenario the mean across
    replications; the 95% confidence band of the baseline's mean (of every scenario when
    there is no baseline)."""
    outcomes = [o for o in outcomes if o in timeseries.columns]
    if not outcomes:
        raise ValueError("none of the outcomes is in the time series")
    order = _order(timeseries, scenarios, baseline)
    colours = colours or scenario_colours(order, baseline)
    banded = _banded(order, baseline)
    fig, axes = _figure(len(outcomes))
    _time_panels(axes, timeseries, outcomes, order, colours, banded)
    runs = timeseries.groupby("scenario")["run_id" if "run_id" in timeseries else "replication"]
    fewest = int(runs.nunique().min())
    fig.suptitle(
        f"How the outcomes develop: mean of {fewest} replications per scenario "
        f"({_band_text(banded, baseline)})",
        fontsize=12,
    )
    _scenario_legend(fig, order, colours, baseline)
    return write_png(fig, path)


def plot_differences(
    summary: pd.DataFrame,
    path: str | Path,
    *,
    outcomes: Sequence[str] = HEADLINE_OUTCOMES,
    scenarios: Sequence[str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> Path:
    """Difference to the baseline at each horizon, per scenario, with 95% CI error bars
    (paired replications); one panel per outcome."""
    rows = summary.loc[summary["diff_mean"].notna() & summary["outcome"].isin(outcomes)]
    if rows.empty:
        raise ValueError("the summary has no differences to a baseline")
    baseline = str(rows["baseline"].iloc[0])
    order = [s for s in _order(rows, scenarios, baseline) if s != baseline]
    colours = colours or scenario_colours([baseline, *order], baseline)
    shown = [o for o in outcomes if o in set(rows["outcome"])]
    horizons = sorted(rows["horizon_month"].unique())
    fig, axes = _figure(len(shown), width=4.6, height=0.55 * len(order) + 2.0)
    offsets = np.linspace(-0.15, 0.15, len(horizons)) if len(horizons) > 1 else [0.0]
    for ax, outcome in zip(axes, shown, strict=True):
        info = describe(outcome)
        part = rows.loc[rows["outcome"] == outcome]
        for y, scenario in enumerate(order):
            for h_index, horizon in enumerate(horizons):
                hit = part.loc[(part["scenario"] == scenario) & (part["horizon_month"] == horizon)]
                if hit.empty:
                    continue
                row = hit.iloc[0]
                mean = row["diff_mean"] * info.scale
                low, high = row["diff_ci_low"] * info.scale, row["diff_ci_high"] * info.scale
                ax.errorbar(
                    mean,
                    y + offsets[h_index],
                    xerr=[[mean - low], [high - mean]],
                    fmt=_marker(h_index, len(horizons)),
                    color=colours[scenario],
                    capsize=4,
                    markersize=7,
                )
        ax.axvline(0, color="black", linewidth=0.9)
        ax.set_yticks(range(len(order)), [scenario_label(s) for s in order])
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.invert_yaxis()
        ax.set_title(info.label, fontsize=10.5, fontweight="bold")
        ax.set_xlabel(f"difference to {scenario_label(baseline)} ({info.diff_unit})")
        ax.grid(axis="x", alpha=0.3)
    handles = [
        Line2D(
            [],
            [],
            color="black",
            linestyle="none",
            marker=_marker(i, len(horizons)),
            label=horizon_text(int(h)),
        )
        for i, h in enumerate(horizons)
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    label = scenario_label(baseline)
    fig.suptitle(
        f"Difference to {label} (right of the line = higher than {label}); "
        "bars = 95% confidence interval of the paired difference",
        fontsize=12,
    )
    return write_png(fig, path)


def _gap_change(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Per scenario: mean and 95% CI of the per-run change of ``outcome`` from the first to
    the last stored month."""
    first, last = frame["month"].min(), frame["month"].max()
    start = frame.loc[frame["month"] == first].set_index("run_id")
    end = frame.loc[frame["month"] == last].set_index("run_id")
    change = (end[outcome] - start[outcome].reindex(end.index)).rename("change")
    per_run = pd.concat([end["scenario"], change], axis=1)
    stats = per_run.groupby("scenario")["change"].agg(["mean", "std", "count"])
    stats["low"], stats["high"] = mean_ci(stats["mean"], stats["std"], stats["count"])
    return stats


def plot_equity(
    timeseries: pd.DataFrame,
    path: str | Path,
    *,
    gaps: Sequence[str] = EQUITY_GAPS,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Path:
    """Equity: top row, each SES gap (high- minus low-SES neighbourhoods) over time per
    scenario, with the baseline's 95% band; bottom row, how much each gap changed from the
    start to the last month (below 0: low-SES neighbourhoods catch up). The top axes fit
    the lines (zero is drawn only when it falls within them)."""
    gaps = [g for g in gaps if g in timeseries.columns]
    if not gaps or "run_id" not in timeseries.columns:
        raise ValueError("the time series holds no SES gap reporters")
    order = _order(timeseries, scenarios, baseline)
    colours = colours or scenario_colours(order, baseline)
    cols = len(gaps)
    fig = Figure(figsize=(4.8 * cols, 7.6 + 0.25 * len(order)), layout="constrained")
    axes = fig.subplots(2, cols, squeeze=False, height_ratios=[3, 1.2 + 0.25 * len(order)])
    _time_panels(axes[0], timeseries, gaps, order, colours, _banded(order, baseline))
    for ax in axes[0]:
        low, high = ax.get_ylim()
        if low <= 0 <= high:
            ax.axhline(0, color="black", linewidth=0.8)
    last = int(timeseries["month"].max())
    for ax, gap in zip(axes[1], gaps, strict=True):
        info = describe(gap)
        stats = _gap_change(timeseries, gap)
        for y, scenario in enumerate(order):
            if scenario not in stats.index:
                continue
            row = stats.loc[scenario]
            mean = row["mean"] * info.scale
            err = [[mean - row["low"] * info.scale], [row["high"] * info.scale - mean]]
            ax.barh(y, mean, color=colours[scenario], alpha=0.85)
            ax.errorbar(mean, y, xerr=err, color="black", capsize=4, linestyle="none")
        ax.axvline(0, color="black", linewidth=0.9)
        ax.set_yticks(range(len(order)), [scenario_label(s) for s in order])
        ax.invert_yaxis()
        ax.set_title(f"Change in the gap, start to {horizon_text(last)}", fontsize=10)
        ax.set_xlabel(f"{info.diff_unit}  (< 0: low-SES catch up, > 0: gap widens)")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        "Who gains? Gaps between high- and low-SES neighbourhoods (high minus low; "
        "above 0 = high-SES ahead)",
        fontsize=12,
    )
    _scenario_legend(fig, order, colours, baseline)
    return write_png(fig, path)


def plot_money(
    at_horizon: pd.DataFrame,
    path: str | Path,
    *,
    horizon: int | None = None,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
) -> Path:
    """Where the public money went by the horizon: per scenario, the public money spent
    (:data:`PUBLIC_SPENDING_PARTS`, which add up to what the cost counts) as stacked bars
    of the mean across replications, with the 95% confidence interval of the total."""
    parts = [c for c in PUBLIC_SPENDING_PARTS if c in at_horizon.columns]
    if not parts:
        raise ValueError("the time series holds no money reporters")
    horizon = int(at_horizon["month"].max()) if horizon is None else horizon
    frame = at_horizon.loc[at_horizon["month"] == horizon]
    order = _order(frame, scenarios, baseline)
    means = frame.groupby("scenario")[parts].mean().reindex(order)
    totals = frame[parts].sum(axis=1).groupby(frame["scenario"]).agg(["mean", "std", "count"])
    totals = totals.reindex(order)
    low, high = mean_ci(totals["mean"], totals["std"], totals["count"])
    divisor, unit = _euro_scale(np.asarray(high, dtype=float))
    fig = Figure(figsize=(11, 1.2 + 0.7 * len(order) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    left = np.zeros(len(order))
    for index, column in enumerate(parts):
        values = means[column].fillna(0).to_numpy() / divisor
        ax.barh(
            range(len(order)),
            values,
            left=left,
            label=MONEY_PARTS.get(column, describe(column).label),
            color=_MONEY_COLOURS[index % len(_MONEY_COLOURS)],
            edgecolor="white",
        )
        left += values
    mean = totals["mean"].to_numpy(dtype=float) / divisor
    err = np.nan_to_num([mean - np.asarray(low) / divisor, np.asarray(high) / divisor - mean])
    ax.errorbar(mean, range(len(order)), xerr=err, color="black", capsize=4, linestyle="none")
    for y, total in enumerate(mean):
        ax.annotate(
            f"{total:,.3g}" if divisor > 1 else f"{total:,.0f}",
            (total, y),
            xytext=(8, 6),
            textcoords="offset points",
            fontsize=9,
        )
    ax.set_yticks(range(len(order)), [_legend_name(s, baseline) for s in order])
    ax.invert_yaxis()
    ax.set_xlabel(f"public money spent, cumulative {unit}, simulated region")
    ax.margins(x=0.08)
    if divisor == 1:
        _thousands(ax)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=4, fontsize=9)
    fewest = int(totals["count"].min()) if len(totals) else 0
    fig.suptitle(
        f"Where the public money went, {horizon_text(horizon)} (mean of {fewest} "
        "replications; whisker: 95% confidence interval of the total)",
        fontsize=12,
    )
    return write_png(fig, path)


_NOT_QUOTED = {NO_GAIN: "no clear gain"}


def plot_cost_effectiveness(
    cost: pd.DataFrame,
    path: str | Path,
    *,
    horizon: int | None = None,
    scenarios: Sequence[str] | None = None,
    colours: Mapping[str, str] | None = None,
) -> Path:
    """Extra public money per unit of outcome gained (vs the baseline), per scenario, with
    95% CI (Fieller); quoted only where :func:`gemsim.analysis.summary.cost_not_quoted`
    allows it, otherwise the reason is written in its place."""
    if cost.empty:
        raise ValueError("no cost-effectiveness rows (no baseline comparison)")
    horizon = int(cost["horizon_month"].max()) if horizon is None else horizon
    rows = cost.loc[cost["horizon_month"] == horizon]
    baseline = str(rows["baseline"].iloc[0])
    order = [s for s in _order(rows, scenarios, baseline) if s != baseline]
    colours = colours or scenario_colours([baseline, *order], baseline)
    shown = [o for o in (*CE_OUTCOMES, *rows["outcome"]) if o in set(rows["outcome"])]
    shown = list(dict.fromkeys(shown))
    fig, axes = _figure(len(shown), width=4.8, height=0.55 * len(order) + 2.0)
    for ax, outcome in zip(axes, shown, strict=True):
        part = rows.loc[rows["outcome"] == outcome].set_index("scenario").reindex(order)
        reasons = {s: cost_not_quoted(part.loc[s].to_dict()) for s in order}
        quoted = part.loc[[s for s in order if not reasons[s]]]
        divisor, unit = _euro_scale(quoted[["eur_per_unit", "eur_per_unit_ci_high"]].to_numpy())
        for y, scenario in enumerate(order):
            row = part.loc[scenario]
            if reasons[scenario]:
                ax.text(
                    0.02,
                    y,
                    _NOT_QUOTED.get(reasons[scenario], reasons[scenario]),
                    va="center",
                    ha="left",
                    fontsize=9,
                    color="#444444",
                    transform=ax.get_yaxis_transform(),
                )
                continue
            mean = row["eur_per_unit"] / divisor
            low, high = row["eur_per_unit_ci_low"] / divisor, row["eur_per_unit_ci_high"] / divisor
            ax.barh(y, mean, color=colours[scenario], alpha=0.85)
            ax.errorbar(mean, y, xerr=[[mean - low], [high - mean]], color="black", capsize=4)
        ax.axvline(0, color="black", linewidth=0.8)
        if quoted.empty:
            ax.set_xticks([])
        ax.set_yticks(range(len(order)), [scenario_label(s) for s in order])
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.invert_yaxis()
        unit_name = str(part["unit"].dropna().iloc[0]) if part["unit"].notna().any() else ""
        ax.set_title(f"{describe(outcome).label}", fontsize=10.5, fontweight="bold")
        ax.set_xlabel(textwrap.fill(f"{unit} per {unit_name}", 48))
        if divisor == 1:
            _thousands(ax)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Cost of a unit of outcome gained, {horizon_text(horizon)}: extra public money vs "
        f"{scenario_label(baseline)} per unit of gain (bars = 95% CI)",
        fontsize=12,
    )
    return write_png(fig, path)


def make_figures(results: Results, summary: pd.DataFrame, cost: pd.DataFrame) -> dict[str, Path]:
    """Write every figure that the results support into ``results_dir/figures``.

    Figures that need a comparison (differences, cost) are skipped without a baseline and a
    second scenario; stale files of skipped figures are removed. Returns name -> path.
    """
    folder = results.results_dir / "figures"
    over_time = fold_points(results.over_time)
    order = _order(over_time, results.scenarios, results.baseline or None)
    baseline = results.baseline or None
    colours = scenario_colours(order, baseline)
    final = results.final_horizon
    made: dict[str, Path] = {}

    def attempt(name: str, draw: Callable[[Path], Path]) -> None:
        try:
            made[name] = draw(folder / f"{name}.png")
        except ValueError:
            (folder / f"{name}.png").unlink(missing_ok=True)

    attempt(
        "outcomes_over_time",
        lambda p: plot_outcomes_over_time(
            over_time, p, scenarios=order, baseline=baseline, colours=colours
        ),
    )
    attempt(
        "differences",
        lambda p: plot_differences(fold_points(summary), p, scenarios=order, colours=colours),
    )
    attempt(
        "equity",
        lambda p: plot_equity(over_time, p, scenarios=order, baseline=baseline, colours=colours),
    )
    attempt(
        "money",
        lambda p: plot_money(
            fold_points(results.at_horizons), p, horizon=final, scenarios=order, baseline=baseline
        ),
    )
    attempt(
        "cost_effectiveness",
        lambda p: plot_cost_effectiveness(
            fold_points(cost), p, horizon=final, scenarios=order, colours=colours
        ),
    )
    return made
