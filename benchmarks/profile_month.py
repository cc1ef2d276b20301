"""Where a run's time goes, phase by phase: ``python benchmarks/profile_month.py [N ...]``.

Builds and runs the default scenario with N municipalities (default: 1, 3 and 10) a few
times in this process and prints the CPU time of each phase of the monthly schedule (the
functions ``CommunityModel.step`` calls), per run and as a share of the run, plus set-up.
Timing wraps each phase, so the total is a little above an unwrapped run.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import gemsim.model.model as model_module
from gemsim.model import (
    citizen_month,
    collectives_month,
    desk_month,
    membership_month,
    month_zero,
    spin_up_month,
)
from gemsim.model import citizens as rules
from gemsim.model.collector import OutcomeCollector
from gemsim.model.ledger import Ledger

#: Functions the month calls through the model module's namespace.
PHASES = (
    "depreciate",
    "social_infrastructure_month",
    "movement_infrastructure_month",
    "count_members",
    "operate_collectives",
    "apply_for_funding",
    "pay_fund_tranches",
    "run_projects",
    "work_off_reporting",
    "input_sources",
    "found_collectives",
    "dissolve_collectives",
    "update_membership",
    "handprint_by_sdg",
)

SPENT: Counter[str] = Counter()


def _timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[label] += time.process_time() - started

    return wrapper


def instrument(regime_type: type) -> None:
    """Wrap every phase once (module functions, rules, ledger, collector, regime)."""
    for name in PHASES:
        if hasattr(model_module, name):
            setattr(model_module, name, _timed(name, getattr(model_module, name)))
    citizen_month.monthly_update = _timed("monthly_update (citizens)", citizen_month.monthly_update)
    citizen_month.gather_inputs = _timed("gather_inputs (citizens)", citizen_month.gather_inputs)
    citizen_month.decision_signals = _timed(
        "decision_signals (compiled)", citizen_month.decision_signals
    )
    for module, names in (
        (spin_up_month, ("willingness_cuts",)),
        (desk_month, ("grant_decided",)),
        (membership_month, ("update_membership", "count_members")),
        (collectives_month, ("operate_collectives", "apply_for_funding", "run_projects")),
    ):
        for name in names:
            setattr(module, name, _timed(f"{name} (compiled)", getattr(module, name)))
    draw = rules.CitizenDraws.draw.__func__  # type: ignore[attr-defined]
    rules.CitizenDraws.draw = classmethod(_timed("CitizenDraws.draw", draw))  # type: ignore[assignment]
    rules.volunteer_hours = _timed("volunteer_hours", rules.volunteer_hours)
    Ledger.check = _timed("Ledger.check", Ledger.check)  # type: ignore[method-assign]
    OutcomeCollector.collect = _timed("DataCollector.collect", OutcomeCollector.collect)  # type: ignore[method-assign]
    for method in ("yearly_inflow", "decide"):
        setattr(regime_type, method, _timed(f"regime.{method}", getattr(regime_type, method)))


def profile(n_municipalities: int, runs: int = 5) -> None:
    month_zero.SHARED.enabled = False  # every run builds its own month 0 (set-up is timed)
    probe = model_module.CommunityModel(rng=1, n_municipalities=n_municipalities, months=1)
    if not SPENT:
        instrument(type(probe.regime))
    model_module.CommunityModel(rng=1, n_municipalities=n_municipalities).run()  # warm up
    SPENT.clear()
    setup = total = 0.0
    for seed in range(runs):
        started = time.process_time()
        model = model_module.CommunityModel(rng=seed, n_municipalities=n_municipalities)
        built = time.process_time()
        model.run()
        setup += built - started
        total += time.process_time() - started
    per_run = total / runs * 1e3
    print(
        f"\n{n_municipalities} municipalities, {model.citizens.size} citizens, "
        f"{model.params.months} months: {per_run:.1f} ms CPU per run"
    )
    rows = [("set-up (CommunityModel())", setup), *SPENT.most_common()]
    accounted = 0.0
    for label, seconds in rows:
        accounted += seconds
        print(f"  {label:32s} {seconds / runs * 1e3:7.1f} ms  {seconds / total:6.1%}")
    rest = total - accounted
    print(f"  {'rest of step() and Mesa':32s} {rest / runs * 1e3:7.1f} ms  {rest / total:6.1%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[1, 3, 10])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    for size in arguments.sizes:
        profile(size, arguments.runs)
