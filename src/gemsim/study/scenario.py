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

A **sensitivity experiment** (run with ``gemsim sensitivity``) is an experiment file with a
``[sensitivity]`` table instead of ``replications``, ``baseline``, ``outputs`` and
``[sweep]`` (:class:`SensitivitySettings`; examples: ``experiments/sobol.toml``,
``experiments/morris.toml``)::

    scenarios = ["groeiplan", "subsidy_channel"]  # each is run at every sample point
    months = 120
    seed = 20210601              # sampling, replication seeds and bootstrap
    [parameters]                 # fixed for every scenario (e.g. a smaller region)
    n_municipalities = 3
    [sensitivity]
    method = "sobol"             # sobol | morris | fast                   (default sobol)
    n = 128                      # sobol: base sample, a power of two; morris: trajectories;
                                 # fast: points per search curve (> 4 M^2)      (required)
    base_scenario = "groeiplan"  # whose outcomes are analysed                 (required)
    replications = 2             # runs per point and scenario, same seeds everywhere (1)
    calc_second_order = false    # sobol only: S2 per pair (doubles the runs)  (false)
    num_levels = 4               # morris only: grid levels, even               (4)
    M = 4                        # fast only: interference factor               (4)
    num_resamples = 1000         # bootstrap resamples of the intervals         (1000)
    conf_level = 0.95            # confidence level of the intervals            (0.95)
    outputs = ["trust_government", "participation"]  # reporters at the horizon
                                 # (default: DEFAULT_SENSITIVITY_OUTPUTS)
    [sensitivity.parameters.crowding_out_sd]     # one table per sampled parameter
    low = 0.0                    # bounds, within the parameter's allowed range, low < high
    high = 0.6
    dist = "unif"                # unif | triang (peak = 0..1) | norm, lognorm (low, high =
                                 # mean, sd; of ln(value) for lognorm; draws outside the
                                 # allowed range are clipped)
    [sensitivity.parameters.fund_grant_years]    # an integer parameter: low..high, each
    low = 1                      # integer equally likely (drawn on [low, high + 1), floored)
    high = 5
    [sensitivity.parameters.allocation_rule]     # one-of and true/false parameters, or any
    levels = ["need_weighted", "first_come"]    # parameter given levels: each level equally
                                 # likely (drawn on [0, k), floored); default: every value
    [[sensitivity.contrasts]]    # scenario minus reference at the same point and seeds
    name = "groeiplan_vs_subsidy_channel"        # default <scenario>_vs_<reference>
    scenario = "groeiplan"
    reference = "subsidy_channel"
    outputs = ["trust_government"]               # default: the [sensitivity] outputs

``months`` and ``regime`` cannot be sampled, nor a parameter set in ``[parameters]``;
the base scenario and the contrasts' scenarios must be among ``scenarios``, and every
scenario must be used by one of them. Each sampled parameter at each bound must fit every
scenario; combinations of several sampled parameters are checked on the drawn sample.

Every file is validated completely before anything runs. Any problem raises one
:class:`ScenarioError` whose message has one line per problem, each naming the file, the
key and what is allowed, e.g.
``scenarios/bad.toml: [parameters] months = -3 is not allowed: must be an integer from 1 to 600``.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import json
import math
import re
import tomllib
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from gemsim.errors import UserError
from gemsim.model.parameters import ParameterError, Parameters, allowed_range

if TYPE_CHECKING:  # gemsim.sensitivity imports SALib: only when a [sensitivity] table is read
    from gemsim.sensitivity import Factor, Problem

__all__ = [
    "DEFAULT_SENSITIVITY_OUTPUTS",
    "Contrast",
    "Experiment",
    "Scenario",
    "ScenarioError",
    "SensitivitySettings",
    "experiment_for_scenario",
    "file_kind",
    "load_experiment",
    "load_scenario",
    "parse_sensitivity",
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
    {"scenarios", "baseline", "replications", "months", "seed", "sweep", "outputs", "sensitivity"}
)
#: The repository's own scenarios folder, when running from a source checkout.
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


