"""docs/ODD.md stays in step with the code: every parameter, reporter and regime is
described, the ODD sections exist, the parameter and reporter tables match the code, every
name the ODD points to exists, and its module map lists the modules of ``gemsim.model``."""

import importlib
import inspect
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import gemsim.model
from gemsim.model.outcomes import OUTCOMES, outcome_table_markdown
from gemsim.model.parameters import Parameters, parameter_table
from gemsim.model.regimes import REGIMES

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
REPO = Path(__file__).resolve().parents[1]

ODD_SECTIONS = (
    "## 1. Purpose and patterns",
    "## 2. Entities, state variables and scales",
    "## 3. Process overview and scheduling",
    "## 4. Design concepts",
    "## 5. Initialisation",
    "## 6. Input data",
    "## 7. Submodels",
)


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def headings(odd: str) -> set[str]:
    return {line.strip() for line in odd.splitlines() if line.startswith("#")}


def mentioned(name: str, text: str) -> bool:
    """``name`` appears as a whole identifier (not only as part of a longer one)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


@pytest.mark.parametrize("section", ODD_SECTIONS)
def test_odd_section_exists(section, headings):
    assert section in headings


def test_every_parameter_is_documented(odd):
    missing = [name for name in Parameters.model_fields if not mentioned(name, odd)]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"


def test_every_reporter_is_documented(odd):
    names = [outcome.name for outcome in OUTCOMES]
    missing = [name for name in names if not mentioned(name, odd)]
    assert not missing, f"reporters missing from docs/ODD.md: {missing}"


def test_every_regime_is_documented(odd):
    missing = [name for name in REGIMES if not mentioned(name, odd)]
    assert not missing, f"regimes missing from docs/ODD.md: {missing}"


def _table_rows(odd: str) -> dict[str, list[str]]:
    """Rows of the parameter table in section 8, by parameter name."""
    block = odd.split("<!-- parameter-table:start", 1)[1].split("<!-- parameter-table:end", 1)[0]
    rows = {}
    for line in block.splitlines():
        if not line.startswith("| ") or line.startswith("| name |"):
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows[cells[0]] = cells
    return rows


def _same_default(written: str, default) -> bool:
    if isinstance(default, bool):
        return written == str(default).lower()
    if isinstance(default, int | float):
        try:
            return float(written) == float(default)
        except ValueError:
            return False
    return written == str(default)


def test_parameter_table_matches_the_code(odd):
    """Regenerate the table with `gemsim params --format markdown` when this fails."""
    rows = _table_rows(odd)
    assert set(rows) == set(Parameters.model_fields), "table and Parameters list differ"
    for expected in parameter_table():
        name, unit, default, allowed, plausible, source, description = rows[expected["name"]]
        assert (unit, allowed, plausible, source, description) == (
            expected["unit"],
            expected["allowed"],
            expected["plausible"],
            expected["source"],
            expected["description"],
        ), name
        assert _same_default(default, expected["default"]), (name, default, expected["default"])


def outcome_block(odd: str) -> str:
    """What ``docs/ODD.md`` holds between the outcome-table markers (section 4.11)."""
    block = odd.split("<!-- outcome-table:start", 1)[1].split("<!-- outcome-table:end", 1)[0]
    return block.split("-->", 1)[1].strip()


def test_outcome_table_matches_the_code(odd):
    """Regenerate the block with `python -m gemsim.model.outcomes` when this fails."""
    assert outcome_block(odd) == outcome_table_markdown().strip()


def _state_variables(odd: str, start: str, stop: str) -> set[str]:
    """Names in the first column of the state-variable table between two headings."""
    block = odd.split(start, 1)[1].split(stop, 1)[0]
    names: set[str] = set()
    for line in block.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", first_cell))
    return names


def test_citizen_state_table_matches_the_code(odd):
    """Section 2.1 lists exactly the per-citizen arrays of ``citizens.Citizens``."""
    from dataclasses import fields

    from gemsim.model.citizens import Citizens

    scalars = {"threshold_mean", "active_margin"}  # described below the table
    arrays = {f.name for f in fields(Citizens)} - scalars
    assert _state_variables(odd, "### 2.1 ", "### 2.2 ") == arrays
    assert all(mentioned(name, odd) for name in scalars)


def test_collective_state_table_matches_the_code(odd):
    """Section 2.2 lists exactly the columns of ``collectives.CollectiveTable``."""
    from gemsim.model.collectives import COLUMNS

    names = {column.name for column in COLUMNS}
    assert _state_variables(odd, "### 2.2 ", "**The six types**") == names


# --- Code references: every name the ODD points to exists ------------------------------------

MODULE_MAP_START, MODULE_MAP_STOP = "**Module map.**", "### 2.1 "
DOTTED = re.compile(r"`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?:\([^`]*\))?`")
NAME = re.compile(r"`([A-Za-z_]\w*)(?:\(\))?`")


@pytest.fixture(scope="module")
def code():
    """Where ODD names are looked up: the modules of ``gemsim.model`` by short name, the
    classes they define, and a small model's ``model``, ``region`` and ``regime``."""
    from gemsim.model.model import CommunityModel

    modules = {
        info.name: importlib.import_module(f"gemsim.model.{info.name}")
        for info in pkgutil.iter_modules(gemsim.model.__path__)
    }
    classes = {
        name: value
        for module in modules.values()
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__.startswith("gemsim.model")
    }
    model = CommunityModel(n_municipalities=1, months=1, rng=1)
    instances = {"model": model, "region": model.region, "regime": model.regime}
    return modules, classes, instances


