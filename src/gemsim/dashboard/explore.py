"""Explore one run: one visitor's own model, its controls and what it shows.

:class:`ExploreRun` holds the model of one browser session (the page creates one per
visitor; nothing here is module-level state). The controls edit a draft of
:class:`RunSettings`; Reset builds a new model from the draft, Step and Play advance it.
The charts are drawn from an immutable :class:`Snapshot` taken after each change, so a
redraw never reads a model that a Play thread is stepping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import pandas as pd
import solara

from gemsim.dashboard.charts import (
    DISPLAY,
    TILE_STATES,
    Chart,
    Prose,
    lines_option,
    plain_label,
    tiles_option,
)
from gemsim.dashboard.levers import LEVERS, RUN_SETUP, Lever, format_value, regime_description
from gemsim.errors import UserError
from gemsim.model.model import CommunityModel

__all__ = [
    "DEFAULT_SETTINGS",
    "ExplorePanel",
    "ExploreRun",
    "RunSettings",
    "Snapshot",
    "explore_charts",
    "readouts",
]

#: A small region (3 municipalities, about 120 neighbourhoods and 2,700 citizen agents)
#: keeps a step and its redraw well within a blink; the region slider makes it larger.
EXPLORE_MUNICIPALITIES = 3
DEFAULT_SEED = 42
SEED_MAX = 2**63 - 1
PLAY_INTERVAL_S = 0.25  # Play advances four months a second


@dataclass(frozen=True)
class RunSettings:
    """What Reset builds a model from: parameter values (the levers and the region) and a
    seed."""

    values: Mapping[str, Any]
    seed: int = DEFAULT_SEED

    def with_value(self, name: str, value: Any) -> RunSettings:
        return replace(self, values=MappingProxyType({**self.values, name: value}))

    def with_seed(self, seed: int) -> RunSettings:
        return replace(self, seed=seed)

    def build(self) -> CommunityModel:
        """A new model; raises a UserError (ParameterError) naming a bad value."""
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise UserError(f"random seed {self.seed!r} is not allowed: must be a whole number")
        if not 0 <= self.seed <= SEED_MAX:
            raise UserError(
                f"random seed {self.seed} is not allowed: must be a whole number from 0 to "
                f"{SEED_MAX}"
            )
        return CommunityModel(dict(self.values), rng=self.seed)


DEFAULT_SETTINGS = RunSettings(
    MappingProxyType(
        {
            **{lever.name: lever.default for lever in LEVERS},
            "n_municipalities": EXPLORE_MUNICIPALITIES,
            "months": 120,
        }
    )
)


@dataclass(frozen=True)
class Snapshot:
    """What the page shows of a model at one moment (copied, never the live model)."""

    settings: RunSettings
    month: int
    horizon: int
    reporters: pd.DataFrame = field(repr=False)
    neighbourhoods: pd.DataFrame = field(repr=False)
    step_ms: float = 0.0

    @property
    def finished(self) -> bool:
        return self.month >= self.horizon


class ExploreRun:
    """One visitor's model: reset, step and snapshot, safe to call from a Play thread."""

    def __init__(self, settings: RunSettings = DEFAULT_SETTINGS) -> None:
        self._lock = threading.Lock()
        self._model = settings.build()
        self._settings = settings

    @property
    def settings(self) -> RunSettings:
        return self._settings

    def reset(self, settings: RunSettings) -> Snapshot:
        """A new model from ``settings``; the old one stays if they are invalid."""
        model = settings.build()
        with self._lock:
            self._model, self._settings = model, settings
            return self._snapshot(0.0)

    def step(self, months: int = 1) -> Snapshot:
        """Advance up to ``months`` months (not past the horizon)."""
        with self._lock:
            started = time.perf_counter()
            for _ in range(months):
                if not self._model.running:
                    break
                self._model.step()
            return self._snapshot(1000 * (time.perf_counter() - started))

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot(0.0)

    def _snapshot(self, step_ms: float) -> Snapshot:
        model = self._model
        reporters = model.datacollector.get_model_vars_dataframe()
        reporters.index.name = "month"
        return Snapshot(
            settings=self._settings,
            month=model.steps,  # months simulated so far (Mesa counts them)
            horizon=model.params.months,
            reporters=reporters.reset_index(),
            neighbourhoods=model.neighbourhood_frame(),
            step_ms=step_ms,
        )


