"""The compiled municipal desk against the NumPy rule it compiles: the same bits, the same
ledger, the same draws."""

import copy

import numpy as np
import pytest
from model_config import ALL_STREAMS, SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import desk_month, municipality
from gemsim.model.collectives import MUNICIPAL, NO_CHANNEL
from gemsim.model.ledger import to_cents

COLUMNS = (
    "money",
    "grants_eur",
    "experience_local",
    "reporting_backlog",
    "grant_until",
    "app_channel",
    "last_decision",
)


def _scrambled(seed: int, rule: str) -> CommunityModel:
    """A model after a few months with many applications at the desk: due, overdue and not
    yet due, submitted in the same month (ties), more than the desk's capacity, and pots
    too small for some of them."""
    model = CommunityModel(rng=seed, **{**SMALL, "regime": "subsidy_channel", **ALL_STREAMS})
    for _ in range(3):
        model.step()
    model.params = model.params.replace(
        municipal_capacity_per_10k=1.5, municipal_approval_rule=rule
    )
    rng = np.random.default_rng(seed)
    table, n, month = model.collectives, model.collectives.size, model.current_month
    table.app_channel[:n] = np.where(rng.random(n) < 0.7, MUNICIPAL, NO_CHANNEL)
    table.app_due[:n] = month + rng.integers(-2, 2, n)
    table.app_submitted[:n] = month - rng.integers(1, 4, n)
    table.app_amount[:n] = rng.integers(100_000, 600_000, n)
    table.quality[:n] = rng.random(n)
    model.municipal_budgets._cents[:] = 3_000_000
    model.municipal_budgets._cents[0] = 150_000  # room for one grant at most
    return model


def _assert_same(actual: CommunityModel, expected: CommunityModel) -> None:
    for name in COLUMNS:
        a, b = getattr(actual.collectives, name), getattr(expected.collectives, name)
        assert a.tobytes() == b.tobytes(), name
    assert actual.municipal_budgets._cents.tobytes() == expected.municipal_budgets._cents.tobytes()
    assert actual.ledger.balance == expected.ledger.balance
    assert actual.ledger.flows == expected.ledger.flows
    assert actual.counts == expected.counts
    assert actual.rng.random() == expected.rng.random()  # the same draws


