"""Symmetry between funding channels (docs/ODD.md, section 9).

The channel parameters at their defaults keep every regime's behaviour as stored
(tests/stored_runs.py, case "regime/..."); each
channel parameter does what it says; and with identical process parameters in both
channels (scenarios/symmetric_subsidy.toml and symmetric_fund.toml) the two channels give
the same outcomes within the Monte Carlo confidence intervals over paired seeds (jointly
95%). This
tests the mechanism, not which regime is better."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from benchmark_scripts import load_benchmark
from model_config import ALL_STREAMS, SMALL

from gemsim import CommunityModel, load_scenario
from gemsim.model.collectives import FUND
from gemsim.model.fund import FUND_ACCOUNT, Fund
from gemsim.model.ledger import Ledger

REPO = Path(__file__).resolve().parents[1]
PAIR = load_benchmark("symmetric_pair")  # the pair's intervals, also for other seeds
HEADLINE = PAIR.HEADLINE
FAST = {"n_municipalities": 2, "neighbourhoods_per_municipality": 12, "months": 60}


# --- The symmetric pair -------------------------------------------------------------------


def paired_differences(
    seeds: range, world: dict[str, float], **fund_overrides: object
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Final-month headline outcomes of symmetric_subsidy and symmetric_fund, one row per
    seed (the same seeds in both: common random numbers)."""
    finals = []
    for name, overrides in (("symmetric_subsidy", {}), ("symmetric_fund", fund_overrides)):
        params = load_scenario(REPO / "scenarios" / f"{name}.toml")
        finals.append(
            pd.DataFrame(
                [
                    CommunityModel(params, rng=seed, **world, **overrides)
                    .run()[list(HEADLINE)]
                    .iloc[-1]
                    for seed in seeds
                ]
            )
        )
    return finals[0], finals[1]


