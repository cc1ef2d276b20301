"""The script that checks why a tree describes in-order ties poorly
(``benchmarks/in_order_ties_tree.py``)."""

import numpy as np
import pandas as pd
from benchmark_scripts import load_benchmark
from sklearn.tree import DecisionTreeClassifier

script = load_benchmark("in_order_ties_tree")


def test_a_tie_is_an_equal_share_in_both_scenarios():
    means = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "scenario": ["a", "b", "a", "b"],
            "neighbourhoods_in_order": [0.5, 0.5, 0.6, 0.5],
        }
    )
    assert script.ties(means, "a", "b").tolist() == [True, False]


def test_leaves_give_each_region_its_points_and_share_of_ties():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.uniform(size=400), "y": rng.uniform(size=400)})
    y = pd.Series(X["x"] - X["y"] > 0.2)
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X.assign(d=X["x"] - X["y"]), y)
    leaves = script.leaves(tree, X.assign(d=X["x"] - X["y"]), y)
    assert len(leaves) == 2
    assert leaves[0].startswith("d <= 0.2") and leaves[0].endswith("0% ties")
    assert leaves[1].startswith("d > 0.2") and leaves[1].endswith("100% ties")
    counts = [int(leaf.split(": ")[1].split(" points")[0]) for leaf in leaves]
    assert sum(counts) == 400
