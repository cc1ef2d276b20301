"""benchmarks/symmetric_pair.py: paired differences and their intervals."""

import numpy as np
import pandas as pd
import pytest
from benchmark_scripts import load_benchmark
from model_config import SMALL
from scipy import stats


def test_intervals_are_t_intervals_separate_and_family_wise():
    script = load_benchmark("symmetric_pair")
    rng = np.random.default_rng(1)
    difference = pd.DataFrame({"zero": rng.normal(0, 1, 30), "shifted": rng.normal(3, 1, 30)})
    table = script.paired_table(difference)
    error = difference.std(ddof=1) / np.sqrt(30)
    assert table["standard_error"].to_numpy() == pytest.approx(error.to_numpy())
    half = table["high_95"] - table["difference"]
    assert half.to_numpy() == pytest.approx((stats.t.ppf(0.975, 29) * error).to_numpy())
    assert (table["high_joint"] - table["low_joint"] > 2 * half).all()  # Bonferroni is wider
    assert table.loc["zero", "low_95"] < 0 < table.loc["zero", "high_95"]
    assert table.loc["shifted", "low_joint"] > 0


def test_final_month_in_points_and_millions():
    script = load_benchmark("symmetric_pair")
    row = script.final("symmetric_fund", 1, {**SMALL, "months": 12})
    assert list(row.index) == list(script.OUTCOMES)
    assert 1 < row["participation"] < 100  # a share, in points
    assert 0 <= row["funds_disbursed_eur"] < 100  # EUR million in a small region
