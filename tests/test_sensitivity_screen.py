"""The noise-floor dummy of a sensitivity experiment and a Sobol' design screened by Morris.

Tiny experiments (one municipality of six buurten, a year): the numbers mean nothing; the
tests check the dummy's row and seeds, the screen's rule, its file and its errors.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from gemsim.cli import main
from gemsim.study.experiment import load_experiment
from gemsim.study.files import ScenarioError
from gemsim.study.plans import plan_sensitivity
from gemsim.study.screening import ScreenError, screen_table, unscreened_outputs
from gemsim.study.sensitivity_spec import NOISE_DUMMY

REPO = Path(__file__).resolve().parents[1]

TINY = """\
name = "{name}"
scenarios = ["{groeiplan}", "{subsidy_channel}"]
months = 12
seed = 5

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 6

[sensitivity]
method = "{method}"
n = {n}
base_scenario = "groeiplan"
replications = 2
num_resamples = 50
noise_dummy = true
outputs = ["trust_government", "participation"]
{table}

[[sensitivity.contrasts]]
scenario = "groeiplan"
reference = "subsidy_channel"
outputs = ["trust_government"]
"""

PARAMETERS = """
[sensitivity.parameters.initial_trust_local_share]
low = 0.3
high = 0.7
[sensitivity.parameters.fund_decision_months]
low = 0
high = 6
[sensitivity.parameters.trust_learning_rate]
low = 0.02
high = 0.08
"""


def write(folder: Path, name: str, method: str, n: int, table: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        TINY.format(
            name=name,
            method=method,
            n=n,
            table=table,
            groeiplan=REPO / "scenarios" / "groeiplan.toml",
            subsidy_channel=REPO / "scenarios" / "subsidy_channel.toml",
        ),
        encoding="utf-8",
    )
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    return str(caught.value)


def test_noise_dummy_is_its_own_factor_and_selects_each_points_stream(tmp_path: Path):
    plan = plan_sensitivity(load_experiment(write(tmp_path, "m", "morris", 2, PARAMETERS)))
    assert list(plan.sample.columns)[-1] == NOISE_DUMMY
    assert all(NOISE_DUMMY not in spec.params for spec in plan.specs)
    seeds = {(s.scenario, s.point, s.replication): s.seed for s in plan.specs}
    streams = plan.sample[NOISE_DUMMY]
    for point in range(plan.points):  # paired across scenarios at each point
        assert seeds[("groeiplan", point, 0)] == seeds[("subsidy_channel", point, 0)]
    changed = [p for p in range(1, plan.points) if streams[p] != streams[p - 1]]
    assert changed and all(
        seeds[("groeiplan", p, 0)] != seeds[("groeiplan", p - 1, 0)] for p in changed
    )


def test_screen_keeps_what_beats_the_noise_floor_up_to_the_cap():
    indices = pd.DataFrame(
        {
            "output": ["y", "y", "y", "y", "z", "z", "z", "z"],
            "parameter": ["a", "b", "c", NOISE_DUMMY] * 2,
            "mu_star": [5.0, 0.5, 3.0, 1.0, 0.1, 4.0, 0.1, 2.0],
            "sigma": [1.0] * 8,
        }
    )
    table = screen_table(indices, threshold=1.0, cap=1).set_index("parameter")
    assert table.loc["a", "ratio"] == 5.0 and table.loc["a", "kept"]
    assert table.loc["c", "ratio"] == 3.0 and not table.loc["c", "kept"]
    assert "screen_max" in table.loc["c", "why"]
    assert table.loc["b", "ratio"] == 2.0 and table.loc["b", "output"] == "z"
    assert not screen_table(indices, threshold=6.0, cap=5)["kept"].any()


def test_screen_compares_interval_ends_so_a_rarely_moving_output_does_not_decide():
    """On output ``rare`` the dummy's mu* is one small step but uncertain (most elementary
    effects are zero), and ``lucky`` scores 15 times it with an interval reaching zero;
    ``steady`` scores less but with a tight interval. Only ``steady`` passes."""
    indices = pd.DataFrame(
        {
            "output": ["rare", "rare", "rare", "level", "level", "level"],
            "parameter": ["lucky", "steady", NOISE_DUMMY] * 2,
            "mu_star": [0.015, 0.004, 0.001, 0.1, 2.0, 1.0],
            "mu_star_conf": [0.016, 0.0005, 0.001, 0.1, 0.2, 0.3],
            "sigma": [1.0] * 6,
        }
    )
    table = screen_table(indices, threshold=1.0, cap=5).set_index("parameter")
    assert table.loc["steady", "ratio"] == pytest.approx((0.004 - 0.0005) / 0.002)
    assert table.loc["steady", "kept"] and table.loc["steady", "output"] == "rare"
    assert not table.loc["lucky", "kept"] and table.loc["lucky", "ratio"] == 0.0
    assert table.loc["lucky", "noise_mu_star_conf"] == pytest.approx(0.001)


def test_an_output_the_dummy_never_moved_does_not_decide_the_screen():
    """On ``still`` the dummy's ten effects were all zero: no floor, so ``a`` and ``b``
    (small effects there) are not told from noise, and the order of the file cannot pick
    between them; ``c`` clears the floor on ``level`` and is kept on its own merit."""
    indices = pd.DataFrame(
        {
            "output": ["still"] * 4 + ["level"] * 4,
            "parameter": ["a", "b", "c", NOISE_DUMMY] * 2,
            "mu_star": [0.006, 0.005, 0.001, 0.0, 0.1, 0.2, 3.0, 1.0],
            "mu_star_conf": [0.004, 0.004, 0.0009, 0.0, 0.1, 0.1, 0.5, 0.3],
            "sigma": [1.0] * 8,
        }
    )
    assert unscreened_outputs(indices) == ["still"]
    table = screen_table(indices, threshold=1.0, cap=1).set_index("parameter")
    assert list(table.index[table["kept"]]) == ["c"]
    assert table.loc["c", "output"] == "level"
    assert table.loc["c", "ratio"] == pytest.approx((3.0 - 0.5) / 1.3)
    assert (table.loc[["a", "b"], "ratio"] < 0.1).all()
    assert not table["ratio"].isin([float("inf")]).any()


def test_included_parameters_are_kept_first_within_the_cap():
    indices = pd.DataFrame(
        {
            "output": ["y"] * 4,
            "parameter": ["a", "b", "c", NOISE_DUMMY],
            "mu_star": [5.0, 3.0, 0.2, 1.0],
            "sigma": [1.0] * 4,
        }
    )
    table = screen_table(indices, threshold=1.0, cap=2, include=("c",)).set_index("parameter")
    assert list(table.index[table["kept"]]) == ["a", "c"]  # b would pass, but the cap is full
    assert "screen_include" in table.loc["c", "why"]
    assert "beyond screen_max" in table.loc["b", "why"]


def test_screen_keys_are_validated(tmp_path: Path):
    both = write(tmp_path, "both", "sobol", 4, 'screened_from = "results/morris"\n' + PARAMETERS)
    assert "parameters is not allowed with screened_from" in error_of(both)
    lone = write(tmp_path, "lone", "sobol", 4, "screen_max = 3\n" + PARAMETERS)
    assert "screen_max is not allowed without screened_from" in error_of(lone)
    bad = write(tmp_path, "bad", "sobol", 4, 'screened_from = "x"\nscreen_threshold = -1')
    assert "screen_threshold = -1" in error_of(bad) and "a number > 0" in error_of(bad)
    include = write(tmp_path, "inc", "sobol", 4, 'screened_from = "x"\nscreen_include = ["nope"]')
    assert "screen_include: unknown parameter 'nope'" in error_of(include)
    alone = write(tmp_path, "alone", "sobol", 4, 'screen_include = ["months"]\n' + PARAMETERS)
    assert "screen_include is not allowed without screened_from" in error_of(alone)
    morris = write(tmp_path, "mm", "morris", 4, 'screened_from = "x"')
    assert 'screened_from is not allowed with method = "morris"' in error_of(morris)
    flag = write(tmp_path, "flag", "sobol", 4, PARAMETERS)
    flag.write_text(
        flag.read_text(encoding="utf-8").replace("noise_dummy = true", 'noise_dummy = "yes"'),
        encoding="utf-8",
    )
    assert 'noise_dummy = "yes" is not allowed: must be true or false' in error_of(flag)


def test_sobol_screened_from_a_morris_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    morris = write(tmp_path, "morris", "morris", 2, PARAMETERS)
    sobol = write(tmp_path, "sobol", "sobol", 2, 'screened_from = "morris_out"\nscreen_max = 2')
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate", str(sobol)]) == 0
        assert "screened from morris_out (at most 2)" in capsys.readouterr().out
        with pytest.raises(ScreenError, match="run the screen first"):
            plan_sensitivity(load_experiment(sobol))
        args = ["--workers", "1", "--quiet"]
        assert main(["sensitivity", str(morris), "--out", "morris_out", *args]) == 0
        indices = pd.read_csv("morris_out/indices.csv")
        assert NOISE_DUMMY in set(indices["parameter"])
        try:
            plan = plan_sensitivity(load_experiment(sobol))
        except ScreenError as error:  # nothing beat the noise in this tiny run
            assert "no parameter reaches" in str(error)
            return
        kept = list(plan.screen.loc[plan.screen["kept"], "parameter"])
        assert 1 <= len(kept) <= 2 and plan.settings.parameter_names == [
            n for n in plan.settings.parameter_names if n in kept
        ]
        assert main(["sensitivity", str(sobol), "--out", "sobol_out", *args]) == 0
        screen = pd.read_csv("sobol_out/screen.csv")
        assert list(screen.columns[:4]) == ["parameter", "output", "mu_star", "sigma"]
        assert NOISE_DUMMY in set(pd.read_csv("sobol_out/indices.csv")["parameter"])
    finally:
        os.chdir(old)


def test_the_shipped_screen_on_the_reference_morris_table_keeps_what_readme_says():
    """experiments/sobol.toml's rule on results/reference/morris: the 16 named parameters
    and the six largest ratios, all on levels; the two buurten-in-order contrasts the
    dummy never moved do not decide (README, "What the analysis found")."""
    settings = load_experiment(REPO / "experiments" / "sobol.toml").sensitivity
    assert settings is not None
    indices = pd.read_csv(REPO / "results" / "reference" / "morris" / "indices.csv")
    assert unscreened_outputs(indices) == [
        "groeiplan_vs_subsidy_channel:neighbourhoods_in_order",
        "groeiplan_replacing_vs_groeiplan:neighbourhoods_in_order",
    ]
    table = screen_table(
        indices, settings.screen_threshold, settings.screen_max, settings.screen_include
    )
    kept = set(table.loc[table["kept"], "parameter"])
    by_ratio = {
        "initial_wellbeing_mean",
        "in_order_threshold",
        "infrastructure_initial_mean",
        "initial_trust_local_share",
        "initial_social_trust_share",
        "initial_trust_national_share",
    }
    assert len(settings.screen_include) == 16
    assert kept == set(settings.screen_include) | by_ratio
    assert int((table["ratio"] >= settings.screen_threshold).sum()) == 17
    best = table.set_index("parameter")
    assert best.loc["initial_participation_share", "why"].endswith("beyond screen_max")
    assert best.loc["extra_funding_eur_per_year", "ratio"] < 1  # kept only by name
