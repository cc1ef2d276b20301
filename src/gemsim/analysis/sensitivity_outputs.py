"""Every output of a sensitivity experiment, written from its stored results.

:func:`build_sensitivity_outputs` reads the folder (:mod:`gemsim.analysis.sensitivity_data`;
the model is never rerun) and writes, next to the runs::

    scenario_outputs.parquet  point x scenario: each output at the horizon, mean over the
                              point's replications (and their number)
    outputs.parquet           point: the analysed outputs, i.e. the base scenario's outputs
                              and every contrast ``<contrast>:<output>`` (scenario minus
                              reference, paired by replication seed)
    indices.csv               output, parameter and SALib's columns: S1, S1_conf, ST, ST_conf
                              (Sobol', FAST) or mu, mu_star, sigma, mu_star_conf (Morris)
    second_order.csv          Sobol' S2, S2_conf per pair (only with calc_second_order)
    convergence.csv           the same indices on growing parts of the sample (n in the
                              method's unit, points = sample points used)
    convergence_check.csv     per output: did its leading indices settle over the last
                              doubling (the stated tolerance, the change, what moved it)
    design_balance.csv        Sobol': per parameter and prefix size, how far the design's A
                              and B columns are from independent (correlation, and the
                              factor by which a linear effect's total index is read;
                              :mod:`gemsim.sensitivity.design_balance`)
    contrasts.csv             per contrast and output: distribution over the sample points,
                              share of points below / above zero, the deciding parameters
    flips.csv                 per contrast, output and parameter: the parameter's values at
                              points where the contrast has the minority sign vs the others
    noise.csv                 per output: the random path's share of the variance beside the
                              noise dummy's index (:mod:`gemsim.analysis.sensitivity_noise`)
    metamodel.csv,            Gaussian-process metamodels of the outputs named in
    metamodel_indices.csv     metamodel_outputs: out-of-sample error and indices
    metamodel_convergence.csv their leading total indices fitted on each half of the sample vs all
    discovery.csv, boxes.csv, where each contrast flips: PRIM boxes and a CART tree
    tree.csv                  (:mod:`gemsim.analysis.sensitivity_discovery`)
    figures/sensitivity_*.png indices, Morris planes, convergence, contrast distributions
    figures/discovery_*.png   PRIM boxes and trees of the contrasts that flip
    sensitivity.html          the report (:mod:`gemsim.analysis.sensitivity_report`)
    analysis.pickle           the tables and figure paths, to write the report again
                              (:func:`rewrite_sensitivity_report`)

Every file is written to a temporary name and moved into place; CSV floats have ten
significant digits, so rebuilding from the same results gives identical CSV files
(:mod:`gemsim.analysis.files`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd

from gemsim.analysis.files import slug, write_csv, write_png
from gemsim.analysis.sensitivity_data import (
    CONTRASTS_FILE,
    CONVERGENCE_FILE,
    FLIPS_FILE,
    INDICES_FILE,
    OUTPUTS_FILE,
    REPORT_FILE,
    SCENARIO_OUTPUTS_FILE,
    SECOND_ORDER_FILE,
    SensitivityData,
    SensitivityResultsError,
    SensitivityTables,
    compute_tables,
    load_sensitivity,
    numeric_sample,
    rank_column,
    ranked,
)
from gemsim.analysis.sensitivity_discovery import (
    BOXES_FILE,
    DISCOVERY_FILE,
    TREE_FILE,
    discover_contrasts,
    plot_discoveries,
)
from gemsim.analysis.sensitivity_noise import (
    METAMODEL_CONVERGENCE_FILE,
    METAMODEL_FILE,
    METAMODEL_INDICES_FILE,
    NOISE_FILE,
    metamodel_convergence_table,
    metamodel_tables,
    noise_table,
)
from gemsim.analysis.sensitivity_report import (
    CONVERGENCE_CHECK_FILE,
    CONVERGENCE_TOLERANCE,
    convergence_check,
    write_sensitivity_report,
)
from gemsim.atomic import atomic_path, write_parquet
from gemsim.study.sensitivity_spec import SensitivitySettings

__all__ = [
    "OWNED_FILES",
    "SensitivityResultsError",
    "build_sensitivity_outputs",
    "make_figures",
    "rewrite_sensitivity_report",
]

FIGURES_DIR = "figures"
DESIGN_BALANCE_FILE = "design_balance.csv"
FIGURE_PREFIX = "sensitivity_"
#: The analysis as computed (tables and figure paths), kept so that ``sensitivity.html``
#: can be written again without recomputing it (``gemsim claims`` adds its table).
ANALYSIS_FILE = "analysis.pickle"
#: Files of a results folder that the sensitivity job and this module write (deleted by
#: ``--force`` together with the runs).
OWNED_FILES: tuple[str, ...] = (
    "sample.parquet",
    "design.parquet",
    SCENARIO_OUTPUTS_FILE,
    OUTPUTS_FILE,
    INDICES_FILE,
    SECOND_ORDER_FILE,
    CONVERGENCE_FILE,
    CONVERGENCE_CHECK_FILE,
    DESIGN_BALANCE_FILE,
    CONTRASTS_FILE,
    FLIPS_FILE,
    REPORT_FILE,
    NOISE_FILE,
    METAMODEL_CONVERGENCE_FILE,
    METAMODEL_FILE,
    METAMODEL_INDICES_FILE,
    DISCOVERY_FILE,
    BOXES_FILE,
    TREE_FILE,
    "screen.csv",
    "claims.csv",  # copied here by gemsim claims; stale once the analysis is redone
    ANALYSIS_FILE,
)
#: Parameters shown in an index figure (the highest-ranked ones) and in a convergence figure.
TOP_IN_FIGURE = 15
TOP_IN_CONVERGENCE = 6


# ----------------------------------------------------------------------------- figures
def _top(indices: pd.DataFrame, output: str, top: int) -> pd.DataFrame:
    rows = ranked(indices, output).head(top)
    order = {name: i for i, name in enumerate(rows["parameter"])}
    return rows.assign(_o=rows["parameter"].map(order)).sort_values("_o").drop(columns="_o")


def _title(settings: SensitivitySettings, output: str) -> str:
    for contrast in settings.contrasts:
        for name in contrast.outputs:
            if contrast.column(name) == output:
                return f"{name}: {contrast.scenario} − {contrast.reference}"
    return f"{output} ({settings.base_scenario})"


def make_figures(
    data: SensitivityData, tables: SensitivityTables, figures_dir: Path
) -> dict[str, Path]:
    """Index, Morris, convergence and contrast figures; ``{key: path}`` where key is
    ``<kind>:<output>`` (kind ``indices``, ``morris``, ``convergence``, ``contrast``)."""
    from gemsim.sensitivity import plot_convergence, plot_indices, plot_morris

    settings = data.settings
    indices = tables.indices
    count = len(settings.factors)
    figures: dict[str, Path] = {}
    for output in settings.analysed_outputs:
        name = slug(output)
        title = _title(settings, output)
        top = _top(indices, output, TOP_IN_FIGURE)
        shown = "" if count <= TOP_IN_FIGURE else f" (top {TOP_IN_FIGURE} of {count})"
        if indices.loc[indices["output"] == output, rank_column(indices)].notna().any():
            figures[f"indices:{output}"] = plot_indices(
                top,
                output,
                figures_dir / f"{FIGURE_PREFIX}indices_{name}.png",
                title=f"Sensitivity of {title}{shown}",
            )
            if "mu_star" in indices.columns:
                figures[f"morris:{output}"] = plot_morris(
                    top,
                    output,
                    figures_dir / f"{FIGURE_PREFIX}morris_{name}.png",
                    title=f"Morris plane of {title}{shown}",
                )
        if tables.convergence is not None:
            keep = list(_top(indices, output, TOP_IN_CONVERGENCE)["parameter"])
            conv = tables.convergence
            conv = conv[(conv["output"] == output) & conv["parameter"].isin(keep)]
            conv = conv.drop(columns="points")
            if not conv.empty and conv[rank_column(indices)].notna().any():
                figures[f"convergence:{output}"] = plot_convergence(
                    conv,
                    output,
                    figures_dir / f"{FIGURE_PREFIX}convergence_{name}.png",
                    title=f"Convergence for {title}",
                )
    for row in tables.contrasts.itertuples():
        figures[f"contrast:{row.column}"] = plot_contrast(
            data,
            tables,
            row.column,
            figures_dir / f"{FIGURE_PREFIX}contrast_{slug(row.column)}.png",
        )
    return figures


def plot_contrast(
    data: SensitivityData, tables: SensitivityTables, column: str, path: Path
) -> Path:
    """A contrast over the sample: its distribution, and against the deciding parameter."""
    from matplotlib.figure import Figure

    values = tables.outputs[column].to_numpy(dtype=float)
    top = ranked(tables.indices, column)
    top = top[top["parameter"] != data.settings.noise_dummy_name]  # a real parameter
    parameter = str(top["parameter"].iloc[0]) if len(top) else data.settings.parameter_names[0]
    x = numeric_sample(data.settings, data.sample)[parameter].to_numpy(dtype=float)
    negative = values < 0
    fig = Figure(figsize=(10.0, 4.0), layout="tight")
    left, right = fig.subplots(1, 2)
    left.hist(values, bins=min(40, max(5, len(values) // 10)), color="#7f7f7f")
    left.axvline(0.0, color="black", linewidth=1.0)
    left.set_xlabel(f"{_title(data.settings, column)} at month {data.horizon}")
    left.set_ylabel("sample points")
    left.set_title(f"{negative.mean():.0%} of {len(values)} points below zero")
    right.scatter(x[~negative], values[~negative], s=8, color="#1f77b4", label="≥ 0")
    right.scatter(x[negative], values[negative], s=8, color="#d62728", label="< 0")
    right.axhline(0.0, color="black", linewidth=1.0)
    factor = next(f for f in data.settings.factors if f.name == parameter)
    suffix = " (level number)" if factor.kind == "categorical" else ""
    right.set_xlabel(f"{parameter}{suffix}")
    right.set_ylabel("contrast")
    right.set_title(f"against the top parameter by {rank_column(tables.indices)}")
    right.legend(loc="best", fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle(f"Contrast {_title(data.settings, column)} across the sample")
    return write_png(fig, path)


# ----------------------------------------------------------------------------- writing
#: Below this many sample rows the metamodels and the scenario discovery run in this
#: process: starting worker processes (each imports scikit-learn) would cost more.
PARALLEL_FROM_ROWS = 200


def analysis_workers(rows: int) -> int:
    """Processes for the metamodels and the scenario discovery: this machine's cores for
    a large sample, else 1 (their results do not depend on it)."""
    return (os.cpu_count() or 1) if rows >= PARALLEL_FROM_ROWS else 1


def balance_table(data: SensitivityData, tables: SensitivityTables) -> pd.DataFrame:
    """:func:`gemsim.sensitivity.design_balance.design_balance` of a Sobol' design, at the
    prefix sizes of the convergence table (else the whole design)."""
    from gemsim.sensitivity.design_balance import design_balance
    from gemsim.sensitivity.methods import get_method

    settings = data.settings
    problem = settings.problem()
    if tables.convergence is not None:
        sizes = sorted(int(n) for n in tables.convergence["n"].unique())
    else:
        sizes = [get_method("sobol").units_in(problem, len(data.X), settings.calc_second_order)]
    return design_balance(data.X, problem.names, sizes, second_order=settings.calc_second_order)


def build_sensitivity_outputs(folder: Path | str) -> dict[str, Path]:
    """Write every file of the module docstring for a sensitivity results folder.

    Returns ``{name: path}``: ``scenario_outputs``, ``outputs``, ``indices``,
    (``second_order``), (``convergence``, ``convergence_check``), ``contrasts``, ``flips``,
    ``report`` and ``figure:<kind>:<output>`` per figure.
    """
    folder = Path(folder)
    data = load_sensitivity(folder)
    tables = compute_tables(data)
    workers = analysis_workers(len(data.sample))
    tables.noise = noise_table(data, tables.indices)
    tables.metamodel = metamodel_tables(data, tables.outputs, workers=workers)
    if data.settings.contrasts:
        tables.discoveries = discover_contrasts(data, tables.outputs, workers=workers)
    paths: dict[str, Path] = {
        "scenario_outputs": write_parquet(tables.scenario_outputs, folder / SCENARIO_OUTPUTS_FILE),
        "outputs": write_parquet(tables.outputs.reset_index(), folder / OUTPUTS_FILE),
        "indices": write_csv(tables.indices, folder / INDICES_FILE),
    }
    if tables.second_order is not None:
        paths["second_order"] = write_csv(tables.second_order, folder / SECOND_ORDER_FILE)
    if tables.convergence is not None:
        paths["convergence"] = write_csv(tables.convergence, folder / CONVERGENCE_FILE)
        paths["convergence_check"] = write_csv(
            convergence_check(tables), folder / CONVERGENCE_CHECK_FILE
        )
    if data.settings.method == "sobol":
        tables.design_balance = balance_table(data, tables)
        paths["design_balance"] = write_csv(tables.design_balance, folder / DESIGN_BALANCE_FILE)
    paths["contrasts"] = write_csv(tables.contrasts, folder / CONTRASTS_FILE)
    paths["flips"] = write_csv(tables.flips, folder / FLIPS_FILE)
    paths["noise"] = write_csv(tables.noise, folder / NOISE_FILE)
    if tables.metamodel is not None:
        paths["metamodel"] = write_csv(tables.metamodel[0], folder / METAMODEL_FILE)
        paths["metamodel_indices"] = write_csv(tables.metamodel[1], folder / METAMODEL_INDICES_FILE)
        tables.metamodel_convergence = metamodel_convergence_table(
            data,
            tables.outputs,
            tables.metamodel[1],
            tolerance=CONVERGENCE_TOLERANCE,  # the report's, for the Sobol' indices
            fits=tables.metamodel[0],
            workers=workers,
        )
        paths["metamodel_convergence"] = write_csv(
            tables.metamodel_convergence, folder / METAMODEL_CONVERGENCE_FILE
        )
    figures = make_figures(data, tables, folder / FIGURES_DIR)
    if tables.discoveries is not None:
        paths["discovery"] = write_csv(tables.discoveries.summary, folder / DISCOVERY_FILE)
        paths["boxes"] = write_csv(tables.discoveries.boxes, folder / BOXES_FILE)
        paths["tree"] = write_csv(tables.discoveries.tree, folder / TREE_FILE)
        figures.update(plot_discoveries(tables.discoveries, folder / FIGURES_DIR))
    paths["report"] = write_sensitivity_report(data, tables, figures, folder / REPORT_FILE)
    paths.update({f"figure:{key}": path for key, path in figures.items()})
    _keep_analysis(folder, tables, figures)
    return paths


def _outputs_digest(folder: Path) -> str:
    """What the kept analysis was computed from: the SHA-256 of the per-point outputs."""
    return hashlib.sha256((folder / SCENARIO_OUTPUTS_FILE).read_bytes()).hexdigest()


def _keep_analysis(folder: Path, tables: SensitivityTables, figures: dict[str, Path]) -> None:
    kept = {
        "outputs_sha256": _outputs_digest(folder),
        "tables": tables,
        "figures": {key: path.relative_to(folder) for key, path in figures.items()},
    }
    with atomic_path(folder / ANALYSIS_FILE) as tmp:
        tmp.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))


def rewrite_sensitivity_report(folder: Path | str) -> Path | None:
    """Write ``sensitivity.html`` again from the analysis :func:`build_sensitivity_outputs`
    kept (for a claims table added since); None, writing nothing, when no analysis is
    kept or the outputs changed since it was computed (then build it again)."""
    folder = Path(folder)
    try:
        kept = pickle.loads((folder / ANALYSIS_FILE).read_bytes())
        if kept["outputs_sha256"] != _outputs_digest(folder):
            return None
    except (OSError, pickle.UnpicklingError, AttributeError, KeyError, EOFError):
        return None
    figures = {key: folder / path for key, path in kept["figures"].items()}
    if not all(path.is_file() for path in figures.values()):
        return None
    data = load_sensitivity(folder)
    return write_sensitivity_report(data, kept["tables"], figures, folder / REPORT_FILE)
