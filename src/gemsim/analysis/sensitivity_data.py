"""A sensitivity experiment's stored results and the tables computed from them.

Reads what ``gemsim sensitivity`` stored (``manifest.json``, ``sample.parquet``,
``design.parquet`` and the runs) and never reruns the model. :func:`compute_tables` gives
every table that :func:`gemsim.analysis.sensitivity_outputs.build_sensitivity_outputs` writes
and :mod:`gemsim.analysis.sensitivity_report` shows; the file names are defined here so that
both (and the experiment report, which reads ``contrasts.csv``) agree on them.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gemsim.analysis.data import table_in
from gemsim.errors import UserError
from gemsim.experiments import ResultStore
from gemsim.experiments.store import MANIFEST
from gemsim.study.plans import read_design
from gemsim.study.scenario import SensitivitySettings, show_path

__all__ = [
    "SensitivityData",
    "SensitivityResultsError",
    "SensitivityTables",
    "compute_tables",
    "deciding",
    "load_from_means",
    "load_sensitivity",
    "outputs_from_means",
    "rank_column",
    "ranked",
    "replication_values",
]

SCENARIO_OUTPUTS_FILE = "scenario_outputs.parquet"
OUTPUTS_FILE = "outputs.parquet"
INDICES_FILE = "indices.csv"
SECOND_ORDER_FILE = "second_order.csv"
CONVERGENCE_FILE = "convergence.csv"
CONTRASTS_FILE = "contrasts.csv"
FLIPS_FILE = "flips.csv"
REPORT_FILE = "sensitivity.html"
#: Deciding parameters named per contrast in contrasts.csv and the report.
TOP_DECIDING = 3
CONVERGENCE_STEPS = 5


class SensitivityResultsError(UserError, RuntimeError):
    """The folder holds no complete sensitivity experiment."""


@dataclass
class SensitivityData:
    """What a sensitivity results folder holds (read by :func:`load_sensitivity`).

    Attributes:
        folder: the results folder.
        manifest: ``manifest.json``.
        settings: the ``[sensitivity]`` table as run.
        seed: the experiment's root seed (sampling and bootstrap).
        horizon: months per run; outputs are taken at this month.
        X: SALib's raw sample matrix, one row per point.
        sample: decoded parameter values per point (index ``point``).
        values: one row per run at the horizon: ``scenario, point, replication`` + outputs.
    """

    folder: Path
    manifest: dict[str, Any]
    settings: SensitivitySettings
    seed: int
    horizon: int
    X: np.ndarray
    sample: pd.DataFrame
    values: pd.DataFrame

    @property
    def experiment(self) -> dict[str, Any]:
        return table_in(self.manifest, "experiment")


@dataclass
class SensitivityTables:
    """Everything computed from a :class:`SensitivityData`.

    Attributes:
        scenario_outputs: point x scenario means over replications.
        outputs: per point the analysed outputs (SALib's ``Y``), index ``point``.
        standard_errors: per point the standard error of each contrast output's mean over
            replications (NaN with one replication), same columns as the contrast outputs.
        indices: long frame ``output, parameter`` + SALib's columns.
        second_order: Sobol' second-order indices or None.
        convergence: indices on growing prefixes, or None (FAST cannot be truncated).
        contrasts: one row per contrast output (see :func:`contrast_table`).
        flips: one row per contrast output and parameter (see :func:`flip_table`).
        warnings: messages about outputs that could not be analysed.
        noise: per output, the random path's share of the variance beside the noise
            dummy's index (:func:`gemsim.analysis.sensitivity_noise.noise_table`).
        discoveries: PRIM boxes and trees of the contrasts' sign flips
            (:func:`gemsim.analysis.sensitivity_discovery.discover_contrasts`).
        metamodel: fits and indices of the Gaussian-process metamodels asked for.
        metamodel_convergence: their leading total indices on half of the sample vs all
            (:func:`gemsim.analysis.sensitivity_noise.metamodel_convergence_table`).
        design_balance: a Sobol' design's A/B balance per parameter and prefix size
            (:func:`gemsim.analysis.sensitivity_outputs.balance_table`), else None.
    """

    scenario_outputs: pd.DataFrame
    outputs: pd.DataFrame
    standard_errors: pd.DataFrame
    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    convergence: pd.DataFrame | None
    contrasts: pd.DataFrame
    flips: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    noise: pd.DataFrame | None = None
    discoveries: Any = None
    metamodel: tuple[pd.DataFrame, pd.DataFrame] | None = None
    metamodel_convergence: pd.DataFrame | None = None
    design_balance: pd.DataFrame | None = None


# ----------------------------------------------------------------------------- reading
def load_sensitivity(folder: Path | str) -> SensitivityData:
    """Read a sensitivity results folder (only the horizon month of the needed reporters).

    Raises SensitivityResultsError if it is not a sensitivity experiment or runs are
    missing.
    """
    folder = Path(folder)
    where = show_path(folder)
    store = ResultStore(folder)
    try:
        manifest = store.read_json(MANIFEST)
    except (OSError, ValueError):
        raise SensitivityResultsError(f"{where} has no readable {MANIFEST}") from None
    experiment = manifest.get("experiment", {})
    if not isinstance(experiment.get("sensitivity"), dict):
        raise SensitivityResultsError(f"{where} holds no sensitivity experiment")
    settings = SensitivitySettings.from_record(experiment["sensitivity"])
    horizon = int(experiment["months"])
    X, sample = read_design(folder)
    reporters = list(
        dict.fromkeys([*settings.outputs, *(o for c in settings.contrasts for o in c.outputs)])
    )
    values = store.read_timeseries(
        columns=["scenario", "point", "replication", *reporters],
        filters=[("month", "==", horizon)],
    )
    values = values.sort_values(["scenario", "point", "replication"], kind="stable")
    values = values.reset_index(drop=True)
    expected = len(settings.scenarios) * len(sample) * settings.replications
    if len(values) != expected:
        raise SensitivityResultsError(
            f"{where} holds {len(values)} of the {expected} runs of this sensitivity "
            "experiment; finish it with --resume before analysing"
        )
    return SensitivityData(
        folder=folder,
        manifest=manifest,
        settings=settings,
        seed=int(experiment["seed"]),
        horizon=horizon,
        X=X,
        sample=sample,
        values=values,
    )


# ----------------------------------------------------------------------------- tables
def scenario_means(data: SensitivityData) -> pd.DataFrame:
    """Per point and scenario: each output's mean over replications, and ``replications``."""
    grouped = data.values.groupby(["point", "scenario"], sort=True)
    means = grouped.mean(numeric_only=True).drop(columns="replication")
    means.insert(0, "replications", grouped.size())
    return means.reset_index()


def _per_replication(data: SensitivityData, scenario: str, output: str) -> pd.DataFrame:
    """``point x replication`` values of one output of one scenario."""
    rows = data.values[data.values["scenario"] == scenario]
    return rows.pivot(index="point", columns="replication", values=output).sort_index()


def replication_values(data: SensitivityData) -> dict[str, pd.DataFrame]:
    """Every analysed output as a ``point x replication`` frame of single runs: the base
    scenario's outputs, and each contrast as the paired difference ``scenario - reference``
    (same seed)."""
    settings = data.settings
    frames = {
        output: _per_replication(data, settings.base_scenario, output)
        for output in settings.outputs
    }
    for contrast in settings.contrasts:
        for output in contrast.outputs:
            frames[contrast.column(output)] = _per_replication(
                data, contrast.scenario, output
            ) - _per_replication(data, contrast.reference, output)
    return frames


def point_outputs(data: SensitivityData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SALib's ``Y`` (base outputs and contrasts per point) and the contrasts' standard errors.

    A contrast at a point is the mean over replications of the paired difference
    ``scenario - reference`` (same seed); its standard error is the standard deviation of
    those differences over ``sqrt(R)`` (NaN with one replication).
    """
    points = pd.Index(range(len(data.sample)), name="point")
    base = set(data.settings.outputs)
    columns: dict[str, pd.Series] = {}
    errors: dict[str, pd.Series] = {}
    for name, values in replication_values(data).items():
        columns[name] = values.mean(axis=1)
        if name in base:
            continue
        replications = values.shape[1]
        errors[name] = (
            values.std(axis=1, ddof=1) / math.sqrt(replications)
            if replications > 1
            else pd.Series(np.nan, index=values.index)
        )
    outputs = pd.DataFrame(columns, index=points).reindex(points)
    standard_errors = pd.DataFrame(errors, index=points).reindex(points)
    return outputs, standard_errors


def outputs_from_means(settings: SensitivitySettings, means: pd.DataFrame) -> pd.DataFrame:
    """Per point: the base scenario's outputs and each contrast, from the scenario means
    (a tie can come out a few units in the last place from 0; discovery reads it as 0)."""
    wide = {name: part.set_index("point").sort_index() for name, part in means.groupby("scenario")}
    columns = {output: wide[settings.base_scenario][output] for output in settings.outputs}
    for contrast in settings.contrasts:
        for output in contrast.outputs:
            columns[contrast.column(output)] = (
                wide[contrast.scenario][output] - wide[contrast.reference][output]
            )
    return pd.DataFrame(columns)


def load_from_means(folder: Path) -> tuple[SensitivityData, pd.DataFrame]:
    """A stored folder's design and settings and its analysed outputs per point, from its
    per-point means alone (``scenario_outputs.parquet``; a reference folder keeps no runs:
    ``values`` is empty)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    experiment = manifest["experiment"]
    settings = SensitivitySettings.from_record(experiment["sensitivity"])
    X, sample = read_design(folder)
    data = SensitivityData(
        folder=folder,
        manifest=manifest,
        settings=settings,
        seed=int(experiment["seed"]),
        horizon=int(experiment["months"]),
        X=X,
        sample=sample,
        values=pd.DataFrame(),
    )
    means = pd.read_parquet(folder / SCENARIO_OUTPUTS_FILE)
    return data, outputs_from_means(settings, means)


def rank_column(indices: pd.DataFrame) -> str:
    """The index that ranks parameters: ``ST`` (Sobol', FAST) or ``mu_star`` (Morris)."""
    return "ST" if "ST" in indices.columns else "mu_star"


def ranked(indices: pd.DataFrame, output: str) -> pd.DataFrame:
    """One output's indices, most influential parameter first (NaN last)."""
    rows = indices[indices["output"] == output]
    column = rank_column(indices)
    return rows.sort_values(column, ascending=False, na_position="last", kind="stable")


def _analyse(data: SensitivityData, outputs: pd.DataFrame) -> tuple[Any, list[str]]:
    from gemsim.sensitivity import SensitivityWarning, analyze_outputs

    settings = data.settings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SensitivityWarning)
        result = analyze_outputs(
            settings.problem(),
            settings.method,
            data.X,
            outputs.reset_index(drop=True),
            data.seed,
            **settings.analysis_options(),
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, SensitivityWarning)]
    return result, list(dict.fromkeys(messages))


