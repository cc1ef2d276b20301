"""The compiled membership month against the NumPy rules it compiles: the same bits and
the same draws."""

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from model_config import ALL_STREAMS, SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import collectives, membership_month
from gemsim.model.citizens import ACTIVE, INITIATOR, OCCASIONAL, volunteer_hours

TABLE_COLUMNS = ("members", "hours", "mean_member_ses")


def _numpy_count(model) -> np.ndarray:
    c, params = model.citizens, model.params
    hours = volunteer_hours(
        c.state, c.free_time, params.active_volunteer_hours, params.occasional_volunteer_hours
    )
    collectives.count_members(model, hours)
    return hours


def _scrambled(seed: int) -> SimpleNamespace:
    """A model's state after a few months, then scrambled: random states and memberships
    (some in dissolved collectives, initiators among them), several collectives to a buurt
    with tied member counts, buurten without a living collective, free time equal to the
    hours or a signed zero."""
    model = CommunityModel(rng=seed, **{**SMALL, "regime": "hybrid", **ALL_STREAMS})
    for _ in range(3):
        model.step()
    rng = np.random.default_rng(seed)
    c, table = copy.deepcopy(model.citizens), copy.deepcopy(model.collectives)
    n, rows = c.size, table.size
    c.state[:] = rng.integers(0, INITIATOR + 1, n)
    c.collective[:] = np.where(rng.random(n) < 0.5, rng.integers(0, rows, n), -1)
    table.alive[:rows] = rng.random(rows) < 0.7
    table.neighbourhood[:rows] = rng.integers(0, 6, rows)  # several to a buurt
    table.alive[:rows] &= table.neighbourhood[:rows] != 0  # a buurt without one
    table.members[:rows] = rng.integers(0, 4, rows)
    hours = np.array([0.0, model.params.occasional_volunteer_hours])
    c.free_time[:] = np.where(rng.random(n) < 0.2, rng.choice(hours, n), c.free_time)
    c.free_time[rng.random(n) < 0.05] = -0.0
    return SimpleNamespace(citizens=c, collectives=table, region=model.region, params=model.params)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_compiled_membership_gives_the_numpy_bits_and_draws(seed):
    numpy_model, compiled_model = (copy.deepcopy(_scrambled(seed)) for _ in range(2))
    for model in (numpy_model, compiled_model):
        model.rng = np.random.default_rng(99)
    gone = ~numpy_model.collectives.alive[np.maximum(numpy_model.citizens.collective, 0)]
    assert (gone & (numpy_model.citizens.state == INITIATOR)).any()

    collectives.update_membership(numpy_model)
    membership_month.update_membership(compiled_model)
    for name in ("collective", "state"):
        expected = getattr(numpy_model.citizens, name)
        assert getattr(compiled_model.citizens, name).tobytes() == expected.tobytes(), name
    drawn = compiled_model.rng.random()
    assert drawn == numpy_model.rng.random()  # the same draws,
    assert drawn != np.random.default_rng(99).random()  # and the newcomers were shuffled

    expected_hours = _numpy_count(numpy_model)
    hours = membership_month.count_members(compiled_model)
    assert hours.dtype == expected_hours.dtype and hours.tobytes() == expected_hours.tobytes()
    for name in TABLE_COLUMNS:
        expected = getattr(numpy_model.collectives, name)
        assert getattr(compiled_model.collectives, name).tobytes() == expected.tobytes(), name
    joined = (compiled_model.citizens.collective >= 0) & (compiled_model.citizens.state >= ACTIVE)
    assert joined.any() and (compiled_model.collectives.members > 0).any()
    assert (
        compiled_model.citizens.state[compiled_model.citizens.collective >= 0] > OCCASIONAL
    ).all()


@pytest.mark.parametrize("regime", ["subsidy_channel", "hybrid", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_membership(regime, monkeypatch):
    numpy_rules = {
        "update_membership": collectives.update_membership,
        "count_members": _numpy_count,
    }
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, membership_month, numpy_rules, regime, seed=12
    )
    for name in ("collective", "state"):
        expected = getattr(with_numpy.citizens, name)
        assert getattr(compiled.citizens, name).tobytes() == expected.tobytes(), name
    for name in TABLE_COLUMNS:
        expected = getattr(with_numpy.collectives, name)
        assert getattr(compiled.collectives, name).tobytes() == expected.tobytes(), name
    assert compiled._citizen_hours.tobytes() == with_numpy._citizen_hours.tobytes()
