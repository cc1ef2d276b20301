"""The dashboard's controls: which parameters a visitor can change, under plain names.

Only the plain-language name is written here. Unit, default, allowed range, description
and source come from :class:`gemsim.model.parameters.Parameters`, so the page can never
disagree with ``gemsim params``. A slider spans the allowed range, narrowed where that
range is too wide to be dragged meaningfully: from the allowed minimum to four times the
default (or the allowed maximum, if smaller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

from gemsim.model.parameters import AllocationRule, Parameters, allowed_range, parameter_extra
from gemsim.model.regimes import REGIMES

__all__ = [
    "ALLOCATION_NAMES",
    "LEVERS",
    "REGIME_NAMES",
    "RUN_SETUP",
    "Lever",
    "format_value",
    "regime_description",
]

#: Plain names of the funding regimes (descriptions come from the regime classes).
REGIME_NAMES: dict[str, str] = {
    "status_quo": "Status quo: municipal small subsidies",
    "subsidy_channel": "Extra money through municipal subsidy desks",
    "direct_fund": "Direct community fund",
    "hybrid": "Community fund with municipal co-decision",
}

#: Plain names of the fund's allocation rules.
ALLOCATION_NAMES: dict[str, str] = {
    "need_weighted": "By need (neediest neighbourhoods first)",
    "per_capita": "Per inhabitant (each municipality its share)",
    "first_come": "First come, first served",
    "participatory_vote": "Residents' vote",
}

SPAN_FACTOR = 4  # a slider reaches this many times the default, within the allowed range

Kind = Literal["slider", "switch", "choice"]
Needs = Literal["extra_money", "fund", "hybrid"] | None


@dataclass(frozen=True)
class Lever:
    """One control: a model parameter under a plain name.

    Attributes:
        name: the parameter (a field of :class:`Parameters`).
        label: plain-language name shown on the page.
        needs: what the lever acts through (extra money, a fund, co-decision), so that the
            page can say when the chosen regime ignores it; None if it always acts.
        related: parameters whose values the page shows beside this one (a stream's size).
    """

    name: str
    label: str
    needs: Needs = None
    related: tuple[str, ...] = ()

    @property
    def field(self) -> Any:
        return Parameters.model_fields[self.name]

    @property
    def kind(self) -> Kind:
        annotation = self.field.annotation
        if annotation is bool:
            return "switch"
        if annotation in (int, float):
            return "slider"
        return "choice"

    @property
    def is_int(self) -> bool:
        return self.field.annotation is int

    @property
    def default(self) -> Any:
        return self.field.default

    @property
    def unit(self) -> str:
        return str(parameter_extra(self.name).get("unit", ""))

    @property
    def source(self) -> str:
        return str(parameter_extra(self.name).get("source", ""))

    @property
    def description(self) -> str:
        return self.field.description or ""

    @property
    def allowed(self) -> str:
        """What the model accepts, in the words of ``gemsim params``."""
        return allowed_range(self.name)

    @property
    def bounds(self) -> tuple[float, float]:
        """The allowed range of a numeric parameter."""
        low = high = None
        for meta in self.field.metadata:
            low = getattr(meta, "ge", low)
            high = getattr(meta, "le", high)
        if low is None or high is None:
            raise ValueError(f"parameter {self.name!r} has no bounded range")
        return float(low), float(high)

    def _wide_span(self) -> tuple[float, float]:
        low, high = self.bounds
        default = float(self.default)
        if default > 0:
            high = min(high, SPAN_FACTOR * default)
        return low, high

    @property
    def step(self) -> float:
        """A round slider step giving about 40 positions (1 for integers)."""
        if self.is_int:
            return 1
        low, high = self._wide_span()
        raw = (high - low) / 40
        power = 10 ** math.floor(math.log10(raw))
        return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))

    @property
    def span(self) -> tuple[float, float]:
        """The slider's range: the allowed range up to ``SPAN_FACTOR`` x the default, its
        lower end moved up to a whole number of steps (so positions are round values)."""
        low, high = self._wide_span()
        step = self.step
        return math.ceil(low / step - 1e-9) * step, high

    @property
    def choices(self) -> dict[str, str]:
        """Value -> plain name, for a choice lever."""
        if self.name == "regime":
            return {name: REGIME_NAMES.get(name, name) for name in sorted(REGIMES)}
        if self.name == "allocation_rule":
            return {value: ALLOCATION_NAMES.get(value, value) for value in get_args(AllocationRule)}
        raise ValueError(f"parameter {self.name!r} is not a choice")

    def show(self, value: Any) -> str:
        """The value with its unit, for the page."""
        if self.kind == "choice":
            return self.choices.get(value, str(value))
        return format_value(value, self.unit)

    def related_text(self) -> str:
        """The defaults of the related parameters: ``€500M (national, total) over 10 years``."""
        parts = []
        for name in self.related:
            unit = str(parameter_extra(name).get("unit", ""))
            text = format_value(Parameters.model_fields[name].default, unit)
            parts.append(f"over {text}" if unit == "years" else text)
        return " ".join(parts)

    def acts_under(self, regime: str) -> bool:
        """Whether the lever changes anything under ``regime``."""
        cls = REGIMES[regime]
        match self.needs:
            case "extra_money":
                return cls.adds_money
            case "fund":
                return cls.has_fund
            case "hybrid":
                return regime == "hybrid"
        return True


def format_value(value: Any, unit: str) -> str:
    """A parameter value with its unit in words: ``€50M/year (national)``, ``25%``, ``×1.5``."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if unit.startswith("EUR"):
        return f"{_euros(float(value))}{unit.removeprefix('EUR')}"
    if unit == "share":
        return f"{100 * float(value):.0f}%"
    if unit == "factor":
        return f"×{float(value):g}"
    if unit in ("-", ""):
        return str(value)
    if unit in ("count", "0-1"):
        suffix = " (0–1 scale)" if unit == "0-1" else ""
        return f"{float(value):g}{suffix}"
    return f"{float(value):g} {unit}"


def _euros(value: float) -> str:
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"€{value / size:,.3g}{suffix}"
    return f"€{value:,.0f}"


def regime_description(regime: str) -> str:
    """The regime's own one-line description."""
    return REGIMES[regime].description


#: The main levers of a funding regime, in the order the page shows them.
LEVERS: tuple[Lever, ...] = (
    Lever("regime", "Funding regime"),
    Lever("extra_funding_eur_per_year", "Extra national money per year", "extra_money"),
    Lever("fund_grant_cap_eur_per_year", "Largest community-fund grant", "fund"),
    Lever("municipal_grant_cap_eur", "Largest municipal small grant"),
    Lever("reporting_burden_multiplier", "Reporting burden"),
    Lever("allocation_rule", "How the fund chooses between applications", "fund"),
    Lever("co_decision_mean", "Municipalities' willingness to co-decide", "hybrid"),
    Lever("subsidy_replacement_share", "Municipal subsidies the fund replaces", "fund"),
    Lever(
        "social_infrastructure",
        "Social-infrastructure investment stream",
        related=("social_infrastructure_eur", "social_infrastructure_years"),
    ),
    Lever(
        "movement_infrastructure",
        "Support for the community movement",
        related=("movement_infrastructure_eur", "movement_infrastructure_years"),
    ),
)

#: What sets up a run rather than a policy: the region's size and the horizon.
RUN_SETUP: tuple[Lever, ...] = (
    Lever("n_municipalities", "Municipalities in the simulated region"),
    Lever("months", "Horizon"),
)

LEVERS_BY_NAME: dict[str, Lever] = {lever.name: lever for lever in (*LEVERS, *RUN_SETUP)}
