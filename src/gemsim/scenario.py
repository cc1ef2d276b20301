"""Scenario and experiment files (TOML): reading, ``extends``, and validation.

A **scenario file** names a set of parameter values::

    name = "groeiplan"                 # optional; default: the file name without .toml
    description = "..."                # optional
    extends = "status_quo"             # optional: a scenario name or a relative path
    [parameters]                       # flat parameter names (see `gemsim params`)
    regime = "direct_fund"

``extends`` names a scenario resolved as ``<same folder>/<name>.toml`` (then the other
scenario folders, see :func:`scenario_search_dirs`) or a path relative to the file. The
parent's parameters are merged first, then the child's.

An **experiment file** (:class:`Experiment`) lists scenarios to run with replications,
a horizon, a root seed, optional ``[parameters]`` applied to every scenario, an optional
``[sweep]`` grid and the reporters to report.

Every file is validated completely before anything runs. Any problem raises one
:class:`ScenarioError` whose message has one line per problem, each naming the file, the
key and what is allowed, e.g.
``scenarios/bad.toml: [parameters] months = -3 is not allowed: must be an integer from 1 to 600``.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import tomllib
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from gemsim.parameters import ParameterError, Parameters, allowed_range

__all__ = [
    "Experiment",
    "Scenario",
    "ScenarioError",
    "experiment_for_scenario",
    "file_kind",
    "load_experiment",
    "load_scenario",
    "read_scenario",
    "reporter_names",
    "resolve_scenario",
    "scenario_parameters",
    "scenario_search_dirs",
]

SCENARIO_KEYS: tuple[str, ...] = ("name", "description", "extends", "parameters")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
NAME_ALLOWED = "a name of letters, digits, '.', '_' and '-' (at most 100 characters)"
#: Keys that only experiment files have (used to tell the two kinds of file apart).
EXPERIMENT_ONLY_KEYS = frozenset(
    {"scenarios", "baseline", "replications", "months", "seed", "sweep", "outputs"}
)
#: The repository's own scenarios folder, when running from a source checkout.
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(ValueError):
    """An invalid scenario or experiment file; one line per problem, each naming the file,
    the key and what is allowed."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# ----------------------------------------------------------------------------- helpers
