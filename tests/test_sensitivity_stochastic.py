"""Stochastic functions: the noise-floor dummy, replication variance, the Gaussian-process
metamodel and the convergence check (gemsim.sensitivity, synthetic functions only)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from gemsim.experiments import replication_seeds
from gemsim.sensitivity import (
    ISHIGAMI_PROBLEM,
    Factor,
    Problem,
    analyze_outputs,
    check_convergence,
    disjoint_halves,
    halves_z,
    ishigami,
    ishigami_indices,
    noisy_ishigami,
    run_sensitivity,
    run_stochastic_sensitivity,
    sample_design,
    stream_seeds,
)
from gemsim.sensitivity.metamodel import fit_metamodel
from gemsim.sensitivity.stochastic import evaluate_replicated
from gemsim.sensitivity.test_functions import ishigami_variance

NOISY = ISHIGAMI_PROBLEM.with_noise_dummy()
#: On a function that ignores its seed the dummy's estimators are differences of equal
#: numbers, so its indices are exactly 0; this tolerance only allows for rounding.
EXACT_ZERO = 1e-12


def ishigami_ignoring_seed(params: dict, seed: int) -> dict:
    return ishigami(params)


def noise_share_of_means(noise_sd: float, replications: int) -> float:
    noise = noise_sd**2 / replications
    return noise / (ishigami_variance() + noise)


# --- the noise-floor dummy ----------------------------------------------------------------


def test_noise_dummy_is_exactly_zero_on_a_deterministic_function():
    result = run_stochastic_sensitivity(
        ishigami_ignoring_seed, NOISY, n=512, seed=3, replications=1, num_resamples=100
    )
    floor = result.noise_floor().iloc[0]
    assert floor["parameter"] == "noise_floor"
    assert abs(floor["S1"]) < EXACT_ZERO and abs(floor["ST"]) < EXACT_ZERO
    # ... and the parameters keep their Ishigami indices beside it.
    st = result.result.for_output("y")["ST"]
    for name, value in ishigami_indices()["ST"].items():
        assert st[name] == pytest.approx(value, abs=0.1)


def test_noise_dummy_measures_the_random_path_share_on_a_noisy_function():
    result = run_stochastic_sensitivity(
        noisy_ishigami, NOISY, n=1024, seed=1, replications=1, num_resamples=200
    )
    floor = result.noise_floor().iloc[0]
    expected = noise_share_of_means(2.0, 1)  # ≈ 0.22
    assert floor["ST"] == pytest.approx(expected, abs=0.05)
    assert floor["S1"] == pytest.approx(expected, abs=0.05)
    assert floor["ST"] - floor["ST_conf"] > 0.1  # clearly above zero


def test_more_replications_lower_the_noise_floor():
    """At one replication x3 (ST ≈ 0.19 of the noisy variance) cannot be told from the
    random path; averaging four replications lowers the floor below it."""
    one = run_stochastic_sensitivity(noisy_ishigami, NOISY, n=1024, seed=1, replications=1)
    four = run_stochastic_sensitivity(noisy_ishigami, NOISY, n=1024, seed=1, replications=4)
    beyond_one = one.beyond_noise().set_index("parameter")["beyond_noise"]
    beyond_four = four.beyond_noise().set_index("parameter")["beyond_noise"]
    assert beyond_one.to_dict() == {"x1": True, "x2": True, "x3": False}
    assert beyond_four.all()
    assert four.noise_floor()["ST"].iloc[0] == pytest.approx(noise_share_of_means(2.0, 4), abs=0.03)
    # The replications measure the same share directly, without a dummy.
    variance = four.replication_variance.iloc[0]
    assert variance["replications"] == 4
    assert variance["within_variance"] == pytest.approx(4.0, rel=0.1)
    assert variance["within_share"] == pytest.approx(4 / (ishigami_variance() + 4), abs=0.03)
    assert variance["noise_share_of_means"] == pytest.approx(
        four.noise_floor()["ST"].iloc[0], abs=0.03
    )


def test_the_dummy_changes_the_seeds_and_nothing_else():
    seen: list[dict] = []

    def record(params: dict, seed: int) -> dict:
        seen.append(params)
        return {"y": float(seed % 1000)}

    X = sample_design(NOISY, "sobol", 4, seed=0)
    runs = evaluate_replicated(record, NOISY, X, root_seed=5, replications=2)
    assert all(set(p) == {"x1", "x2", "x3"} for p in seen)
    seeds = runs.pivot(index="point", columns="replication", values="seed")
    # Saltelli blocks of D + 2 = 6 rows: A, AB_x1, AB_x2, AB_x3, AB_dummy, B.
    dummy = X[:, 3]
    for block in range(4):
        rows = range(block * 6, block * 6 + 6)
        for i in rows:
            for j in rows:
                same_stream = dummy[i] == dummy[j]
                assert (seeds.loc[i].tolist() == seeds.loc[j].tolist()) == same_stream
        a, ab_dummy = block * 6, block * 6 + 4
        assert dummy[a] != dummy[ab_dummy]


def test_common_seeds_are_the_experiment_runner_seeds_and_streams_differ():
    assert stream_seeds(7, 5) == replication_seeds(7, 5)
    assert stream_seeds(7, 3, stream=2) == stream_seeds(7, 5, stream=2)[:3]
    assert set(stream_seeds(7, 5, stream=2)).isdisjoint(stream_seeds(7, 5))
    assert set(stream_seeds(7, 5, stream=2)).isdisjoint(stream_seeds(7, 5, stream=3))


def test_without_a_dummy_every_point_uses_the_common_seeds():
    X = sample_design(ISHIGAMI_PROBLEM, "sobol", 2, seed=0)
    runs = evaluate_replicated(noisy_ishigami, ISHIGAMI_PROBLEM, X, 5, 3)
    assert runs.groupby("point")["seed"].apply(list).map(tuple).nunique() == 1
    assert runs["seed"].iloc[:3].tolist() == stream_seeds(5, 3)


def test_a_stochastic_analysis_is_reproducible_and_map_independent():
    serial = run_stochastic_sensitivity(noisy_ishigami, NOISY, n=64, seed=2, replications=2)
    with ThreadPoolExecutor(2) as pool:
        threaded = run_stochastic_sensitivity(
            noisy_ishigami, NOISY, n=64, seed=2, replications=2, map_fn=pool.map
        )
    pd.testing.assert_frame_equal(serial.runs, threaded.runs)
    pd.testing.assert_frame_equal(serial.indices, threaded.indices)


def test_noise_dummy_is_validated():
    with pytest.raises(ValueError, match="already has a noise dummy"):
        NOISY.with_noise_dummy()
    with pytest.raises(ValueError, match="is not a factor"):
        Problem((Factor("x", 0, 1),), noise_dummy="seed")
    with pytest.raises(ValueError, match="must be an int factor"):
        Problem((Factor("x", 0, 1), Factor("d", 0, 1)), noise_dummy="d")
    assert NOISY.model_names == ["x1", "x2", "x3"]
    assert NOISY.without_noise_dummy() == ISHIGAMI_PROBLEM


# --- the metamodel --------------------------------------------------------------------------


def ishigami_runs(points: int, noise_sd: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    unit = qmc.LatinHypercube(3, seed=seed).random(points)
    X = qmc.scale(unit, [-np.pi] * 3, [np.pi] * 3)
    y = np.array(
        [
            noisy_ishigami(dict(zip(("x1", "x2", "x3"), row, strict=True)), i, noise_sd)["y"]
            for i, row in enumerate(X)
        ]
    )
    return X, y


def test_metamodel_recovers_ishigami_indices_and_the_noise_share():
    """600 noisy runs (noise ≈ 6.7% of the variance): the indices of the Gaussian process's
    mean are within 0.06 of the analytic ones, its nugget within 0.03 of the noise share,
    and its out-of-sample Q² just below 1 - noise share (it cannot predict the noise)."""
    X, y = ishigami_runs(600, noise_sd=1.0, seed=0)
    model = fit_metamodel(ISHIGAMI_PROBLEM, X, y, max_points=600)
    share = 1.0 / (ishigami_variance() + 1.0)
    assert model.fit["noise_share"] == pytest.approx(share, abs=0.03)
    assert 1 - share - 0.08 <= model.fit["q2"] <= 1 - share + 0.01
    indices = model.sobol(4096)
    for kind in ("S1", "ST"):
        for name, value in ishigami_indices()[kind].items():
            assert indices.loc[name, kind] == pytest.approx(value, abs=0.06), (kind, name)


def test_metamodel_q2_drops_by_the_noise_share():
    """The same 600 points without and with noise (6.7% and 22% of the variance): Q² falls
    from near 1 by the noise share (within 0.06), and the nugget estimates the noise
    variance (within 20%; maximum likelihood leaves a little of it in the smooth part)."""
    fits = {}
    for noise_sd in (0.0, 1.0, 2.0):
        X, y = ishigami_runs(600, noise_sd=noise_sd, seed=1)
        fits[noise_sd] = fit_metamodel(ISHIGAMI_PROBLEM, X, y, max_points=600).fit
    assert fits[0.0]["q2"] > 0.99
    assert fits[0.0]["noise_share"] < 0.01
    for noise_sd in (1.0, 2.0):
        share = noise_sd**2 / (ishigami_variance() + noise_sd**2)
        drop = fits[0.0]["q2"] - fits[noise_sd]["q2"]
        assert drop == pytest.approx(share, abs=0.06), noise_sd
        assert fits[noise_sd]["noise_variance"] == pytest.approx(noise_sd**2, rel=0.2)


def test_metamodel_cross_validation_holds_out_whole_design_blocks():
    """A Saltelli block shares all inputs but one and, under common random numbers, its
    random path. An output that is that shared path and no parameter effect at all looks
    predictable when folds split the blocks (a held-out row has its twin in training) and
    is not when they hold out whole blocks."""
    problem = ISHIGAMI_PROBLEM
    X = sample_design(problem, "sobol", 32, seed=0)
    per = problem.num_vars + 2
    blocks = np.arange(len(X)) // per
    rng = np.random.default_rng(1)
    y = rng.normal(size=blocks.max() + 1)[blocks] + 0.05 * rng.normal(size=len(X))
    split = fit_metamodel(problem, X, y, max_points=len(X)).fit["q2"]
    held_out = fit_metamodel(problem, X, y, max_points=len(X), groups=blocks).fit["q2"]
    assert split > 0.3 and held_out < 0.1
    assert split - held_out > 0.5


def test_metamodel_leaves_the_noise_dummy_out_and_is_reproducible():
    result = run_stochastic_sensitivity(noisy_ishigami, NOISY, n=32, seed=4, replications=2)
    first, fits = result.metamodel_indices(n=256, max_points=120)
    second, _ = result.metamodel_indices(n=256, max_points=120)
    assert first["parameter"].tolist() == ["x1", "x2", "x3"]
    assert fits.loc[0, "n_train"] == 120 and fits.loc[0, "folds"] == 5
    pd.testing.assert_frame_equal(first, second)


def test_metamodels_fitted_in_two_processes_equal_those_fitted_in_one():
    from gemsim.sensitivity.metamodel import metamodel_indices
    from gemsim.sensitivity.stochastic import point_means

    result = run_stochastic_sensitivity(noisy_ishigami, NOISY, n=16, seed=5, replications=2)
    means = point_means(result.runs)
    Y = pd.DataFrame({"y": means.iloc[:, 0], "twice": 2 * means.iloc[:, 0] + 1})
    args = (result.result.problem, result.result.X, Y)
    one = metamodel_indices(*args, n=64, max_points=60, seed=3)
    two = metamodel_indices(*args, n=64, max_points=60, seed=3, workers=2)
    pd.testing.assert_frame_equal(one[0], two[0])
    pd.testing.assert_frame_equal(one[1], two[1])
    assert one[0]["output"].unique().tolist() == ["y", "twice"]


def test_metamodel_convergence_compares_the_leading_indices_of_half_and_all_the_rows():
    from SALib.sample import sobol as sobol_sample

    from gemsim.sensitivity.metamodel import metamodel_convergence, metamodel_indices

    X = sobol_sample.sample(ISHIGAMI_PROBLEM.to_salib(), 32, calc_second_order=False, seed=2)
    Y = pd.DataFrame({"linear": 4.0 * X[:, 0] + X[:, 1]})  # x3 has no effect
    args = (ISHIGAMI_PROBLEM, X, Y)
    indices, _ = metamodel_indices(*args, n=256, max_points=200, seed=1)
    table = metamodel_convergence(*args, indices, n=256, max_points=200, seed=1, top=2)
    assert table["parameter"].tolist() == ["x1", "x2"]  # ranked by the full fit
    assert table["rows_half"].iloc[0] == len(X) // 2 and table["rows"].iloc[0] == len(X)
    # Every row trains both fits while the sample fits in max_points: a doubling.
    assert table["train_half"].iloc[0] == len(X) // 2 and table["train"].iloc[0] == len(X)
    assert table["change"].max() < 0.05 and table["converged"].all()  # a smooth response
    assert table["halves_gap"].max() < 0.05  # the two disjoint halves agree
    full = indices.set_index("parameter")["ST"]
    assert table.set_index("parameter")["ST"].to_dict() == full[["x1", "x2"]].to_dict()


def test_metamodel_convergence_fails_when_the_disjoint_halves_disagree():
    """The second half is a replicate the nested check lacks: outputs that follow x1 on
    the first half of the rows and x2 on the second give halves far apart, and the output
    is not settled."""
    from SALib.sample import sobol as sobol_sample

    from gemsim.sensitivity.metamodel import metamodel_convergence, metamodel_indices

    X = sobol_sample.sample(ISHIGAMI_PROBLEM.to_salib(), 32, calc_second_order=False, seed=2)
    half = len(X) // 2
    y = np.where(np.arange(len(X)) < half, X[:, 0], X[:, 1])
    args = (ISHIGAMI_PROBLEM, X, pd.DataFrame({"switching": y}))
    indices, _ = metamodel_indices(*args, n=256, max_points=200, seed=1)
    table = metamodel_convergence(*args, indices, n=256, max_points=200, seed=1, top=2)
    gaps = table.set_index("parameter")
    # x1 explains the first half alone, x2 the second.
    first, second = gaps.loc["x1"], gaps.loc["x2"]
    assert first["ST_half"] > 0.9 and first["ST_second_half"] < 0.1
    assert second["ST_half"] < 0.1 and second["ST_second_half"] > 0.9
    assert table["halves_gap"].min() > 0.8 and not table["converged"].any()


def test_metamodel_convergence_says_when_max_points_cuts_the_full_fit():
    from SALib.sample import sobol as sobol_sample

    from gemsim.sensitivity.metamodel import metamodel_convergence, metamodel_indices

    X = sobol_sample.sample(ISHIGAMI_PROBLEM.to_salib(), 32, calc_second_order=False, seed=2)
    Y = pd.DataFrame({"linear": 4.0 * X[:, 0] + X[:, 1]})
    args = (ISHIGAMI_PROBLEM, X, Y)
    indices, fits = metamodel_indices(*args, n=64, max_points=100, seed=1)
    table = metamodel_convergence(*args, indices, n=64, max_points=100, seed=1, top=1)
    assert fits["n_train"].iloc[0] == 100
    sizes = table[["rows_half", "rows", "train_half", "train"]].iloc[0].tolist()
    assert sizes == [80, 160, 80, 100]
    # Given the full fits' table, the points it took are read from it.
    fits["n_train"] = 123
    told = metamodel_convergence(*args, indices, fits=fits, n=64, max_points=100, seed=1, top=1)
    assert told["train"].iloc[0] == 123


def test_metamodel_convergence_halves_end_at_a_design_block():
    """No block is split between the halves: with three blocks of two rows the halves
    are the first block and the second, the third in neither; without blocks, the
    middle row."""
    from gemsim.sensitivity.metamodel import _half

    assert _half(6, np.array([0, 0, 1, 1, 2, 2])) == 2
    assert _half(8, np.array([0, 0, 0, 1, 1, 2, 2, 2])) == 3  # first block: 3 rows
    assert _half(7, None) == 3 and _half(0, None) == 0


def test_metamodel_tables_fit_on_the_settings_metamodel_points(monkeypatch: pytest.MonkeyPatch):
    """The ``[sensitivity] metamodel_points`` setting reaches both the fits and their
    convergence check."""
    import gemsim.sensitivity.metamodel as metamodel
    from gemsim.analysis import sensitivity_noise

    seen: list[int] = []

    def fake(*args: object, max_points: int, **kwargs: object) -> tuple[None, None]:
        seen.append(max_points)
        return None, None

    monkeypatch.setattr(metamodel, "metamodel_indices", fake)
    monkeypatch.setattr(
        metamodel, "metamodel_convergence", lambda *a, max_points, **k: seen.append(max_points)
    )
    monkeypatch.setattr(sensitivity_noise, "sample_blocks", lambda settings, points: None)
    settings = SimpleNamespace(
        metamodel_outputs=("y",), metamodel_points=321, problem=lambda: ISHIGAMI_PROBLEM
    )
    data = SimpleNamespace(settings=settings, X=np.zeros((4, 3)), seed=0)
    outputs = pd.DataFrame({"y": np.arange(4.0)})
    sensitivity_noise.metamodel_tables(data, outputs)  # type: ignore[arg-type]
    sensitivity_noise.metamodel_convergence_table(data, outputs, pd.DataFrame(), tolerance=0.05)  # type: ignore[arg-type]
    assert seen == [321, 321]


def test_metamodel_predicts_nothing_for_no_rows():
    X, y = ishigami_runs(60, noise_sd=0.0, seed=5)
    model = fit_metamodel(ISHIGAMI_PROBLEM, X, y, max_points=60)
    assert model.predict(np.empty((0, 3))).shape == (0,)


def test_metamodel_predicts_in_chunks_as_in_one_call(monkeypatch: pytest.MonkeyPatch):
    """Chunking bounds the cross-kernel's memory; each row's prediction is its own."""
    import gemsim.sensitivity.metamodel as metamodel

    X, y = ishigami_runs(200, noise_sd=0.0, seed=4)
    model = fit_metamodel(ISHIGAMI_PROBLEM, X, y, max_points=200)
    whole = model.predict(X)  # one chunk
    monkeypatch.setattr(metamodel, "PREDICT_CHUNK", 7)  # 200 rows: 28 full chunks and 4 rows
    chunked = model.predict(X)
    assert chunked.shape == whole.shape
    np.testing.assert_allclose(chunked, whole, rtol=1e-10, atol=0)  # BLAS's blocking


# --- convergence to a stated tolerance -----------------------------------------------------


def frame(changes: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """A convergence frame for one output: ST at n = 256, 512, 1024 per parameter."""
    rows = [
        {"output": "y", "parameter": p, "n": n, "ST": v}
        for p, values in changes.items()
        for n, v in zip((256, 512, 1024), values, strict=True)
    ]
    return pd.DataFrame(rows)


def test_convergence_checks_the_leading_indices_over_the_last_doubling():
    conv = frame(
        {
            "a": (0.20, 0.50, 0.52),  # leading, moved 0.02 in the last doubling
            "b": (0.90, 0.33, 0.30),  # leading, moved 0.03
            "c": (0.00, 0.00, 0.20),  # third: moved 0.20
        }
    )
    two = check_convergence(conv, 0.05, leading=2).iloc[0]
    assert (two["n_half"], two["n"]) == (512, 1024)
    assert two["leading"] == "a, b"
    assert two["max_change"] == pytest.approx(0.03)
    assert two["worst_parameter"] == "b"
    assert bool(two["converged"])
    everyone = check_convergence(conv, 0.05, leading=None).iloc[0]
    assert everyone["worst_parameter"] == "c" and not everyone["converged"]
    assert not check_convergence(conv, 0.01, leading=2).iloc[0]["converged"]


def test_ishigami_indices_converge_with_n_but_not_at_a_tiny_sample():
    big = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, n=2048, seed=0, num_resamples=50)
    verdict = big.check_convergence(0.05)
    assert verdict["converged"].all()
    small = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, n=16, seed=0, num_resamples=50)
    assert not small.check_convergence(0.05, steps=2)["converged"].any()


def test_the_sample_size_for_the_tolerance_scales_the_widest_leading_interval():
    conv = frame({"a": (0.20, 0.50, 0.52), "b": (0.90, 0.33, 0.30), "c": (0.0, 0.0, 0.01)})
    conv["ST_conf"] = conv["n"].map({256: 0.4, 512: 0.3, 1024: 0.1})
    conv.loc[(conv["parameter"] == "b") & (conv["n"] == 1024), "ST_conf"] = 0.15
    conv.loc[(conv["parameter"] == "c") & (conv["n"] == 1024), "ST_conf"] = 0.9  # not leading
    row = check_convergence(conv, 0.05, leading=2).iloc[0]
    assert row["max_conf"] == pytest.approx(0.15)  # b's, the wider of the two leaders
    assert row["n_for_tolerance"] == 1024 * 9  # (0.15 / 0.05) ** 2 times as many
    within = check_convergence(conv.assign(ST_conf=0.025), 0.05, leading=2).iloc[0]
    assert within["n_for_tolerance"] == 256  # already within: a quarter would do
    assert not row["interval_within"] and within["interval_within"]
    unknown = check_convergence(conv.drop(columns="ST_conf"), 0.05).iloc[0]
    assert np.isnan(unknown["n_for_tolerance"]) and not unknown["interval_within"]
    missing = conv.copy()
    missing.loc[(missing["parameter"] == "a") & (missing["n"] == 1024), "ST_conf"] = np.nan
    assert np.isnan(check_convergence(missing, 0.05, leading=2).iloc[0]["max_conf"])
    exact = check_convergence(conv.assign(ST_conf=0.0), 0.05, leading=2).iloc[0]
    assert exact["n_for_tolerance"] == 0 and exact["interval_within"]  # no spread at all


def test_the_projected_sample_size_brings_the_intervals_to_the_tolerance():
    """Bootstrap intervals shrink as 1/sqrt(n): at the size projected from n = 256 the
    leaders' widest interval is at the tolerance (Ishigami)."""
    tolerance = 0.04
    small = run_sensitivity(ishigami, ISHIGAMI_PROBLEM, n=256, seed=1, num_resamples=300)
    row = small.check_convergence(tolerance).iloc[0]
    assert row["max_conf"] > 4 * tolerance  # far from it at n = 256
    n = int(2 ** np.ceil(np.log2(row["n_for_tolerance"])))  # Sobol' sizes: powers of two
    X = sample_design(ISHIGAMI_PROBLEM, "sobol", n=n, seed=2)
    x1, x2, x3 = X.T  # Ishigami, vectorised
    y = np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)
    large = analyze_outputs(ISHIGAMI_PROBLEM, "sobol", X, {"y": y}, seed=2, num_resamples=200)
    leaders = row["leading"].split(", ")
    widest = large.indices.set_index("parameter").loc[leaders, "ST_conf"].max()
    # the width at n, scaled back to the projected size, is the tolerance up to the two
    # bootstraps' own error
    assert widest / tolerance * np.sqrt(n / row["n_for_tolerance"]) == pytest.approx(1, abs=0.2)


