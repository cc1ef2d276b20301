"""The compiled spin-up controller against the NumPy rule it compiles: the same bits."""

import numpy as np
import pytest
from model_config import SMALL, runs_with_numpy_rules

from gemsim import CommunityModel
from gemsim.model import spin_up, spin_up_month
from gemsim.model.arrays import weighted_cuts
from gemsim.model.world import Network


def _same_cuts(values: np.ndarray, weight: np.ndarray, shares: tuple[float, ...]) -> list[float]:
    """The compiled cuts, asserted equal to the NumPy rule's to the bit (sign of zero too)."""
    expected = weighted_cuts(values, weight, shares)
    targets = np.array([share - 1e-12 for share in shares])
    actual = spin_up_month._cuts(values, weight, float(weight.sum()), targets)
    assert np.array(expected).tobytes() == actual.tobytes(), (expected, actual)
    return expected


@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_cuts_give_the_numpy_bits(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3_000))
    weight = rng.choice([1.0, 0.7, 2.3, 19.97], n) * rng.uniform(0.5, 2.0)
    shares = (0.0, float(rng.random()), float(rng.random()), 1.0, 1.5)  # 1.5: never reached
    _same_cuts(rng.normal(0.0, 0.3, n), weight, shares)
    ties = np.round(rng.normal(0.0, 0.3, n), 2)  # many equal values, whole buckets of them
    ties[rng.random(n) < 0.2] = -0.0
    ties[rng.random(n) < 0.2] = 0.0
    _same_cuts(ties, weight, shares)
    outlier = rng.normal(0.0, 0.3, n)
    outlier[0] = -1e6  # one far value: almost everything in the first bucket
    _same_cuts(outlier, weight, shares)
    infinite = rng.normal(0.0, 0.3, n)
    infinite[-1] = np.inf  # no finite span: one bucket, sorted whole
    _same_cuts(infinite, weight, shares)
    _same_cuts(np.full(n, 0.25), weight, shares)  # all equal


def test_signed_zeros_tie_in_citizen_order():
    values = np.array([0.0, -0.0, -0.0, 0.0, 0.0, 1.0])
    # Largest first, then the zeros in index order: +0 (0), -0 (1), -0 (2), +0 (3), +0 (4).
    cuts = _same_cuts(values, np.ones(6), tuple(k / 6 for k in range(2, 7)))
    assert [bool(np.signbit(cut)) for cut in cuts] == [False, True, True, False, False]


def test_a_large_group_of_signed_zeros_keeps_citizen_order():
    rng = np.random.default_rng(7)
    values = np.where(rng.random(400) < 0.5, -0.0, 0.0)  # one bucket, sorted whole
    values[:5] = [3.0, 2.0, 1.0, -1.0, -2.0]
    cuts = _same_cuts(values, np.ones(400), tuple(k / 400 for k in range(5, 398, 3)))
    assert len({bool(np.signbit(cut)) for cut in cuts}) == 2


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
    model = _scrambled(4)
    model.citizens.threshold[[3, 7]] = np.nan
    shares = (0.4, 0.999)
    expected = spin_up.willingness_cuts(model, shares)
    assert (
        np.array(expected).tobytes()
        == np.array(spin_up_month.willingness_cuts(model, shares)).tobytes()
    )


@pytest.mark.parametrize("regime", ["status_quo", "direct_fund"])
def test_a_whole_run_is_the_same_with_the_numpy_controller(regime, monkeypatch):
    compiled, with_numpy = runs_with_numpy_rules(
        monkeypatch, spin_up_month, {"willingness_cuts": spin_up.willingness_cuts}, regime, 5
    )
    assert compiled.spin_up.threshold_shift == with_numpy.spin_up.threshold_shift != 0.0
    assert compiled.citizens.threshold.tobytes() == with_numpy.citizens.threshold.tobytes()
    assert compiled.citizens.state.tobytes() == with_numpy.citizens.state.tobytes()
