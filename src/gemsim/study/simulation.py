"""The run function that connects the experiment runner to the model.

``simulate`` is module-level (picklable) so worker processes and Dask workers can run it.
A run depends only on its spec: its parameters, seed and horizon.
"""

from __future__ import annotations

import pandas as pd

from gemsim.experiments.specs import RunSpec
from gemsim.model.model import CommunityModel


def simulate(spec: RunSpec) -> pd.DataFrame:
    """Run one model run; return its monthly reporters (``month`` 0 .. ``spec.months``)."""
    params = {**spec.params, "months": spec.months}
    return CommunityModel(scenario=params, rng=spec.seed).run()
