"""Plain-language names, units and display scales of the model's reporters.

Reporters are stored in model units: shares in 0-1, wellbeing in points on 0-10, money in
cumulative euros. Tables and figures for readers show shares as percentages, and differences
between shares as *percentage points*; :class:`Outcome` holds the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CE_OUTCOMES",
    "EQUITY_GAPS",
    "HEADLINE_OUTCOMES",
    "MONEY_PARTS",
    "NEIGHBOURHOOD_UNIT",
    "OUTCOMES",
    "SPENDING_COLUMNS",
    "Outcome",
    "describe",
    "horizon_text",
]


@dataclass(frozen=True)
class Outcome:
    """How to show one reporter.

    Attributes:
        name: reporter (column) name.
        label: plain-language name, e.g. "Trust in local government".
        unit: unit of a level after scaling, e.g. "% of residents".
        diff_unit: unit of a difference after scaling, e.g. "percentage points".
        scale: factor from the stored value to the shown value (100 for shares).
        short: short name for narrow panels and sentences.
    """

    name: str
    label: str
    unit: str
    diff_unit: str
    scale: float = 1.0
    short: str = ""

    @property
    def title(self) -> str:
        """Label with unit, for axis titles: "Trust in local government (% of residents)"."""
        return f"{self.label} ({self.unit})"

    @property
    def noun(self) -> str:
        """Lower-case short name for sentences: "trust in local government"."""
        text = self.short or self.label
        return text[:1].lower() + text[1:] if not text[:2].isupper() else text


def _share(name: str, label: str, unit: str, short: str = "") -> Outcome:
    return Outcome(name, label, unit, "percentage points", 100.0, short)


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        _share("trust_government", "Trust in local government", "% of residents"),
        _share("trust_national", "Trust in national government", "% of residents"),
        _share(
            "social_trust", "Trust in other people (social trust)", "% of residents", "Social trust"
        ),
        _share(
            "participation",
            "Residents who volunteer (participation)",
            "% of residents",
            "Participation",
        ),
        _share(
            "active_share",
            "Residents volunteering every month",
            "% of residents",
            "Monthly volunteering",
        ),
        Outcome(
            "wellbeing",
            "Wellbeing (life satisfaction, 0-10)",
            "points",
            "points",
            short="Wellbeing",
        ),
        _share(
            "satisfied_share",
            "Residents satisfied with life (7 or more)",
            "% of residents",
            "the share of residents satisfied with life",
        ),
        _share(
            "neighbourhoods_in_order",
            "Neighbourhoods 'in order'",
            "% of neighbourhoods",
            "the share of neighbourhoods in order",
        ),
        Outcome("collectives", "Citizen collectives", "count", "count"),
        Outcome("volunteer_hours", "Volunteer hours", "hours per month", "hours per month"),
        Outcome("handprint_eur", "Social Handprint value", "EUR per month", "EUR per month"),
        Outcome("handprint_cumulative_eur", "Social Handprint value, cumulative", "EUR", "EUR"),
        Outcome(
            "funds_disbursed_eur",
            "Money that reached communities, cumulative",
            "EUR",
            "EUR",
            short="Money disbursed",
        ),
        Outcome("overhead_eur", "Overhead, cumulative", "EUR", "EUR", short="Overhead"),
        Outcome(
            "applicant_cost_eur",
            "Applicants' compliance cost, cumulative",
            "EUR",
            "EUR",
            short="Applicants' cost",
        ),
        _share(
            "trust_gap_ses",
            "Trust gap (high- minus low-SES)",
            "percentage points",
            "Trust gap",
        ),
        _share(
            "participation_gap_ses",
            "Participation gap (high- minus low-SES)",
            "percentage points",
            "Participation gap",
        ),
        Outcome(
            "wellbeing_gap_ses",
            "Wellbeing gap (high- minus low-SES)",
            "points",
            "points",
            short="Wellbeing gap",
        ),
        Outcome(
            "mean_infrastructure",
            "Mean social-infrastructure stock",
            "0-1 scale",
            "0-1 scale",
            short="Infrastructure stock",
        ),
    )
}

#: Outcomes shown over time, as differences and in headline sentences.
HEADLINE_OUTCOMES: tuple[str, ...] = (
    "trust_government",
    "social_trust",
    "participation",
    "wellbeing",
    "satisfied_share",
    "neighbourhoods_in_order",
)

#: Equity gaps (high- minus low-SES neighbourhoods).
EQUITY_GAPS: tuple[str, ...] = ("trust_gap_ses", "participation_gap_ses", "wellbeing_gap_ses")

#: Outcomes with a cost per unit gained: name -> (factor from the stored value, unit text).
#: ``neighbourhoods_in_order`` is a share; it is turned into a count when the number of
#: neighbourhoods is known (see :func:`gemsim.analysis.summary.cost_effectiveness`).
CE_OUTCOMES: dict[str, tuple[float, str]] = {
    "trust_government": (100.0, "percentage point of trust in local government"),
    "social_trust": (100.0, "percentage point of social trust"),
    "participation": (100.0, "percentage point of participation"),
    "wellbeing": (10.0, "0.1 point of wellbeing (0-10 scale)"),
    "neighbourhoods_in_order": (100.0, "percentage point of neighbourhoods in order"),
}

#: Unit of ``neighbourhoods_in_order`` gains when the number of neighbourhoods is known.
NEIGHBOURHOOD_UNIT = "neighbourhood brought in order"

#: Cumulative spending reporters summed into the cost of a scenario (euros).
SPENDING_COLUMNS: tuple[str, ...] = ("funds_disbursed_eur", "overhead_eur")

#: Where the euros went, for the money figure: column -> plain label.
MONEY_PARTS: dict[str, str] = {
    "grants_municipal_eur": "Grants via municipalities",
    "grants_fund_eur": "Grants via the fund",
    "social_infrastructure_eur": "Social infrastructure built",
    "movement_support_eur": "Movement support",
    "overhead_channel_layer_eur": "Overhead: extra channel layer",
    "overhead_handling_eur": "Overhead: handling applications",
    "overhead_social_infrastructure_eur": "Overhead: social-infrastructure programme",
    "unspent_eur": "Unspent (returned)",
    "held_eur": "Still held (budgets, fund, collectives)",
}


def describe(name: str) -> Outcome:
    """The :class:`Outcome` of ``name`` (a generic one for unknown reporters)."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    label = name.removesuffix("_eur").replace("_", " ").capitalize()
    unit = "EUR" if name.endswith("_eur") else "model units"
    return Outcome(name, label, unit, unit)


def horizon_text(month: int) -> str:
    """Plain horizon: "after 10 years", "after 1 year", "after 18 months"."""
    if month % 12 == 0 and month > 0:
        years = month // 12
        return f"after {years} year{'s' if years != 1 else ''}"
    return f"after {month} month{'s' if month != 1 else ''}"
