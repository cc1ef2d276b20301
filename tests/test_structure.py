"""The package's shape: the workflow packages import without the model, gemsim's modules
import each other without cycles, and facts are stated the same way everywhere."""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import gemsim.study
from gemsim.model.parameters import parameter_table

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = SRC / "gemsim"

# ------------------------------------------------------------------ light imports
#: Everything gemsim.study holds except the run function, which loads the model on purpose.
STUDY_MODULES = sorted(
    f"gemsim.study.{info.name}"
    for info in pkgutil.iter_modules(gemsim.study.__path__)
    if info.name != "simulation"
)
LIGHT_MODULES = ["gemsim.study", *STUDY_MODULES, "gemsim.experiments", "gemsim.scenario"]
HEAVY = ("mesa", "gemsim.model.model")

CHECK_IMPORTS = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = [heavy for heavy in {heavy!r} if heavy in sys.modules]
    if loaded:
        sys.exit(f"importing {{name}} loaded {{', '.join(loaded)}}")
"""


def test_study_and_experiments_import_without_the_model():
    """In a fresh interpreter (other tests have imported the model into this one)."""
    assert "gemsim.study.experiment" in STUDY_MODULES  # the list is not empty by accident
    done = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS.format(heavy=HEAVY), *LIGHT_MODULES],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


CHECK_HELP = """
import sys
from gemsim.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
loaded = [name for name in ("pandas", "numpy", "mesa") if name in sys.modules]
sys.exit(f"gemsim --help loaded {', '.join(loaded)}" if loaded else 0)
"""


def test_the_commands_help_and_the_runner_package_load_no_tables_or_model():
    """``gemsim --help`` (and ``validate``, which builds the same parser) stays quick: the
    experiments package imports its modules only when a name of it is used."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK_HELP], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    import gemsim.experiments as experiments

    for name in experiments.__all__:  # every exported name is found in its module
        assert getattr(experiments, name).__name__ == name


# ------------------------------------------------------------------ import cycles
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Nodes under ``if TYPE_CHECKING:`` (never imported at run time)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for part in node.body for inner in ast.walk(part))
    return skipped


def import_graph() -> dict[str, set[str]]:
    """gemsim module -> the gemsim modules it imports, at module level or inside functions
    (``from package import module`` counts as importing the module)."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative import
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([base] if base else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    if full in modules:
                        imported.add(full)
                    elif base in modules:
                        imported.add(base)
        imported.discard(name)
        graph[name] = imported
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Cycles of the graph, each once (found one at a time, cutting one edge of each)."""
    remaining = {name: set(imports) for name, imports in graph.items()}
    cycles = []
    while True:
        try:
            TopologicalSorter(remaining).prepare()
        except CycleError as error:
            cycle = error.args[1]  # [a, ..., a]: each imported by the next
            cycles.append(tuple(sorted(cycle[:-1])))
            remaining[cycle[1]].discard(cycle[0])
        else:
            return cycles


def test_the_import_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "gemsim.study.simulation" in graph["gemsim.study.jobs"]  # imported in _simulate
    assert "gemsim.study.jobs" in graph["gemsim.cli"]
    assert "gemsim.sensitivity" not in graph["gemsim.study.experiment"]  # TYPE_CHECKING only


def test_no_import_cycle_at_import_time_or_inside_functions():
    assert import_cycles(import_graph()) == []


# ------------------------------------------------------------------ facts stated once
MUNICIPALITY_COUNT = re.compile(r"\b(3\d\d) (gemeenten|municipalities)\b")
#: DOMAIN brief (CBS): 342 municipalities in 2023, 352 in 2021.
COUNT_YEARS = {"342": "2023", "352": "2021"}


def _text_files() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(REPO / "docs").rglob("*.md"), REPO / "README.md"]
    return [*files, *(REPO / "scenarios").glob("*.toml"), *(REPO / "experiments").glob("*.toml")]


def test_municipality_counts_are_the_cbs_figures_and_older_ones_say_their_year():
    found = []
    for path in _text_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in MUNICIPALITY_COUNT.finditer(line):
                count = match.group(1)
                found.append(count)
                assert count in COUNT_YEARS, f"{path.name}: {line.strip()}"
                if count != "342":  # the current count may stand alone; older ones say when
                    assert COUNT_YEARS[count] in line, f"{path.name}: {line.strip()}"
    assert "342" in found


def test_parameter_sources_give_the_year_of_a_municipality_count():
    sources = [row["source"] for row in parameter_table()]
    counts = [source for source in sources if MUNICIPALITY_COUNT.search(source)]
    assert counts
    for source in counts:
        for match in MUNICIPALITY_COUNT.finditer(source):
            assert f"{match.group(0)} ({COUNT_YEARS[match.group(1)]})" in source, source
