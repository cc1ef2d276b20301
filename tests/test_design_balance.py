"""The Saltelli design's A/B balance: the package function, the benchmark script reading a
stored sample, and the report's paragraph, on planted designs."""

import numpy as np
import pandas as pd
import pytest
from benchmark_scripts import load_benchmark

from gemsim.analysis.sensitivity_report import _design_balance_part
from gemsim.sensitivity.design_balance import design_balance


def layout(a: np.ndarray, b: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """Saltelli rows: per base point A, the ``middle`` rows (n, k, D), then B."""
    return np.concatenate([a[:, None], middle, b[:, None]], axis=1).reshape(-1, a.shape[1])


def planted(n: int, seed: int = 0) -> pd.DataFrame:
    """A stored first-order sample of two inputs: x's B column independent of A, y's equal
    to it."""
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)), rng.random((n, 2))
    b[:, 1] = a[:, 1]
    ab = np.repeat(a[:, None], 2, axis=1)
    ab[:, 0, 0], ab[:, 1, 1] = b[:, 0], b[:, 1]  # A with column i from B
    frame = pd.DataFrame(layout(a, b, ab), columns=["x", "y"])
    return frame.assign(point=np.arange(len(frame)))[["point", "x", "y"]]


def test_independent_columns_have_ratio_one_and_identical_ones_zero():
    script = load_benchmark("design_balance")
    table = script.balance(planted(4000), [4000]).set_index("parameter")
    assert abs(table.loc["x", "ratio"] - 1) < 0.05
    assert abs(table.loc["x", "correlation"]) < 0.05
    assert table.loc["y", "ratio"] == 0
    assert table.loc["y", "correlation"] > 0.999


def test_prefixes_are_read_separately_and_a_wrong_layout_is_refused():
    script = load_benchmark("design_balance")
    table = script.balance(planted(64), [8, 64])
    assert list(table["n"]) == [8, 64, 8, 64]
    with pytest.raises(ValueError, match="not a Saltelli design"):  # a missing row
        script.balance(planted(8).iloc[:-1], [4])


def test_package_function_reads_a_and_b_rows_in_either_layout():
    rng = np.random.default_rng(1)
    a, b = rng.random((499, 2)), rng.random((499, 2))
    b[:, 1] = 1 - a[:, 1]  # perfectly anti-correlated: ratio 2 for y
    X = layout(a, b, np.zeros((499, 4, 2)))  # the A_B and B_A rows (not read)
    table = design_balance(X, ["x", "y"], [499], second_order=True).set_index("parameter")
    assert abs(table.loc["x", "ratio"] - 1) < 0.1
    assert abs(table.loc["y", "correlation"] + 1) < 1e-9
    assert abs(table.loc["y", "ratio"] - 2) < 0.05
    with pytest.raises(ValueError, match="not a Saltelli design"):  # 6 rows per point as 4
        design_balance(X, ["x", "y"], [499])


def test_report_names_the_parameters_read_off_and_leaves_out_the_noise_dummy():
    rng = np.random.default_rng(2)
    a, b = rng.random((512, 3)), rng.random((512, 3))
    b[:, 1] = a[:, 1] + 0.01 * rng.random(512)  # y: A and B nearly equal, ratio near 0
    b[:, 2] = a[:, 2]  # the dummy: just as unbalanced, but not named
    names = ["x", "y", "noise_floor"]
    balance = design_balance(layout(a, b, np.repeat(a[:, None], 3, axis=1)), names, [256, 512])
    text = _design_balance_part(balance, [256, 512], "noise_floor")
    assert "y (n = 256: 0.00, n = 512: 0.00)" in text
    assert "noise_floor" not in text
    assert "x (" not in text
    assert "x (" not in _design_balance_part(balance, [512], None)  # only the sizes asked
