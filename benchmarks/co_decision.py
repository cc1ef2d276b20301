"""What hybrid co-decision changes in the fund's decisions (docs/ODD.md, section 10.5).

``python benchmarks/co_decision.py [--seeds N] [--scenario hybrid]``

Runs the scenario for seeds 1..N. In every fund decision round with co-decision it also
ranks the eligible applications by the fund's score alone (the same score, tie-break
included) and lets the same money decide them in that order, without changing the run.
Prints, over all rounds: in how many the two orders differ; in how many money binds (an
eligible application with an amount is refused in either order); in those, how many of the
co-decided grants go to collectives the fund's order alone would not have picked, and the
share of grants to projects whose category is below ``in_order_threshold`` in their buurt
under each order (mean over those rounds).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
                "other_collectives": np.setdiff1d(granted, granted_alone).size,
                "below_threshold": share_below(model, granted),
                "below_threshold_alone": share_below(model, granted_alone),
            }
        )


def share_below(model: CommunityModel, rows: np.ndarray) -> float:
    """Share of ``rows`` whose project's category is below the threshold in its buurt."""
    return float((fund.project_need(model, rows) > 0).mean()) if rows.size else float("nan")


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
    rounds = measure(args.scenario, range(1, args.seeds + 1))
    binding = rounds.binding
    years = sorted({int(r["month"]) // 12 + 1 for r in binding})
    print(f"{args.scenario}, seeds 1-{args.seeds}, defaults")
    print(f"co-decided rounds: {rounds.rounds}, order differs in {rounds.differ}")
    print(f"rounds in which money binds: {len(binding)} (years {years})")
    grants = sum(int(r["grants"]) for r in binding)
    other = sum(int(r["other_collectives"]) for r in binding)
    print(f"  grants in them: {grants}, to other collectives than the fund's order: {other}")
    below = np.nanmean([r["below_threshold"] for r in binding]) if binding else np.nan
    alone = np.nanmean([r["below_threshold_alone"] for r in binding]) if binding else np.nan
    print(f"  share of grants to a category below the threshold: {alone:.1%} by the fund's")
    print(f"  order alone, {below:.1%} co-decided (mean over those rounds)")


if __name__ == "__main__":
    main()
