"""What settling the community stock at its balance (docs/ODD.md 5.5) does to the regimes.

``python benchmarks/balance_ablation.py [--seeds N] [--workers W]``

Runs the status quo, the subsidy channel and groeiplan for seeds 1..N twice: as shipped,
and with ``spin_up.balance_factor`` replaced by 1 (the stock the spin-up built is kept as
it is, so it is a fifth of its balance and keeps rising after month 0). Prints, per
variant, the mean over seeds of buurten in order at month 0 and month 120, the money
disbursed and the community stock's share of all stock at the end, and the paired lead of
groeiplan over the subsidy channel in buurten in order (percentage points, mean and sd
over seeds) and its paired change from the variant to the shipped model.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from gemsim import load_scenario
from gemsim.model import spin_up
from gemsim.model.model import CommunityModel

SCENARIOS = ("status_quo", "subsidy_channel", "groeiplan")


def no_balance(yearly_depreciation: float, months: int) -> float:
    """The balance factor of the variant: the built stock is kept as it is."""
    return 1.0


def run(scenario: str, seed: int, balance: bool) -> dict[str, object]:
    """One run of ``scenario``; without the balance if ``balance`` is false."""
    if not balance:
        spin_up.balance_factor = no_balance  # this worker runs only the variant from here
    model = CommunityModel(load_scenario(scenario), rng=seed)
    frame = model.run()
    return {
        "balance": balance,
        "scenario": scenario,
        "seed": seed,
        "in_order_0": float(frame["neighbourhoods_in_order"].iloc[0]),
        "in_order_120": float(frame["neighbourhoods_in_order"].iloc[-1]),
        "funds_disbursed_eur": float(frame["funds_disbursed_eur"].iloc[-1]),
        "community_share_end": float(model.community_stock.sum() / model.stock.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    for balance in (True, False):  # a fresh pool per variant: the patch stays in its workers
        jobs = [(s, seed) for seed in range(1, args.seeds + 1) for s in SCENARIOS]
        with ProcessPoolExecutor(args.workers) as pool:
            rows += pool.map(run, *zip(*jobs, strict=True), [balance] * len(jobs))
    frame = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", None)
    print(f"seeds 1-{args.seeds}, means over seeds")
    print(frame.groupby(["balance", "scenario"]).mean(numeric_only=True).drop(columns="seed"))
    wide = frame.pivot_table(index=["balance", "seed"], columns="scenario", values="in_order_120")
    lead = 100 * (wide["groeiplan"] - wide["subsidy_channel"])
    print("groeiplan - subsidy_channel, buurten in order at month 120 (points):")
    print(lead.groupby("balance").agg(["mean", "std"]).round(2))
    paired = lead.xs(True, level="balance") - lead.xs(False, level="balance")
    print(f"balance minus none, paired by seed: {paired.mean():+.2f} (sd {paired.std():.2f})")


if __name__ == "__main__":
    main()
