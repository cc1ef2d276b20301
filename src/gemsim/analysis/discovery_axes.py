"""Axes that scenario discovery may split on beside the sampled parameters.

A classification tree and PRIM split one parameter at a time, so a conclusion that turns
on the *difference* of two parameters comes out as a staircase of boxes that covers it
badly. Where a model rule compares two parameters, their difference is the axis along
which the conclusion changes, and discovery is given it as a column of its own. An axis is
added for the outputs the rule defines, and only when both parameters were sampled.
Discovery runs with and without the axes and keeps the description with the larger
harmonic mean of coverage and density (the one without on a tie): a greedy tree given one
more column can start from a worse split, and the axis should only ever sharpen a finding.

``in_order_gap``: a buurt is in order when every category's stock is at or above
``in_order_threshold`` (ODD §2.4 and §4.11); the buurten start around
``infrastructure_initial_mean``. Where the threshold lies far below the initial stock,
every buurt is in order whatever the regime does; far above it, no regime's money lifts a
buurt across it within ten years: in both cases two regimes tie on the share in order.
The gap is measured in stock units (a positive gap: the average buurt starts short of the
threshold). ``benchmarks/in_order_ties_tree.py`` measures how much better a tree
describes the ties with this axis (``results/reference/ablations/in_order_ties/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from gemsim.sensitivity.discovery import ScenarioDiscovery

__all__ = [
    "DISCOVERY_AXES",
    "DiscoveryAxis",
    "description_score",
    "discover_with_axes",
    "with_discovery_axes",
]


@dataclass(frozen=True)
class DiscoveryAxis:
    """``name = minuend - subtrahend``, offered to discovery of ``outputs`` only."""

    name: str
    minuend: str
    subtrahend: str
    outputs: tuple[str, ...]


DISCOVERY_AXES: tuple[DiscoveryAxis, ...] = (
    DiscoveryAxis(
        name="in_order_gap",
        minuend="in_order_threshold",
        subtrahend="infrastructure_initial_mean",
        outputs=("neighbourhoods_in_order",),
    ),
)


def axes_for(output: str, columns: pd.Index) -> list[DiscoveryAxis]:
    """The axes that apply to ``output`` and whose two parameters are ``columns``."""
    return [
        axis
        for axis in DISCOVERY_AXES
        if output in axis.outputs and axis.minuend in columns and axis.subtrahend in columns
    ]


def with_discovery_axes(x: pd.DataFrame, output: str) -> pd.DataFrame:
    """``x`` (sampled parameters as numbers, one row per point) with the derived axes of
    ``output`` appended as columns; ``x`` itself where none applies."""
    axes = axes_for(output, x.columns)
    if not axes:
        return x
    return x.assign(**{a.name: x[a.minuend] - x[a.subtrahend] for a in axes})


def description_score(found: ScenarioDiscovery) -> float:
    """The harmonic mean of the found region's coverage and density (0 without one)."""
    region = found.region()
    if region is None or region.coverage + region.density == 0:
        return 0.0
    return 2 * region.coverage * region.density / (region.coverage + region.density)


def discover_with_axes(
    x: pd.DataFrame, output: str, find: Callable[[pd.DataFrame], ScenarioDiscovery]
) -> ScenarioDiscovery:
    """``find(x)``, or ``find`` over ``x`` with the derived axes of ``output`` where that
    describes the cases better (:func:`description_score`)."""
    plain = find(x)
    extended = with_discovery_axes(x, output)
    if extended is x:
        return plain
    derived = find(extended)
    return derived if description_score(derived) > description_score(plain) else plain
