"""Read what the analysis needs from a results folder, and nothing more.

Two reads of the stored time series: every month of the few outcomes drawn over time, and
every column the tables need at the horizon months only. The manifest is optional: every
key read from it has a fallback, so a folder written by an older or interrupted run still
gives a report.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from gemsim.analysis.outcomes import (
    EQUITY_GAPS,
    HEADLINE_OUTCOMES,
    MONEY_PARTS,
    OUTCOMES,
    SPENDING_COLUMNS,
)
from gemsim.analysis.summary import default_horizons, scenario_order
from gemsim.errors import UserError
from gemsim.experiments.store import RUN_COLUMNS, ResultStore

__all__ = [
    "NoResultsError",
    "Region",
    "Results",
    "experiment_command",
    "fold_points",
    "load_results",
    "neighbourhood_count",
    "non_default_parameters",
    "region",
    "scenario_descriptions",
    "scenario_label",
]

DEFAULT_BASELINE = "status_quo"
_KEYS = ["run_id", "scenario", "replication", "seed", "point", "month"]


class NoResultsError(UserError, ValueError):
    """The results folder holds no stored runs."""


@dataclass
class Results:
    """The stored results of one experiment, as the analysis uses them.

    Attributes:
        results_dir: the results folder.
        manifest: ``manifest.json`` (empty if absent or unreadable).
        runs: the run table (one row per run, parameters as columns).
        over_time: every month of the outcomes drawn over time (headline and equity).
        at_horizons: every outcome and money column at the horizon months only.
        horizons: horizon months (month 60 when present and earlier, and the last month).
        baseline: the scenario others are compared with ("" if it was not run).
        scenarios: scenario names, baseline first, then in the manifest's order.
        descriptions: scenario name -> description (from the manifest, may be empty).
    """

    results_dir: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    over_time: pd.DataFrame
    at_horizons: pd.DataFrame
    horizons: list[int]
    baseline: str
    scenarios: list[str]
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def experiment(self) -> dict[str, Any]:
        """The manifest's ``experiment`` section (empty if missing)."""
        value = self.manifest.get("experiment")
        return value if isinstance(value, dict) else {}

    @property
    def has_comparison(self) -> bool:
        """True if the baseline and at least one other scenario were run."""
        return bool(self.baseline) and len(self.scenarios) > 1

    @property
    def final_horizon(self) -> int:
        return self.horizons[-1]


