"""More replications per point or a larger Sobol' design: which needs fewer runs?

``python benchmarks/replication_allocation.py RUN [--against FOLDER] [--same-as FOLDER]
[--resamples R] [--csv DIR]``

RUN is a stored Sobol' run with its runs (``gemsim sensitivity ... --replications R``,
``R`` a power of two). Its replications are cut into disjoint groups of 1, 2, 4, ... up to
``R`` (each the same design with its own random paths) and every group's indices are
estimated (:func:`gemsim.sensitivity.interval_widths`). Printed for the base scenario's
outputs and the contrasts: the median over outputs of the widest leading interval at each
group size and, from one size to the next, its ratio and ``runs_ratio``, the runs needed for
a tolerance with twice the replications over those with a twice larger design
(:func:`gemsim.sensitivity.allocation_table`; below 1, replications are cheaper), by the
random path's share of the point means' variance.

``--against FOLDER``: a stored run of the same design at twice the base sample and half the
replications (the same number of runs, e.g. a reference folder with ``convergence_check.csv``):
per output, its ``max_conf`` over this run's at the full ``R``.
``--same-as FOLDER``: a stored run of the same design with fewer replications (a reference
folder's ``scenario_outputs.parquet``): checks that this run's means over its first
replications are the folder's (or its runs' means), bit for bit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.analysis.sensitivity_data import (
    SCENARIO_OUTPUTS_FILE,
    SensitivityData,
    load_sensitivity,
    replication_values,
    scenario_means,
)
from gemsim.sensitivity import allocation_table, interval_widths

NOISE_BINS = (0.0, 0.3, 0.5, 0.7, 0.9, np.inf)


def long_runs(data: SensitivityData) -> pd.DataFrame:
    """Every analysed output (base outputs and contrasts) per point and replication."""
    frames = {
        name: values.stack().rename(name) for name, values in replication_values(data).items()
    }
    runs = pd.concat(frames.values(), axis=1).reset_index()
    return runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)


def group_sizes(replications: int) -> list[int]:
    """1, 2, 4, ... up to ``replications``."""
    sizes = [1]
    while sizes[-1] * 2 <= replications:
        sizes.append(sizes[-1] * 2)
    return sizes


def widths_of(data: SensitivityData, resamples: int = 1000) -> pd.DataFrame:
    """:func:`gemsim.sensitivity.interval_widths` of a stored run at every group size, with
    a ``contrast`` column."""
    settings = data.settings
    runs = long_runs(data)
    widths = interval_widths(
        settings.problem(),
        "sobol",
        data.X,
        runs,
        data.seed,
        group_sizes(settings.replications),
        num_resamples=resamples,
        conf_level=settings.conf_level,
    )
    widths["contrast"] = ~widths["output"].isin(settings.outputs)
    return widths


def by_size(widths: pd.DataFrame) -> pd.DataFrame:
    """Per kind of output and group size: medians over outputs (each the median over its
    groups) of the random path's share of the means' variance, the noise dummy's index (if
    the design has one), the largest index and the widest leading interval."""
    columns = [c for c in ("noise_share", "dummy", "top", "max_conf") if c in widths.columns]
    kind = np.where(widths["contrast"], "contrasts", "levels")
    per_output = widths.groupby([kind, "size", "output"])[columns].median()
    return per_output.groupby(level=[0, 1]).median().rename_axis(["outputs", "replications"])


def summary(table: pd.DataFrame, contrasts: set[str]) -> pd.DataFrame:
    """Per kind of output and step of group size: medians and the middle half of
    ``ratio`` and ``runs_ratio``, and the share of outputs where replications are cheaper."""
    table = table.assign(kind=np.where(table["output"].isin(contrasts), "contrasts", "levels"))
    table = table.dropna(subset=["runs_ratio"])

    def quartiles(values: pd.Series) -> str:
        low, mid, high = values.quantile([0.25, 0.5, 0.75])
        return f"{mid:.2f} ({low:.2f}-{high:.2f})"

    rows = []
    for (kind, size, larger), part in table.groupby(["kind", "size", "next_size"]):
        rows.append(
            {
                "outputs": kind,
                "replications": f"{size} -> {larger}",
                "n": len(part),
                "median max_conf": f"{part['max_conf'].median():.3f} -> "
                f"{part['next_max_conf'].median():.3f}",
                "ratio": quartiles(part["ratio"]),
                "runs_ratio": quartiles(part["runs_ratio"]),
                "replications cheaper": f"{(part['runs_ratio'] < 1).mean():.0%}",
            }
        )
    return pd.DataFrame(rows)


def by_noise(table: pd.DataFrame) -> pd.DataFrame:
    """Median ``runs_ratio`` by the random path's share of the smaller size's point means."""
    bins = pd.cut(table["noise_share"], NOISE_BINS, right=False)
    grouped = table.groupby([table["size"], bins], observed=True)["runs_ratio"]
    return grouped.agg(outputs="size", median="median").reset_index()


def against(widths: pd.DataFrame, folder: Path) -> pd.Series:
    """Per output: ``folder``'s ``max_conf`` (convergence_check.csv) over this run's at
    the full group size."""
    theirs = pd.read_csv(folder / "convergence_check.csv").set_index("output")["max_conf"]
    full = widths[widths["size"] == widths["size"].max()].set_index("output")["max_conf"]
    return (theirs / full).dropna().rename("their_max_conf / ours")


def same_as(data: SensitivityData, folder: Path) -> int:
    """How many point-scenario means over this run's first replications differ from
    ``folder``'s (its ``scenario_outputs.parquet``, or the means of its runs), compared bit
    for bit; raises if the points or scenarios differ."""
    stored = folder / SCENARIO_OUTPUTS_FILE
    theirs = (
        pd.read_parquet(stored) if stored.exists() else scenario_means(load_sensitivity(folder))
    )
    replications = int(theirs["replications"].iloc[0])
    first = data.values[data.values["replication"] < replications]
    ours = first.groupby(["point", "scenario"], sort=True).mean(numeric_only=True)
    ours = ours.drop(columns="replication")
    theirs = theirs.set_index(["point", "scenario"]).sort_index()[ours.columns]
    if not ours.index.equals(theirs.index):
        raise ValueError(f"{folder} holds other points or scenarios than this run")
    return int((ours.to_numpy() != theirs.to_numpy()).any(axis=1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--same-as", type=Path)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--csv", type=Path, help="write widths.csv and allocation.csv here")
    args = parser.parse_args()
    data = load_sensitivity(args.run)
    if args.same_as is not None:
        differ = same_as(data, args.same_as)
        print(f"means over the first replications differing from {args.same_as}: {differ}")
    widths = widths_of(data, args.resamples)
    table = allocation_table(widths)
    contrasts = set(widths.loc[widths["contrast"], "output"])
    n = len(data.X) // (data.settings.problem().num_vars + 2)
    print(f"{args.run}: n = {n} base samples, {data.settings.replications} replications")
    print(by_size(widths).round(3).to_string())
    print(summary(table, contrasts).to_string(index=False))
    print("median runs_ratio by the random path's share of the point means' variance:")
    print(by_noise(table).round(2).to_string(index=False))
    if args.against is not None:
        ratio = against(widths, args.against)
        low, mid, high = ratio.quantile([0.25, 0.5, 0.75])
        print(
            f"{args.against}'s widest leading interval over this run's, same runs: median "
            f"{mid:.2f} (middle half {low:.2f}-{high:.2f}), {len(ratio)} outputs; "
            f"narrower there for {(ratio < 1).mean():.0%}"
        )
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        widths.to_csv(args.csv / "widths.csv", index=False)
        table.to_csv(args.csv / "allocation.csv", index=False)


if __name__ == "__main__":
    main()
