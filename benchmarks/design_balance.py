"""How far a Saltelli design's A and B matrices are from independent, parameter by parameter.

``python benchmarks/design_balance.py FOLDER [--sizes N ...] [--show K]``

FOLDER holds a Sobol' run's ``sample.parquet`` (the Saltelli design: per base point the row
A, the D rows A with column i from B, and the row B). The total-order estimator (Jansen)
reads parameter i's effect from ``f(A) - f(A_B^i)``, where A and A_B^i differ only in
column i, drawn once from A and once from B. For an effect linear in that parameter its
expected value is proportional to ``mean((a_i - b_i)^2) / (2 var)`` over the base points,
which is 1 when the two columns are independent. In a short prefix of a Sobol' sequence
they need not be: with a correlation r between the columns the ratio is about ``1 - r``
and the total index of a parameter that acts linearly is read that many times too low (or
high). This prints, for each prefix size, the parameters whose ratio lies furthest from 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def balance(sample: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """Per parameter and prefix size n: the correlation of its A and B columns over the
    first n base points and ``mean((a - b)^2) / (2 var)`` (1 when independent)."""
    names = [column for column in sample.columns if column != "point"]
    per = len(names) + 2
    if len(sample) % per:
        raise ValueError(f"{len(sample)} rows are not a Saltelli design of {len(names)} inputs")
    rows = []
    for name in names:
        values = sample[name].to_numpy(dtype=float).reshape(-1, per)
        a, b = values[:, 0], values[:, -1]
        for n in sizes:
            pair = np.concatenate([a[:n], b[:n]])
            spread = float(np.var(pair))
            ratio = float(np.mean((a[:n] - b[:n]) ** 2) / (2 * spread)) if spread else np.nan
            correlation = float(np.corrcoef(a[:n], b[:n])[0, 1]) if spread else np.nan
            rows.append({"parameter": name, "n": n, "correlation": correlation, "ratio": ratio})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sizes", nargs="*", type=int)
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    sample = pd.read_parquet(args.folder / "sample.parquet")
    per = sample.shape[1] - 1 + 2
    total = len(sample) // per
    sizes = args.sizes or [n for n in (16, 32, 64, 128, 256, 512, 1024) if n < total] + [total]
    table = balance(sample, sizes)
    for n, rows in table.groupby("n"):
        worst = rows.assign(off=(rows["ratio"] - 1).abs()).nlargest(args.show, "off")
        print(f"n = {n}: furthest from independent (ratio 1):")
        for r in worst.itertuples():
            print(f"  {r.parameter:40s} correlation {r.correlation:+.3f}  ratio {r.ratio:.3f}")


if __name__ == "__main__":
    main()
