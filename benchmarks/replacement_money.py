"""Where the replaced small subsidies' money went, at the default assumptions.

``python benchmarks/replacement_money.py [--seeds N]``

Runs groeiplan and groeiplan_replacing (the same, with a quarter of the municipal small
subsidies replaced by the fund) for seeds 1..N and prints, at the last month, the mean of
each money output in both and their paired difference (replacing minus groeiplan, with its
sd over seeds): how much money no longer came in, and whether it came out of the grants or
out of what the municipal pots returned unspent each January.
"""

from __future__ import annotations

import argparse

import pandas as pd

from gemsim import load_scenario
from gemsim.model.model import CommunityModel

SCENARIOS = ("groeiplan", "groeiplan_replacing")
MONEY = ["money_in_eur", "grants_municipal_eur", "funds_disbursed_eur", "unspent_eur"]


def money_at_end(scenario: str, seed: int) -> dict[str, float]:
    """The money outputs of one run at its last month."""
    last = CommunityModel(load_scenario(scenario), rng=seed).run().iloc[-1]
    return {name: float(last[name]) for name in MONEY}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    seeds = range(1, args.seeds + 1)
    ends = {
        s: pd.DataFrame([money_at_end(s, seed) for seed in seeds], index=seeds) for s in SCENARIOS
    }
    difference = ends["groeiplan_replacing"] - ends["groeiplan"]
    table = pd.DataFrame(
        {
            "groeiplan": ends["groeiplan"].mean(),
            "groeiplan_replacing": ends["groeiplan_replacing"].mean(),
            "difference": difference.mean(),
            "difference_sd": difference.std(ddof=1),
        }
    )
    print(f"seeds 1-{args.seeds}, last month, EUR million (means over seeds)")
    print((table / 1e6).round(3).to_string())


if __name__ == "__main__":
    main()
