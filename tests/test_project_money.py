"""Collectives' project money: only money above the operating reserve counts, and a
project whose remainder is too small to apply for ends instead of stalling."""

import numpy as np

from gemsim.model.collectives import (
    MONTHLY_COST,
    MUNICIPAL,
    NO_CHANNEL,
    apply_for_funding,
    credit,
    debit,
    project_money_eur,
    run_projects,
)
from gemsim.model.ledger import to_cents
from gemsim.model.model import CommunityModel


def test_project_money_is_what_lies_above_the_reserve():
    kind = np.array([0, 0])
    reserve = 3 * MONTHLY_COST[0]
    money = to_cents(np.array([reserve + 120.0, reserve / 2]))
    assert np.allclose(project_money_eur(money, kind, 3), [120.0, 0.0])


def _collective_with(model: CommunityModel, free_eur: float, remaining: float) -> int:
    """A living collective holding its reserve plus ``free_eur``, working on a project with
    ``remaining`` euros to go, with hours to spare and members, free to apply."""
    table = model.collectives
    row = int(table.living()[0])
    reserve = model.params.operating_reserve_months * MONTHLY_COST[table.kind[row]]
    target = int(to_cents(reserve + free_eur))
    rows = np.array([row])
    if table.money[row] > target:
        debit(model, rows, np.array([table.money[row] - target]), "spent:operations")
    else:
        credit(model, rows, np.array([target - table.money[row]]), "source:own_income")
    buurt = table.neighbourhood[row]
    table.project_category[row] = int(np.argmin(model.stock[buurt]))
    table.project_remaining[row] = remaining
    table.hours[row] = 1_000.0
    table.members[row] = 2
    table.app_channel[row] = NO_CHANNEL
    table.last_decision[row] = -10_000
    table.grant_until[row] = -10_000
    return row


def test_a_remainder_too_small_to_apply_for_ends_the_project():
    model = CommunityModel(rng=1)
    small = model.params.minimum_application_eur / 2
    row = _collective_with(model, free_eur=small / 4, remaining=small)
    run_projects(model)
    assert model.collectives.project_category[row] == -1
    model.ledger.check(model.holdings())


def test_a_small_remainder_the_collective_can_pay_itself_is_finished():
    model = CommunityModel(rng=1)
    small = model.params.minimum_application_eur / 2
    row = _collective_with(model, free_eur=10 * small, remaining=small)
    before = model.collectives.money[row]
    run_projects(model)
    assert model.collectives.project_category[row] == -1
    assert before - model.collectives.money[row] == to_cents(small)


def test_applications_ask_for_the_project_less_only_the_money_above_the_reserve():
    model = CommunityModel(rng=1)
    row = _collective_with(model, free_eur=1_000.0, remaining=3_000.0)
    apply_for_funding(model)
    table = model.collectives
    assert table.app_channel[row] == MUNICIPAL
    assert table.app_amount[row] == to_cents(2_000.0)