def show_path(path: Path | str) -> str:
    """``path`` relative to the working directory if it lies below it, else absolute."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def toml_value(value: Any) -> str:
    """``value`` written as in a TOML file (for messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file raises ScenarioError."""
    where = show_path(path)
    if not path.exists():
        raise ScenarioError(f"{where}: file not found")
    if path.is_dir():
        raise ScenarioError(f"{where}: is a folder, not a .toml file")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{where}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not valid TOML: the file is not UTF-8 text") from None
    except OSError as error:
        raise ScenarioError(f"{where}: cannot be read: {error.strerror or error}") from None


def file_kind(data: Mapping[str, Any]) -> str:
    """``"experiment"`` if the parsed file has experiment keys, else ``"scenario"``."""
    return "experiment" if EXPERIMENT_ONLY_KEYS.intersection(data) else "scenario"


# ------------------------------------------------------------------ parameter checking
def _type_ok(name: str, value: Any) -> bool:
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
    if annotation is str or typing.get_origin(annotation) is typing.Literal:
        return isinstance(value, str)
    return True


def _normalised(name: str, value: Any) -> Any:
    """Integers given for float parameters become floats (stable run-table column types)."""
    if Parameters.model_fields[name].annotation is float and isinstance(value, int):
        return float(value)
    return value


def _not_allowed(section: str, name: str, value: Any) -> str:
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
                f"{section} unknown parameter {name!r}{_suggest(name, Parameters.model_fields)};"
                " allowed: a parameter name listed by `gemsim params`"
            )
        elif not _type_ok(name, value):
            problems[name] = _not_allowed(section, name, value)
        else:
            checkable[name] = value
    try:
        Parameters.model_validate(checkable)
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if name in checkable:
                problems[name] = _not_allowed(section, name, checkable[name])
    return [problems[name] for name in values if name in problems]


def combination_problems(section: str, values: Mapping[str, Any], context: str = "") -> list[str]:
    """Problems of the merged values as a whole (rules that involve several parameters)."""
    try:
        Parameters.build(dict(values))
    except ParameterError as error:
        suffix = f" ({context})" if context else ""
        return [f"{section} {line}{suffix}" for line in str(error).split("; ")]
    return []


# ----------------------------------------------------------------------------- lookup
def scenario_search_dirs(base_dir: Path | None = None) -> list[Path]:
    """Folders searched for a scenario given by name, in order, without duplicates.

    ``base_dir`` (the folder of the file that refers to the scenario) and its
    ``scenarios/`` and ``../scenarios/`` folders, then ``./scenarios`` and the
    repository's shipped scenarios.
    """
    candidates: list[Path] = []
    if base_dir is not None:
        candidates += [base_dir, base_dir / "scenarios", base_dir.parent / "scenarios"]
    candidates += [Path.cwd() / "scenarios", SHIPPED_SCENARIOS]
    unique: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and all(folder.resolve() != u.resolve() for u in unique):
            unique.append(folder)
    return unique


def _looks_like_path(name_or_path: str) -> bool:
    return name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path


def _find_scenario(
    name_or_path: str, search_dirs: Sequence[Path], base_dir: Path | None = None
) -> Path | None:
    """A path is taken relative to ``base_dir`` (else the working directory); a name is
    looked up as ``<name>.toml`` in each search dir in turn."""
    if _looks_like_path(name_or_path):
        given = Path(name_or_path).expanduser()
        if not given.is_absolute() and base_dir is not None:
            given = base_dir / given
        return given if given.is_file() else None
    for folder in search_dirs:
        candidate = folder / f"{name_or_path}.toml"
        if candidate.is_file():
            return candidate
    return None


def _known_scenarios(search_dirs: Sequence[Path]) -> list[str]:
    names = {p.stem for folder in search_dirs for p in folder.glob("*.toml")}
    return sorted(names)


def _not_found(name_or_path: str, search_dirs: Sequence[Path]) -> str:
    if _looks_like_path(name_or_path):
        return f"no such file {name_or_path!r}; allowed: a scenario name or an existing .toml path"
    where = ", ".join(show_path(d) for d in search_dirs) or "(no scenario folders)"
    known = _known_scenarios(search_dirs)
    hint = _suggest(name_or_path, known)
    return f"no scenario {name_or_path!r} in {where}{hint}; allowed: " + (
        ", ".join(known) if known else "a path to a scenario .toml file"
    )


def resolve_scenario(name_or_path: str | Path, search_dirs: Sequence[Path] | None = None) -> Path:
    """The scenario file for a name (``<dir>/<name>.toml`` in ``search_dirs``) or a path.

    A relative path is taken relative to the working directory. Raises ScenarioError if
    there is no such file.
    """
    text = str(name_or_path)
    dirs = list(search_dirs) if search_dirs is not None else scenario_search_dirs()
    found = _find_scenario(text, dirs)
    if found is None:
        raise ScenarioError(_not_found(text, dirs))
    return found


# ---------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    """A scenario file with its ``extends`` chain resolved.

    Attributes:
        name: the scenario's name (its ``name`` key, or the file name without ``.toml``).
        description: its ``description`` (may be empty).
        path: the file.
        parameters: merged flat parameter overrides (parents first, then this file).
        chain: this file followed by its ancestors.
    """

    name: str
    description: str
    path: Path
    parameters: dict[str, Any]
    chain: tuple[Path, ...]

    @property
    def extends(self) -> list[str]:
        """The files this scenario extends, nearest first."""
        return [show_path(p) for p in self.chain[1:]]

    @property
    def files(self) -> list[str]:
        """This file and the files it extends, nearest first."""
        return [show_path(p) for p in self.chain]

    def build(self, **overrides: Any) -> Parameters:
        """The validated parameters of this scenario (with optional overrides)."""
        return Parameters.build(self.parameters, **overrides)


def _string_key(where: str, data: Mapping[str, Any], key: str, allowed: str) -> list[str]:
    if key in data and not isinstance(data[key], str):
        return [f"{where}: {key} = {toml_value(data[key])} is not allowed: must be {allowed}"]
    return []


def _scenario_key_problems(where: str, data: Mapping[str, Any]) -> list[str]:
    problems = []
    for key in data:
        if key in SCENARIO_KEYS:
            continue
        if key in Parameters.model_fields:
            hint = " (a parameter: put it in the [parameters] table)"
        elif key in EXPERIMENT_ONLY_KEYS:
            hint = " (this looks like an experiment file: use `gemsim compare` or `gemsim sweep`)"
        else:
            hint = _suggest(key, SCENARIO_KEYS)
        problems.append(
            f"{where}: unknown key {key!r}{hint}; allowed keys: name, description, extends, "
            "[parameters]"
        )
    problems += _string_key(where, data, "name", NAME_ALLOWED)
    if isinstance(data.get("name"), str) and not re.match(NAME_PATTERN, data["name"]):
        problems.append(
            f"{where}: name = {toml_value(data['name'])} is not allowed: must be {NAME_ALLOWED}"
        )
    problems += _string_key(where, data, "description", "a string")
    problems += _string_key(where, data, "extends", "a scenario name or a relative .toml path")
    if "parameters" in data and not isinstance(data["parameters"], dict):
        problems.append(
            f"{where}: parameters = {toml_value(data['parameters'])} is not allowed: must be a "
            "[parameters] table of parameter names and values"
        )
    return problems


def _near(path: Path, folder: Path) -> str:
    """``path`` as a bare file name if it lies in ``folder``, else as :func:`show_path`."""
    return path.name if path.parent.resolve() == folder.resolve() else show_path(path)


def _own_parameters(where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The file's own ``[parameters]``, checked one by one (with its other keys)."""
    if "scenarios" in data:
        raise ScenarioError(
            f"{where}: is an experiment file (it has a scenarios list); allowed: a scenario "
            "file (run experiments with `gemsim compare` or `gemsim sweep`)"
        )
    problems = _scenario_key_problems(where, data)
    own = data.get("parameters", {})
    if isinstance(own, dict):
        problems += [f"{where}: {p}" for p in parameter_problems("[parameters]", own)]
    if problems:
        raise ScenarioError(problems)
    return {name: _normalised(name, value) for name, value in own.items()}


def _parent(path: Path, target: str, seen: tuple[Path, ...]) -> Scenario:
    """The scenario that ``path`` extends (``extends = target``); ``seen`` are its children."""
    where = show_path(path)
    dirs = scenario_search_dirs(path.parent)
    parent_path = _find_scenario(target, dirs, path.parent)
    if parent_path is None:
        raise ScenarioError(f"{where}: extends = {toml_value(target)}: {_not_found(target, dirs)}")
    loop = (*seen, path)
    if any(parent_path.resolve() == p.resolve() for p in loop):
        cycle = " -> ".join(_near(p, path.parent) for p in (*loop, parent_path))
        raise ScenarioError(
            f"{where}: extends = {toml_value(target)} makes a cycle ({cycle}); allowed: "
            "a scenario that does not extend this one, directly or indirectly"
        )
    return _read_scenario(parent_path, loop)


def _read_scenario(path: Path, seen: tuple[Path, ...]) -> Scenario:
    where = show_path(path)
    data = read_toml(path)
    own = _own_parameters(where, data)
    parent = _parent(path, data["extends"], seen) if "extends" in data else None
    merged = {**(parent.parameters if parent else {}), **own}
    context = f"after merging {', '.join(parent.files)}" if parent else ""
    problems = [f"{where}: {p}" for p in combination_problems("[parameters]", merged, context)]
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        name=data.get("name", path.stem),
        description=data.get("description", ""),
        path=path,
        parameters=merged,
        chain=(path, *(parent.chain if parent else ())),
    )


