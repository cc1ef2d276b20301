"""Pattern-oriented validation: the observed table, the [patterns] schema, the scoring on
hand-made inputs, the yearly values read from monthly runs, and `gemsim patterns` end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gemsim.analysis.patterns import COLUMNS, pattern_verdicts, score_patterns
from gemsim.cli import main
from gemsim.study.experiment import experiment_for_scenario, load_experiment
from gemsim.study.files import ScenarioError
from gemsim.study.observed import STATUSES, observed_frame, observed_points, pattern_names
from gemsim.study.patterns import (
    load_patterns_experiment,
    population_share,
    simulated_years,
)
from gemsim.study.patterns_spec import PatternCriterion, PatternSettings, PatternSpec

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "experiments" / "patterns.toml"
STATUS_QUO_2013 = REPO / "scenarios" / "status_quo_2013.toml"


# ------------------------------------------------------------------ hand-made inputs
def observed_table(rows: list[tuple[str, int, float, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pattern", "year", "value", "unit", "target"])


def simulated_table(pattern: str, by_year: dict[int, list[float]]) -> pd.DataFrame:
    """Replication r of ``pattern`` has value ``by_year[year][r]``."""
    return pd.DataFrame(
        [
            (pattern, replication, year, value)
            for year, values in by_year.items()
            for replication, value in enumerate(values)
        ],
        columns=["pattern", "replication", "year", "value"],
    )


def settings_for(pattern: str, *criteria: dict[str, object]) -> PatternSettings:
    """Criteria on a made-up pattern (the file schema checks names against the shipped
    observed table, which the pure scoring does not need)."""
    spec = PatternSpec(
        reporter="social_trust",
        criteria=tuple(PatternCriterion(why="test", **c) for c in criteria),  # type: ignore[arg-type]
    )
    return PatternSettings.model_construct(start_year=2000, patterns={pattern: spec})


SHARE = observed_table([("trust", 2000, 50.0, "%", True), ("trust", 2010, 54.0, "%", True)])
#: Every replication changes by exactly 1 point: the interval of the mean change is [1, 1].
ONE_POINT_RISE = simulated_table("trust", {2000: [50.0, 51.0, 49.0], 2010: [51.0, 52.0, 50.0]})


# ------------------------------------------------------------------------------ scoring
def test_a_change_within_the_interval_plus_tolerance_passes():
    settings = settings_for(
        "trust", {"kind": "change", "from_year": 2000, "to_year": 2010, "tolerance": 3.0}
    )
    row = score_patterns(SHARE, ONE_POINT_RISE, settings).iloc[0]
    assert row["observed"] == 4.0 and row["simulated_mean"] == 1.0
    assert (row["accepted_low"], row["accepted_high"]) == (-2.0, 4.0)
    assert row["result"] == "pass" and row["miss"] == 0.0


def test_a_change_outside_fails_by_its_distance_to_the_accepted_interval():
    settings = settings_for(
        "trust", {"kind": "change", "from_year": 2000, "to_year": 2010, "tolerance": 2.0}
    )
    row = score_patterns(SHARE, ONE_POINT_RISE, settings).iloc[0]
    # observed change 4, accepted 1 ± 2 = [-1, 3]: misses by 1 point
    assert row["result"] == "fail"
    assert row["miss"] == pytest.approx(1.0)
    assert row["unit"] == "percentage points" and row["checked"] == "observed"


def test_flat_checks_the_simulated_mean_change():
    settings = settings_for(
        "trust", {"kind": "flat", "from_year": 2000, "to_year": 2010, "tolerance": 0.25}
    )
    row = score_patterns(SHARE, ONE_POINT_RISE, settings).iloc[0]
    assert row["checked"] == "simulated_mean"
    assert row["miss"] == pytest.approx(0.75)  # mean change 1, accepted ±0.25


def test_levels_give_one_row_per_target_year_and_skip_non_targets():
    observed = observed_table(
        [
            ("trust", 2000, 50.0, "%", True),
            ("trust", 2005, 40.0, "%", False),  # e.g. an excluded COVID-19 year
            ("trust", 2010, 54.0, "%", True),
        ]
    )
    simulated = simulated_table(
        "trust", {2000: [50.0, 50.0], 2005: [50.0, 50.0], 2010: [51.0, 51.0]}
    )
    settings = settings_for("trust", {"kind": "levels", "tolerance": 1.0})
    scored = score_patterns(observed, simulated, settings)
    assert scored["years"].tolist() == ["2000", "2010"]
    assert scored["result"].tolist() == ["pass", "fail"]
    assert scored["miss"].tolist() == pytest.approx([0.0, 2.0])  # 54 vs 51 + 1


def test_growth_is_the_ratio_of_mean_counts_within_the_stated_range():
    observed = observed_table(
        [("coops", 2000, 100.0, "count", True), ("coops", 2010, 300.0, "count", True)]
    )
    simulated = simulated_table("coops", {2000: [8.0, 12.0, 10.0], 2010: [18.0, 22.0, 20.0]})
    passing = settings_for(
        "coops", {"kind": "growth", "from_year": 2000, "to_year": 2010, "low": 1.5, "high": 3.0}
    )
    row = score_patterns(observed, simulated, passing).iloc[0]
    assert row["observed"] == 3.0 and row["simulated_mean"] == 2.0
    assert row["simulated_low"] < 2.0 < row["simulated_high"]  # Fieller's interval
    assert row["result"] == "pass"
    failing = settings_for(
        "coops", {"kind": "growth", "from_year": 2000, "to_year": 2010, "low": 2.5, "high": 4.0}
    )
    row = score_patterns(observed, simulated, failing).iloc[0]
    assert row["result"] == "fail" and row["miss"] == pytest.approx(0.5)


def test_ratio_is_the_simulated_mean_level_over_the_observed_one_in_each_named_year():
    observed = observed_table(
        [("coops", 2000, 100.0, "count", True), ("coops", 2010, 300.0, "count", True)]
    )
    simulated = simulated_table("coops", {2000: [90.0, 110.0, 100.0], 2010: [450.0, 450.0, 450.0]})
    settings = settings_for(
        "coops", {"kind": "ratio", "years": (2000, 2010), "low": 0.8, "high": 1.25}
    )
    scored = score_patterns(observed, simulated, settings)
    assert scored["years"].tolist() == ["2000", "2010"]
    assert scored["simulated_mean"].tolist() == pytest.approx([1.0, 1.5])
    assert scored["simulated_low"].iloc[0] < 1.0 < scored["simulated_high"].iloc[0]
    assert scored["result"].tolist() == ["pass", "fail"]
    assert scored["miss"].tolist() == pytest.approx([0.0, 0.25])  # 1.5 against 1.25
    assert (scored["unit"] == "factor").all() and (scored["observed"] == 1.0).all()


def test_growth_from_no_simulated_collectives_fails_with_an_undefined_miss():
    observed = observed_table(
        [("coops", 2000, 10.0, "count", True), ("coops", 2010, 30.0, "count", True)]
    )
    simulated = simulated_table("coops", {2000: [0.0, 0.0], 2010: [0.0, 1.0]})
    settings = settings_for(
        "coops", {"kind": "growth", "from_year": 2000, "to_year": 2010, "low": 1.0, "high": 5.0}
    )
    row = score_patterns(observed, simulated, settings).iloc[0]
    assert row["result"] == "fail" and math.isnan(row["miss"])


def test_a_year_that_was_not_simulated_is_an_error():
    settings = settings_for(
        "trust", {"kind": "change", "from_year": 2000, "to_year": 2010, "tolerance": 1.0}
    )
    with pytest.raises(ValueError, match="2010 was not simulated"):
        score_patterns(SHARE, ONE_POINT_RISE.loc[ONE_POINT_RISE["year"] == 2000], settings)


def test_a_pattern_passes_only_if_every_check_passes_and_reports_its_largest_miss():
    observed = observed_table([("trust", 2000, 50.0, "%", True), ("trust", 2010, 58.0, "%", True)])
    settings = settings_for(
        "trust",
        {"kind": "change", "from_year": 2000, "to_year": 2010, "tolerance": 2.0},
        {"kind": "levels", "tolerance": 2.0},
    )
    scored = score_patterns(observed, ONE_POINT_RISE, settings)
    assert list(scored.columns) == list(COLUMNS)
    assert scored["result"].tolist() == ["fail", "pass", "fail"]  # change, 2000, 2010
    verdict = pattern_verdicts(scored).iloc[0]
    assert verdict["result"] == "fail"
    assert verdict["failed"] == 2 and verdict["criteria"] == 3
    assert verdict["worst_miss"] == pytest.approx(5.0)  # the change: 8 against 1 ± 2
    assert verdict["worst_kind"] == "change"


# --------------------------------------------------------------- from monthly to yearly
def monthly_runs(months: int, values: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame({"replication": 0, "month": np.arange(months + 1)})
    return frame.assign(**values)


def test_a_year_is_the_mean_of_its_months_or_its_last_month_in_the_observed_unit():
    month = np.arange(25, dtype=float)
    runs = monthly_runs(24, {"social_trust": month / 100, "collectives_energy_cooperative": month})
    settings = PatternSettings.model_construct(
        start_year=2013,
        patterns={
            "social_trust": PatternSpec(reporter="social_trust", criteria=()),
            "energy_cooperatives": PatternSpec(
                reporter="collectives_energy_cooperative", at="end", criteria=()
            ),
        },
    )
    yearly = simulated_years(runs, settings, population_share=0.5).set_index(["pattern", "year"])
    # 2013 is months 1-12 (month 0 is the state before the first step); shares in %
    assert yearly.loc[("social_trust", 2013), "value"] == pytest.approx(6.5)
    assert yearly.loc[("social_trust", 2014), "value"] == pytest.approx(18.5)
    # a count at the end of the year, divided by the region's share of the population
    assert yearly.loc[("energy_cooperatives", 2013), "value"] == pytest.approx(24.0)
    assert yearly.loc[("energy_cooperatives", 2014), "value"] == pytest.approx(48.0)


def test_an_unfinished_year_is_not_scored():
    runs = monthly_runs(18, {"social_trust": np.full(19, 0.5)})
    settings = PatternSettings.model_construct(
        start_year=2013,
        patterns={"social_trust": PatternSpec(reporter="social_trust", criteria=())},
    )
    assert simulated_years(runs, settings, 1.0)["year"].unique().tolist() == [2013]


def test_the_expected_population_share_is_that_of_built_regions():
    """Buurt sizes are drawn with mean 1, so built regions scatter around the expected
    share (a few percent for one region of 390 buurten)."""
    from gemsim.model.model import CommunityModel

    overrides = load_experiment(SHIPPED).scenario_overrides()["status_quo_2013"]
    built = [CommunityModel(scenario=overrides, rng=seed).population_share for seed in range(4)]
    assert np.mean(built) == pytest.approx(population_share(overrides), rel=0.05)


# --------------------------------------------------------------------- observed table
def test_the_observed_table_has_targets_for_every_pattern_and_known_statuses():
    points = observed_points()
    assert {p.status for p in points} <= set(STATUSES)
    for pattern in pattern_names():
        assert sum(p.is_target for p in points if p.pattern == pattern) >= 2, pattern
    assert not any(p.is_target for p in points if p.status == "U")


def test_covid_years_of_volunteering_are_excluded_with_a_reason():
    frame = observed_frame()
    covid = frame.loc[(frame["pattern"] == "volunteering") & frame["year"].between(2020, 2022)]
    assert len(covid) == 3
    assert not covid["target"].any()
    assert covid["excluded"].str.contains("pandemic").all()


# ------------------------------------------------------------------------- the schema
def test_the_shipped_patterns_experiment_reaches_every_year_it_scores():
    experiment = load_patterns_experiment(SHIPPED)
    settings = experiment.patterns
    assert settings is not None
    assert experiment.horizon >= settings.months_needed()
    assert set(settings.patterns) <= set(pattern_names())
    assert all(c.why.strip() for p in settings.patterns.values() for c in p.criteria)


def test_the_manifest_records_the_criteria_and_other_experiments_have_no_patterns_key():
    record = load_experiment(SHIPPED).as_record()
    assert json.loads(json.dumps(record["patterns"]))["start_year"] == 2013
    assert "patterns" not in experiment_for_scenario(STATUS_QUO_2013).as_record()


def test_overrides_keep_the_patterns_table():
    experiment = load_patterns_experiment(SHIPPED, replications=2, seed=5)
    assert experiment.replications == 2 and experiment.patterns is not None


def test_a_horizon_short_of_the_criteria_is_refused_naming_the_option():
    with pytest.raises(ScenarioError, match=r"--months 24 is not allowed: .* at least 132"):
        load_patterns_experiment(SHIPPED, months=24)


def write_patterns_file(folder: Path, patterns: str, months: int = 24) -> Path:
    text = f"""\
