"""benchmarks/co_decision.py: hybrid's co-decided order against the fund's order alone."""

from benchmark_scripts import load_benchmark
from model_config import SMALL

from gemsim import load_scenario
from gemsim.model import fund
from gemsim.model.model import CommunityModel

SETTINGS = {**SMALL, "months": 36}


def test_counting_leaves_the_run_unchanged(monkeypatch):
    rounds = load_benchmark("co_decision").Rounds()
    monkeypatch.setattr(fund, "decision_order", rounds.order(fund.decision_order))
    monkeypatch.setattr(fund, "grouped_fits", rounds.fits(fund.grouped_fits))
    counted = CommunityModel(load_scenario("hybrid"), rng=1, **SETTINGS).run()
    monkeypatch.undo()
    plain = CommunityModel(load_scenario("hybrid"), rng=1, **SETTINGS).run()
    assert counted.equals(plain)
    assert rounds.rounds > 0 and rounds.differ > 0


def test_without_co_decision_the_orders_agree():
    script = load_benchmark("co_decision")
    off = script.measure(
        "hybrid", range(1, 3), co_decision_mean=0.0, co_decision_sd=0.0, **SETTINGS
    )
    assert off.rounds > 0 and off.binding  # money binds, so a reordering could matter
    assert off.differ == 0
    result = script.summary(off)
    assert result["other_collectives"] == result["left_out"] == 0
    assert result["grants"] == result["grants_alone"]
    assert result["below_per_grant"] == result["below_per_grant_alone"]


def test_full_co_decision_grants_to_other_collectives():
    script = load_benchmark("co_decision")
    full = script.measure(
        "hybrid", range(1, 3), co_decision_mean=1.0, co_decision_sd=0.0, **SETTINGS
    )
    assert full.differ > 0
    result = script.summary(full)
    assert result["other_collectives"] > 0
    # Both orders spend the same round's money: what one grants beyond the other's grants
    # is what the other grants beyond its own, less the difference in their counts.
    assert result["grants"] - result["other_collectives"] == (
        result["grants_alone"] - result["left_out"]
    )
    assert 0 <= result["binding_without_grants"] <= result["binding"] <= result["rounds"]
