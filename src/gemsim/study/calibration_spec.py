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

from gemsim.model.parameters import Parameters, plausible_range
from gemsim.study.experiment import Experiment, load_experiment
from gemsim.study.files import (
    MAX_COUNT,
    ScenarioError,
    allows,
    key_problem,
    read_toml,
    show_path,
    toml_value,
)
from gemsim.study.model_values import combination_problems, parameter_problems

__all__ = ["CalibrationFile", "read_calibration_file"]

_SEED_MAX = 2**63 - 1


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
    output: str = Field(json_schema_extra=allows("the folder for the outputs"))
    seed: int = Field(
        ge=0, le=_SEED_MAX, json_schema_extra=allows(f"an integer from 0 to {_SEED_MAX}")
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
    for name in file.parameters:
        if name not in Parameters.model_fields:
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
    model_problems = parameter_problems("[model]", file.model)
    if not model_problems:
        model_problems = combination_problems("[model]", file.model)
    return problems + [f"{where}: {line}" for line in model_problems]


def _pattern_problems(where: str, file: CalibrationFile, experiment: Experiment) -> list[str]:
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
    problems += _pattern_problems(where, file, experiment)
    if problems:
        raise ScenarioError(problems)
    return file, experiment