def _halves_z_of(noise_sd: float, seeds: int = 8) -> np.ndarray:
    """|z| of every total index between the halves of 256-point Sobol' designs of a
    six-input function plus normal noise of ``noise_sd`` per run."""
    problem = Problem(factors=tuple(Factor(f"x{i}", 0.0, 1.0) for i in range(6)), outputs=("y",))
    weights = np.array([1.0, 0.8, 0.6, 0.4, 0.2, 0.1])
    zs = []
    for seed in range(seeds):
        X = sample_design(problem, "sobol", n=256, seed=seed)
        y = X @ weights + 2.0 * X[:, 0] * X[:, 1] + np.sin(6 * X[:, 2])  # inputs on [0, 1]
        y = y + noise_sd * np.random.default_rng(100 + seed).standard_normal(len(y))
        halves = disjoint_halves(problem, "sobol", X, {"y": y}, seed=seed, num_resamples=300)
        assert set(halves["n_half"]) == {128}
        zs.extend(halves_z(halves, "ST").abs())
    return np.asarray(zs)


def test_bootstrap_intervals_match_the_spread_between_two_halves_of_a_noisy_design():
    """Where noise dominates (as in gemsim's contrasts) two disjoint halves of one design
    estimate each index with independent errors, and their gap, in the intervals'
    standard errors, is about standard normal: root mean square about 1, |z| > 1.96
    about 5% of the time (48 indices here: 2.1%, root mean square 0.95)."""
    zs = _halves_z_of(noise_sd=1.0)
    assert np.mean(zs > 1.96) < 0.1
    assert 0.75 < np.sqrt(np.mean(zs**2)) < 1.25


