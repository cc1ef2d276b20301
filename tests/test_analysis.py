"""Tests of the analysis: summary statistics, cost-effectiveness, figures, report, outputs."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gemsim.analysis import build_outputs
from gemsim.analysis.data import (
    experiment_command,
    load_results,
    non_default_parameters,
    region,
    scenario_descriptions,
    scenario_label,
)
from gemsim.analysis.figures import (
    PUBLIC_SPENDING_PARTS,
    plot_cost_effectiveness,
    plot_differences,
    plot_equity,
    plot_money,
    plot_outcomes_over_time,
)
from gemsim.analysis.report import findings, write_report
from gemsim.analysis.summary import (
    NO_GAIN,
    QUOTABLE_RATIO,
    cost_effectiveness,
    cost_not_quoted,
    default_horizons,
    fieller_interval,
    summarize,
)
from gemsim.experiments import (
    ResultStore,
    SerialExecutor,
    build_manifest,
    build_specs,
    replication_seeds,
    run_experiment,
)
from gemsim.model.parameters import parameter_table
from gemsim.study.simulation import simulate

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
COMMAND = "gemsim run experiments/tiny.toml --out RESULTS"
SMALL = {"n_municipalities": 1, "neighbourhoods_per_municipality": 8}
SCENARIOS = {
    "status_quo": {**SMALL, "regime": "status_quo"},
    "groeiplan": {**SMALL, "regime": "direct_fund", "social_infrastructure": True},
}


# ---------------------------------------------------------------------------- helpers
def synthetic(values: dict[str, list[float]], months=(0, 12), outcome="trust_government"):
    """Long time series: ``values[scenario][r]`` at the last month, 0 at earlier months;
    replication r has seed 100 + r in every scenario (common random numbers)."""
    rows = []
    for scenario, per_rep in values.items():
        for r, value in enumerate(per_rep):
            for month in months:
                rows.append(
                    {
                        "run_id": f"{scenario}-r{r}",
                        "scenario": scenario,
                        "replication": r,
                        "seed": 100 + r,
                        "point": 0,
                        "month": month,
                        outcome: value if month == max(months) else 0.0,
                    }
                )
    return pd.DataFrame(rows)


def hand_ci(values) -> tuple[float, float, float, float]:
    x = np.asarray(values, dtype=float)
    n = x.size
    mean = x.sum() / n
    sd = math.sqrt(((x - mean) ** 2).sum() / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for key, value in where.items():
        mask &= frame[key].to_numpy() == value
    assert mask.sum() == 1, where
    return frame.loc[mask].iloc[0]


def make_results(out: Path, scenarios: dict, replications: int, months: int, **manifest_extra):
    seeds = replication_seeds(11, replications)
    specs = build_specs(scenarios, seeds=seeds, months=months)
    store = ResultStore(out)
    store.prepare(force=True)
    with SerialExecutor() as executor:
        run_experiment(specs, simulate, store, executor, progress=False)
    experiment = {
        "name": "tiny",
        "scenarios": {
            name: {"description": f"{name}: test scenario", "params": params}
            for name, params in scenarios.items()
        },
        "baseline": "status_quo",
        "replications": replications,
        "months": months,
        "seed": 11,
    }
    manifest = build_manifest(
        experiment, seeds, datetime(2024, 1, 1), datetime(2024, 1, 1), len(specs), 1.0, "complete"
    )
    manifest["command"] = COMMAND
    manifest.update(manifest_extra)
    store.write_json("manifest.json", manifest)
    return out


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory) -> Path:
    """A real tiny results folder: 2 scenarios x 4 replications x 72 months."""
    return make_results(tmp_path_factory.mktemp("tiny"), SCENARIOS, replications=4, months=72)


@pytest.fixture(scope="module")
def outputs(results_dir) -> dict[str, Path]:
    return build_outputs(results_dir)


# ---------------------------------------------------------------------------- summary
def test_mean_sd_and_ci_match_a_hand_computation():
    values = [0.40, 0.46, 0.43, 0.50, 0.41]
    table = summarize(synthetic({"status_quo": values}), horizons=[12])
    row = one(table, scenario="status_quo", outcome="trust_government", horizon_month=12)
    mean, sd, low, high = hand_ci(values)
    assert row["n"] == 5
    assert row["mean"] == pytest.approx(mean)
    assert row["sd"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(low)
    assert row["ci_high"] == pytest.approx(high)


def test_paired_difference_ci_is_the_ci_of_the_per_replication_differences():
    base = [0.40, 0.46, 0.43, 0.50, 0.41]
    fund = [0.45, 0.50, 0.49, 0.53, 0.47]
    table = summarize(synthetic({"status_quo": base, "fund": fund}), horizons=[12])
    row = one(table, scenario="fund", outcome="trust_government", horizon_month=12)
    mean, sd, low, high = hand_ci(np.subtract(fund, base))
    assert row["baseline"] == "status_quo"
    assert row["n_pairs"] == 5
    assert row["diff_mean"] == pytest.approx(mean)
    assert row["diff_sd"] == pytest.approx(sd)
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((low, high))
    # Pairing removes the shared noise: far narrower than the scenario's own interval.
    assert row["diff_ci_high"] - row["diff_ci_low"] < row["ci_high"] - row["ci_low"]


def test_pairs_are_matched_on_seed_not_on_row_order():
    frame = synthetic({"status_quo": [1.0, 2.0, 3.0], "fund": [1.5, 2.5, 3.5]})
    shuffled = frame.sample(frac=1.0, random_state=3)
    row = one(summarize(shuffled, horizons=[12]), scenario="fund", horizon_month=12)
    assert row["diff_mean"] == pytest.approx(0.5)
    assert row["diff_sd"] == pytest.approx(0.0)


def test_baseline_rows_have_no_difference_and_missing_baseline_leaves_differences_empty():
    frame = synthetic({"status_quo": [1.0, 2.0], "fund": [2.0, 3.0]})
    table = summarize(frame, horizons=[12])
    assert np.isnan(one(table, scenario="status_quo", horizon_month=12)["diff_mean"])
    alone = summarize(frame, baseline="not_run", horizons=[12])
    assert alone["diff_mean"].isna().all()
    assert (alone["n_pairs"] == 0).all()
    assert set(alone["baseline"]) == {""}


def test_single_replication_has_a_mean_but_no_interval():
    row = one(summarize(synthetic({"status_quo": [0.5]}), horizons=[12]), horizon_month=12)
    assert row["mean"] == 0.5
    assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])


@pytest.mark.parametrize(
    ("last", "expected"),
    [(24, [24]), (59, [59]), (60, [60]), (61, [60, 61]), (120, [60, 120])],
)
def test_horizons_include_month_60_only_when_stored_and_before_the_last(last, expected):
    assert default_horizons(range(last + 1)) == expected


def test_summary_horizons_follow_the_stored_months():
    short = summarize(synthetic({"status_quo": [1.0, 2.0]}, months=(0, 24)))
    assert sorted(short["horizon_month"].unique()) == [24]
    long = summarize(synthetic({"status_quo": [1.0, 2.0]}, months=(0, 60, 120)))
    assert sorted(long["horizon_month"].unique()) == [60, 120]
    skipped = summarize(synthetic({"status_quo": [1.0, 2.0]}, months=(0, 24)), horizons=[24, 60])
    assert sorted(skipped["horizon_month"].unique()) == [24]


def test_summary_pairs_within_parameter_points():
    frame = pd.concat(
        [
            synthetic({"status_quo": [1.0, 2.0], "fund": [1.1, 2.1]}).assign(point=0),
            synthetic({"status_quo": [5.0, 6.0], "fund": [5.3, 6.3]}).assign(point=1),
        ]
    )
    table = summarize(frame, horizons=[12])
    assert one(table, scenario="fund", point=0, horizon_month=12)["diff_mean"] == pytest.approx(0.1)
    assert one(table, scenario="fund", point=1, horizon_month=12)["diff_mean"] == pytest.approx(0.3)


# ---------------------------------------------------------------------------- cost
def cost_frame(base_trust, fund_trust, base_spend, fund_spend) -> pd.DataFrame:
    trust = synthetic({"status_quo": base_trust, "fund": fund_trust})
    spend = synthetic({"status_quo": base_spend, "fund": fund_spend}, outcome="funds_disbursed_eur")
    trust["funds_disbursed_eur"] = spend["funds_disbursed_eur"].to_numpy()
    trust["overhead_eur"] = trust["funds_disbursed_eur"] * 0.1
    return trust


def test_cost_per_unit_is_extra_money_over_gain_in_percentage_points():
    frame = cost_frame(
        base_trust=[0.40, 0.42, 0.41, 0.43],
        fund_trust=[0.45, 0.46, 0.47, 0.47],
        base_spend=[1000.0, 1000.0, 1000.0, 1000.0],
        fund_spend=[11000.0, 12000.0, 10000.0, 11000.0],
    )
    row = one(cost_effectiveness(frame, horizons=[12]), scenario="fund", outcome="trust_government")
    extra = (np.array([11000, 12000, 10000, 11000]) - 1000) * 1.1  # disbursed + 10% overhead
    gain = (np.array([0.45, 0.46, 0.47, 0.47]) - [0.40, 0.42, 0.41, 0.43]) * 100
    assert row["extra_cost_eur"] == pytest.approx(extra.mean())
    assert row["gain"] == pytest.approx(gain.mean())
    assert row["eur_per_unit"] == pytest.approx(extra.mean() / gain.mean())
    assert row["eur_per_unit_ci_low"] < row["eur_per_unit"] < row["eur_per_unit_ci_high"]
    assert row["note"] == ""
    assert row["unit"] == "percentage point of trust in local government"


def test_fieller_bounds_are_where_the_paired_t_interval_touches_zero():
    rng = np.random.default_rng(5)
    gain = rng.normal(2.0, 0.5, 20)
    cost = 1000 * gain + rng.normal(0, 300, 20)
    low, high = fieller_interval(cost, gain)
    t = stats.t.ppf(0.975, 19)
    for ratio in (low, high):
        residual = cost - ratio * gain
        assert abs(residual.mean()) == pytest.approx(t * residual.std(ddof=1) / math.sqrt(20))
    assert low < cost.mean() / gain.mean() < high


def test_no_clear_gain_gives_no_ratio():
    frame = cost_frame(
        base_trust=[0.40, 0.42, 0.41, 0.43],
        fund_trust=[0.41, 0.40, 0.43, 0.42],  # differences +1, -2, +2, -1 pp: CI spans 0
        base_spend=[1000.0] * 4,
        fund_spend=[5000.0] * 4,
    )
    row = one(cost_effectiveness(frame, horizons=[12]), scenario="fund", outcome="trust_government")
    assert row["note"] == NO_GAIN
    assert np.isnan(row["eur_per_unit"])
    assert row["extra_cost_eur"] == pytest.approx(4400.0)


def test_clear_loss_is_also_no_gain():
    frame = cost_frame([0.5] * 3, [0.4, 0.41, 0.39], [0.0] * 3, [100.0] * 3)
    row = one(cost_effectiveness(frame, horizons=[12]), scenario="fund", outcome="trust_government")
    assert row["note"] == NO_GAIN


def test_neighbourhoods_in_order_is_costed_per_neighbourhood_when_their_number_is_known():
    frame = synthetic({"status_quo": [0.25] * 3, "fund": [0.5, 0.5, 0.625]}, outcome="x")
    frame = frame.rename(columns={"x": "neighbourhoods_in_order"})
    frame["funds_disbursed_eur"] = np.where(frame["scenario"] == "fund", 9000.0, 0.0)
    frame["overhead_eur"] = 0.0
    row = one(cost_effectiveness(frame, horizons=[12], neighbourhoods=8), scenario="fund")
    assert row["unit"] == "neighbourhood brought in order"
    assert row["gain"] == pytest.approx((2 + 2 + 3) / 3)
    assert row["eur_per_unit"] == pytest.approx(9000 / (7 / 3))


def test_cost_table_is_empty_for_a_single_scenario_or_no_baseline():
    frame = cost_frame([0.4, 0.5], [0.5, 0.6], [0.0, 0.0], [1.0, 1.0])
    assert cost_effectiveness(frame[frame["scenario"] == "status_quo"]).empty
    assert cost_effectiveness(frame, baseline="other").empty


# ---------------------------------------------------------------------------- manifest bits
def test_scenario_descriptions_accept_the_usual_shapes():
    assert scenario_descriptions({"experiment": {"scenarios": ["a", "b"]}}) == {"a": "", "b": ""}
    listed = {"experiment": {"scenarios": [{"name": "a", "description": "A"}]}}
    assert scenario_descriptions(listed) == {"a": "A"}
    mapped = {"experiment": {"scenarios": {"a": "A", "b": {"description": "B"}, "c": {}}}}
    assert scenario_descriptions(mapped) == {"a": "A", "b": "B", "c": ""}
    assert scenario_descriptions({}) == {}


def test_experiment_command_from_string_or_argv():
    assert experiment_command({"command": "gemsim run x.toml"}) == "gemsim run x.toml"
    argv = {"experiment": {"command": ["gemsim", "run", "my file.toml"]}}
    assert experiment_command(argv) == "gemsim run 'my file.toml'"
    assert experiment_command({}) == ""


def test_non_default_parameters_lists_only_overrides():
    runs = pd.DataFrame(
        {
            "run_id": ["a", "b"],
            "scenario": ["status_quo", "fund"],
            "replication": [0, 0],
            "seed": [1, 1],
            "point": [0, 0],
            "months": [12, 12],
            "regime": ["status_quo", "direct_fund"],
            "n_municipalities": [1, 1],
        }
    )
    table = non_default_parameters(runs)
    regime = one(table, parameter="regime")
    assert regime["fund"] == "direct_fund" and regime["status_quo"] == ""
    assert one(table, parameter="n_municipalities")["status_quo"] == "1"


# ---------------------------------------------------------------------------- figures
def assert_png(path: Path) -> None:
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 10_000


def test_each_figure_function_writes_a_png(results_dir, tmp_path):
    results = load_results(results_dir)
    table = summarize(results.at_horizons, horizons=results.horizons)
    cost = cost_effectiveness(results.at_horizons, horizons=results.horizons)
    paths = [
        plot_outcomes_over_time(results.over_time, tmp_path / "a.png", baseline="status_quo"),
        plot_differences(table, tmp_path / "b.png"),
        plot_equity(results.over_time, tmp_path / "c.png", baseline="status_quo"),
        plot_money(results.at_horizons, tmp_path / "d.png", baseline="status_quo"),
        plot_cost_effectiveness(cost, tmp_path / "e.png"),
    ]
    for path in paths:
        assert_png(path)
    assert not list(tmp_path.glob(".*.tmp"))


def test_difference_and_cost_figures_refuse_without_a_comparison(tmp_path):
    table = summarize(synthetic({"status_quo": [1.0, 2.0]}), horizons=[12])
    with pytest.raises(ValueError):
        plot_differences(table, tmp_path / "b.png")
    with pytest.raises(ValueError):
        plot_cost_effectiveness(cost_effectiveness(synthetic({"x": [1.0]})), tmp_path / "e.png")


# ---------------------------------------------------------------------------- outputs
def test_build_outputs_writes_summary_figures_and_report(results_dir, outputs):
    assert outputs["summary"] == results_dir / "summary.csv"
    assert outputs["report"] == results_dir / "report.html"
    figures = {k: v for k, v in outputs.items() if k.startswith("figure:")}
    assert set(figures) == {
        "figure:outcomes_over_time",
        "figure:differences",
        "figure:equity",
        "figure:money",
        "figure:cost_effectiveness",
    }
    for path in figures.values():
        assert path.parent == results_dir / "figures"
        assert_png(path)
    summary = pd.read_csv(outputs["summary"])
    assert set(summary["scenario"]) == {"status_quo", "groeiplan"}
    assert sorted(summary["horizon_month"].unique()) == [60, 72]
    assert (summary.loc[summary["scenario"] == "groeiplan", "n_pairs"] == 4).all()
    assert not list(results_dir.rglob(".*.tmp"))


def test_report_is_one_self_contained_html_file_with_figures_tables_and_command(outputs):
    html = outputs["report"].read_text(encoding="utf-8")
    n_figures = sum(1 for key in outputs if key.startswith("figure:"))
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("data:image/png;base64,") == n_figures
    assert '<table class="summary">' in html
    assert "Trust in local government" in html
    assert COMMAND in html
    assert "groeiplan: test scenario" in html
    assert "95% confidence interval" in html
    for external in ("http://", "https://", "<script", "<link"):
        assert external not in html
    assert not re.search(r"""src=["'](?!data:image/png;base64,)""", html)


