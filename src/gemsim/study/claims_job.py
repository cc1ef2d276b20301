"""The job of ``gemsim claims``: default-assumption runs, the goal seek, the claims outputs.

The claims and the ``[claims]`` table are declared in :mod:`gemsim.study.claims`; the
outputs are written by :mod:`gemsim.analysis.claims`. This module only runs things.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gemsim.atomic import write_text
from gemsim.errors import UserError
from gemsim.study.claims import (
    DEFAULT_CLAIMS_FILE,
    GOAL_FILE,
    GOAL_RESULT_FILE,
    ClaimsSettings,
    GoalSeekSettings,
)
from gemsim.study.files import show_path

__all__ = ["load_claims_experiment", "run_claims_job", "run_goal_seek"]


def load_claims_experiment(path: str | Path, **overrides: Any) -> Any:
    """Read a claims experiment with command-line overrides; raises ScenarioError if it has
    no ``[claims]`` table or its goal seek names a scenario it does not run."""
    from gemsim.study.experiment import load_experiment
    from gemsim.study.files import ScenarioError

    experiment = load_experiment(path).with_overrides(**overrides)
    where = show_path(path)
    settings = experiment.claims
    if settings is None:
        raise ScenarioError(
            f"{where}: has no [claims] table; allowed: an experiment with [claims] (see "
            f"{DEFAULT_CLAIMS_FILE})"
        )
    goal = settings.goal_seek
    if goal is not None and goal.scenario not in experiment.scenario_names:
        raise ScenarioError(
            f"{where}: [claims.goal_seek] scenario = {json.dumps(goal.scenario)} is not allowed: "
            f"must be one of the experiment's scenarios ({', '.join(experiment.scenario_names)})"
        )
    if experiment.replications < 2:
        raise ScenarioError(
            f"{where}: replications = {experiment.replications} is not allowed: must be at "
            "least 2 (the claims' intervals need replications)"
        )
    return experiment


@dataclass(frozen=True)
class _GoalRun:
    """One run of the goal seek: ``(value, seed) -> outcome at the horizon``; picklable."""

    overrides: dict[str, Any]
    parameter: str
    outcome: str
    months: int

    def __call__(self, value: float, seed: int) -> float:
        from gemsim.model.model import CommunityModel
        from gemsim.study.model_values import is_integer_parameter

        given: float | int = round(value) if is_integer_parameter(self.parameter) else value
        params = {**self.overrides, self.parameter: given, "months": self.months}
        frame = CommunityModel(scenario=params, rng=seed).run()
        return float(frame[self.outcome].iloc[-1])


@dataclass(frozen=True)
class _Batch:
    """Runs a batch of ``(index, (value, seed))`` jobs; picklable."""

    f: Callable[[tuple[float, int]], float]

    def __call__(self, batch: list[tuple[int, tuple[float, int]]]) -> list[tuple[int, float]]:
        return [(i, self.f(job)) for i, job in batch]


def _ordered_map(executor: Any) -> Callable[..., Iterator[float]]:
    """An order-preserving map over an executor's unordered ``map_batches``."""

    def map_fn(fn: Callable[[tuple[float, int]], float], jobs: Iterable[Any]) -> Iterator[float]:
        listed = list(enumerate(jobs))
        size = max(1, math.ceil(len(listed) / (4 * executor.workers)))
        batches = [listed[i : i + size] for i in range(0, len(listed), size)]
        results: dict[int, float] = {}
        for part in executor.map_batches(_Batch(fn), batches):
            results.update(part)
        return iter([results[i] for i in range(len(listed))])

    return map_fn


def run_goal_seek(experiment: Any, settings: GoalSeekSettings, executor: Any) -> Any:
    """The goal seek of ``settings`` on ``executor`` (a :class:`GoalSeek`)."""
    from gemsim.sensitivity.goal_seeking import seek_goal

    f = _GoalRun(
        experiment.scenario_overrides()[settings.scenario],
        settings.parameter,
        settings.outcome,
        experiment.horizon,
    )
    return seek_goal(
        f,
        settings.target,
        settings.low,
        settings.high,
        replications=settings.replications,
        points=settings.points,
        rounds=settings.rounds,
        seed=experiment.seed,
        map_fn=_ordered_map(executor),
    )


def _write_goal(out_dir: Path, settings: GoalSeekSettings, goal: Any) -> None:
    write_text(out_dir / GOAL_FILE, goal.curve.to_csv(index=False))
    record = {
        **settings.model_dump(),
        "estimate": goal.estimate,
        "ci_low": goal.ci_low,
        "ci_high": goal.ci_high,
        "conf_level": goal.conf_level,
        "status": goal.status,
        "sentence": goal.sentence(settings.outcome),
    }
    text = json.dumps(record, indent=2, default=str, allow_nan=True)
    write_text(out_dir / GOAL_RESULT_FILE, text + "\n")


def run_claims_job(experiment: Any, options: Any, log: Callable[[str], None] = print) -> Any:
    """Run the default-assumption runs (:func:`gemsim.study.jobs.run_job`), the goal seek,
    and write the claims outputs; returns the :class:`gemsim.study.jobs.JobResult` with
    the claims' files added to its ``outputs``."""
    from gemsim.analysis.claims import build_claims_outputs
    from gemsim.study.jobs import ReportError, _open_executor, build_report, run_job

    if options.force:
        from gemsim.analysis.claims import CLAIMS_FILE

        for name in (CLAIMS_FILE, GOAL_FILE, GOAL_RESULT_FILE):
            (Path(options.out_dir) / name).unlink(missing_ok=True)
    result = run_job(experiment, replace(options, report=False), log)
    if result.status != "complete":
        return result
    settings: ClaimsSettings = experiment.claims
    goal = settings.goal_seek
    if goal is not None and not (Path(options.out_dir) / GOAL_RESULT_FILE).is_file():
        log(
            f"gemsim: goal seek: {goal.parameter} for {goal.outcome} = {goal.target:g} in "
            f"{goal.scenario}: up to {goal.points * goal.rounds * goal.replications} runs"
        )
        with _open_executor(options, goal.points * goal.replications) as executor:
            found = run_goal_seek(experiment, goal, executor)
        _write_goal(Path(options.out_dir), goal, found)
    if not options.report:
        return result
    try:
        outputs = build_claims_outputs(options.out_dir, experiment)
        outputs.update(build_report(options.out_dir))  # report.html, the claims table first
        sensitivity = outputs.get("claims_in_sensitivity")
        if sensitivity is not None:  # sensitivity.html again, the claims table first
            from gemsim.analysis.sensitivity_outputs import rewrite_sensitivity_report

            # From the analysis the sensitivity job kept; recomputed only if none is.
            outputs["sensitivity_report"] = (
                rewrite_sensitivity_report(sensitivity.parent)
                or build_report(sensitivity.parent)["report"]
            )
            log(f"gemsim: claims table added to {show_path(outputs['sensitivity_report'])}")
    except UserError:
        raise
    except Exception as error:  # a bug in the analysis: keep its traceback as the cause
        raise ReportError(
            f"checking the claims in {show_path(options.out_dir)} failed: "
            f"{type(error).__name__}: {error}; the runs are stored, retry with "
            f"`{options.command or 'gemsim claims'} --resume`"
        ) from error
    return replace(result, outputs={**(result.outputs or {}), **outputs})
