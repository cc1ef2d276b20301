"""Derived discovery axes: added where they apply, and why they are worth adding."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gemsim.analysis.discovery_axes import DISCOVERY_AXES, axes_for, with_discovery_axes
from gemsim.model.parameters import Parameters
from gemsim.sensitivity import discover


def points(n: int = 1200, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "in_order_threshold": rng.uniform(0.4, 0.9, n),
            "infrastructure_initial_mean": rng.uniform(0.55, 0.85, n),
            "other": rng.uniform(0, 1, n),
        }
    )


def test_every_axis_is_a_difference_of_two_model_parameters():
    fields = Parameters.model_fields
    for axis in DISCOVERY_AXES:
        assert axis.minuend in fields and axis.subtrahend in fields, axis.name


def test_the_gap_is_added_for_its_output_only_and_only_when_both_were_sampled():
    x = points(10)
    with_gap = with_discovery_axes(x, "neighbourhoods_in_order")
    assert list(with_gap.columns) == [*x.columns, "in_order_gap"]
    np.testing.assert_array_equal(
        with_gap["in_order_gap"], x["in_order_threshold"] - x["infrastructure_initial_mean"]
    )
    assert with_discovery_axes(x, "wellbeing") is x
    one_sampled = x.drop(columns="infrastructure_initial_mean")
    assert with_discovery_axes(one_sampled, "neighbourhoods_in_order") is one_sampled
    assert axes_for("neighbourhoods_in_order", one_sampled.columns) == []
    assert "in_order_gap" not in x.columns


def test_a_failure_along_a_difference_is_one_box_on_the_axis_and_a_staircase_without_it():
    """Cases where the threshold lies more than 0.1 above the initial stock: with the gap
    offered, PRIM's box limits it near 0.1 and holds the region whole (its other limits
    are implied by that one); with the two parameters alone, an axis-parallel box cannot
    both cover and fill a diagonal half-plane."""
    x = points()
    cases = (x["in_order_threshold"] - x["infrastructure_initial_mean"] > 0.1).to_numpy()
    with_axis = discover(with_discovery_axes(x, "neighbourhoods_in_order"), cases, "s", seed=1)
    box = with_axis.boxes[0]
    gap = {limit.parameter: limit for limit in box.limits}["in_order_gap"]
    assert gap.high is None and gap.low is not None and abs(gap.low - 0.1) < 0.02
    assert box.coverage >= 0.9 and box.density >= 0.9
    without = discover(x, cases, "s", seed=1).boxes[0]
    assert min(without.coverage, without.density) < min(box.coverage, box.density) - 0.1


def test_discovery_keeps_the_axis_only_where_it_describes_the_cases_better():
    from functools import partial

    from gemsim.analysis.discovery_axes import description_score, discover_with_axes

    x = points()
    along_gap = (x["in_order_threshold"] - x["infrastructure_initial_mean"] > 0.1).to_numpy()
    find = partial(discover, cases=along_gap, statement="s", seed=1)
    kept = discover_with_axes(x, "neighbourhoods_in_order", find)
    assert "in_order_gap" in kept.x.columns
    assert description_score(kept) > description_score(find(x))
    assert "in_order_gap" not in discover_with_axes(x, "wellbeing", find).x.columns
    along_other = (x["other"] > 0.7).to_numpy()
    find = partial(discover, cases=along_other, statement="s", seed=1)
    plain = discover_with_axes(x, "neighbourhoods_in_order", find)
    assert "in_order_gap" not in plain.x.columns  # no better with it: the plain one is kept
    assert description_score(plain) >= 0.9
