"""Seconds per run, and the random path against the parameters, at a region size.

``python benchmarks/noise_floor.py [--municipalities M] [--buurten B] [--points P]
[--replications R]``

Runs ``groeiplan`` and ``subsidy_channel`` for ten years (one process, so the time per run
is that of one core): ``R`` replications at the default parameters, and one run at each of
``P`` random points of the Morris ranges (``experiments/morris.toml``). Prints the seconds
per run and, per headline outcome, the standard deviation between replications (the noise
of one run) beside the standard deviation across the points (parameters and noise), for the
level in ``groeiplan`` and for the paired contrast ``groeiplan - subsidy_channel``.

The noise-floor dummy's index in a design with ``R`` replications per point is about
``noise_sd**2 / R`` over the variance of the point means; this is how the replications of
``experiments/sobol.toml`` were chosen.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gemsim.experiments import replication_seeds
from gemsim.experiments.specs import RunSpec
from gemsim.sensitivity import Problem
from gemsim.study.experiment import load_experiment
from gemsim.study.simulation import simulate

OUTCOMES = (
    "trust_government",
    "participation",
    "wellbeing",
    "neighbourhoods_in_order",
    "collectives",
)
SCENARIOS = ("groeiplan", "subsidy_channel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=4)
    parser.add_argument("--buurten", type=int, default=30)
    parser.add_argument("--points", type=int, default=24)
    parser.add_argument("--replications", type=int, default=10)
    args = parser.parse_args()
    experiment = load_experiment("experiments/morris.toml")
    overrides = experiment.scenario_overrides()
    region = {
        "n_municipalities": args.municipalities,
        "neighbourhoods_per_municipality": args.buurten,
    }
    problem = Problem(experiment.sensitivity_settings.factors)
    bounds = np.array(problem.to_salib()["bounds"], dtype=float)
    rng = np.random.default_rng(1)
    unit = rng.random((args.points, len(bounds)))
    points = problem.decode_rows(bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0]))
    seeds = replication_seeds(7, args.replications)
    runs, clock = 0, time.perf_counter()

    def run(scenario: str, point: dict, seed: int) -> np.ndarray:
        nonlocal runs
        spec = RunSpec("x", scenario, 0, seed, 120, {**overrides[scenario], **region, **point})
        runs += 1
        return simulate(spec)[list(OUTCOMES)].iloc[-1].to_numpy(float)

    default = {s: np.array([run(s, {}, seed) for seed in seeds]) for s in SCENARIOS}
    sampled = {s: [] for s in SCENARIOS}
    for point in points:
        seed = int(rng.integers(2**62))
        for s in SCENARIOS:
            sampled[s].append(run(s, point, seed))
    seconds = (time.perf_counter() - clock) / runs
    print(
        f"{runs} runs of {args.municipalities} x {args.buurten} buurten x 120 months: "
        f"{seconds:.3f} s per run (one process)"
    )
    level_noise = default["groeiplan"].std(axis=0, ddof=1)
    diff_noise = (default["groeiplan"] - default["subsidy_channel"]).std(axis=0, ddof=1)
    g, b = np.array(sampled["groeiplan"]), np.array(sampled["subsidy_channel"])
    level_spread, diff_spread = g.std(axis=0, ddof=1), (g - b).std(axis=0, ddof=1)
    print("outcome: groeiplan noise sd / across points sd | contrast noise sd / across points sd")
    for j, name in enumerate(OUTCOMES):
        print(
            f"  {name}: {level_noise[j]:.3g} / {level_spread[j]:.3g} | "
            f"{diff_noise[j]:.3g} / {diff_spread[j]:.3g}"
        )


if __name__ == "__main__":
    main()
