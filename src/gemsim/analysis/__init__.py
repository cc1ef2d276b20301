"""Analysis of stored experiment results: summary tables, figures and the HTML report.

Everything here reads a results folder written by :mod:`gemsim.experiments` and never
reruns the model. :func:`build_outputs` writes, next to the stored runs::

    summary.csv               per scenario x outcome x horizon: mean, sd, 95% CI, and the
                              paired difference to the baseline with its 95% CI
    cost_effectiveness.csv    extra public money per unit of outcome gained, with 95% CI
    figures/*.png             outcomes over time, differences, equity, money, cost
    report.html               one self-contained file for policymakers and advocates

Heavy modules (pandas, scipy, matplotlib) are imported on first use, so importing this
package is cheap.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

__all__ = [
    "NoResultsError",
    "build_outputs",
    "cost_effectiveness",
    "load_results",
    "summarize",
    "write_report",
]

_LAZY = {
    "summarize": "gemsim.analysis.summary",
    "cost_effectiveness": "gemsim.analysis.summary",
    "load_results": "gemsim.analysis.data",
    "NoResultsError": "gemsim.analysis.data",
    "write_report": "gemsim.analysis.report",
}

SUMMARY_FILE = "summary.csv"
COST_FILE = "cost_effectiveness.csv"
REPORT_FILE = "report.html"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gemsim.analysis' has no attribute {name!r}")


def build_outputs(results_dir: Path | str) -> dict[str, Path]:
    """Write the summary, cost table, figures and report of a results folder.

    Reads the stored runs (only the columns and months needed) and ``manifest.json``;
    never reruns the model. Every file is written to a temporary name and moved into
    place with ``os.replace``, so readers never see a half-written file. Running it twice
    on the same results gives identical CSV files.

    Returns:
        name -> path: ``"summary"``, ``"cost_effectiveness"``, ``"report"`` and
        ``"figure:<name>"`` for every figure written.

    Raises:
        NoResultsError: the folder holds no stored runs.
    """
    from gemsim.analysis.data import load_results
    from gemsim.analysis.figures import make_figures
    from gemsim.analysis.files import write_csv
    from gemsim.analysis.report import compute_tables, write_report

    folder = Path(results_dir)
    results = load_results(folder)
    summary, cost = compute_tables(results)
    paths: dict[str, Path] = {
        "summary": write_csv(summary, folder / SUMMARY_FILE),
        "cost_effectiveness": write_csv(cost, folder / COST_FILE),
    }
    figures = make_figures(results, summary, cost)
    paths["report"] = write_report(
        folder, results=results, summary=summary, cost=cost, figures=figures
    )
    paths.update({f"figure:{name}": path for name, path in figures.items()})
    return paths