def convergence_table(data: SensitivityData, outputs: pd.DataFrame) -> pd.DataFrame | None:
    """Indices on growing prefixes of the sample; None if the method cannot be truncated."""
    from gemsim.sensitivity import SensitivityWarning, convergence, get_method

    settings = data.settings
    if get_method(settings.method).prefix_sizes is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        table = convergence(
            settings.problem(),
            settings.method,
            data.X,
            outputs.reset_index(drop=True),
            data.seed,
            CONVERGENCE_STEPS,
            **settings.analysis_options(),
        )
    # Rows of SALib's design are sample points here (each run per scenario and replication).
    return table.rename(columns={"n_runs": "points"})


def deciding(indices: pd.DataFrame, output: str, top: int = TOP_DECIDING) -> pd.DataFrame:
    """The (at most ``top``) parameters that decide ``output``: ranked by ST or mu_star,
    keeping those whose index is positive and at least 5% of the largest."""
    column = rank_column(indices)
    rows = ranked(indices, output)
    values = rows[column].to_numpy(dtype=float)
    if not np.isfinite(values).any():
        return rows.head(0)
    largest = float(np.nanmax(values))
    keep = np.isfinite(values) & (values > 0) & (values >= 0.05 * largest)
    return rows[keep].head(top)


def _deciding_text(indices: pd.DataFrame, output: str) -> str:
    column = rank_column(indices)
    rows = deciding(indices, output)
    return "; ".join(
        f"{r.parameter} ({column} {getattr(r, column):.3g})" for r in rows.itertuples()
    )


