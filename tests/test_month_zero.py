"""Shared month-0 states: a run that restores another run's month 0 is the run it would
have been, bit for bit; only parameters nothing before month 0 reads may differ."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from model_config import ALL_STREAMS, REGIMES, SMALL

from gemsim.model import month_zero
from gemsim.model.model import CommunityModel
from gemsim.model.parameters import Parameters
from gemsim.study.scenarios import load_scenario

SCENARIOS = ("status_quo", "subsidy_channel", "hybrid", "groeiplan", "groeiplan_replacing")


@pytest.fixture
def shared() -> Iterator[month_zero.MonthZeroStates]:
    """The process's shared states, emptied before and after the test."""
    month_zero.SHARED.clear()
    month_zero.SHARED.enabled = True
    yield month_zero.SHARED
    month_zero.SHARED.clear()
    month_zero.SHARED.enabled = False


def _runs(seed: int) -> dict[str, Any]:
    return {
        name: CommunityModel(load_scenario(name), rng=seed, **SMALL).run() for name in SCENARIOS
    }


@pytest.mark.parametrize("seed", [5, 6])
def test_every_scenario_restored_from_the_first_equals_its_own_build(
    shared: month_zero.MonthZeroStates, seed: int
) -> None:
    shared.enabled = False
    built = _runs(seed)
    shared.enabled = True
    restored = _runs(seed)
    assert (shared.misses, shared.hits) == (1, len(SCENARIOS) - 1)
    for name in SCENARIOS:
        assert built[name].equals(restored[name]), f"{name}: restored run differs from built"


def test_a_restored_run_has_its_own_parameters_regime_and_agents(
    shared: month_zero.MonthZeroStates,
) -> None:
    first = CommunityModel(rng=3, regime="status_quo", **SMALL)
    second = CommunityModel(rng=3, regime="hybrid", **ALL_STREAMS, **SMALL)
    assert shared.hits == 1
    assert second.params.regime == "hybrid" and second.params.social_infrastructure
    assert type(second.regime).__name__ != type(first.regime).__name__
    assert all(agent.model is second for agent in second.agents)
    assert len(second.agents) == len(first.agents)
    assert not set(map(id, second.agents)) & set(map(id, first.agents))
    assert second.collectives is not first.collectives
    assert second.citizens.state is not first.citizens.state


def test_a_run_that_differs_only_after_month_0_restores_and_equals_its_own_build(
    shared: month_zero.MonthZeroStates,
) -> None:
    """As a sensitivity design's neighbouring points do: the same seed, other values of
    parameters nothing before month 0 reads (founding, the fund, the streams)."""
    after = {
        "founding_imitation_rate": 0.9,
        "dissolution_rate_per_year": 0.07,
        "fund_reporting_hours": 2.0,
        "procedural_fairness_signal": 0.05,
        "social_infrastructure_eur": 2.0e9,
        "handprint_eur_per_volunteer_hour": 30.0,
    }
    assert set(after) <= month_zero.AFTER_MONTH_0
    values = {**SMALL, **ALL_STREAMS, "regime": "hybrid", "months": 24}
    shared.enabled = False
    built = CommunityModel(rng=7, **values, **after).run()
    shared.enabled = True
    default = CommunityModel(rng=7, **values).run()
    restored = CommunityModel(rng=7, **values, **after).run()
    assert shared.hits == 1
    assert built.equals(restored)
    assert not restored.equals(default)  # the values do change the run after month 0


def test_runs_that_differ_before_month_0_do_not_share(
    shared: month_zero.MonthZeroStates,
) -> None:
    CommunityModel(rng=3, **SMALL)
    CommunityModel(rng=4, **SMALL)  # another seed
    CommunityModel(rng=3, **{**SMALL, "trust_asymmetry": 2.5})  # read in the spin-up
    assert shared.hits == 0


def test_only_integer_seeds_share() -> None:
    import numpy as np

    params = Parameters.build()
    assert month_zero.sharing_key(CommunityModel, params, np.random.default_rng(1)) is None
    assert month_zero.sharing_key(CommunityModel, params, None) is None
    assert month_zero.sharing_key(CommunityModel, params, True) is None
    assert month_zero.sharing_key(CommunityModel, params, np.int64(2)) is not None


