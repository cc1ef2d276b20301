"""Experiment files (TOML): which scenarios to run, how often, how long, what to report.

An **experiment file** (:class:`Experiment`) lists scenarios to run with replications,
a horizon, a root seed, optional ``[parameters]`` applied to every scenario, an optional
``[sweep]`` grid and the reporters to report. A **sensitivity experiment** has a
``[sensitivity]`` table instead of ``replications``, ``baseline``, ``outputs`` and
``[sweep]`` (schema: :mod:`gemsim.study.sensitivity_spec`).

Every file is validated completely before anything runs. Any problem raises one
:class:`~gemsim.study.files.ScenarioError` whose message has one line per problem, each
naming the file, the key and what is allowed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import ErrorDetails

from gemsim.experiments.specs import make_run_id
from gemsim.model.parameters import allowed_range, bounds
from gemsim.study.claims import ClaimsSettings, GoalSeekSettings
from gemsim.study.files import (
    MAX_COUNT,
    NAME_ALLOWED,
    NAME_PATTERN,
    SEED_MAX,
    ScenarioError,
    allows,
    field_allowed,
    file_kind,
    key_problem,
    read_toml,
    show_path,
    suggest,
    toml_value,
)
from gemsim.study.model_values import (
    combination_problems,
    normalised,
    parameter_problems,
    reporter_names,
)
from gemsim.study.patterns_spec import PatternSettings
from gemsim.study.patterns_spec import table_problems as patterns_table_problems
from gemsim.study.scenarios import (
    Scenario,
    find_scenario,
    read_scenario,
    scenario_not_found,
    scenario_search_dirs,
)
from gemsim.study.sensitivity_spec import SensitivitySettings, table_problems

if TYPE_CHECKING:  # gemsim.sensitivity imports SALib
    from gemsim.sensitivity import Factor

__all__ = ["Experiment", "experiment_for_scenario", "load_experiment"]

_HORIZON_ONLY = {
    "months": "set the experiment's top-level `months` key (or --months) instead",
}
_MONTHS_LOW, _MONTHS_HIGH = bounds("months")
#: Top-level keys that mean something else in a sensitivity experiment.
_NOT_IN_SENSITIVITY = {
    "replications": "set [sensitivity] replications (runs per sample point and scenario)",
    "baseline": "set [sensitivity] base_scenario (contrasts name their own reference)",
    "sweep": "a sensitivity experiment samples its parameters: use [sensitivity.parameters]",
    "outputs": "set [sensitivity] outputs (and the outputs of each contrast)",
}


class Experiment(BaseModel):
    """An experiment file: which scenarios to run, how often, how long, and what to report.

    Scenario entries are names or paths; they are resolved (relative to the experiment
    file's folder, then the scenario folders) by :func:`load_experiment`, which also
    checks that every combination of scenario, ``[parameters]`` and sweep point is valid.

    An experiment with a ``[sensitivity]`` table is a global sensitivity analysis (run with
    ``gemsim sensitivity``; schema in :mod:`gemsim.study.sensitivity_spec`, runs in
    :mod:`gemsim.study.plans`). In such a file ``replications``, ``baseline``,
    ``outputs`` and ``[sweep]`` are replaced by keys of ``[sensitivity]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(pattern=NAME_PATTERN, json_schema_extra=allows(NAME_ALLOWED))
    description: str = Field("", json_schema_extra=allows("a string"))
    scenarios: list[str] = Field(
        min_length=1, json_schema_extra=allows("a non-empty list of scenario names or paths")
    )
    baseline: str = Field(
        "status_quo",
        json_schema_extra=allows("the name of one of the experiment's scenarios"),
    )
    replications: int = Field(
        30,
        ge=1,
        le=MAX_COUNT,
        json_schema_extra=allows(f"an integer from 1 to {MAX_COUNT}"),
    )
    months: int | None = Field(
        None,
        ge=_MONTHS_LOW,
        le=_MONTHS_HIGH,
        json_schema_extra=allows(allowed_range("months")),
    )
    seed: int = Field(
        0, ge=0, le=SEED_MAX, json_schema_extra=allows(f"an integer from 0 to {SEED_MAX}")
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        json_schema_extra=allows("a [parameters] table of parameter names and values"),
    )
    sweep: dict[str, list[Any]] = Field(
        default_factory=dict,
        json_schema_extra=allows("a [sweep] table mapping parameter names to lists of values"),
    )
    outputs: list[str] = Field(
        default_factory=list,
        json_schema_extra=allows("a list of reporter names (empty: the report's default)"),
    )
    sensitivity: SensitivitySettings | None = Field(
        None,
        json_schema_extra=allows(
            "a [sensitivity] table (method, n, base_scenario, [sensitivity.parameters.<name>])"
        ),
    )
    patterns: PatternSettings | None = Field(
        None,
        json_schema_extra=allows(
            "a [patterns] table (start_year, [patterns.<name>] with reporter and [[criteria]])"
        ),
    )

    claims: ClaimsSettings | None = Field(
        None,
        json_schema_extra=allows("a [claims] table (sensitivity, [claims.goal_seek])"),
    )

    _source: Path | None = PrivateAttr(None)
    _resolved: dict[str, Scenario] | None = PrivateAttr(None)
    _settings: SensitivitySettings | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_tables(self) -> Experiment:
        problems = parameter_problems("[parameters]", self.parameters, forbidden=_HORIZON_ONLY)
        problems += _sweep_problems(self.sweep, self.parameters)
        problems += _output_problems(self.outputs)
        if self.sensitivity is not None:
            problems += [
                f"{key} is not allowed in a sensitivity experiment: {reason}"
                for key, reason in _NOT_IN_SENSITIVITY.items()
                if key in self.model_fields_set
            ]
            problems += [
                f"[sensitivity.parameters.{name}] is not allowed: {name} is also set in "
                "[parameters]; allowed: each parameter in one of the two tables"
                for name in self.sensitivity.parameter_names
                if name in self.parameters
            ]
        if self.patterns is not None:
            problems += _patterns_experiment_problems(self)
        if self.claims is not None:
            problems += [
                f"[{key}] is not allowed with [claims]: a claims experiment runs its "
                "scenarios under default assumptions (the sensitivity analysis is its own "
                "experiment, named by [claims] sensitivity)"
                for key in ("sweep", "sensitivity", "patterns")
                if getattr(self, key)
            ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # -------------------------------------------------------------- resolved views
    @property
    def source(self) -> Path | None:
        """The experiment file this was read from (None if built in code)."""
        return self._source

    @property
    def resolved_scenarios(self) -> dict[str, Scenario]:
        """Scenario name -> resolved scenario, in the file's order."""
        if self._resolved is None:
            raise RuntimeError("experiment not resolved: use load_experiment() or .resolve()")
        return self._resolved

    @property
    def scenario_names(self) -> list[str]:
        return list(self.resolved_scenarios)

    @property
    def baseline_name(self) -> str:
        """The baseline as a scenario name (the ``baseline`` key may also be a path); in a
        sensitivity experiment the base scenario."""
        settings = self.sensitivity_settings
        if settings is not None:
            return settings.base_scenario
        return _baseline_name(self.baseline, self.scenarios, self.resolved_scenarios)

    @property
    def sensitivity_settings(self) -> SensitivitySettings | None:
        """The ``[sensitivity]`` table (None without one), with scenario entries turned into
        scenario names once the experiment is resolved."""
        return self._settings if self._settings is not None else self.sensitivity

    @property
    def is_sensitivity(self) -> bool:
        """Whether this is a sensitivity experiment (it has a ``[sensitivity]`` table)."""
        return self.sensitivity is not None

    @property
    def horizon(self) -> int:
        """Months per run: the ``months`` key, else the scenarios' common ``months``.

        Raises ScenarioError if ``months`` is unset and the scenarios' horizons differ.
        """
        if self.months is not None:
            return self.months
        horizons = {n: s.build().months for n, s in self.resolved_scenarios.items()}
        if len(set(horizons.values())) > 1:
            where = show_path(self._source) if self._source else "experiment"
            listed = ", ".join(f"{n}: {m}" for n, m in horizons.items())
            raise ScenarioError(
                f"{where}: months is not set and the scenarios' horizons differ ({listed}); "
                "allowed: set months in the experiment file or with --months"
            )
        return next(iter(horizons.values()))

    def scenario_overrides(self) -> dict[str, dict[str, Any]]:
        """Per scenario: its flat overrides updated by ``[parameters]`` (months removed:
        the horizon is :attr:`horizon`, passed to runs separately)."""
        shared = {k: normalised(k, v) for k, v in self.parameters.items()}
        return {
            name: {k: v for k, v in {**scenario.parameters, **shared}.items() if k != "months"}
            for name, scenario in self.resolved_scenarios.items()
        }

    def points(self) -> list[dict[str, Any]]:
        """The sweep grid in file order (last key varies fastest); ``[{}]`` without a sweep."""
        if not self.sweep:
            return [{}]
        names = list(self.sweep)
        values = [[normalised(n, v) for v in self.sweep[n]] for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]

    @property
    def run_count(self) -> int:
        settings = self.sensitivity_settings
        if settings is not None:
            return len(self.scenarios) * settings.n_points * settings.replications
        return len(self.scenarios) * len(self.points()) * self.replications

    @property
    def runs_per_point(self) -> int:
        """Replications per scenario and point (``[sensitivity] replications`` in a
        sensitivity experiment)."""
        settings = self.sensitivity_settings
        return settings.replications if settings is not None else self.replications

    # -------------------------------------------------------------- building
    def resolve(self, base_dir: Path | None = None) -> Experiment:
        """A copy with scenarios resolved (relative to ``base_dir``) and every
        combination checked; raises ScenarioError."""
        where = show_path(self._source) if self._source else "experiment"
        base = base_dir or (self._source.parent if self._source else None)
        resolved = _resolve_entries(where, self.scenarios, scenario_search_dirs(base), base)
        if self.sensitivity is None:
            problems = _baseline_problems(where, self.baseline, self.scenarios, resolved)
        else:
            problems = _sensitivity_scenario_problems(where, self.sensitivity, self, resolved)
        problems += _combination_problems(where, self, resolved)
        if problems:
            raise ScenarioError(problems)
        copy = self.model_copy()
        copy._source = self._source
        copy._resolved = resolved
        if self.sensitivity is not None:
            copy._settings = self.sensitivity.with_scenario_names(
                _scenario_namer(self.scenarios, resolved)
            )
        return copy

    def with_overrides(
        self,
        *,
        replications: int | None = None,
        months: int | None = None,
        seed: int | None = None,
        n: int | None = None,
        claims_sensitivity: str | None = None,
    ) -> Experiment:
        """A copy with command-line overrides applied (validated; options named in errors).

        In a sensitivity experiment ``replications`` and ``n`` set ``[sensitivity]
        replications`` and ``n``; elsewhere ``n`` is not allowed. ``claims_sensitivity``
        sets ``[claims] sensitivity`` (the results folder the claims read), only in an
        experiment with a ``[claims]`` table.
        """
        given = {"replications": replications, "months": months, "seed": seed}
        update: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if claims_sensitivity is not None:
            if self.claims is None:
                raise ScenarioError(
                    "--sensitivity is only allowed for an experiment with a [claims] table"
                )
            if not claims_sensitivity:
                raise ScenarioError(
                    "--sensitivity '' is not allowed: must be the path of a sensitivity "
                    "results folder"
                )
            update["claims"] = self.claims.model_copy(update={"sensitivity": claims_sensitivity})
        if self.sensitivity is not None:
            problems = _sensitivity_override_problems(self.sensitivity, replications, n)
            if problems:
                raise ScenarioError(problems)
            table = {k: v for k, v in (("replications", replications), ("n", n)) if v is not None}
            update.pop("replications", None)
            if table:
                update["sensitivity"] = self.sensitivity.model_copy(update=table)
        elif n is not None:
            raise ScenarioError("--n is only allowed for an experiment with a [sensitivity] table")
        if not update:
            return self
        # The fields as set (not dumped): the [sensitivity] table is kept as checked.
        fields = {key: getattr(self, key) for key in self.model_fields_set}
        try:
            copy = Experiment.model_validate({**fields, **update})
        except ValidationError as error:
            raise ScenarioError(
                [
                    f"--{p['loc'][0]} {p['input']} is not allowed: must be "
                    f"{field_allowed(Experiment, str(p['loc'][0]))}"
                    for p in error.errors()
                ]
            ) from None
        copy._source = self._source
        return copy.resolve(self._source.parent if self._source else None)

    def as_record(self) -> dict[str, Any]:
        """The experiment as run, for the manifest.

        ``scenarios`` maps each scenario name (in order) to its file, ``extends`` chain,
        description and merged parameters; ``scenario_entries`` are the entries as written;
        ``baseline`` is the baseline's name and ``months`` the horizon actually run;
        ``points`` the sweep grid (``[{}]`` without a sweep). A sensitivity experiment has
        ``sensitivity`` (:meth:`SensitivitySettings.as_record`), ``replications`` per sample
        point and ``points``, the number of sample points (the points are in the results'
        ``sample.parquet``).
        """
        record = self._record()
        settings = self.sensitivity_settings
        if settings is not None:
            record.update(
                baseline=settings.base_scenario,
                replications=settings.replications,
                points=settings.n_points,
            )
        return record

    def _record(self) -> dict[str, Any]:
        dump = self.model_dump(exclude={"sensitivity", "patterns", "claims"})
        if self.claims is not None:  # absent otherwise: older records resume unchanged
            dump["claims"] = self.claims.as_record()
        settings = self.sensitivity_settings
        if settings is not None:
            dump["sensitivity"] = settings.as_record()
        if self.patterns is not None:  # absent otherwise: older records resume unchanged
            dump["patterns"] = self.patterns.as_record()
        return {
            **dump,
            "file": show_path(self._source) if self._source else None,
            "scenarios": {
                name: {
                    "file": show_path(s.path),
                    "extends": s.extends,
                    "description": s.description,
                    "parameters": s.parameters,
                }
                for name, s in self.resolved_scenarios.items()
            },
            "scenario_entries": list(self.scenarios),
            "baseline": self.baseline_name,
            "months": self.horizon,
            "points": self.points(),
            "run_count": self.run_count,
        }


def _sweep_problems(sweep: Mapping[str, list[Any]], parameters: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for name, values in sweep.items():
        if name in parameters:
            problems.append(
                f"[sweep] {name} is also set in [parameters]; allowed: each parameter in one "
                "of the two tables"
            )
        if not values:
            problems.append(f"[sweep] {name} = [] is not allowed: must be a non-empty list")
        if len({toml_value(v) for v in values}) < len(values):
            problems.append(
                f"[sweep] {name} = {toml_value(values)} is not allowed: values must not repeat"
            )
        for value in values:
            forbidden = {"months": "the horizon cannot be swept; run one experiment per horizon"}
            found = parameter_problems("[sweep]", {name: value}, forbidden=forbidden)
            problems += [p for p in found if p not in problems]
    points = math.prod(len(values) for values in sweep.values())
    if points > MAX_COUNT:
        problems.append(
            f"[sweep] makes {points:,} points (the product of its lists' lengths), which is not "
            f"allowed: at most {MAX_COUNT:,} points"
        )
    return problems


def _patterns_experiment_problems(experiment: Experiment) -> list[str]:
    """A patterns experiment runs one scenario, without a sweep or sensitivity design."""
    reason = "a [patterns] experiment scores one scenario over the observed period"
    problems = []
    if len(experiment.scenarios) != 1:
        problems.append(
            f"scenarios is not allowed with [patterns]: must list one scenario ({reason})"
        )
    for key in ("sweep", "sensitivity"):
        if getattr(experiment, key):
            problems.append(f"[{key}] is not allowed with [patterns] ({reason})")
    return problems


def _claims_problem(problem: ErrorDetails) -> str:
    """One line for a problem of the ``[claims]`` table."""
    loc = [str(part) for part in problem["loc"][1:]]
    section = "[claims.goal_seek]" if loc[:1] == ["goal_seek"] and len(loc) > 1 else "[claims]"
    key = loc[-1] if loc else "claims"
    if problem["type"] == "value_error":
        return str(problem["msg"]).removeprefix("Value error, ")
    model: Any = GoalSeekSettings if section == "[claims.goal_seek]" else ClaimsSettings
    if problem["type"] == "extra_forbidden":
        return f"{section} unknown key {key!r}; allowed keys: " + ", ".join(model.model_fields)
    allowed = field_allowed(model, key)
    if problem["type"] == "missing":
        return f"{section} {key} is missing: must be {allowed}"
    return f"{section} {key} = {toml_value(problem.get('input'))} is not allowed: must be {allowed}"


def _output_problems(outputs: Sequence[str]) -> list[str]:
    if not outputs:
        return []
    known = reporter_names()
    return [
        f"outputs: unknown reporter {name!r}{suggest(name, known)}; allowed: " + ", ".join(known)
        for name in outputs
        if name not in known
    ]


def _resolve_entries(
    where: str, entries: Sequence[str], dirs: Sequence[Path], base_dir: Path | None
) -> dict[str, Scenario]:
    resolved: dict[str, Scenario] = {}
    named_by_run_id: dict[str, str] = {}  # a scenario's run ids (as of its first) -> its name
    problems: list[str] = []
    for index, entry in enumerate(entries):
        path = find_scenario(entry, dirs, base_dir)
        if path is None:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)}: "
                + scenario_not_found(entry, dirs)
            )
            continue
        try:
            scenario = read_scenario(path)
        except ScenarioError as error:
            problems += error.problems
            continue
        if scenario.name in resolved:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)}: the name "
                f"{scenario.name!r} is used twice; allowed: scenarios with different names"
            )
            continue
        run_id = make_run_id(scenario.name, 0)
        if run_id in named_by_run_id:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)}: the name "
                f"{scenario.name!r} gives the same run ids as {named_by_run_id[run_id]!r} "
                "(names are made file-name safe, trailing '_' dropped); allowed: names that "
                "stay different"
            )
            continue
        named_by_run_id[run_id] = scenario.name
        resolved[scenario.name] = scenario
    if problems:
        raise ScenarioError(problems)
    return resolved


