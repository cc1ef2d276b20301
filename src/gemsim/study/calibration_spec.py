"""The schema of a calibration file (``experiments/calibration/movement.toml``).

:func:`read_calibration_file` checks a file's keys and values (:class:`CalibrationFile`)
and what they name in other files (the patterns file, its scenarios and patterns, the
model's parameters); every problem is one line of one :class:`ScenarioError`, naming the
file, the key and what is allowed, as for scenario and experiment files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gemsim.model.parameters import Parameters, allowed_range, plausible_range
from gemsim.study.experiment import Experiment, load_experiment
from gemsim.study.files import (
    MAX_COUNT,
    SEED_MAX,
    ScenarioError,
    allows,
    field_allowed,
    key_problem,
    read_toml,
    show_path,
    toml_value,
)
from gemsim.study.model_values import (
    combination_problems,
    in_range,
    is_integer_parameter,
    parameter_problems,
)

__all__ = ["CalibrationFile", "read_calibration_file"]

#: Parameters a calibration file may neither calibrate nor set in [model], and why.
_NOT_CALIBRATED = {
    "months": "the calibration runs the patterns file's years",
    "spin_up_months": "a numerical setting in whole years, not an assumption about the world",
}


class CalibrationFile(BaseModel):
    """A calibration file's keys; paths in it are relative to the working directory."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    patterns: str = Field(
        json_schema_extra=allows("the path of an experiment file with a [patterns] table")
    )
    scenario: str | None = Field(
        None,
        json_schema_extra=allows("one of the patterns file's scenarios (default: its baseline)"),
    )
    patterns_scored: list[str] = Field(
        min_length=1,
        json_schema_extra=allows("a non-empty list of the patterns file's [patterns.<name>]"),
    )
    output: str = Field(json_schema_extra=allows("the path of a folder for the outputs"))
    seed: int = Field(
        ge=0, le=SEED_MAX, json_schema_extra=allows(f"an integer from 0 to {SEED_MAX}")
    )
    parameters: list[str] = Field(
        min_length=1, json_schema_extra=allows("a non-empty list of numeric parameter names")
    )
    population_size: int = Field(
        ge=2, le=MAX_COUNT, json_schema_extra=allows(f"an integer from 2 to {MAX_COUNT}")
    )
    max_populations: int = Field(
        ge=1, le=1000, json_schema_extra=allows("an integer from 1 to 1000")
    )
    max_walltime_minutes: float = Field(
        gt=0, le=100_000, json_schema_extra=allows("a number of minutes above 0")
    )
    replications: int = Field(
        ge=1, le=MAX_COUNT, json_schema_extra=allows(f"an integer from 1 to {MAX_COUNT}")
    )
    processes: int = Field(1, ge=1, le=1024, json_schema_extra=allows("an integer from 1 to 1024"))
    verify_replications: int = Field(
        0, ge=0, le=MAX_COUNT, json_schema_extra=allows(f"an integer from 0 to {MAX_COUNT}")
    )
    verify_max: int = Field(
        0, ge=0, le=MAX_COUNT, json_schema_extra=allows("an integer from 0 (all) up")
    )
    keep_defaults: bool = Field(False, json_schema_extra=allows("true or false"))
    priors: dict[str, list[float]] = Field(
        default_factory=dict,
        json_schema_extra=allows("a [priors] table of parameter = [low, high]"),
    )
    model: dict[str, Any] = Field(
        default_factory=dict,
        json_schema_extra=allows("a [model] table of parameter names and values"),
    )


def _key_problems(where: str, error: ValidationError) -> list[str]:
    return [
        key_problem(where, CalibrationFile, problem, ("priors", "model"))
        for problem in error.errors()
    ]


def _parameter_problems(where: str, file: CalibrationFile) -> list[str]:
    problems = []
    for name in sorted({n for n in file.parameters if file.parameters.count(n) > 1}):
        problems.append(
            f"{where}: parameters: {name!r} is listed twice; allowed: each parameter once"
        )
    for name in file.parameters:
        if name in _NOT_CALIBRATED:
            problems.append(
                f"{where}: parameters: {name!r} cannot be calibrated: {_NOT_CALIBRATED[name]}"
            )
        elif name in file.model:
            problems.append(
                f"{where}: parameters: {name!r} is also set in [model]; allowed: a parameter "
                "either calibrated or set, not both"
            )
        elif name not in Parameters.model_fields:
            problems.append(
                f"{where}: parameters: {name!r} is not a parameter; allowed: numeric parameter "
                "names (`gemsim params`)"
            )
        elif Parameters.model_fields[name].annotation not in (int, float):
            problems.append(
                f"{where}: parameters: {name!r} is not numeric; allowed: numeric parameter names"
            )
        elif name not in file.priors and plausible_range(name) is None:
            problems.append(
                f"{where}: parameters: {name!r} has no [priors] entry and no plausible range; "
                f"allowed: add {name} = [low, high] to [priors]"
            )
    for name, bounds in file.priors.items():
        if name not in file.parameters:
            problems.append(
                f"{where}: [priors] {name}: not in parameters; allowed: a prior for each of "
                "the calibrated parameters"
            )
        elif len(bounds) != 2 or not bounds[0] < bounds[1]:
            problems.append(
                f"{where}: [priors] {name} = {toml_value(bounds)} is not allowed: must be "
                "[low, high] with low < high"
            )
        elif name in Parameters.model_fields and not all(
            in_range(name, _as_model_value(name, end)) for end in bounds
        ):
            rounded = " (integer parameters: after rounding)" if is_integer_parameter(name) else ""
            problems.append(
                f"{where}: [priors] {name} = {toml_value(bounds)} is not allowed: both ends "
                f"must be {allowed_range(name)}{rounded}"
            )
    model_problems = [
        f"[model] {name} is not allowed here: {reason}"
        for name, reason in _NOT_CALIBRATED.items()
        if name in file.model
    ]
    model_problems += parameter_problems("[model]", file.model)
    if not model_problems:
        model_problems = combination_problems("[model]", file.model)
    return problems + [f"{where}: {line}" for line in model_problems]


