"""benchmarks/design_balance.py on planted Saltelli designs."""

import numpy as np
import pandas as pd
from benchmark_scripts import load_benchmark


def planted(n: int, seed: int = 0) -> pd.DataFrame:
    """A Saltelli layout of two inputs: x's B column independent of A, y's equal to it."""
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)), rng.random((n, 2))
    b[:, 1] = a[:, 1]
    rows = []
    for k in range(n):
        ab0, ab1 = a[k].copy(), a[k].copy()
        ab0[0], ab1[1] = b[k, 0], b[k, 1]
        rows += [a[k], ab0, ab1, b[k]]
    frame = pd.DataFrame(rows, columns=["x", "y"])
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
    try:
        script.balance(planted(8).iloc[:-1], [4])
    except ValueError as error:
        assert "not a Saltelli design" in str(error)
    else:
        raise AssertionError("a design with a missing row was accepted")


def test_package_function_reads_a_and_b_rows_in_either_layout():
    from gemsim.sensitivity.design_balance import design_balance

    rng = np.random.default_rng(1)
    a, b = rng.random((499, 2)), rng.random((499, 2))
    b[:, 1] = 1 - a[:, 1]  # perfectly anti-correlated: ratio 2 for y
    middle = np.zeros((499, 4, 2))  # the A_B and B_A rows (not read)
    X = np.concatenate([a[:, None], middle, b[:, None]], axis=1).reshape(-1, 2)
    table = design_balance(X, ["x", "y"], [499], second_order=True).set_index("parameter")
    assert abs(table.loc["x", "ratio"] - 1) < 0.1
    assert abs(table.loc["y", "correlation"] + 1) < 1e-9
    assert abs(table.loc["y", "ratio"] - 2) < 0.05
    try:
        design_balance(X, ["x", "y"], [499])  # 6 rows per point read as 4: refused
    except ValueError as error:
        assert "not a Saltelli design" in str(error)
    else:
        raise AssertionError("a second-order design was read as first-order")


def test_report_names_the_parameters_read_off_and_leaves_out_the_noise_dummy():
    from types import SimpleNamespace

    from gemsim.analysis.sensitivity_report import _design_balance_part

    rng = np.random.default_rng(2)
    a, b = rng.random((512, 3)), rng.random((512, 3))
    b[:, 1] = a[:, 1] + 0.01 * rng.random(512)  # y: A and B nearly equal, ratio near 0
    b[:, 2] = a[:, 2]  # the dummy: just as unbalanced, but not named
    middle = np.repeat(a[:, None], 3, axis=1)
    X = np.concatenate([a[:, None], middle, b[:, None]], axis=1).reshape(-1, 3)
    problem = SimpleNamespace(names=["x", "y", "noise_floor"])
    settings = SimpleNamespace(
        problem=lambda: problem, calc_second_order=False, noise_dummy_name="noise_floor"
    )
    text = _design_balance_part(SimpleNamespace(settings=settings, X=X), [512])
    assert "y (n = 256: 0.00, n = 512: 0.00)" in text
    assert "noise_floor" not in text
    assert "x (" not in text