def test_report_lists_assumptions_and_non_default_settings(outputs):
    html = outputs["report"].read_text(encoding="utf-8")
    assert "Assumptions without data" in html
    assumed = [r["name"] for r in parameter_table() if "assumption" in str(r["source"]).lower()]
    assert assumed and all(name.replace("_", "_<wbr>") in html for name in assumed)
    assert "direct_fund" in html  # groeiplan's non-default regime
    assert "not a forecast" in html and "sensitivity" in html


def test_build_outputs_twice_gives_the_same_tables(results_dir, outputs):
    first = outputs["summary"].read_bytes(), (results_dir / "cost_effectiveness.csv").read_bytes()
    again = build_outputs(results_dir)
    assert again["summary"].read_bytes() == first[0]
    assert (results_dir / "cost_effectiveness.csv").read_bytes() == first[1]


def test_build_outputs_never_runs_the_model(results_dir, outputs, monkeypatch):
    import gemsim.model.model

    def forbidden(*args, **kwargs):
        raise AssertionError("the analysis must not run the model")

    monkeypatch.setattr(gemsim.model.CommunityModel, "__init__", forbidden)
    build_outputs(results_dir)


def test_findings_sort_outcomes_by_clear_and_unclear_differences():
    frame = synthetic({"status_quo": [0.40, 0.42, 0.41], "fund": [0.50, 0.52, 0.50]})
    other = synthetic({"status_quo": [0.6, 0.6, 0.6], "fund": [0.61, 0.59, 0.60]})
    gap = synthetic({"status_quo": [0.20, 0.22, 0.21], "fund": [0.10, 0.11, 0.12]})
    frame["social_trust"] = other["trust_government"].to_numpy()
    frame["trust_gap_ses"] = gap["trust_government"].to_numpy()
    outcomes = ["trust_government", "social_trust", "trust_gap_ses"]
    table = summarize(frame, outcomes=outcomes, horizons=[12])
    found = findings(table)["fund"]
    assert found["raises"] == ["trust_government"]
    assert found["unclear"] == ["social_trust"]
    assert found["narrows"] == ["trust_gap_ses"]  # high-SES ahead at baseline, gap falls
    assert found["lowers"] == found["widens"] == []


