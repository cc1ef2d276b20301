"""The spin-up before month 0 (docs/ODD.md 5.5) and expectations that follow experience
(7.12): the controller, the reset, money across the reset, and no spin-up = as before."""

from pathlib import Path

import numpy as np
import pytest

from gemsim import load_scenario
from gemsim.model.arrays import descending, weighted_cut, weighted_cuts
from gemsim.model.citizens import ACTIVE, balanced_expectation, weighted_share
from gemsim.model.collectives import NO_CHANNEL
from gemsim.model.model import CommunityModel
from gemsim.model.parameters import ParameterError
from gemsim.model.perception import ApprovalMemory
from gemsim.model.spin_up import (
    Targets,
    balance_factor,
    calibrate,
    logit_shift,
    shifted,
)

DATA = Path(__file__).parent / "data"
SMALL = {"n_municipalities": 2, "neighbourhoods_per_municipality": 10}


def test_spin_up_must_be_whole_years_and_memory_zero_or_a_month():
    with pytest.raises(ParameterError, match="spin_up_months"):
        CommunityModel(spin_up_months=18)
    with pytest.raises(ParameterError, match="expectation_memory_months"):
        CommunityModel(expectation_memory_months=0.5)


def test_weighted_cut_splits_off_the_share():
    values = np.array([0.1, 0.9, 0.5, 0.3])
    weight = np.array([1.0, 1.0, 2.0, 1.0])
    cut = weighted_cut(values, weight, 0.6)
    assert cut == 0.5
    assert weight[values >= cut].sum() / weight.sum() == pytest.approx(0.6)


def full_sort_cut(values: np.ndarray, weight: np.ndarray, share: float) -> float:
    """The cut from the whole stable order (what weighted_cuts must equal, bit for bit)."""
    order = np.argsort(-values, kind="stable")
    cumulative = np.cumsum(weight[order]) / weight.sum()
    return float(
        values[order[min(int(np.searchsorted(cumulative, share - 1e-12)), values.size - 1)]]
    )


@pytest.mark.parametrize("seed", range(6))
def test_weighted_cuts_from_the_largest_values_equal_the_full_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3_000))
    values = rng.normal(size=n) if seed % 2 else rng.integers(0, 15, size=n).astype(float)
    weight = rng.uniform(0.5, 2.0, size=n) if seed % 3 else np.full(n, 20.0)
    shares = (0.0, 0.03, 0.3, float(rng.uniform()), 0.999, 1.0)
    cuts = weighted_cuts(values, weight, shares)
    assert cuts == [full_sort_cut(values, weight, share) for share in shares]


def test_logit_shift_sets_the_share_trusting():
    rng = np.random.default_rng(1)
    trust = rng.uniform(0, 1, 1000)
    weight = rng.uniform(1, 2, 1000)
    moved = shifted(trust, logit_shift(trust, weight, 0.3))
    assert weighted_share(moved >= 0.5, weight) == pytest.approx(0.3, abs=2e-3)
    assert np.all(np.diff(moved[np.argsort(trust)]) >= 0)  # order kept


def test_controller_points_willingness_to_the_target_shares():
    model = CommunityModel(rng=2, spin_up_months=0, **SMALL)
    targets = Targets(participation=0.4, active=0.2, trust_local=0.5, trust_national=0.3)
    mean_before = model.citizens.threshold_mean
    shift = calibrate(model, targets)
    c = model.citizens
    from gemsim.model.spin_up import willingness_gap

    gap = willingness_gap(model)  # thresholds already shifted
    assert weighted_share(gap >= 0, c.weight) == pytest.approx(0.4, abs=0.01)
    assert weighted_share(gap >= c.active_margin, c.weight) == pytest.approx(0.2, abs=0.01)
    assert c.threshold_mean == pytest.approx(mean_before + shift)
    assert c.active_margin >= 0


@pytest.fixture(scope="module")
def spun() -> CommunityModel:
    return CommunityModel(rng=4, spin_up_months=24, months=24, **SMALL)


