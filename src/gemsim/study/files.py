"""Reading scenario and experiment files (TOML) and writing about them.

Every problem with a file is one :class:`ScenarioError` whose message has one line per
problem, each naming the file, the key and what is allowed. The helpers here show values
and paths in those lines the way the user wrote or sees them.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gemsim.errors import UserError

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.config import JsonDict
    from pydantic_core import ErrorDetails

__all__ = [
    "CALIBRATION_ONLY_KEYS",
    "DEFAULT_PATTERNS_FILE",
    "EXPERIMENT_ONLY_KEYS",
    "MAX_COUNT",
    "NAME_ALLOWED",
    "NAME_PATTERN",
    "SEED_MAX",
    "ScenarioError",
    "allows",
    "field_allowed",
    "file_kind",
    "key_problem",
    "read_toml",
    "show_path",
    "suggest",
    "toml_value",
]

#: The largest count a file may ask for (replications, bootstrap resamples): a typo guard
#: well above anything a study needs.
MAX_COUNT = 100_000
#: The largest root seed a file may give (NumPy seeds are taken as 63-bit integers here).
SEED_MAX = 2**63 - 1
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
NAME_ALLOWED = "a name of letters, digits, '.', '_' and '-' (at most 100 characters)"
#: Keys that only experiment files have (used to tell the two kinds of file apart).
EXPERIMENT_ONLY_KEYS = frozenset(
    {"scenarios", "baseline", "replications", "months", "seed", "sweep", "outputs", "sensitivity"}
)
#: The patterns file `gemsim patterns` reads unless told otherwise.
DEFAULT_PATTERNS_FILE = "experiments/patterns.toml"
#: Keys that only calibration files have (experiments/calibration/movement.toml).
CALIBRATION_ONLY_KEYS = frozenset({"patterns_scored", "population_size", "max_populations"})


class ScenarioError(UserError, ValueError):
    """An invalid scenario or experiment file; one line per problem, each naming the file,
    the key and what is allowed."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


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


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or an empty string."""
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
    """``"calibration"`` if the parsed file has calibration keys, ``"experiment"`` if it has
    experiment keys, else ``"scenario"``."""
    if CALIBRATION_ONLY_KEYS.intersection(data):
        return "calibration"
    return "experiment" if EXPERIMENT_ONLY_KEYS.intersection(data) else "scenario"


def key_problem(
    where: str, model: type[BaseModel], problem: ErrorDetails, tables: Iterable[str] = ()
) -> str:
    """One line for a pydantic ``problem`` with a key of a file read as ``model``: an
    unknown key (and the allowed ones), a missing key, or a value that is not allowed
    (and what is). A problem inside one of the ``tables`` is shown as ``[table] name``."""
    loc = problem["loc"]
    if not loc:  # a model-level check: its message names its keys
        return f"{where}: {str(problem['msg']).removeprefix('Value error, ')}"
    key = str(loc[0])
    if key in set(tables) and len(loc) > 1:
        loc = (f"[{key}] {loc[1]}", *loc[2:])
    shown = str(loc[0]) + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:]
    )
    if problem["type"] == "extra_forbidden":
        return (
            f"{where}: unknown key {key!r}{suggest(key, model.model_fields)}; "
            f"allowed keys: {', '.join(model.model_fields)}"
        )
    if problem["type"] == "missing":
        return f"{where}: {shown} is missing: must be {field_allowed(model, key)}"
    return (
        f"{where}: {shown} = {toml_value(problem.get('input'))} is not allowed: must be "
        f"{field_allowed(model, key)}"
    )


def allows(text: str) -> JsonDict:
    """``json_schema_extra`` of a file's pydantic field: what the field allows, in words."""
    return {"allowed": text}


def field_allowed(model: type[BaseModel], key: str) -> str:
    """What field ``key`` of a file's pydantic ``model`` allows (its ``allowed`` text)."""
    field = model.model_fields.get(key)
    extra = field.json_schema_extra if field is not None else None
    if isinstance(extra, dict) and "allowed" in extra:
        return str(extra["allowed"])
    return "a valid value"
