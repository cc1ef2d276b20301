"""The compiled spin-up controller against the NumPy rule it compiles: the same bits."""

import numpy as np
import pytest
from model_config import SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import spin_up, spin_up_month
from gemsim.model.arrays import weighted_cuts
from gemsim.model.world import Network


def _same_cuts(values: np.ndarray, weight: np.ndarray, shares: tuple[float, ...]) -> list[float]:
    """The compiled cuts (or their fallback), asserted equal to the NumPy rule's to the bit
    (the sign of zero too)."""
    expected = weighted_cuts(values, weight, shares)
    actual = spin_up_month.weighted_cuts(values, weight, shares)
    assert np.array(expected).tobytes() == np.array(actual).tobytes(), (expected, actual)
    return expected


def _compiled(values: np.ndarray, weight: np.ndarray, shares: tuple[float, ...]) -> bool:
    """Whether the compiled cuts answer for these values (no fallback)."""
    targets = np.array([share - 1e-12 for share in shares])
    return spin_up_month._cuts(values, weight, float(weight.sum()), targets).size > 0


@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_cuts_give_the_numpy_bits(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3_000))
    weight = rng.choice([1.0, 0.7, 2.3, 19.97], n) * rng.uniform(0.5, 2.0)
    shares = (0.0, float(rng.random()), float(rng.random()), 1.0, 1.5)  # 1.5: never reached
    gaps = rng.normal(0.0, 0.3, n)
    _same_cuts(gaps, weight, shares)
    assert _compiled(gaps, weight, shares)
    ties = np.round(rng.normal(0.0, 0.3, n), 2)  # many equal values, whole buckets of them
    ties[rng.random(n) < 0.1] = -0.0
    ties[rng.random(n) < 0.1] = 0.0
    _same_cuts(ties, weight, shares)
    outlier = rng.normal(0.0, 0.3, n)
    outlier[0] = -1e6  # one far value: almost everything in the first bucket
    _same_cuts(outlier, weight, shares)
    infinite = rng.normal(0.0, 0.3, n)
    infinite[-1] = np.inf  # no finite span: one bucket
    _same_cuts(infinite, weight, shares)
    _same_cuts(np.full(n, 0.25), weight, shares)  # all equal
    if n > 200:  # one bucket with most values: the NumPy rule answers
        assert not _compiled(outlier, weight, shares) and not _compiled(infinite, weight, shares)


@pytest.mark.parametrize("seed", range(4))
def test_shares_on_the_running_shares_boundaries(seed):
    """Target shares that land exactly on a running share (share - 1e-12 equal to it) and
    one or two ulps on either side: the first value reaching it, as the NumPy rule finds."""
    rng = np.random.default_rng(seed)
    n = 300
    values = rng.normal(0.0, 0.3, n)
    weight = rng.choice([1.0, 0.7, 2.3, 19.97], n)
    order = np.argsort(-values, kind="stable")
    running = np.cumsum(weight[order]) / weight.sum()
    shares = []
    for k in rng.choice(n, 20, replace=False):
        share = running[k] + 1e-12
        while share - 1e-12 < running[k]:
            share = np.nextafter(share, np.inf)
        while share - 1e-12 > running[k]:
            share = np.nextafter(share, -np.inf)
        if share - 1e-12 == running[k]:
            shares.extend(float(s) for s in (share, *np.nextafter(share, [np.inf, -np.inf])))
            shares.append(float(np.nextafter(np.nextafter(share, -np.inf), -np.inf)))
    assert len(shares) >= 20
    assert _compiled(values, weight, tuple(shares))
    _same_cuts(values, weight, tuple(shares))


def test_signed_zeros_tie_in_citizen_order():
    values = np.array([0.0, -0.0, -0.0, 0.0, 0.0, 1.0])
    # Largest first, then the zeros in index order: +0 (0), -0 (1), -0 (2), +0 (3), +0 (4).
    cuts = _same_cuts(values, np.ones(6), tuple(k / 6 for k in range(2, 7)))
    assert [bool(np.signbit(cut)) for cut in cuts] == [False, True, True, False, False]