def contrast_table(
    settings: SensitivitySettings,
    outputs: pd.DataFrame,
    standard_errors: pd.DataFrame,
    indices: pd.DataFrame,
) -> pd.DataFrame:
    """One row per contrast output: how the contrast is spread over the sample points.

    Columns: ``contrast, scenario, reference, output, column, mean, sd, q05, median, q95,
    share_negative, share_zero, share_positive``, ``share_negative_beyond_noise`` and
    ``share_positive_beyond_noise`` (the contrast is more than two standard errors of its
    replication mean below / above zero; NaN with one replication), ``flipped_share`` (points
    whose sign differs from the sign of the mean) and ``deciding_parameters`` (the top
    parameters by ST or mu_star). A contrast zero but for rounding counts as zero.
    """
    from gemsim.sensitivity.discovery import without_rounding

    rows = []
    for contrast in settings.contrasts:
        for output in contrast.outputs:
            column = contrast.column(output)
            values = outputs[column].to_numpy(dtype=float)
            se = standard_errors[column].to_numpy(dtype=float)
            signed = without_rounding(values)  # a tie off by rounding is a tie
            mean = float(np.mean(values))
            sign = 1.0 if mean >= 0 else -1.0
            rows.append(
                {
                    "contrast": contrast.name,
                    "scenario": contrast.scenario,
                    "reference": contrast.reference,
                    "output": output,
                    "column": column,
                    "mean": mean,
                    "sd": float(np.std(values, ddof=1)) if len(values) > 1 else math.nan,
                    "q05": float(np.quantile(values, 0.05)),
                    "median": float(np.median(values)),
                    "q95": float(np.quantile(values, 0.95)),
                    "share_negative": float(np.mean(signed < 0)),
                    "share_zero": float(np.mean(signed == 0)),
                    "share_positive": float(np.mean(signed > 0)),
                    "share_negative_beyond_noise": _beyond(values, se, -1),
                    "share_positive_beyond_noise": _beyond(values, se, 1),
                    "flipped_share": float(np.mean(signed * sign < 0)),
                    "deciding_parameters": _deciding_text(indices, column),
                }
            )
    columns = [
        "contrast",
        "scenario",
        "reference",
        "output",
        "column",
        "mean",
        "sd",
        "q05",
        "median",
        "q95",
        "share_negative",
        "share_zero",
        "share_positive",
        "share_negative_beyond_noise",
        "share_positive_beyond_noise",
        "flipped_share",
        "deciding_parameters",
    ]
    return pd.DataFrame(rows, columns=columns)