def _baseline_name(baseline: str, entries: Sequence[str], resolved: Mapping[str, Scenario]) -> str:
    if baseline in resolved:
        return baseline
    for entry, name in zip(entries, resolved, strict=True):
        if entry == baseline:
            return name
    raise KeyError(baseline)


def _baseline_problems(
    where: str, baseline: str, entries: Sequence[str], resolved: Mapping[str, Scenario]
) -> list[str]:
    try:
        _baseline_name(baseline, entries, resolved)
    except KeyError:
        return [
            f"{where}: baseline = {toml_value(baseline)} is not one of the experiment's "
            f"scenarios; allowed: {', '.join(resolved)}"
        ]
    return []


def _combination_problems(
    where: str, experiment: Experiment, resolved: Mapping[str, Scenario]
) -> list[str]:
    """Every scenario x [parameters] x sweep point must be a valid parameter set."""
    problems: list[str] = []
    for name, scenario in resolved.items():
        base = {**scenario.parameters, **experiment.parameters}
        for point in experiment.points():
            if point:
                section, context = "[sweep]", f"scenario {name!r} at {toml_value(point)}"
            else:
                section, context = "[parameters]", f"scenario {name!r}"
            found = combination_problems(section, {**base, **point}, context)
            problems += [f"{where}: {p}" for p in found if f"{where}: {p}" not in problems]
        if experiment.sensitivity is not None:
            factors = experiment.sensitivity.factors
            problems += _factor_combination_problems(where, factors, name, base)
    return problems