name = "tiny_patterns"
scenarios = ["{STATUS_QUO_2013}"]
baseline = "status_quo_2013"
replications = 2
months = {months}
seed = 7

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 10

[patterns]
start_year = 2013
{patterns}"""
    path = folder / "tiny_patterns.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[patterns.social_trusts]\n", "unknown pattern 'social_trusts' (did you mean "),
        (
            '[patterns.social_trust]\nreporter = "collectives"\n'
            '[[patterns.social_trust.criteria]]\nkind = "levels"\ntolerance = 1\nwhy = "x"\n',
            '[patterns.social_trust] reporter = "collectives" is not allowed: must be a '
            "reporter of a share",
        ),
        (
            '[patterns.social_trust]\nreporter = "social_trust"\n'
            '[[patterns.social_trust.criteria]]\nkind = "change"\nfrom_year = 2013\n'
            'to_year = 2024\ntolerance = 1\nwhy = "x"\n',
            "[[patterns.social_trust.criteria]] #1 to_year = 2024 is not allowed: must be a "
            "target year of the pattern after from_year",
        ),
        (
            '[patterns.social_trust]\nreporter = "social_trust"\n'
            '[[patterns.social_trust.criteria]]\nkind = "flat"\nfrom_year = 2013\n'
            "to_year = 2014\ntolerance = 1\n",
            "[[patterns.social_trust.criteria]] #1 why is missing: must be a sentence",
        ),
        (
            '[patterns.volunteering]\nreporter = "participation"\n'
            '[[patterns.volunteering.criteria]]\nkind = "levels"\nyears = [2020]\n'
            'tolerance = 1\nwhy = "x"\n',
            "#1 years = 2020 is not allowed: must be a non-empty list of different target "
            "years of the pattern (2013, 2016, 2023, 2024)",
        ),
        (
            '[patterns.energy_cooperatives]\nreporter = "collectives_energy_cooperative"\n'
            '[[patterns.energy_cooperatives.criteria]]\nkind = "ratio"\nyears = [2015]\n'
            'low = 1.25\nhigh = 0.8\nwhy = "x"\n',
            "#1 low = 1.25, high = 0.8 is not allowed: must be 0 < low <= high",
        ),
        (
            '[patterns.energy_cooperatives]\nreporter = "collectives_energy_cooperative"\n'
            '[[patterns.energy_cooperatives.criteria]]\nkind = "ratio"\nlow = 0.8\n'
            'high = 1.25\nwhy = "x"\n',
            "#1 years is missing: must be a non-empty list of different target years",
        ),
    ],
)
def test_a_bad_patterns_table_is_one_line_naming_file_key_and_what_is_allowed(
    capsys, tmp_path: Path, table: str, expected: str
):
    path = write_patterns_file(tmp_path, table)
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"gemsim: error: {path}: ") and err.count("\n") == 1
    assert expected in err


# ------------------------------------------------------------------------- end to end
TINY_PATTERNS = """\
[patterns.social_trust]
reporter = "social_trust"
[[patterns.social_trust.criteria]]
kind = "change"
from_year = 2013
to_year = 2014
tolerance = 2.0
why = "sampling error"
[[patterns.social_trust.criteria]]
kind = "levels"
tolerance = 2.0
why = "sampling error"
[patterns.care_initiatives]
reporter = "collectives_care_cooperative"
[[patterns.care_initiatives.criteria]]
kind = "growth"
from_year = 2013
to_year = 2014
low = 1.0
high = 4.0
why = "detection"
"""


def test_gemsim_patterns_writes_the_table_figure_and_page(capsys, tmp_path: Path):
    path = write_patterns_file(tmp_path, TINY_PATTERNS)
    out = tmp_path / "out"
    code = main(["patterns", str(path), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 0, err
    for name in ("patterns.csv", "figures/patterns.png", "patterns.html", "report.html"):
        assert (out / name).is_file(), name
    scored = pd.read_csv(out / "patterns.csv")
    assert list(scored.columns) == list(COLUMNS)
    # change + levels in 2013 and 2014 + growth
    assert scored["pattern"].tolist() == ["social_trust"] * 3 + ["care_initiatives"]
    assert set(scored["result"]) <= {"pass", "fail"}
    assert "social_trust" in err  # one verdict line per pattern
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["experiment"]["kind"] == "patterns"
    assert manifest["experiment"]["patterns"]["start_year"] == 2013

    # --resume runs nothing and scores the stored runs again, to the same table
    before = (out / "patterns.csv").read_bytes()
    assert main(["patterns", str(path), "--out", str(out), "--resume", "--quiet"]) == 0
    assert (out / "patterns.csv").read_bytes() == before


def test_gemsim_patterns_refuses_an_experiment_without_patterns(capsys):
    code = main(["patterns", str(REPO / "experiments" / "smoke.toml")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "has no [patterns] table" in err


def test_gemsim_patterns_has_help(capsys):
    assert main(["patterns", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: gemsim patterns")
