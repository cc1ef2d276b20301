"""Every parameter at each end of its allowed range, one at a time, in a tiny region with
every stream: the model sets up and runs in every regime, every reported value is finite,
every share stays in [0, 1] and every gap between two shares in [-1, 1] (the ledger is
checked every month inside ``step()``). Slow: about 35 s for all of them (``python -m
pytest -m slow``)."""

from typing import Any

import numpy as np
import pytest
from model_config import ALL_STREAMS, REGIMES

from gemsim import CommunityModel
from gemsim.model.outcomes import OUTCOMES
from gemsim.model.parameters import ParameterError, Parameters, bounds, levels

pytestmark = pytest.mark.slow

TINY = {
    "n_municipalities": 1,
    "neighbourhoods_per_municipality": 3,
    "inhabitants_per_agent": 50,
    "months": 24,
    "spin_up_months": 24,
}
#: The region's size and the horizon are fixed by TINY; the regime is varied below.
#: A national population below the region's is refused (tests/test_model.py).
NOT_VARIED = {*TINY, "regime", "national_population"}
SHARES = [o.name for o in OUTCOMES if o.scale == 100 and not o.equity_gap]
GAPS = [o.name for o in OUTCOMES if o.scale == 100 and o.equity_gap]  # differences of shares


def extremes(name: str) -> list[Any]:
    """Both allowed values of a switch or choice; each bound of a number (ten times the
    default where there is no upper bound)."""
    if (choices := levels(name)) is not None:
        return list(choices)
    low, high = bounds(name)
    field = Parameters.model_fields[name]
    if high is None:
        high = 10 * field.default if field.default else 10
    values = [value for value in (low, high) if value is not None]
    return [int(value) for value in values] if field.annotation is int else values


CASES = [
    (name, value)
    for name in Parameters.model_fields
    if name not in NOT_VARIED
    for value in extremes(name)
]


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_a_parameter_at_a_bound_runs_with_finite_values_and_shares_in_range(name, value):
    for regime in REGIMES:
        try:
            model = CommunityModel(rng=1, **{**TINY, **ALL_STREAMS, "regime": regime, name: value})
        except ParameterError as error:  # inconsistent with another default: said so
            assert name in str(error)
            continue
        frame = model.run()
        numbers = frame.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(numbers).all(), regime
        shares = frame[SHARES].to_numpy()
        assert ((shares >= 0) & (shares <= 1)).all(), regime
        assert (frame[GAPS].abs().to_numpy() <= 1).all(), regime
