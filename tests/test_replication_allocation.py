"""More replications or more base samples (gemsim.sensitivity.replication_allocation), on
synthetic functions: the groups, the leaders' widths and the runs each way needs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from benchmark_scripts import load_benchmark
from test_sensitivity_cli import run_quietly, write_experiment

from gemsim.analysis.sensitivity_data import load_sensitivity
from gemsim.sensitivity import (
    ISHIGAMI_PROBLEM,
    allocation_table,
    interval_widths,
    ishigami,
    noisy_ishigami,
    replication_groups,
    sample_design,
)
from gemsim.sensitivity.stochastic import evaluate_replicated
from gemsim.sensitivity.test_functions import ishigami_variance

NOISY = ISHIGAMI_PROBLEM.with_noise_dummy()


def _runs(f, n: int, replications: int, seed: int = 4) -> tuple[np.ndarray, pd.DataFrame]:
    X = sample_design(NOISY, "sobol", n, seed=seed)
    return X, evaluate_replicated(f, NOISY, X, seed, replications)


def _widths(f, n: int, sizes=(1, 2, 4)) -> pd.DataFrame:
    X, runs = _runs(f, n, max(sizes))
    return interval_widths(NOISY, "sobol", X, runs, 4, sizes, num_resamples=300)


def ishigami_ignoring_seed(params: dict, seed: int) -> dict:
    return ishigami(params)


def additive_noise(params: dict, seed: int) -> dict:
    """Noise drawn from the seed alone: a point and its one-at-a-time neighbours, which
    share the seed, share it, so it cancels in their differences (not the dummy's)."""
    return noisy_ishigami(params, seed, noise_sd=8.0)


def diverging_noise(params: dict, seed: int) -> dict:
    """Noise drawn from the seed and the parameters: any change of a parameter draws anew,
    as a change sends a model run down another random path."""
    key = [seed, *(int(abs(params[x]) * 1e9) for x in ("x1", "x2", "x3"))]
    return {"y": ishigami(params)["y"] + 8.0 * np.random.default_rng(key).standard_normal()}


def test_groups_are_disjoint_consecutive_replications_numbered_from_zero():
    runs = pd.DataFrame(
        {"point": np.repeat([0, 1], 5), "replication": np.tile(range(5), 2), "y": range(10)}
    )
    groups = replication_groups(runs, 2)
    assert len(groups) == 2  # the fifth replication makes no whole group
    assert groups[0]["y"].tolist() == [0, 1, 5, 6]
    assert groups[1]["y"].tolist() == [2, 3, 7, 8]
    assert all(g["replication"].tolist() == [0, 1, 0, 1] for g in groups)
    assert len(replication_groups(runs, 5)) == 1
    with pytest.raises(ValueError, match="between 1 and 5"):
        replication_groups(runs, 6)
    with pytest.raises(ValueError, match="same replications"):
        replication_groups(runs.iloc[:-1], 1)
    with pytest.raises(ValueError, match="numbered 0 to 4"):
        replication_groups(runs.assign(replication=runs["replication"] + 1), 1)


def test_the_runs_must_be_the_designs_points():
    X, runs = _runs(ishigami_ignoring_seed, 4, 2)
    with pytest.raises(ValueError, match="points 0 to"):
        interval_widths(NOISY, "sobol", X, runs[runs["point"] > 0], 4, (1,))


def test_without_noise_replications_only_cost_runs():
    widths = _widths(ishigami_ignoring_seed, 64)
    # Every group repeats the same numbers: the same widths, no noise, a dummy of 0 ...
    assert widths.groupby(["output", "n"])["max_conf"].nunique().eq(1).all()
    assert (widths["noise_share"] == 0).all()
    assert (widths["scaled_conf"] == widths["max_conf"]).all()
    assert (widths["dummy"].abs() < 1e-12).all()
    # ... and the noise dummy is never a leader (its interval is the noise's own).
    assert not widths["leading"].str.contains("noise_floor").any()
    table = allocation_table(widths)
    assert table["ratio"].tolist() == [1.0, 1.0]
    assert table["runs_ratio"].tolist() == [2.0, 2.0]
    # Half the base samples with twice the replications: the same runs, wider intervals.
    assert (table["equal_runs"] > 1.2).all()


def test_the_noise_share_falls_as_one_over_r_and_the_dummy_reads_it():
    widths = _widths(additive_noise, 512, sizes=(1, 4))
    shares = widths[widths["n"] == 512].groupby("size")[["noise_share", "dummy"]].median()
    for size, share in shares.iterrows():
        expected = 64 / size / (ishigami_variance() + 64 / size)  # 0.82, then 0.54
        assert share["noise_share"] == pytest.approx(expected, abs=0.06)
        assert share["dummy"] == pytest.approx(expected, abs=0.1)


def test_noise_that_cancels_in_the_differences_leaves_the_scaled_widths_alone():
    """Under common seeds the parameters' estimators see the noise only in the variance
    they divide by: with more replications every index grows, and so does its interval,
    while on the scale of the parameters' own variance the width stays about the same."""
    widths = _widths(additive_noise, 256)
    leaders = widths[widths["n"] == 256].groupby("size")["leaders_index"].median()
    assert leaders.is_monotonic_increasing and leaders[4] > 2 * leaders[1]
    table = allocation_table(widths)
    assert (table["ratio"] > 1.3).all()
    assert table["scaled_ratio"].between(0.8, 1.15).all()
    assert (table["equal_runs"] > 1.3).all()  # so replications never pay here


def test_noise_that_diverges_with_the_parameters_shrinks_with_replications():
    """Where a parameter's change redraws the noise, the noise inflates every total index
    and averaging replications removes it: the indices fall towards the parameters' own
    and their intervals shrink on that scale, while their absolute width stays about the
    same, so at equal runs a larger design still gives the narrower absolute intervals."""
    widths = _widths(diverging_noise, 256)
    leaders = widths[widths["n"] == 256].groupby("size")["leaders_index"].median()
    assert leaders.is_monotonic_decreasing and leaders[4] < leaders[1] - 0.1
    table = allocation_table(widths)
    assert table["ratio"].between(0.85, 1.15).all()
    assert (table["equal_runs"] > 1.2).all()
    assert (table["scaled_ratio"] < 0.8).all()
    assert (table["scaled_runs_ratio"] < 1).all()
    assert (table["noise_share"] > table["next_noise_share"]).all()


# --- benchmarks/replication_allocation.py on a tiny stored run ----------------------------


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny Sobol' experiment with four replications, and its first two alone."""
    folder = tmp_path_factory.mktemp("allocation")
    experiment = write_experiment(folder, n=2, replications=4)
    runs = {}
    for replications in (4, 2):
        out = folder / f"r{replications}"
        arguments = ["--replications", str(replications), "--workers", "1", "--no-report"]
        assert run_quietly("sensitivity", experiment, *arguments, "--out", out) == 0
        runs[replications] = out
    return runs[4], runs[2]


@pytest.mark.filterwarnings("ignore:Output .* is constant")
def test_the_script_cuts_a_stored_run_into_groups_of_one_two_and_four(tiny_run):
    script = load_benchmark("replication_allocation")
    four, two = tiny_run
    data = load_sensitivity(four)
    runs = script.long_runs(data)
    assert len(runs) == len(data.sample) * 4
    contrast = "groeiplan_vs_subsidy_channel:participation"
    values = data.values.set_index(["scenario", "point", "replication"])["participation"]
    first = runs.iloc[0]
    assert first[contrast] == values[("groeiplan", 0, 0)] - values[("subsidy_channel", 0, 0)]
    widths = script.widths_of(data, resamples=50)
    assert widths.groupby("size")["group"].nunique().to_dict() == {1: 4, 2: 2, 4: 1}
    assert set(widths.loc[widths["contrast"], "output"]) == {
        contrast,
        "groeiplan_vs_subsidy_channel:trust_government",
    }
    # The first two replications of the four-replication run are the two-replication run.
    assert script.same_as(data, two) == 0
    table = allocation_table(widths)
    assert set(zip(table["size"], table["next_size"], strict=True)) == {(1, 2), (2, 4)}
    assert set(widths["n"]) == {2, 1}
    sizes = script.by_size(widths)
    assert sizes.index.tolist() == [(k, r) for k in ("contrasts", "levels") for r in (1, 2, 4)]
    assert len(script.summary(table, set(widths.loc[widths["contrast"], "output"]))) == 4
    assert len(script.by_noise(table)) == 0  # no noise dummy: no noise share
    own = script.widths_of(data, resamples=50, own_leaders=True)
    assert own.groupby("size")["group"].nunique().to_dict() == {1: 4, 2: 2, 4: 1}
    # The group of all four replications picks the leaders the fixed choice takes.
    every = [widths[widths["size"] == 4], own[own["size"] == 4]]
    pd.testing.assert_frame_equal(*(w.reset_index(drop=True) for w in every))


def test_the_stored_allocation_is_the_stored_widths_compared():
    """The reference tables agree with each other and with the README's reading: at equal
    runs, twice the replications on half the base samples gave the median contrast wider
    intervals, and their width barely moved with replications."""
    folder = (
        Path(__file__).resolve().parents[1] / "results" / "reference" / "replication_allocation"
    )
    widths = pd.read_csv(folder / "widths.csv")
    stored = pd.read_csv(folder / "allocation.csv")
    pd.testing.assert_frame_equal(allocation_table(widths), stored, check_dtype=False)
    contrasts = stored[stored["output"].str.contains(":")]
    medians = contrasts.groupby("size")[["equal_runs", "ratio"]].median()
    assert medians["equal_runs"].round(2).tolist() == [1.55, 1.52]
    assert medians["ratio"].between(0.95, 1.0).all()
