"""The compiled citizens' month against the NumPy rules it compiles: the same bits."""

import copy

import numpy as np
import pytest
from model_config import ALL_STREAMS, SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import citizen_month, perception
from gemsim.model import citizens as rules
from gemsim.model.citizens import CitizenDraws, CitizenInputs
from gemsim.model.perception import InputSources, citizen_inputs
from gemsim.model.world import Network

COLUMNS = (
    "trust_local",
    "trust_national",
    "social_trust",
    "motivation",
    "threshold",
    "state",
    "wellbeing",
)


def _assert_same_bits(actual, expected):
    for name in COLUMNS:
        a, b = getattr(actual, name), getattr(expected, name)
        assert a.dtype == b.dtype, name
        assert a.tobytes() == b.tobytes(), f"{name} differs"


def _random_inputs(n: int, rng: np.random.Generator) -> CitizenInputs:
    """Signed own experiences with exact and negative zeros, everything else random."""
    values = {}
    for field in CitizenInputs.__dataclass_fields__:
        column = rng.normal(0.0, 0.5, n) * (rng.random(n) < 0.3)
        column[rng.random(n) < 0.1] = -0.0
        values[field] = column if field.startswith("own") else np.abs(column)
    values["own_national"][:] = 0.0  # nobody had this experience: the product is skipped
    return CitizenInputs(**values)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_month_gives_the_numpy_rules_bits_on_random_inputs(seed):
    model = CommunityModel(rng=seed, **{**SMALL, "regime": "hybrid", **ALL_STREAMS})
    rng = np.random.default_rng(seed)
    n = model.citizens.size
    # Some citizens without contacts: their contacts' mean is their own value.
    keep = rng.random(n) > 0.02
    network = model.region.network
    degree = np.diff(network.indptr)
    kept = np.repeat(keep, degree)
    indptr = np.concatenate([[0], np.cumsum(np.where(keep, degree, 0))]).astype(np.int32)
    sparse = Network(indptr, network.indices[kept])
    assert sparse.isolated.any()
    numpy_state, compiled_state = (copy.deepcopy(model.citizens) for _ in range(2))
    for _ in range(6):
        inputs = _random_inputs(n, rng)
        draws = CitizenDraws.draw(rng, n)
        rules.monthly_update(numpy_state, inputs, draws, sparse, model.params)
        citizen_month.monthly_update(compiled_state, inputs, draws, sparse, model.params)
        _assert_same_bits(compiled_state, numpy_state)
    assert not np.array_equal(compiled_state.state, model.citizens.state)  # states moved


@pytest.mark.parametrize("regime", ["subsidy_channel", "hybrid", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_rules(regime, monkeypatch):
    numpy_rules = {
        "monthly_update": rules.monthly_update,
        "gather_inputs": perception.gather_inputs,
    }
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, citizen_month, numpy_rules, regime, seed=11
    )
    _assert_same_bits(compiled.citizens, with_numpy.citizens)


def test_the_month_reads_the_inputs_the_model_computes():
    model = CommunityModel(rng=4, **{**SMALL, "regime": "hybrid", **ALL_STREAMS})
    for _ in range(14):
        model.step()
    zeros = np.zeros_like(model.stock)
    inputs = citizen_inputs(model, zeros, np.zeros(model.region.n_neighbourhoods))
    draws = CitizenDraws.draw(np.random.default_rng(0), model.citizens.size)
    numpy_state, compiled_state = (copy.deepcopy(model.citizens) for _ in range(2))
    network, params = model.region.network, model.params
    rules.monthly_update(numpy_state, inputs, draws, network, params)
    citizen_month.monthly_update(compiled_state, inputs, draws, network, params)
    _assert_same_bits(compiled_state, numpy_state)


def _random_sources(n: int, rows: int, buurten: int, rng: np.random.Generator, fair: bool):
    """Signed decisions with exact and negative zeros, grants running or ended."""

    def signed(size: int) -> np.ndarray:
        values = rng.normal(0.0, 0.5, size) * (rng.random(size) < 0.5)
        values[rng.random(size) < 0.2] = -0.0
        return values

    return InputSources(
        local_by_row=signed(rows),
        experience_fund=signed(rows),
        experience_local=signed(rows),
        controlling=rng.random(rows) * (rng.random(rows) < 0.5),
        grant_until=rng.integers(0, 40, rows),
        month=20,
        exposure_share=0.4,
        fund_attribution_national=0.25,
        municipal_attribution_national=0.3,
        heard_local_positive=rng.random(buurten),
        heard_local_negative=rng.random(buurten),
        heard_national_positive=rng.random(buurten),
        heard_national_negative=rng.random(buurten),
        seen=signed(buurten),
        fair=rng.random(n) * (rng.random(n) < 0.3) if fair else None,
        efficacy=signed(buurten),
        needs_change=signed(buurten),
        ownership=rng.random(buurten),
    )


@pytest.mark.parametrize("fair", [False, True])
def test_the_compiled_gathering_gives_the_numpy_bits_on_random_sources(fair):
    rng = np.random.default_rng(5)
    n, rows, buurten = 3_000, 120, 25
    collective = np.where(rng.random(n) < 0.4, rng.integers(0, rows, n), -1)
    neighbourhood = rng.integers(0, buurten, n)
    sources = _random_sources(n, rows, buurten, rng, fair)
    expected = perception.gather_inputs(collective, neighbourhood, sources)
    actual = citizen_month.gather_inputs(collective, neighbourhood, sources)
    for field in CitizenInputs.__dataclass_fields__:
        a, b = getattr(actual, field), getattr(expected, field)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), f"{field} differs"
    assert np.signbit(expected.own_local).any()  # negative zeros were passed on