def _as_model_value(name: str, value: float) -> float:
    """A prior's end as the model takes it (integer parameters are rounded, as particles)."""
    return float(round(value)) if is_integer_parameter(name) else value


def _corner_problems(where: str, file: CalibrationFile, base: dict[str, Any]) -> list[str]:
    """Rules between parameters (``Parameters``' own checks) at the priors' ends: each
    calibrated parameter at each end with the others at their defaults, then all at their
    low ends and all at their high ends, on the patterns scenario with [model]."""
    ends = {}
    for name in file.parameters:
        prior = file.priors.get(name) or plausible_range(name)
        if prior is None or name not in Parameters.model_fields or name in _NOT_CALIBRATED:
            return []  # reported by the parameter checks
        ends[name] = [_as_model_value(name, end) for end in prior]
    corners = [{name: pair[i]} for name, pair in ends.items() for i in (0, 1)]
    corners += [{name: pair[i] for name, pair in ends.items()} for i in (0, 1)]
    for corner in corners:
        found = combination_problems("[priors]", {**base, **corner})
        if found:
            shown = ", ".join(f"{name} = {value:g}" for name, value in corner.items())
            return [f"{where}: at {shown}: {line}" for line in found]
    return []


def _pattern_problems(
    where: str, file: CalibrationFile, experiment: Experiment, values_ok: bool
) -> list[str]:
    """Problems with what the file names in the patterns file; with ``values_ok`` (the
    parameters, priors and [model] passed on their own) also the rules between parameters
    on the patterns scenario with [model], and at the priors' ends."""
    settings = experiment.patterns
    if settings is None:
        return [
            f"{where}: patterns = {toml_value(file.patterns)}: that file has no [patterns] table"
        ]
    problems = []
    scenarios = experiment.scenario_names
    if file.scenario is not None and file.scenario not in scenarios:
        problems.append(
            f"{where}: scenario = {toml_value(file.scenario)} is not allowed: must be one of "
            f"{', '.join(scenarios)}"
        )
    scenario = file.scenario or experiment.baseline_name
    if values_ok and scenario in scenarios:
        base = {**experiment.scenario_overrides()[scenario], **file.model}
        merged = combination_problems("[model]", base, f"with the scenario {scenario!r}")
        problems += [f"{where}: {line}" for line in merged]
        if not merged:
            problems += _corner_problems(where, file, base)
    for name in file.patterns_scored:
        pattern = settings.patterns.get(name)
        if pattern is None:
            problems.append(
                f"{where}: patterns_scored: {name!r} is not a pattern of {file.patterns}; "
                f"allowed: {', '.join(settings.patterns)}"
            )
        elif not pattern.reporter.startswith("collectives_"):
            problems.append(
                f"{where}: patterns_scored: {name!r} is not a count of collectives; allowed: "
                "patterns whose reporter is collectives_<type>"
            )
        elif any(c.kind not in ("growth", "ratio") for c in pattern.criteria):
            problems.append(
                f"{where}: patterns_scored: {name!r} has criteria other than growth and "
                "ratio; allowed: patterns with growth and ratio criteria only"
            )
    return problems


def read_calibration_file(path: str | Path) -> tuple[CalibrationFile, Experiment]:
    """The validated calibration file at ``path`` and the patterns experiment it names;
    raises ScenarioError with one line per problem."""
    path = Path(path)
    where = show_path(path)
    try:
        file = CalibrationFile.model_validate(read_toml(path))
    except ValidationError as error:
        raise ScenarioError(_key_problems(where, error)) from None
    problems = _parameter_problems(where, file)
    try:
        experiment = load_experiment(file.patterns)
    except ScenarioError as error:
        raise ScenarioError(
            [*problems, f"{where}: patterns = {toml_value(file.patterns)} is not usable:"]
            + [f"  {line}" for line in error.problems]
        ) from None
    problems += _pattern_problems(where, file, experiment, values_ok=not problems)
    output = Path(file.output)
    if output.exists() and not output.is_dir():
        problems.append(
            f"{where}: output = {toml_value(file.output)} is not allowed: it is a file; must be "
            f"{field_allowed(CalibrationFile, 'output')}"
        )
    if problems:
        raise ScenarioError(problems)
    return file, experiment