def read_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario file (a path, or a name looked up in the scenario folders)."""
    path = Path(name_or_path)
    if not path.is_file():
        text = str(name_or_path)
        dirs = scenario_search_dirs()
        found = _find_scenario(text, dirs)
        if found is None:
            if _looks_like_path(text):
                raise ScenarioError(f"{show_path(path)}: file not found")
            raise ScenarioError(f"scenario {text!r}: {_not_found(text, dirs)}")
        path = found
    return _read_scenario(path, ())


def load_scenario(name_or_path: str | Path) -> Parameters:
    """The validated :class:`Parameters` of a scenario file (merged with what it extends)."""
    return read_scenario(name_or_path).build()


def scenario_parameters(name_or_path: str | Path) -> dict[str, Any]:
    """The merged flat parameter overrides of a scenario file (for run specs)."""
    return dict(read_scenario(name_or_path).parameters)


# ---------------------------------------------------------------------------- experiments
def reporter_names() -> tuple[str, ...]:
    """Every reporter a model run produces (valid names for an experiment's ``outputs``)."""
    from gemsim.collective_types import TYPE_NAMES
    from gemsim.model import MODEL_REPORTERS, MONEY_REPORTERS

    return (
        *MODEL_REPORTERS,
        *MONEY_REPORTERS,
        *(f"collectives_{name}" for name in TYPE_NAMES),
    )


_HORIZON_ONLY = {
    "months": "set the experiment's top-level `months` key (or --months) instead",
}
_SEED_MAX = 2**63 - 1


def _bounds(name: str) -> tuple[Any, Any]:
    """The ``ge`` and ``le`` bounds of parameter ``name``."""
    low = high = None
    for meta in Parameters.model_fields[name].metadata:
        low, high = getattr(meta, "ge", low), getattr(meta, "le", high)
    return low, high


_MONTHS_LOW, _MONTHS_HIGH = _bounds("months")


def _allowed(text: str) -> dict[str, Any]:
    return {"allowed": text}


class Experiment(BaseModel):
    """An experiment file: which scenarios to run, how often, how long, and what to report.

    Scenario entries are names or paths; they are resolved (relative to the experiment
    file's folder, then the scenario folders) by :func:`load_experiment`, which also
    checks that every combination of scenario, ``[parameters]`` and sweep point is valid.
    A later version adds a ``[sensitivity]`` table as one more optional field.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field(pattern=NAME_PATTERN, json_schema_extra=_allowed(NAME_ALLOWED))
    description: str = Field("", json_schema_extra=_allowed("a string"))
    scenarios: list[str] = Field(
        min_length=1, json_schema_extra=_allowed("a non-empty list of scenario names or paths")
    )
    baseline: str = Field(
        "status_quo",
        json_schema_extra=_allowed("the name of one of the experiment's scenarios"),
    )
    replications: int = Field(
        30, ge=1, le=100_000, json_schema_extra=_allowed("an integer from 1 to 100000")
    )
    months: int | None = Field(
        None,
        ge=_MONTHS_LOW,
        le=_MONTHS_HIGH,
        json_schema_extra=_allowed(allowed_range("months")),
    )
    seed: int = Field(
        0, ge=0, le=_SEED_MAX, json_schema_extra=_allowed(f"an integer from 0 to {_SEED_MAX}")
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        json_schema_extra=_allowed("a [parameters] table of parameter names and values"),
    )
    sweep: dict[str, list[Any]] = Field(
        default_factory=dict,
        json_schema_extra=_allowed("a [sweep] table mapping parameter names to lists of values"),
    )
    outputs: list[str] = Field(
        default_factory=list,
        json_schema_extra=_allowed("a list of reporter names (empty: the report's default)"),
    )

    _source: Path | None = PrivateAttr(None)
    _resolved: dict[str, Scenario] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_tables(self) -> Experiment:
        problems = parameter_problems("[parameters]", self.parameters, forbidden=_HORIZON_ONLY)
        problems += _sweep_problems(self.sweep, self.parameters)
        problems += _output_problems(self.outputs)
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
        """The baseline as a scenario name (the ``baseline`` key may also be a path)."""
        return _baseline_name(self.baseline, self.scenarios, self.resolved_scenarios)

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
        shared = {k: _normalised(k, v) for k, v in self.parameters.items()}
        return {
            name: {k: v for k, v in {**scenario.parameters, **shared}.items() if k != "months"}
            for name, scenario in self.resolved_scenarios.items()
        }

    def points(self) -> list[dict[str, Any]]:
        """The sweep grid in file order (last key varies fastest); ``[{}]`` without a sweep."""
        if not self.sweep:
            return [{}]
        names = list(self.sweep)
        values = [[_normalised(n, v) for v in self.sweep[n]] for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]

    @property
    def run_count(self) -> int:
        return len(self.scenarios) * len(self.points()) * self.replications

    # -------------------------------------------------------------- building
    def resolve(self, base_dir: Path | None = None) -> Experiment:
        """A copy with scenarios resolved (relative to ``base_dir``) and every
        combination checked; raises ScenarioError."""
        where = show_path(self._source) if self._source else "experiment"
        base = base_dir or (self._source.parent if self._source else None)
        resolved = _resolve_entries(where, self.scenarios, scenario_search_dirs(base), base)
        problems = _baseline_problems(where, self.baseline, self.scenarios, resolved)
        problems += _combination_problems(where, self, resolved)
        if problems:
            raise ScenarioError(problems)
        copy = self.model_copy()
        copy._source = self._source
        copy._resolved = resolved
        return copy

    def with_overrides(
        self,
        *,
        replications: int | None = None,
        months: int | None = None,
        seed: int | None = None,
    ) -> Experiment:
        """A copy with command-line overrides applied (validated; options named in errors)."""
        given = {"replications": replications, "months": months, "seed": seed}
        update = {k: v for k, v in given.items() if v is not None}
        if not update:
            return self
        try:
            copy = Experiment.model_validate({**self.model_dump(), **update})
        except ValidationError as error:
            raise ScenarioError(
                [
                    f"--{p['loc'][0]} {p['input']} is not allowed: must be "
                    f"{_field_allowed(str(p['loc'][0]))}"
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
        ``points`` the sweep grid (``[{}]`` without a sweep).
        """
        return {
            **self.model_dump(),
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


def _field_allowed(key: str) -> str:
    field = Experiment.model_fields.get(key)
    extra = field.json_schema_extra if field is not None else None
    return extra.get("allowed", "a valid value") if isinstance(extra, dict) else "a valid value"


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
    return problems


def _output_problems(outputs: Sequence[str]) -> list[str]:
    if not outputs:
        return []
    known = reporter_names()
    return [
        f"outputs: unknown reporter {name!r}{_suggest(name, known)}; allowed: " + ", ".join(known)
        for name in outputs
        if name not in known
    ]


def _resolve_entries(
    where: str, entries: Sequence[str], dirs: Sequence[Path], base_dir: Path | None
) -> dict[str, Scenario]:
    resolved: dict[str, Scenario] = {}
    problems: list[str] = []
    for index, entry in enumerate(entries):
        path = _find_scenario(entry, dirs, base_dir)
        if path is None:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)}: " + _not_found(entry, dirs)
            )
            continue
        try:
            scenario = _read_scenario(path, ())
        except ScenarioError as error:
            problems += error.problems
            continue
        if scenario.name in resolved:
            problems.append(
                f"{where}: scenarios[{index}] = {toml_value(entry)}: the name "
                f"{scenario.name!r} is used twice; allowed: scenarios with different names"
            )
            continue
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
    return problems