def test_bootstrap_intervals_overstate_the_error_on_a_smooth_function():
    """Without noise a scrambled Sobol' design's error is smaller than that of independent
    points (and the halves' errors are correlated), which the bootstrap, resampling as
    if the points were independent, does not see: the halves agree far better than
    their intervals say (median |z| 0.15), so a projection from them errs on the safe side."""
    zs = _halves_z_of(noise_sd=0.0)
    assert np.median(zs) < 0.3 and np.mean(zs > 1.96) < 0.05


def test_halves_z_reads_standard_errors_from_the_intervals():
    halves = pd.DataFrame(
        {"ST_first": [0.5, 0.2], "ST_second": [0.2, 0.2], "ST_conf_first": [1.96 * 0.1, 0.0]}
    ).assign(ST_conf_second=lambda t: t["ST_conf_first"])
    z = halves_z(halves)
    assert z[0] == pytest.approx(0.3 / np.sqrt(0.02), rel=1e-4)
    assert np.isnan(z[1])  # no spread: no z
    with pytest.raises(ValueError, match="cannot be cut"):
        disjoint_halves(ISHIGAMI_PROBLEM, "fast", np.zeros((0, 3)), {"y": []})


def test_convergence_needs_a_half_size_prefix():
    with pytest.raises(ValueError, match="no prefix of at most half"):
        check_convergence(frame({"a": (0.1, 0.2, 0.3)}).query("n == 1024"))
