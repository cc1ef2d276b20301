"""Unit tests of the citizens' rules: each rule alone, on small arrays."""

import numpy as np
import pytest
from scipy.special import ndtr

from gemsim.model import citizens as rules
from gemsim.model.citizens import ACTIVE, INACTIVE, INITIATOR, OCCASIONAL
from gemsim.model.model import CommunityModel


def test_latent_intercept_gives_the_target_share():
    rng = np.random.default_rng(0)
    ses = rng.standard_normal(200_000)
    draws = rules.latent_draw(0.66, 0.65, ses, rng)
    assert (draws >= 0).mean() == pytest.approx(0.66, abs=0.005)


def test_latent_draw_has_the_ses_gradient():
    rng = np.random.default_rng(1)
    ses = rng.standard_normal(100_000)
    positive = rules.latent_draw(0.5, 0.8, ses, rng) >= 0
    assert positive[ses > 1].mean() > positive[ses < -1].mean() + 0.3


def test_willingness_adds_pressure_motivation_and_efficacy():
    will = rules.willingness(np.array([0.5]), np.array([1.0]), np.array([2.0]), 0.1, 0.2)
    assert will == pytest.approx([0.5 + 0.1 + 0.4])


def test_calibrated_threshold_mean_reproduces_the_share():
    will = np.linspace(0, 1, 1001)
    mean = rules.calibrate_threshold_mean(will, 0.3, 0.49)
    assert ndtr((will - mean) / 0.3).mean() == pytest.approx(0.49, abs=1e-8)


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0.5 / 50), (1.0, 1 - 0.5 / 50)])
def test_a_share_of_none_or_all_is_matched_within_half_a_citizen(share, expected):
    will = np.linspace(-1, 1, 50)
    mean = rules.calibrate_threshold_mean(will, 0.3, share)
    assert np.isfinite(mean)
    assert ndtr((will - mean) / 0.3).mean() == pytest.approx(expected, abs=1e-8)


def test_threshold_mean_is_found_outside_the_first_bracket():
    will = np.linspace(0, 1, 1001) + 35.0
    mean = rules.calibrate_threshold_mean(will, 0.3, 0.49)
    assert ndtr((will - mean) / 0.3).mean() == pytest.approx(0.49, abs=1e-8)


def test_a_tiny_region_where_everyone_participates_sets_up():
    # All 50 agents of this region are drawn participating; the thresholds' mean used to
    # land on the search's end and the active margin's search then had no root.
    model = CommunityModel(
        rng=223,
        n_municipalities=1,
        neighbourhoods_per_municipality=3,
        inhabitants_per_agent=50,
        months=12,
        spin_up_months=12,
        initial_participation_share=0.99,
    )
    assert model.citizens.participating_initial.all()
    assert np.isfinite(model.citizens.threshold_mean)
    assert 0.0 <= model.citizens.active_margin < 20.0


def test_truncated_normal_respects_its_bounds():
    rng = np.random.default_rng(2)
    low = np.array([-np.inf, 0.2, 0.5] * 1000)
    high = np.array([0.0, 0.4, np.inf] * 1000)
    draws = rules.truncated_normal(0.3, 0.2, low, high, rng)
    assert np.all(draws >= low - 1e-9) and np.all(draws <= high + 1e-9)


def test_participation_target_follows_threshold_and_margin():
    will = np.array([0.1, 0.35, 0.9])
    target = rules.participation_target(will, np.full(3, 0.3), active_margin=0.2)
    assert target.tolist() == [INACTIVE, OCCASIONAL, ACTIVE]


def test_only_citizens_who_act_change_state():
    state = np.array([INACTIVE, INACTIVE, ACTIVE], dtype=np.int8)
    target = np.array([ACTIVE, ACTIVE, INACTIVE], dtype=np.int8)
    acts = np.array([True, False, True])
    assert rules.update_participation(state, target, acts).tolist() == [ACTIVE, INACTIVE, INACTIVE]


def test_initiator_keeps_leading_while_active_willing_and_steps_down_otherwise():
    state = np.array([INITIATOR, INITIATOR], dtype=np.int8)
    target = np.array([ACTIVE, OCCASIONAL], dtype=np.int8)
    new = rules.update_participation(state, target, np.array([True, True]))
    assert new.tolist() == [INITIATOR, OCCASIONAL]


def test_life_events_redraw_only_the_chosen_thresholds():
    threshold = np.array([0.1, 0.2, 0.3])
    new = rules.redraw_thresholds(
        threshold, 0.5, 0.1, np.array([False, True, False]), np.array([9.0, 1.0, 9.0])
    )
    assert new.tolist() == pytest.approx([0.1, 0.6, 0.3])


