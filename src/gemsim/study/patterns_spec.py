"""The ``[patterns]`` table of an experiment file: observed patterns and their criteria.

A **patterns experiment** (run with ``gemsim patterns``; example ``experiments/patterns.toml``)
runs one scenario over an observed period and scores it against the observed series of
:mod:`gemsim.study.observed` (pattern-oriented validation, Grimm et al. 2005)::

    scenarios = ["status_quo_2013"]
    baseline = "status_quo_2013"
    months = 132                 # 2013-2023
    [patterns]
    start_year = 2013            # month 1 of a run is January of this year       (required)
    [patterns.social_trust]      # one table per pattern of the observed table
    reporter = "social_trust"    # the model's reporter for it                    (required)
    at = "mean"                  # a year's simulated value: "mean" of its 12 months (a survey
                                 # fielded through the year) or its "end" (a count at the end
                                 # of the year)                                    ("mean")
    [[patterns.social_trust.criteria]]   # one or more criteria, each stated before fitting
    kind = "change"              # change | levels | flat | growth | ratio (see KINDS)
    from_year = 2013             # change, flat, growth: the two observed years compared
    to_year = 2023
    tolerance = 2.0              # change, levels, flat: in the pattern's unit (points for %)
    why = "survey sampling error of about 1 point on a share ..."      (required)
    # levels: years = [2013, 2016] (default: every target year that was simulated)
    # growth: low = 2.7, high = 4.2 (the accepted range of the growth factor)
    # ratio: years = [2015, 2023], low = 0.8, high = 1.25 (accepted simulated / observed level)

Years named by a criterion must be target years of the pattern (a verified or derived
figure that is not excluded). Observed shares are in %, so a share reporter must be one
shown in % and a count pattern needs a count reporter (the simulated region's counts are
scaled to the nation when scored). Each problem is one line naming the key and what is
allowed (:func:`table_problems`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeGuard

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import ErrorDetails

from gemsim.study.files import suggest, toml_value
from gemsim.study.observed import (
    ObservedPoint,
    observed_points,
    pattern_names,
    target_years,
)

__all__ = [
    "AT",
    "KINDS",
    "PatternCriterion",
    "PatternSettings",
    "PatternSpec",
    "table_problems",
]

Kind = Literal["change", "levels", "flat", "growth", "ratio"]
At = Literal["mean", "end"]

SECTION = "[patterns]"
#: Each criterion kind: what must hold for it to pass.
KINDS: dict[str, str] = {
    "change": "the observed change from from_year to to_year lies within the simulated 95% "
    "interval of the mean change, widened by ± tolerance",
    "levels": "every observed level lies within the simulated 95% interval of the mean level "
    "in that year, widened by ± tolerance",
    "flat": "the simulated mean change from from_year to to_year lies within ± tolerance",
    "growth": "the simulated growth factor from from_year to to_year (mean count in to_year "
    "over mean count in from_year) lies within low..high",
    "ratio": "in every year named, the simulated mean level over the observed level lies "
    "within low..high",
}
#: The keys each kind requires and allows besides ``kind`` and ``why``.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "change": ("from_year", "to_year", "tolerance"),
    "levels": ("tolerance",),
    "flat": ("from_year", "to_year", "tolerance"),
    "growth": ("from_year", "to_year", "low", "high"),
    "ratio": ("years", "low", "high"),
}
_OPTIONAL: dict[str, tuple[str, ...]] = {"levels": ("years",)}
_CRITERION_KEYS = ("kind", "from_year", "to_year", "years", "tolerance", "low", "high", "why")
_PATTERN_KEYS = ("reporter", "at", "criteria")
#: How a calendar year's simulated value is taken from the monthly values.
AT: dict[str, str] = {
    "mean": "the mean of the year's 12 months (a survey fielded through the year)",
    "end": "the year's last month (a count at the end of the year)",
}
_YEARS = (1900, 2200)
#: The kinds that name years with ``years`` (the others with from_year and to_year).
_YEAR_LISTS = ("levels", "ratio")


def _bad(section: str, key: str, value: Any, allowed: str) -> str:
    return f"{section} {key} = {toml_value(value)} is not allowed: must be {allowed}"


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class PatternCriterion(BaseModel):
    """One criterion on a pattern (keys as in the file; see :data:`KINDS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    why: str
    from_year: int | None = None
    to_year: int | None = None
    years: tuple[int, ...] | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def years_named(self) -> tuple[int, ...]:
        """The observed years this criterion names explicitly."""
        if self.kind in _YEAR_LISTS:
            return self.years or ()
        return tuple(y for y in (self.from_year, self.to_year) if y is not None)


class PatternSpec(BaseModel):
    """One observed pattern: the reporter that simulates it and its criteria."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reporter: str
    at: At = "mean"
    criteria: tuple[PatternCriterion, ...]


class PatternSettings(BaseModel):
    """The ``[patterns]`` table, checked once when it is read (module docstring).

    Attributes:
        start_year: the calendar year of a run's first month (month 1 is January).
        patterns: pattern name (a pattern of the observed table) -> its spec, in file order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_year: int
    patterns: dict[str, PatternSpec]

    @model_validator(mode="before")
    @classmethod
    def _check_table(cls, data: Any) -> Any:
        if isinstance(data, PatternSettings):
            return data
        if not isinstance(data, dict):
            raise ValueError(
                f"patterns = {toml_value(data)} is not allowed: must be a [patterns] table "
                "with start_year and [patterns.<name>] tables"
            )
        table, problems = _settings(data, observed_points())
        if problems:
            raise ValueError("\n".join(problems))
        return table

    @property
    def last_year(self) -> int:
        """The latest year a criterion names (the start year if none does)."""
        named = [y for p in self.patterns.values() for c in p.criteria for y in c.years_named]
        return max(named, default=self.start_year)

    def months_needed(self) -> int:
        """Months a run must last to simulate every year a criterion names."""
        return 12 * (self.last_year - self.start_year + 1)

    def as_record(self) -> dict[str, Any]:
        """The table as plain data (for the manifest)."""
        return self.model_dump(mode="json", exclude_none=True)


# ------------------------------------------------------------------------------ checks
def _settings(
    data: Mapping[str, Any], points: Sequence[ObservedPoint]
) -> tuple[dict[str, Any], list[str]]:
    """The table normalised for the models, and one line per problem."""
    problems: list[str] = []
    start = data.get("start_year")
    year_text = f"an integer year from {_YEARS[0]} to {_YEARS[1]}"
    if start is None:
        problems.append(f"{SECTION} start_year is missing: must be {year_text}")
    elif not _is_int(start) or not _YEARS[0] <= start <= _YEARS[1]:
        problems.append(_bad(SECTION, "start_year", start, year_text))
        start = None
    known = pattern_names(tuple(points))
    patterns: dict[str, Any] = {}
    for name, spec in data.items():
        if name == "start_year":
            continue
        if name not in known:
            problems.append(
                f"{SECTION} unknown pattern {name!r}{suggest(name, known)}; allowed: "
                f"start_year and the patterns of the observed table: {', '.join(known)}"
            )
            continue
        pattern, found = _pattern(name, spec, start, points)
        problems += found
        patterns[name] = pattern
    if not patterns and not any("unknown pattern" in p for p in problems):
        problems.append(
            f"{SECTION} has no pattern: allowed: [patterns.<name>] tables for the patterns of "
            f"the observed table: {', '.join(known)}"
        )
    return {"start_year": start, "patterns": patterns}, problems


def _pattern(
    name: str, spec: Any, start: int | None, points: Sequence[ObservedPoint]
) -> tuple[dict[str, Any], list[str]]:
    section = f"[patterns.{name}]"
    if not isinstance(spec, dict):
        return {}, [
            f"{SECTION} {name} = {toml_value(spec)} is not allowed: must be a table with "
            "reporter and [[criteria]]"
        ]
    problems = [
        f"{section} unknown key {key!r}{suggest(key, _PATTERN_KEYS)}; allowed keys: "
        + ", ".join(_PATTERN_KEYS)
        for key in spec
        if key not in _PATTERN_KEYS
    ]
    unit = next(p.unit for p in points if p.pattern == name)
    problems += _reporter_problems(section, spec.get("reporter"), unit)
    at = spec.get("at", "mean")
    if at not in AT:
        problems.append(_bad(section, "at", at, "one of " + ", ".join(map(toml_value, AT))))
    raw = spec.get("criteria")
    criteria: list[dict[str, Any]] = []
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        problems.append(
            f"{section} criteria is missing or not a list of tables: must be one or more "
            f"[[patterns.{name}.criteria]] tables"
        )
    else:
        years = target_years(name, tuple(points))
        for number, table in enumerate(raw, start=1):
            criterion, found = _criterion(
                f"[[patterns.{name}.criteria]] #{number}", table, start, years
            )
            problems += found
            criteria.append(criterion)
    return {"reporter": spec.get("reporter"), "at": at, "criteria": criteria}, problems


def _reporter_problems(section: str, reporter: Any, unit: str) -> list[str]:
    from gemsim.model.outcomes import OUTCOMES

    if unit == "%":
        fitting = [o.name for o in OUTCOMES if o.kind == "outcome" and o.unit.startswith("%")]
        allowed = "a reporter of a share of residents (the pattern is in %): "
    else:
        fitting = [o.name for o in OUTCOMES if o.kind == "collective_type"]
        fitting.insert(0, "collectives")
        allowed = "a reporter of a count of collectives (the pattern is a count): "
    allowed += ", ".join(fitting)
    if reporter is None:
        return [f"{section} reporter is missing: must be {allowed}"]
    if reporter not in fitting:
        return [_bad(section, "reporter", reporter, allowed) + suggest(str(reporter), fitting)]
    return []


def _criterion(
    section: str, table: Mapping[str, Any], start: int | None, years: Sequence[int]
) -> tuple[dict[str, Any], list[str]]:
    kind = table.get("kind")
    kinds = "one of " + ", ".join(map(toml_value, KINDS))
    if kind is None:
        return dict(table), [f"{section} kind is missing: must be {kinds}"]
    if kind not in KINDS:
        return dict(table), [_bad(section, "kind", kind, kinds) + suggest(str(kind), KINDS)]
    allowed_keys = ("kind", "why", *_REQUIRED[kind], *_OPTIONAL.get(kind, ()))
    problems = [
        f"{section} {key} is not allowed with kind = {toml_value(kind)}; allowed keys: "
        + ", ".join(allowed_keys)
        if key in _CRITERION_KEYS
        else f"{section} unknown key {key!r}{suggest(key, _CRITERION_KEYS)}; allowed keys: "
        + ", ".join(allowed_keys)
        for key in table
        if key not in allowed_keys
    ]
    problems += [
        f"{section} {key} is missing: must be {_key_allowed(key, years)}"
        for key in ("why", *_REQUIRED[kind])
        if key not in table
    ]
    why = table.get("why")
    if "why" in table and (not isinstance(why, str) or not why.strip()):
        problems.append(_bad(section, "why", why, _key_allowed("why", years)))
    for key in ("tolerance", "low", "high"):
        value = table.get(key)
        if key in table and key in allowed_keys and (not _is_number(value) or value < 0):
            problems.append(_bad(section, key, value, _key_allowed(key, years)))
    if "low" in _REQUIRED[kind] and _is_number(table.get("low")) and _is_number(table.get("high")):
        if not 0 < table["low"] <= table["high"]:
            problems.append(
                f"{section} low = {toml_value(table['low'])}, high = "
                f"{toml_value(table['high'])} is not allowed: must be 0 < low <= high"
            )
    problems += _year_problems(section, table, kind, start, years)
    criterion = {k: v for k, v in table.items() if k in allowed_keys}
    for key in ("tolerance", "low", "high"):
        if _is_number(criterion.get(key)):
            criterion[key] = float(criterion[key])
    if isinstance(criterion.get("years"), list):
        criterion["years"] = tuple(criterion["years"])
    return criterion, problems


def _key_allowed(key: str, years: Sequence[int]) -> str:
    listed = ", ".join(map(str, years)) or "none"
    return {
        "why": "a sentence saying why this criterion and its tolerance (measurement error, "
        "definition changes)",
        "tolerance": "a number >= 0, in the pattern's unit (percentage points for a share)",
        "low": "a number > 0, the lowest accepted factor",
        "high": "a number > 0, the highest accepted factor",
        "from_year": f"a target year of the pattern ({listed})",
        "to_year": f"a target year of the pattern after from_year ({listed})",
        "years": f"a non-empty list of different target years of the pattern ({listed})",
    }[key]


def _year_problems(
    section: str, table: Mapping[str, Any], kind: str, start: int | None, years: Sequence[int]
) -> list[str]:
    problems: list[str] = []
    named: list[tuple[str, Any]] = []
    if kind in _YEAR_LISTS and "years" in table:
        given = table["years"]
        if not isinstance(given, list) or not given or len(set(map(repr, given))) < len(given):
            return [_bad(section, "years", given, _key_allowed("years", years))]
        named += [("years", year) for year in given]
    if kind not in _YEAR_LISTS:
        named += [(key, table[key]) for key in ("from_year", "to_year") if key in table]
    for key, year in named:
        if not _is_int(year) or year not in years:
            problems.append(_bad(section, key, year, _key_allowed(key, years)))
        elif start is not None and year < start:
            problems.append(
                f"{section} {key} = {year} is not allowed: must be start_year ({start}) or later"
            )
    first, last = table.get("from_year"), table.get("to_year")
    if kind not in _YEAR_LISTS and _is_int(first) and _is_int(last) and not first < last:
        problems.append(
            f"{section} from_year = {first}, to_year = {last} is not allowed: must be "
            "from_year < to_year"
        )
    return problems


def table_problems(errors: Sequence[ErrorDetails]) -> list[str]:
    """One line per problem of a ``[patterns]`` table (the validator's lines, or a type
    problem pydantic found after it)."""
    problems: list[str] = []
    for error in errors:
        if error["type"] == "value_error":
            problems += str(error["msg"]).removeprefix("Value error, ").splitlines()
        else:
            where = ".".join(str(part) for part in error["loc"])
            problems.append(
                f"{SECTION} {where} = {toml_value(error.get('input'))} is not allowed: "
                f"{error['msg']}"
            )
    return problems
