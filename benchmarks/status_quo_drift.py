"""How far the status quo drifts from month 0: the yearly change of the seed mean.

``python benchmarks/status_quo_drift.py [--seeds N] [--workers W] [--set name=value ...]
[--stock-factor F]``

Runs ``scenarios/status_quo.toml`` for seeds 1..N (with any ``--set`` overrides, e.g.
``--set efficacy_per_stock=0`` for an ablation; ``--stock-factor F`` multiplies the
community stock the spin-up built by F instead of settling it at its balance, docs/ODD.md
5.5: 1 keeps it as built, 0 starts from none) and prints, per year, the change of the mean
over seeds since month 0 of trust in local government, participation, active share
(percentage points), wellbeing (points on the 0-10 scale), the number of collectives and
the mean community stock (per cent of month 0, or absolute when it starts from none), then
the largest absolute change of each. The bounds of docs/ODD.md 10.1 are 1 point for the
three shares and 0.02 for wellbeing.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from gemsim import load_scenario
from gemsim.model import spin_up
from gemsim.model.model import CommunityModel
from gemsim.model.parameters import value_from_text

COLUMNS = ("trust_government", "participation", "active_share", "wellbeing", "collectives")
POINTS = ("trust_government", "participation", "active_share")  # shares, shown in points


def fixed_stock_factor(factor: float) -> None:
    """A worker's initializer for ``--stock-factor``: the spin-up's built stock is
    multiplied by ``factor`` instead of the balance factor."""
    spin_up.balance_factor = lambda yearly_depreciation, months: factor


def run(seed: int, overrides: dict[str, object]) -> pd.DataFrame:
    model = CommunityModel(load_scenario("status_quo"), rng=seed, **overrides)
    stock = [float(model.community_stock.mean())]
    while model.running:
        model.step()
        stock.append(float(model.community_stock.mean()))
    frame = model.results().loc[:, list(COLUMNS)]
    frame["community_stock"] = stock
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--stock-factor", type=float, help="instead of the balance factor")
    args = parser.parse_args()
    overrides = {k: value_from_text(v) for k, v in (item.split("=", 1) for item in args.set)}
    seeds = range(1, args.seeds + 1)
    factor = args.stock_factor
    initializer, initargs = (None, ()) if factor is None else (fixed_stock_factor, (factor,))
    with ProcessPoolExecutor(args.workers, initializer=initializer, initargs=initargs) as pool:
        frames = list(pool.map(run, seeds, [overrides] * len(seeds)))
    mean = sum(frames) / len(frames)
    change = (mean.iloc[::12] - mean.iloc[0]).reset_index(drop=True)
    change.index.name = "year"
    change[list(POINTS)] *= 100
    start = mean["community_stock"].iloc[0]
    if start > 0:  # per cent of month 0; absolute when it starts from none
        change["community_stock"] *= 100 / start
    pd.set_option("display.float_format", "{:+.3f}".format)
    balance = "at its balance" if factor is None else f"built x {factor:g} (--stock-factor)"
    print(f"status quo, seeds 1-{args.seeds}, overrides {overrides or 'none'}, stock {balance}")
    print(f"month 0: {mean.iloc[0].round(3).to_dict()}")
    print(change.to_string())
    print("largest |change|:", change.abs().max().round(3).to_dict())


if __name__ == "__main__":
    main()
