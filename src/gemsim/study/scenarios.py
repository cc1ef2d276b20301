"""Scenario files (TOML): lookup by name or path, ``extends``, and validation.

A **scenario file** names a set of parameter values::

    name = "groeiplan"                 # optional; default: the file name without .toml
    description = "..."                # optional
    extends = "status_quo"             # optional: a scenario name or a relative path
    [parameters]                       # flat parameter names (see `gemsim params`)
    regime = "direct_fund"

``extends`` names a scenario resolved as ``<same folder>/<name>.toml`` (then the other
scenario folders, see :func:`scenario_search_dirs`) or a path relative to the file. The
parent's parameters are merged first, then the child's.

Every file is validated completely before anything runs. Any problem raises one
:class:`~gemsim.study.files.ScenarioError` whose message has one line per problem, each
naming the file, the key and what is allowed, e.g.
``scenarios/bad.toml: [parameters] months = -3 is not allowed: must be an integer from 1 to 600``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemsim.model.parameters import Parameters
from gemsim.study.files import (
    EXPERIMENT_ONLY_KEYS,
    NAME_ALLOWED,
    NAME_PATTERN,
    ScenarioError,
    read_toml,
    show_path,
    suggest,
    toml_value,
)
from gemsim.study.model_values import combination_problems, normalised, parameter_problems

__all__ = [
    "SHIPPED_SCENARIOS",
    "Scenario",
    "find_scenario",
    "load_scenario",
    "read_scenario",
    "resolve_scenario",
    "scenario_not_found",
    "scenario_parameters",
    "scenario_search_dirs",
]

SCENARIO_KEYS: tuple[str, ...] = ("name", "description", "extends", "parameters")
#: The repository's own scenarios folder, when running from a source checkout.
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


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


def find_scenario(
    name_or_path: str, search_dirs: Sequence[Path], base_dir: Path | None = None
) -> Path | None:
    """The file of a scenario, or None. A path is taken relative to ``base_dir`` (else the
    working directory); a name is looked up as ``<name>.toml`` in each search dir in turn."""
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


def _valid_scenario_names(search_dirs: Sequence[Path]) -> list[str]:
    """Names of the valid scenario files in ``search_dirs`` (what a name may refer to):
    experiment files and files with problems are left out."""
    names: set[str] = set()
    for folder in search_dirs:
        for path in folder.glob("*.toml"):
            try:
                _read_scenario(path, (), offer_names=False)
            except ScenarioError:
                continue
            names.add(path.stem)
    return sorted(names)


def scenario_not_found(
    name_or_path: str, search_dirs: Sequence[Path], *, offer_names: bool = True
) -> str:
    """Why ``name_or_path`` names no scenario, and what is allowed (with the valid
    scenario names in ``search_dirs`` unless ``offer_names`` is false)."""
    if _looks_like_path(name_or_path):
        return f"no such file {name_or_path!r}; allowed: a scenario name or an existing .toml path"
    where = ", ".join(show_path(d) for d in search_dirs) or "(no scenario folders)"
    known = _valid_scenario_names(search_dirs) if offer_names else []
    hint = suggest(name_or_path, known)
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
    found = find_scenario(text, dirs)
    if found is None:
        raise ScenarioError(scenario_not_found(text, dirs))
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
            hint = suggest(key, SCENARIO_KEYS)
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
    return {name: normalised(name, value) for name, value in own.items()}


def _parent(path: Path, target: str, seen: tuple[Path, ...], offer_names: bool) -> Scenario:
    """The scenario that ``path`` extends (``extends = target``); ``seen`` are its children."""
    where = show_path(path)
    dirs = scenario_search_dirs(path.parent)
    parent_path = find_scenario(target, dirs, path.parent)
    if parent_path is None:
        reason = scenario_not_found(target, dirs, offer_names=offer_names)
        raise ScenarioError(f"{where}: extends = {toml_value(target)}: {reason}")
    loop = (*seen, path)
    if any(parent_path.resolve() == p.resolve() for p in loop):
        cycle = " -> ".join(_near(p, path.parent) for p in (*loop, parent_path))
        raise ScenarioError(
            f"{where}: extends = {toml_value(target)} makes a cycle ({cycle}); allowed: "
            "a scenario that does not extend this one, directly or indirectly"
        )
    return _read_scenario(parent_path, loop, offer_names=offer_names)


def _read_scenario(path: Path, seen: tuple[Path, ...], *, offer_names: bool = True) -> Scenario:
    where = show_path(path)
    data = read_toml(path)
    own = _own_parameters(where, data)
    parent = _parent(path, data["extends"], seen, offer_names) if "extends" in data else None
    merged = {**(parent.parameters if parent else {}), **own}
    context = f"after merging {', '.join(parent.files)}" if parent else ""
    problems = [f"{where}: {p}" for p in combination_problems("[parameters]", merged, context)]
    if "name" not in data and not re.match(NAME_PATTERN, path.stem):
        problems.append(
            f"{where}: the file's name gives the scenario the name {path.stem!r}, which is not "
            f'allowed: must be {NAME_ALLOWED} (rename the file or give it a name = "..." key)'
        )
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
        found = find_scenario(text, dirs)
        if found is None:
            if path.is_dir():  # not a scenario's name: say what it is, as read_toml does
                raise ScenarioError(f"{show_path(path)}: is a folder, not a .toml file")
            if _looks_like_path(text):
                raise ScenarioError(f"{show_path(path)}: file not found")
            raise ScenarioError(f"scenario {text!r}: {scenario_not_found(text, dirs)}")
        path = found
    return _read_scenario(path, ())


def load_scenario(name_or_path: str | Path) -> Parameters:
    """The validated :class:`Parameters` of a scenario file (merged with what it extends)."""
    return read_scenario(name_or_path).build()


def scenario_parameters(name_or_path: str | Path) -> dict[str, Any]:
    """The merged flat parameter overrides of a scenario file (for run specs)."""
    return dict(read_scenario(name_or_path).parameters)
