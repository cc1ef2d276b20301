"""The dashboard's components, rendered on the server with Solara's test tools: the
controls, Reset after a change, a typed seed, Step and Play, one model per session."""

import time

import numpy as np
import pandas as pd
import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from gemsim.dashboard.explore import (  # noqa: E402
    DEFAULT_SETTINGS,
    ExplorePanel,
    ExploreRun,
    RunSettings,
    explore_charts,
)
from gemsim.dashboard.levers import LEVERS, RUN_SETUP, format_value  # noqa: E402
from gemsim.model.model import CommunityModel  # noqa: E402
from gemsim.model.parameters import Parameters  # noqa: E402

SMALL = RunSettings({**DEFAULT_SETTINGS.values, "n_municipalities": 1, "months": 24}, seed=3)


def render_panel(settings: RunSettings = SMALL):
    run = ExploreRun(settings)
    _box, rc = solara.render(ExplorePanel(run), handle_error=False)
    return run, rc


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def text_field(rc, label_start: str):
    fields = [w for w in rc.find(v.TextField).widgets if str(w.label).startswith(label_start)]
    assert len(fields) == 1, [w.label for w in rc.find(v.TextField).widgets]
    return fields[0]


def with_class(rc, widget_class, name: str) -> list:
    return [w for w in rc.find(widget_class).widgets if name in str(w.class_).split()]


def shown_month(rc) -> str:
    (month,) = with_class(rc, v.Html, "gemsim-month")
    return month.children[0]


def test_app_module_is_the_page_solara_runs():
    from gemsim import app
    from gemsim.dashboard.page import Page

    assert app.Page is Page
    _box, rc = solara.render(app.Page(), handle_error=False)
    tabs = [w.children[0] for w in rc.find(v.Tab).widgets]
    assert tabs == ["Explore one run", "Compare scenarios", "About the model"]


def test_every_slider_spans_its_lever_range_within_the_allowed_range():
    _run, rc = render_panel()
    sliders = rc.find(v.Slider).widgets
    levers = [lever for lever in (*LEVERS, *RUN_SETUP) if lever.kind == "slider"]
    assert len(sliders) == len(levers)
    for slider, lever in zip(sliders, levers, strict=True):
        low, high = lever.bounds
        assert (slider.min, slider.max) == lever.span
        assert low <= slider.min < slider.max <= high, lever.name
        assert slider.step == lever.step
        assert slider.min <= SMALL.values[lever.name] <= slider.max, lever.name


def test_each_control_shows_its_plain_name_value_unit_and_the_parameter_description():
    _run, rc = render_panel()
    page_html = " ".join(str(w.unsafe_innerHTML) for w in rc.find(solara.widgets.HTML).widgets)
    page_text = " ".join(str(w.children[0]) for w in rc.find(v.Html, tag="span").widgets)
    for lever in (*LEVERS, *RUN_SETUP):
        assert lever.label in page_html, lever.name
        assert lever.show(SMALL.values[lever.name]) in page_html, lever.name
        if lever.name != "regime":  # the regime shows the chosen regime's own description
            description = Parameters.model_fields[lever.name].description
            assert description in page_text, lever.name
    # units come from the parameter: e.g. EUR/year (national) for the extra money
    assert format_value(50_000_000, "EUR/year (national)") == "€50M/year (national)"


def test_reset_after_changing_the_regime_builds_a_model_of_that_regime():
    run, rc = render_panel()
    select = rc.find(v.Select, label="Funding regime").widget
    select.v_model = "Community fund with municipal co-decision"
    assert run.settings.values["regime"] == "status_quo"  # nothing happens before Reset
    button(rc, "Reset").click()
    assert run.settings.values["regime"] == "hybrid"
    assert run.snapshot().month == 0
    pending = "Changed settings take effect when you press Reset."
    assert rc.find(v.Alert, children=[pending]).widgets == []


def test_reset_after_a_step_starts_again_from_month_zero_with_the_same_run():
    run, rc = render_panel()
    first = run.snapshot().reporters
    button(rc, "Step").click()
    button(rc, "Step").click()
    assert shown_month(rc).startswith("2 of 24")
    button(rc, "Reset").click()
    assert shown_month(rc).startswith("0 of 24")
    pd.testing.assert_frame_equal(run.snapshot().reporters, first)


