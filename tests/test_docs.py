"""docs/ODD.md stays in step with the code: every parameter, reporter and regime is
described, the ODD sections exist, and the parameter and reporter tables match the code."""

import re
from pathlib import Path

import pytest

from gemsim.model.outcomes import OUTCOMES, outcome_table_markdown
from gemsim.model.parameters import Parameters, parameter_table
from gemsim.model.regimes import REGIMES

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"

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
        name, unit, default, allowed, source, description = rows[expected["name"]]
        assert (unit, allowed, source, description) == (
            expected["unit"],
            expected["allowed"],
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
