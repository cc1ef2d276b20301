"""The Sobol' design's pairing of A's and B's columns (gemsim.sensitivity.sobol_design)."""

import warnings

import numpy as np
import pytest
from benchmark_scripts import load_benchmark
from SALib.sample import sobol as salib_sobol

from gemsim.sensitivity import Factor, Problem, sample_design
from gemsim.sensitivity.design_balance import design_balance
from gemsim.sensitivity.sobol_design import balanced_pairing, saltelli_design

MIXED = Problem(
    (
        *(Factor(f"x{i}", -1.0, 2.0 + i) for i in range(6)),
        Factor("ln", 0.0, 0.5, dist="lognorm"),
        Factor("k", 1, 5, kind="int"),
        Factor.categorical("c", ("a", "b", "c")),
    ),
    outputs=("y",),
)


@pytest.mark.parametrize("second_order", [False, True])
@pytest.mark.parametrize("n, seed", [(1, 0), (8, 5), (12, 2**40 + 3), (33, 7)])
def test_salib_pairing_is_salibs_design_bit_for_bit(second_order: bool, n: int, seed: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n not a power of two: both warn
        for problem in (MIXED, MIXED.with_noise_dummy("noise_floor")):
            expected = salib_sobol.sample(
                problem.to_salib(), n, calc_second_order=second_order, scramble=True, seed=seed
            )
            got = saltelli_design(problem, n, seed, calc_second_order=second_order, pairing="salib")
            assert np.array_equal(got, expected)


def test_balanced_design_has_the_same_points_with_b_columns_reassigned():
    """On unit-uniform factors (no scaling): A is SALib's A, B's column i is SALib's B
    column ``pairing[i]``, and the A_B / B_A rows swap exactly one column."""
    dims = 9
    unit = Problem(tuple(Factor(f"u{i}", 0.0, 1.0) for i in range(dims)), outputs=("y",))
    pairing = balanced_pairing(dims)
    assert sorted(pairing) == list(range(dims)) and pairing != tuple(range(dims))
    per = 2 * dims + 2
    salib = saltelli_design(unit, 16, 3, pairing="salib", calc_second_order=True)
    rows = saltelli_design(unit, 16, 3, calc_second_order=True).reshape(16, per, dims)
    assert np.array_equal(rows[:, 0], salib[::per])  # A unchanged
    assert np.array_equal(rows[:, -1], salib[per - 1 :: per][:, list(pairing)])
    for i in range(dims):  # A_B^i: A except column i, which is B's; B_A^i the other way
        differs = rows[:, 1 + i] != rows[:, 0]
        assert not np.delete(differs, i, axis=1).any()
        assert np.array_equal(rows[:, 1 + i, i], rows[:, -1, i])
        assert np.array_equal(rows[:, 1 + dims + i, i], rows[:, 0, i])
        assert not np.delete(rows[:, 1 + dims + i] != rows[:, -1], i, axis=1).any()


def test_a_larger_balanced_design_starts_with_the_smaller_one():
    """What --extend relies on: the pairing depends on the number of factors only."""
    small = sample_design(MIXED, "sobol", 8, seed=11)
    large = sample_design(MIXED, "sobol", 32, seed=11)
    assert np.array_equal(large[: len(small)], small)


def test_balanced_pairing_removes_the_correlated_pairs_of_short_prefixes():
    """On scrambles it was not chosen on, the worst pair at 32 and 64 base points is well
    below independent draws' 1/sqrt(n), where SALib's pairing has pairs far above it."""
    table = load_benchmark("design_balance").pairings(23, (32, 64)).set_index(["n", "pairing"])
    for n in (32, 64):
        assert table.loc[(n, "balanced"), "worst"] < 0.75 / np.sqrt(n)
        assert table.loc[(n, "salib"), "worst"] > 2 / np.sqrt(n)


def test_the_design_reads_a_linear_effects_total_index_at_its_size():
    """The ratio by which Jansen's estimator reads a linear effect stays near 1 for every
    one of 23 factors at 32 base points in the balanced design, not in SALib's."""
    problem = Problem(tuple(Factor(f"p{i}", 0.0, 1.0) for i in range(23)), outputs=("y",))
    off = {}
    for pairing in ("balanced", "salib"):
        X = saltelli_design(problem, 32, 20210601, pairing=pairing)
        table = design_balance(X, problem.names, [32])
        off[pairing] = float((table["ratio"] - 1).abs().max())
    assert off["balanced"] < 0.3 < off["salib"]


def test_an_unknown_pairing_is_refused():
    with pytest.raises(ValueError, match="pairing must be one of balanced, salib"):
        saltelli_design(MIXED, 4, 0, pairing="random")


def test_balanced_pairing_steadies_the_total_order_estimate_not_the_first_order():
    """SALib's estimators on a linear function with unequal coefficients, over 32
    scrambles at 32 base points: the worst factor's total-order error falls by more than
    half; the first-order errors, which rest on all of A's and B's columns, stay alike."""
    table = load_benchmark("design_balance").linear_estimates(23, (32,), range(1000, 1032))
    worst = table.set_index(["pairing", "index"])["worst_rmse"]
    assert worst[("balanced", "ST")] < 0.5 * worst[("salib", "ST")]
    mean = table.set_index(["pairing", "index"])["mean_rmse"]
    assert mean[("balanced", "S1")] == pytest.approx(mean[("salib", "S1")], rel=0.15)
