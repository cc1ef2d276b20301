"""The social-infrastructure stream's allocation: a buurt's budget goes to its gaps."""

import numpy as np
import pytest

from gemsim.model.infrastructure import N_CATEGORIES, deficits
from gemsim.model.model import CommunityModel
from gemsim.model.streams import SOCIAL_ACCOUNT, _spend_leftover, social_infrastructure_month
from tests.model_config import SMALL


def test_leftover_goes_to_open_gaps_in_proportion_and_never_beyond_them():
    remaining = np.array([[3.0, 1.0, 0.0], [0.0, 0.0, 0.0], [2.0, 2.0, 0.0]])
    extra = _spend_leftover(np.array([2.0, 5.0, 10.0]), remaining)
    assert extra[0].tolist() == pytest.approx([1.5, 0.5, 0.0])  # 3:1, all 2 spent
    assert extra[1].tolist() == [0.0, 0.0, 0.0]  # no gap left: nothing to spend on
    assert extra[2].tolist() == pytest.approx([2.0, 2.0, 0.0])  # capped at the gaps
    assert (extra <= remaining).all()


def _model(money: float, co_decision: float, seed: int = 3) -> CommunityModel:
    params = {
        **SMALL,
        "social_infrastructure": True,
        "social_infrastructure_eur": money,
        "social_infrastructure_years": 1,
        "co_decision_mean": co_decision,
        "co_decision_sd": 0.0,
        "spin_up_months": 0,
    }
    return CommunityModel(scenario=params, rng=seed)


@pytest.mark.parametrize("co_decision", [0.0, 0.5, 1.0])
def test_money_that_covers_every_need_puts_every_buurt_in_order(co_decision: float):
    """Whatever the co-decision split, a month's budget that covers every gap fills them
    all (to within a cent): none is left short by the even share of the split."""
    model = _model(1e11, co_decision)
    assert not model.buurten_in_order().all()
    gain, _ = social_infrastructure_month(model)
    model.add_stock(gain, owned_weight=0.0)
    assert model.buurten_in_order().all()
    assert deficits(model.stock, model.params.in_order_threshold).max() < 1e-6


@pytest.mark.parametrize("co_decision", [0.0, 0.5, 1.0])
def test_a_budget_short_of_every_need_is_spent_to_the_last_cent(co_decision: float):
    """When no buurt's budget covers its need, the whole month's money is spent: the even
    share that falls on categories without a gap goes to the open gaps instead."""
    model = _model(1e6, co_decision)
    social_infrastructure_month(model)
    balance = model.ledger.balance
    assert balance["spent:social_infrastructure"] > 0
    # at most one cent per buurt and category stays held (rounding down to whole cents)
    assert balance[SOCIAL_ACCOUNT] <= model.region.n_neighbourhoods * N_CATEGORIES
