"""The vectorised citizen rules against the per-citizen reference loop (the oracle)."""

import copy

import numpy as np
import pytest
from model_config import ALL_STREAMS, SMALL

from gemsim import CommunityModel
from gemsim.model.citizens import CitizenDraws, monthly_update
from gemsim.model.perception import citizen_inputs
from gemsim.model.reference_loop import STATE_COLUMNS, LoopPopulation


@pytest.mark.parametrize("regime", ["subsidy_channel", "hybrid"])
def test_vectorised_rules_match_the_per_citizen_loop_given_the_same_draws(regime):
    model = CommunityModel(rng=5, **{**SMALL, "regime": regime, **ALL_STREAMS})
    zeros = np.zeros_like(model.stock)
    for _ in range(14):  # into the second year: grants, reporting, fund decisions
        model.step()
    inputs = citizen_inputs(model, zeros, np.zeros(model.region.n_neighbourhoods))
    while not (np.any(inputs.own_local != 0) or np.any(inputs.controlling != 0)):
        assert model.steps < 36, "no decision or reporting in three years"
        model.step()  # until a month with a decision or reporting
        inputs = citizen_inputs(model, zeros, np.zeros(model.region.n_neighbourhoods))
    draws = CitizenDraws.draw(np.random.default_rng(99), model.citizens.size)
    draws.life_event[:25] = 0.0  # make sure some thresholds are redrawn
    draws.acts[:] = np.where(np.arange(draws.acts.size) % 2 == 0, 0.0, draws.acts)

    vectorised = copy.deepcopy(model.citizens)
    loop = LoopPopulation(copy.deepcopy(model.citizens), model.region.network, model.params)
    for _ in range(3):
        monthly_update(vectorised, inputs, draws, model.region.network, model.params)
        loop.month(inputs, draws)

    expected = loop.state()
    assert not np.array_equal(expected["state"], model.citizens.state)  # something happened
    for name in STATE_COLUMNS:
        actual = getattr(vectorised, name)
        if name == "state":
            np.testing.assert_array_equal(actual, expected[name])
        else:
            np.testing.assert_allclose(actual, expected[name], rtol=1e-12, atol=1e-12)
