"""The Groeiplan's claims, declared once, and the job that checks them (``gemsim claims``).

Each :class:`Claim` is one testable sentence of the proposal (DOMAIN.md, "The proposal being
modelled"): a scenario's outcome at the horizon (a *level*), or the difference between two
scenarios run with the same seeds (a *contrast*), and the side of a threshold on which the
claim holds. :data:`CLAIMS` lists them; nothing else in gemsim decides what a claim means.

A **claims experiment** (``experiments/claims.toml``) is an ordinary experiment file (the
scenarios, the region in ``[parameters]``, ``months``, ``seed`` and ``replications``: the
runs under default assumptions) with a ``[claims]`` table::

    [claims]
    sensitivity = "results/sobol"   # a sensitivity results folder (relative to the working
                                    # directory) for the share of the assumption space where
                                    # each claim holds; missing: "not computed"  ("results/sobol")
    [claims.goal_seek]              # the money the model says it takes (omit: no search)
    scenario = "groeiplan"          # whose outcome is sought                  ("groeiplan")
    parameter = "social_infrastructure_eur"  # the input searched        (this one)
    outcome = "neighbourhoods_in_order"      # the output                 (this one)
    target = 0.95                   # the level sought                              (0.95)
    low = 2.5e8                     # the range searched (the parameter's unit)   (required)
    high = 2.0e10
    replications = 10               # runs per value (same seeds at every value)     (10)
    points = 7                      # values per round                                (7)
    rounds = 2                      # rounds (each zooms in on the interval)          (2)

:func:`run_claims_job` runs the experiment's scenarios x replications like ``gemsim
compare`` (stored, resumable, on local workers or a Dask cluster), the goal seek
(:func:`gemsim.sensitivity.goal_seeking.seek_goal`) on the same executor, and then
:func:`gemsim.analysis.claims.build_claims_outputs` writes ``claims.csv`` and puts the
claims table first in the folder's ``report.html`` and the sensitivity folder's
``sensitivity.html``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gemsim.errors import UserError
from gemsim.study.files import allows, show_path

__all__ = [
    "CLAIMS",
    "DEFAULT_CLAIMS_FILE",
    "GOAL_FILE",
    "Claim",
    "ClaimsSettings",
    "GoalSeekSettings",
    "load_claims_experiment",
    "run_claims_job",
]

DEFAULT_CLAIMS_FILE = "experiments/claims.toml"
GOAL_FILE = "goal_seek.csv"
GOAL_RESULT_FILE = "goal_seek.json"
Kind = Literal["level", "contrast"]


@dataclass(frozen=True)
class Claim:
    """One claim of the Groeiplan, as the model can test it.

    Attributes:
        id: short name (a row of ``claims.csv``).
        text: the claim in one line, in the proposal's words where possible.
        kind: ``level`` (``scenario``'s outcome) or ``contrast`` (``scenario`` minus
            ``reference``, paired by seed).
        scenario, reference: scenario names (``reference`` only for a contrast).
        outcome: the reporter, at the experiment's horizon.
        direction: +1: holds when the value is above ``threshold``; -1: below it.
        threshold: the value the claim must pass (0 for "beats").
        tolerance: a loss the claim allows, as a share of the reference's level (for
            "without loss": a difference smaller than this is no loss).
        meaning: how the claim was turned into this test, in plain words.
    """

    id: str
    text: str
    kind: Kind
    scenario: str
    outcome: str
    direction: int
    threshold: float = 0.0
    reference: str | None = None
    tolerance: float = 0.0
    meaning: str = ""

    @property
    def scenarios(self) -> tuple[str, ...]:
        return (self.scenario,) if self.reference is None else (self.scenario, self.reference)

    def holds_if(self) -> str:
        """The test in symbols, e.g. ``"groeiplan - subsidy_channel > 0"``."""
        value = self.scenario if self.reference is None else f"{self.scenario} - {self.reference}"
        sign = ">" if self.direction > 0 else "<"
        bound = f"{self.threshold:g}"
        if self.tolerance:
            side = "-" if self.direction > 0 else "+"
            bound = f"{bound} {side} {self.tolerance:.0%} of {self.reference}"
        return f"{self.outcome}: {value} {sign} {bound}"


_BETTER_HIGH = (
    ("trust_government", "trust in the municipality"),
    ("trust_national", "trust in national government"),
    ("social_trust", "trust in other people"),
    ("participation", "participation"),
    ("wellbeing", "wellbeing"),
    ("neighbourhoods_in_order", "buurten in order"),
    ("handprint_cumulative_eur", "the Social Handprint"),
)
_GAPS = (
    ("trust_gap_ses", "the trust gap between low- and high-SES buurten"),
    ("participation_gap_ses", "the participation gap between low- and high-SES buurten"),
    ("wellbeing_gap_ses", "the wellbeing gap between low- and high-SES buurten"),
)
_NO_LOSS = (
    ("trust_government", "trust in the municipality"),
    ("participation", "participation"),
    ("wellbeing", "wellbeing"),
    ("neighbourhoods_in_order", "buurten in order"),
    ("collectives", "citizen collectives"),
)


def _claims() -> tuple[Claim, ...]:
    claims = [
        Claim(
            id="every_buurt_in_order",
            text="With EUR 500M of social infrastructure every buurt is 'in order' within "
            "five to ten years",
            kind="level",
            scenario="groeiplan",
            outcome="neighbourhoods_in_order",
            direction=1,
            threshold=0.95,
            meaning="'every buurt' read as at least 95% of the region's buurten at the "
            "horizon (ten years: the outer end of 'five to ten')",
        )
    ]
    for outcome, label in _BETTER_HIGH:
        claims.append(
            Claim(
                id=f"direct_beats_municipal:{outcome}",
                text=f"Investing directly beats routing through municipalities ({label})",
                kind="contrast",
                scenario="groeiplan",
                reference="subsidy_channel",
                outcome=outcome,
                direction=1,
                meaning="the same money through the direct fund vs through municipal "
                "subsidies; higher is better",
            )
        )
    for outcome, label in _GAPS:
        claims.append(
            Claim(
                id=f"direct_beats_municipal:{outcome}",
                text=f"Investing directly beats routing through municipalities ({label})",
                kind="contrast",
                scenario="groeiplan",
                reference="subsidy_channel",
                outcome=outcome,
                direction=-1,
                meaning="the same money through the direct fund vs through municipal "
                "subsidies; a smaller gap is better",
            )
        )
    for outcome, label in (
        ("trust_government", "in the municipality"),
        ("trust_national", "in national government"),
    ):
        claims.append(
            Claim(
                id=f"less_distrust:{outcome}",
                text=f"Community funding reduces distrust between government and citizens "
                f"(trust {label})",
                kind="contrast",
                scenario="groeiplan",
                reference="status_quo",
                outcome=outcome,
                direction=1,
                meaning="the Groeiplan vs today's arrangements: more trust is less distrust",
            )
        )
    for outcome, label in (("collectives", "citizen collectives"), ("active_share", "volunteers")):
        claims.append(
            Claim(
                id=f"movement_grows:{outcome}",
                text=f"The movement grows ({label})",
                kind="contrast",
                scenario="groeiplan",
                reference="status_quo",
                outcome=outcome,
                direction=1,
                meaning="more than under today's arrangements at the horizon",
            )
        )
    for outcome, label in _NO_LOSS:
        claims.append(
            Claim(
                id=f"replaces_without_loss:{outcome}",
                text=f"The fund partly replaces small subsidies without loss ({label})",
                kind="contrast",
                scenario="groeiplan_replacing",
                reference="groeiplan",
                outcome=outcome,
                direction=1,
                tolerance=0.01,
                meaning="the fund replacing a quarter of the municipal small subsidies vs "
                "keeping them: 'without loss' read as a loss smaller than 1% of the level "
                "without replacement",
            )
        )
    return tuple(claims)


#: Every claim checked by ``gemsim claims``, in the order of the claims table.
CLAIMS: tuple[Claim, ...] = _claims()


# ----------------------------------------------------------------------------- settings
class GoalSeekSettings(BaseModel):
    """``[claims.goal_seek]``: the input at which an outcome reaches a target."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    scenario: str = Field("groeiplan", json_schema_extra=allows("a scenario of the experiment"))
    parameter: str = Field(
        "social_infrastructure_eur", json_schema_extra=allows("a numeric parameter name")
    )
    outcome: str = Field("neighbourhoods_in_order", json_schema_extra=allows("a reporter name"))
    target: float = Field(0.95, json_schema_extra=allows("a number"))
    low: float = Field(json_schema_extra=allows("a number within the parameter's range"))
    high: float = Field(json_schema_extra=allows("a number > low within the parameter's range"))
    replications: int = Field(
        10, ge=2, le=1000, json_schema_extra=allows("an integer from 2 to 1000")
    )
    points: int = Field(7, ge=2, le=100, json_schema_extra=allows("an integer from 2 to 100"))
    rounds: int = Field(2, ge=1, le=10, json_schema_extra=allows("an integer from 1 to 10"))

    @field_validator("target", "low", "high", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _checks(self) -> GoalSeekSettings:
        from gemsim.model.parameters import Parameters, allowed_range
        from gemsim.study.model_values import in_range, reporter_names

        section = "[claims.goal_seek]"
        problems = []
        field = Parameters.model_fields.get(self.parameter)
        if field is None or field.annotation not in (int, float):
            problems.append(
                f"{section} parameter = {json.dumps(self.parameter)} is not allowed: must be "
                "a numeric parameter listed by `gemsim params`"
            )
        else:
            for key in ("low", "high"):
                if not in_range(self.parameter, getattr(self, key)):
                    problems.append(
                        f"{section} {key} = {getattr(self, key):g} is not allowed: must be "
                        f"{allowed_range(self.parameter)}"
                    )
        if not self.low < self.high:
            problems.append(f"{section} low, high is not allowed: must be low < high")
        if self.outcome not in reporter_names():
            problems.append(
                f"{section} outcome = {json.dumps(self.outcome)} is not allowed: must be a "
                "reporter name (`gemsim params` lists parameters; reporters: README)"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self


class ClaimsSettings(BaseModel):
    """The ``[claims]`` table of an experiment (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    sensitivity: str | None = Field(
        "results/sobol",
        min_length=1,
        json_schema_extra=allows("the path of a sensitivity results folder"),
    )
    goal_seek: GoalSeekSettings | None = Field(
        None, json_schema_extra=allows("a [claims.goal_seek] table")
    )

    def as_record(self) -> dict[str, Any]:
        return self.model_dump()


# ----------------------------------------------------------------------------- the job
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
    from gemsim.analysis.files import write_csv
    from gemsim.atomic import write_text

    write_csv(goal.curve, out_dir / GOAL_FILE)
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
        outputs = build_claims_outputs(options.out_dir, experiment, log)
        outputs.update(build_report(options.out_dir))  # report.html, the claims table first
    except UserError:
        raise
    except Exception as error:  # a bug in the analysis: keep its traceback as the cause
        raise ReportError(
            f"checking the claims in {show_path(options.out_dir)} failed: "
            f"{type(error).__name__}: {error}; the runs are stored, retry with "
            f"`{options.command or 'gemsim claims'} --resume`"
        ) from error
    return replace(result, outputs={**(result.outputs or {}), **outputs})


def claim_scenarios(claims: Sequence[Claim] = CLAIMS) -> list[str]:
    """Every scenario the claims need, in first-use order."""
    return list(dict.fromkeys(s for c in claims for s in c.scenarios))
