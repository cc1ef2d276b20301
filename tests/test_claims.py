"""`gemsim claims` end to end on a tiny configuration, and the claims' declarations.

The tiny experiments run the shipped scenarios on one municipality of six buurten for a
year, so the numbers mean nothing; the tests check the files, the columns, what is "not
computed" and that the claims table comes first in both reports.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from gemsim.analysis.claims import COLUMNS, NOT_COMPUTED, _verdict
from gemsim.cli import main
from gemsim.study.claims import CLAIMS, Claim, claim_scenarios
from gemsim.study.claims_job import load_claims_experiment
from gemsim.study.experiment import load_experiment
from gemsim.study.files import ScenarioError
from gemsim.study.model_values import reporter_names

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = ["status_quo", "subsidy_channel", "groeiplan", "hybrid", "groeiplan_replacing"]

CLAIMS_TOML = """\
name = "tiny_claims"
scenarios = [{scenarios}]
months = 12
seed = 3
replications = 2

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 6

[claims]
sensitivity = "{sensitivity}"
{goal}
"""

GOAL = """
[claims.goal_seek]
low = 2.5e8
high = 4e9
replications = 2
points = 3
rounds = 1
"""

SOBOL_TOML = """\
name = "tiny_sobol"
scenarios = [{scenarios}]
months = 12
seed = 3

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 6

[sensitivity]
method = "sobol"
n = 2
base_scenario = "groeiplan"
replications = 1
num_resamples = 20
noise_dummy = true
outputs = ["trust_government", "neighbourhoods_in_order", "collectives"]

[sensitivity.parameters.trust_learning_rate]
low = 0.02
high = 0.08
[sensitivity.parameters.project_effectiveness]
low = 0.4
high = 0.9

[[sensitivity.contrasts]]
scenario = "groeiplan"
reference = "subsidy_channel"
[[sensitivity.contrasts]]
scenario = "groeiplan"
reference = "status_quo"
"""


def quoted(names: list[str]) -> str:
    return ", ".join(f'"{REPO / "scenarios" / name}.toml"' for name in names)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_claim_names_a_reporter_and_a_direction():
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)
    for claim in CLAIMS:
        assert claim.outcome in reporter_names(), claim.id
        assert claim.direction in (-1, 1) and claim.text and "\n" not in claim.text
        assert (claim.kind == "contrast") == (claim.reference is not None)
    assert set(claim_scenarios()) <= set(SCENARIOS)
    ids = {c.id.split(":")[0] for c in CLAIMS}
    assert {
        "every_buurt_in_order",
        "direct_beats_municipal",
        "less_distrust",
        "movement_grows",
        "replaces_without_loss",
    } <= ids


def test_verdict_needs_the_whole_interval_on_one_side():
    beats = Claim("x", "x", "contrast", "a", "y", 1, reference="b")
    assert _verdict(beats, 0.1, 0.3, 0.0) == "holds"
    assert _verdict(beats, -0.3, -0.1, 0.0) == "fails"
    assert _verdict(beats, -0.1, 0.1, 0.0).startswith("undecided")
    gap = Claim("g", "g", "contrast", "a", "y", -1, reference="b")
    assert _verdict(gap, -0.3, -0.1, 0.0) == "holds"
    no_loss = Claim("n", "n", "contrast", "a", "y", 1, reference="b", tolerance=0.01)
    assert _verdict(no_loss, -0.5, -0.2, 100.0) == "holds"  # within 1% of the level


def test_fails_when_describes_the_minority_side_and_checks_it_out_of_sample():
    """A claim that fails at most points is described by where it holds; one that holds
    at most points by where it fails; scattered exceptions by no region. A planted region
    is found again on every half of the points and holds on the other half."""
    import re

    import numpy as np

    from gemsim.analysis.claims import HELD_OUT_HALVES, _fails_when

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(0, 1, (1000, 3)), columns=["a", "b", "c"])
    claim = Claim("x", "x", "level", "a", "y", 1)
    corner = ((x["a"] >= 0.6) & (x["b"] >= 0.5)).to_numpy()
    rare, held = _fails_when(claim, x, corner, 0, None)
    assert rare.startswith(f"at {int((~corner).sum())} of 1000 points: everywhere but where ")
    assert "a ≥ 0.6" in rare or "a > 0.6" in rare or "a > 0.59" in rare
    found = f"a region on {HELD_OUT_HALVES} of {HELD_OUT_HALVES} half-samples, "
    assert held.startswith(found + f"{HELD_OUT_HALVES} on the same parameters")
    coverage, density = (int(v) for v in re.findall(r"(\d+)%", held))
    assert coverage >= 90 and density >= 90
    common, held = _fails_when(claim, x, ~corner, 0, None)
    assert not common.startswith("at ") and "coverage" in common and held.startswith(found)
    scattered = rng.random(1000) < 0.3
    text, held = _fails_when(claim, x, scattered, 0, None)
    assert "form no region" in text and held == "no region to check"
    assert "no region" in _fails_when(claim, x, ~scattered, 0, None)[0]


def test_a_tie_is_no_loss_but_does_not_beat():
    """Two regimes with the same outcome (e.g. no buurt in order in either): "without
    loss" holds, "beats" does not."""
    from gemsim.analysis.claims import _holds, _margin

    beats = Claim("x", "x", "contrast", "a", "y", 1, reference="b")
    no_loss = Claim("n", "n", "contrast", "a", "y", 1, reference="b", tolerance=0.01)
    assert not _holds(beats, _margin(beats, 0.0, 0.0))
    assert _holds(no_loss, _margin(no_loss, 0.0, 0.0))
    assert not _holds(no_loss, _margin(no_loss, -0.02, 1.0))
    assert _holds(no_loss, _margin(no_loss, -0.005, 1.0))
    rounding = 0.1 + 0.2 - 0.3  # two means of equal runs summed in another order
    assert not _holds(beats, _margin(beats, rounding, 0.0))
    assert _holds(no_loss, _margin(no_loss, -0.01 * 0.3 - rounding, 0.3))


