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