def _factor_values(factor: Factor) -> list[Any]:
    """The values of a factor that are checked against the scenarios before running: its
    bounds (the mean for ``norm``, ``exp`` of it for ``lognorm``) or every level."""
    if factor.kind == "categorical":
        return list(factor.levels)
    if factor.dist == "norm":
        return [factor.low]
    if factor.dist == "lognorm":
        return [math.exp(factor.low)]
    return [factor.low, factor.high]


def _factor_combination_problems(
    where: str, factors: Sequence[Factor], scenario: str, base: Mapping[str, Any]
) -> list[str]:
    """Each sampled parameter at each of its bounds must fit every scenario (rules that
    involve several parameters, e.g. ``initial_active_share <= initial_participation_share``).
    Combinations of several sampled parameters are checked on the drawn sample before
    anything runs (:func:`gemsim.study.plans.check_points`)."""
    problems: list[str] = []
    for factor in factors:
        for value in _factor_values(factor):
            value = normalised(factor.name, value)
            context = f"scenario {scenario!r} at {factor.name} = {toml_value(value)}"
            section = f"[sensitivity.parameters.{factor.name}]"
            found = combination_problems(section, {**base, factor.name: value}, context)
            problems += [f"{where}: {p}" for p in found]
    return problems


def _scenario_namer(
    entries: Sequence[str], resolved: Mapping[str, Scenario]
) -> Callable[[str], str]:
    """``entry or name -> scenario name`` (unknown entries are returned unchanged)."""

    def name(entry: str) -> str:
        try:
            return _baseline_name(entry, entries, resolved)
        except KeyError:
            return entry

    return name