def test_a_cost_is_quoted_only_for_a_clear_gain_known_within_the_stated_factor():
    row = {"note": "", "eur_per_unit_ci_low": 100.0, "eur_per_unit_ci_high": 190.0}
    assert cost_not_quoted(row) == ""
    wide = {**row, "eur_per_unit_ci_high": 100.0 * QUOTABLE_RATIO + 1}
    assert cost_not_quoted(wide) == "too uncertain to quote"
    assert cost_not_quoted({**row, "note": NO_GAIN}) == NO_GAIN
    assert cost_not_quoted({**row, "eur_per_unit_ci_low": -5.0}) == "too uncertain to quote"


def test_region_facts_come_from_the_run_parameters():
    runs = pd.DataFrame(
        {"scenario": ["a", "b"], "n_municipalities": [2, 2], "inhabitants_per_agent": [25, 25]}
    )
    found = region(runs)
    defaults = {row["name"]: row["default"] for row in parameter_table()}
    neighbourhoods = round(2 * defaults["neighbourhoods_per_municipality"])
    assert found.municipalities == 2 and found.neighbourhoods == neighbourhoods
    assert found.inhabitants == neighbourhoods * defaults["inhabitants_per_neighbourhood"]
    assert found.national_share == pytest.approx(
        found.inhabitants / defaults["national_population"]
    )
    assert found.agents == pytest.approx(found.inhabitants / 25)
    assert region(runs.assign(n_municipalities=[2, 3])) is None  # runs differ in region


