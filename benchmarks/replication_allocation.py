"""More replications per point or a larger Sobol' design: which needs fewer runs?

``python benchmarks/replication_allocation.py RUN [--against FOLDER] [--same-as FOLDER]
[--own-leaders] [--resamples R] [--csv DIR]``

RUN is a stored Sobol' run with its runs (``gemsim sensitivity ... --replications R``,
``R`` a power of two). Its replications are cut into disjoint groups of 1, 2, 4, ... up to
``R`` (each the same design with its own random paths) and every group's indices are
estimated on the whole design and on its first half of base samples
(:func:`gemsim.sensitivity.interval_widths`; each output's leaders fixed, the noise dummy
left out). Printed for the base scenario's outputs and the contrasts: per group size the
medians of the random path's share of the point means, the dummy's index, the leaders'
mean index and their widest interval (as estimated and divided by ``1 - noise_share``);
per step from ``r`` to ``2 r`` replications the comparisons of
:func:`gemsim.sensitivity.allocation_table`:
``equal_runs``, measured (``2 r`` on half the base samples over ``r`` on all, the same
runs) and ``runs_ratio``, projected at the ``1 / sqrt(n)`` rate; below 1, replications are
the cheaper way; the same by the random path's share.

``--against FOLDER``: a stored run of the same design at twice the base sample and half the
replications (the same number of runs; a reference folder's ``indices.csv`` and
``noise.csv``): per output, its widest interval among this run's leaders over this run's,
at the full ``R``.
``--own-leaders``: each group's leaders are its own largest indices instead of those of
the means over all replications (a check that choosing them on data the larger groups
share more of does not decide the comparison).
``--same-as FOLDER``: a stored run of the same design with fewer replications (a reference
folder's ``scenario_outputs.parquet``, or its runs): checks that this run's means over its
first replications are the folder's, bit for bit.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
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
from gemsim.sensitivity import allocation_table, interval_widths, replication_groups

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


def widths_of(
    data: SensitivityData, resamples: int = 1000, own_leaders: bool = False
) -> pd.DataFrame:
    """:func:`gemsim.sensitivity.interval_widths` of a stored run at every group size, with
    a ``contrast`` column. With ``own_leaders`` each group is analysed on its own, so its
    leaders are its own largest indices (the same selection at every size, where fixed
    leaders are chosen on all replications, which the larger groups share more of); the
    random path's share is then the group's own (NaN for single runs)."""
    settings = data.settings
    options = {**settings.analysis_options(), "num_resamples": resamples}
    sizes = group_sizes(settings.replications)
    runs = long_runs(data)

    def widths(part: pd.DataFrame, chosen: list[int]) -> pd.DataFrame:
        problem = settings.problem()
        return interval_widths(problem, settings.method, data.X, part, data.seed, chosen, **options)

    if own_leaders:
        frames = []
        for size in sizes:
            for number, group in enumerate(replication_groups(runs, size)):
                frames.append(widths(group, [size]).assign(group=number))
        found = pd.concat(frames, ignore_index=True)
    else:
        found = widths(runs, sizes)
    found["contrast"] = ~found["output"].isin(settings.outputs)
    return found


def by_size(widths: pd.DataFrame) -> pd.DataFrame:
    """Per kind of output and group size, on the whole design: medians over outputs (each
    the median over its groups) of the random path's share of the means' variance, the
    noise dummy's index (if the design has one), the leaders' mean index and their widest
    interval, as estimated and scaled by ``1 - noise_share``."""
    columns = ("noise_share", "dummy", "leaders_index", "max_conf", "scaled_conf")
    full = widths[widths["n"] == widths["n"].max()]
    kind = np.where(full["contrast"], "contrasts", "levels")
    chosen = [c for c in columns if c in full.columns]
    per_output = full.groupby([kind, "size", "output"])[chosen].median()
    return per_output.groupby(level=[0, 1]).median().rename_axis(["outputs", "replications"])


def quartiles(values: pd.Series) -> str:
    """``median (lower quartile-upper quartile)``."""
    low, mid, high = values.quantile([0.25, 0.5, 0.75])
    return f"{mid:.2f} ({low:.2f}-{high:.2f})"


def summary(table: pd.DataFrame, contrasts: set[str]) -> pd.DataFrame:
    """Per kind of output and step of group size: the median and middle half over outputs
    of each comparison in :func:`gemsim.sensitivity.allocation_table`, and the share of
    outputs where, at equal runs, replications gave the narrower intervals."""
    table = table.assign(kind=np.where(table["output"].isin(contrasts), "contrasts", "levels"))
    rows = []
    for (kind, size, larger), part in table.groupby(["kind", "size", "next_size"]):
        row = {"outputs": kind, "replications": f"{size} -> {larger}", "n": len(part)}
        for column in ("runs_ratio", "equal_runs", "scaled_runs_ratio", "scaled_equal_runs"):
            row[column] = quartiles(part[column].dropna())
        for column in ("equal_runs", "scaled_equal_runs"):
            row[f"{column} < 1"] = f"{(part[column].dropna() < 1).mean():.0%}"
        rows.append(row)
    return pd.DataFrame(rows)


def by_noise(table: pd.DataFrame) -> pd.DataFrame:
    """Median comparisons by the random path's share of the smaller size's point means."""
    bins = pd.cut(table["noise_share"], NOISE_BINS, right=False)
    columns = ["equal_runs", "scaled_equal_runs", "runs_ratio", "scaled_runs_ratio"]
    grouped = table.groupby([table["size"], bins], observed=True)
    found = grouped[columns].median()
    found.insert(0, "outputs", grouped.size())
    return found.reset_index()


def against(widths: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Per output: ``folder``'s widest interval among this run's leaders (its
    ``indices.csv``; scaled by its ``noise.csv``'s share) over this run's, at the largest
    group size and the whole design. For a folder with the same runs (twice the base
    samples, half the replications) below 1 says the larger design gave narrower ones."""
    full = widths[(widths["size"] == widths["size"].max()) & (widths["n"] == widths["n"].max())]
    full = full.set_index("output")
    theirs = pd.read_csv(folder / "indices.csv").set_index(["output", "parameter"])["ST_conf"]
    share = pd.read_csv(folder / "noise.csv").set_index("output")["noise_share_of_means"]
    rows = {}
    for output, row in full.iterrows():
        widest = theirs.loc[output].reindex(row["leading"].split(", ")).abs().max(skipna=False)
        rows[output] = {
            "ratio": widest / row["max_conf"],
            "scaled_ratio": widest / (1 - share.get(output, np.nan)) / row["scaled_conf"],
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def same_as(data: SensitivityData, folder: Path) -> int:
    """How many point-scenario means over this run's first replications differ from
    ``folder``'s (its ``scenario_outputs.parquet``, or the means of its runs), compared bit
    for bit; raises if the points or scenarios differ."""
    stored = folder / SCENARIO_OUTPUTS_FILE
    theirs = (
        pd.read_parquet(stored) if stored.exists() else scenario_means(load_sensitivity(folder))
    )
    replications = int(theirs["replications"].iloc[0])
    first = replace(data, values=data.values[data.values["replication"] < replications])
    ours = scenario_means(first).set_index(["point", "scenario"])
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
    parser.add_argument(
        "--own-leaders", action="store_true", help="each group's own leaders, not fixed ones"
    )
    parser.add_argument("--csv", type=Path, help="write widths.csv and allocation.csv here")
    args = parser.parse_args()
    data = load_sensitivity(args.run)
    if args.same_as is not None:
        differ = same_as(data, args.same_as)
        print(f"means over the first replications differing from {args.same_as}: {differ}")
    widths = widths_of(data, args.resamples, args.own_leaders)
    table = allocation_table(widths)
    contrasts = set(widths.loc[widths["contrast"], "output"])
    n = int(widths["n"].max())
    print(f"{args.run}: n = {n} base samples, {data.settings.replications} replications")
    print(by_size(widths).round(3).to_string())
    print(summary(table, contrasts).to_string(index=False))
    print("medians by the random path's share of the point means' variance:")
    print(by_noise(table).round(2).to_string(index=False))
    if args.against is not None:
        ratios = against(widths, args.against)
        kind = np.where(ratios.index.isin(contrasts), "contrasts", "levels")
        print(f"{args.against}'s widest leading interval over this run's, same leaders:")
        for name, part in ratios.groupby(kind):
            for column, values in part.items():
                values = values.dropna()
                print(
                    f"  {name}, {column}: {quartiles(values)}, narrower there for "
                    f"{(values < 1).mean():.0%} of {len(values)}"
                )
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        widths.to_csv(args.csv / "widths.csv", index=False)
        table.to_csv(args.csv / "allocation.csv", index=False)


if __name__ == "__main__":
    main()
