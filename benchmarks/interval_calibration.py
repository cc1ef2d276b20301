"""Do a Sobol' run's bootstrap intervals say how far its indices can be off?

``python benchmarks/interval_calibration.py FOLDER [FOLDER ...] [--resamples R]``

Each FOLDER is a stored Sobol' run (a reference folder with its per-point means, as
``benchmarks/tables_from_means.py`` reads it). Its design is cut into two halves of
``n / 2`` base samples each, disjoint runs, and every total index is estimated on each
half with its own bootstrap (:func:`gemsim.sensitivity.disjoint_halves`). Where the runs'
noise dominates the halves' errors are independent, and if the half-widths are honest
the gap between the halves in standard errors of the difference
(:func:`gemsim.sensitivity.halves_z`) is about standard normal: |z| > 1.96 for about 5% of
the indices, median |z| about 0.67, root mean square 1, mean 0. Smaller gaps mean the
intervals overstate the error (or the halves' errors are correlated: the quasi-random
part of the design), larger ones that they flatter it; a mean away from 0 that one half
reads an index larger than the other (the design's balance, which no bootstrap sees).
Printed for the base scenario's outputs and the contrasts, all indices and each output's
three leaders at the full sample, and the mean z per parameter where it is furthest from 0.
An error both halves share (the noise's bias of a total index) is not seen. The indices
are many but not independent (an output's indices come from the same runs, and outputs
move together): the 95% intervals of the share and the root mean square resample whole
outputs; outputs that move together still make them too narrow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.analysis.sensitivity_data import load_from_means
from gemsim.sensitivity import disjoint_halves, halves_z

LEADERS = 3


def calibration(folder: Path, resamples: int = 1000) -> pd.DataFrame:
    """Per index: both halves' ST and half-widths, the full sample's, ``z``, whether the
    parameter is among its output's :data:`LEADERS` largest at the full sample and
    whether the output is a contrast."""
    data, outputs = load_from_means(folder)
    settings = data.settings
    halves = disjoint_halves(
        settings.problem(),
        "sobol",
        data.X,
        outputs.reset_index(drop=True),
        data.seed,
        num_resamples=resamples,
        conf_level=settings.conf_level,
    )
    full = pd.read_csv(folder / "indices.csv")[["output", "parameter", "ST", "ST_conf"]]
    table = halves.merge(full, on=["output", "parameter"]).dropna(subset=["ST_first", "ST_second"])
    table["z"] = halves_z(table, conf_level=settings.conf_level)
    rank = table.groupby("output")["ST"].rank(ascending=False, method="first")
    table["leader"] = rank <= LEADERS
    table["contrast"] = ~table["output"].isin(settings.outputs)
    return table


def by_output_bootstrap(
    z: pd.Series, outputs: pd.Series, resamples: int = 2000, seed: int = 0
) -> dict[str, str]:
    """95% intervals of the root mean square of ``z`` and of the share beyond 1.96 from a
    bootstrap that resamples whole outputs (an output's indices come from the same runs,
    so they are not independent evidence)."""
    frame = pd.DataFrame({"square": z**2, "beyond": (z.abs() > 1.96).astype(float)})
    per_output = frame.groupby(outputs.loc[z.index]).agg(["sum", "count"])
    squares = per_output[("square", "sum")].to_numpy()
    beyond = per_output[("beyond", "sum")].to_numpy()
    counts = per_output[("square", "count")].to_numpy()
    k = len(counts)
    weights = np.random.default_rng(seed).multinomial(k, np.full(k, 1 / k), size=resamples)
    total = weights @ counts
    rms = np.sqrt(weights @ squares / total)
    share = weights @ beyond / total
    low, high = 2.5, 97.5
    return {
        "rms z 95%": f"{np.percentile(rms, low):.2f}-{np.percentile(rms, high):.2f}",
        "share 95%": f"{np.percentile(share, low):.3f}-{np.percentile(share, high):.3f}",
    }


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per group (base outputs, contrasts; all indices, leaders): how many z, the share
    of |z| > 1.96, the median |z|, the root mean square and the mean of z, with 95%
    intervals of the share and the root mean square over outputs
    (:func:`by_output_bootstrap`)."""
    rows = {}
    for kind, outputs in (("base outputs", ~table["contrast"]), ("contrasts", table["contrast"])):
        for which, chosen in (("all", outputs), ("leaders", outputs & table["leader"])):
            z = table.loc[chosen, "z"].dropna()
            rows[f"{kind}, {which}"] = {
                "indices": len(z),
                "share |z| > 1.96": float((z.abs() > 1.96).mean()),
                "median |z|": float(z.abs().median()),
                "rms z": float(np.sqrt((z**2).mean())),
                "mean z": float(z.mean()),
                **by_output_bootstrap(z, table["output"]),
            }
    return pd.DataFrame.from_dict(rows, orient="index")


def by_parameter(table: pd.DataFrame, top: int = 5) -> pd.Series:
    """Mean z per parameter over the contrasts, the ``top`` furthest from 0."""
    mean = table[table["contrast"]].groupby("parameter")["z"].mean().dropna()
    return mean.reindex(mean.abs().sort_values(ascending=False).index[:top])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    for folder in args.folders:
        table = calibration(folder, args.resamples)
        print(f"{folder}: two halves of n = {int(table['n_half'].iloc[0])} base samples")
        print(summary(table).round(3).to_string())
        print("mean z per parameter over the contrasts, furthest from 0:")
        print(by_parameter(table).round(2).to_string(), end="\n\n")


if __name__ == "__main__":
    main()
