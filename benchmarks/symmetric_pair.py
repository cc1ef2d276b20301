"""How far the symmetric pair's two channels differ (docs/ODD.md, section 9).

``python benchmarks/symmetric_pair.py [--seeds N] [--workers W] [--set name=value ...]``

Runs ``scenarios/symmetric_subsidy.toml`` and ``symmetric_fund.toml`` for seeds 0..N-1
(default 30, the slow test's; the same seeds in both: common random numbers), with any
``--set`` overrides in both (e.g. ``--set spin_up_months=0``), and prints per outcome at
the last month the mean paired difference (fund - subsidy), its standard error, its
separate 95% interval and the interval at the family-wise 95% level of the test
(Bonferroni over the five headline outcomes of ``tests/test_symmetry.py``). Shares are in
percentage points, money in EUR million.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats

from gemsim import load_scenario
from gemsim.model.model import CommunityModel
from gemsim.model.parameters import value_from_text

HEADLINE = (
    "wellbeing",
    "participation",
    "trust_government",
    "neighbourhoods_in_order",
    "funds_disbursed_eur",
)
OUTCOMES = (*HEADLINE, "active_share", "social_trust")
POINTS = (
    "participation",
    "trust_government",
    "neighbourhoods_in_order",
    "active_share",
    "social_trust",
)


def final(scenario: str, seed: int, overrides: dict[str, object]) -> pd.Series:
    """The outcomes of one run at its last month (shares in points, money in EUR M)."""
    last = CommunityModel(load_scenario(scenario), rng=seed, **overrides).run().iloc[-1]
    values = last[list(OUTCOMES)].astype(float)
    values[list(POINTS)] *= 100
    values["funds_disbursed_eur"] /= 1e6
    return values


def paired_table(difference: pd.DataFrame) -> pd.DataFrame:
    """Per outcome (column of ``difference``, one row per seed): mean, standard error and
    the separate and family-wise (over the headline outcomes) 95% t intervals."""
    n = len(difference)
    mean = difference.mean()
    error = difference.std(ddof=1) / np.sqrt(n)
    separate = stats.t.ppf(0.975, n - 1) * error
    joint = stats.t.ppf(1 - 0.05 / len(HEADLINE) / 2, n - 1) * error
    return pd.DataFrame(
        {
            "difference": mean,
            "standard_error": error,
            "low_95": mean - separate,
            "high_95": mean + separate,
            "low_joint": mean - joint,
            "high_joint": mean + joint,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    overrides = {k: value_from_text(v) for k, v in (item.split("=", 1) for item in args.set)}
    seeds = list(range(args.seeds))
    finals = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for scenario in ("symmetric_subsidy", "symmetric_fund"):
            rows = pool.map(final, [scenario] * len(seeds), seeds, [overrides] * len(seeds))
            finals[scenario] = pd.DataFrame(list(rows), index=seeds)
    table = paired_table(finals["symmetric_fund"] - finals["symmetric_subsidy"])
    pd.set_option("display.width", 200)
    print(f"symmetric_fund - symmetric_subsidy, seeds 0-{args.seeds - 1}, last month,")
    print(f"overrides {overrides or 'none'}; points (shares), EUR million (money)")
    print(table.to_string(float_format="{:+.4f}".format))


if __name__ == "__main__":
    main()
