"""How well a scenario-discovery region holds on points it was not found on.

A region found on 800 sample points (:func:`gemsim.sensitivity.discovery.discover`) is
fitted to those points: with coverage and density scored on the same points it can look
sharper than it is, and a region found in one sample can vanish in another (the shipped
claims' regions changed with the Sobol' design's pairing, README). So, like a metamodel's
q2, a region is checked out of sample: the design's blocks (a Saltelli base row and its
one-at-a-time neighbours, which share all values but one) are split at random into two
halves, the discovery runs on one half and its region is scored on the other, ``halves``
times. What is reported is the procedure's reliability on this output, not that of the
one region found on all points: how often a half finds a region at all, and the median
coverage and density of the regions found, on the half they were not found on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gemsim.sensitivity.discovery import ScenarioDiscovery

__all__ = ["HeldOut", "held_out_regions"]

#: ``find(x, cases, blocks) -> ScenarioDiscovery`` on a subset of the points.
Find = Callable[[pd.DataFrame, np.ndarray, np.ndarray], ScenarioDiscovery]
#: ``columns(x) -> x`` with any derived columns a discovery may use (identity by default).
Columns = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass(frozen=True)
class HeldOut:
    """Per half (rows of :attr:`table`: ``half, found, coverage, density, cases``) and
    summarised: regions found on one half of the blocks, scored on the other."""

    table: pd.DataFrame

    @property
    def halves(self) -> int:
        return len(self.table)

    @property
    def found(self) -> int:
        return int(self.table["found"].sum())

    def median(self, column: str) -> float:
        """Median of ``coverage`` or ``density`` over the halves that found a region."""
        values = self.table.loc[self.table["found"], column].dropna()
        return float(values.median()) if len(values) else float("nan")

    @property
    def text(self) -> str:
        """E.g. "found on 7 of 10 half-samples; on the other half coverage 61%, density
        72% (medians)"."""
        head = f"found on {self.found} of {self.halves} half-samples"
        if self.found == 0:
            return head
        coverage, density = self.median("coverage"), self.median("density")
        return f"{head}; on the other half coverage {coverage:.0%}, density {density:.0%} (medians)"


def held_out_regions(
    x: pd.DataFrame,
    cases: Sequence[bool] | np.ndarray,
    blocks: Sequence[int] | np.ndarray,
    find: Find,
    *,
    columns: Columns | None = None,
    halves: int = 10,
    seed: int = 0,
) -> HeldOut:
    """Find a region with ``find`` on a random half of the design ``blocks`` and score it
    on the other half, ``halves`` times (each split from ``seed`` and its number).

    ``columns`` adds derived columns to the held-out points before they are scored (a
    region may restrict one, :mod:`gemsim.analysis.discovery_axes`). Coverage is the share
    of the held-out cases inside the region, density the share of held-out points inside
    it that are cases (NaN when none falls inside).
    """
    x = x.reset_index(drop=True)
    flags = np.asarray(cases, dtype=bool).ravel()
    block_of = np.asarray(blocks).ravel()
    if not len(flags) == len(block_of) == len(x):
        raise ValueError(f"{len(x)} points, {len(flags)} case flags, {len(block_of)} blocks")
    unique = np.unique(block_of)
    if len(unique) < 2:
        raise ValueError("a held-out check needs at least two design blocks")
    rows = []
    for half in range(halves):
        rng = np.random.default_rng([seed, half])
        chosen = rng.choice(unique, size=len(unique) // 2, replace=False)
        train = np.isin(block_of, chosen)
        found = find(x[train].reset_index(drop=True), flags[train], block_of[train])
        test_x = x[~train].reset_index(drop=True)
        if columns is not None:
            test_x = columns(test_x)
        inside = found.region_mask(test_x)
        test_cases = flags[~train]
        row = {"half": half, "found": inside is not None, "coverage": np.nan, "density": np.nan}
        row["cases"] = int(test_cases.sum())
        if inside is not None:
            hit = int((inside & test_cases).sum())
            row["coverage"] = hit / row["cases"] if row["cases"] else np.nan
            row["density"] = hit / int(inside.sum()) if inside.any() else np.nan
        rows.append(row)
    return HeldOut(pd.DataFrame(rows, columns=["half", "found", "coverage", "density", "cases"]))
