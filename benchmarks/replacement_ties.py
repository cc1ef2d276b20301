"""Why groeiplan_replacing and groeiplan end identical at some points of a sensitivity sample.

``python benchmarks/replacement_ties.py FOLDER [--others N] [--workers W] [--out FILE.csv]``

FOLDER is a Sobol' or Morris results folder made with a noise dummy whose scenarios include
groeiplan and groeiplan_replacing. Every point where the two end identical in every output
(the ties), and N other points drawn at random (seed 0), run again in both scenarios with
the point's own seeds. Each run counts the municipal applications that were approved but
refused because their municipality's pot was empty (``municipal_out_of_budget``, after
month 0). The explanation under test: replacing a share of the municipal small subsidies
can change nothing where no pot ever runs empty (the replaced money would have returned
unspent), so a tie should have no refusal for lack of budget in either scenario, and every
point where the pot binds in the replacing run should differ. Prints both shares and writes
one row per point and scenario.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.experiments.specs import RunSpec
from gemsim.model import month_zero
from gemsim.model.model import CommunityModel
from gemsim.study.experiment import load_experiment
from gemsim.study.plans import point_specs, stored_points

SCENARIOS = ["groeiplan", "groeiplan_replacing"]


def run(spec: RunSpec) -> dict[str, object]:
    """One run: its outputs at the horizon and the municipal grants refused for lack of budget."""
    with month_zero.SHARED.sharing():
        model = CommunityModel(scenario={**spec.params, "months": spec.months}, rng=spec.seed)
    final = model.run().iloc[-1].drop("month")
    return {
        "point": spec.point,
        "scenario": spec.scenario,
        "replication": spec.replication,
        "out_of_budget": model.counts["municipal_out_of_budget"],
        "municipal_grants": model.counts["municipal_grants"],
        **final.to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--others", type=int, default=100, help="untied points rerun too")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    manifest = json.loads((args.folder / "manifest.json").read_text())["experiment"]
    experiment = load_experiment(manifest["file"])
    stored = pd.read_parquet(args.folder / "scenario_outputs.parquet")
    outputs = [c for c in stored.columns if c not in ("point", "scenario", "replications")]
    wide = {name: stored[stored.scenario == name].set_index("point")[outputs] for name in SCENARIOS}
    tied = (wide[SCENARIOS[0]] == wide[SCENARIOS[1]]).all(axis=1)
    others = np.random.default_rng(0).choice(
        tied.index[~tied], min(args.others, int((~tied).sum())), replace=False
    )
    chosen = sorted([*tied.index[tied], *others])
    sample = pd.read_parquet(args.folder / "sample.parquet").set_index("point").loc[chosen]
    points = stored_points(sample)
    specs = point_specs(experiment, experiment.sensitivity_settings, points, SCENARIOS)
    # point_specs numbers the chosen points 0..k-1; give them back their sample numbers.
    specs = [dataclasses.replace(s, point=chosen[s.point]) for s in specs]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = pd.DataFrame(pool.map(run, specs, chunksize=4))

    per_point = runs.groupby(["point", "scenario"]).agg(
        out_of_budget=("out_of_budget", "sum"), municipal_grants=("municipal_grants", "sum")
    )
    means = runs.groupby(["scenario", "point"])[outputs].mean()
    same_as_folder = all(
        np.allclose(means.loc[name].to_numpy(), wide[name].loc[chosen].to_numpy(), rtol=0, atol=0)
        for name in SCENARIOS
    )
    binds = per_point["out_of_budget"].unstack()
    table = binds.rename(columns=lambda c: f"out_of_budget_{c}")
    table["tied"] = tied.loc[table.index]
    if args.out is not None:
        table.to_csv(args.out)
    print(
        f"{len(chosen)} points rerun ({int(tied.sum())} tied, {len(others)} others), "
        f"{len(runs)} runs; outputs as in the folder: {'yes' if same_as_folder else 'NO'}"
    )
    never = (binds == 0).all(axis=1)
    print(f"  tied points where no pot ever ran empty: {never[table.tied].mean():.1%}")
    print(
        f"  untied points where a pot ran empty in the replacing run: "
        f"{(binds.loc[~table.tied, SCENARIOS[1]] > 0).mean():.1%}"
    )
    print(f"  untied points where none did: {never[~table.tied].sum()} of {(~table.tied).sum()}")


if __name__ == "__main__":
    main()
