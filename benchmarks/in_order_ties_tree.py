"""Can a tree describe where two scenarios tie on buurten in order, given the right axis?

``python benchmarks/in_order_ties_tree.py FOLDER [--pairs A:B ...] [--depth D]``

FOLDER is a Sobol' or Morris results folder whose sample varies ``in_order_threshold`` and
``infrastructure_initial_mean``. Per pair of scenarios, a point is a tie when both end
with the same share of buurten in order (mean over its replications). The explanation
under test: a tie happens where the money moves no buurt across the threshold, so it
depends on how far the threshold lies from the initial infrastructure, a difference of
two sampled parameters, which trees that split one parameter at a time follow badly.
Fits a classification tree of depth D (scikit-learn, as the discovery's CART) on the
sampled parameters, and again with the difference ``in_order_threshold -
infrastructure_initial_mean`` added as a column; prints the 5-fold cross-validated
accuracy of each beside the share of the majority class, and the second tree's leaves.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeClassifier

DIFFERENCE = "threshold_minus_infrastructure"


def ties(means: pd.DataFrame, scenario: str, reference: str) -> pd.Series:
    """Per point: whether the two scenarios end with the same share of buurten in order."""
    wide = means.pivot(index="point", columns="scenario", values="neighbourhoods_in_order")
    return wide[scenario] == wide[reference]


def leaves(tree: DecisionTreeClassifier, X: pd.DataFrame, y: pd.Series) -> list[str]:
    """Each leaf as its conditions, points and share of ties."""
    t = tree.tree_
    out: list[str] = []

    def walk(node: int, rule: list[str]) -> None:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            mask = tree.apply(X) == node
            out.append(
                f"{' and '.join(rule) or 'everywhere'}: {int(mask.sum())} points, "
                f"{y[mask].mean():.0%} ties"
            )
            return
        name, cut = X.columns[t.feature[node]], t.threshold[node]
        walk(t.children_left[node], [*rule, f"{name} <= {cut:.3f}"])
        walk(t.children_right[node], [*rule, f"{name} > {cut:.3f}"])

    walk(0, [])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument(
        "--pairs",
        nargs="+",
        default=["groeiplan:subsidy_channel", "hybrid:subsidy_channel"],
        help="scenario:reference pairs",
    )
    parser.add_argument("--depth", type=int, default=2)
    args = parser.parse_args()

    means = pd.read_parquet(args.folder / "scenario_outputs.parquet")
    sample = pd.read_parquet(args.folder / "sample.parquet").set_index("point").sort_index()
    X = sample.select_dtypes("number").drop(columns="noise_dummy", errors="ignore")
    with_difference = X.assign(
        **{DIFFERENCE: X["in_order_threshold"] - X["infrastructure_initial_mean"]}
    )
    for pair in args.pairs:
        scenario, reference = pair.split(":")
        y = ties(means, scenario, reference).loc[X.index]
        print(f"{scenario} - {reference}: {y.mean():.1%} of {len(y)} points tie")
        print(f"  majority class alone: {max(y.mean(), 1 - y.mean()):.1%} accuracy")
        for label, features in (("sampled parameters", X), ("+ their difference", with_difference)):
            tree = DecisionTreeClassifier(max_depth=args.depth, min_samples_leaf=20, random_state=0)
            accuracy = cross_val_score(tree, features, y, cv=5)
            print(
                f"  tree of depth {args.depth} on {label}: "
                f"{np.mean(accuracy):.1%} cross-validated accuracy"
            )
        tree = DecisionTreeClassifier(max_depth=args.depth, min_samples_leaf=20, random_state=0)
        tree.fit(with_difference, y)
        for leaf in leaves(tree, with_difference, y):
            print(f"    {leaf}")


if __name__ == "__main__":
    main()