# ------------------------------------------------------------------------ what it shows
def readouts(snapshot: Snapshot) -> dict[str, str]:
    """The headline numbers now, as the page prints them."""
    now = snapshot.reporters.iloc[-1]
    return {
        "Month": f"{snapshot.month} of {snapshot.horizon} (year {snapshot.month / 12:.1f})",
        "Trust in local government": f"{100 * now['trust_government']:.1f}%",
        "Residents who volunteer": f"{100 * now['participation']:.1f}%",
        "Wellbeing (0–10)": f"{now['wellbeing']:.3f}",
        "€ reached communities": f"€{now['funds_disbursed_eur'] / 1e6:,.2f}M",
        "€ lost to overhead": f"€{now['overhead_eur'] / 1e6:,.2f}M",
    }


#: The charts of one run: title, subtitle, reporters drawn (plain names from the outcomes).
RUN_CHARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Trust and participation",
        "% of residents",
        ("trust_government", "social_trust", "participation", "active_share"),
    ),
    (
        "Wellbeing",
        "mean life satisfaction; the axis shows 6.5–8.5 of the 0–10 scale",
        ("wellbeing",),
    ),
    (
        "Neighbourhoods with their social infrastructure in order",
        "% of neighbourhoods",
        ("neighbourhoods_in_order",),
    ),
    (
        "Where the money went",
        "€M for the simulated region, cumulative",
        ("funds_disbursed_eur", "overhead_eur", "applicant_cost_eur"),
    ),
    (
        "Gaps between high- and low-SES neighbourhoods",
        "percentage points; 0 = no gap",
        ("trust_gap_ses", "participation_gap_ses"),
    ),
    (
        "Wellbeing gap between high- and low-SES neighbourhoods",
        "points on the 0–10 scale",
        ("wellbeing_gap_ses",),
    ),
)


#: Legend names where the outcome's own short name would not say it plainly.
LEGEND_NAMES = {
    "funds_disbursed_eur": "Reached communities",
    "overhead_eur": "Lost to overhead",
    "applicant_cost_eur": "Applicants' compliance cost",
}


def _plain(name: str) -> str:
    return LEGEND_NAMES.get(name) or plain_label(name)


def explore_charts(snapshot: Snapshot) -> list[dict[str, Any]]:
    """ECharts options of the run's charts (see :data:`RUN_CHARTS`)."""
    months = snapshot.reporters["month"].to_numpy()
    options = []
    for title, subtitle, names in RUN_CHARTS:
        series = {_plain(name): snapshot.reporters[name].to_numpy() for name in names}
        options.append(
            lines_option(title, months, series, DISPLAY[names[0]], snapshot.horizon, subtitle)
        )
    return options


# ------------------------------------------------------------------------ the panel
@solara.component
def LeverControl(lever: Lever, value: Any, regime: str, on_value: Callable[[Any], None]) -> None:
    """One control with its plain name, its value and unit, and its one-line description."""
    acts = lever.acts_under(regime)
    with solara.Column(gap="0px", classes=["gemsim-lever"], style={"margin-bottom": "10px"}):
        heading = f"**{lever.label}**: {lever.show(value)}"
        if not acts:
            heading += " *(no effect under this regime)*"
        Prose(heading, style="font-size: 14px")
        if lever.kind == "switch":
            solara.Switch(
                label=f"{'on' if value else 'off'}: {lever.related_text()}",
                value=bool(value),
                on_value=on_value,
            )
        elif lever.kind == "choice":
            choices = lever.choices
            solara.Select(
                label=lever.label,
                value=choices[value],
                values=list(choices.values()),
                on_value=lambda shown: on_value(next(k for k, v in choices.items() if v == shown)),
            )
        else:
            low, high = lever.span
            slider = solara.SliderInt if lever.is_int else solara.SliderFloat
            slider(
                label="",
                value=value,
                min=low,
                max=high,
                step=lever.step,
                on_value=on_value,
                thumb_label=False,
                tick_labels=False,
            )
            solara.Text(
                f"{format_value(low, lever.unit)} … {format_value(high, lever.unit)}",
                style={"font-size": "11px", "color": "#666"},
            )
        description = lever.description
        if lever.name == "regime":
            description = regime_description(value)
        solara.Text(description, style={"font-size": "12px", "color": "#444"})


