"""How well a scenario-discovery region holds on points it was not found on.

A region found on 800 sample points (:func:`gemsim.sensitivity.discovery.discover`) is
fitted to those points: with coverage and density scored on the same points it can look
sharper than it is, and a region found in one sample can vanish in another (the shipped
claims' regions changed with the Sobol' design's pairing, README). So, like a metamodel's
q2, a region is checked out of sample: the design's blocks (a Saltelli base row and its
one-at-a-time neighbours, which share all values but one) are split at random into two
halves, the discovery runs on one half and its region is scored on the other, ``halves``
times. Reported: on how many halves a region is found at all and on how many it restricts
one of the parameters the region found on all points restricts, and the medians, over
the halves with a region, of its coverage, its density and that density as a multiple of
the held-out half's own rate of cases (the lift; 1 is no better than chance, and where the
cases are most points it cannot exceed one over their rate).

This describes the procedure at half the sample, a pessimistic bound on the one region
found on all points: a half has half the design blocks, while the rules a region must
meet (cases from ``min_blocks`` blocks, the tree's smallest leaf) stay as they are, so a
region whose cases come from few blocks is rarely found on a half. The medians also move
with the random split: for the shipped claims, with 20 halves, a region's median density
by up to 0.13 and its lift by up to 0.6 between three split seeds, so read the density to
about a tenth and the lift to about half a unit.
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
COLUMNS = ["half", "found", "same_parameters", "coverage", "density", "lift", "cases"]


@dataclass(frozen=True)
class HeldOut:
    """Per half (rows of :attr:`table`: ``half, found, same_parameters, coverage,
    density, lift, cases``) and summarised: regions found on one half of the blocks,
    scored on the other."""

    table: pd.DataFrame

    @property
    def halves(self) -> int:
        return len(self.table)

    @property
    def found(self) -> int:
        return int(self.table["found"].sum())

    @property
    def same_parameters(self) -> int:
        return int(self.table["same_parameters"].sum())

    def median(self, column: str) -> float:
        """Median of ``coverage``, ``density`` or ``lift`` over the halves that found a
        region."""
        values = self.table.loc[self.table["found"], column].dropna()
        return float(values.median()) if len(values) else float("nan")

    @property
    def text(self) -> str:
        """E.g. "a region on 17 of 20 half-samples, 12 on the same parameters; on the
        other half coverage 61%, density 72%, 1.6 times its rate (medians)"."""
        if self.found == 0:
            return f"a region on none of {self.halves} half-samples"
        head = (
            f"a region on {self.found} of {self.halves} half-samples, "
            f"{self.same_parameters} on the same parameters"
        )
        parts = [
            f"coverage {self.median('coverage'):.0%}",
            f"density {self.median('density'):.0%}",
            f"{self.median('lift'):.1f} times its rate",
        ]
        return f"{head}; on the other half {', '.join(parts)} (medians)"


def held_out_regions(
    x: pd.DataFrame,
    cases: Sequence[bool] | np.ndarray,
    blocks: Sequence[int] | np.ndarray | None,
    find: Find,
    *,
    columns: Columns | None = None,
    parameters: set[str] | frozenset[str] = frozenset(),
    halves: int = 20,
    seed: int = 0,
) -> HeldOut:
    """Find a region with ``find`` on a random half of the design ``blocks`` and score it
    on the other half, ``halves`` times (each split from ``seed`` and its number).

    ``blocks`` ``None`` makes every point its own block. ``columns`` adds derived columns
    to the held-out points before they are scored (a region may restrict one,
    :mod:`gemsim.analysis.discovery_axes`); ``parameters`` are those the region found on
    all points restricts (a half's region counts as on the same parameters when it
    restricts one of them). Coverage is the share of the held-out cases inside the region,
    density the share of held-out points inside it that are cases, lift that density over
    the held-out half's share of cases (NaN where they are undefined).
    """
    x = x.reset_index(drop=True)
    flags = np.asarray(cases, dtype=bool).ravel()
    block_of = np.arange(len(x)) if blocks is None else np.asarray(blocks).ravel()
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
        row: dict[str, object] = {
            "half": half,
            "found": inside is not None,
            "same_parameters": bool(found.region_parameters() & set(parameters)),
            "coverage": np.nan,
            "density": np.nan,
            "lift": np.nan,
            "cases": int(test_cases.sum()),
        }
        if inside is not None:
            hit = int((inside & test_cases).sum())
            if test_cases.any():
                row["coverage"] = hit / int(test_cases.sum())
            if inside.any():
                row["density"] = hit / int(inside.sum())
                if test_cases.any():
                    row["lift"] = hit / int(inside.sum()) / float(test_cases.mean())
        rows.append(row)
    return HeldOut(pd.DataFrame(rows, columns=COLUMNS))