def _sensitivity_scenario_problems(
    where: str,
    settings: SensitivitySettings,
    experiment: Experiment,
    resolved: Mapping[str, Scenario],
) -> list[str]:
    """The base scenario and the contrasts' scenarios must be among the experiment's
    scenarios, and every scenario must be used (each is run at every sample point)."""
    references = [("[sensitivity] base_scenario", settings.base_scenario)]
    for number, contrast in enumerate(settings.contrasts, start=1):
        section = f"[[sensitivity.contrasts]] #{number}"
        references += [
            (f"{section} scenario", contrast.scenario),
            (f"{section} reference", contrast.reference),
        ]
    used: set[str] = set()
    problems: list[str] = []
    for label, entry in references:
        try:
            used.add(_baseline_name(entry, experiment.scenarios, resolved))
        except KeyError:
            problems.append(
                f"{where}: {label} = {toml_value(entry)} is not one of the experiment's "
                f"scenarios; allowed: {', '.join(resolved)}"
            )
    if problems:
        return problems
    for index, (entry, name) in enumerate(zip(experiment.scenarios, resolved, strict=True)):
        if name not in used:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)} is not used by "
                "[sensitivity] (every scenario is run at every sample point); allowed: the "
                "base_scenario and the scenarios and references of [[sensitivity.contrasts]]"
            )
    return problems


