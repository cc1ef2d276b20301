"""How far a Saltelli design's A and B matrices are from independent, parameter by parameter.

``python benchmarks/design_balance.py FOLDER [--sizes N ...] [--show K]``
``python benchmarks/design_balance.py --pairings D [--estimates]``

FOLDER holds a Sobol' run's ``sample.parquet`` (the Saltelli design: per base point the row
A, the D rows A with column i from B, and the row B). ``gemsim report`` writes the same
table for the design's own prefix sizes as ``design_balance.csv``
(:mod:`gemsim.sensitivity.design_balance` explains the ratio). This prints, for each
prefix size, the parameters whose ratio lies furthest from 1 (independent columns).

With ``--pairings D`` it reads no folder: for a design of D factors it compares SALib's
pairing of A's and B's columns with the balanced one (:mod:`gemsim.sensitivity.sobol_design`),
per prefix size, by the root-mean-square correlation of each pair over 256 scrambles
other than the ones the balanced pairing was chosen on (worst pair and mean over pairs),
beside ``1/sqrt(n)`` for independent random draws. With ``--estimates`` it also gives the
error of SALib's first- and total-order estimators on a linear function with unequal
coefficients (``c_i = (1 + 2 i / (D - 1))^2``, analytic indices ``c_i^2 / sum c^2``) in
each pairing's design over the same scrambles: the root-mean-square error of the worst
factor and the mean over factors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze.sobol import first_order, total_order

from gemsim.sensitivity import Factor, Problem
from gemsim.sensitivity.design_balance import design_balance
from gemsim.sensitivity.sobol_design import (
    PAIRING_SCRAMBLES,
    PAIRING_SIZES,
    PAIRINGS,
    balanced_pairing,
    pair_correlations,
    saltelli_design,
)


def balance(sample: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """:func:`gemsim.sensitivity.design_balance.design_balance` of a stored first-order
    design (``sample.parquet``: a ``point`` column and one column per parameter)."""
    names = [column for column in sample.columns if column != "point"]
    return design_balance(sample[names].to_numpy(dtype=float), names, sizes)


#: Scrambles the comparison is measured on: none of those the pairing was chosen on.
HELD_OUT = range(1000, 1256)


def pairings(
    dims: int, sizes: tuple[int, ...] = PAIRING_SIZES, seeds: range = HELD_OUT
) -> pd.DataFrame:
    """Per prefix size and pairing (``salib``, ``balanced``): the worst and the mean pair's
    root-mean-square correlation over the scrambles ``seeds``, and ``1/sqrt(n)``
    (independent draws)."""
    assert seeds.start >= PAIRING_SCRAMBLES, "measure on scrambles the pairing was not chosen on"
    rms = pair_correlations(dims, sizes, seeds)
    factor = np.arange(dims)
    chosen = {"salib": factor, "balanced": np.array(balanced_pairing(dims))}
    rows = []
    for k, n in enumerate(sizes):
        for name, columns in chosen.items():
            pair = rms[k, factor, columns] / np.sqrt(n)
            rows.append(
                {
                    "n": n,
                    "pairing": name,
                    "worst": float(pair.max()),
                    "mean": float(pair.mean()),
                    "independent": 1 / np.sqrt(n),
                }
            )
    return pd.DataFrame(rows)


def linear_estimates(
    dims: int, sizes: tuple[int, ...] = (32, 64), seeds: range = HELD_OUT
) -> pd.DataFrame:
    """Per size, pairing and index (S1, ST): the root-mean-square error of the worst
    factor and the mean one, over the designs of the scrambles ``seeds``, for the linear
    function with coefficients ``(1 + 2 i / (dims - 1))^2`` on unit-uniform factors."""
    assert seeds.start >= PAIRING_SCRAMBLES, "measure on scrambles the pairing was not chosen on"
    problem = Problem(tuple(Factor(f"x{i}", 0.0, 1.0) for i in range(dims)), outputs=("y",))
    weights = np.linspace(1.0, 3.0, dims) ** 2
    truth = weights**2 / np.sum(weights**2)
    rows = []
    for n in sizes:
        for pairing in PAIRINGS:
            errors: dict[str, list[np.ndarray]] = {"S1": [], "ST": []}
            for seed in seeds:
                y = saltelli_design(problem, n, seed, pairing=pairing) @ weights
                y = ((y - y.mean()) / y.std()).reshape(n, dims + 2)
                f_ab = y[:, 1:-1]  # SALib's estimators take A and B once per factor
                f_a, f_b = (np.repeat(y[:, k : k + 1], dims, axis=1) for k in (0, dims + 1))
                errors["S1"].append(first_order(f_a, f_ab, f_b) - truth)
                errors["ST"].append(total_order(f_a, f_ab, f_b) - truth)
            for index, found in errors.items():
                rmse = np.sqrt(np.mean(np.square(found), axis=0))
                rows.append(
                    {
                        "n": n,
                        "pairing": pairing,
                        "index": index,
                        "worst_rmse": float(rmse.max()),
                        "mean_rmse": float(rmse.mean()),
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--sizes", nargs="*", type=int)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--pairings", type=int, metavar="D")
    parser.add_argument("--estimates", action="store_true")
    args = parser.parse_args()
    if args.pairings is not None:
        sizes = tuple(args.sizes) if args.sizes else PAIRING_SIZES
        print(f"A/B pairs of a Sobol' design of {args.pairings} factors: root-mean-square")
        print(f"correlation over {len(HELD_OUT)} held-out scrambles (1/sqrt(n): independent)")
        print(pairings(args.pairings, sizes).to_string(index=False, float_format="%.3f"))
        if args.estimates:
            print("\nSALib's estimators on a linear function, error over the same scrambles")
            table = linear_estimates(args.pairings)
            print(table.to_string(index=False, float_format="%.4f"))
        return
    if args.folder is None:
        parser.error("give a results FOLDER or --pairings D")
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
