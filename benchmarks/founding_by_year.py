"""The founding rule's terms year by year in the validation period (docs/ODD.md 7.19, 10.4).

``python benchmarks/founding_by_year.py [--seeds N] [--workers W] [--type NAME]``

Runs the patterns setup (``scenarios/status_quo_2013.toml``, 10 inhabitants per agent,
January 2013 to December 2023, as ``experiments/patterns.toml``) for seeds 1..N and prints,
at the end of every year and as the mean over seeds, for one collective type (default
``energy_cooperative``): the count N, the potential M in the region (national potential x
the region's population share x the share of candidate founders with the means), N/M, the
foundings a year the Bass rule expects in that state (12 x the month's expectation) and the
dissolutions a year the base rate expects (N x ``dissolution_rate_per_year``; collectives
without members or money end as well). It reads the model's state between months and
changes nothing, so the runs are the patterns runs of those seeds.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from gemsim import load_scenario
from gemsim.model.collective_types import COLLECTIVE_TYPES
from gemsim.model.collectives import founding_pool
from gemsim.model.model import CommunityModel

START_YEAR, MONTHS, INHABITANTS_PER_AGENT = 2013, 132, 10


def run(seed: int, type_name: str, **overrides: object) -> pd.DataFrame:
    """One run of the patterns setup (``overrides`` change it, e.g. for a quick test): per
    year, the type's count, potential and expected foundings and dissolutions."""
    kind = [t.name for t in COLLECTIVE_TYPES].index(type_name)
    settings: dict[str, object] = {
        "months": MONTHS,
        "inhabitants_per_agent": INHABITANTS_PER_AGENT,
        **overrides,
    }
    model = CommunityModel(load_scenario("status_quo_2013"), rng=seed, **settings)
    rows = []
    while model.running:
        model.step()
        if model.steps % 12:
            continue
        table = model.collectives
        count = int((table.kind[table.living()] == kind).sum())
        founders = founding_pool(model)
        potential = 0.0 if founders is None else float(founders.potential[kind])
        expected = 0.0 if founders is None else 12 * float(founders.expected(model)[kind])
        rows.append(
            {
                "year": START_YEAR + model.steps // 12 - 1,
                "count": count,
                "potential": potential,
                "foundings_expected": expected,
                "dissolutions_expected": count * model.params.dissolution_rate_per_year,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--type", default="energy_cooperative", dest="type_name")
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    with ProcessPoolExecutor(args.workers) as pool:
        frames = list(pool.map(run, seeds, [args.type_name] * len(seeds)))
    mean = pd.concat(frames).groupby("year").mean()
    mean.insert(2, "count_over_potential", mean["count"] / mean["potential"])
    pd.set_option("display.float_format", "{:.2f}".format)
    print(f"{args.type_name}, patterns setup, end of year, mean of seeds 1-{args.seeds}")
    print(mean.to_string())


if __name__ == "__main__":
    main()