def _beyond(values: np.ndarray, se: np.ndarray, sign: int) -> float:
    if not np.isfinite(se).all():
        return math.nan
    return float(np.mean(sign * values > 2 * se))


def sample_blocks(settings: SensitivitySettings, points: int) -> np.ndarray | None:
    """Per sample point, its design block (a Saltelli base row with its one-at-a-time
    neighbours, a Morris trajectory), for scenario discovery; ``None`` for designs of
    independent points."""
    from gemsim.sensitivity import get_method
    from gemsim.sensitivity.discovery import design_blocks

    per = get_method(settings.method).rows_per_unit(settings.problem(), settings.calc_second_order)
    return design_blocks(settings.method, per, points)


def numeric_sample(settings: SensitivitySettings, sample: pd.DataFrame) -> pd.DataFrame:
    """The sample with categorical factors as level numbers (0 = first level; for a
    true/false parameter with levels ``[false, true]`` the mean is the share of true), and
    the noise dummy's stream number last if there is one."""
    columns: dict[str, Any] = {}
    for factor in settings.factors:
        column = sample[factor.name]
        if factor.kind == "categorical":
            position = {repr(level): i for i, level in enumerate(factor.levels)}
            columns[factor.name] = [float(position[repr(v)]) for v in column]
        else:
            columns[factor.name] = column.to_numpy(dtype=float)
    dummy = settings.noise_dummy_name
    if dummy is not None and dummy in sample.columns:  # the stream number, last
        columns[dummy] = sample[dummy].to_numpy(dtype=float)
    return pd.DataFrame(columns, index=sample.index)