class ScenarioError(UserError, ValueError):
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
    from gemsim.model.collective_types import TYPE_NAMES
    from gemsim.model.model import MODEL_REPORTERS, MONEY_REPORTERS

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


# --------------------------------------------------------------------------- sensitivity
#: Outcomes analysed when ``[sensitivity] outputs`` is not given: the questions of DOMAIN.md
#: (trust, participation, wellbeing, neighbourhoods in order, the Social Handprint, who gains).
DEFAULT_SENSITIVITY_OUTPUTS: tuple[str, ...] = (
    "trust_government",
    "trust_national",
    "social_trust",
    "participation",
    "wellbeing",
    "neighbourhoods_in_order",
    "handprint_cumulative_eur",
    "trust_gap_ses",
    "participation_gap_ses",
    "wellbeing_gap_ses",
)
_MAX_SOBOL_N = 2**20
_MAX_DESIGN_N = 1_000_000
_SENSITIVITY_KEYS: dict[str, str] = {
    "method": "one of {methods}",
    "n": "the design size (see the method)",
    "base_scenario": "the name of one of the experiment's scenarios",
    "replications": "an integer from 1 to 100000",
    "calc_second_order": 'true or false (method = "sobol" only)',
    "num_levels": 'an even integer from 2 to 100 (method = "morris" only)',
    "M": 'an integer from 1 to 100 (method = "fast" only)',
    "num_resamples": "an integer from 10 to 100000",
    "conf_level": "a number between 0 and 1, e.g. 0.95",
    "outputs": "a non-empty list of reporter names, each once",
    "parameters": "[sensitivity.parameters.<name>] tables, one per sampled parameter",
    "contrasts": "[[sensitivity.contrasts]] tables",
}
_FACTOR_KEYS = ("low", "high", "dist", "peak", "levels")
_CONTRAST_KEYS = ("name", "scenario", "reference", "outputs")
_FACTOR_DISTS = ("unif", "norm", "triang", "lognorm")
_NOT_SAMPLED = {
    "months": "the horizon is the experiment's `months` key",
    "regime": "regimes are what scenarios differ in; compare them with [[sensitivity.contrasts]]",
}


@dataclass(frozen=True)
class Contrast:
    """A regime contrast: ``scenario`` minus ``reference``, at the same parameter point and
    with the same replication seeds (common random numbers).

    Attributes:
        name: the contrast's name (default ``<scenario>_vs_<reference>``).
        scenario, reference: scenario names.
        outputs: reporters whose difference (at the horizon) is analysed.
    """

    name: str
    scenario: str
    reference: str
    outputs: tuple[str, ...]

    def column(self, output: str) -> str:
        """The name of this contrast's ``output`` among the analysed outputs."""
        return f"{self.name}:{output}"


