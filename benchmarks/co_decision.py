"""What hybrid co-decision changes in the fund's decisions (docs/ODD.md, section 10.5).

``python benchmarks/co_decision.py [--seeds N] [--scenario hybrid]``

Runs the scenario for seeds 1..N. In every fund decision round with co-decision it also
ranks the eligible applications by the fund's score alone (the same score, tie-break
included) and lets the same money decide them in that order, without changing the run.
Prints, over all rounds: in how many the two orders differ; in how many money binds (an
eligible application with an amount is refused in either order) and in how many of those
nothing is granted in either order; the grants in them by each order, how many co-decided
grants go to collectives the fund's order alone would not have picked and how many the
fund's order would fund go without; and the share of grants to projects whose category is
below ``in_order_threshold`` in their buurt under each order (mean over the rounds with
grants, and over all their grants).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gemsim import load_scenario
from gemsim.model import fund
from gemsim.model.model import CommunityModel


@dataclass
class Rounds:
    """What each co-decided round would have granted by the fund's order alone."""

    differ: int = 0
    rounds: int = 0
    binding: list[dict[str, float]] = field(default_factory=list)
    pending: dict[str, Any] = field(default_factory=dict)

    def order(self, real: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        def wrapper(model: Any, eligible: Any, score: Any, weight: Any) -> np.ndarray:
            ordered = real(model, eligible, score, weight)
            if weight is not None:
                alone = real(model, eligible, score, None)
                self.pending = {"model": model, "ordered": ordered, "alone": alone}
            return ordered

        return wrapper

    def fits(self, real: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        def wrapper(groups: np.ndarray, totals: np.ndarray, budgets: np.ndarray) -> np.ndarray:
            fits = real(groups, totals, budgets)
            if self.pending:
                self.compare(fits, groups, totals, budgets, real, **self.pending)
                self.pending = {}
            return fits

        return wrapper

    def compare(
        self,
        fits: np.ndarray,
        groups: np.ndarray,
        totals: np.ndarray,
        budgets: np.ndarray,
        real: Callable[..., np.ndarray],
        model: CommunityModel,
        ordered: np.ndarray,
        alone: np.ndarray,
    ) -> None:
        """Count one round: ``totals`` and ``groups`` are in the co-decided order."""
        self.rounds += 1
        self.differ += int(not np.array_equal(ordered, alone))
        by_row = np.argsort(ordered)
        where = by_row[np.searchsorted(ordered[by_row], alone)]
        fits_alone = real(groups[where], totals[where], budgets) & (totals[where] > 0)
        fits = fits & (totals > 0)
        wanted = totals > 0
        if fits.sum() == wanted.sum() and fits_alone.sum() == wanted.sum():
            return  # money does not bind: every application with an amount is granted
        granted, granted_alone = ordered[fits], alone[fits_alone]
        self.binding.append(
            {
                "month": model.current_month,
                "grants": granted.size,
                "grants_alone": granted_alone.size,
                "other_collectives": np.setdiff1d(granted, granted_alone).size,
                "left_out": np.setdiff1d(granted_alone, granted).size,
                "below_threshold": count_below(model, granted),
                "below_threshold_alone": count_below(model, granted_alone),
            }
        )


def count_below(model: CommunityModel, rows: np.ndarray) -> int:
    """How many of ``rows`` have a project whose category is below the threshold in its
    buurt."""
    return int((fund.project_need(model, rows) > 0).sum())


def summary(rounds: Rounds) -> dict[str, float]:
    """Totals over the rounds in which money binds, and the share of grants to a category
    below the threshold by either order: mean over the rounds with grants, and over all
    their grants."""
    table = pd.DataFrame(rounds.binding, columns=COLUMNS)
    with_grants = table[(table["grants"] > 0) | (table["grants_alone"] > 0)]
    totals = table.drop(columns="month").sum()
    return {
        "rounds": rounds.rounds,
        "order_differs": rounds.differ,
        "binding": len(table),
        "binding_years": table["month"].floordiv(12).nunique(),
        "binding_without_grants": len(table) - len(with_grants),
        **{name: int(totals[name]) for name in COLUMNS[1:]},
        "below_per_round": (with_grants["below_threshold"] / with_grants["grants"]).mean(),
        "below_per_round_alone": (
            with_grants["below_threshold_alone"] / with_grants["grants_alone"]
        ).mean(),
        "below_per_grant": totals["below_threshold"] / totals["grants"],
        "below_per_grant_alone": totals["below_threshold_alone"] / totals["grants_alone"],
    }


COLUMNS = (
    "month",
    "grants",
    "grants_alone",
    "other_collectives",
    "left_out",
    "below_threshold",
    "below_threshold_alone",
)


def measure(scenario: str, seeds: range, **overrides: Any) -> Rounds:
    """Run ``scenario`` for ``seeds`` (with ``overrides``), counting every co-decided
    round; the runs themselves are unchanged."""
    rounds = Rounds()
    real_order, real_fits = fund.decision_order, fund.grouped_fits
    fund.decision_order, fund.grouped_fits = rounds.order(real_order), rounds.fits(real_fits)
    try:
        for seed in seeds:
            CommunityModel(load_scenario(scenario), rng=seed, **overrides).run()
    finally:
        fund.decision_order, fund.grouped_fits = real_order, real_fits
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scenario", default="hybrid")
    args = parser.parse_args()
    result = summary(measure(args.scenario, range(1, args.seeds + 1)))
    print(f"{args.scenario}, seeds 1-{args.seeds}, defaults")
    print(f"co-decided rounds: {result['rounds']}, order differs in {result['order_differs']}")
    print(
        f"rounds in which money binds: {result['binding']} (in {result['binding_years']} "
        f"different years); nothing granted in either order in "
        f"{result['binding_without_grants']} of them"
    )
    print(
        f"  grants in them: {result['grants']} co-decided, {result['grants_alone']} by the "
        f"fund's order alone; {result['other_collectives']} co-decided grants go to other "
        f"collectives, {result['left_out']} the fund's order would fund go without"
    )
    print(
        "  share of grants to a category below the threshold, fund's order alone -> "
        f"co-decided: {result['below_per_round_alone']:.1%} -> {result['below_per_round']:.1%} "
        f"(mean over the rounds with grants), {result['below_per_grant_alone']:.1%} -> "
        f"{result['below_per_grant']:.1%} (over all their grants)"
    )


if __name__ == "__main__":
    main()
