"""How much of a sensitivity result is the random path: replication variance and metamodel.

A stochastic model's output at a sample point mixes the parameters' effect with the random
path's. These tables keep them apart (Marrel et al. 2012; Le Gratiet et al. 2017):

``noise.csv``       per analysed output: the variance of single runs, the variance between
                    a point's replications (random path), the variance of the point means
                    (what the indices split) and the random path's share of it, beside the
                    noise dummy's index and the leading parameter's;
``metamodel.csv``   per output named in ``[sensitivity] metamodel_outputs``: a Gaussian
                    process fitted to the point means, its out-of-sample error (``q2``,
                    ``rmse`` by cross-validation whose folds keep each design block, a
                    Saltelli base row or a Morris trajectory, whole) and fitted noise share;
``metamodel_indices.csv``  the Sobol' indices of that metamodel's smooth part, i.e. of the
                    parameter effect without the random path;
``metamodel_convergence.csv``  whether those indices still move: the leading ones of the
                    metamodels fitted on each half of the sample (disjoint) and on all
                    of it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gemsim.analysis.sensitivity_data import (
    SensitivityData,
    rank_column,
    ranked,
    replication_values,
    sample_blocks,
)

__all__ = [
    "METAMODEL_CONVERGENCE_FILE",
    "METAMODEL_FILE",
    "METAMODEL_INDICES_FILE",
    "NOISE_FILE",
    "metamodel_convergence_table",
    "metamodel_tables",
    "noise_table",
    "run_outputs",
]

NOISE_FILE = "noise.csv"
METAMODEL_FILE = "metamodel.csv"
METAMODEL_INDICES_FILE = "metamodel_indices.csv"
METAMODEL_CONVERGENCE_FILE = "metamodel_convergence.csv"
#: Base samples of the Sobol' design evaluated on a metamodel (predictions only: about
#: 10 s per metamodel of 800 runs, 20 s of 1,600). At 4,096 the leading total indices'
#: bootstrap intervals reached +-0.06, more than the convergence tolerance; at 16,384
#: they are +-0.03 at most on the shipped analysis's metamodels that the report shows.
METAMODEL_SOBOL_N = 16384


def run_outputs(data: SensitivityData) -> pd.DataFrame:
    """One row per point and replication: the analysed outputs of single runs (base
    outputs of the base scenario, contrasts as paired differences with the same seed)."""
    columns = {name: values.stack() for name, values in replication_values(data).items()}
    return pd.DataFrame(columns).rename_axis(["point", "replication"]).reset_index()


def noise_table(data: SensitivityData, indices: pd.DataFrame) -> pd.DataFrame:
    """Per analysed output: :func:`gemsim.sensitivity.replication_variance`, the noise
    dummy's index (NaN without a dummy), the leading parameter, its index and the ratio."""
    from gemsim.sensitivity import replication_variance

    table = replication_variance(run_outputs(data).drop(columns="replication"))
    index = rank_column(indices)
    dummy = data.settings.noise_dummy_name
    extra = []
    for output in table["output"]:
        rows = ranked(indices, output)
        noise = rows.loc[rows["parameter"] == dummy, index]
        real = rows[rows["parameter"] != dummy]
        dummy_value = float(noise.iloc[0]) if len(noise) else math.nan
        top_value = float(real[index].iloc[0]) if len(real) else math.nan
        extra.append(
            {
                f"dummy_{index}": dummy_value,
                "leading_parameter": str(real["parameter"].iloc[0]) if len(real) else "",
                f"leading_{index}": top_value,
                "leading_over_dummy": top_value / dummy_value
                if dummy_value and dummy_value > 0
                else math.nan,
            }
        )
    return pd.concat([table, pd.DataFrame(extra)], axis=1)


def metamodel_tables(
    data: SensitivityData, outputs: pd.DataFrame, *, workers: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Fits and indices of the metamodels asked for (in ``workers`` processes), or None if
    none were."""
    from gemsim.sensitivity.metamodel import metamodel_indices

    if not data.settings.metamodel_outputs:
        return None
    indices, fits = metamodel_indices(
        data.settings.problem(),
        np.asarray(data.X),
        _metamodel_outputs(data, outputs),
        n=METAMODEL_SOBOL_N,
        seed=data.seed,
        max_points=data.settings.metamodel_points,
        workers=workers,
        groups=sample_blocks(data.settings, len(data.X)),
    )
    return fits, indices


def _metamodel_outputs(data: SensitivityData, outputs: pd.DataFrame) -> pd.DataFrame:
    """The point means of the outputs named in ``metamodel_outputs``, one row per point."""
    return outputs.reset_index(drop=True)[list(data.settings.metamodel_outputs)]


def metamodel_convergence_table(
    data: SensitivityData,
    outputs: pd.DataFrame,
    indices: pd.DataFrame,
    *,
    tolerance: float,
    fits: pd.DataFrame | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """The metamodels' leading total indices fitted on each half of the sample against
    all of it (:func:`gemsim.sensitivity.metamodel.metamodel_convergence`), judged at
    ``tolerance``; ``fits``: the full fits' table, for the points they took."""
    from gemsim.sensitivity.metamodel import metamodel_convergence

    return metamodel_convergence(
        data.settings.problem(),
        np.asarray(data.X),
        _metamodel_outputs(data, outputs),
        indices,
        fits=fits,
        n=METAMODEL_SOBOL_N,
        seed=data.seed,
        max_points=data.settings.metamodel_points,
        tolerance=tolerance,
        workers=workers,
        groups=sample_blocks(data.settings, len(data.X)),
    )
