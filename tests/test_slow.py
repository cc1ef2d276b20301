"""Slow tests (``python -m pytest -m slow``): full-scale runs."""

import time

import pytest

from gemsim import CommunityModel, load_scenario

pytestmark = pytest.mark.slow


def test_the_netherlands_at_one_to_a_hundred_runs_within_a_minute_and_conserves_money():
    started = time.perf_counter()
    model = CommunityModel(load_scenario("netherlands"), rng=1)
    assert model.region.n_municipalities == 342
    assert model.region.n_neighbourhoods == 13_808
    assert 160_000 < model.citizens.size < 190_000
    frame = model.run()  # the ledger is checked every month inside step()
    assert time.perf_counter() - started < 60
    first, last = frame.iloc[0], frame.iloc[-1]
    assert first["trust_government"] == pytest.approx(0.506, abs=0.02)
    assert first["participation"] == pytest.approx(0.49, abs=0.02)
    for name in ("trust_government", "participation", "neighbourhoods_in_order"):
        assert 0 <= last[name] <= 1
    assert last["funds_disbursed_eur"] > 0
    # The whole country: 13,808 buurten x 1,261 inhabitants (CBS 2020) = 17.4M of 17.9M.
    assert model.population_share == pytest.approx(17.41 / 17.9, abs=0.02)