def test_month_0_has_the_drawn_shares_and_counts_from_zero(spun):
    spin = spun.spin_up
    assert spin is not None and spin.months == 24
    c = spun.citizens
    assert weighted_share(c.participating, c.weight) == pytest.approx(
        spin.targets.participation, abs=0.005
    )
    assert weighted_share(c.state >= ACTIVE, c.weight) == pytest.approx(
        spin.targets.active, abs=0.005
    )
    assert weighted_share(c.trust_local >= 0.5, c.weight) == pytest.approx(
        spin.targets.trust_local, abs=0.005
    )
    for values in (c.trust_local, c.trust_national, c.social_trust):
        assert np.all((values >= 0) & (values <= 1))
    assert spun.steps == 0 and spun.current_month == 0
    assert not spun.counts and spin.counts["municipal_decisions"] > 0
    first = spun.results().iloc[0]
    assert first["month"] == 0 and first["funds_disbursed_eur"] == 0.0


def test_money_is_conserved_across_the_reset(spun):
    spin = spun.spin_up
    spin.ledger.check()  # the spin-up's period closes balanced, pots returned
    assert spin.ledger.total("held:municipal") == 0
    ledger = spun.ledger
    ledger.check(spun.holdings())
    assert (
        ledger.money_in()
        == ledger.balance["held:collectives"]
        == spin.ledger.balance["held:collectives"]
    )
    assert ledger.flows[("source:initial_holdings", "held:collectives")] == ledger.money_in()
    frame = CommunityModel(rng=4, spin_up_months=24, months=24, **SMALL).run()
    assert np.all(frame["money_in_eur"].diff().dropna() >= 0)
    assert (
        frame[["participation", "active_share", "trust_government"]].stack().between(0, 1)
    ).all()


def test_the_spin_up_is_the_status_quo_for_every_regime():
    states = [
        CommunityModel(rng=5, spin_up_months=12, months=1, regime=regime, **SMALL)
        for regime in ("status_quo", "direct_fund")
    ]
    first, second = (m.citizens for m in states)
    assert np.array_equal(first.state, second.state)
    assert np.array_equal(first.trust_local, second.trust_local)
    assert states[0].perception.expected_approval == states[1].perception.expected_approval
    assert states[1].regime.name == "direct_fund"


def test_applications_pending_at_the_reset_are_withdrawn_in_every_regime():
    """What the status quo's desk had not yet decided at the end of the spin-up is
    withdrawn without a decision, so month 0 starts with no application tied to a channel
    (in the symmetric pair, whose spin-up has no money at all, about a fifth of the
    collectives had one pending)."""
    for scenario in ("symmetric_subsidy", "symmetric_fund", "subsidy_channel", "groeiplan"):
        model = CommunityModel(load_scenario(scenario), rng=1, months=1, **SMALL)
        table = model.collectives
        assert model.spin_up.withdrawn > 0, scenario
        assert np.all(table.app_channel[table.living()] == NO_CHANNEL), scenario
        assert model.spin_up.counts["municipal_decisions"] > 0  # the desk did decide before
    pair = [
        CommunityModel(load_scenario(name), rng=1, months=1, **SMALL).spin_up.withdrawn
        for name in ("symmetric_subsidy", "symmetric_fund")
    ]
    assert pair[0] == pair[1]  # one spin-up for both: the same applications withdrawn


def test_expectation_follows_the_experienced_approval_rate():
    memory = ApprovalMemory()
    assert memory.learn(0, 0, 12) is None  # no decision yet
    for month in range(1, 200):
        rate = memory.learn(10 * month, 5 * month, 12)
    assert rate == pytest.approx(0.5)
    model = CommunityModel(rng=6, spin_up_months=0, months=36, **SMALL)
    model.run()
    decisions = model.counts["municipal_decisions"]
    experienced = model.counts["municipal_grants"] / decisions
    fixed = balanced_expectation(model.params.municipal_approval_base, model.params.trust_asymmetry)
    expected = model.perception.expected_approval
    assert expected != fixed
    assert abs(expected - balanced_expectation(experienced, model.params.trust_asymmetry)) < 0.1