@pytest.mark.parametrize("rule", ["probabilistic", "ranked"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_desk_gives_the_numpy_bits(seed, rule):
    numpy_model = _scrambled(seed, rule)
    compiled_model = copy.deepcopy(numpy_model)
    before = numpy_model.counts.copy()
    municipality.decide_municipal_applications(numpy_model)
    desk_month.decide_municipal_applications(compiled_model)
    _assert_same(compiled_model, numpy_model)
    made = numpy_model.counts - before  # in this call:
    table = numpy_model.collectives
    assert made["municipal_grants"] > 0  # some granted,
    assert made["municipal_decisions"] > made["municipal_grants"]  # some not
    still_due = (table.app_channel == MUNICIPAL) & (table.app_due <= numpy_model.current_month)
    assert still_due[: table.size].any()  # the capacity bound


@pytest.mark.parametrize("rule", ["probabilistic", "ranked"])
@pytest.mark.parametrize("seed", [4, 5])
def test_the_compiled_money_side_gives_the_numpy_bits(seed, rule):
    numpy_model = _scrambled(seed, rule)
    pots = numpy_model.municipal_budgets._cents
    pots[0] = 5  # too little for the handling costs (the rest from the general budget)
    pots[1] = 1_000_000  # and, after them, room for a few grants
    table = numpy_model.collectives
    rows = np.flatnonzero(table.alive[: table.size])
    decided = np.random.default_rng(seed).permutation(rows)[: max(8, rows.size * 2 // 3)]
    decided = decided[np.argsort(table.municipality[decided], kind="stable")]
    compiled_model = copy.deepcopy(numpy_model)
    before = numpy_model.counts.copy()
    admin_before = numpy_model.ledger.balance["source:municipal_admin"]
    expected = municipality.grant_decided(numpy_model, decided)
    actual = desk_month.grant_decided(compiled_model, decided.copy())
    for a, b in zip(actual, expected, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    _assert_same(compiled_model, numpy_model)
    made = numpy_model.counts - before  # in this call: some granted, some refused for
    assert made["granted_cents_municipal"] > 0 and made["municipal_out_of_budget"] > 0  # money
    assert numpy_model.ledger.balance["source:municipal_admin"] < admin_before  # pot 0 short
    assert not expected[0].all()  # and some refused outright


@pytest.mark.parametrize("regime", ["status_quo", "subsidy_channel", "hybrid", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_desk(regime, monkeypatch):
    numpy_rules = {"decide_municipal_applications": municipality.decide_municipal_applications}
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, desk_month, numpy_rules, regime, seed=15
    )
    _assert_same(compiled, with_numpy)


def test_a_grant_that_exactly_empties_its_pot_is_paid():
    model = _scrambled(6, "ranked")
    table = model.collectives
    rows = np.flatnonzero(table.alive[: table.size] & (table.municipality[: table.size] == 1))
    decided = rows[:2]
    table.quality[decided] = 1.0  # both approved
    handling = int(to_cents(model.params.handling_cost_eur))
    model.municipal_budgets._cents[1] = 2 * handling + int(table.app_amount[decided[0]])
    numpy_model = copy.deepcopy(model)
    expected = municipality.grant_decided(numpy_model, decided)
    actual = desk_month.grant_decided(model, decided.copy())
    assert list(actual[1]) == list(expected[1]) == [decided[0]]  # the first fits exactly
    assert model.municipal_budgets._cents[1] == 0
    _assert_same(model, numpy_model)


class _Draws:
    """A stand-in for the model's generator whose uniform draws are given."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def random(self, size: int) -> np.ndarray:
        assert size == self.values.size
        return self.values.copy()


def _transfers(model: CommunityModel) -> list[tuple[str, str, int]]:
    """Record every ledger transfer of ``model`` from now on, in order."""
    calls: list[tuple[str, str, int]] = []
    transfer = model.ledger.transfer

    def recording(source: str, destination: str, cents: int) -> None:
        calls.append((source, destination, int(cents)))
        transfer(source, destination, cents)

    model.ledger.transfer = recording  # type: ignore[method-assign]
    return calls


@pytest.mark.parametrize("rule", ["probabilistic", "ranked"])
def test_the_money_side_at_its_edges(rule):
    """Quality exactly at the minimum (approved), draws exactly at the chance (refused),
    a handling cost with a fraction of a cent (rounded), a request of nothing, and the
    ledger's transfers called in the same order with the same amounts."""
    model = _scrambled(7, rule)
    model.params = model.params.replace(handling_cost_eur=123.456)
    table = model.collectives
    rows = np.flatnonzero(table.alive[: table.size])
    decided = rows[np.argsort(table.municipality[rows], kind="stable")][:10]
    table.quality[decided[:5]] = model.params.municipal_minimum_quality
    table.app_amount[decided[1]] = 0  # nothing asked (no rule sends it; granted alike)
    model.municipal_budgets._cents[:] = 10**9  # every approved grant fits
    numpy_model = copy.deepcopy(model)
    chance = municipality.approval_probability(
        table.quality[decided],
        model.params.municipal_approval_base,
        model.params.approval_quality_bias,
    )
    draws = np.where(np.arange(decided.size) % 2 == 0, chance, chance / 2)  # on and below
    model.rng = numpy_model.rng = _Draws(draws)  # type: ignore[assignment]
    calls, numpy_calls = _transfers(model), _transfers(numpy_model)
    expected = municipality.grant_decided(numpy_model, decided)
    actual = desk_month.grant_decided(model, decided.copy())
    for a, b in zip(actual, expected, strict=True):
        assert a.tobytes() == b.tobytes()
    assert calls == numpy_calls and len(calls) == 4
    assert calls[0][2] % 12_346 == 0  # handling: 123.456 EUR rounded to 12,346 cents each
    approved = expected[0]
    if rule == "ranked":
        assert approved[:5].all()  # at the minimum quality: approved
    else:
        assert not approved[::2].any() and approved[1::2].any()  # a draw at the chance fails
    for name in COLUMNS:
        a, b = getattr(model.collectives, name), getattr(numpy_model.collectives, name)
        assert a.tobytes() == b.tobytes(), name
    assert model.counts == numpy_model.counts
