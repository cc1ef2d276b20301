"""The model as a whole: interface, invariants, determinism, parameters, Mesa compatibility."""

import mesa
import numpy as np
import pandas as pd
import pytest
from model_config import ALL_STREAMS, REGIMES, SMALL

from gemsim import CommunityModel, Parameters
from gemsim.model.agents import Collective, Municipality
from gemsim.model.model import MODEL_REPORTERS, MONEY_REPORTERS
from gemsim.model.parameters import ParameterError

SHARES = (
    "trust_government",
    "trust_national",
    "social_trust",
    "participation",
    "active_share",
    "satisfied_share",
    "neighbourhoods_in_order",
)


def run(regime: str, seed: int = 1, **overrides) -> tuple[CommunityModel, pd.DataFrame]:
    model = CommunityModel(rng=seed, **{**SMALL, "regime": regime, **ALL_STREAMS, **overrides})
    return model, model.run()


@pytest.mark.parametrize("regime", REGIMES)
def test_every_month_conserves_money_and_keeps_state_in_bounds(regime):
    model = CommunityModel(rng=7, **{**SMALL, "regime": regime, **ALL_STREAMS})
    while model.running:
        model.step()  # the ledger is checked inside every step; this re-checks from outside
        model.ledger.check(model.holdings())
        c, table = model.citizens, model.collectives
        for name in ("trust_local", "trust_national", "social_trust"):
            values = getattr(c, name)
            assert np.all((values >= 0) & (values <= 1)), name
        assert np.all((c.wellbeing >= 0) & (c.wellbeing <= 10))
        assert np.all(table.view("money") >= 0)
        assert np.all(table.view("members") >= 0)
        assert np.all(model.municipal_budgets.cents >= 0)
        assert 0 <= model.fund.committed <= model.ledger.balance["held:fund"]
        assert np.all((model.stock >= 0) & (model.stock <= 1))
    frame = model.results()
    for name in SHARES:
        assert frame[name].between(0, 1).all(), name
    assert frame["wellbeing"].between(0, 10).all()


def test_money_in_equals_its_destinations_in_the_reporters():
    _, frame = run("hybrid")
    last = frame.iloc[-1]
    ends = last[["overhead_eur", "applicant_cost_eur", "unspent_eur", "held_eur"]].sum()
    spent = model_spent(last)
    assert last["money_in_eur"] == pytest.approx(ends + spent, abs=0.01)


def model_spent(row: pd.Series) -> float:
    """Money that ended as spending: what is neither held, overhead, applicants' cost nor
    unspent (the ledger's 'spent:' accounts)."""
    return (
        row["money_in_eur"]
        - row[["overhead_eur", "applicant_cost_eur", "unspent_eur", "held_eur"]].sum()
    )


def test_populations_add_up_and_collectives_have_consistent_members():
    model, _ = run("direct_fund")
    c = model.citizens
    assert c.weight.sum() == pytest.approx(model.region.population)
    counts = np.bincount(c.collective[c.collective >= 0], minlength=model.collectives.alive.size)
    assert np.array_equal(counts[: model.collectives.size], model.collectives.view("members"))
    assert np.all(model.collectives.alive[c.collective[c.collective >= 0]])
    assert len(model.agents_by_type[Collective]) == model.collective_count()


def test_reporters_have_the_documented_names_and_one_row_per_month():
    _, frame = run("status_quo", months=6)
    for name in (*MODEL_REPORTERS, *MONEY_REPORTERS):
        assert name in frame.columns
    assert frame["month"].tolist() == list(range(7))


def test_one_seed_gives_bit_identical_results():
    _, first = run("hybrid", seed=11)
    _, second = run("hybrid", seed=11)
    pd.testing.assert_frame_equal(first, second)


def test_different_seeds_give_different_results():
    _, first = run("hybrid", seed=11)
    _, second = run("hybrid", seed=12)
    assert not first.equals(second)


def test_a_generator_can_be_passed_as_rng():
    _, frame = run("status_quo", seed=np.random.default_rng(5), months=3)
    assert len(frame) == 4


def test_scenario_can_be_parameters_or_a_mapping():
    params = Parameters.build({**SMALL, "months": 4, "regime": "direct_fund"})
    a = CommunityModel(params, rng=3).run()
    b = CommunityModel({**SMALL, "months": 4, "regime": "direct_fund"}, rng=3).run()
    pd.testing.assert_frame_equal(a, b)


def test_a_mesa_scenario_gives_parameters_and_seed():
    """Mesa's tools (SolaraViz's Reset) pass a Mesa Scenario; its rng seeds the model."""
    from mesa.experimental.scenarios import Scenario

    via_mesa = CommunityModel(Scenario(rng=5, **{**SMALL, "months": 3, "regime": "direct_fund"}))
    via_keywords = CommunityModel(rng=5, **{**SMALL, "months": 3, "regime": "direct_fund"})
    assert via_mesa.params == via_keywords.params
    pd.testing.assert_frame_equal(via_mesa.run(), via_keywords.run())


def test_overrides_win_over_the_scenario():
    model = CommunityModel({"months": 10}, rng=1, months=3)
    assert model.params.months == 3


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"months": 0}, ("months", "1", "600")),
        ({"trust_asymmetry": 0.5}, ("trust_asymmetry", "1", "10")),
        ({"regime": "magic"}, ("regime", "status_quo", "direct_fund")),
        ({"allocation_rule": "lottery"}, ("allocation_rule", "need_weighted")),
        ({"not_a_parameter": 1}, ("not_a_parameter",)),
        ({"initial_active_share": 0.6}, ("initial_active_share",)),
        ({**SMALL, "national_population": 1000}, ("national_population", "expected population")),
        (
            {
                "n_municipalities": 400,
                "neighbourhoods_per_municipality": 1000,
                "inhabitants_per_agent": 1,
                "national_population": 1e9,
            },
            ("inhabitants_per_agent", "504,400,000 citizen agents", "20,000,000"),
        ),
    ],
)
def test_bad_parameters_raise_a_value_error_naming_parameter_and_range(overrides, names):
    with pytest.raises(ValueError) as error:
        CommunityModel(rng=1, **overrides)
    assert isinstance(error.value, ParameterError)
    for name in names:
        assert name in str(error.value)


