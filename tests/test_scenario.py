"""Scenario and experiment files: extends, validation messages, shipped files."""

from __future__ import annotations

from pathlib import Path

import pytest

import gemsim
from gemsim.model.parameters import Parameters
from gemsim.model.regimes import REGIMES
from gemsim.study.experiment import Experiment, load_experiment
from gemsim.study.files import ScenarioError
from gemsim.study.scenarios import (
    load_scenario,
    read_scenario,
    resolve_scenario,
    scenario_parameters,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))
SHIPPED_EXPERIMENTS = sorted((REPO / "experiments").glob("*.toml"))
MONEY_PARAMETERS = (
    "extra_funding_eur_per_year",
    "social_infrastructure_eur",
    "social_infrastructure_years",
    "movement_infrastructure_eur",
    "movement_infrastructure_years",
    "channel_layer_overhead_share",
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A folder with a base scenario ``base.toml``."""
    write(
        tmp_path,
        "base.toml",
        'description = "base"\n[parameters]\nregime = "status_quo"\nmonths = 24\n'
        "n_municipalities = 2\n",
    )
    return tmp_path


def error_of(call, *args) -> str:
    with pytest.raises(ScenarioError) as caught:
        call(*args)
    message = str(caught.value)
    assert "Traceback" not in message
    return message


# ------------------------------------------------------------------------- extends
def test_extends_merges_parent_first_then_child(base: Path):
    child = write(base, "child.toml", 'extends = "base"\n[parameters]\nmonths = 36\n')
    scenario = read_scenario(child)
    assert scenario.name == "child"
    assert scenario.parameters == {"regime": "status_quo", "months": 36, "n_municipalities": 2}
    assert [p.name for p in scenario.chain] == ["child.toml", "base.toml"]


def test_extends_chain_of_three_applies_nearest_value(base: Path):
    write(base, "middle.toml", 'extends = "base"\n[parameters]\nregime = "direct_fund"\n')
    leaf = write(base, "leaf.toml", 'extends = "middle.toml"\n[parameters]\nmonths = 12\n')
    params = load_scenario(leaf)
    assert (params.regime, params.months, params.n_municipalities) == ("direct_fund", 12, 2)


def test_extends_accepts_a_relative_path(base: Path):
    child = write(base, "sub/child.toml", 'extends = "../base.toml"\n')
    assert scenario_parameters(child)["n_municipalities"] == 2


def test_name_defaults_to_the_file_name_and_can_be_set(base: Path):
    named = write(base, "file.toml", 'name = "nice_name"\nextends = "base"\n')
    assert read_scenario(base / "base.toml").name == "base"
    assert read_scenario(named).name == "nice_name"


def test_load_scenario_returns_validated_parameters_and_is_exported_lazily(base: Path):
    params = gemsim.load_scenario(base / "base.toml")
    assert isinstance(params, Parameters)
    assert params.months == 24


def test_integers_for_float_parameters_become_floats(base: Path):
    path = write(base, "ints.toml", "[parameters]\nreporting_burden_multiplier = 2\n")
    value = scenario_parameters(path)["reporting_burden_multiplier"]
    assert value == 2.0 and isinstance(value, float)


def test_cycle_in_extends_raises_naming_file_and_key(tmp_path: Path):
    write(tmp_path, "a.toml", 'extends = "b"\n')
    write(tmp_path, "b.toml", 'extends = "a"\n')
    message = error_of(read_scenario, tmp_path / "a.toml")
    assert "b.toml" in message and "extends" in message and "cycle" in message
    assert "a.toml -> b.toml -> a.toml" in message


def test_a_scenario_extending_itself_is_a_cycle(tmp_path: Path):
    write(tmp_path, "self.toml", 'extends = "self"\n')
    assert "cycle" in error_of(read_scenario, tmp_path / "self.toml")


def test_rules_across_parameters_are_checked_on_the_merged_values(tmp_path: Path):
    write(
        tmp_path,
        "low.toml",
        "[parameters]\ninitial_participation_share = 0.2\ninitial_active_share = 0.1\n",
    )
    fine = write(
        tmp_path, "fine.toml", 'extends = "low"\n[parameters]\ninitial_active_share = 0.15\n'
    )
    bad = write(
        tmp_path, "bad.toml", 'extends = "low"\n[parameters]\ninitial_active_share = 0.25\n'
    )
    assert load_scenario(fine).initial_active_share == 0.15
    message = error_of(read_scenario, bad)
    assert message.startswith(f"{bad}: [parameters]")
    assert "initial_active_share" in message and "initial_participation_share" in message


# ------------------------------------------------------------------ bad scenario files
BAD_SCENARIOS = {
    "broken TOML": ("[parameters\nmonths = 3\n", "not valid TOML", "line 1"),
    "unknown key": ('nmae = "x"\n', "'nmae'", "allowed keys: name, description"),
    "parameter at top level": ("months = 3\n", "'months'", "[parameters] table"),
    "unknown parameter": ("[parameters]\nmonthz = 3\n", "'monthz'", "did you mean 'months'"),
    "wrong type (string for integer)": (
        '[parameters]\nmonths = "120"\n',
        'months = "120"',
        "an integer from 1 to 600",
    ),
    "wrong type (number for switch)": (
        "[parameters]\nsocial_infrastructure = 1\n",
        "social_infrastructure = 1",
        "true or false",
    ),
    "wrong type (float for integer)": (
        "[parameters]\nn_municipalities = 2.5\n",
        "n_municipalities = 2.5",
        "an integer from 1 to 400",
    ),
    "out of range": (
        "[parameters]\nmonths = -3\n",
        "[parameters] months = -3 is not allowed",
        "must be an integer from 1 to 600",
    ),
    "not a number": ("[parameters]\ninitial_active_share = nan\n", "nan", "a number from"),
    "unknown regime": (
        '[parameters]\nregime = "direct"\n',
        'regime = "direct"',
        "one of " + ", ".join(sorted(REGIMES)),
    ),
    "unknown allocation rule": (
        '[parameters]\nallocation_rule = "lottery"\n',
        "allocation_rule",
        "need_weighted",
    ),
    "unknown scenario in extends": ('extends = "nowhere"\n', 'extends = "nowhere"', "allowed:"),
    "missing file in extends": (
        'extends = "missing/parent.toml"\n',
        "extends",
        "no such file 'missing/parent.toml'",
    ),
    "name with spaces": ('name = "my scenario"\n', "name", "letters, digits"),
    "parameters not a table": ("parameters = 3\n", "parameters = 3", "[parameters] table"),
}


@pytest.mark.parametrize("kind", list(BAD_SCENARIOS))
def test_bad_scenario_file_raises_one_error_naming_file_key_and_what_is_allowed(
    tmp_path: Path, kind: str
):
    text, key, allowed = BAD_SCENARIOS[kind]
    path = write(tmp_path, "bad.toml", text)
    message = error_of(read_scenario, path)
    assert str(path) in message
    assert key in message
    assert allowed in message


def test_message_of_the_brief_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "scenarios/bad.toml", "[parameters]\nmonths = -3\n")
    assert error_of(read_scenario, "scenarios/bad.toml") == (
        "scenarios/bad.toml: [parameters] months = -3 is not allowed: "
        "must be an integer from 1 to 600"
    )


def test_every_problem_of_a_file_is_reported_in_file_order(tmp_path: Path):
    path = write(tmp_path, "bad.toml", "[parameters]\nmonths = -3\nfoo = 1\nregime = 4\n")
    lines = error_of(read_scenario, path).splitlines()
    assert len(lines) == 3
    assert ["months" in lines[0], "'foo'" in lines[1], "regime" in lines[2]] == [True] * 3


def test_unknown_extends_offers_only_valid_scenario_files(tmp_path: Path):
    write(tmp_path, "good.toml", "[parameters]\nmonths = 12\n")
    write(tmp_path, "broken.toml", "[parameters\n")
    write(tmp_path, "bad_value.toml", "[parameters]\nmonths = -3\n")
    write(tmp_path, "orphan.toml", 'extends = "nowhere"\n')
    write(tmp_path, "experiment.toml", 'scenarios = ["good"]\nreplications = 2\n')
    child = write(tmp_path, "child.toml", 'extends = "goood"\n')
    message = error_of(read_scenario, child)
    assert "did you mean 'good'" in message
    offered = set(message.rpartition("allowed: ")[2].split(", "))
    assert "good" in offered and "groeiplan" in offered  # this folder, then the shipped one
    assert not offered & {"broken", "bad_value", "orphan", "experiment", "child"}


def test_missing_scenario_file_raises(tmp_path: Path):
    message = error_of(read_scenario, tmp_path / "absent.toml")
    assert "absent.toml" in message and "not found" in message


def test_experiment_file_given_as_scenario_says_so(tmp_path: Path):
    path = write(tmp_path, "exp.toml", 'scenarios = ["a"]\n')
    assert "is an experiment file" in error_of(read_scenario, path)


def test_resolve_scenario_by_name_and_by_path(base: Path):
    assert resolve_scenario("base", [base]) == base / "base.toml"
    assert resolve_scenario(base / "base.toml", []) == base / "base.toml"
    message = error_of(resolve_scenario, "bsae", [base])
    assert "did you mean 'base'" in message


# ---------------------------------------------------------------------------- experiments
def experiment_text(**lines: str) -> str:
    fields = {
        "name": '"exp"',
        "scenarios": '["base", "fund"]',
        "baseline": '"base"',
        "replications": "2",
        "months": "12",
        "seed": "7",
    }
    fields.update(lines)
    head = "".join(f"{k} = {v}\n" for k, v in fields.items() if not k.startswith("_"))
    return head + fields.get("_tables", "")


@pytest.fixture
def experiment_dir(base: Path) -> Path:
    """``base`` plus a scenario ``scenarios/fund.toml`` and an experiment folder."""
    write(
        base,
        "scenarios/fund.toml",
        'extends = "../base.toml"\n[parameters]\nregime = "direct_fund"\n',
    )
    (base / "experiments").mkdir()
    write(base, "scenarios/base.toml", (base / "base.toml").read_text())
    return base


def test_experiment_resolves_scenarios_next_to_it_then_in_scenarios(experiment_dir: Path):
    path = write(experiment_dir, "experiments/exp.toml", experiment_text())
    experiment = load_experiment(path)
    assert experiment.scenario_names == ["base", "fund"]
    files = {n: s.path for n, s in experiment.resolved_scenarios.items()}
    assert files["fund"] == experiment_dir / "scenarios" / "fund.toml"
    assert experiment.baseline_name == "base"
    assert experiment.horizon == 12
    assert experiment.run_count == 4


def test_experiment_parameters_apply_to_every_scenario(experiment_dir: Path):
    text = experiment_text(_tables="[parameters]\nneighbourhoods_per_municipality = 5\n")
    experiment = load_experiment(write(experiment_dir, "experiments/exp.toml", text))
    overrides = experiment.scenario_overrides()
    assert overrides["fund"] == {
        "regime": "direct_fund",
        "n_municipalities": 2,
        "neighbourhoods_per_municipality": 5.0,
    }
    assert "months" not in overrides["base"]  # the horizon travels separately


def test_sweep_is_a_full_grid_in_file_order(experiment_dir: Path):
    tables = "[sweep]\nreporting_burden_multiplier = [0, 2]\nfund_grant_years = [1, 2, 3]\n"
    experiment = load_experiment(
        write(experiment_dir, "experiments/exp.toml", experiment_text(_tables=tables))
    )
    points = experiment.points()
    assert len(points) == 6 and experiment.run_count == 2 * 6 * 2
    assert points[0] == {"reporting_burden_multiplier": 0.0, "fund_grant_years": 1}
    assert points[1] == {"reporting_burden_multiplier": 0.0, "fund_grant_years": 2}


def test_months_defaults_to_the_scenarios_common_horizon(experiment_dir: Path):
    text = experiment_text().replace("months = 12\n", "")
    experiment = load_experiment(write(experiment_dir, "experiments/exp.toml", text))
    assert experiment.horizon == 24


def test_differing_scenario_horizons_need_months(experiment_dir: Path):
    write(experiment_dir, "scenarios/short.toml", "[parameters]\nmonths = 6\n")
    text = experiment_text(scenarios='["base", "short"]').replace("months = 12\n", "")
    experiment = load_experiment(write(experiment_dir, "experiments/exp.toml", text))
    message = error_of(lambda: experiment.horizon)
    assert "months" in message and "base: 24, short: 6" in message
    assert experiment.with_overrides(months=6).horizon == 6


def test_with_overrides_validates_and_names_the_option(experiment_dir: Path):
    experiment = load_experiment(write(experiment_dir, "experiments/exp.toml", experiment_text()))
    changed = experiment.with_overrides(replications=5, seed=3)
    assert (changed.replications, changed.seed, changed.months) == (5, 3, 12)
    assert changed.scenario_names == ["base", "fund"]
    message = error_of(lambda: experiment.with_overrides(months=601))
    assert message == "--months 601 is not allowed: must be an integer from 1 to 600"


#: Six share parameters, for a sweep of 8**6 points.
SHARES6 = (
    "initial_trust_local_share",
    "initial_trust_national_share",
    "initial_social_trust_share",
    "initiator_share",
    "co_decision_mean",
    "channel_layer_overhead_share",
)
BAD_EXPERIMENTS = {
    "unknown key": ({"replicatoins": "3"}, "'replicatoins'", "did you mean 'replications'"),
    "wrong type": ({"replications": '"3"'}, 'replications = "3"', "an integer from 1 to"),
    "out of range": ({"replications": "0"}, "replications = 0", "an integer from 1 to"),
    "negative seed": ({"seed": "-1"}, "seed = -1", "an integer from 0 to"),
    "months out of range": ({"months": "0"}, "months = 0", "an integer from 1 to 600"),
    "scenario entry not a string": ({"scenarios": '["base", 3]'}, "scenarios[1] = 3", "names"),
    "no scenarios": ({"scenarios": "[]"}, "scenarios = []", "non-empty list"),
    "unknown scenario": ({"scenarios": '["base", "nope"]'}, 'scenarios[1] = "nope"', "fund"),
    "baseline not among scenarios": ({"baseline": '"fund2"'}, 'baseline = "fund2"', "base, fund"),
    "unknown output": ({"outputs": '["trust"]'}, "unknown reporter 'trust'", "trust_government"),
    "bad [parameters] value": (
        {"_tables": "[parameters]\nn_municipalities = 0\n"},
        "[parameters] n_municipalities = 0 is not allowed",
        "an integer from 1 to 400",
    ),
    "months in [parameters]": (
        {"_tables": "[parameters]\nmonths = 5\n"},
        "[parameters] months",
        "top-level `months`",
    ),
    "bad sweep value": (
        {"_tables": "[sweep]\nreporting_burden_multiplier = [1, -2]\n"},
        "[sweep] reporting_burden_multiplier = -2 is not allowed",
        "a number from 0 to 10",
    ),
    "wrongly typed sweep value": (
        {"_tables": '[sweep]\nregime = ["hybrid", "fund"]\n'},
        '[sweep] regime = "fund"',
        "one of direct_fund",
    ),
    "unknown sweep parameter": (
        {"_tables": "[sweep]\nburden = [1, 2]\n"},
        "[sweep] unknown parameter 'burden'",
        "gemsim params",
    ),
    "sweep value not a list": (
        {"_tables": "[sweep]\nreporting_burden_multiplier = 2\n"},
        "[sweep] reporting_burden_multiplier = 2 is not allowed",
        "lists of values",
    ),
    "sweep repeats a value": (
        {"_tables": "[sweep]\nfund_grant_years = [2, 2]\n"},
        "[sweep] fund_grant_years",
        "must not repeat",
    ),
    "sweep parameter also in [parameters]": (
        {"_tables": "[parameters]\nfund_grant_years = 2\n[sweep]\nfund_grant_years = [1, 3]\n"},
        "[sweep] fund_grant_years is also set in [parameters]",
        "one of the two tables",
    ),
    "sweep point breaks a rule across parameters": (
        {"_tables": "[sweep]\ninitial_active_share = [0.2, 0.6]\n"},
        "[sweep] 'initial_active_share' must not exceed",
        "initial_participation_share",
    ),
    "sweep too large": (
        {
            "_tables": "[sweep]\n"
            + "".join(f"{n} = [{', '.join(str(i / 10) for i in range(1, 9))}]\n" for n in SHARES6)
        },
        "[sweep] makes 262,144 points",
        "at most 100,000 points",
    ),
    "national population below the region's": (
        {"_tables": "[parameters]\nnational_population = 1000\n"},
        "'national_population' (1000) must be at least",
        "expected population",
    ),
    "region of more agents than allowed": (
        {
            "_tables": "[parameters]\ninhabitants_per_agent = 1\nn_municipalities = 400\n"
            "neighbourhoods_per_municipality = 1000\nnational_population = 1e9\n"
        },
        "citizen agents",
        "at most 20,000,000",
    ),
    "bad scenario inside": ({"scenarios": '["base", "broken"]'}, "broken.toml", "not valid TOML"),
}


@pytest.mark.parametrize("kind", list(BAD_EXPERIMENTS))
def test_bad_experiment_file_raises_one_error_naming_file_key_and_what_is_allowed(
    experiment_dir: Path, kind: str
):
    write(experiment_dir, "scenarios/broken.toml", "[parameters\n")
    lines, key, allowed = BAD_EXPERIMENTS[kind]
    path = write(experiment_dir, "experiments/exp.toml", experiment_text(**lines))
    message = error_of(load_experiment, path)
    assert "exp.toml" in message or "broken.toml" in message
    assert key in message
    assert allowed in message


def test_scenario_names_that_give_the_same_run_ids_are_one_error(experiment_dir: Path):
    write(
        experiment_dir, "scenarios/fund_.toml", (experiment_dir / "scenarios/fund.toml").read_text()
    )
    text = experiment_text(scenarios='["base", "fund", "fund_"]')
    message = error_of(load_experiment, write(experiment_dir, "experiments/exp.toml", text))
    assert "scenarios[2]" in message and "'fund_'" in message and "'fund'" in message


def test_experiment_file_checks_run_before_anything_else(tmp_path: Path):
    message = error_of(load_experiment, tmp_path / "absent.toml")
    assert "absent.toml: file not found" in message


def test_scenario_file_given_as_experiment_says_so(base: Path):
    message = error_of(load_experiment, base / "base.toml")
    assert "scenarios is missing" in message and "gemsim run" in message


def test_experiment_schema_forbids_unknown_fields_in_code_too():
    with pytest.raises(ValueError, match="sensitivty"):
        Experiment(name="x", scenarios=["a"], sensitivty={"method": "sobol"})


# -------------------------------------------------------------------------- shipped files
@pytest.mark.parametrize("path", SHIPPED_SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path: Path):
    assert isinstance(load_scenario(path), Parameters)


@pytest.mark.parametrize("path", SHIPPED_EXPERIMENTS, ids=lambda p: p.name)
def test_every_shipped_experiment_validates(path: Path):
    experiment = load_experiment(path)
    assert experiment.run_count >= 1
    assert experiment.baseline_name in experiment.scenario_names


def test_shipped_scenarios_cover_every_regime():
    regimes = {load_scenario(path).regime for path in SHIPPED_SCENARIOS}
    assert set(REGIMES) <= regimes


def test_every_regime_with_extra_money_gets_the_same_money():
    """Fairness of the comparison: same extra money, same streams, same layer overhead."""
    with_money = [
        load_scenario(path)
        for path in SHIPPED_SCENARIOS
        if REGIMES[load_scenario(path).regime].adds_money
    ]
    assert len(with_money) >= 3
    for params in with_money:
        assert params.social_infrastructure and params.movement_infrastructure
        for name in MONEY_PARAMETERS:
            assert getattr(params, name) == getattr(with_money[0], name), name


def test_compare_regimes_runs_every_regional_scenario():
    experiment = load_experiment(REPO / "experiments" / "compare_regimes.toml")
    # netherlands is national scale; status_quo_2013 starts in 2013 (experiments/patterns.toml);
    # the symmetric pair tests the model's symmetry (tests/test_symmetry.py), not a regime
    regional = {p.stem for p in SHIPPED_SCENARIOS} - {
        "netherlands",
        "status_quo_2013",
        "symmetric_subsidy",
        "symmetric_fund",
    }
    assert set(experiment.scenario_names) == regional
    assert (experiment.replications, experiment.horizon) == (30, 120)


def test_netherlands_is_national_scale():
    params = load_scenario(REPO / "scenarios" / "netherlands.toml")
    assert params.n_municipalities == 342
    assert params.n_municipalities * params.neighbourhoods_per_municipality == pytest.approx(13808)
    assert params.inhabitants_per_agent == 100
