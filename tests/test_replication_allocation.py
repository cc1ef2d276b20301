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
    check_convergence,
    convergence,
    interval_widths,
    ishigami,
    leading_widths,
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


def very_noisy_ishigami(params: dict, seed: int) -> dict:
    return noisy_ishigami(params, seed, noise_sd=8.0)


def ishigami_ignoring_seed(params: dict, seed: int) -> dict:
    return ishigami(params)


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
    with pytest.raises(ValueError, match="same number"):
        replication_groups(runs.iloc[:-1], 1)


def test_leading_widths_are_the_convergence_checks_max_conf():
    X, runs = _runs(very_noisy_ishigami, 64, 1)
    frame = convergence(NOISY, "sobol", X, runs[["y"]], seed=4, steps=3, num_resamples=200)
    checked = check_convergence(frame)
    full = frame[frame["n"] == frame["n"].max()].drop(columns=["n", "n_runs"])
    widths = leading_widths(full)
    assert widths["max_conf"].iloc[0] == checked["max_conf"].iloc[0]
    assert widths["leading"].iloc[0] == checked["leading"].iloc[0]
    assert widths["top"].iloc[0] == full["ST"].max()


def test_on_a_function_without_noise_replications_only_cost_runs():
    X, runs = _runs(ishigami_ignoring_seed, 32, 4)
    widths = interval_widths(NOISY, "sobol", X, runs, 4, (1, 2, 4), num_resamples=200)
    # Every group repeats the same numbers: the same widths, no noise.
    assert widths.groupby("output")["max_conf"].nunique().eq(1).all()
    assert (widths["noise_share"] == 0).all()
    assert (widths["dummy"].abs() < 1e-12).all()
    table = allocation_table(widths)
    assert table["ratio"].tolist() == [1.0, 1.0]
    assert table["runs_ratio"].tolist() == [2.0, 2.0]


def test_averaging_replications_narrows_the_leaders_intervals_where_noise_dominates():
    X, runs = _runs(very_noisy_ishigami, 512, 4)
    widths = interval_widths(NOISY, "sobol", X, runs, 4, (1, 4), num_resamples=300)
    # The noise's share of the means' variance falls as 1/r (noise variance 64 against
    # Ishigami's 13.8: 0.82 for single runs, 0.54 for means of four) ...
    shares = widths.groupby("size")[["noise_share", "dummy"]].median()
    for size, share in shares.iterrows():
        expected = 64 / size / (ishigami_variance() + 64 / size)
        assert share["noise_share"] == pytest.approx(expected, abs=0.06)
        assert share["dummy"] == pytest.approx(expected, abs=0.1)  # the dummy reads it too
    # ... and with it the widest leading interval, by more than the groups' spread (0.082
    # to 0.095 for single runs, 0.072 for the means of four: a ratio of 0.81, so four
    # replications need 4 x 0.81^2 = 2.6 times the runs of a fourfold larger design).
    ones = widths.loc[widths["size"] == 1, "max_conf"]
    four = widths.loc[widths["size"] == 4, "max_conf"].iloc[0]
    assert four < ones.min()
    table = allocation_table(widths)
    assert table["ratio"].iloc[0] == pytest.approx(four / ones.median())
    assert table["runs_ratio"].iloc[0] == pytest.approx(4 * table["ratio"].iloc[0] ** 2)


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
    sizes = script.by_size(widths)
    assert sizes.index.tolist() == [(k, r) for k in ("contrasts", "levels") for r in (1, 2, 4)]
    assert len(script.summary(table, set(widths.loc[widths["contrast"], "output"]))) == 4