def table_in(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``mapping[key]`` when it is a table (a dict), else {} (a manifest missing a part)."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def _read_manifest(store: ResultStore) -> dict[str, Any]:
    try:
        manifest = store.read_json("manifest.json")
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _stored_columns(store: ResultStore) -> list[str]:
    """Column names of the stored time-series parts (read from Parquet footers only)."""
    names: dict[str, None] = {}
    for part in sorted(store.timeseries_dir.glob("part-*.parquet")):
        names.update(dict.fromkeys(pq.read_schema(part).names))
    return list(names)


def _wanted(columns: list[str], extra: Any) -> tuple[list[str], list[str]]:
    over_time = [c for c in (*HEADLINE_OUTCOMES, *EQUITY_GAPS) if c in columns]
    named = [c for c in extra if isinstance(c, str)] if isinstance(extra, list) else []
    horizon = [*OUTCOMES, *SPENDING_COLUMNS, *MONEY_PARTS, "money_in_eur", *named]
    at_horizon = [c for c in dict.fromkeys(horizon) if c in columns]
    return over_time, at_horizon


def load_results(results_dir: Path | str) -> Results:
    """Read the run table, the manifest and the needed time-series columns and months.

    Raises:
        NoResultsError: the folder holds no stored runs.
    """
    store = ResultStore(results_dir)
    runs = store.read_runs()
    if runs.empty:
        raise NoResultsError(f"{store.out_dir} holds no stored runs; run an experiment first")
    manifest = _read_manifest(store)
    experiment = table_in(manifest, "experiment")
    columns = _stored_columns(store)
    keys = [c for c in _KEYS if c in columns]
    time_columns, horizon_columns = _wanted(columns, experiment.get("outputs"))
    over_time = store.read_timeseries(columns=keys + time_columns)
    horizons = default_horizons(over_time["month"].unique().tolist())
    at_horizons = store.read_timeseries(
        columns=keys + horizon_columns, filters=[("month", "in", horizons)]
    )
    baseline = str(experiment.get("baseline") or DEFAULT_BASELINE)
    descriptions = scenario_descriptions(manifest)
    listed = list(descriptions)
    present = list(dict.fromkeys(runs["scenario"]))
    ordered = [s for s in listed if s in present] + [s for s in present if s not in listed]
    return Results(
        results_dir=Path(results_dir),
        manifest=manifest,
        runs=runs,
        over_time=over_time,
        at_horizons=at_horizons,
        horizons=horizons,
        baseline=baseline if baseline in present else "",
        scenarios=scenario_order(ordered, baseline),
        descriptions=descriptions,
    )


def scenario_descriptions(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Scenario name -> description from the manifest's ``experiment.scenarios``.

    Accepts a list of names, a list of tables with ``name`` (and ``description``), or a
    mapping of name -> description or -> table (whose ``description`` is used).
    """
    experiment = manifest.get("experiment")
    scenarios = experiment.get("scenarios") if isinstance(experiment, Mapping) else None
    found: dict[str, str] = {}
    if isinstance(scenarios, Mapping):
        for name, value in scenarios.items():
            found[str(name)] = _description(value)
    elif isinstance(scenarios, list):
        for item in scenarios:
            if isinstance(item, str):
                found[item] = ""
            elif isinstance(item, Mapping) and "name" in item:
                found[str(item["name"])] = _description(item)
    return found


def _description(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("description", "title", "summary"):
            text = value.get(key)
            if isinstance(text, str):
                return text
        for nested in ("scenario", "meta", "metadata"):
            if isinstance(value.get(nested), Mapping):
                return _description(value[nested])
    return ""


def experiment_command(manifest: Mapping[str, Any]) -> str:
    """The reproducing command line from the manifest ("" if not recorded)."""
    experiment = manifest.get("experiment")
    for holder in (manifest, experiment if isinstance(experiment, Mapping) else {}):
        command = holder.get("command")
        if isinstance(command, str) and command.strip():
            return command.strip()
        if isinstance(command, list) and command:
            return shlex.join(str(part) for part in command)
    return ""


def _parameter_defaults() -> dict[str, Any]:
    from gemsim.model.parameters import Parameters

    return {name: f.default for name, f in Parameters.model_fields.items()}


def _run_values(runs: pd.DataFrame, name: str, defaults: Mapping[str, Any]) -> set[Any]:
    """The values parameter ``name`` took in the runs (its default where it was not set)."""
    if name not in runs.columns:
        return {defaults.get(name)}
    return {_value_or(value, defaults.get(name)) for value in runs[name].unique()}


def _only(values: set[Any]) -> Any:
    """The one value of ``values``, or None if there are several (or none)."""
    return next(iter(values)) if len(values) == 1 else None


def neighbourhood_count(runs: pd.DataFrame) -> int | None:
    """Number of neighbourhoods in the simulated region, if the same in every run.

    Mirrors :func:`gemsim.model.world.build_region`: ``max(m, round(m * per_municipality))``.
    """
    defaults = _parameter_defaults()
    counts = set()
    settings = runs.reindex(columns=["n_municipalities", "neighbourhoods_per_municipality"])
    for _, run in settings.drop_duplicates().iterrows():
        municipalities = _value_or(run.get("n_municipalities"), defaults.get("n_municipalities"))
        per = _value_or(
            run.get("neighbourhoods_per_municipality"),
            defaults.get("neighbourhoods_per_municipality"),
        )
        if municipalities is None or per is None:
            return None
        counts.add(max(int(municipalities), round(int(municipalities) * float(per))))
    return counts.pop() if len(counts) == 1 else None


@dataclass(frozen=True)
class Region:
    """The simulated region, from the parameters every run used.

    Attributes:
        municipalities: number of municipalities.
        neighbourhoods: number of buurten (neighbourhoods).
        inhabitants_per_neighbourhood: mean inhabitants per buurt (each run draws the
            buurt sizes around it, so a run's population varies by a few percent).
        inhabitants_per_agent: inhabitants one citizen agent stands for.
        national_population: the Dutch population that national amounts are scaled by.
    """

    municipalities: int
    neighbourhoods: int
    inhabitants_per_neighbourhood: float
    inhabitants_per_agent: float
    national_population: float

    @property
    def inhabitants(self) -> float:
        """Expected inhabitants: buurten times mean buurt size (the drawn sizes have mean 1)."""
        return self.neighbourhoods * self.inhabitants_per_neighbourhood

    @property
    def national_share(self) -> float:
        """The region's expected share of the national population (0-1)."""
        return self.inhabitants / self.national_population

    @property
    def agents(self) -> float:
        """About how many citizen agents a run has."""
        return self.inhabitants / self.inhabitants_per_agent


def region(runs: pd.DataFrame) -> Region | None:
    """The simulated region if every run used the same one (None if runs differ in it)."""
    defaults = _parameter_defaults()
    values = {
        name: _only(_run_values(runs, name, defaults))
        for name in (
            "inhabitants_per_neighbourhood",
            "inhabitants_per_agent",
            "national_population",
        )
    }
    neighbourhoods = neighbourhood_count(runs)
    municipalities = _only(_run_values(runs, "n_municipalities", defaults))
    if neighbourhoods is None or municipalities is None or None in values.values():
        return None
    return Region(
        municipalities=int(municipalities),
        neighbourhoods=neighbourhoods,
        inhabitants_per_neighbourhood=float(values["inhabitants_per_neighbourhood"]),
        inhabitants_per_agent=float(values["inhabitants_per_agent"]),
        national_population=float(values["national_population"]),
    )


def scenario_label(name: str) -> str:
    """A reader's label for a scenario name: "subsidy_channel" -> "Subsidy channel" (a
    scenario at several parameter points keeps its " · point k" suffix)."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _value_or(value: Any, default: Any) -> Any:
    return default if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _same(value: Any, default: Any) -> bool:
    if isinstance(value, str) and not isinstance(default, str):
        try:
            value = json.loads(value)
        except ValueError:
            return False
    if isinstance(default, bool):
        return isinstance(value, bool | int | float) and bool(value) == default
    if isinstance(default, int | float) and isinstance(value, int | float):
        return math.isclose(float(value), float(default), rel_tol=1e-12, abs_tol=0.0)
    return bool(value == default)


def non_default_parameters(runs: pd.DataFrame) -> pd.DataFrame:
    """Parameters set to a non-default value in some scenario: one row per parameter,
    one column per scenario (its value, or "" where it is the default), plus ``default``."""
    defaults = _parameter_defaults()
    params = [c for c in runs.columns if c not in RUN_COLUMNS]
    scenarios = list(dict.fromkeys(runs["scenario"]))
    rows = []
    for name in params:
        row: dict[str, Any] = {"parameter": name, "default": defaults.get(name, "(unknown)")}
        differs = False
        for scenario in scenarios:
            values = runs.loc[runs["scenario"] == scenario, name].dropna().unique().tolist()
            shown = [v for v in values if name not in defaults or not _same(v, defaults[name])]
            differs |= bool(shown)
            row[scenario] = ", ".join(str(v) for v in shown)
        if differs:
            rows.append(row)
    return pd.DataFrame(rows, columns=["parameter", "default", *scenarios])


def fold_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Name each (scenario, point) series: a scenario run at several parameter points
    becomes "scenario · point k"; scenarios with one point keep their name."""
    if "point" not in frame.columns or frame.empty:
        return frame
    points = frame.groupby("scenario")["point"].nunique()
    multi = set(points[points > 1].index)
    if not multi:
        return frame
    labels = [
        f"{scenario} · point {point}" if scenario in multi else scenario
        for scenario, point in zip(frame["scenario"], frame["point"], strict=True)
    ]
    return frame.assign(scenario=labels)