def test_a_share_never_reached_gives_the_last_value_of_the_order():
    # The smallest values are zeros of both signs: the last in citizen order is -0.0.
    values, weight = np.array([1.0, -0.0, 0.0, -0.0]), np.ones(4)
    assert _compiled(values, weight, (2.0,))
    (cut,) = _same_cuts(values, weight, (2.0,))
    assert np.signbit(cut)
    assert not np.signbit(_same_cuts(np.array([1.0, -0.0, 0.0]), np.ones(3), (2.0,))[0])


def test_a_large_group_of_signed_zeros_keeps_citizen_order():
    rng = np.random.default_rng(7)
    values = rng.normal(0.0, 0.3, 2_000)
    zeros = rng.choice(2_000, 100, replace=False)  # one bucket of 100, sorted by mergesort
    values[zeros] = np.where(rng.random(100) < 0.5, -0.0, 0.0)
    above = np.count_nonzero(values > 0) / 2_000
    shares = tuple(above + k / 2_000 for k in range(1, 100, 3))  # cuts among the zeros
    assert _compiled(values, np.ones(2_000), shares)
    cuts = _same_cuts(values, np.ones(2_000), shares)
    assert {cut for cut in cuts} == {0.0} and len({bool(np.signbit(c)) for c in cuts}) == 2


def _scrambled(seed: int) -> CommunityModel:
    """A built model with scrambled citizens (ties in thresholds, signed zeros) on a network
    with isolated citizens."""
    model = CommunityModel(rng=seed, **SMALL)
    rng = np.random.default_rng(seed)
    c, n = model.citizens, model.citizens.size
    c.state = rng.integers(0, 4, n).astype(c.state.dtype)
    c.motivation = rng.random(n)
    c.threshold = np.round(rng.normal(0.5, 0.3, n), 1)
    c.threshold[rng.random(n) < 0.1] = -0.0
    model.perception.efficacy = rng.random(model.perception.efficacy.size)
    degree = rng.integers(0, 9, n)
    degree[rng.random(n) < 0.1] = 0  # isolated: their own participation counts
    indptr = np.concatenate([[0], np.cumsum(degree)])
    model.region.network = Network(indptr=indptr, indices=rng.integers(0, n, indptr[-1]))
    return model


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_willingness_cuts_give_the_numpy_bits(seed):
    model = _scrambled(seed)
    assert model.region.network.isolated.any()
    for shares in ((0.4, 0.2), (0.0, 1.0), (0.9999, 0.5)):
        expected = spin_up.willingness_cuts(model, shares)
        actual = spin_up_month.willingness_cuts(model, shares)
        assert np.array(expected).tobytes() == np.array(actual).tobytes()


def test_gaps_with_nan_go_to_the_numpy_rule():
    # NaN sorts last in the NumPy rule's order; the buckets cannot place it.
    values, weight = np.array([np.nan, 1.0]), np.ones(2)
    assert np.isnan(spin_up_month._cuts(values, weight, 2.0, np.array([-1e-12]))[0])
    assert _same_cuts(values, weight, (0.0,)) == [1.0]
    model = _scrambled(4)
    model.citizens.threshold[[3, 7]] = np.nan
    for shares in ((0.4, 0.999), (0.0, 1.0)):
        expected = spin_up.willingness_cuts(model, shares)
        actual = spin_up_month.willingness_cuts(model, shares)
        assert np.array(expected).tobytes() == np.array(actual).tobytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_gaps_give_the_numpy_bits(seed):
    model = _scrambled(seed)
    gaps = spin_up_month.willingness_gap(model)
    assert gaps.tobytes() == spin_up.willingness_gap(model).tobytes()


@pytest.mark.parametrize("regime", ["status_quo", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_controller(regime, monkeypatch):
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, spin_up_month, {"willingness_cuts": spin_up.willingness_cuts}, regime, 5
    )
    assert compiled.spin_up.threshold_shift == with_numpy.spin_up.threshold_shift != 0.0
    assert compiled.citizens.threshold.tobytes() == with_numpy.citizens.threshold.tobytes()
    assert compiled.citizens.state.tobytes() == with_numpy.citizens.state.tobytes()
