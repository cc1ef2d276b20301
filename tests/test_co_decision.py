"""benchmarks/co_decision.py: hybrid's co-decided order against the fund's order alone."""

import numpy as np
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
    assert all(r["other_collectives"] == 0 for r in off.binding)
    shares = [(r["below_threshold"], r["below_threshold_alone"]) for r in off.binding]
    np.testing.assert_equal(*zip(*shares, strict=True))  # NaN where a round grants nothing


def test_full_co_decision_grants_to_other_collectives():
    script = load_benchmark("co_decision")
    full = script.measure(
        "hybrid", range(1, 3), co_decision_mean=1.0, co_decision_sd=0.0, **SETTINGS
    )
    assert full.differ > 0
    assert sum(r["other_collectives"] for r in full.binding) > 0
    # Each order's grants come from the same round's money: never more grants than wanted.
    assert all(r["other_collectives"] <= r["grants"] for r in full.binding)