def test_a_typed_seed_is_a_whole_number_and_gives_that_seeds_run():
    run, rc = render_panel()
    text_field(rc, "Random seed").v_model = "7"
    button(rc, "Reset").click()
    assert run.settings.seed == 7
    button(rc, "Step").click()
    expected = CommunityModel(dict(SMALL.values), rng=7)
    expected.step()
    np.testing.assert_array_equal(
        run.snapshot().reporters.drop(columns="month").to_numpy(),
        expected.datacollector.get_model_vars_dataframe().to_numpy(),
    )


def test_a_typed_seed_that_is_not_a_whole_number_is_refused_and_the_run_kept():
    run, rc = render_panel()
    field = text_field(rc, "Random seed")
    field.v_model = "seven"
    assert field.error
    assert "integer" in field.label
    button(rc, "Reset").click()
    assert run.settings.seed == SMALL.seed  # the last good seed


def test_a_negative_seed_gets_a_clear_message_and_the_run_is_kept():
    run, rc = render_panel()
    text_field(rc, "Random seed").v_model = "-3"
    button(rc, "Reset").click()
    (alert,) = with_class(rc, v.Alert, "gemsim-error")
    message = alert.children
    assert "random seed -3 is not allowed" in str(message)
    assert run.settings.seed == SMALL.seed


def test_play_advances_months_until_pause():
    run, rc = render_panel()
    button(rc, "Play").click()
    deadline = time.monotonic() + 30
    while run.snapshot().month < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    button(rc, "Pause").click()
    paused_at = run.snapshot().month
    assert paused_at >= 2
    time.sleep(3 * 0.25 + 0.2)
    assert run.snapshot().month <= paused_at + 1  # at most the step in flight


def test_step_stops_at_the_horizon():
    run = ExploreRun(RunSettings({**SMALL.values, "months": 2}, seed=1))
    assert run.step(5).month == 2
    assert run.step().finished


def test_two_sessions_have_their_own_models():
    first, rc_first = render_panel()
    second, _rc_second = render_panel()
    button(rc_first, "Step").click()
    assert first.snapshot().month == 1
    assert second.snapshot().month == 0
    assert first._model is not second._model


def test_run_charts_have_titles_axis_names_and_fixed_ranges():
    snapshot = ExploreRun(SMALL).step(3)
    for option in explore_charts(snapshot):
        assert option["title"]["text"]
        assert option["xAxis"]["name"] == "years from start"
        assert option["xAxis"]["max"] == 2.0  # the horizon, fixed while the run grows
        assert option["yAxis"]["name"]
        assert option["yAxis"]["min"] is not None
        assert all("_" not in series["name"] for series in option["series"])


def test_neighbourhood_tiles_group_by_municipality_order_by_ses_and_tell_the_numbers():
    from gemsim.dashboard.charts import tiles_option

    snapshot = ExploreRun(RunSettings({**SMALL.values, "n_municipalities": 2}, seed=4)).step(2)
    frame = snapshot.neighbourhoods
    option = tiles_option(frame, "participation", snapshot.month)
    tiles = option["series"][0]["data"]
    assert len(tiles) == len(frame)
    assert option["yAxis"]["data"] == ["Municipality 1", "Municipality 2"]
    for row_index in (0, 1):
        row = [tile for tile in tiles if tile["value"][1] == row_index]
        ses = [float(tile["tip"].split("SES: ")[1].split("(")[1].split(" sd")[0]) for tile in row]
        assert [tile["value"][0] for tile in row] == list(range(len(row)))
        assert ses == sorted(ses)
    first = frame.sort_values(["municipality", "ses"]).iloc[0]
    assert f"Residents who volunteer: {100 * first['participation']:.1f}%" in tiles[0]["tip"]
    assert tiles[0]["value"][2] == pytest.approx(100 * first["participation"], abs=1e-3)
    in_order = tiles_option(frame, "in_order", snapshot.month)
    assert {tile["value"][2] for tile in in_order["series"][0]["data"]} <= {0, 1}


def test_gemsim_dashboard_serves_the_page_offline_and_quietly():
    from gemsim.cli import main
    from gemsim.dashboard.server import server_command, server_environment

    assert main(["dashboard", "--help"]) == 0
    command = server_command("localhost", 8765)
    assert command[1:5] == ["-m", "solara", "run", "gemsim.app"]
    assert "--production" in command and "--no-check-version" in command
    assert server_environment()["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