def flip_table(
    settings: SensitivitySettings, sample: pd.DataFrame, outputs: pd.DataFrame
) -> pd.DataFrame:
    """Which parameter values go with a contrast's sign change.

    For each contrast output, the *flipped* points are those where the contrast has the
    sign opposite to its mean over the sample. Per parameter: mean and quartiles among the
    flipped points and among the others, and the standardised difference of the means
    (difference over the parameter's standard deviation in the whole sample); rows are
    ordered by its absolute value. Categorical parameters are compared by level number.
    Outputs without flipped points have no rows.
    """
    numeric = numeric_sample(settings, sample)
    rows = []
    for contrast in settings.contrasts:
        for output in contrast.outputs:
            column = contrast.column(output)
            values = outputs[column].to_numpy(dtype=float)
            sign = 1.0 if np.mean(values) >= 0 else -1.0
            flipped = values * sign < 0
            if not flipped.any():
                continue
            part = []
            for factor in settings.factors:
                x = numeric[factor.name].to_numpy(dtype=float)
                spread = float(np.std(x))
                a, b = x[flipped], x[~flipped]
                difference = float(np.mean(a) - np.mean(b)) if b.size else math.nan
                part.append(
                    {
                        "contrast": contrast.name,
                        "output": output,
                        "column": column,
                        "parameter": factor.name,
                        "kind": factor.kind,
                        "flipped_points": int(flipped.sum()),
                        "other_points": int((~flipped).sum()),
                        "mean_flipped": float(np.mean(a)),
                        "mean_other": float(np.mean(b)) if b.size else math.nan,
                        "q25_flipped": float(np.quantile(a, 0.25)),
                        "median_flipped": float(np.median(a)),
                        "q75_flipped": float(np.quantile(a, 0.75)),
                        "q25_other": float(np.quantile(b, 0.25)) if b.size else math.nan,
                        "median_other": float(np.median(b)) if b.size else math.nan,
                        "q75_other": float(np.quantile(b, 0.75)) if b.size else math.nan,
                        "standardised_difference": difference / spread if spread > 0 else 0.0,
                    }
                )
            part.sort(key=lambda r: -abs(np.nan_to_num(r["standardised_difference"])))
            rows += part
    columns = [
        "contrast",
        "output",
        "column",
        "parameter",
        "kind",
        "flipped_points",
        "other_points",
        "mean_flipped",
        "mean_other",
        "q25_flipped",
        "median_flipped",
        "q75_flipped",
        "q25_other",
        "median_other",
        "q75_other",
        "standardised_difference",
    ]
    return pd.DataFrame(rows, columns=columns)


def compute_tables(data: SensitivityData) -> SensitivityTables:
    """Every table of the module docstring, from the loaded results."""
    outputs, standard_errors = point_outputs(data)
    result, messages = _analyse(data, outputs)
    indices = result.indices
    return SensitivityTables(
        scenario_outputs=scenario_means(data),
        outputs=outputs,
        standard_errors=standard_errors,
        indices=indices,
        second_order=result.second_order,
        convergence=convergence_table(data, outputs),
        contrasts=contrast_table(data.settings, outputs, standard_errors, indices),
        flips=flip_table(data.settings, data.sample, outputs),
        warnings=messages,
    )