def _sensitivity_override_problems(
    settings: SensitivitySettings, replications: int | None, n: int | None
) -> list[str]:
    """Problems of ``--replications`` and ``--n`` for a sensitivity experiment."""
    from gemsim.study.sensitivity_spec import sensitivity_n_problem

    problems: list[str] = []
    if replications is not None and not 1 <= replications <= MAX_COUNT:
        problems.append(
            f"--replications {replications} is not allowed: must be "
            + field_allowed(SensitivitySettings, "replications")
        )
    if n is not None:
        text = sensitivity_n_problem(n, settings.method, settings.options)
        if text:
            problems.append(f"--n {n} is not allowed: must be {text}")
    return problems


def _pydantic_problems(where: str, error: ValidationError) -> list[str]:
    problems: list[str] = []
    table: list[ErrorDetails] = []  # problems inside the [sensitivity] table
    for problem in error.errors():
        loc = problem["loc"]
        if not loc:  # a model-level check: lines already name their key
            message = str(problem["msg"]).removeprefix("Value error, ")
            problems += [f"{where}: {line}" for line in message.splitlines()]
            continue
        key = str(loc[0])
        if key == "sensitivity" and len(loc) > 1:
            table.append({**problem, "loc": loc[1:]})
            continue
        if key == "sensitivity" and problem["type"] == "value_error":  # the table's own checks
            message = str(problem["msg"]).removeprefix("Value error, ")
            problems += [f"{where}: {line}" for line in message.splitlines()]
            continue
        if key == "patterns":
            problems += [f"{where}: {line}" for line in patterns_table_problems([problem])]
            continue
        if key == "claims":
            problems.append(f"{where}: {_claims_problem(problem)}")
            continue
        problems.append(key_problem(where, Experiment, problem, ("parameters", "sweep")))
    return problems + [f"{where}: {line}" for line in table_problems(table)]


