"""One declaration per outcome: the model's DataCollector, the reporter names an experiment
may ask for, the analysis' labels and the ODD table all come from
``gemsim.model.outcomes.OUTCOMES``, so adding an outcome is adding one entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from extra_outcome import EXTRA, NAME
from model_config import SMALL

from gemsim.analysis.outcomes import describe
from gemsim.model.model import MODEL_REPORTERS, MONEY_REPORTERS, CommunityModel
from gemsim.model.outcomes import OUTCOMES, outcome_table_markdown
from gemsim.study.scenario import reporter_names

TESTS = Path(__file__).resolve().parent
NAMES = [outcome.name for outcome in OUTCOMES]


# ------------------------------------------------------------------------ the declaration
def test_every_reporter_is_declared_once():
    assert len(NAMES) == len(set(NAMES))
    assert sorted(reporter_names()) == sorted(NAMES)


def test_the_datacollector_records_every_declared_outcome_in_declaration_order():
    model = CommunityModel(rng=3, **{**SMALL, "months": 4})
    frame = model.run()
    assert list(frame.columns) == ["month", *NAMES]
    last = frame.iloc[-1]
    for outcome in OUTCOMES:
        assert last[outcome.name] == outcome.function(model), outcome.name


def test_the_one_pass_collector_records_what_mesas_collector_records():
    """Every month, in every regime: the model's collector (one pass) and Mesa's own
    DataCollector with the same reporters store identical values of identical types."""
    import mesa

    from gemsim.model.collector import OutcomeCollector

    for regime in ("status_quo", "direct_fund", "hybrid"):
        model = CommunityModel(rng=4, **{**SMALL, "months": 14, "regime": regime})
        assert isinstance(model.datacollector, OutcomeCollector)
        assert isinstance(model.datacollector, mesa.DataCollector)
        plain = mesa.DataCollector({o.name: o.function for o in OUTCOMES})
        plain.collect(model)
        while model.running:
            model.step()
            plain.collect(model)
        for name in NAMES:
            ours, theirs = model.datacollector.model_vars[name], plain.model_vars[name]
            assert [type(v) for v in ours] == [type(v) for v in theirs], name
            assert ours == theirs, (regime, name)


def test_a_reporter_added_to_the_collector_is_collected_too():
    model = CommunityModel(rng=3, **{**SMALL, "months": 2})
    model.datacollector.model_reporters["steps_seen"] = lambda m: m.steps
    model.datacollector.model_vars["steps_seen"] = []
    while model.running:
        model.step()
    assert model.datacollector.model_vars["steps_seen"] == [1, 2]  # months 1 and 2
    assert len(model.datacollector.model_vars["participation"]) == 3  # months 0, 1, 2


def test_model_and_money_reporters_follow_the_kinds_of_the_declaration():
    kinds = {outcome.name: outcome.kind for outcome in OUTCOMES}
    assert all(kinds[name] == "outcome" for name in MODEL_REPORTERS)
    assert all(kinds[name] == "money" for name in MONEY_REPORTERS)
    assert {name for name, kind in kinds.items() if kind == "collective_type"} == {
        name for name in NAMES if name.startswith("collectives_")
    }


def test_the_analysis_describes_each_reporter_with_its_declaration():
    for outcome in OUTCOMES:
        assert describe(outcome.name) is outcome
    share = describe("trust_government")
    assert (share.scale, share.diff_unit) == (100.0, "percentage points")
    assert describe("level").label == "Level"  # an undeclared column still gets a name


def test_labels_load_without_mesa_or_the_model():
    code = (
        "import sys, json, gemsim.analysis.outcomes, gemsim.model.outcomes; "
        "print(json.dumps([m for m in ('mesa', 'scipy', 'gemsim.model.model') "
        "if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


# ------------------------------------------------------------------------ adding one
@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """A fresh interpreter with :data:`extra_outcome.EXTRA` declared: what a model run and
    the ODD table show, and the folder of a tiny stored experiment with its outputs."""
    out = tmp_path_factory.mktemp("extra") / "results"
    done = subprocess.run(
        [sys.executable, str(TESTS / "extra_outcome.py"), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1]), out


def test_the_added_outcome_is_not_declared_here():
    """Guards the tests below: the outcome they find was added by the one entry."""
    assert NAME not in NAMES
    assert NAME not in outcome_table_markdown()


def test_an_added_outcome_is_recorded_by_the_model(added):
    shown, _ = added
    assert shown["frame_columns"] == ["month", *NAMES, NAME]
    assert shown["frame_last"] == shown["direct_last"]
    assert NAME in shown["model_reporters"]
    assert shown["valid_output"]  # an experiment may list it under `outputs`


def test_an_added_outcome_is_in_the_summary(added):
    _, out = added
    summary = pd.read_csv(out / "summary.csv")
    rows = summary.loc[summary["outcome"] == NAME]
    assert set(rows["scenario"]) == {"status_quo", "groeiplan"}
    assert set(rows["label"]) == {EXTRA.label}
    assert rows["mean"].between(0, 1).all()


def test_an_added_outcome_is_in_the_report(added):
    _, out = added
    html = (out / "report.html").read_text(encoding="utf-8")
    tables = html[html.index("<h2>Every outcome</h2>") :]
    assert f"{EXTRA.label}<span class='sub'>{EXTRA.unit}</span>" in tables


def test_an_added_outcome_is_in_the_odd_table(added):
    shown, _ = added
    assert f"| `{NAME}` | {EXTRA.doc} | {EXTRA.title} |" in shown["odd_table"]
