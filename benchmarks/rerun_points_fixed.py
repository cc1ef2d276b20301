"""Ablation on a sensitivity sample: rerun its points with some parameters held at defaults.

``python benchmarks/rerun_points_fixed.py FOLDER --fix in_order_threshold
infrastructure_initial_mean --scenarios groeiplan subsidy_channel
--outcome neighbourhoods_in_order --workers 2 --out FILE.csv``

FOLDER is a Sobol' or Morris results folder (``sample.parquet``, ``scenario_outputs.parquet``,
``manifest.json``) made with a noise dummy. Every point runs again for the two scenarios
with the point's own seeds (those of its noise-dummy stream, as in the analysis) and the
``--fix`` parameters at their defaults. Prints, for the contrast first scenario - second
on ``--outcome``, the shares of points where it is positive, zero and negative, as sampled
(from the folder) and with the parameters fixed; writes the per-point means of the rerun.
A first ``--points`` rerun without ``--fix`` checks that the seeds reproduce the folder.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.experiments.specs import RunSpec
from gemsim.model.parameters import Parameters
from gemsim.study.experiment import load_experiment
from gemsim.study.plans import point_specs, stored_points
from gemsim.study.simulation import simulate


def last_value(job: tuple[RunSpec, str]) -> tuple[str, int, float]:
    """The outcome at the horizon of one run: scenario, point, value."""
    spec, outcome = job
    series = simulate(spec)
    value = float(series.loc[series["month"] == spec.months, outcome].iloc[0])
    return spec.scenario, int(spec.run_id.split("-p")[1].split("-")[0]), value


def rerun(
    folder: Path,
    scenarios: list[str],
    outcome: str,
    fixed: list[str],
    points: int | None,
    workers: int,
) -> pd.DataFrame:
    """Per point and scenario, the outcome's mean over the point's replications."""
    manifest = json.loads((folder / "manifest.json").read_text())["experiment"]
    experiment = load_experiment(manifest["file"])
    if experiment.seed != manifest["seed"]:
        raise SystemExit(f"{manifest['file']} has another seed than the folder's runs")
    sample = pd.read_parquet(folder / "sample.parquet").set_index("point").sort_index()
    if points is not None:
        sample = sample.iloc[:points]
    defaults = Parameters()
    chosen = stored_points(sample)
    for point in chosen:
        point.update({name: getattr(defaults, name) for name in fixed})
    specs = point_specs(experiment, experiment.sensitivity_settings, chosen, scenarios)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(last_value, [(spec, outcome) for spec in specs], chunksize=4))
    runs = pd.DataFrame(rows, columns=["scenario", "point", outcome])
    return runs.groupby(["point", "scenario"])[outcome].mean().unstack()


def shares(contrast: pd.Series) -> str:
    values = contrast.to_numpy(dtype=float)
    return (
        f"positive {np.mean(values > 0):.1%}, zero {np.mean(values == 0):.1%}, "
        f"negative {np.mean(values < 0):.1%} of {values.size} points"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--fix", nargs="+", required=True)
    parser.add_argument("--scenarios", nargs=2, required=True)
    parser.add_argument("--outcome", required=True)
    parser.add_argument("--points", type=int, default=None, help="the first N points only")
    parser.add_argument("--check", type=int, default=10, help="points rerun as sampled first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    first, second = args.scenarios
    stored = pd.read_parquet(args.folder / "scenario_outputs.parquet")
    sampled = stored.pivot(index="point", columns="scenario", values=args.outcome)
    if args.check:
        again = rerun(args.folder, args.scenarios, args.outcome, [], args.check, args.workers)
        stored_means = sampled.loc[again.index, [first, second]].to_numpy()
        same = np.array_equal(again[[first, second]].to_numpy(), stored_means)
        print(f"first {args.check} points rerun as sampled: {'identical' if same else 'DIFFERENT'}")
        if not same:
            raise SystemExit(1)
    means = rerun(args.folder, args.scenarios, args.outcome, args.fix, args.points, args.workers)
    means.to_csv(args.out)
    print(f"{first} - {second} on {args.outcome}")
    print("  as sampled:", shares((sampled[first] - sampled[second]).loc[means.index]))
    print(f"  {', '.join(args.fix)} at defaults:", shares(means[first] - means[second]))


if __name__ == "__main__":
    main()