@pytest.mark.slow
def test_the_status_quo_does_not_drift_over_ten_years():
    """Status quo, seeds 1-20, 10 years: the mean of trust in local government,
    participation and active share stays within 1 point of month 0 at every year, and
    mean wellbeing within 0.02 (docs/ODD.md 10.1)."""
    columns = ["trust_government", "participation", "active_share", "wellbeing"]
    status_quo = load_scenario("status_quo")
    frames = [CommunityModel(status_quo, rng=seed).run()[columns] for seed in range(1, 21)]
    mean = sum(frames) / len(frames)
    drift = (mean.iloc[::12] - mean.iloc[0]).abs().max()
    assert drift[["trust_government", "participation", "active_share"]].max() <= 0.01, drift
    assert drift["wellbeing"] <= 0.02, drift


@pytest.mark.parametrize(("yearly", "months"), [(0.02, 120), (0.3, 12), (0.001, 600)])
def test_the_balance_factor_takes_a_constant_building_rate_to_its_balance(yearly, months):
    monthly = (1 - yearly) ** (1 / 12)
    standing = 0.0
    for _ in range(months):
        standing = monthly * standing + 1.0  # depreciation first, then building
    assert standing * balance_factor(yearly, months) == pytest.approx(1 / (1 - monthly))
    assert balance_factor(0.0, months) == 1.0  # nothing depreciates: no balance exists


def test_month_0_stock_is_the_drawn_stock_with_the_community_part_at_its_balance():
    """The drawn stock includes what collectives keep up (ODD 5.5): at month 0 the stock
    is the drawn one wherever the balance does not exceed it, and the community stock is
    the spin-up's times the balance factor."""
    drawn = CommunityModel(rng=6, spin_up_months=0, **SMALL).stock
    plain = CommunityModel(rng=6, **SMALL, infrastructure_depreciation_per_year=0.0)
    spun = CommunityModel(rng=6, **SMALL)
    built = plain.community_stock  # no depreciation: the factor is 1
    assert built.sum() > 0
    below = spun.community_stock <= drawn
    assert np.allclose(spun.stock[below], drawn[below])
    assert np.all(spun.stock >= drawn - 1e-12)
    assert spun.community_stock.sum() > 3 * built.sum()  # about 5.5 times, less depreciation
    gained = spun.community_stock.mean(axis=1)  # no cell at the cap here
    efficacy = spun.perception.decision_memory + spun.params.efficacy_per_stock * gained
    assert np.allclose(spun.perception.efficacy, efficacy)  # month 0 sees the settled stock


def test_the_status_quo_keeps_its_community_stock_level():
    """With the community stock at its balance, the status quo's collectives keep it up:
    over five years its mean changes by far less than the tenfold smaller stock the
    spin-up left would have grown (seed mean, ODD 5.5)."""
    scenario = load_scenario("status_quo")
    level = []
    for seed in (1, 2, 3):
        model = CommunityModel(scenario, rng=seed, months=60, **SMALL)
        start = model.community_stock.mean()
        model.run()
        level.append(model.community_stock.mean() / start)
    assert abs(np.mean(level) - 1) < 0.1, level


def test_the_spin_up_neither_founds_nor_dissolves_collectives():
    """Founding and dissolution pause before month 0 (ODD 5.5): month 0 has the placed
    collectives, whatever their spin-up."""
    placed = CommunityModel(rng=5, **SMALL, spin_up_months=0).collectives
    spun = CommunityModel(rng=5, **SMALL, spin_up_months=24)
    assert spun.spin_up.counts["founded"] == spun.spin_up.counts["dissolved"] == 0
    assert spun.collectives.living().size == placed.living().size


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(1).normal(size=5_000),  # no ties
        np.random.default_rng(2).integers(0, 20, size=5_000).astype(np.float64),  # many ties
        np.array([0.0, -0.0, 1.0, -0.0, 0.0]),  # signed zeros compare equal
        np.array([np.nan, 1.0, np.nan, 2.0]),  # NaNs sort last
        np.array([3.0]),
        np.array([], dtype=np.float64),
    ],
)
def test_descending_is_the_stable_order_of_the_negated_values(values):
    assert np.array_equal(descending(values), np.argsort(-values, kind="stable"))
