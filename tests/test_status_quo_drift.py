"""benchmarks/status_quo_drift.py: the community stock column and ``--stock-factor``."""

import pytest
from benchmark_scripts import load_benchmark
from model_config import SMALL

from gemsim.model import spin_up


def test_community_stock_is_followed_month_by_month(monkeypatch):
    script = load_benchmark("status_quo_drift")
    settled = script.run(1, {**SMALL, "months": 12})
    assert len(settled) == 13 and (settled["community_stock"] > 0).all()
    monkeypatch.setattr(spin_up, "balance_factor", spin_up.balance_factor)  # undone after
    script.fixed_stock_factor(1.0)
    assert spin_up.balance_factor(0.02, 120) == 1.0
    built = script.run(1, {**SMALL, "months": 12})
    # Without the balance month 0 keeps what ten years built: a fifth of the balance.
    factor = 1 / (1 - 0.98**10)
    assert settled["community_stock"][0] == pytest.approx(
        factor * built["community_stock"][0], rel=0.01
    )
    # Below its balance, the built stock grows.
    assert built["community_stock"].iloc[-1] > built["community_stock"][0]
    script.fixed_stock_factor(0.0)
    assert script.run(1, {**SMALL, "months": 12})["community_stock"][0] == 0.0
