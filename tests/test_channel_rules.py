"""Rules that every funding channel shares: concurrent funding, own contribution, start-up
money, and who feels procedural fairness. Each is checked the same way in every regime."""

import numpy as np
import pytest
from model_config import ALL_STREAMS, REGIMES, SMALL

from gemsim import CommunityModel
from gemsim.model.citizens import OCCASIONAL
from gemsim.model.collectives import matchable_grant


def new_grants_to_running(regime: str, share: float, seed: int = 2) -> tuple[int, int]:
    """Over a run: (grants decided, of which to a collective whose earlier grant still ran)."""
    model = CommunityModel(
        rng=seed,
        **{**SMALL, "months": 48, "regime": regime, **ALL_STREAMS},
        concurrent_funding_share=share,
    )
    table = model.collectives
    granted = stacked = 0
    while model.running:
        month = model.steps  # the month the next step simulates
        before = table.grant_until.copy()
        model.step()
        new = np.flatnonzero(table.view("grant_until") != before[: table.size])
        granted += new.size
        stacked += int((before[new] > month).sum())
    return granted, stacked


@pytest.mark.parametrize("regime", REGIMES)
def test_no_grant_is_stacked_on_a_running_one_when_concurrent_funding_is_barred(regime):
    granted, stacked = new_grants_to_running(regime, share=0.0)
    assert granted > 0
    assert stacked == 0


@pytest.mark.parametrize("regime", ["subsidy_channel", "direct_fund"])
def test_allowing_concurrent_funding_lets_collectives_stack_grants(regime):
    granted, stacked = new_grants_to_running(regime, share=1.0)
    assert stacked > 0
    assert stacked < granted


def test_matchable_grant_needs_no_money_without_an_own_contribution():
    money = np.array([0.0, 300.0])
    assert np.all(np.isinf(matchable_grant(money, np.array([0.0, 0.0]))))
    np.testing.assert_allclose(matchable_grant(money, np.array([0.3, 0.3])), [0.0, 1000.0])


@pytest.mark.parametrize("own_share", [0.0, 0.3])
def test_collectives_founded_during_the_run_can_win_municipal_grants(own_share):
    """New collectives start with their founders' money, so the own contribution is within
    reach; with no own contribution asked, holding no money is no obstacle either."""
    won = 0
    for seed in range(3):
        model = CommunityModel(
            rng=seed,
            **{**SMALL, "months": 72, "regime": "subsidy_channel", **ALL_STREAMS},
            municipal_own_contribution_share=own_share,
            founding_innovation_rate=0.5,
        )
        start = model.collectives.size
        model.run()
        table = model.collectives
        new = np.arange(start, table.size)
        won += int((table.grants_eur[new] > 0).sum())
    assert won > 0


def test_founders_bring_start_up_money():
    model = CommunityModel(rng=4, **{**SMALL, "months": 48}, founding_innovation_rate=0.5)
    model.run()
    assert model.ledger.balance.get("source:founders", 0) < 0  # money came from founders
    none = CommunityModel(
        rng=4,
        **{**SMALL, "months": 48},
        founding_innovation_rate=0.5,
        founding_contribution_months=0,
    )
    none.run()
    assert none.ledger.balance.get("source:founders", 0) == 0


def test_procedural_fairness_reaches_only_participants_and_their_contacts():
    """Co-decision where social-infrastructure money is spent: residents who neither
    volunteer nor know anyone who took part feel nothing."""
    from gemsim.model.perception import citizen_inputs

    model = CommunityModel(
        rng=3, **{**SMALL, "regime": "subsidy_channel", **ALL_STREAMS}, co_decision_turnout=1.0
    )
    n_b = model.region.n_neighbourhoods
    fairness = np.ones(n_b)
    with_fairness = citizen_inputs(model, np.zeros_like(model.stock), fairness).seen_and_fair
    without = citizen_inputs(model, np.zeros_like(model.stock), np.zeros(n_b)).seen_and_fair
    gain = with_fairness - without
    c = model.citizens
    participants = c.state >= OCCASIONAL
    contact_took_part = model.region.network.neighbour_mean(participants.astype(float)) > 0
    assert np.all(gain[participants] > 0)
    assert np.all(gain[~participants & ~contact_took_part] == 0)
    assert gain[participants].mean() > gain[~participants].mean()


@pytest.mark.parametrize("eur_per_inhabitant, runs_empty", [(0.01, True), (100.0, False)])
def test_out_of_budget_counts_approved_applications_an_empty_pot_refuses(
    eur_per_inhabitant, runs_empty
):
    """The diagnostic counter counts approvals refused for want of money: some when the pot is
    tiny, none when it is far larger than what is asked (no extra money: the own pot is all)."""
    model = CommunityModel(
        rng=3,
        **{**SMALL, "months": 36, "regime": "status_quo", **ALL_STREAMS},
        municipal_subsidy_eur_per_inhabitant=eur_per_inhabitant,
    )
    model.run_model()
    assert model.counts["municipal_decisions"] > 0
    assert (model.counts["municipal_out_of_budget"] > 0) == runs_empty
    assert model.counts["municipal_out_of_budget"] <= model.counts["municipal_decisions"]
