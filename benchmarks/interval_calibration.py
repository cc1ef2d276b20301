"""Do a Sobol' run's bootstrap intervals say how far its indices can be off?

``python benchmarks/interval_calibration.py FOLDER [FOLDER ...] [--resamples R]``

Each FOLDER is a stored Sobol' run (a reference folder with its per-point means, as
``benchmarks/tables_from_means.py`` reads it). Its design is cut into two halves of
``n / 2`` base samples each, disjoint runs, and every total index is estimated on each
half with its own bootstrap (:func:`gemsim.sensitivity.disjoint_halves`). If the 95%
half-widths are honest, the gap between the halves in standard errors of the difference
(:func:`gemsim.sensitivity.halves_z`) is about standard normal: |z| > 1.96 for about 5% of
the indices, median |z| about 0.67. Smaller gaps mean the intervals overstate the error,
larger ones that they flatter it. Printed for all indices and for each output's three
leaders (at the full sample), with the ratio of a half's half-width to the full sample's
(sqrt 2 = 1.41 if the intervals shrink as 1/sqrt(n), which is what the convergence
check's ``n_for_tolerance`` assumes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.analysis.sensitivity_data import load_from_means
from gemsim.sensitivity import disjoint_halves, halves_z
from gemsim.sensitivity.methods import analysis_seed

LEADERS = 3


def calibration(folder: Path, resamples: int = 1000) -> pd.DataFrame:
    """Per index: both halves' ST and half-widths, the full sample's, ``z`` and whether
    the parameter is among its output's :data:`LEADERS` largest at the full sample."""
    data, outputs = load_from_means(folder)
    problem = data.settings.problem()
    halves = disjoint_halves(
        problem,
        "sobol",
        data.X,
        outputs.reset_index(drop=True),
        analysis_seed(data.seed),
        num_resamples=resamples,
    )
    full = pd.read_csv(folder / "indices.csv")[["output", "parameter", "ST", "ST_conf"]]
    table = halves.merge(full, on=["output", "parameter"]).dropna(subset=["ST_first", "ST_second"])
    table["z"] = halves_z(table)
    rank = table.groupby("output")["ST"].rank(ascending=False, method="first")
    table["leader"] = rank <= LEADERS
    return table


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Share of |z| > 1.96, median |z| and the median ratio of a half's half-width to the
    full sample's, for all indices and for the leaders."""
    rows = {}
    for name, part in (("all indices", table), ("leaders", table[table["leader"]])):
        z = part["z"].abs().dropna()
        ratio = (part["ST_conf_first"] / part["ST_conf"]).replace(np.inf, np.nan).dropna()
        rows[name] = {
            "indices": len(z),
            "share |z| > 1.96": float((z > 1.96).mean()),
            "median |z|": float(z.median()),
            "half-width ratio, half / full": float(ratio.median()),
        }
    return pd.DataFrame(rows).T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    for folder in args.folders:
        table = calibration(folder, args.resamples)
        print(f"{folder}: two halves of n = {int(table['n_half'].iloc[0])} base samples")
        print(summary(table).round(3).to_string(), end="\n\n")


if __name__ == "__main__":
    main()