@dataclass(frozen=True)
class SensitivitySettings:
    """The ``[sensitivity]`` table of an experiment, parsed and validated.

    Attributes:
        method: ``sobol``, ``morris``, ``fast`` (or another registered method).
        n: design size in the method's unit (Sobol' base sample, Morris trajectories,
            FAST points per search curve).
        base_scenario: the scenario whose outcomes are analysed.
        replications: runs per sample point and scenario; the output at a point is their
            mean.
        factors: the sampled parameters (:class:`gemsim.sensitivity.Factor`).
        outputs: reporters of the base scenario analysed at the horizon.
        contrasts: regime contrasts analysed at the horizon.
        calc_second_order: Sobol' second-order indices.
        options: method options (``num_levels`` for Morris, ``M`` for FAST).
        num_resamples, conf_level: bootstrap settings of the confidence intervals.
    """

    method: str
    n: int
    base_scenario: str
    replications: int
    factors: tuple[Factor, ...]
    outputs: tuple[str, ...]
    contrasts: tuple[Contrast, ...] = ()
    calc_second_order: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    num_resamples: int = 1000
    conf_level: float = 0.95

    @property
    def scenarios(self) -> list[str]:
        """Scenarios run at every sample point: the base, then those of the contrasts."""
        names = [self.base_scenario]
        for contrast in self.contrasts:
            names += [contrast.scenario, contrast.reference]
        return list(dict.fromkeys(names))

    @property
    def parameter_names(self) -> list[str]:
        return [factor.name for factor in self.factors]

    @property
    def analysed_outputs(self) -> tuple[str, ...]:
        """Every analysed output: base outputs, then ``<contrast>:<output>`` columns."""
        columns = [c.column(o) for c in self.contrasts for o in c.outputs]
        return (*self.outputs, *columns)

    def problem(self) -> Problem:
        """The :class:`gemsim.sensitivity.Problem` (factors and analysed outputs)."""
        from gemsim.sensitivity import Problem

        return Problem(self.factors, self.analysed_outputs)

    @property
    def n_points(self) -> int:
        """Sample points of the design (rows of SALib's sample)."""
        from gemsim.sensitivity import get_method

        rows = get_method(self.method).rows_per_unit(self.problem(), self.calc_second_order)
        return self.n * rows

    def analysis_options(self) -> dict[str, Any]:
        """Keyword arguments for ``gemsim.sensitivity.analyze_outputs``/``convergence``."""
        return {
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
            "calc_second_order": self.calc_second_order,
            **self.options,
        }

    def as_record(self) -> dict[str, Any]:
        """The settings as plain data (for the manifest)."""
        return {
            "method": self.method,
            "n": self.n,
            "base_scenario": self.base_scenario,
            "replications": self.replications,
            "calc_second_order": self.calc_second_order,
            "options": dict(self.options),
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
            "outputs": list(self.outputs),
            "parameters": [_factor_record(f) for f in self.factors],
            "contrasts": [
                {
                    "name": c.name,
                    "scenario": c.scenario,
                    "reference": c.reference,
                    "outputs": list(c.outputs),
                }
                for c in self.contrasts
            ],
            "points": self.n_points,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SensitivitySettings:
        """The settings from :meth:`as_record` (e.g. a results folder's manifest)."""
        from gemsim.sensitivity import Factor

        factors = []
        for spec in record["parameters"]:
            spec = dict(spec)
            if spec["kind"] == "categorical":
                spec.update(low=0, high=0, levels=tuple(spec["levels"]))
            factors.append(Factor(**spec))
        return cls(
            method=record["method"],
            n=record["n"],
            base_scenario=record["base_scenario"],
            replications=record["replications"],
            factors=tuple(factors),
            outputs=tuple(record["outputs"]),
            contrasts=tuple(
                Contrast(c["name"], c["scenario"], c["reference"], tuple(c["outputs"]))
                for c in record["contrasts"]
            ),
            calc_second_order=record["calc_second_order"],
            options=dict(record["options"]),
            num_resamples=record["num_resamples"],
            conf_level=record["conf_level"],
        )


def _factor_record(factor: Factor) -> dict[str, Any]:
    record: dict[str, Any] = {"name": factor.name, "kind": factor.kind, "dist": factor.dist}
    if factor.kind == "categorical":
        record["levels"] = list(factor.levels)
    else:
        record.update(low=factor.low, high=factor.high)
    if factor.dist == "triang":
        record["peak"] = factor.peak
    return record


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _method_owners() -> dict[str, str]:
    """Method option -> the method it belongs to (``calc_second_order`` -> ``sobol``)."""
    from gemsim.sensitivity import METHODS

    owners = {opt: m.name for m in METHODS.values() for opt in m.defaults}
    for method in METHODS.values():
        if method.supports_second_order:
            owners["calc_second_order"] = method.name
    return owners


def _n_limits(method: str, options: Mapping[str, Any]) -> tuple[int, int, str]:
    """``(smallest, largest, what is allowed)`` for ``[sensitivity] n`` of ``method``."""
    if method == "sobol":
        text = (
            f"a power of two from 2 to {_MAX_SOBOL_N} (the Sobol' base sample; Sobol' "
            "sequences are balanced only at powers of two)"
        )
        return 2, _MAX_SOBOL_N, text
    if method == "morris":
        return 2, _MAX_DESIGN_N, f"an integer from 2 to {_MAX_DESIGN_N} (trajectories)"
    if method == "fast":
        m = options.get("M", 4)
        low = 4 * m * m + 1 if _is_int(m) else 65
        text = (
            f"an integer from {low} to {_MAX_DESIGN_N} (points per search curve; FAST needs "
            "more than 4 M^2)"
        )
        return low, _MAX_DESIGN_N, text
    return 1, _MAX_DESIGN_N, f"an integer from 1 to {_MAX_DESIGN_N}"


def sensitivity_n_problem(value: Any, method: str, options: Mapping[str, Any]) -> str | None:
    """What ``n`` must be if ``value`` is not a valid design size for ``method``, else None."""
    low, high, text = _n_limits(method, options)
    if not _is_int(value) or not low <= value <= high:
        return text
    if method == "sobol" and value & (value - 1):
        return text
    return None


def _sensitivity_key_problems(raw: Mapping[str, Any], method: str | None) -> list[str]:
    """Unknown keys, and options of another method."""
    section = "[sensitivity]"
    problems: list[str] = []
    owners = _method_owners() if method else {}
    for key in raw:
        if key not in _SENSITIVITY_KEYS:
            problems.append(
                f"{section} unknown key {key!r}{_suggest(key, _SENSITIVITY_KEYS)}; allowed "
                f"keys: {', '.join(_SENSITIVITY_KEYS)}"
            )
        elif method and key in owners and owners[key] != method:
            problems.append(
                f"{section} {key} is not allowed with method = {toml_value(method)}: it is an "
                f"option of method {toml_value(owners[key])}"
            )
    return problems


def _bad(section: str, key: str, value: Any, allowed: str) -> str:
    return f"{section} {key} = {toml_value(value)} is not allowed: must be {allowed}"


def _output_list_problems(section: str, key: str, value: Any) -> list[str]:
    allowed = _SENSITIVITY_KEYS["outputs"]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return [_bad(section, key, value, allowed)]
    known = reporter_names()
    problems = [
        f"{section} {key}: unknown reporter {name!r}{_suggest(name, known)}; allowed: "
        + ", ".join(known)
        for name in value
        if name not in known
    ]
    if len(set(value)) < len(value):
        problems.append(_bad(section, key, value, allowed))
    return problems


def _natural_levels(name: str) -> tuple[Any, ...] | None:
    """The values of a true/false or one-of parameter (None for numbers)."""
    annotation = Parameters.model_fields[name].annotation
    if annotation is bool:
        return (False, True)
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(annotation.__args__)
    return None


def _in_range(name: str, value: float) -> bool:
    low, high = _bounds(name)
    return (low is None or value >= low) and (high is None or value <= high)


def _factor(name: str, spec: Any, fixed: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """One ``[sensitivity.parameters.<name>]`` table -> (Factor or None, problems)."""
    from gemsim.sensitivity import Factor

    section = f"[sensitivity.parameters.{name}]"
    if name in _NOT_SAMPLED:
        return None, [f"{section} is not allowed: {_NOT_SAMPLED[name]}"]
    if name not in Parameters.model_fields:
        return None, [
            f"[sensitivity.parameters] unknown parameter {name!r}"
            f"{_suggest(name, Parameters.model_fields)}; allowed: a parameter name listed by "
            "`gemsim params`"
        ]
    if name in fixed:
        return None, [
            f"{section} is not allowed: {name} is also set in [parameters]; allowed: each "
            "parameter in one of the two tables"
        ]
    if not isinstance(spec, dict):
        return None, [
            f"[sensitivity.parameters] {name} = {toml_value(spec)} is not allowed: must be a "
            "table with low and high (or levels)"
        ]
    problems = [
        f"{section} unknown key {key!r}{_suggest(key, _FACTOR_KEYS)}; allowed keys: "
        + ", ".join(_FACTOR_KEYS)
        for key in spec
        if key not in _FACTOR_KEYS
    ]
    natural = _natural_levels(name)
    if "levels" in spec or natural is not None:
        factor, found = _categorical_factor(name, spec, natural)
    else:
        factor, found = _numeric_factor(name, spec)
    problems += found
    if problems:
        return None, problems
    try:
        return Factor(**factor), []
    except ValueError as error:  # a rule of Factor not covered above
        return None, [f"{section} is not allowed: {error}"]


def _categorical_factor(
    name: str, spec: Mapping[str, Any], natural: tuple[Any, ...] | None
) -> tuple[dict[str, Any], list[str]]:
    section = f"[sensitivity.parameters.{name}]"
    problems = [
        f"{section} {key} is not allowed with levels: a parameter sampled over levels draws "
        "each level with equal probability"
        for key in ("low", "high", "dist", "peak")
        if key in spec
    ]
    levels = spec.get("levels", list(natural or ()))
    allowed = f"a non-empty list of different values, each {allowed_range(name)}"
    if not isinstance(levels, list) or not levels:
        return {}, [*problems, _bad(section, "levels", levels, allowed)]
    for value in levels:
        if not _type_ok(name, value) or parameter_problems(section, {name: value}):
            problems.append(_bad(section, "levels", value, allowed_range(name)))
    if len({toml_value(v) for v in levels}) < len(levels):
        problems.append(_bad(section, "levels", levels, allowed))
    values = tuple(_normalised(name, v) for v in levels)
    return {"name": name, "low": 0, "high": 0, "kind": "categorical", "levels": values}, problems


def _numeric_factor(name: str, spec: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    section = f"[sensitivity.parameters.{name}]"
    is_int = Parameters.model_fields[name].annotation is int
    dist = spec.get("dist", "unif")
    problems: list[str] = []
    if dist not in _FACTOR_DISTS:
        allowed = "one of " + ", ".join(_FACTOR_DISTS)
        return {}, [_bad(section, "dist", dist, allowed)]
    if is_int and dist != "unif":
        problems.append(
            _bad(
                section,
                "dist",
                dist,
                '"unif" for an integer parameter (its values low..high '
                "are drawn with equal probability)",
            )
        )
    if "peak" in spec and dist != "triang":
        problems.append(f'{section} peak is not allowed: only with dist = "triang"')
    for key in ("low", "high"):
        if key not in spec:
            problems.append(
                f"{section} {key} is missing: must be {_bound_allowed(name, key, dist)}"
            )
        elif not (_is_int(spec[key]) if is_int else _is_number(spec[key])):
            problems.append(_bad(section, key, spec[key], _bound_allowed(name, key, dist)))
    if problems:
        return {}, problems
    low, high = spec["low"], spec["high"]
    if dist in ("unif", "triang"):
        for key, value in (("low", low), ("high", high)):
            if not _in_range(name, value):
                problems.append(_bad(section, key, value, _bound_allowed(name, key, dist)))
        if not low < high:
            problems.append(
                f"{section} low = {toml_value(low)}, high = {toml_value(high)} is not allowed: "
                "must be low < high"
            )
    else:
        centre = low if dist == "norm" else _exp(low)
        if centre is None or not _in_range(name, centre):
            problems.append(_bad(section, "low", low, _bound_allowed(name, "low", dist)))
        if not high > 0:
            problems.append(_bad(section, "high", high, _bound_allowed(name, "high", dist)))
    factor: dict[str, Any] = {
        "name": name,
        "low": low,
        "high": high,
        "kind": "int" if is_int else "float",
        "dist": dist,
    }
    if dist == "triang":
        peak = spec.get("peak", 0.5)
        if not _is_number(peak) or not 0 <= peak < 1:
            problems.append(_bad(section, "peak", peak, "a number from 0 to below 1"))
        factor["peak"] = peak
    return factor, problems


def _exp(value: float) -> float | None:
    try:
        return math.exp(value)
    except OverflowError:
        return None


def _bound_allowed(name: str, key: str, dist: str) -> str:
    within = f"within the parameter's allowed range ({allowed_range(name)})"
    if dist == "norm":
        return f"the mean, {within}" if key == "low" else "the standard deviation, a number > 0"
    if dist == "lognorm":
        if key == "low":
            return f"the mean of ln(value), with exp(low) {within}"
        return "the standard deviation of ln(value), a number > 0"
    return within


def parse_sensitivity(
    raw: Mapping[str, Any], fixed: Mapping[str, Any]
) -> tuple[SensitivitySettings | None, list[str]]:
    """Parse and check a ``[sensitivity]`` table (everything that needs no scenario files).

    ``fixed`` are the experiment's ``[parameters]`` (a sampled parameter must not be set
    there too). Returns the settings (None if there are problems) and the problems.
    """
    from gemsim.sensitivity import METHODS

    section = "[sensitivity]"
    method = raw.get("method", "sobol")
    problems: list[str] = []
    if method not in METHODS:
        allowed = _SENSITIVITY_KEYS["method"].format(methods=", ".join(sorted(METHODS)))
        problems.append(_bad(section, "method", method, allowed) + _suggest(str(method), METHODS))
        method = None
    problems += _sensitivity_key_problems(raw, method)
    options: dict[str, Any] = {}
    if method:
        for key, default in METHODS[method].defaults.items():
            options[key] = raw.get(key, default)
    if "num_levels" in options:
        value = options["num_levels"]
        if not _is_int(value) or not 2 <= value <= 100 or value % 2:
            problems.append(_bad(section, "num_levels", value, _SENSITIVITY_KEYS["num_levels"]))
    if "M" in options:
        value = options["M"]
        if not _is_int(value) or not 1 <= value <= 100:
            problems.append(_bad(section, "M", value, _SENSITIVITY_KEYS["M"]))
    if "n" not in raw:
        allowed = _n_limits(method, options)[2] if method else "the design size"
        problems.append(f"{section} n is missing: must be {allowed}")
    elif method and (text := sensitivity_n_problem(raw["n"], method, options)):
        problems.append(_bad(section, "n", raw["n"], text))
    if "base_scenario" not in raw:
        problems.append(
            f"{section} base_scenario is missing: must be {_SENSITIVITY_KEYS['base_scenario']}"
        )
    elif not isinstance(raw["base_scenario"], str):
        problems.append(
            _bad(section, "base_scenario", raw["base_scenario"], _SENSITIVITY_KEYS["base_scenario"])
        )
    checks = {
        "replications": lambda v: _is_int(v) and 1 <= v <= 100_000,
        "calc_second_order": lambda v: isinstance(v, bool),
        "num_resamples": lambda v: _is_int(v) and 10 <= v <= 100_000,
        "conf_level": lambda v: _is_number(v) and 0 < v < 1,
    }
    for key, ok in checks.items():
        if key in raw and not ok(raw[key]):
            problems.append(_bad(section, key, raw[key], _SENSITIVITY_KEYS[key]))
    outputs = raw.get("outputs", list(DEFAULT_SENSITIVITY_OUTPUTS))
    output_problems = _output_list_problems(section, "outputs", outputs)
    problems += output_problems
    factors, found = _factors(raw, fixed)
    problems += found
    default = list(DEFAULT_SENSITIVITY_OUTPUTS) if output_problems else outputs
    contrasts, found = _contrasts(raw.get("contrasts", []), default)
    problems += found
    if problems:
        return None, problems
    settings = SensitivitySettings(
        method=method,
        n=raw["n"],
        base_scenario=raw["base_scenario"],
        replications=raw.get("replications", 1),
        factors=tuple(factors),
        outputs=tuple(outputs),
        contrasts=tuple(contrasts),
        calc_second_order=raw.get("calc_second_order", False),
        options=options,
        num_resamples=raw.get("num_resamples", 1000),
        conf_level=float(raw.get("conf_level", 0.95)),
    )
    return settings, []


def _factors(raw: Mapping[str, Any], fixed: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
    tables = raw.get("parameters")
    if tables is None:
        return [], [
            "[sensitivity] parameters is missing: must be "
            + _SENSITIVITY_KEYS["parameters"]
            + ", e.g. [sensitivity.parameters.crowding_out_sd] low = 0.0, high = 0.6"
        ]
    if not isinstance(tables, dict) or not tables:
        return [], [_bad("[sensitivity]", "parameters", tables, _SENSITIVITY_KEYS["parameters"])]
    factors, problems = [], []
    for name, spec in tables.items():
        factor, found = _factor(name, spec, fixed)
        problems += found
        if factor is not None:
            factors.append(factor)
    return factors, problems


def _contrasts(raw: Any, default_outputs: Any) -> tuple[list[Contrast], list[str]]:
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        return [], [_bad("[sensitivity]", "contrasts", raw, _SENSITIVITY_KEYS["contrasts"])]
    contrasts: list[Contrast] = []
    problems: list[str] = []
    for number, table in enumerate(raw, start=1):
        section = f"[[sensitivity.contrasts]] #{number}"
        problems += [
            f"{section} unknown key {key!r}{_suggest(key, _CONTRAST_KEYS)}; allowed keys: "
            + ", ".join(_CONTRAST_KEYS)
            for key in table
            if key not in _CONTRAST_KEYS
        ]
        found: list[str] = []
        for key in ("scenario", "reference"):
            if key not in table:
                found.append(f"{section} {key} is missing: must be a scenario name")
            elif not isinstance(table[key], str):
                found.append(_bad(section, key, table[key], "a scenario name"))
        if not found and table["scenario"] == table["reference"]:
            found.append(
                f"{section} reference = {toml_value(table['reference'])} is not allowed: must "
                "differ from scenario"
            )
        outputs = table.get("outputs", default_outputs)
        found += _output_list_problems(section, "outputs", outputs)
        name = table.get("name")
        if name is None and not found:
            name = f"{_UNSAFE_NAME.sub('_', table['scenario'])}_vs_" + _UNSAFE_NAME.sub(
                "_", table["reference"]
            )
        if name is not None and (not isinstance(name, str) or not re.match(NAME_PATTERN, name)):
            found.append(_bad(section, "name", name, NAME_ALLOWED))
        elif name is not None and any(c.name == name for c in contrasts):
            found.append(_bad(section, "name", name, "a name no other contrast has"))
        problems += found
        if not found:
            contrasts.append(Contrast(name, table["scenario"], table["reference"], tuple(outputs)))
    return contrasts, problems


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
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
    ``gemsim sensitivity``; schema in the module docstring, runs in
    :mod:`gemsim.study.plans`). In such a file ``replications``, ``baseline``,
    ``outputs`` and ``[sweep]`` are replaced by keys of ``[sensitivity]``.
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
    sensitivity: dict[str, Any] | None = Field(
        None,
        json_schema_extra=_allowed(
            "a [sensitivity] table (method, n, base_scenario, [sensitivity.parameters.<name>])"
        ),
    )

    _source: Path | None = PrivateAttr(None)
    _resolved: dict[str, Scenario] | None = PrivateAttr(None)

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
            problems += parse_sensitivity(self.sensitivity, self.parameters)[1]
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
        """The parsed ``[sensitivity]`` table (None without one), with scenario entries
        turned into scenario names once the experiment is resolved."""
        if self.sensitivity is None:
            return None
        settings, problems = parse_sensitivity(self.sensitivity, self.parameters)
        if settings is None:  # cannot happen after validation
            raise ScenarioError(problems)
        if self._resolved is None:
            return settings
        name = _scenario_namer(self.scenarios, self._resolved)
        contrasts = tuple(
            dataclasses.replace(c, scenario=name(c.scenario), reference=name(c.reference))
            for c in settings.contrasts
        )
        return dataclasses.replace(
            settings, base_scenario=name(settings.base_scenario), contrasts=contrasts
        )

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
            problems = _sensitivity_scenario_problems(where, self, resolved)
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
        n: int | None = None,
    ) -> Experiment:
        """A copy with command-line overrides applied (validated; options named in errors).

        In a sensitivity experiment ``replications`` and ``n`` set ``[sensitivity]
        replications`` and ``n``; elsewhere ``n`` is not allowed.
        """
        given = {"replications": replications, "months": months, "seed": seed}
        update: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if self.sensitivity is not None:
            table = dict(self.sensitivity)
            for key, value in (("replications", replications), ("n", n)):
                if value is not None:
                    table[key] = update.pop(key, value)
            problems = _sensitivity_override_problems(table, replications, n)
            if problems:
                raise ScenarioError(problems)
            update["sensitivity"] = table
        elif n is not None:
            raise ScenarioError("--n is only allowed for an experiment with a [sensitivity] table")
        if not update:
            return self
        try:
            copy = Experiment.model_validate({**self.model_dump(exclude_unset=True), **update})
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
        ``points`` the sweep grid (``[{}]`` without a sweep). A sensitivity experiment has
        ``sensitivity`` (:meth:`SensitivitySettings.as_record`), ``replications`` per sample
        point and ``points``, the number of sample points (the points are in the results'
        ``sample.parquet``).
        """
        settings = self.sensitivity_settings
        if settings is not None:
            return {
                **self._record(),
                "baseline": settings.base_scenario,
                "replications": settings.replications,
                "points": settings.n_points,
                "sensitivity": settings.as_record(),
            }
        return self._record()

    def _record(self) -> dict[str, Any]:
        dump = self.model_dump()
        if dump.get("sensitivity") is None:
            dump.pop("sensitivity", None)
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
        problems += _factor_combination_problems(where, experiment, name, base)
    return problems


def _factor_values(factor: Any) -> list[Any]:
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
    where: str, experiment: Experiment, scenario: str, base: Mapping[str, Any]
) -> list[str]:
    """Each sampled parameter at each of its bounds must fit every scenario (rules that
    involve several parameters, e.g. ``initial_active_share <= initial_participation_share``).
    Combinations of several sampled parameters are checked on the drawn sample before
    anything runs (:func:`gemsim.study.plans.check_points`)."""
    if experiment.sensitivity is None:
        return []
    settings, _ = parse_sensitivity(experiment.sensitivity, experiment.parameters)
    problems: list[str] = []
    for factor in settings.factors if settings else ():
        for value in _factor_values(factor):
            value = _normalised(factor.name, value)
            context = f"scenario {scenario!r} at {factor.name} = {toml_value(value)}"
            section = f"[sensitivity.parameters.{factor.name}]"
            found = combination_problems(section, {**base, factor.name: value}, context)
            problems += [f"{where}: {p}" for p in found]
    return problems


def _scenario_namer(entries: Sequence[str], resolved: Mapping[str, Scenario]) -> Any:
    """``entry or name -> scenario name`` (unknown entries are returned unchanged)."""

    def name(entry: str) -> str:
        try:
            return _baseline_name(entry, entries, resolved)
        except KeyError:
            return entry

    return name


def _sensitivity_scenario_problems(
    where: str, experiment: Experiment, resolved: Mapping[str, Scenario]
) -> list[str]:
    """The base scenario and the contrasts' scenarios must be among the experiment's
    scenarios, and every scenario must be used (each is run at every sample point)."""
    settings, _ = parse_sensitivity(experiment.sensitivity or {}, experiment.parameters)
    if settings is None:
        return []
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
    table: Mapping[str, Any], replications: int | None, n: int | None
) -> list[str]:
    """Problems of ``--replications`` and ``--n`` for a sensitivity experiment."""
    from gemsim.sensitivity import get_method

    problems: list[str] = []
    if replications is not None and not 1 <= replications <= 100_000:
        problems.append(
            f"--replications {replications} is not allowed: must be "
            + _SENSITIVITY_KEYS["replications"]
        )
    if n is not None:
        method = table.get("method", "sobol")
        defaults = get_method(method).defaults
        options = {key: table.get(key, default) for key, default in defaults.items()}
        text = sensitivity_n_problem(n, method, options)
        if text:
            problems.append(f"--n {n} is not allowed: must be {text}")
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