@solara.component
def ExplorePanel(run: ExploreRun) -> None:
    """Controls, buttons, readouts, charts and the neighbourhood tiles of one run."""
    first = solara.use_memo(run.snapshot, [])
    snapshot, set_snapshot = solara.use_state(first, key="snapshot")
    draft = solara.use_reactive(run.settings)
    seed = solara.use_reactive(run.settings.seed)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    tile_state = solara.use_reactive("in_order")

    def set_value(name: str) -> Callable[[Any], None]:
        return lambda value: draft.set(draft.value.with_value(name, value))

    def reset() -> None:
        playing.set(False)
        try:
            set_snapshot(run.reset(draft.value.with_seed(seed.value)))
            error.set("")
        except UserError as problem:
            error.set(str(problem))

    def step() -> None:
        set_snapshot(run.step())

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        while not cancel.is_set():
            started = time.perf_counter()
            current = run.step()
            set_snapshot(current)
            if current.finished:
                playing.set(False)
                return
            cancel.wait(max(0.0, PLAY_INTERVAL_S - (time.perf_counter() - started)))

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)
    charts = solara.use_memo(lambda: explore_charts(snapshot), [snapshot])
    tiles = solara.use_memo(
        lambda: tiles_option(snapshot.neighbourhoods, tile_state.value, snapshot.month),
        [snapshot, tile_state.value],
    )
    pending = draft.value.with_seed(seed.value) != snapshot.settings
    regime = draft.value.values["regime"]

    with solara.Columns([1, 3], style={"align-items": "flex-start"}):
        with solara.Card("Settings", classes=["gemsim-settings"]):
            for lever in LEVERS:
                LeverControl(lever, draft.value.values[lever.name], regime, set_value(lever.name))
            Prose("**The simulated region and the run**")
            for lever in RUN_SETUP:
                LeverControl(lever, draft.value.values[lever.name], regime, set_value(lever.name))
            solara.InputInt("Random seed", value=seed, continuous_update=True)
            solara.Text(
                "The same seed and settings give the same run, every time.",
                style={"font-size": "12px", "color": "#444"},
            )
        with solara.Column():
            with solara.Row(classes=["gemsim-buttons"]):
                solara.Button("Reset", on_click=reset, color="primary", outlined=pending)
                solara.Button("Step", on_click=step, disabled=playing.value or snapshot.finished)
                solara.Button(
                    "Play",
                    on_click=lambda: playing.set(True),
                    disabled=playing.value or snapshot.finished,
                )
                solara.Button(
                    "Pause", on_click=lambda: playing.set(False), disabled=not playing.value
                )
            if pending:
                solara.Info("Changed settings take effect when you press Reset.", dense=True)
            if error.value:
                solara.Error(error.value, classes=["gemsim-error"])
            with solara.Row(classes=["gemsim-readouts"], style={"flex-wrap": "wrap"}):
                for label, text in readouts(snapshot).items():
                    with solara.Card(margin=0, style={"min-width": "170px"}):
                        with solara.Column(gap="2px"):
                            solara.Text(label, style={"font-size": "12px", "color": "#555"})
                            solara.Text(
                                text,
                                classes=["gemsim-readout", f"gemsim-{_css(label)}"],
                                style={"font-size": "20px", "font-weight": "500"},
                            )
            with solara.GridFixed(columns=2):
                for index, option in enumerate(charts):
                    Chart(option, height=300, test_id=f"run-chart-{index}")
            with solara.Card("Where"):
                names = {label: state for state, (label, _) in TILE_STATES.items()}
                solara.Select(
                    label="Colour the neighbourhoods by",
                    value=TILE_STATES[tile_state.value][0],
                    values=list(names),
                    on_value=lambda label: tile_state.set(names[label]),
                )
                rows = int(snapshot.neighbourhoods["municipality"].nunique())
                Chart(tiles, height=140 + 26 * rows, test_id="tiles")


def _css(label: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")