def test_a_region_drawn_larger_than_the_nation_is_refused():
    # The expected population (3 x 1,261) equals the nation's; buurt sizes are drawn, so
    # some seeds' regions are larger (refused), others not (built).
    tiny = {"n_municipalities": 1, "neighbourhoods_per_municipality": 3, "spin_up_months": 0}
    refused = built = 0
    for seed in range(1, 11):
        try:
            model = CommunityModel(rng=seed, **tiny, national_population=3 * 1261)
        except ParameterError as error:
            assert "national_population" in str(error) and "drawn" in str(error)
            refused += 1
        else:
            assert model.region.population <= 3 * 1261
            assert model.population_share <= 1
            built += 1
    assert refused and built


def test_initial_state_reproduces_the_dutch_figures():
    # The drawn state (docs/ODD.md 5.2-5.4); after the spin-up see the next test.
    model = CommunityModel(rng=3, spin_up_months=0)  # about 25,000 citizen agents (k = 20)
    first = model.results().iloc[0]
    assert 20_000 < model.citizens.size < 30_000
    assert first["trust_government"] == pytest.approx(0.506, abs=0.03)  # CBS 2022
    assert first["social_trust"] == pytest.approx(0.66, abs=0.03)  # CBS 2022-23
    assert first["participation"] == pytest.approx(0.49, abs=0.03)  # CBS 2023
    assert first["wellbeing"] == pytest.approx(7.5, abs=0.1)  # CBS
    assert first["satisfied_share"] == pytest.approx(0.84, abs=0.03)  # CBS
    c = model.citizens
    low, high = c.ses <= np.quantile(c.ses, 0.3), c.ses >= np.quantile(c.ses, 0.7)
    participating = c.state >= 1
    assert participating[low].mean() == pytest.approx(0.35, abs=0.05)  # CBS: 35% lowest ed.
    assert participating[high].mean() > 0.6  # CBS: over 60% highest educated
    trusting = c.social_trust >= 0.5
    assert trusting[low].mean() == pytest.approx(0.40, abs=0.05)  # CBS: 40% primary ed.
    assert 0.78 < trusting[high].mean() < 0.92  # CBS: 80-89% higher educated


def test_month_0_after_the_spin_up_keeps_the_drawn_shares():
    drawn = CommunityModel(rng=3, spin_up_months=0).results().iloc[0]
    model = CommunityModel(rng=3)
    first = model.results().iloc[0]
    for name in ("trust_government", "trust_national", "participation", "active_share"):
        assert first[name] == pytest.approx(drawn[name], abs=0.002), name
    assert first["social_trust"] == pytest.approx(drawn["social_trust"], abs=0.01)
    assert first["wellbeing"] == pytest.approx(drawn["wellbeing"], abs=0.01)
    # The SES gradient of participation flattens in the spin-up (ODD 5.5) but keeps its sign.
    c = model.citizens
    low, high = c.ses <= np.quantile(c.ses, 0.3), c.ses >= np.quantile(c.ses, 0.7)
    participating = c.state >= 1
    assert participating[high].mean() > participating[low].mean() + 0.05


def test_initial_collectives_follow_national_counts_scaled_by_population():
    model = CommunityModel(rng=4, spin_up_months=0)  # the drawn collectives (ODD 5.3)
    share = model.population_share
    for kind, expected_national in [("energy_cooperative", 714), ("care_cooperative", 1471)]:
        count = sum(agent.kind == kind for agent in model.agents_by_type[Collective])
        assert count == pytest.approx(
            expected_national * share, abs=4 * (expected_national * share) ** 0.5
        )


def test_mesa_batch_run_is_supported():
    results = mesa.batch_run(
        CommunityModel,
        parameters={**SMALL, "months": 3, "regime": ["status_quo", "direct_fund"]},
        rng=[1, 2],
        max_steps=10,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 2 * 2  # 2 regimes x 2 seeds, collected at the end
    assert {row["Step"] for row in results} == {3}
    assert {row["regime"] for row in results} == {"status_quo", "direct_fund"}
    assert all("trust_government" in row for row in results)


def test_agents_are_mesa_agents_in_agent_sets():
    model = CommunityModel(rng=1, **SMALL)
    assert len(model.agents_by_type[Municipality]) == model.params.n_municipalities
    assert len(model.agents_by_type[Collective]) == model.collective_count()
    citizens = model.citizen_agents()
    assert len(citizens) == model.citizens.size
    first = next(iter(citizens))
    assert 0 <= first.trust_in_local_government <= 1
    assert first.participation in {"inactive", "occasional", "active", "initiator"}


def test_neighbourhood_frame_has_one_row_per_buurt():
    model, _ = run("hybrid", months=3)
    frame = model.neighbourhood_frame()
    assert len(frame) == model.region.n_neighbourhoods
    assert frame["participation"].between(0, 1).all()
    assert set(frame["ses_group"]) == {"low", "middle", "high"}


def test_each_regime_module_registers_the_regime_it_is_named_after():
    """Parameters read the regime names from the module names (no import cycle)."""
    from gemsim.model.parameters import regime_names
    from gemsim.model.regimes import REGIMES

    assert regime_names() == tuple(sorted(REGIMES))
