"""How far a Saltelli design's A and B matrices are from independent, parameter by parameter.

``python benchmarks/design_balance.py FOLDER [--sizes N ...] [--show K]``

FOLDER holds a Sobol' run's ``sample.parquet`` (the Saltelli design: per base point the row
A, the D rows A with column i from B, and the row B). ``gemsim report`` writes the same
table for the design's own prefix sizes as ``design_balance.csv``
(:mod:`gemsim.sensitivity.design_balance` explains the ratio). This prints, for each
prefix size, the parameters whose ratio lies furthest from 1 (independent columns).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gemsim.sensitivity.design_balance import design_balance


def balance(sample: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """:func:`gemsim.sensitivity.design_balance.design_balance` of a stored first-order
    design (``sample.parquet``: a ``point`` column and one column per parameter)."""
    names = [column for column in sample.columns if column != "point"]
    return design_balance(sample[names].to_numpy(dtype=float), names, sizes)


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
