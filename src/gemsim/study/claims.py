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

:func:`gemsim.study.claims_job.run_claims_job` runs the experiment's scenarios x
replications like ``gemsim compare`` (stored, resumable, on local workers or a Dask
cluster), the goal seek
(:func:`gemsim.sensitivity.goal_seeking.seek_goal`) on the same executor, and then
:func:`gemsim.analysis.claims.build_claims_outputs` writes ``claims.csv`` and puts the
claims table first in the folder's ``report.html`` and the sensitivity folder's
``sensitivity.html``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gemsim.study.files import allows

__all__ = [
    "CLAIMS",
    "DEFAULT_CLAIMS_FILE",
    "GOAL_FILE",
    "GOAL_RESULT_FILE",
    "Claim",
    "ClaimsSettings",
    "GoalSeekSettings",
    "claim_scenarios",
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
    for outcomes, direction, better in (
        (_BETTER_HIGH, 1, "higher is better"),
        (_GAPS, -1, "a smaller gap is better"),
    ):
        for outcome, label in outcomes:
            claims.append(
                Claim(
                    id=f"direct_beats_municipal:{outcome}",
                    text=f"Investing directly beats routing through municipalities ({label})",
                    kind="contrast",
                    scenario="groeiplan",
                    reference="subsidy_channel",
                    outcome=outcome,
                    direction=direction,
                    meaning="the same money through the direct fund vs through municipal "
                    f"subsidies; {better}",
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


def claim_scenarios(claims: Sequence[Claim] = CLAIMS) -> list[str]:
    """Every scenario the claims need, in first-use order."""
    return list(dict.fromkeys(s for c in claims for s in c.scenarios))
