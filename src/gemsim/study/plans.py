"""The runs of a sensitivity experiment: SALib design, decoded sample points, run specs.

A sensitivity experiment (an experiment file with a ``[sensitivity]`` table, see
:class:`gemsim.study.sensitivity_spec.SensitivitySettings`) is planned as:

1. **Design.** ``gemsim.sensitivity.sample_design`` draws SALib's raw sample ``X`` for the
   sampled parameters (method, ``n`` and the experiment's root ``seed``), one row per
   *sample point*.
2. **Decoding.** :meth:`gemsim.sensitivity.Problem.decode_rows` turns each row into parameter
   values: floats as drawn; integers drawn on ``[low, high + 1)`` and floored (each of
   ``low..high`` equally likely); true/false and one-of parameters (and any parameter given
   ``levels``) drawn on ``[0, k)`` and floored to one of their ``k`` levels. Values a
   ``norm`` or ``lognorm`` factor draws outside the parameter's allowed range are clipped to
   it (and counted).
3. **Runs.** Every scenario of the experiment (the base scenario and those of the contrasts)
   is run at every point with ``R`` replications: ``build_specs`` with ``point`` = the
   sample index, the scenario's parameters updated by the point's values, and the seeds
   ``replication_seeds(seed, R)``, the same for every scenario and every point (common
   random numbers). A contrast at a point is thus a paired difference.

With ``noise_dummy = true`` the design has one more column, the noise-floor dummy
``noise_floor``: an integer stream number that the model never sees. A point's replications
then use the seeds of its stream (:func:`gemsim.sensitivity.stochastic.stream_seeds`), the
same for every scenario at that point (contrasts stay paired), so the dummy's index
measures the random path's share of the variance of the point means. With
``screened_from`` the sampled parameters come from a Morris screen
(:func:`gemsim.study.screening.apply_screen`).

The sample is stored with the results as ``sample.parquet`` (decoded values, as run) and
``design.parquet`` (SALib's raw matrix, needed to re-analyse), both with a ``point`` column,
and with ``screened_from`` the screen as ``screen.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gemsim.atomic import write_parquet
from gemsim.experiments import RunSpec, build_specs, replication_seeds
from gemsim.model.parameters import ParameterError, Parameters, bounds, plausible_range
from gemsim.study.experiment import Experiment
from gemsim.study.files import ScenarioError, show_path, toml_value
from gemsim.study.model_values import is_integer_parameter
from gemsim.study.sensitivity_spec import SensitivitySettings

__all__ = [
    "DESIGN_FILE",
    "SAMPLE_FILE",
    "SensitivityPlan",
    "check_points",
    "plan_sensitivity",
    "point_specs",
    "read_design",
    "screening_range",
    "stored_points",
    "write_design",
]

SAMPLE_FILE = "sample.parquet"
DESIGN_FILE = "design.parquet"
#: Problems shown when drawn points break a rule across parameters (the rest are counted).
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class SensitivityPlan:
    """Everything a sensitivity job runs.

    Attributes:
        settings: the ``[sensitivity]`` table.
        X: SALib's raw sample, one row per point (continuous stand-ins for discrete factors).
        sample: decoded parameter values as run, one row per point (index ``point``).
        specs: the runs: scenarios x points x replications.
        clipped: per factor, how many drawn values were clipped to the allowed range.
        screen: the Morris screen that chose the factors (``screened_from``), or None.
    """

    settings: SensitivitySettings
    X: np.ndarray
    sample: pd.DataFrame
    specs: list[RunSpec]
    clipped: dict[str, int]
    screen: pd.DataFrame | None = None

    @property
    def points(self) -> int:
        return len(self.sample)


def _allowed_bounds(name: str) -> tuple[float, float]:
    """The allowed range of parameter ``name``, infinite where it has no bound."""
    low, high = bounds(name)
    return (-math.inf if low is None else low), (math.inf if high is None else high)


def decode_sample(
    settings: SensitivitySettings, X: np.ndarray
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Decode SALib's sample into parameter values per point (clipping ``norm``/``lognorm``
    draws to the allowed range); returns the points and the clip counts per factor."""
    points = settings.problem().decode_rows(X)
    clipped: dict[str, int] = {}
    for factor in settings.factors:
        if factor.dist not in ("norm", "lognorm"):
            continue
        low, high = _allowed_bounds(factor.name)
        count = 0
        for point in points:
            value = point[factor.name]
            if not low <= value <= high:
                point[factor.name] = float(min(max(value, low), high))
                count += 1
        clipped[factor.name] = count
    return points, clipped


def check_points(
    experiment: Experiment, points: Sequence[Mapping[str, Any]], where: str | None = None
) -> None:
    """Every scenario at every point must be a valid parameter set; raises ScenarioError
    naming the first few points that break a rule across parameters."""
    where = where or (show_path(experiment.source) if experiment.source else "experiment")
    problems: list[str] = []
    bad = 0
    for scenario, overrides in experiment.scenario_overrides().items():
        for index, point in enumerate(points):
            try:
                Parameters.build({**overrides, **point})
            except ParameterError as error:
                bad += 1
                if len(problems) < _SHOWN_PROBLEMS:
                    values = ", ".join(f"{k} = {toml_value(v)}" for k, v in point.items())
                    problems.append(
                        f"{where}: [sensitivity.parameters] sample point {index} ({values}) "
                        f"breaks a rule for scenario {scenario!r}: {error}; allowed: ranges "
                        "whose every combination is valid"
                    )
    if problems:
        if bad > len(problems):
            problems.append(f"{where}: ... and {bad - len(problems)} more invalid points")
        raise ScenarioError(problems)