def test_scenario_labels_are_plain_words():
    assert scenario_label("subsidy_channel") == "Subsidy channel"
    assert scenario_label("groeiplan · point 2") == "Groeiplan · point 2"


def test_the_money_figure_parts_add_up_to_the_public_money_the_cost_counts(results_dir):
    frame = load_results(results_dir).at_horizons
    parts = frame[list(PUBLIC_SPENDING_PARTS)].sum(axis=1)
    counted = frame["funds_disbursed_eur"] + frame["overhead_eur"]
    assert counted.gt(0).any()
    np.testing.assert_allclose(parts, counted, rtol=1e-12, atol=1e-6)


def test_outputs_without_baseline_or_with_one_scenario(tmp_path):
    alone = make_results(
        tmp_path / "alone", {"status_quo": SCENARIOS["status_quo"]}, replications=2, months=12
    )
    paths = build_outputs(alone)
    assert "figure:differences" not in paths and "figure:cost_effectiveness" not in paths
    assert "Only one scenario was run" in paths["report"].read_text(encoding="utf-8")
    assert pd.read_csv(paths["cost_effectiveness"]).empty

    other = make_results(tmp_path / "other", {"fund": SCENARIOS["groeiplan"]}, 2, 12)
    text = build_outputs(other)["report"].read_text(encoding="utf-8")
    assert "was not run, so scenarios are not compared" in text


