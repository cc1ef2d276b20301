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
@pytest.mark.parametrize("n", [8, 12])
def test_salib_pairing_is_salibs_design_bit_for_bit(second_order: bool, n: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n = 12 is not a power of two: both warn
        expected = salib_sobol.sample(
            MIXED.to_salib(), n, calc_second_order=second_order, scramble=True, seed=5
        )
        got = saltelli_design(MIXED, n, 5, calc_second_order=second_order, pairing="salib")
    assert np.array_equal(got, expected)


def test_balanced_design_has_the_same_points_with_b_columns_reassigned():
    dims = MIXED.num_vars
    salib = saltelli_design(MIXED, 16, 3, pairing="salib", calc_second_order=True)
    balanced = saltelli_design(MIXED, 16, 3, calc_second_order=True)
    pairing = balanced_pairing(dims)
    assert sorted(pairing) == list(range(dims)) and pairing != tuple(range(dims))
    per = 2 * dims + 2
    a, b = salib[::per], salib[per - 1 :: per]
    assert np.array_equal(balanced[::per], a)  # A unchanged
    bounds = MIXED.to_salib()["bounds"]
    for i in range(6):  # a uniform factor's B column is another factor's B, rescaled
        j = pairing[i]
        if j < 6:
            low, high = bounds[j]
            rescaled = (b[:, j] - low) / (high - low) * (bounds[i][1] - bounds[i][0]) + bounds[i][0]
            assert np.allclose(balanced[per - 1 :: per, i], rescaled)
    rows = balanced.reshape(16, per, dims)
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
    assert balanced_pairing(MIXED.num_vars) == balanced_pairing(MIXED.num_vars)


def test_balanced_pairing_removes_the_correlated_pairs_of_short_prefixes():
    """On scrambles it was not chosen on, the worst pair at 32 and 64 base points is well
    below independent draws' 1/sqrt(n), where SALib's pairing has pairs far above it."""
    table = load_benchmark("design_balance").pairings(23, (32, 64)).set_index(["n", "pairing"])
    for n in (32, 64):
        assert table.loc[(n, "balanced"), "worst"] < 0.6 / np.sqrt(n)
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
