"""Tests for gemsim.sensitivity: SALib-backed global sensitivity analysis on callables."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from gemsim.sensitivity import (
    ISHIGAMI_PROBLEM,
    METHODS,
    Factor,
    Problem,
    SensitivityMethod,
    SensitivityWarning,
    analyze_outputs,
    convergence,
    evaluate,
    ishigami,
    ishigami_indices,
    plot_convergence,
    plot_indices,
    plot_morris,
    register_method,
    run_sensitivity,
    sample_design,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ISHIGAMI_S1 = {"x1": 0.314, "x2": 0.442, "x3": 0.000}
ISHIGAMI_ST = {"x1": 0.558, "x2": 0.442, "x3": 0.244}
LINEAR_COEF = {"x1": 10.0, "x2": 3.0, "x3": 0.0, "x4": 1.0}
LINEAR_PROBLEM = Problem.from_mapping({k: (0.0, 1.0) for k in LINEAR_COEF}, outputs=["y"])


def linear(params: dict) -> dict:
    return {"y": sum(c * params[k] for k, c in LINEAR_COEF.items())}


def ishigami_and_constant(params: dict) -> dict:
    return {**ishigami(params), "const": 3.0}


MIXED_PROBLEM = Problem(
    (
        Factor("k", 1, 5, kind="int"),
        Factor.categorical("c", ("a", "b", "c")),
        Factor("x", 0.0, 1.0),
    ),
    outputs=("y",),
)


def mixed_model(p: dict) -> dict:
    return {"y": p["k"] + {"a": 0.0, "b": 2.0, "c": 5.0}[p["c"]] * p["x"]}


@pytest.fixture(scope="module")
def sobol_ishigami():
    return run_sensitivity(ishigami, ISHIGAMI_PROBLEM, "sobol", n=1024, seed=0)


# --- Problem, factors, decoding ---------------------------------------------------------


def test_analytic_ishigami_reference_values():
    ref = ishigami_indices()
    for p in ISHIGAMI_S1:
        assert ref["S1"][p] == pytest.approx(ISHIGAMI_S1[p], abs=1e-3)
        assert ref["ST"][p] == pytest.approx(ISHIGAMI_ST[p], abs=1e-3)


def test_to_salib_problem_dict():
    prob = Problem(
        (
            Factor("u", -1.0, 2.0),
            Factor("k", 1, 5, kind="int"),
            Factor.categorical("c", ("a", "b", "c")),
            Factor("g", 10.0, 2.0, dist="norm"),
            Factor("t", 1.0, 3.0, dist="triang", peak=0.25),
        ),
        outputs=("y",),
    )
    d = prob.to_salib()
    assert d["num_vars"] == 5
    assert d["names"] == ["u", "k", "c", "g", "t"]
    assert d["bounds"] == [[-1.0, 2.0], [1.0, 6.0], [0.0, 3.0], [10.0, 2.0], [1.0, 3.0, 0.25]]
    assert d["dists"] == ["unif", "unif", "unif", "norm", "triang"]
    assert prob.to_salib() is not d  # fresh dict each call (SALib mutates it)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a", "low": 1.0, "high": 1.0},  # empty float range
        {"name": "a", "low": 0.5, "high": 3, "kind": "int"},  # non-integer int bound
        {"name": "a", "low": 0, "high": 1, "kind": "categorical"},  # no levels
        {"name": "a", "low": 0, "high": 1, "levels": ("x",)},  # levels on a float
        {"name": "a", "low": 0, "high": 3, "kind": "int", "dist": "norm"},  # discrete non-unif
        {"name": "a", "low": 0.0, "high": 0.0, "dist": "norm"},  # zero std
        {"name": "a", "low": 0.0, "high": 1.0, "dist": "triang", "peak": 1.0},
        {"name": "a", "low": 0.0, "high": 1.0, "dist": "weibull"},
    ],
)
def test_invalid_factors_raise(kwargs):
    with pytest.raises(ValueError):
        Factor(**kwargs)


def test_problem_rejects_duplicate_names():
    with pytest.raises(ValueError, match="Duplicate"):
        Problem((Factor("a", 0, 1), Factor("a", 0, 2)))


def test_decode_floors_and_clips_discrete_values():
    assert MIXED_PROBLEM.decode([1.0, 0.0, 0.25]) == {"k": 1, "c": "a", "x": 0.25}
    assert MIXED_PROBLEM.decode([3.999, 1.999, 0.5]) == {"k": 3, "c": "b", "x": 0.5}
    # Upper ends of the continuous stand-ins (hit by Morris grids / FAST curves) are clipped.
    assert MIXED_PROBLEM.decode([6.0, 3.0, 1.0]) == {"k": 5, "c": "c", "x": 1.0}
    row = MIXED_PROBLEM.decode([2.5, 0.5, 0.5])
    assert type(row["k"]) is int and type(row["x"]) is float


@pytest.mark.parametrize("method, n", [("sobol", 1024), ("fast", 2000), ("morris", 300)])
def test_int_and_categorical_levels_are_equally_likely_and_in_bounds(method, n):
    X = sample_design(MIXED_PROBLEM, method, n=n, seed=1)
    samples = MIXED_PROBLEM.decode_matrix(X)
    assert set(samples["k"]) <= {1, 2, 3, 4, 5}
    assert set(samples["c"]) <= {"a", "b", "c"}
    assert samples["x"].between(0.0, 1.0).all()
    assert samples["k"].dtype == np.int64
    if method == "morris":
        return  # Morris samples a 4-level grid by design: bounds only, not equal frequency.
    rows = len(samples)
    for col, levels in (("k", [1, 2, 3, 4, 5]), ("c", ["a", "b", "c"])):
        counts = Counter(samples[col])
        assert set(counts) == set(levels)
        # Binomial s.d. of a frequency is at most 0.5/sqrt(rows) <= 0.008 here; allow ~4 s.d.
        for level in levels:
            assert counts[level] / rows == pytest.approx(1 / len(levels), abs=0.03)


def test_decode_rows_agrees_with_decode_matrix():
    X = sample_design(MIXED_PROBLEM, "sobol", n=64, seed=2)
    rows = MIXED_PROBLEM.decode_rows(X)
    frame = MIXED_PROBLEM.decode_matrix(X)
    assert rows == frame.to_dict("records")
    assert rows[7] == MIXED_PROBLEM.decode(X[7])


def test_nonuniform_distributions_follow_salib_meaning():
    prob = Problem(
        (
            Factor("g", 10.0, 2.0, dist="norm"),
            Factor("ln", 0.0, 0.5, dist="lognorm"),
            Factor("t", 1.0, 3.0, dist="triang", peak=0.25),
        )
    )
    s = prob.decode_matrix(sample_design(prob, "sobol", n=2048, seed=0))
    assert s["g"].mean() == pytest.approx(10.0, abs=0.05)
    assert s["g"].std() == pytest.approx(2.0, abs=0.05)
    assert np.log(s["ln"]).mean() == pytest.approx(0.0, abs=0.02)
    assert np.log(s["ln"]).std() == pytest.approx(0.5, abs=0.02)
    assert s["t"].between(1.0, 3.0).all()
    assert s["t"].mean() == pytest.approx((1.0 + 3.0 + 1.5) / 3, abs=0.02)  # (a + b + mode)/3


# --- Methods ----------------------------------------------------------------------------


def test_sobol_recovers_ishigami_indices(sobol_ishigami):
    idx = sobol_ishigami.for_output("y")
    assert list(idx.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    for p in ISHIGAMI_S1:
        assert idx.loc[p, "S1"] == pytest.approx(ISHIGAMI_S1[p], abs=0.05)
        assert idx.loc[p, "ST"] == pytest.approx(ISHIGAMI_ST[p], abs=0.05)
    assert (idx["S1_conf"] > 0).all() and (idx["ST_conf"] > 0).all()
    assert len(sobol_ishigami.samples) == 1024 * (3 + 2)
    assert sobol_ishigami.second_order is None


def test_sobol_second_order_finds_the_x1_x3_interaction():
    res = run_sensitivity(
        ishigami, ISHIGAMI_PROBLEM, "sobol", n=1024, seed=0, calc_second_order=True
    )
    assert len(res.outputs) == 1024 * (2 * 3 + 2)
    s2 = res.second_order.set_index(["parameter_1", "parameter_2"])["S2"]
    assert list(s2.index) == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]
    ref = ishigami_indices()
    assert s2[("x1", "x3")] == pytest.approx(ref["ST"]["x3"], abs=0.1)  # S13 = ST3 ≈ 0.244
    assert abs(s2[("x1", "x2")]) < 0.1 and abs(s2[("x2", "x3")]) < 0.1


def test_morris_linear_function_gives_exact_elementary_effects():
    res = run_sensitivity(linear, LINEAR_PROBLEM, "morris", n=20, seed=0, num_levels=4)
    idx = res.for_output("y")
    assert list(idx.columns) == ["mu", "mu_star", "sigma", "mu_star_conf"]
    # Linear model: every elementary effect equals the coefficient (per unit range).
    for p, c in LINEAR_COEF.items():
        assert idx.loc[p, "mu_star"] == pytest.approx(abs(c), abs=1e-9)
        assert idx.loc[p, "mu"] == pytest.approx(c, abs=1e-9)
        assert idx.loc[p, "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert list(idx["mu_star"].sort_values(ascending=False).index) == ["x1", "x2", "x4", "x3"]
    assert len(res.samples) == 20 * (4 + 1)


def test_morris_mu_star_is_per_normalised_range():
    prob = Problem((Factor("a", 0.0, 1.0), Factor("b", 10.0, 14.0)), outputs=("y",))
    res = run_sensitivity(lambda p: {"y": 2 * p["a"] - 3 * p["b"]}, prob, "morris", n=10)
    idx = res.for_output("y")
    assert idx.loc["a", "mu_star"] == pytest.approx(2.0)
    assert idx.loc["b", "mu_star"] == pytest.approx(3.0 * 4.0)  # |c| * (high - low)
    assert idx.loc["b", "mu"] == pytest.approx(-12.0)


def test_fast_recovers_ishigami_first_order():
    res = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, "fast", n=1024, seed=0)
    idx = res.for_output("y")
    assert list(idx.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    # eFAST's only randomness is the search-curve phase, so its error at N=1024, M=4 is a
    # near-deterministic interference/truncation bias, measured at <= 0.007 for seeds 0-5
    # (and ST <= 0.021). 0.02 leaves ~3x headroom and still separates the indices (the
    # closest pair of distinct S1 values differ by ~0.13).
    for p in ISHIGAMI_S1:
        assert idx.loc[p, "S1"] == pytest.approx(ISHIGAMI_S1[p], abs=0.02)
        assert idx.loc[p, "ST"] == pytest.approx(ISHIGAMI_ST[p], abs=0.05)
    assert len(res.samples) == 1024 * 3


def test_fast_leaves_numpy_global_rng_untouched():
    state = np.random.get_state()  # noqa: NPY002
    run_sensitivity(ishigami, ISHIGAMI_PROBLEM, "fast", n=200, seed=0, num_resamples=10)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(state[1], after[1]) and state[2] == after[2]


def test_method_argument_errors():
    with pytest.raises(ValueError, match="Unknown sensitivity method"):
        sample_design(ISHIGAMI_PROBLEM, "nope", n=8)
    with pytest.raises(TypeError, match="num_levels"):
        sample_design(ISHIGAMI_PROBLEM, "sobol", n=8, num_levels=4)
    with pytest.raises(ValueError, match="second-order"):
        sample_design(ISHIGAMI_PROBLEM, "morris", n=8, calc_second_order=True)
    X = sample_design(ISHIGAMI_PROBLEM, "sobol", n=8)
    with pytest.raises(ValueError, match="output rows"):
        analyze_outputs(ISHIGAMI_PROBLEM, "sobol", X, pd.DataFrame({"y": np.ones(5 * 8 - 5)}))
    with pytest.raises(ValueError, match="not a whole"):
        analyze_outputs(ISHIGAMI_PROBLEM, "sobol", X[:-1], pd.DataFrame({"y": np.ones(39)}))


def test_registering_a_method_is_a_function_pair():
    def mc_sample(problem, n, seed, *, calc_second_order=False):
        rng = np.random.default_rng(seed)
        return rng.random((n, problem.num_vars))

    def corr_analyze(problem, X, Y, seed, *, num_resamples, conf_level, calc_second_order):
        r2 = [np.corrcoef(X[:, j], Y)[0, 1] ** 2 for j in range(problem.num_vars)]
        return pd.DataFrame({"R2": r2}, index=pd.Index(problem.names, name="parameter"))

    method = SensitivityMethod("r2", mc_sample, corr_analyze, ("R2",), lambda p, so: 1)
    try:
        assert register_method(method) is METHODS["r2"]
        res = run_sensitivity(linear, LINEAR_PROBLEM, "r2", n=2000, seed=0)
    finally:
        METHODS.pop("r2", None)
    assert "r2" not in METHODS
    r2 = res.for_output("y")["R2"]
    assert r2.idxmax() == "x1" and r2["x3"] < 0.01


# --- run_sensitivity / analyze_outputs ----------------------------------------------------


def test_same_seed_same_result_and_parallel_map_identical(sobol_ishigami):
    again = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, "sobol", n=1024, seed=0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = run_sensitivity(
            ishigami, ISHIGAMI_PROBLEM, "sobol", n=1024, seed=0, map_fn=pool.map
        )
    for other in (again, threaded):
        np.testing.assert_array_equal(other.X, sobol_ishigami.X)
        pd.testing.assert_frame_equal(other.samples, sobol_ishigami.samples)
        pd.testing.assert_frame_equal(other.outputs, sobol_ishigami.outputs)
        pd.testing.assert_frame_equal(other.indices, sobol_ishigami.indices)
    other_seed = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, "sobol", n=1024, seed=1)
    assert not np.array_equal(other_seed.X, sobol_ishigami.X)
    assert not other_seed.indices["S1"].equals(sobol_ishigami.indices["S1"])


@pytest.mark.parametrize("method, n", [("morris", 30), ("fast", 300)])
def test_other_methods_deterministic(method, n):
    a = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, method, n=n, seed=0, num_resamples=50)
    with ThreadPoolExecutor(max_workers=3) as pool:
        b = run_sensitivity(
            ishigami, ISHIGAMI_PROBLEM, method, n=n, seed=0, num_resamples=50, map_fn=pool.map
        )
    pd.testing.assert_frame_equal(a.samples, b.samples)
    pd.testing.assert_frame_equal(a.indices, b.indices)


def test_two_step_api_matches_run_sensitivity(sobol_ishigami):
    X = sample_design(ISHIGAMI_PROBLEM, "sobol", n=1024, seed=0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        Y = evaluate(ishigami, ISHIGAMI_PROBLEM, X, map_fn=pool.map)
    res = analyze_outputs(ISHIGAMI_PROBLEM, "sobol", X, Y, seed=0)
    pd.testing.assert_frame_equal(res.indices, sobol_ishigami.indices)


def test_outputs_inferred_analysed_separately_and_mixed_factors():
    prob = Problem(MIXED_PROBLEM.factors)  # no declared outputs: use the model's keys
    res = run_sensitivity(
        lambda p: {"y": mixed_model(p)["y"], "k_only": float(p["k"])},
        prob,
        "sobol",
        n=512,
        seed=3,
    )
    assert list(res.outputs.columns) == ["y", "k_only"]
    assert res.samples["c"].isin(["a", "b", "c"]).all()
    k_only = res.for_output("k_only")
    assert k_only.loc["k", "S1"] == pytest.approx(1.0, abs=0.05)
    assert k_only.loc[["c", "x"], "ST"].abs().max() < 0.01
    y = res.for_output("y")
    assert y.loc["c", "ST"] > y.loc["c", "S1"] > 0.05  # c acts through its product with x


def test_missing_output_key_is_reported():
    with pytest.raises(KeyError, match="'y' missing"):
        run_sensitivity(lambda p: {"z": 1.0}, ISHIGAMI_PROBLEM, "sobol", n=8)


@pytest.mark.parametrize("method, n", [("sobol", 128), ("fast", 200)])
def test_constant_output_gives_nan_with_warning(method, n):
    prob = Problem(ISHIGAMI_PROBLEM.factors)
    with pytest.warns(SensitivityWarning, match="'const' is constant"):
        res = run_sensitivity(ishigami_and_constant, prob, method, n=n, num_resamples=50)
    assert res.for_output("const").isna().all().all()
    assert res.for_output("y").notna().all().all()


def test_constant_output_morris_has_zero_effects():
    prob = Problem(ISHIGAMI_PROBLEM.factors)
    with pytest.warns(SensitivityWarning, match="elementary effects are 0"):
        res = run_sensitivity(ishigami_and_constant, prob, "morris", n=10, num_resamples=20)
    const = res.for_output("const")
    assert (const[["mu", "mu_star", "sigma"]] == 0).all().all()


def test_nonfinite_output_gives_nan_with_warning():
    def model(p):
        return {"y": math.nan if p["x1"] > 3.0 else p["x1"]}

    with pytest.warns(SensitivityWarning, match="non-finite"):
        res = run_sensitivity(model, ISHIGAMI_PROBLEM, "sobol", n=64, num_resamples=20)
    assert res.for_output("y").isna().all().all()


def test_to_csv_round_trip(sobol_ishigami, tmp_path):
    paths = sobol_ishigami.to_csv(tmp_path / "sa", prefix="ish_")
    assert set(paths) == {"samples", "outputs", "indices"}
    assert paths["indices"].name == "ish_indices.csv"
    back = pd.read_csv(paths["indices"])
    pd.testing.assert_frame_equal(back, sobol_ishigami.indices)
    samples = pd.read_csv(paths["samples"])
    assert list(samples.columns) == ["run", "x1", "x2", "x3"] and len(samples) == 5120


# --- convergence ----------------------------------------------------------------------


def test_sobol_convergence_prefixes_end_at_full_sample(sobol_ishigami):
    conv = sobol_ishigami.convergence(steps=4)
    assert list(conv.columns) == [
        "output",
        "parameter",
        "n",
        "n_runs",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    ]
    ns = list(dict.fromkeys(conv["n"]))
    assert ns == [128, 256, 512, 1024]
    assert (conv["n_runs"] == conv["n"] * 5).all()
    last = conv[conv["n"] == 1024].drop(columns=["n", "n_runs"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(last, sobol_ishigami.indices)
    # CIs shrink as the sample grows.
    first = conv[conv["n"] == 128].set_index("parameter")
    assert (first["ST_conf"] > last.set_index("parameter")["ST_conf"]).all()


def test_sobol_convergence_with_second_order_and_non_power_of_two():
    with pytest.warns(UserWarning, match="power of 2"):  # scipy: n=48 breaks balance
        X = sample_design(ISHIGAMI_PROBLEM, "sobol", n=48, seed=0, calc_second_order=True)
    Y = evaluate(ishigami, ISHIGAMI_PROBLEM, X)
    conv = convergence(ISHIGAMI_PROBLEM, "sobol", X, Y, seed=0, steps=3, calc_second_order=True)
    assert list(dict.fromkeys(conv["n"])) == [16, 32, 48]
    assert (conv["n_runs"] == conv["n"] * 8).all()


def test_morris_convergence_and_fast_refusal():
    X = sample_design(LINEAR_PROBLEM, "morris", n=20, seed=0)
    Y = evaluate(linear, LINEAR_PROBLEM, X)
    conv = convergence(LINEAR_PROBLEM, "morris", X, Y, seed=0, steps=4, num_resamples=50)
    ns = list(dict.fromkeys(conv["n"]))
    assert ns == sorted(ns) and ns[-1] == 20 and len(ns) == 4
    assert np.allclose(conv.set_index("parameter").loc["x1", "mu_star"], 10.0)
    full = analyze_outputs(LINEAR_PROBLEM, "morris", X, Y, seed=0, num_resamples=50)
    last = conv[conv["n"] == 20].drop(columns=["n", "n_runs"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(last, full.indices)

    Xf = sample_design(ISHIGAMI_PROBLEM, "fast", n=100)
    with pytest.raises(ValueError, match="FAST"):
        convergence(ISHIGAMI_PROBLEM, "fast", Xf, evaluate(ishigami, ISHIGAMI_PROBLEM, Xf))


def test_convergence_with_constant_output_does_not_crash():
    prob = Problem(ISHIGAMI_PROBLEM.factors)
    X = sample_design(prob, "sobol", n=64, seed=0)
    Y = evaluate(ishigami_and_constant, prob, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        conv = convergence(prob, "sobol", X, Y, steps=3, num_resamples=20)
    assert conv[conv["output"] == "const"][["S1", "ST"]].isna().all().all()
    assert conv[conv["output"] == "y"][["S1", "ST"]].notna().all().all()


# --- plots ----------------------------------------------------------------------------


def _assert_png(path, min_bytes=10_000):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > min_bytes


def test_plots_write_png_files(sobol_ishigami, tmp_path):
    morris = run_sensitivity(linear, LINEAR_PROBLEM, "morris", n=20, seed=0, num_resamples=50)
    conv_sobol = sobol_ishigami.convergence(steps=4)
    conv_morris = morris.convergence(steps=3)
    paths = [
        plot_indices(sobol_ishigami.indices, "y", tmp_path / "sobol.png"),
        plot_indices(morris.indices, "y", tmp_path / "morris_bars.png", units="€"),
        plot_morris(morris.indices, "y", tmp_path / "morris.png"),
        plot_convergence(conv_sobol, "y", tmp_path / "nested" / "conv_sobol.png"),
        plot_convergence(conv_morris, "y", tmp_path / "conv_morris.png"),
    ]
    for p in paths:
        assert p.exists()
        _assert_png(p)
    with pytest.raises(KeyError, match="nope"):
        plot_indices(sobol_ishigami.indices, "nope", tmp_path / "x.png")