def load_experiment(path: str | Path) -> Experiment:
    """Read, resolve and validate an experiment file; raises ScenarioError."""
    path = Path(path)
    where = show_path(path)
    data = read_toml(path)
    if "scenarios" not in data and file_kind(data) == "calibration":
        raise ScenarioError(
            f"{where}: scenarios is missing: it looks like a calibration file (run it with "
            "`python -m gemsim.study.calibration`); allowed: an experiment file with "
            "scenarios = [...]"
        )
    if "scenarios" not in data and ("extends" in data or file_kind(data) == "scenario"):
        raise ScenarioError(
            f"{where}: scenarios is missing: it looks like a scenario file (run one with "
            "`gemsim run`); allowed: an experiment file with scenarios = [...]"
        )
    if "name" not in data:
        data["name"] = path.stem if re.match(NAME_PATTERN, path.stem) else "experiment"
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(_pydantic_problems(where, error)) from None
    experiment._source = path
    return experiment.resolve(path.parent)


def experiment_for_scenario(
    name_or_path: str | Path, *, replications: int = 10, seed: int = 0
) -> Experiment:
    """A one-scenario experiment (for ``gemsim run``), named after the scenario."""
    scenario = read_scenario(name_or_path)
    experiment = Experiment(
        name=scenario.name,
        description=scenario.description,
        scenarios=[str(scenario.path.resolve())],
        baseline=scenario.name,
        replications=replications,
        seed=seed,
    )
    return experiment.resolve()