def plan_sensitivity(experiment: Experiment) -> SensitivityPlan:
    """Design, decoded points and run specs of a sensitivity experiment (module docstring).

    Raises ScenarioError if the experiment has no ``[sensitivity]`` table or a drawn point
    is not a valid parameter set for one of the scenarios.
    """
    from gemsim.sensitivity import sample_design

    settings = experiment.sensitivity_settings
    if settings is None:
        raise ScenarioError("the experiment has no [sensitivity] table")
    screen = None
    if settings.screen_pending:
        from gemsim.study.screening import apply_screen

        settings, screen = apply_screen(settings)
    problem = settings.problem()
    X = sample_design(
        problem,
        settings.method,
        settings.n,
        experiment.seed,
        calc_second_order=settings.calc_second_order,
        **settings.options,
    )
    points, clipped = decode_sample(settings, X)
    model_points = [
        {k: v for k, v in point.items() if k != settings.noise_dummy_name} for point in points
    ]
    check_points(experiment, model_points)
    sample = pd.DataFrame(points, columns=problem.names)
    sample.index.name = "point"
    specs = point_specs(experiment, settings, points)
    return SensitivityPlan(
        settings=settings, X=X, sample=sample, specs=specs, clipped=clipped, screen=screen
    )


def point_specs(
    experiment: Experiment,
    settings: SensitivitySettings,
    points: Sequence[Mapping[str, Any]],
    scenarios: Sequence[str] | None = None,
) -> list[RunSpec]:
    """Scenarios x points x replications for decoded ``points`` (with the noise dummy, if
    any); with a noise dummy each point's seeds are those of its stream (the same for
    every scenario), else the common seeds everywhere. ``scenarios``: a subset, by name."""
    R = settings.replications
    overrides = experiment.scenario_overrides()
    if scenarios is not None:
        overrides = {name: overrides[name] for name in scenarios}
    dummy = settings.noise_dummy_name
    model_points = [{k: v for k, v in point.items() if k != dummy} for point in points]
    if dummy is None:
        return build_specs(
            overrides,
            seeds=replication_seeds(experiment.seed, R),
            months=experiment.horizon,
            points=model_points,
        )
    from gemsim.sensitivity.stochastic import stream_seeds

    seeds = [stream_seeds(experiment.seed, R, int(point[dummy])) for point in points]
    return build_specs(
        overrides, seeds=(), months=experiment.horizon, points=model_points, point_seeds=seeds
    )


def stored_points(sample: pd.DataFrame) -> list[dict[str, Any]]:
    """The points of a stored ``sample.parquet`` (index ``point``) as decoded: integer
    parameters (and the noise dummy's stream number) back to ``int``."""
    points = []
    for _, row in sample.iterrows():
        points.append(
            {
                name: int(value)
                if name not in Parameters.model_fields or is_integer_parameter(name)
                else value
                for name, value in row.items()
            }
        )
    return points


def write_design(out_dir: Path | str, plan: SensitivityPlan) -> dict[str, Path]:
    """Write ``sample.parquet``, ``design.parquet`` and (with a screen) ``screen.csv``
    (atomically) into ``out_dir``."""
    folder = Path(out_dir)
    design = pd.DataFrame(plan.X, columns=plan.settings.problem().names)
    design.index.name = "point"
    paths = {
        "sample": write_parquet(plan.sample.reset_index(), folder / SAMPLE_FILE),
        "design": write_parquet(design.reset_index(), folder / DESIGN_FILE),
    }
    if plan.screen is not None:
        from gemsim.atomic import write_text
        from gemsim.study.screening import SCREEN_FILE

        paths["screen"] = write_text(folder / SCREEN_FILE, plan.screen.to_csv(index=False))
    return paths


def read_design(out_dir: Path | str) -> tuple[np.ndarray, pd.DataFrame]:
    """SALib's raw sample matrix and the decoded sample (index ``point``) of a results folder."""
    folder = Path(out_dir)
    design = pd.read_parquet(folder / DESIGN_FILE).set_index("point").sort_index()
    sample = pd.read_parquet(folder / SAMPLE_FILE).set_index("point").sort_index()
    return design.to_numpy(dtype=float), sample


def screening_range(name: str, centre: float) -> tuple[float, float]:
    """The screening range used by ``experiments/morris.toml``: the parameter's plausible
    range where one is stated (``gemsim params``); otherwise half to twice ``centre`` (the
    base scenario's value), clipped to the parameter's allowed range, for integer
    parameters ``floor(centre / 2)`` to ``ceil(2 centre)``."""
    if (plausible := plausible_range(name)) is not None:
        return plausible
    low, high = _allowed_bounds(name)
    if is_integer_parameter(name):
        return max(low, math.floor(centre / 2)), min(high, math.ceil(2 * centre))
    return max(low, centre / 2), min(high, 2 * centre)
