"""Calibration of founding and dissolution (gemsim.study.calibration)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gemsim.model.collective_types import TYPE_NAMES
from gemsim.study.calibration import (
    OUTPUT_FILES,
    choose_particle,
    choose_verified,
    criterion_miss,
    effective_sample_size,
    growth_factors,
    load_spec,
    main,
    weighted_quantiles,
)
from gemsim.study.experiment import load_experiment
from gemsim.study.files import ScenarioError

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "experiments" / "calibration" / "movement.toml"


def tiny_spec_file(tmp_path: Path) -> Path:
    file = tmp_path / "tiny.toml"
    file.write_text(
        f'''patterns = "{(REPO / "experiments" / "patterns.toml").as_posix()}"
scenario = "status_quo_2013"
patterns_scored = ["energy_cooperatives"]
output = "{(tmp_path / "out").as_posix()}"
seed = 3
parameters = ["founding_imitation_rate", "dissolution_rate_per_year"]
population_size = 2
max_populations = 1
max_walltime_minutes = 1
replications = 1
processes = 1
[model]
n_municipalities = 1
neighbourhoods_per_municipality = 10
inhabitants_per_agent = 100
''',
        encoding="utf-8",
    )
    return file


def test_shipped_calibration_uses_the_patterns_criteria_unchanged():
    spec = load_spec(SHIPPED)
    assert spec.overrides["inhabitants_per_agent"] <= 10
    bounds = {(c.pattern, c.from_year, c.to_year): (c.low, c.high) for c in spec.criteria}
    assert bounds[("energy_cooperatives", 2015, 2023)] == (2.7, 4.2)
    assert bounds[("energy_cooperatives", 2021, 2023)] == (0.95, 1.15)
    assert bounds[("care_initiatives", 2014, 2020)] == (4.0, 14.6)
    assert bounds[("energy_cooperatives", None, 2015)] == (0.8, 1.25)
    assert bounds[("energy_cooperatives", None, 2023)] == (0.8, 1.25)
    assert bounds[("care_initiatives", None, 2020)] == (0.67, 1.5)
    assert spec.months == 132


def test_a_ratio_criterion_scores_the_count_against_the_observed_count():
    spec = load_spec(SHIPPED)
    counts = np.ones((2, 11, len(TYPE_NAMES)))
    energy = TYPE_NAMES.index("energy_cooperative")
    counts[0, 2, energy], counts[0, 10, energy] = 212.0, 1428.0  # 2015 and 2023, year-end
    factors = growth_factors(spec, counts)
    assert factors["energy_cooperatives_2015_ratio"] == pytest.approx(1.0)
    assert factors["energy_cooperatives_2023_ratio"] == pytest.approx(2.0)
    assert factors["energy_cooperatives_2015_2023"] == pytest.approx(1428 / 212)


def test_a_criterion_miss_is_in_units_of_the_accepted_range():
    assert criterion_miss(3.0, 2.7, 4.2) == 0.0
    assert criterion_miss(1.2, 2.7, 4.2) == pytest.approx(1.0)
    assert criterion_miss(float("nan"), 2.7, 4.2) == 10.0


def test_weighted_summaries():
    values = np.arange(10.0)
    assert weighted_quantiles(values, np.ones(10), [0.5])[0] == 4.0
    assert weighted_quantiles(values, np.r_[np.zeros(9), 1.0], [0.05])[0] == 9.0
    assert effective_sample_size(np.ones(4)) == pytest.approx(4.0)
    assert effective_sample_size(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)


def test_the_chosen_particle_passes_when_one_does(tmp_path):
    spec = load_spec(tiny_spec_file(tmp_path))
    posterior = pd.DataFrame(
        {
            "founding_imitation_rate": [0.2, 0.5, 0.9],
            "dissolution_rate_per_year": [0.01, 0.02, 0.03],
            "weight": [0.5, 0.25, 0.25],
            "distance": [0.3, 0.0, 0.0],
        }
    )
    assert choose_particle(spec, posterior)["founding_imitation_rate"] == 0.5


def test_verified_defaults_are_kept_only_when_they_pass_again():
    verified = pd.DataFrame(
        {
            "founding_imitation_rate": [0.2, 0.5, 0.9],
            "incumbent": [False, False, True],
            "verified_distance": [0.0, 0.0, 0.0],
            "level_miss": [0.4, 0.1, 0.9],
        }
    )
    assert choose_verified(verified)["founding_imitation_rate"] == 0.9
    verified.loc[2, "verified_distance"] = 0.2  # the defaults fail again: the best particle
    assert choose_verified(verified)["founding_imitation_rate"] == 0.5
    assert choose_verified(verified.iloc[:2])["founding_imitation_rate"] == 0.5


def test_a_tiny_calibration_runs_end_to_end(tmp_path):
    pytest.importorskip("pyabc")
    from gemsim.study.calibration import run_calibration

    spec = load_spec(tiny_spec_file(tmp_path))
    summary = run_calibration(spec, log=lambda *_: None)
    out = tmp_path / "out"
    assert {"posterior.csv", "summary.csv", "manifest.json", "populations.csv"} <= {
        p.name for p in out.iterdir()
    }
    assert set(summary["parameter"]) == set(spec.parameters)
    posterior = pd.read_csv(out / "posterior.csv")
    assert len(posterior) == 2
    assert (posterior["founding_imitation_rate"].between(0.1, 1.0)).all()


def test_calibrated_defaults_and_ranges_come_from_the_stored_calibration():
    """The defaults are the chosen particle and the plausible ranges are the posterior's
    5-95% range widened to the chosen particle (results/reference/calibration/summary.csv),
    rounded."""
    from gemsim.model.parameters import Parameters, plausible_range

    summary = pd.read_csv(REPO / "results" / "reference" / "calibration" / "summary.csv")
    for row in summary.itertuples():
        default = Parameters.model_fields[row.parameter].default
        assert default == pytest.approx(row.chosen, rel=0.01), row.parameter
        low, high = plausible_range(row.parameter) or (np.nan, np.nan)
        width = row.prior_high - row.prior_low
        expected_low = min(row.weighted_q05, row.chosen)
        expected_high = max(row.weighted_q95, row.chosen)
        assert low == pytest.approx(expected_low, abs=0.02 * width), row.parameter
        assert high == pytest.approx(expected_high, abs=0.02 * width), row.parameter
        assert low <= default <= high, row.parameter


def test_a_bad_calibration_file_gives_one_line_per_problem_naming_key_and_what_is_allowed(
    tmp_path,
):
    file = tiny_spec_file(tmp_path)
    text = file.read_text(encoding="utf-8")
    text = text.replace("population_size = 2", "population_size = 1\nprocesess = 2")
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_spec(file)
    assert raised.value.problems == [
        f"{file}: population_size = 1 is not allowed: must be an integer from 2 to 100000",
        f"{file}: unknown key 'procesess' (did you mean 'processes'?); allowed keys: "
        "patterns, scenario, patterns_scored, output, seed, parameters, population_size, "
        "max_populations, max_walltime_minutes, replications, processes, "
        "verify_replications, verify_max, keep_defaults, priors, model",
    ]


def test_a_calibration_file_naming_what_does_not_exist_is_refused(tmp_path):
    file = tiny_spec_file(tmp_path)
    text = file.read_text(encoding="utf-8")
    text = text.replace('patterns_scored = ["energy_cooperatives"]', 'patterns_scored = ["x"]')
    text = text.replace('"dissolution_rate_per_year"]', '"regime"]')
    text = text.replace("inhabitants_per_agent = 100", "inhabitants_per_agent = 0")
    file.write_text(text + "[priors]\nfounding_imitation_rate = [0.5, 0.1]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_spec(file)
    problems = raised.value.problems
    assert len(problems) == 4
    assert "parameters: 'regime' is not numeric" in problems[0]
    assert "[priors] founding_imitation_rate = [0.5, 0.1] is not allowed" in problems[1]
    assert "[model] inhabitants_per_agent = 0 is not allowed" in problems[2]
    assert "patterns_scored: 'x' is not a pattern" in problems[3]
    assert all(p.startswith(f"{file}: ") for p in problems)


def test_the_calibration_keeps_an_earlier_calibrations_outputs_without_force(tmp_path, capsys):
    file = tiny_spec_file(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "posterior.csv").write_text("kept\n", encoding="utf-8")
    assert "posterior.csv" in OUTPUT_FILES
    assert main([str(file)]) == 2
    err = capsys.readouterr().err
    assert "holds an earlier calibration's outputs (posterior.csv)" in err and "--force" in err
    assert "Traceback" not in err
    assert (out / "posterior.csv").read_text(encoding="utf-8") == "kept\n"


def test_a_calibration_file_read_as_an_experiment_says_what_it_is():
    with pytest.raises(ScenarioError, match="looks like a calibration file"):
        load_experiment(SHIPPED)


def _with(file: Path, old: str, new: str, extra: str = "") -> Path:
    text = file.read_text(encoding="utf-8").replace(old, new)
    file.write_text(text + extra, encoding="utf-8")
    return file


PARAMETERS = 'parameters = ["founding_imitation_rate", "dissolution_rate_per_year"]'
BAD_VALUES = {
    "prior outside the allowed range": (
        PARAMETERS,
        PARAMETERS,
        "[priors]\ndissolution_rate_per_year = [-0.5, 0.08]\n",
        "[priors] dissolution_rate_per_year = [-0.5, 0.08] is not allowed: both ends must be "
        "a number from 0 to 1",
    ),
    "integer prior rounding outside": (
        PARAMETERS,
        'parameters = ["dissolution_grace_months"]',
        "[priors]\ndissolution_grace_months = [0.0, 0.4]\n",
        "integer from 1 to 60 (integer parameters: after rounding)",
    ),
    "months calibrated": (
        PARAMETERS,
        'parameters = ["months"]',
        "[priors]\nmonths = [12, 24]\n",
        "parameters: 'months' cannot be calibrated",
    ),
    "listed twice": (
        PARAMETERS,
        'parameters = ["founding_imitation_rate", "founding_imitation_rate"]',
        "",
        "parameters: 'founding_imitation_rate' is listed twice",
    ),
    "calibrated and set": (
        PARAMETERS,
        'parameters = ["inhabitants_per_agent"]',
        "[priors]\ninhabitants_per_agent = [50, 100]\n",
        "parameters: 'inhabitants_per_agent' is also set in [model]",
    ),
    "a prior's end breaks a rule between parameters": (
        PARAMETERS,
        'parameters = ["initial_active_share"]',
        "[priors]\ninitial_active_share = [0.1, 0.7]\n",
        "at initial_active_share = 0.7: [priors] 'initial_active_share' must not exceed "
        "'initial_participation_share'",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_a_calibration_file_that_would_fail_once_running_is_refused_when_read(tmp_path, kind):
    old, new, extra, expected = BAD_VALUES[kind]
    file = _with(tiny_spec_file(tmp_path), old, new, extra)
    with pytest.raises(ScenarioError) as raised:
        load_spec(file)
    assert any(expected in line for line in raised.value.problems), raised.value.problems


def test_a_calibration_output_that_is_a_file_is_refused(tmp_path):
    file = tiny_spec_file(tmp_path)
    text = file.read_text(encoding="utf-8")
    start = text.index('output = "')
    end = text.index("\n", start)
    file.write_text(
        text[:start] + f'output = "{(REPO / "README.md").as_posix()}"' + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="is not allowed: it is a file"):
        load_spec(file)


def test_model_values_are_checked_with_the_patterns_scenario(tmp_path):
    """[model] initial_active_share = 0.32 is fine on its own, not on a patterns file whose
    [parameters] lower the participation share to 0.31."""
    patterns = (REPO / "experiments" / "patterns.toml").read_text(encoding="utf-8")
    patterns = patterns.replace(
        "\n[parameters]\n", "\n[parameters]\ninitial_participation_share = 0.31\n"
    )
    (tmp_path / "patterns.toml").write_text(patterns, encoding="utf-8")
    file = tiny_spec_file(tmp_path)
    text = file.read_text(encoding="utf-8")
    text = text.replace(
        (REPO / "experiments" / "patterns.toml").as_posix(), (tmp_path / "patterns.toml").as_posix()
    )
    file.write_text(
        text.replace("[model]", "[model]\ninitial_active_share = 0.32"), encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as raised:
        load_spec(file)
    assert raised.value.problems == [
        f"{file}: [model] 'initial_active_share' must not exceed 'initial_participation_share' "
        "(with the scenario 'status_quo_2013')"
    ]