def test_stale_comparison_figures_are_removed(tmp_path):
    folder = make_results(tmp_path / "r", {"status_quo": SCENARIOS["status_quo"]}, 2, 12)
    (folder / "figures").mkdir(exist_ok=True)
    stale = folder / "figures" / "differences.png"
    stale.write_bytes(b"old")
    build_outputs(folder)
    assert not stale.exists()


def test_build_outputs_rejects_an_empty_folder(tmp_path):
    from gemsim.analysis import NoResultsError

    with pytest.raises(NoResultsError):
        build_outputs(tmp_path)


def test_importing_the_package_does_not_import_heavy_modules():
    code = (
        "import sys, json, gemsim.analysis; "
        "print(json.dumps([m for m in ('pandas', 'scipy', 'matplotlib') if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_write_report_alone_computes_what_it_needs(results_dir, outputs):
    from gemsim.analysis import write_report

    path = write_report(results_dir)
    html = path.read_text(encoding="utf-8")
    assert path == results_dir / "report.html"
    assert html.count("data:image/png;base64,") == 5


def test_report_opens_with_the_region_and_money_then_the_headline_beside_its_caveat(outputs):
    html = outputs["report"].read_text(encoding="utf-8")
    top = html[: html.index("<h2>Main results</h2>")]
    assert "<h2>What was simulated</h2>" in top
    inhabitants = 8 * 1261  # the fixture's 1 municipality x 8 buurten of mean size 1,261
    assert f"{float(f'{inhabitants:.3g}'):,.0f} inhabitants" in top
    assert f"{inhabitants / 17_900_000:.1%} of the Netherlands" in top
    assert '<table class="money">' in top and "National equivalent" in top
    headline = html[
        html.index("<h2>Main results</h2>") : html.index(
            "<details>", html.index("<h2>Main results</h2>")
        )
    ]
    side = headline[headline.index("<div class='side'>") :]
    assert side.index('<table class="headline">') < side.index("<aside")
    assert "Monte Carlo only" in side
    assert "not yet tested against its assumptions" in side
    assert "Difference to Status quo" in headline
    assert "Wellbeing gap" in headline
    assert html.index("Main results") < html.index("<h2>Figures</h2>")


def test_scenarios_are_labelled_in_words_and_named_in_code_only_where_files_are_meant(outputs):
    html = outputs["report"].read_text(encoding="utf-8")
    headline = html[html.index("<h2>Main results</h2>") : html.index("<h2>Figures</h2>")]
    assert "Groeiplan" in headline and "Status quo" in headline
    assert "status_quo" not in headline


def _sensitivity_neighbour(folder: Path, scenarios: dict) -> Path:
    """A complete sensitivity experiment in ``folder`` with one contrast."""
    folder.mkdir()
    manifest = {
        "status": "complete",
        "experiment": {
            "scenarios": scenarios,
            "sensitivity": {
                "method": "sobol",
                "parameters": [{"name": "a"}, {"name": "b"}],
                "points": 64,
                "contrasts": [
                    {"name": "fund_vs_sq", "scenario": "groeiplan", "reference": "status_quo"}
                ],
            },
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    contrasts = pd.DataFrame(
        {
            "contrast": ["fund_vs_sq", "fund_vs_sq"],
            "output": ["trust_government", "participation"],
            "mean": [0.05, -0.01],
            "share_negative": [0.0, 0.6],
            "share_positive": [1.0, 0.4],
            "flipped_share": [0.0, 0.4],
        }
    )
    contrasts.to_csv(folder / "contrasts.csv", index=False)
    return folder


def test_the_sensitivity_verdict_comes_from_a_matching_analysis_next_to_the_results(tmp_path):
    results_dir = make_results(tmp_path / "compare", SCENARIOS, replications=2, months=12)
    manifest = json.loads((results_dir / "manifest.json").read_text(encoding="utf-8"))
    scenarios = {name: {"parameters": params} for name, params in SCENARIOS.items()}
    manifest["experiment"]["scenarios"] = scenarios  # as the study layer records them
    (results_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    other = {**SCENARIOS["groeiplan"], "subsidy_replacement_share": 0.5}
    different = {**scenarios, "groeiplan": {"parameters": other}}
    _sensitivity_neighbour(tmp_path / "unrelated", different)
    html = write_report(results_dir).read_text(encoding="utf-8")
    assert "not yet tested against its assumptions" in html and "unrelated/" not in html

    _sensitivity_neighbour(tmp_path / "sobol", scenarios)
    html = write_report(results_dir).read_text(encoding="utf-8")
    aside = html[html.index("<aside") : html.index("</aside>")]
    assert "not yet tested" not in aside
    assert "tested in <code>sobol/</code>" in aside
    assert "trust in local government: higher at every parameter point" in aside
    assert "participation: lower at only 60% of the parameter points: not robust" in aside
