"""The observed Dutch series that ``gemsim patterns`` scores the model against.

The figures ship with the package as ``observed_trends.csv``, one row per pattern and year:

========== =================================================================================
column     meaning
========== =================================================================================
pattern    the observed quantity (``energy_cooperatives``, ``social_trust``, ...)
year       the reference year (counts: at its end; surveys: fielded during it)
value      the figure, national, in ``unit``
unit       ``%`` (a share of the population) or ``count`` (a national count)
status     ``V`` seen in its source, ``D`` derived by arithmetic from V figures, ``U``
           unverified (drawn in figures, never a target)
excluded   why a V or D figure is not a target (e.g. a COVID-19 year: the model has no
           pandemic); empty if it is one
definition what exactly was measured (definitions differ between sources of one pattern)
source     publisher, publication, a short quote and the address of the page
========== =================================================================================

Only V and D figures that are not excluded are targets (:attr:`ObservedPoint.is_target`).
The table is read with the standard library, so checking a ``[patterns]`` table does not
load pandas.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "OBSERVED_FILE",
    "STATUSES",
    "UNITS",
    "ObservedPoint",
    "observed_frame",
    "observed_points",
    "parse_observed",
    "pattern_names",
    "target_years",
]

OBSERVED_FILE = "observed_trends.csv"
COLUMNS = ("pattern", "year", "value", "unit", "status", "excluded", "definition", "source")
#: What each status means (``OBSERVED.md`` conventions of the sources' compilation).
STATUSES = {
    "V": "verified: the figure appears in its source",
    "D": "derived by arithmetic from verified figures",
    "U": "unverified: not a target",
}
UNITS = ("%", "count")


@dataclass(frozen=True)
class ObservedPoint:
    """One observed figure (a row of ``observed_trends.csv``)."""

    pattern: str
    year: int
    value: float
    unit: str
    status: str
    excluded: str
    definition: str
    source: str

    @property
    def is_target(self) -> bool:
        """A figure the model is scored against: verified or derived, and not excluded."""
        return self.status in ("V", "D") and not self.excluded


def parse_observed(text: str, where: str = OBSERVED_FILE) -> tuple[ObservedPoint, ...]:
    """Parse and check the CSV text of an observed table; raises ValueError naming the line."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{where}: the columns must be {', '.join(COLUMNS)}")
    points = []
    for line, row in enumerate(reader, start=2):
        try:
            point = ObservedPoint(
                pattern=row["pattern"],
                year=int(row["year"]),
                value=float(row["value"]),
                unit=row["unit"],
                status=row["status"],
                excluded=row["excluded"].strip(),
                definition=row["definition"],
                source=row["source"],
            )
        except (TypeError, ValueError):
            raise ValueError(f"{where}, line {line}: year and value must be numbers") from None
        if point.unit not in UNITS or point.status not in STATUSES or not point.pattern:
            raise ValueError(
                f"{where}, line {line}: unit must be one of {', '.join(UNITS)}, status one of "
                f"{', '.join(STATUSES)}, and pattern not empty"
            )
        points.append(point)
    return tuple(points)


@cache
def observed_points() -> tuple[ObservedPoint, ...]:
    """The shipped observed table (read once)."""
    text = resources.files("gemsim.study").joinpath(OBSERVED_FILE).read_text(encoding="utf-8")
    return parse_observed(text)


def pattern_names(points: tuple[ObservedPoint, ...] | None = None) -> list[str]:
    """The patterns of the observed table, in file order."""
    points = observed_points() if points is None else points
    return list(dict.fromkeys(point.pattern for point in points))


def target_years(pattern: str, points: tuple[ObservedPoint, ...] | None = None) -> list[int]:
    """The years in which ``pattern`` has a target figure, in order."""
    points = observed_points() if points is None else points
    return sorted({p.year for p in points if p.pattern == pattern and p.is_target})


def observed_frame(points: tuple[ObservedPoint, ...] | None = None) -> pd.DataFrame:
    """The observed table as a DataFrame (with a boolean ``target`` column)."""
    import pandas as pd

    points = observed_points() if points is None else points
    frame = pd.DataFrame([p.__dict__ for p in points], columns=list(COLUMNS))
    frame["target"] = [p.is_target for p in points]
    return frame