def _resolve(reference: str, code) -> bool:
    """Whether a dotted reference names something that exists. Its root is a module of
    ``gemsim.model`` by short name, a class defined there, ``model``, ``region`` or
    ``regime`` of a model, or else an importable module (``gemsim.model.outcomes``,
    ``mesa``)."""
    modules, classes, instances = code
    roots = {**modules, **classes, **instances}
    parts = reference.split(".")
    if parts[0] in roots:
        target, parts = roots[parts[0]], parts[1:]
    else:
        for cut in range(len(parts), 0, -1):
            try:
                target = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            parts = parts[cut:]
            break
        else:
            return False
    for part in parts:
        if not hasattr(target, part):
            return False
        target = getattr(target, part)
    return True


def test_dotted_code_references_exist(odd, code):
    """Every `module.name`, `Class.attribute`, `model.attribute` or `gemsim.x.y` the ODD
    names exists in the code (renamed or moved code makes this fail)."""
    references = {ref for ref in DOTTED.findall(odd) if not ref.endswith(".py")}
    assert len(references) > 50, "the ODD should point to the code"
    missing = sorted(ref for ref in references if not _resolve(ref, code))
    assert not missing, f"docs/ODD.md names code that does not exist: {missing}"


def test_bare_names_exist(odd, code):
    """Every bare name in backticks (`support_fraction`, `_refresh_stock`) is something the
    code defines: a parameter or one of its values, a reporter, a state variable, a
    regime, type or category, or a name in a model module, on a model class or on a
    model. Only the notation example and Mesa's data collector are prose."""
    from dataclasses import fields

    from gemsim.model.citizens import Citizens
    from gemsim.model.collective_types import COLLECTIVE_TYPES
    from gemsim.model.collectives import COLUMNS
    from gemsim.model.infrastructure import CATEGORIES

    modules, classes, instances = code
    known = set(modules) | {name for module in modules.values() for name in vars(module)}
    known |= {name for cls in classes.values() for name in dir(cls)}
    known |= {name for value in instances.values() for name in vars(value)}
    known |= set(Parameters.model_fields) | {outcome.name for outcome in OUTCOMES}
    known |= {  # the values of every one-of parameter (allocation rule, approval rule...)
        str(value)
        for field in Parameters.model_fields.values()
        if typing.get_origin(field.annotation) is typing.Literal
        for value in typing.get_args(field.annotation)
    }
    known |= {column.name for column in COLUMNS} | {f.name for f in fields(Citizens)}
    known |= set(REGIMES) | {kind.name for kind in COLLECTIVE_TYPES} | set(CATEGORIES)
    known |= {path.stem for path in (REPO / "scenarios").glob("*.toml")}  # shipped scenarios
    known |= {"gemsim", "like_this", "DataCollector"}
    missing = sorted(set(NAME.findall(odd)) - known)
    assert not missing, f"docs/ODD.md names code that does not exist: {missing}"


def _module_map(odd: str) -> dict[str, str]:
    """The module map in section 2: module file (or package) -> what it holds."""
    block = odd.split(MODULE_MAP_START, 1)[1].split(MODULE_MAP_STOP, 1)[0]
    rows = {}
    for line in block.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.split("|")[1:-1]]
            rows[cells[0].strip("`")] = cells[1]
    return rows


def test_module_map_lists_every_model_module(odd):
    """The module map names each module of ``gemsim.model`` once, and no other."""
    expected = {
        f"{info.name}/" if info.ispkg else f"{info.name}.py"
        for info in pkgutil.iter_modules(gemsim.model.__path__)
    }
    assert set(_module_map(odd)) == expected


def test_module_map_names_what_each_module_defines(odd, code):
    """Each name the module map says a module holds is defined there (at module level or
    on one of its classes)."""
    modules, _, _ = code
    missing = []
    for entry, holds in _module_map(odd).items():
        module = modules[entry.removesuffix(".py").removesuffix("/")]
        known = set(vars(module))
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                known |= set(dir(value))
        missing += [f"{entry}: {name}" for name in NAME.findall(holds) if name not in known]
    assert not missing, f"the module map names what its modules do not define: {missing}"