@pytest.mark.parametrize("seed", [1, 2])
def test_the_compiled_fairness_gives_the_numpy_bits(seed):
    model = CommunityModel(rng=seed, **{**SMALL, "regime": "hybrid", **ALL_STREAMS})
    rng = np.random.default_rng(seed)
    n_b = model.region.n_neighbourhoods
    # Some citizens without contacts, buurten with no co-decision, signed zeros.
    keep = rng.random(model.citizens.size) > 0.02
    network = model.region.network
    degree = np.diff(network.indptr)
    indptr = np.concatenate([[0], np.cumsum(np.where(keep, degree, 0))]).astype(np.int32)
    sparse = Network(indptr, network.indices[np.repeat(keep, degree)])
    fairness = rng.random(n_b) * (rng.random(n_b) < 0.5)
    fairness[rng.random(n_b) < 0.2] = -0.0
    for signal in (0.0, 0.3):
        params = model.params.replace(procedural_fairness_signal=signal)
        expected = perception.procedural_fairness(model.citizens, fairness, sparse, params)
        actual = citizen_month.procedural_fairness(model.citizens, fairness, sparse, params)
        assert actual.tobytes() == expected.tobytes()
    assert (expected != 0).any() and sparse.isolated.any()


def test_a_hybrid_run_with_co_decision_is_the_same_with_the_numpy_fairness(monkeypatch):
    calls = []

    def numpy_rule(c, fairness, network, params):
        fair = perception.procedural_fairness(c, fairness, network, params)
        calls.append(fair.any())  # someone took part: the contacts' means were added
        return fair

    numpy_rules = {"procedural_fairness": numpy_rule}
    runs_with_numpy_rules(monkeypatch, citizen_month, numpy_rules, "hybrid", seed=13)
    assert any(calls)  # buurten co-decided and residents took part


def _random_signal_inputs(seed: int, has_fund: bool) -> perception.DecisionInputs:
    """Living rows among a table's capacity, in several buurten (one with none), with
    zero, signed-zero and NaN experiences and co-decisions of 0 and above."""
    rng = np.random.default_rng(seed)
    capacity, buurten = 60, 7
    rows = np.sort(rng.choice(capacity, 40, replace=False))
    buurt_of_row = rng.choice(np.array([0, 1, 2, 4, 5, 6]), rows.size)  # buurt 3: none
    experience_local = rng.choice([0.0, -0.0, 1.0, -0.4, 0.3], capacity) * rng.random(capacity)
    experience_fund = rng.choice([0.0, -0.0, 1.0, -0.7, 0.2], capacity) * rng.random(capacity)
    experience_fund[rows[0]] = np.nan
    co_decision = np.where(rng.random(rows.size) < 0.3, 0.0, rng.random(rows.size))
    fairness = rng.choice([0.0, -0.0, 0.5], buurten)
    improvement = rng.random(buurten)
    weights = tuple(float(w) for w in rng.random(6))
    return perception.DecisionInputs(
        rows,
        buurt_of_row,
        co_decision,
        experience_local,
        experience_fund,
        fairness,
        improvement,
        capacity,
        has_fund,
        weights,
    )


@pytest.mark.parametrize("has_fund", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_decision_signals_give_the_numpy_bits(seed, has_fund):
    inputs = _random_signal_inputs(seed, has_fund)
    numpy_inputs = copy.deepcopy(inputs)
    expected = perception.decision_signals(numpy_inputs)
    actual = citizen_month.decision_signals(inputs)
    assert len(actual) == len(expected) == 7
    for a, b in zip(actual, expected, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    fairness = inputs.fairness
    assert fairness.tobytes() == numpy_inputs.fairness.tobytes()  # raised in place alike
    assert (fairness != _random_signal_inputs(seed, has_fund).fairness).any() == has_fund


@pytest.mark.parametrize("regime", ["subsidy_channel", "hybrid"])
def test_a_whole_run_is_the_same_with_the_numpy_decision_signals(regime, monkeypatch):
    numpy_rules = {"decision_signals": perception.decision_signals}
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, citizen_month, numpy_rules, regime, seed=17
    )
    _assert_same_bits(compiled.citizens, with_numpy.citizens)
    assert compiled.perception.efficacy.tobytes() == with_numpy.perception.efficacy.tobytes()