def test_claims_table_validation(tmp_path: Path):
    bad = write(
        tmp_path,
        "bad.toml",
        CLAIMS_TOML.format(scenarios=quoted(SCENARIOS), sensitivity="x", goal=GOAL).replace(
            "low = 2.5e8", "low = -1.0\nwhat = 1"
        ),
    )
    with pytest.raises(ScenarioError) as caught:
        load_experiment(bad)
    assert "[claims.goal_seek] unknown key 'what'" in str(caught.value)


def test_gemsim_claims_end_to_end(tmp_path: Path):
    """Without sensitivity results: estimates, verdicts, the goal seek, report.html."""
    claims = write(
        tmp_path,
        "claims.toml",
        CLAIMS_TOML.format(scenarios=quoted(SCENARIOS), sensitivity="sobol_out", goal=GOAL),
    )
    args = ["--out", str(tmp_path / "claims_out"), "--quiet", "--workers", "1"]
    assert main(["claims", str(claims), *args]) == 0
    frame = pd.read_csv(tmp_path / "claims_out" / "claims.csv", keep_default_na=False)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(CLAIMS) + 1  # and the goal seek
    assert frame["share_holding"].str.startswith(NOT_COMPUTED).all()
    computed = frame[frame["claim_id"] != "goal_seek"]
    assert set(computed["verdict"].str.split(" ").str[0]) <= {"holds", "fails", "undecided"}
    assert (computed["replications"] == 2).all()
    goal = frame[frame["claim_id"] == "goal_seek"].iloc[0]
    assert goal["claim"].startswith("What social_infrastructure_eur would bring")
    report = (tmp_path / "claims_out" / "report.html").read_text(encoding="utf-8")
    assert report.index("The Groeiplan's claims, checked") < report.index("What was simulated")


def test_sensitivity_folder_can_be_named_on_the_command_line(tmp_path: Path):
    claims = write(
        tmp_path,
        "claims.toml",
        CLAIMS_TOML.format(scenarios=quoted(SCENARIOS), sensitivity="sobol_out", goal=""),
    )
    experiment = load_claims_experiment(claims, claims_sensitivity="results/sobol_n128")
    assert experiment.claims.sensitivity == "results/sobol_n128"
    assert experiment.as_record()["claims"]["sensitivity"] == "results/sobol_n128"
    assert load_claims_experiment(claims).claims.sensitivity == "sobol_out"
    with pytest.raises(ScenarioError, match="--sensitivity '' is not allowed"):
        load_claims_experiment(claims, claims_sensitivity="")
    plain = load_experiment(REPO / "experiments" / "compare_regimes.toml")
    with pytest.raises(ScenarioError, match="only allowed for an experiment with a \\[claims\\]"):
        plain.with_overrides(claims_sensitivity="results/sobol")


@pytest.mark.slow
def test_gemsim_claims_reads_a_sobol_analysis(tmp_path: Path):
    """With a tiny Sobol' analysis of three of the five scenarios (about 40 s here); the
    file names another folder, the command line the one to read."""
    claims = write(
        tmp_path,
        "claims.toml",
        CLAIMS_TOML.format(scenarios=quoted(SCENARIOS), sensitivity="not_there", goal=""),
    )
    sobol = write(tmp_path, "sobol.toml", SOBOL_TOML.format(scenarios=quoted(SCENARIOS[:3])))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        quiet = ["--quiet", "--workers", "1"]
        assert main(["sensitivity", str(sobol), "--out", "sobol_out", *quiet]) == 0
        analysed = Path("sobol_out/indices.csv").stat().st_mtime_ns
        reading = ["--sensitivity", "sobol_out"]
        assert main(["claims", str(claims), "--out", "claims_out", *reading, *quiet]) == 0
        # sensitivity.html was rewritten from the kept analysis, not computed again
        assert Path("sobol_out/indices.csv").stat().st_mtime_ns == analysed
        frame = pd.read_csv("claims_out/claims.csv", keep_default_na=False).set_index("claim_id")
        assert "goal_seek" not in frame.index
        row = frame.loc["direct_beats_municipal:trust_government"]
        assert 0.0 <= float(row["share_holding"]) <= 1.0
        assert int(row["sample_points"]) == 2 * (2 + 1 + 2)  # n x (parameters + dummy + 2)
        assert row["fails_when"] and not row["fails_when"].startswith(NOT_COMPUTED)
        assert row["fails_when_held_out"] and not row["fails_when_held_out"].startswith(
            NOT_COMPUTED
        )
        assert frame.loc["replaces_without_loss:wellbeing", "share_holding"].startswith(
            f"{NOT_COMPUTED} (the sensitivity analysis does not run groeiplan_replacing"
        )
        page = Path("sobol_out/sensitivity.html").read_text(encoding="utf-8")
        assert page.index("<h2>") == page.index("<h2>The Groeiplan's claims, checked")
        assert Path("sobol_out/claims.csv").is_file()
        manifest = json.loads(Path("claims_out/manifest.json").read_text(encoding="utf-8"))
        assert "--sensitivity sobol_out" in manifest["command"]
    finally:
        os.chdir(old)
