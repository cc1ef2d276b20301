"""The run function that connects the experiment runner to the model.

``simulate`` is module-level (picklable) so worker processes and Dask workers can run it.
A run depends only on its spec: its parameters, seed and horizon.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from gemsim.experiments.specs import RunSpec
from gemsim.model import month_zero
from gemsim.model.model import CommunityModel


def simulate(spec: RunSpec) -> pd.DataFrame:
    """Run one model run; return its monthly reporters (``month`` 0 .. ``spec.months``).

    Runs of a study share their month 0 where they can (:mod:`gemsim.model.month_zero`);
    the runner orders them so that they do."""
    params = {**spec.params, "months": spec.months}
    with month_zero.SHARED.sharing():
        model = CommunityModel(scenario=params, rng=spec.seed)
    return model.run()


def start_key(spec: RunSpec) -> Hashable:
    """Runs with equal keys build the same month 0: the same seed and the same parameters
    but for those nothing before month 0 reads (:data:`gemsim.model.month_zero.AFTER_MONTH_0`).
    A cheaper, stricter stand-in for the key the month-0 store uses (the spec's parameters
    as given, not validated), for ordering runs only."""
    return spec.seed, month_zero.before_month_0(spec.params)