def test_the_store_keeps_at_most_capacity_states_within_its_byte_budget() -> None:
    def key(params: Parameters, seed: int) -> Any:
        return month_zero.sharing_key(CommunityModel, params, seed)

    states = month_zero.MonthZeroStates(capacity=2)
    for seed in (1, 2, 3):
        model = CommunityModel(rng=seed, months=1, n_municipalities=1)
        states.keep(model, key(model.params, seed))
    assert len(states._states) == 2
    probe = CommunityModel(rng=9, months=1, n_municipalities=1)
    assert not states.restore(probe, key(probe.params, 1))  # dropped
    assert states.restore(probe, key(probe.params, 3))

    size = len(month_zero.dump(probe))
    small = month_zero.MonthZeroStates(capacity=4, max_bytes=int(1.5 * size))
    for seed in (1, 2):
        small.keep(probe, key(probe.params, seed))
    assert len(small._states) == 1  # the byte budget holds one
    tiny = month_zero.MonthZeroStates(max_bytes=size - 1)
    tiny.keep(probe, key(probe.params, 1))
    assert not tiny._states  # larger than the whole budget: not kept


def _parameters_read_before_month_0(monkeypatch: pytest.MonkeyPatch, **values: Any) -> set[str]:
    """Names of the parameters read while a model with ``values`` builds its month 0."""
    fields = set(Parameters.model_fields)
    read: set[str] = set()
    building = [False]
    original_read = Parameters.__getattribute__
    original_build = CommunityModel._build_month_zero

    def tracking(self: Parameters, name: str) -> Any:
        if building[0] and name in fields:
            read.add(name)
        return original_read(self, name)

    def build(model: CommunityModel) -> None:
        building[0] = True
        try:
            original_build(model)
        finally:
            building[0] = False

    monkeypatch.setattr(Parameters, "__getattribute__", tracking)
    monkeypatch.setattr(CommunityModel, "_build_month_zero", build)
    try:
        CommunityModel(rng=1, **values)
    finally:
        monkeypatch.undo()
    return read


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("rule", ["probabilistic", "ranked"])
def test_nothing_before_month_0_reads_the_parameters_runs_may_differ_in(
    shared: month_zero.MonthZeroStates, monkeypatch: pytest.MonkeyPatch, regime: str, rule: str
) -> None:
    shared.enabled = False
    read = _parameters_read_before_month_0(
        monkeypatch,
        regime=regime,
        municipal_approval_rule=rule,
        fund_approval_rule=rule,
        **ALL_STREAMS,
        **{**SMALL, "months": 1},
    )
    assert "spin_up_months" in read  # the tracking sees the build
    assert not read & month_zero.AFTER_MONTH_0


def test_sharing_is_off_outside_a_study_and_on_in_its_run_function() -> None:
    from gemsim.experiments.specs import RunSpec
    from gemsim.study.simulation import simulate

    month_zero.SHARED.clear()
    assert not month_zero.SHARED.enabled
    CommunityModel(rng=3, **SMALL)
    CommunityModel(rng=3, **SMALL)
    assert month_zero.SHARED.hits == month_zero.SHARED.misses == 0  # not shared
    params = {k: v for k, v in SMALL.items() if k != "months"}
    frames = [
        simulate(RunSpec(f"{regime}-p0000-r0000", regime, 0, 3, 12, {**params, "regime": regime}))
        for regime in ("status_quo", "hybrid")
    ]
    assert month_zero.SHARED.hits == 1 and not month_zero.SHARED.enabled
    month_zero.SHARED.clear()
    built = CommunityModel(rng=3, **{**params, "regime": "hybrid", "months": 12}).run()
    assert built.equals(frames[1])


class _OtherMonthZero(CommunityModel):
    """A model class whose month 0 is built by other code."""


def test_another_model_class_never_shares_a_month_0() -> None:
    params = Parameters.build()
    assert month_zero.sharing_key(_OtherMonthZero, params, 1) != month_zero.sharing_key(
        CommunityModel, params, 1
    )


def test_a_study_runs_points_that_start_alike_together_and_gets_the_same_results(
    shared: month_zero.MonthZeroStates, tmp_path, monkeypatch
) -> None:
    """The runner orders a design's points by their month 0 (``start_key``): with room for
    one stored state, a point that differs from the first only after month 0 restores it
    when it runs next; in the design's own order the point between evicts it. The stored
    runs are the same either way."""
    from gemsim.experiments import ResultStore, SerialExecutor, build_specs, run_experiment
    from gemsim.study.simulation import simulate, start_key

    monkeypatch.setattr(shared, "capacity", 1)
    params = {k: v for k, v in SMALL.items() if k != "months"}
    points = [{}, {"trust_asymmetry": 2.5}, {"fund_reporting_hours": 2.0}]
    specs = build_specs(
        {"hybrid": {**params, "regime": "hybrid"}}, seeds=[7], months=12, points=points
    )
    stored = []
    for key in (None, start_key):
        shared.clear()
        store = ResultStore(tmp_path / str(key is None))
        store.prepare()
        run_experiment(specs, simulate, store, SerialExecutor(), progress=False, start_key=key)
        assert shared.hits == (0 if key is None else 1)
        stored.append(store.read_timeseries())
    pd.testing.assert_frame_equal(stored[0], stored[1])
