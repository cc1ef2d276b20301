"""Unit tests of the ledger, infrastructure, collective, municipal, handprint and world rules."""

import numpy as np
import pytest

from gemsim.model.arrays import sorted_unique
from gemsim.model.collectives import (
    CollectiveTable,
    approval_probability,
    choose_projects,
    rank_within_groups,
    work_off_reporting,
)
from gemsim.model.handprint import CATEGORY_TO_SDG, TYPE_TO_SDG, handprint_by_sdg
from gemsim.model.infrastructure import (
    N_CATEGORIES,
    cost_to_raise,
    deficits,
    depreciate,
    in_order,
    one_cent_of_stock,
    stock_gain,
)
from gemsim.model.ledger import Ledger, LedgerError, to_cents
from gemsim.model.municipality import grouped_fits
from gemsim.model.parameters import Parameters
from gemsim.model.world import build_network, build_region

# --- Ledger -----------------------------------------------------------------------------


def test_ledger_conserves_money_to_the_cent():
    ledger = Ledger()
    ledger.transfer("source:fund", "held:fund", 1_000_001)
    ledger.transfer("held:fund", "overhead:handling", 333)
    ledger.transfer("held:fund", "spent:projects", 500_000)
    ledger.check()
    assert ledger.money_in() == 1_000_001
    assert ledger.total("held") + ledger.total("spent") + ledger.total("overhead") == 1_000_001


def test_ledger_refuses_to_overdraw_a_holding():
    ledger = Ledger()
    ledger.transfer("source:fund", "held:fund", 10)
    with pytest.raises(LedgerError):
        ledger.transfer("held:fund", "spent:projects", 11)


def test_ledger_refuses_negative_transfers():
    with pytest.raises(LedgerError):
        Ledger().transfer("source:fund", "held:fund", -1)


def test_ledger_check_catches_entities_that_disagree_with_their_account():
    ledger = Ledger()
    ledger.transfer("source:x", "held:collectives", 100)
    with pytest.raises(LedgerError):
        ledger.check({"held:collectives": 99})


def test_to_cents_rounds_to_whole_cents():
    assert to_cents(np.array([0.004, 1.239, 2.5])).tolist() == [0, 124, 250]


# --- Infrastructure ----------------------------------------------------------------------


def test_depreciation_compounds_to_the_yearly_rate():
    stock = np.array([1.0])
    for _ in range(12):
        stock = depreciate(stock, 0.1)
    assert stock == pytest.approx([0.9])


def test_deficits_and_in_order():
    stock = np.array([[0.7] * N_CATEGORIES, [0.7] * (N_CATEGORIES - 1) + [0.5]])
    assert in_order(stock, 0.6).tolist() == [True, False]
    assert deficits(stock, 0.6)[1, -1] == pytest.approx(0.1)
    assert deficits(stock, 0.6)[0].sum() == 0


def test_a_shortfall_smaller_than_one_cent_counts_as_in_order():
    population = np.array([40.0, 4000.0])
    cent = one_cent_of_stock(population, 250.0, 0.7)
    assert cent == pytest.approx(0.7 * 0.01 / (250.0 * population))
    stock = np.full((2, N_CATEGORIES), 0.6)
    stock[:, 0] -= 0.5 * cent  # short by half a cent's worth
    assert in_order(stock, 0.6, cent).tolist() == [True, True]
    assert in_order(stock, 0.6).tolist() == [False, False]
    stock[:, 0] = 0.6 - 2 * cent  # short by two cents' worth
    assert in_order(stock, 0.6, cent).tolist() == [False, False]


def test_cost_to_raise_inverts_stock_gain():
    population = np.array([1000.0, 2500.0])
    cost = cost_to_raise(np.array([0.1, 0.2]), population, 250.0, 0.7)
    assert stock_gain(cost, population, 250.0, 0.7) == pytest.approx([0.1, 0.2])


# --- Collectives and municipalities --------------------------------------------------------


def test_projects_target_the_largest_served_gap():
    stock = np.full((2, N_CATEGORIES), 0.9)
    stock[0, 0] = 0.3  # meeting place, served by resident initiatives (kind 0)
    stock[0, 3] = 0.1  # energy, not served by resident initiatives
    stock[1] = 0.99
    chosen = choose_projects(np.array([0, 0]), stock)
    assert chosen.tolist() == [0, -1]


def test_approval_rises_with_quality_and_is_a_probability():
    p = approval_probability(np.array([0.0, 0.5, 1.0]), 0.7, 0.6)
    assert p.tolist() == pytest.approx([0.4, 0.7, 1.0])
    assert np.all(approval_probability(np.linspace(0, 1, 5), 0.9, 2.0) <= 1)


def test_boards_work_off_reporting_and_feel_controlled_meanwhile():
    backlog, controlling = work_off_reporting(np.array([25.0, 5.0, 0.0]), 10.0)
    assert backlog.tolist() == [15.0, 0.0, 0.0]
    assert controlling.tolist() == [1.0, 0.5, 0.0]


