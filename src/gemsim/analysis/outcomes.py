"""The model's outcomes as the analysis shows them: labels, units, scales and groups.

Every reporter is declared once, in :data:`gemsim.model.outcomes.OUTCOMES`, with its label,
unit and display scale; this module only groups those declarations for the tables and
figures. Reporters are stored in model units: shares in 0-1, wellbeing in points on 0-10,
money in cumulative euros. Tables and figures for readers show shares as percentages, and
differences between shares as *percentage points*; :class:`Outcome` holds the conversion.
"""

from __future__ import annotations

from gemsim.model.outcomes import OUTCOMES as DECLARED
from gemsim.model.outcomes import Outcome

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

_BY_NAME: dict[str, Outcome] = {o.name: o for o in DECLARED}

#: Outcomes summarised in every report (not the money reporters or the counts per type).
OUTCOMES: dict[str, Outcome] = {o.name: o for o in DECLARED if o.kind == "outcome"}

#: Outcomes shown over time, as differences and in headline sentences.
HEADLINE_OUTCOMES: tuple[str, ...] = tuple(o.name for o in DECLARED if o.headline)

#: Equity gaps (high- minus low-SES neighbourhoods).
EQUITY_GAPS: tuple[str, ...] = tuple(o.name for o in DECLARED if o.equity_gap)

#: Outcomes with a cost per unit gained: name -> (factor from the stored value, unit text).
#: ``neighbourhoods_in_order`` is a share; it is turned into a count when the number of
#: neighbourhoods is known (see :func:`gemsim.analysis.summary.cost_effectiveness`).
CE_OUTCOMES: dict[str, tuple[float, str]] = {
    o.name: o.gain_unit for o in DECLARED if o.gain_unit is not None
}

#: Unit of ``neighbourhoods_in_order`` gains when the number of neighbourhoods is known.
NEIGHBOURHOOD_UNIT = "neighbourhood brought in order"

#: Cumulative spending reporters summed into the cost of a scenario (euros).
SPENDING_COLUMNS: tuple[str, ...] = tuple(o.name for o in DECLARED if o.spending)

#: Where the euros went, for the money figure: column -> plain label.
MONEY_PARTS: dict[str, str] = {o.name: o.label for o in DECLARED if o.money_destination}


def _undeclared(model: object) -> float:
    raise LookupError("not a declared reporter: it has a description but no function")


def describe(name: str) -> Outcome:
    """The declared :class:`Outcome` of ``name`` (a generic one for other columns, such as
    a contrast or a toy run's)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    label = name.removesuffix("_eur").replace("_", " ").capitalize()
    unit = "EUR" if name.endswith("_eur") else "model units"
    return Outcome(name, label, unit, _undeclared, "")


def horizon_text(month: int) -> str:
    """Plain horizon: "after 10 years", "after 1 year", "after 18 months"."""
    if month % 12 == 0 and month > 0:
        years = month // 12
        return f"after {years} year{'s' if years != 1 else ''}"
    return f"after {month} month{'s' if month != 1 else ''}"