def confidence_intervals(subsidy: pd.DataFrame, fund: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: mean paired difference (fund - subsidy) and its t interval at the
    Bonferroni level that makes the five intervals together a 95% statement: five separate
    95% intervals would call an exact agreement a difference in about 23% of tests."""
    table = PAIR.paired_table(fund - subsidy)
    return table.loc[:, ["difference", "low_joint", "high_joint"]].set_axis(
        ["difference", "low", "high"], axis=1
    )


def agreeing(intervals: pd.DataFrame) -> pd.Series:
    return (intervals["low"] <= 0) & (intervals["high"] >= 0)


def test_the_symmetric_pair_differs_only_in_the_channel_that_carries_the_money():
    subsidy = load_scenario(REPO / "scenarios" / "symmetric_subsidy.toml")
    fund = load_scenario(REPO / "scenarios" / "symmetric_fund.toml")
    differing = {
        name for name in type(subsidy).model_fields if getattr(subsidy, name) != getattr(fund, name)
    }
    assert differing == {"regime"}
    assert (subsidy.regime, fund.regime) == ("subsidy_channel", "direct_fund")
    pairs = {
        "municipal_grant_cap_eur": fund.fund_grant_cap_eur_per_year * fund.fund_grant_years,
        "municipal_grant_months": 12 * fund.fund_grant_years,
        "municipal_own_contribution_share": fund.fund_own_contribution_share,
        "municipal_decision_months_min": fund.fund_decision_months,
        "municipal_decision_months_max": fund.fund_decision_months
        + fund.fund_decision_months_spread,
        "municipal_reporting_hours": fund.fund_reporting_hours * fund.fund_grant_years,
        "municipal_compliance_cost_share": fund.fund_compliance_cost_share,
        "municipal_approval_base": fund.fund_approval_base,
        "municipal_attribution_local": fund.fund_attribution_local,
        "municipal_attribution_national": fund.fund_attribution_national,
    }
    for name, value in pairs.items():
        assert getattr(fund, name) == value, name
    assert fund.fund_approval_rule == "probabilistic"
    assert (fund.fund_payment, fund.fund_carry_over) == ("lump_sum", False)
    assert (fund.allocation_rule, fund.fund_envelope_period) == ("per_capita", "year")
    assert fund.fund_referral_months == 0
    assert fund.municipal_subsidy_eur_per_inhabitant == 0  # one channel holds the money


def test_both_channels_give_the_same_outcomes_with_the_same_process():
    subsidy, fund = paired_differences(range(20), FAST)
    intervals = confidence_intervals(subsidy, fund)
    assert agreeing(intervals).all(), intervals


def test_the_comparison_detects_a_structural_difference():
    """The check has power: when the fund's decisions are credited to national instead of
    local government (one remaining difference made asymmetric again), trust in local
    government differs beyond its 95% interval."""
    subsidy, fund = paired_differences(
        range(20), FAST, fund_attribution_local=0.0, fund_attribution_national=1.0
    )
    intervals = confidence_intervals(subsidy, fund)
    assert not agreeing(intervals)["trust_government"], intervals


@pytest.mark.slow
def test_both_channels_give_the_same_outcomes_over_ten_years_in_the_default_region():
    subsidy, fund = paired_differences(range(30), {})
    intervals = confidence_intervals(subsidy, fund)
    assert agreeing(intervals).all(), intervals


# --- Each channel parameter -------------------------------------------------------------


def run(months: int = 36, **overrides: object) -> CommunityModel:
    model = CommunityModel(rng=3, **{**SMALL, "months": months, **ALL_STREAMS, **overrides})
    model.run()
    return model


def test_symmetric_fund_leaves_national_trust_and_the_municipal_desk_alone():
    params = load_scenario(REPO / "scenarios" / "symmetric_fund.toml")
    # Without a spin-up: applications left pending by the status-quo spin-up would still be
    # decided by the desk in the first months.
    model = CommunityModel(params, rng=1, **{**SMALL, "spin_up_months": 0})
    frame = model.run()
    assert model.counts["fund_grants"] > 0
    assert model.counts["municipal_decisions"] == 0  # refused: back to the fund
    assert frame["trust_national"].nunique() == 1  # nothing credited nationally
    assert frame["grants_municipal_eur"].iloc[-1] == 0


def test_lump_sum_pays_the_whole_grant_at_the_decision():
    model = run(regime="direct_fund", fund_payment="lump_sum", fund_grant_years=2)
    table = model.collectives
    assert model.counts["fund_grants"] > 0
    assert not table.view("fund_months_left").any()
    assert model.fund.committed == 0
    assert model.counts["granted_cents_fund"] > 0


def test_probabilistic_fund_approval_ignores_the_minimum_quality():
    ranked = run(regime="direct_fund", fund_minimum_quality=1.0)
    lottery = run(
        regime="direct_fund", fund_minimum_quality=1.0, fund_approval_rule="probabilistic"
    )
    assert ranked.counts["fund_grants"] == 0
    assert lottery.counts["fund_grants"] > 0


def test_a_fund_without_carry_over_returns_unpromised_money_each_january():
    more = {"regime": "direct_fund", "extra_funding_eur_per_year": 2e8}  # money left over
    kept = run(30, **more)
    returned = run(30, **more, fund_carry_over=False)
    assert kept.ledger.balance["unspent:fund_returned"] == 0
    assert returned.ledger.balance["unspent:fund_returned"] > 0
    assert returned.ledger.balance[FUND_ACCOUNT] < kept.ledger.balance[FUND_ACCOUNT]


def test_fund_decision_time_spreads_over_the_stated_months():
    model = CommunityModel(
        rng=2, **{**SMALL, **ALL_STREAMS}, regime="direct_fund", fund_decision_months_spread=2
    )
    waits = set()
    table = model.collectives
    for _ in range(24):
        model.step()
        rows = table.living()
        new = rows[
            (table.app_submitted[rows] == model.current_month) & (table.app_channel[rows] == FUND)
        ]
        waits.update((table.app_due[new] - table.app_submitted[new]).tolist())
    assert waits == {1, 2, 3}


def test_referral_months_send_refused_collectives_to_their_municipality():
    referred = run(regime="direct_fund", fund_minimum_quality=0.6)
    not_referred = run(regime="direct_fund", fund_minimum_quality=0.6, fund_referral_months=0)
    assert referred.counts["municipal_decisions"] > not_referred.counts["municipal_decisions"]


def test_year_envelopes_are_spent_by_grants_and_handling_as_a_municipal_pot():
    ledger = Ledger()
    fund = Fund(ledger, layer_overhead_share=0.0)
    fund.add(10_000)
    fund.open_year_envelopes(np.array([0.25, 0.75]))
    np.testing.assert_array_equal(fund.envelopes(np.array([0.5, 0.5])), [2_500, 7_500])
    fund.spend_envelopes(np.array([0]), np.array([2_000]))
    fund.pay_handling(np.array([1_000, 1_000]))  # the first envelope pays only its 500
    np.testing.assert_array_equal(fund.envelopes(np.array([0.5, 0.5])), [0, 6_500])
    assert ledger.balance["overhead:fund_handling"] == 2_000
    assert ledger.balance["source:fund_admin"] == -500


def test_a_ranked_municipal_desk_grants_every_application_above_its_minimum_quality():
    lottery = run(regime="subsidy_channel", municipal_minimum_quality=1.0)
    ranked = run(regime="subsidy_channel", municipal_approval_rule="ranked")
    none_pass = run(
        regime="subsidy_channel", municipal_approval_rule="ranked", municipal_minimum_quality=1.0
    )
    assert lottery.counts["municipal_grants"] > 0  # the minimum applies only when ranked
    assert ranked.counts["municipal_grants"] > 0
    assert none_pass.counts["municipal_decisions"] > 0
    assert none_pass.counts["municipal_grants"] == 0


def test_a_municipality_that_carries_its_pot_over_returns_nothing_in_january():
    returned = run(regime="subsidy_channel")
    kept = run(regime="subsidy_channel", municipal_carry_over=True)
    assert returned.ledger.balance["unspent:municipal_returned"] > 0
    assert kept.ledger.balance["unspent:municipal_returned"] == 0
    assert kept.municipal_budgets.total() > returned.municipal_budgets.total()
