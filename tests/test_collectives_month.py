"""The compiled operating month, applications and project work against the NumPy rules
they compile: the same bits, the same ledger, the same draws."""

import copy

import numpy as np
import pytest
from model_config import ALL_STREAMS, SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import collectives, collectives_month
from gemsim.model.collectives import (
    COLLECTIVES_ACCOUNT,
    FULL_PROVISION,
    MONTHLY_COST,
    NO_CHANNEL,
)

COLUMNS = (
    "money",
    "months_short",
    "months_without_members",
    "project_category",
    "project_remaining",
    "stock_made",
    "quality",
    "app_channel",
    "app_amount",
    "app_submitted",
    "app_due",
)


def _scrambled(seed: int) -> CommunityModel:
    """A model after a few months, its collectives scrambled: money from none to plenty
    (some short of their costs), hours from none to more than needed, collectives without
    members, projects with remainders near the end and below the minimum application,
    categories near full provision, applications capped by a running grant and by the
    money to match them."""
    model = CommunityModel(rng=seed, **{**SMALL, "regime": "hybrid", **ALL_STREAMS})
    for _ in range(3):
        model.step()
    rng = np.random.default_rng(seed)
    table, n = model.collectives, model.collectives.size
    cost_cents = (MONTHLY_COST[table.kind[:n]] * 100).astype(np.int64)
    table.money[:n] = (cost_cents * rng.choice([0.0, 0.001, 0.5, 1.0, 3.0, 40.0], n)).astype(
        np.int64
    )
    table.hours[:n] = rng.choice([0.0, 1.0, 30.0, 500.0], n) * rng.random(n)
    table.members[:n] *= rng.random(n) < 0.7
    table.project_category[:n] = np.where(rng.random(n) < 0.8, rng.integers(0, 8, n), -1)
    table.project_remaining[:n] = rng.choice([0.005, 0.02, 300.0, 5e4], n)
    table.project_remaining[table.project_category < 0] = 0.0
    model.stock[rng.random(model.stock.shape) < 0.2] = FULL_PROVISION - 1e-9
    # Requests capped while a grant runs, and an own contribution for the fund as well.
    model.params = model.params.replace(
        concurrent_funding_share=0.5, fund_own_contribution_share=0.2
    )
    month = model.current_month
    table.app_channel[:n] = np.where(rng.random(n) < 0.8, NO_CHANNEL, table.app_channel[:n])
    table.last_decision[:n] = month - rng.integers(0, 8, n)
    table.grant_until[:n] = month + rng.integers(-3, 4, n)
    # Large requests: three with a cent to match them, three with a month's costs above
    # their reserve.
    poor, able = np.flatnonzero(table.alive[:n])[:3], np.flatnonzero(table.alive[:n])[3:6]
    for rows in (poor, able):
        table.members[rows] = np.maximum(table.members[rows], 1)
        table.app_channel[rows], table.grant_until[rows] = NO_CHANNEL, month - 1
        table.last_decision[rows], table.hours[rows] = month - 100, 10.0
        table.project_category[rows], table.project_remaining[rows] = 0, 5e4
    table.money[poor] = 1
    reserve = model.params.operating_reserve_months + 2  # months of costs, after this one
    table.money[able] = (reserve * MONTHLY_COST[table.kind[able]] * 100).astype(np.int64)
    model.ledger.balance[COLLECTIVES_ACCOUNT] = int(table.money[:n].sum())  # what they hold
    return model


def _assert_same(actual: CommunityModel, expected: CommunityModel) -> None:
    for name in COLUMNS:
        a, b = getattr(actual.collectives, name), getattr(expected.collectives, name)
        assert a.tobytes() == b.tobytes(), name
    for name in ("stock", "community_stock", "owned_stock"):
        assert getattr(actual, name).tobytes() == getattr(expected, name).tobytes(), name
    assert actual.ledger.balance == expected.ledger.balance
    assert actual.ledger.flows == expected.ledger.flows
    assert actual.counts == expected.counts
    assert actual.rng.random() == expected.rng.random()  # the same draws


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_compiled_operating_month_and_projects_give_the_numpy_bits(seed):
    numpy_model = _scrambled(seed)
    compiled_model = copy.deepcopy(numpy_model)
    collectives.operate_collectives(numpy_model)
    collectives_month.operate_collectives(compiled_model)
    _assert_same(compiled_model, numpy_model)
    expected = collectives.run_projects(numpy_model)
    gain = collectives_month.run_projects(compiled_model)
    assert gain.tobytes() == expected.tobytes()
    _assert_same(compiled_model, numpy_model)
    before = numpy_model.counts.copy()
    collectives.apply_for_funding(numpy_model)
    collectives_month.apply_for_funding(compiled_model)
    _assert_same(compiled_model, numpy_model)
    table = numpy_model.collectives
    assert (table.months_short[: table.size] > 0).any()  # some could not pay in full
    assert (expected > 0).any()  # projects moved
    made = numpy_model.counts - before
    assert made["applications"] > 0 and made["discouraged"] > 0  # in this call


@pytest.mark.parametrize("regime", ["status_quo", "subsidy_channel", "hybrid", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_operating_month(regime, monkeypatch):
    names = ("operate_collectives", "apply_for_funding", "run_projects")
    numpy_rules = {name: getattr(collectives, name) for name in names}
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, collectives_month, numpy_rules, regime, seed=14
    )
    _assert_same(compiled, with_numpy)
