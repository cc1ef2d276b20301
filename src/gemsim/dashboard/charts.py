"""ECharts options for the dashboard: plain dictionaries built from the model's data.

Why ECharts: the browser draws the chart and redraws it when Python sends a new option
(a few kilobytes of JSON), instead of Python rendering an image each step; and its
JavaScript ships in the ``solara-assets`` package, which the ``viz`` extra installs, so
the page needs no internet. :class:`EChart` is a small widget around it (``echart.vue``).

Every chart has a title, axis names with units and a fixed y-range chosen to show a
change of the size the model produces in context, not to fill the plot with noise.
Outcome names and units come from :mod:`gemsim.analysis.outcomes`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipyvuetify
import numpy as np
import pandas as pd
import solara
import traitlets

from gemsim.analysis.outcomes import describe

__all__ = [
    "COLOURS",
    "DISPLAY",
    "Display",
    "EChart",
    "bands_option",
    "bars_option",
    "lines_option",
    "tiles_option",
]

#: Series colours (colour-blind safe, Okabe & Ito), in scenario order.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


@dataclass(frozen=True)
class Display:
    """How one outcome is drawn: factor from the stored value, unit text, y-range."""

    scale: float
    unit: str
    suffix: str
    y_min: float | None
    y_max: float | None
    digits: int


_PERCENT = Display(100.0, "% of residents", "%", 0, 100, 1)
_GAP = Display(100.0, "percentage points", " pp", -10, 30, 1)
_MONEY = Display(1e-6, "€M, cumulative", " €M", 0, None, 2)

#: Per outcome: how it is drawn. Shares as percentages on 0-100; wellbeing on a
#: 2-point window of its 0-10 scale (a regime moves it by hundredths of a point);
#: SES gaps in percentage points (or points) around zero; money in €M from zero.
DISPLAY: dict[str, Display] = {
    "trust_government": _PERCENT,
    "trust_national": _PERCENT,
    "social_trust": _PERCENT,
    "participation": _PERCENT,
    "active_share": _PERCENT,
    "satisfied_share": _PERCENT,
    "neighbourhoods_in_order": Display(100.0, "% of neighbourhoods", "%", 0, 100, 1),
    "wellbeing": Display(1.0, "points on 0–10", "", 6.5, 8.5, 3),
    "trust_gap_ses": _GAP,
    "participation_gap_ses": _GAP,
    "wellbeing_gap_ses": Display(1.0, "points on 0–10", "", -0.25, 0.75, 3),
    "funds_disbursed_eur": _MONEY,
    "overhead_eur": _MONEY,
    "applicant_cost_eur": _MONEY,
}


class EChart(ipyvuetify.VuetifyTemplate):
    """An ECharts chart drawn in the browser from ``option`` (see ``echart.vue``)."""

    template_file = (__file__, "echart.vue")
    option = traitlets.Dict({}).tag(sync=True)
    attributes = traitlets.Dict({}).tag(sync=True)


@solara.component
def Chart(option: dict[str, Any], height: int = 300, test_id: str = "") -> solara.Element:
    """A chart of ``height`` pixels; ``test_id`` names it for browser tests."""
    attributes = {"style": f"height: {height}px; width: 100%;"}
    if test_id:
        attributes["data-testid"] = test_id
    return EChart.element(option=option, attributes=attributes)


def _title(text: str, subtitle: str = "") -> dict[str, Any]:
    return {
        "text": text,
        "subtext": subtitle,
        "left": 0,
        "textStyle": {"fontSize": 14},
        "subtextStyle": {"fontSize": 11},
    }


def _years_axis(years: float) -> dict[str, Any]:
    return {
        "type": "value",
        "name": "years from start",
        "nameLocation": "middle",
        "nameGap": 26,
        "min": 0,
        "max": max(float(years), 1 / 12),
    }


def _value_axis(display: Display, name: str | None = None) -> dict[str, Any]:
    axis: dict[str, Any] = {
        "type": "value",
        "name": name or display.unit,
        "nameLocation": "middle",
        "nameGap": 42,
        "scale": display.y_min is None,
    }
    if display.y_min is not None:
        axis["min"] = display.y_min
    if display.y_max is not None:
        axis["max"] = display.y_max
    return axis


def _finite(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]


def _points(x: np.ndarray, y: np.ndarray) -> list[list[float | None]]:
    return [[float(a), b] for a, b in zip(x, _finite(y), strict=True)]


def lines_option(
    title: str,
    months: np.ndarray,
    series: Mapping[str, np.ndarray],
    display: Display,
    horizon_months: int,
    subtitle: str = "",
) -> dict[str, Any]:
    """Lines over time: ``series`` maps a plain name to stored values per month."""
    years = np.asarray(months, dtype=float) / 12
    return {
        "animation": False,
        "title": _title(title, subtitle),
        "color": list(COLOURS),
        "grid": {"left": 64, "right": 16, "top": 56 if subtitle else 40, "bottom": 84},
        "legend": {"bottom": 0, "left": 0},
        "tooltip": _axis_tooltip(display),
        "xAxis": _years_axis(horizon_months / 12),
        "yAxis": _value_axis(display),
        "series": [
            {
                "id": f"line:{name}",
                "name": name,
                "type": "line",
                "showSymbol": False,
                "data": _points(years, np.asarray(values, dtype=float) * display.scale),
            }
            for name, values in series.items()
        ],
    }


def _axis_tooltip(display: Display) -> dict[str, Any]:
    return {
        "trigger": "axis",
        "valueSuffix": display.suffix,
        "valueDigits": display.digits,
        "axisLabel": "year ",
        "axisDigits": 2,
    }


def _month_categories(horizon_months: int) -> list[str]:
    """Category labels of months 0..horizon in years ("0", "0.08", ..., "1", ...)."""
    return [f"{month / 12:.2f}".rstrip("0").rstrip(".") for month in range(horizon_months + 1)]


def bands_option(
    title: str,
    stats: pd.DataFrame,
    display: Display,
    scenarios: Sequence[str],
    names: Mapping[str, str],
    horizon_months: int,
    mean: str = "mean",
    low: str = "ci_low",
    high: str = "ci_high",
    subtitle: str = "",
) -> dict[str, Any]:
    """Each scenario's mean over time with its 95% confidence band.

    ``stats`` has one row per scenario and month (``horizon_month``) with the columns
    ``mean``, ``low`` and ``high`` (as :func:`gemsim.analysis.summary.summarize` gives).
    The band is a stacked area (lower bound, then the band's width) on a month axis
    (ECharts stacks only on a category axis); the tooltip skips it.
    """
    months = np.arange(horizon_months + 1)
    series: list[dict[str, Any]] = []
    for index, scenario in enumerate(scenarios):
        rows = stats.loc[stats["scenario"] == scenario].set_index("horizon_month")
        if rows.empty:
            continue
        rows = rows.reindex(months)
        colour = COLOURS[index % len(COLOURS)]
        centre = rows[mean].to_numpy(dtype=float) * display.scale
        lower = rows[low].to_numpy(dtype=float) * display.scale
        upper = rows[high].to_numpy(dtype=float) * display.scale
        label = names.get(scenario, scenario)
        band = {
            "name": label,
            "type": "line",
            "stack": f"band:{scenario}",
            "showSymbol": False,
            "silent": True,
            "lineStyle": {"opacity": 0},
            "itemStyle": {"color": colour},
        }
        if np.isfinite(lower).any():
            series += [
                {**band, "id": f"band:{scenario}:low", "data": _finite(lower)},
                {
                    **band,
                    "id": f"band:{scenario}:width",
                    "areaStyle": {"color": colour, "opacity": 0.2},
                    "data": _finite(upper - lower),
                },
            ]
        series.append(
            {
                "id": f"mean:{scenario}",
                "name": label,
                "type": "line",
                "showSymbol": False,
                "lineStyle": {"width": 2, "color": colour},
                "itemStyle": {"color": colour},
                "data": _finite(centre),
            }
        )
    return {
        "animation": False,
        "title": _title(title, subtitle),
        "grid": {"left": 64, "right": 16, "top": 56 if subtitle else 40, "bottom": 84},
        "legend": {"bottom": 0, "left": 0, "data": [names.get(s, s) for s in scenarios]},
        "tooltip": _axis_tooltip(display),
        "xAxis": {
            "type": "category",
            "boundaryGap": False,
            "data": _month_categories(horizon_months),
            "name": "years from start",
            "nameLocation": "middle",
            "nameGap": 26,
            "axisLabel": {"interval": 11},
            "axisTick": {"interval": 11},
        },
        "yAxis": _value_axis(display),
        "series": series,
    }


def bars_option(
    title: str,
    categories: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    unit: str,
    subtitle: str = "",
) -> dict[str, Any]:
    """Horizontal stacked bars: one bar per category, one stack part per key of ``stacks``
    (values already in the unit shown)."""
    return {
        "animation": False,
        "title": _title(title, subtitle),
        "color": ["#009E73", "#D55E00", "#E69F00", "#999999"],
        "grid": {
            "left": 8,
            "right": 24,
            "top": 64 if subtitle else 48,
            "bottom": 40,
            "containLabel": True,
        },
        "legend": {"top": 40 if subtitle else 22, "right": 0},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "name": unit, "nameLocation": "middle", "nameGap": 24, "min": 0},
        "yAxis": {"type": "category", "data": list(categories), "inverse": True},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "total",
                "data": [round(float(v), 3) for v in values],
                "label": {"show": True, "formatter": "{c}"},
            }
            for name, values in stacks.items()
        ],
    }


#: States a neighbourhood can be coloured by: column -> (plain name, kind).
TILE_STATES: dict[str, tuple[str, str]] = {
    "in_order": ("Social infrastructure in order", "category"),
    "participation": ("Residents who volunteer (%)", "percent"),
    "trust_government": ("Trust in local government (%)", "percent"),
    "wellbeing": ("Wellbeing (0–10)", "points"),
}


def _tip(row: Any, stock_columns: Sequence[str]) -> str:
    """The hover text of one neighbourhood (HTML; the only words in it are escaped)."""
    stocks = {c.removeprefix("stock_").replace("_", " "): float(row[c]) for c in stock_columns}
    weakest = min(stocks, key=stocks.__getitem__)
    return "<br/>".join(
        [
            f"<b>Neighbourhood {int(row['neighbourhood']) + 1}</b> "
            f"(municipality {int(row['municipality']) + 1})",
            f"SES: {html.escape(str(row['ses_group']))} ({float(row['ses']):+.2f} sd)",
            f"Inhabitants: {float(row['population']):,.0f}",
            f"Infrastructure in order: {'yes' if row['in_order'] else 'no'} "
            f"(weakest: {html.escape(weakest)} {stocks[weakest]:.2f} of 1)",
            f"Residents who volunteer: {100 * float(row['participation']):.1f}%",
            f"Trust in local government: {100 * float(row['trust_government']):.1f}%",
            f"Wellbeing: {float(row['wellbeing']):.2f} of 10",
            f"Collectives: {int(row['collectives'])}",
        ]
    )


def tiles_option(frame: pd.DataFrame, state: str, month: int) -> dict[str, Any]:
    """Neighbourhoods as tiles: one row per municipality, ordered by SES from left (lowest)
    to right, coloured by ``state`` (a key of :data:`TILE_STATES`); hover for the numbers.

    ``frame`` is :meth:`gemsim.model.CommunityModel.neighbourhood_frame`.
    """
    label, kind = TILE_STATES[state]
    stock_columns = [c for c in frame.columns if c.startswith("stock_")]
    ordered = frame.sort_values(["municipality", "ses"], kind="stable")
    rank = ordered.groupby("municipality").cumcount().to_numpy()
    municipalities = sorted(int(m) for m in frame["municipality"].unique())
    row_of = {m: i for i, m in enumerate(municipalities)}
    data = []
    for position, row in zip(rank, ordered.to_dict("records"), strict=True):
        value = row[state]
        shown = float(value) * (100 if kind == "percent" else 1)
        data.append(
            {
                "value": [
                    int(position),
                    row_of[int(row["municipality"])],
                    int(bool(value)) if kind == "category" else round(shown, 3),
                ],
                "tip": _tip(row, stock_columns),
            }
        )
    if kind == "category":
        visual = {
            "type": "piecewise",
            "dimension": 2,
            "pieces": [
                {"value": 1, "label": "in order", "color": "#009E73"},
                {"value": 0, "label": "not in order", "color": "#D55E00"},
            ],
        }
    else:
        low, high = (0, 100) if kind == "percent" else (6.5, 8.5)
        visual = {
            "type": "continuous",
            "dimension": 2,
            "min": low,
            "max": high,
            "calculable": False,
            "precision": 0 if kind == "percent" else 1,
            "inRange": {"color": ["#f7fbff", "#6baed6", "#08306b"]},
        }
    visual.update({"orient": "horizontal", "left": "center", "bottom": 0, "text": None})
    widest = int(rank.max()) + 1 if rank.size else 1
    return {
        "animation": False,
        "title": _title(
            f"Where: neighbourhoods by {label.lower()}, month {month}",
            "Each tile is a neighbourhood (buurt); rows are municipalities, lowest SES on the "
            "left. Hover for its numbers.",
        ),
        "grid": {"left": 110, "right": 16, "top": 64, "bottom": 64},
        "tooltip": {"trigger": "item", "fromData": True},
        "xAxis": {
            "type": "value",
            "name": "neighbourhoods, lowest to highest SES →",
            "nameLocation": "middle",
            "nameGap": 8,
            "min": -0.5,
            "max": widest - 0.5,
            "axisLabel": {"show": False},
            "splitLine": {"show": False},
            "axisTick": {"show": False},
        },
        "yAxis": {
            "type": "category",
            "data": [f"Municipality {m + 1}" for m in municipalities],
            "inverse": True,
        },
        "visualMap": visual,
        "series": [
            {
                "name": label,
                "type": "scatter",
                "symbol": "rect",
                "symbolSize": [max(4, min(18, 700 // widest)), 14],
                "data": data,
            }
        ],
    }


def plain_label(name: str) -> str:
    """A short plain name of an outcome for titles and legends: its short name if that
    reads as a name, else its label (from :mod:`gemsim.analysis.outcomes`)."""
    outcome = describe(name)
    short = outcome.short
    return short if short and short[:1].isupper() else outcome.label


@solara.component
def Prose(text: str, style: str = "") -> solara.Element:
    """Our own Markdown text, rendered on the server (``solara.Markdown`` would fetch a
    math renderer from the internet). Only for text written here, never visitors' input."""
    import markdown

    return solara.HTML(
        tag="div", unsafe_innerHTML=markdown.markdown(text), style=style, classes=["gemsim-prose"]
    )