def _pydantic_problems(where: str, error: ValidationError) -> list[str]:
    problems: list[str] = []
    for problem in error.errors():
        loc = problem["loc"]
        if not loc:  # a model-level check: lines already name their key
            message = str(problem["msg"]).removeprefix("Value error, ")
            problems += [f"{where}: {line}" for line in message.splitlines()]
            continue
        key = str(loc[0])
        if key in ("parameters", "sweep") and len(loc) > 1:
            loc = (f"[{key}] {loc[1]}", *loc[2:])
        shown = str(loc[0]) + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:]
        )
        if problem["type"] == "extra_forbidden":
            allowed = ", ".join(Experiment.model_fields)
            problems.append(
                f"{where}: unknown key {key!r}{_suggest(key, Experiment.model_fields)}; "
                f"allowed keys: {allowed}"
            )
        elif problem["type"] == "missing":
            problems.append(f"{where}: {shown} is missing: must be {_field_allowed(key)}")
        else:
            value = problem.get("input")
            problems.append(
                f"{where}: {shown} = {toml_value(value)} is not allowed: must be "
                f"{_field_allowed(key)}"
            )
    return problems


def load_experiment(path: str | Path) -> Experiment:
    """Read, resolve and validate an experiment file; raises ScenarioError."""
    path = Path(path)
    where = show_path(path)
    data = read_toml(path)
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
