"""What the model accepts and reports, checked as written in a file.

Parameter names, types and ranges come from :mod:`gemsim.model.parameters` (the one place
for them); this module only turns its answers into one line per problem, each naming the
table, the key and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from gemsim.model.parameters import ParameterError, Parameters, allowed_range, bounds, levels
from gemsim.study.files import suggest, toml_value

__all__ = [
    "combination_problems",
    "in_range",
    "is_integer_parameter",
    "normalised",
    "not_allowed",
    "parameter_problems",
    "reporter_names",
    "type_ok",
]


def type_ok(name: str, value: Any) -> bool:
    """Does ``value`` (as read from TOML) have the type of parameter ``name``?

    Stricter than pydantic's lax mode on purpose: in a TOML file ``months = "120"`` or
    ``social_infrastructure = 1`` is a mistake, not something to coerce.
    """
    annotation = Parameters.model_fields[name].annotation
    if annotation is bool:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if annotation is int:
        return isinstance(value, int)
    if annotation is float:
        return isinstance(value, int | float)
    if annotation is str or levels(name) is not None:
        return isinstance(value, str)
    return True


def is_integer_parameter(name: str) -> bool:
    return Parameters.model_fields[name].annotation is int


def normalised(name: str, value: Any) -> Any:
    """Integers given for float parameters become floats (stable run-table column types)."""
    if Parameters.model_fields[name].annotation is float and isinstance(value, int):
        return float(value)
    return value


def in_range(name: str, value: float) -> bool:
    """Is ``value`` within the allowed range of numeric parameter ``name``?"""
    low, high = bounds(name)
    return (low is None or value >= low) and (high is None or value <= high)


def not_allowed(section: str, name: str, value: Any) -> str:
    prefix = f"{section} " if section else ""
    return f"{prefix}{name} = {toml_value(value)} is not allowed: must be {allowed_range(name)}"


def parameter_problems(
    section: str, values: Mapping[str, Any], *, forbidden: Mapping[str, str] | None = None
) -> list[str]:
    """Problems with flat parameter ``values`` taken one by one (names, types, ranges).

    Cross-parameter rules (``initial_active_share <= initial_participation_share``) are
    checked later on the merged values (:func:`combination_problems`). ``forbidden`` maps
    names not allowed here to the reason.
    """
    problems: dict[str, str] = {}  # by name, reported in the file's order
    checkable: dict[str, Any] = {}
    for name, value in values.items():
        if forbidden and name in forbidden:
            problems[name] = f"{section} {name} is not allowed here: {forbidden[name]}"
        elif name not in Parameters.model_fields:
            problems[name] = (
                f"{section} unknown parameter {name!r}{suggest(name, Parameters.model_fields)};"
                " allowed: a parameter name listed by `gemsim params`"
            )
        elif not type_ok(name, value):
            problems[name] = not_allowed(section, name, value)
        else:
            checkable[name] = value
    try:
        Parameters.model_validate(checkable)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if name in checkable:
                problems[name] = not_allowed(section, name, checkable[name])
    return [problems[name] for name in values if name in problems]


def combination_problems(section: str, values: Mapping[str, Any], context: str = "") -> list[str]:
    """Problems of the merged values as a whole (rules that involve several parameters)."""
    try:
        Parameters.build(dict(values))
    except ParameterError as error:
        suffix = f" ({context})" if context else ""
        return [f"{section} {line}{suffix}" for line in str(error).split("; ")]
    return []


def reporter_names() -> tuple[str, ...]:
    """Every reporter a model run produces (valid names for an experiment's ``outputs``)."""
    from gemsim.model.collective_types import TYPE_NAMES
    from gemsim.model.model import MODEL_REPORTERS, MONEY_REPORTERS

    return (
        *MODEL_REPORTERS,
        *MONEY_REPORTERS,
        *(f"collectives_{name}" for name in TYPE_NAMES),
    )