def test_collective_table_grows_and_keeps_rows():
    table = CollectiveTable(capacity=2)
    rows = [table.add(kind=1, neighbourhood=i, municipality=0, month=0) for i in range(5)]
    assert rows == [0, 1, 2, 3, 4]
    assert table.view("neighbourhood").tolist() == [0, 1, 2, 3, 4]
    assert table.living().tolist() == rows


def test_rank_within_groups_orders_by_key_inside_each_group():
    groups = np.array([1, 0, 1, 0, 1])
    submitted = np.array([5, 3, 1, 4, 2])
    order, rank = rank_within_groups(groups, submitted)
    assert order.tolist() == [1, 3, 2, 4, 0]
    assert rank.tolist() == [0, 1, 0, 1, 2]


def test_grouped_fits_pays_in_order_without_partial_grants():
    fits = grouped_fits(np.array([0, 0, 0, 1]), np.array([60, 50, 40, 10]), np.array([100, 5]))
    assert fits.tolist() == [True, False, True, False]


# --- Handprint --------------------------------------------------------------------------------


def test_sdg_tags_split_each_euro_once():
    assert TYPE_TO_SDG.sum(axis=1) == pytest.approx(np.ones(TYPE_TO_SDG.shape[0]))
    assert CATEGORY_TO_SDG.sum(axis=1) == pytest.approx(np.ones(N_CATEGORIES))


def test_handprint_values_each_activity():
    hours = np.array([100.0, 0, 0, 0, 0, 0])
    added = np.zeros((1, N_CATEGORIES))
    added[0, 3] = 0.1  # energy
    value = handprint_by_sdg(hours, added, np.array([1000.0]), 12.0, 15.0, 60.0, 100.0)
    expected = 100 * 15 + 0.1 * 1000 * 60 / 12 + 12 * 100 / 12
    assert value.sum() == pytest.approx(expected)
    assert value[6] > 0 and value[12] > 0  # SDG 7 and 13 from energy


# --- World ------------------------------------------------------------------------------------


def test_region_populations_add_up():
    params = Parameters(n_municipalities=3, neighbourhoods_per_municipality=7.4)
    region = build_region(params, np.random.default_rng(0))
    assert region.n_neighbourhoods == 22
    assert region.municipality_population.sum() == pytest.approx(region.population)
    weights = np.bincount(region.citizen_neighbourhood, weights=region.citizen_weight)
    assert weights == pytest.approx(region.neighbourhood_population)
    assert region.citizen_count.sum() == region.n_citizens


def test_citizens_of_a_buurt_are_contiguous():
    region = build_region(Parameters(n_municipalities=2), np.random.default_rng(1))
    for buurt in (0, 5, region.n_neighbourhoods - 1):
        start, count = region.citizen_start[buurt], region.citizen_count[buurt]
        assert np.all(region.citizen_neighbourhood[start : start + count] == buurt)


def test_low_and_high_ses_are_terciles():
    region = build_region(Parameters(n_municipalities=6), np.random.default_rng(2))
    assert region.neighbourhood_low_ses.mean() == pytest.approx(1 / 3, abs=0.02)
    assert region.neighbourhood_high_ses.mean() == pytest.approx(1 / 3, abs=0.02)
    low = region.neighbourhood_ses[region.neighbourhood_low_ses].max()
    assert low < region.neighbourhood_ses[region.neighbourhood_high_ses].min()


def test_network_is_symmetric_without_self_ties_and_mostly_local():
    region = build_region(Parameters(n_municipalities=2), np.random.default_rng(3))
    net = region.network
    pairs = set(zip(net.sources.tolist(), net.indices.tolist(), strict=True))
    assert all((j, i) in pairs for i, j in pairs)
    assert all(i != j for i, j in pairs)
    same = region.citizen_neighbourhood[net.sources] == region.citizen_neighbourhood[net.indices]
    assert same.mean() > 0.6
    assert net.degree.mean() == pytest.approx(8, rel=0.2)


def test_neighbour_mean_averages_contacts():
    network = build_network(
        np.zeros(3, dtype=np.int64),
        np.array([0]),
        np.array([3]),
        np.array([0]),
        4,
        0.0,
        np.random.default_rng(0),
    )
    values = np.array([1.0, 2.0, 3.0])
    means = network.neighbour_mean(values)
    for i in range(3):
        contacts = network.indices[network.indptr[i] : network.indptr[i + 1]]
        expected = values[contacts].mean() if contacts.size else values[i]
        assert means[i] == pytest.approx(expected)


@pytest.mark.parametrize("size", [0, 1, 2, 9, 5_000])
def test_sorted_unique_is_numpys_unique(size):
    rng = np.random.default_rng(size)
    values = rng.integers(-50, 50 + size // 10, size)
    expected = np.unique(values)
    actual = sorted_unique(values)
    assert actual.dtype == expected.dtype and np.array_equal(actual, expected)
