"""The Sobol' analysis at each stored sample size, side by side.

``python benchmarks/sobol_by_n.py FOLDER [FOLDER ...] [--outputs NAME ...] [--top K]``

Each FOLDER holds a Sobol' run's ``indices.csv`` and ``convergence_check.csv`` (and its
``manifest.json``, for n): for instance ``results/reference/sobol`` (n = 32),
``results/reference/sobol_n64`` and ``results/reference/sobol_n128``. Prints, per folder,
how many outputs converged at the stated tolerance over its last doubling, and for each
output asked for (default: the groeiplan - subsidy channel contrasts of the headline
outcomes) its K leading total indices with their 95% bootstrap half-widths, so a reader
sees which leaders hold as the sample grows and how far the intervals have shrunk.

With two or more folders it also measures how fast the intervals shrink: for each output,
the widest half-width among the leaders at the largest n, at every n, fitted as
``width ~ n^rate`` on a log-log scale (``rate`` is -0.5 if they shrink as the estimators'
standard error does), and the n at which that rate would bring the widest half-width down
to the stated tolerance (``--target``, default 0.05), beside the n the standard rate
(-0.5) would need.

Over all outputs it checks that projection: each output's widest half-width among its
leaders at the largest n against the value the smallest n's projects for it at the rate
-0.5 (``width_small * sqrt(n_small / n_large)``): a median ratio near 1 says the intervals
shrink as a sampling error does, its spread how far one output's projection can be off
(the projected sample size is off by the ratio squared).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.sensitivity.convergence import sample_size_for

HEADLINE = (
    "groeiplan_vs_subsidy_channel:wellbeing",
    "groeiplan_vs_subsidy_channel:trust_government",
    "groeiplan_vs_subsidy_channel:participation",
    "groeiplan_vs_subsidy_channel:neighbourhoods_in_order",
    "groeiplan_vs_subsidy_channel:funds_disbursed_eur",
)


def settings_of(folder: Path) -> dict:
    """The run's ``[sensitivity]`` table, from its manifest."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return manifest["experiment"]["sensitivity"]


def sample_size(folder: Path) -> int:
    """The design's n, from the run's manifest."""
    return int(settings_of(folder)["n"])


def leaders(indices: pd.DataFrame, output: str, top: int) -> str:
    """``parameter ST ± half-width`` of the ``top`` largest total indices of ``output``."""
    rows = indices[indices["output"] == output].nlargest(top, "ST")
    return "; ".join(f"{r.parameter} {r.ST:.2f} ± {r.ST_conf:.2f}" for r in rows.itertuples())


def widest_half_width(indices: pd.DataFrame, output: str, parameters: list[str]) -> float:
    """The largest 95% bootstrap half-width of the total indices of ``parameters``."""
    rows = indices[(indices["output"] == output) & indices["parameter"].isin(parameters)]
    return float(rows["ST_conf"].max())


def shrink_rate(sizes: list[int], widths: list[float]) -> float:
    """The exponent of ``width ~ n^rate``, least squares on a log-log scale."""
    slope, _ = np.polyfit(np.log(sizes), np.log(widths), 1)
    return float(slope)


def projection_check(
    tables: dict[Path, pd.DataFrame], sizes: list[int], levels: set[str], top: int
) -> pd.DataFrame:
    """Per output: the widest half-width of its ``top`` leaders (at the largest n) at the
    smallest and the largest n, the latter's projection from the former at n^-0.5, their
    ratio and whether the output is a contrast (not in ``levels``)."""
    order = sorted(zip(sizes, tables.values(), strict=True), key=lambda pair: pair[0])
    (n_small, small), (n_large, large) = order[0], order[-1]
    rows = []
    for output in dict.fromkeys(large["output"]):
        names = list(large[large["output"] == output].nlargest(top, "ST")["parameter"])
        before = widest_half_width(small, output, names)
        after = widest_half_width(large, output, names)
        projected = before * np.sqrt(n_small / n_large)
        rows.append(
            {
                "output": output,
                "contrast": output not in levels,
                f"width_n{n_small}": before,
                f"width_n{n_large}": after,
                "projected": projected,
                "ratio": after / projected if projected > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--outputs", nargs="*", default=list(HEADLINE))
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.05)
    args = parser.parse_args()
    tables = {folder: pd.read_csv(folder / "indices.csv") for folder in args.folders}
    sizes = [sample_size(folder) for folder in args.folders]  # in the order of tables
    for folder, size in zip(args.folders, sizes, strict=True):
        check = pd.read_csv(folder / "convergence_check.csv")
        last = check[check["n"] == check["n"].max()]
        print(
            f"{folder} (n = {size}): {int(last['converged'].sum())} of "
            f"{len(last)} outputs converged from n = {int(last['n_previous'].max())} at "
            f"tolerance {last['tolerance'].iloc[0]:g}"
        )
    for output in args.outputs:
        print(f"\n{output}")
        for size, indices in zip(sizes, tables.values(), strict=True):
            print(f"  n = {size:4d}: {leaders(indices, output, args.top)}")
        if len(tables) < 2:
            continue
        last = tables[args.folders[int(np.argmax(sizes))]]
        names = list(last[last["output"] == output].nlargest(args.top, "ST")["parameter"])
        widths = [widest_half_width(indices, output, names) for indices in tables.values()]
        rate = shrink_rate(sizes, widths)
        width = widths[int(np.argmax(sizes))]
        needed = sample_size_for(width, args.target, max(sizes), rate)
        standard = sample_size_for(width, args.target, max(sizes))
        print(
            "  widest half-width of those leaders: "
            + ", ".join(f"{w:.2f}" for w in widths)
            + f"; shrinks as n^{rate:.2f}, so ±{args.target:g} at n ≈ {needed:,.0f}"
            + f" (at n^-0.5: {standard:,.0f})"
        )
    if len(tables) >= 2:
        levels = set(settings_of(args.folders[0])["outputs"])
        check = projection_check(tables, sizes, levels, args.top)
        print(
            f"\nwidest leader's half-width at n = {max(sizes)} / its projection from "
            f"n = {min(sizes)}:"
        )
        for kind, rows in check.groupby("contrast"):
            ratio = rows["ratio"].dropna()
            print(
                f"  {'contrasts' if kind else 'base outputs'} ({len(ratio)}): median "
                f"{ratio.median():.2f}, middle half {ratio.quantile(0.25):.2f}-"
                f"{ratio.quantile(0.75):.2f}, range {ratio.min():.2f}-{ratio.max():.2f}"
            )


if __name__ == "__main__":
    main()
