"""Does a re-run of a sensitivity experiment reproduce a stored one, point by point?

``python benchmarks/sobol_point_means.py FOLDER REFERENCE``

FOLDER holds the runs of ``gemsim sensitivity`` (its ``runs/`` and ``timeseries/``);
REFERENCE is a ``scenario_outputs.parquet`` that an analysis of the same experiment wrote
(e.g. ``results/reference/sobol/scenario_outputs.parquet``). For every point and scenario
of REFERENCE, the mean over replications of each output at the last month is taken from
FOLDER's runs and compared with REFERENCE's: the script prints, per output, whether every
value is identical and the largest relative difference. Points FOLDER holds beyond
REFERENCE's (a design grown with ``--extend``) are left out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.experiments import ResultStore

KEYS = ("point", "scenario", "replications")


def point_means(folder: Path, outputs: list[str]) -> pd.DataFrame:
    """Mean over replications of each output at the last month, per point and scenario."""
    series = ResultStore(folder).read_timeseries(columns=["scenario", "point", "month", *outputs])
    last = series.loc[series["month"] == series["month"].max()]
    return last.groupby(["point", "scenario"], sort=True)[outputs].mean().reset_index()


def compare(folder: Path, reference: Path) -> pd.DataFrame:
    """Per output: identical (every value) and the largest relative difference."""
    stored = pd.read_parquet(reference)
    outputs = [c for c in stored.columns if c not in KEYS]
    merged = stored.merge(
        point_means(folder, outputs), on=["point", "scenario"], suffixes=("_ref", "_new")
    )
    rows = []
    for name in outputs:
        before, now = merged[f"{name}_ref"].to_numpy(), merged[f"{name}_new"].to_numpy()
        scale = np.maximum(np.abs(before), 1e-12)
        rows.append(
            {
                "output": name,
                "compared": len(merged),
                "identical": bool(np.array_equal(before, now)),
                "max_relative_difference": float(np.max(np.abs(before - now) / scale)),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("reference", type=Path)
    args = parser.parse_args()
    print(compare(args.folder, args.reference).to_string(index=False))


if __name__ == "__main__":
    main()
