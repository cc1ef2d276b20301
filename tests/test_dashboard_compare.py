"""The dashboard's comparisons give the numbers `gemsim compare` gives for the same settings."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gemsim.cli import main
from gemsim.dashboard.compare import (
    ComparisonCancelled,
    ComparisonSettings,
    available_scenarios,
    check_uploaded_scenario,
    run_comparison,
)
from gemsim.errors import UserError
from gemsim.study.scenario import ScenarioError

SETTINGS = ComparisonSettings(
    scenarios=("status_quo", "groeiplan"),
    baseline="status_quo",
    replications=2,
    months=12,
    seed=11,
    n_municipalities=1,
)


@pytest.fixture(scope="module")
def result():
    return run_comparison(SETTINGS, workers=1)


def assert_same_table(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for column in ours.columns:
        mine, stored = ours[column], theirs[column]
        if pd.api.types.is_numeric_dtype(stored) and not pd.api.types.is_bool_dtype(stored):
            # summary.csv keeps 10 significant digits
            np.testing.assert_allclose(
                mine.to_numpy(dtype=float), stored.to_numpy(dtype=float), rtol=1e-9, atol=0
            )
        else:
            assert mine.fillna("").astype(str).tolist() == stored.fillna("").astype(str).tolist()


def test_the_comparison_gives_the_numbers_of_gemsim_compare(result, tmp_path: Path):
    experiment = tmp_path / "comparison.toml"
    experiment.write_text(SETTINGS.toml())
    out = tmp_path / "out"
    code = main(["compare", str(experiment), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0
    assert_same_table(result.summary, pd.read_csv(out / "summary.csv"))
    assert_same_table(result.cost, pd.read_csv(out / "cost_effectiveness.csv"))


def test_the_difference_table_shows_the_paired_differences_in_display_units(result):
    table = result.differences()
    assert set(table["Scenario"]) == {"Groeiplan: direct community fund"}
    row = table.loc[table["Outcome"] == "Trust in local government"].iloc[0]
    stored = result.summary.loc[
        (result.summary["scenario"] == "groeiplan")
        & (result.summary["outcome"] == "trust_government")
    ].iloc[0]
    assert row["Difference to baseline"] == f"{100 * stored['diff_mean']:+.1f}"
    assert row["Unit"] == "percentage points"
    assert row["Pairs"] == 2


def test_over_time_statistics_cover_every_month_of_each_scenario(result):
    trust = result.over_time.loc[result.over_time["outcome"] == "trust_government"]
    assert sorted(trust["horizon_month"].unique()) == list(range(13))
    assert set(trust["scenario"]) == {"status_quo", "groeiplan"}
    assert (trust["ci_low"] <= trust["mean"]).all() and (trust["mean"] <= trust["ci_high"]).all()


def test_progress_is_reported_and_stopping_cancels():
    seen = []
    with pytest.raises(ComparisonCancelled):
        run_comparison(
            SETTINGS,
            workers=1,
            on_progress=lambda done, total: seen.append((done, total)),
            should_stop=lambda: True,
        )
    assert seen[0] == (0, 4)
    assert seen[-1][0] >= 1


def test_fewer_than_two_scenarios_is_refused_with_a_message():
    with pytest.raises(ScenarioError, match="at least two scenarios"):
        ComparisonSettings(("status_quo",), "status_quo").experiment()


def test_the_shipped_scenarios_are_offered_with_their_descriptions():
    offered = available_scenarios()
    assert {"status_quo", "subsidy_channel", "groeiplan", "hybrid"} <= set(offered)
    assert all(offered[name] for name in ("status_quo", "groeiplan"))


def test_an_uploaded_scenario_file_is_checked_and_named_in_errors(tmp_path: Path):
    good = b'name = "mine"\nextends = "groeiplan"\n[parameters]\nreporting_burden_multiplier = 2.0'
    path = check_uploaded_scenario("mine.toml", good, tmp_path)
    assert path.read_bytes() == good
    bad = b'name = "bad"\n[parameters]\nreporting_burden_multiplier = -1\n'
    with pytest.raises(UserError, match=r"bad\.toml.*reporting_burden_multiplier") as caught:
        check_uploaded_scenario("bad.toml", bad, tmp_path)
    assert str(tmp_path) not in str(caught.value)
    assert not (tmp_path / "bad.toml").exists()
    with pytest.raises(UserError, match=r"must be a \.toml file"):
        check_uploaded_scenario("notes.txt", b"", tmp_path)