def test_trust_falls_faster_after_a_rejection_than_it_rises_after_an_approval():
    trust = np.array([0.5])
    up = rules.asymmetric_trust_update(trust, np.array([1.0]), np.array([0.0]), 0.05, 3.0)
    down = rules.asymmetric_trust_update(trust, np.array([0.0]), np.array([1.0]), 0.05, 3.0)
    assert down[0] - 0.5 == pytest.approx(-3 * (up[0] - 0.5))


def test_trust_stays_in_unit_interval_for_extreme_experiences():
    trust = np.array([0.0, 0.5, 1.0])
    huge = np.full(3, 1e6)
    assert np.all(rules.asymmetric_trust_update(trust, huge, huge, 1.0, 10.0) >= 0)
    assert np.all(rules.asymmetric_trust_update(trust, huge, 0 * huge, 1.0, 10.0) <= 1)


def test_fading_moves_toward_baseline():
    assert rules.fade_toward(np.array([1.0]), np.array([0.0]), 0.25) == pytest.approx([0.75])


def test_social_trust_rises_for_citizens_who_start_participating():
    baseline = np.full(2, 0.5)
    value = baseline.copy()
    for _ in range(500):
        value = rules.update_social_trust(value, baseline, np.array([1.0, 0.0]), 0.1, 0.05)
    assert value == pytest.approx([0.6, 0.5], abs=1e-6)


def test_motivation_settles_at_the_crowding_shifts():
    baseline = np.zeros(3)
    motivation = baseline.copy()
    controlling = np.array([1.0, 0.0, 0.0])
    trusted = np.array([0.0, 1.0, 0.0])
    for _ in range(400):
        motivation = rules.update_motivation(
            motivation, baseline, controlling, trusted, 0.3, 0.33, 0.1
        )
    assert motivation == pytest.approx([-0.3, 0.33, 0.0], abs=1e-6)


def test_efficacy_memory_is_bounded_and_moves_toward_the_signal():
    memory = np.zeros(2)
    for _ in range(200):
        memory = rules.update_efficacy(memory, np.array([5.0, -0.5]), 12)
    assert memory == pytest.approx([1.0, -0.5], abs=1e-4)


def test_volunteer_hours_by_state_capped_by_free_time():
    state = np.array([INACTIVE, OCCASIONAL, ACTIVE, INITIATOR, ACTIVE], dtype=np.int8)
    free = np.array([50, 50, 50, 50, 5.0])
    hours = rules.volunteer_hours(state, free, 17.0, 2.0)
    assert hours.tolist() == pytest.approx([0, 2, 17, 25.5, 5])


def test_wellbeing_is_bounded_to_zero_ten(small_params):
    value = rules.current_wellbeing(
        np.array([9.9, 0.1]),
        np.array([1.0, -1.0]),
        np.array([5.0, -5.0]),
        np.array([1.0, 0.0]),
        np.array([0.5, -0.5]),
        small_params,
    )
    assert value.tolist() == [10.0, 0.0]


def test_wellbeing_rises_with_participation_by_the_meier_stutzer_effect(small_params):
    zero = np.zeros(1)
    value = rules.current_wellbeing(np.array([7.0]), np.ones(1), zero, zero, zero, small_params)
    assert value == pytest.approx([7.0 + small_params.wellbeing_volunteering_effect])


def test_weighted_share_uses_population_weights():
    assert rules.weighted_share(np.array([True, False]), np.array([3.0, 1.0])) == 0.75


@pytest.fixture
def small_params():
    from gemsim.model.parameters import Parameters

    return Parameters()


def test_balanced_expectation_makes_todays_decisions_neutral_for_trust():
    p, asymmetry = 0.7, 3.0
    e = rules.balanced_expectation(p, asymmetry)
    expected_rise = p * (1 - e)
    expected_fall = (1 - p) * e * asymmetry
    assert expected_rise == pytest.approx(expected_fall)
    assert rules.balanced_expectation(p, 1.0) == pytest.approx(p)  # symmetric: expect the rate


@pytest.mark.parametrize(("mean", "share"), [(7.5, 0.84), (7.0, 0.84), (7.5, 0.5), (6.0, 0.9)])
def test_initial_wellbeing_spread_is_finite_for_every_allowed_pair(mean, share):
    from gemsim.model.parameters import Parameters

    params = Parameters(initial_wellbeing_mean=mean, initial_satisfied_share=share)
    rng = np.random.default_rng(3)
    values = rules.initial_wellbeing(params, rng.standard_normal(100_000), rng)
    assert np.isfinite(values).all()
    assert 0.2 < values.std() < 1.5
    if (mean - 7) * (share - 0.5) > 0:  # a consistent pair sets the share satisfied
        assert (values >= 7).mean() == pytest.approx(share, abs=0.01)
