"""Scenario-discovery regions scored on the design blocks they were not found on
(gemsim.sensitivity.discovery_holdout), and a region's mask on new points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gemsim.sensitivity.discovery import discover
from gemsim.sensitivity.discovery_holdout import held_out_regions


def blocked(blocks: int = 40, size: int = 20, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Uniform points in ``blocks`` blocks of ``size`` (each its own draws)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (blocks * size, 3)), columns=["a", "b", "c"])
    return x, np.repeat(np.arange(blocks), size)


def find(x: pd.DataFrame, cases: np.ndarray, blocks: np.ndarray):
    return discover(x, cases, "it holds", blocks=blocks, max_boxes=2, max_restricted=3)


def test_a_planted_box_is_found_on_every_half_and_holds_on_the_other():
    x, blocks = blocked()
    cases = ((x["a"] >= 0.6) & (x["b"] <= 0.4)).to_numpy()
    everywhere = find(x, cases, blocks)
    assert everywhere.region_parameters() == {"a", "b"}
    held = held_out_regions(
        x, cases, blocks, find, parameters=everywhere.region_parameters(), halves=6
    )
    assert held.found == 6 and held.same_parameters == 6
    assert held.median("coverage") >= 0.9 and held.median("density") >= 0.9
    # density over the held-out rate of cases: about 1 / 0.16 for a box of 16% of points
    assert held.median("lift") == pytest.approx(1 / cases.mean(), rel=0.2)
    assert held.text.startswith("a region on 6 of 6 half-samples, 6 on the same parameters;")
    assert held.text.endswith("times its rate (medians)")
    unrelated = held_out_regions(x, cases, blocks, find, parameters={"c"}, halves=2)
    assert unrelated.same_parameters == 0


def test_failures_scattered_at_random_rarely_give_a_region_that_holds_elsewhere():
    x, blocks = blocked()
    cases = np.random.default_rng(5).random(len(x)) < 0.3
    held = held_out_regions(x, cases, blocks, find, halves=6)
    assert held.found <= 1
    if held.found == 0:
        assert held.text == "a region on none of 6 half-samples"


def test_a_tree_region_masks_new_points_by_its_leaves():
    """Cases at both ends of a (PRIM peels one side at a time, so the tree finds them)."""
    x, blocks = blocked()
    cases = ((x["a"] <= 0.2) | (x["a"] >= 0.8)).to_numpy()
    found = find(x, cases, blocks)
    assert not found.boxes and found.region() is not None
    assert found.region_parameters() == {"a"}
    new, _ = blocked(seed=11)
    inside = found.region_mask(new)
    truth = ((new["a"] <= 0.2) | (new["a"] >= 0.8)).to_numpy()
    assert inside is not None and (inside == truth).mean() > 0.97


def test_no_region_gives_no_mask_and_bad_input_is_refused():
    x, blocks = blocked()
    assert find(x, np.zeros(len(x), dtype=bool), blocks).region_mask(x) is None
    with pytest.raises(ValueError, match="case flags"):
        held_out_regions(x, np.zeros(3, dtype=bool), blocks, find)
    with pytest.raises(ValueError, match="two design blocks"):
        held_out_regions(x, np.zeros(len(x), dtype=bool), np.zeros(len(x)), find)


def test_the_same_seed_gives_the_same_halves_and_another_seed_others():
    x, blocks = blocked()
    cases = ((x["a"] >= 0.6) & (x["b"] <= 0.4)).to_numpy()
    first = held_out_regions(x, cases, blocks, find, halves=3, seed=9).table
    again = held_out_regions(x, cases, blocks, find, halves=3, seed=9).table
    pd.testing.assert_frame_equal(first, again)
    other = held_out_regions(x, cases, blocks, find, halves=3, seed=10).table
    assert not other["cases"].equals(first["cases"])  # other splits, other held-out cases


def test_a_region_on_a_derived_column_is_scored_with_it_added_to_the_held_out_points():
    """A region may restrict a column derived from others (e.g. the in-order gap): the
    held-out half gets it from ``columns`` before it is scored."""
    x, blocks = blocked()

    def derived(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(gap=frame["a"] - frame["b"])

    cases = (x["a"] - x["b"] > 0.4).to_numpy()
    held = held_out_regions(derived(x), cases, blocks, find, columns=derived, halves=4)
    assert held.found == 4 and held.median("density") >= 0.85
