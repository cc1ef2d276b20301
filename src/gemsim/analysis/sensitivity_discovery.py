"""Where each regime contrast flips: scenario discovery over a sensitivity sample.

For every contrast output (``<contrast>:<output>``) the points where the contrast does not
have its usual sign (the sign of the majority of points) are the cases of interest; PRIM
boxes and a CART tree (:mod:`gemsim.sensitivity.discovery`, EMA Workbench's ``prim`` and
scikit-learn's tree) say in which region of the assumptions they concentrate. Written
next to the runs:

``discovery.csv``  one row per contrast output: the statement that usually holds, points,
                   cases, the share of points where it holds, the PRIM boxes found, which
                   method gave the finding (``found_by``: PRIM, else the tree's dense leaves,
                   :meth:`~gemsim.sensitivity.discovery.ScenarioDiscovery.region`) with its
                   coverage and density, and the finding as a sentence ("... unless A > x
                   and B < y"); where there is a region, its held-out check
                   (:mod:`gemsim.sensitivity.discovery_holdout`: the same discovery on a
                   random half of the design's blocks, scored on the other half, 20
                   times): ``held_out_found`` and ``held_out_same`` (halves with a region,
                   and with one on the same parameters), ``held_out_coverage``,
                   ``held_out_density`` and ``held_out_lift`` (medians; lift = density
                   over the held-out half's rate of cases, 1 is chance);
``boxes.csv``      one row per box and restricted parameter: coverage, density, mass,
                   limits and PRIM's quasi-p-values;
``tree.csv``       one row per leaf of each contrast's tree: its rule, mass and density;
``figures/discovery_*.png``  per contrast output with a box: the boxes and the tree.

A point's contrast is the mean over its replications, so a flip can be the random path
(``noise.csv`` says how large it is); a box of high density over a small region is a
finding, scattered cases without a box are not. Beside the sampled parameters, discovery
may split on the derived axes of :mod:`gemsim.analysis.discovery_axes` (a difference of
two parameters that a model rule compares) for the outputs that rule defines, where they
describe the flips better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gemsim.analysis.discovery_axes import discover_with_axes, with_discovery_axes
from gemsim.analysis.files import slug
from gemsim.analysis.sensitivity_data import SensitivityData, numeric_sample, sample_blocks
from gemsim.sensitivity.pool import in_processes

if TYPE_CHECKING:
    from gemsim.sensitivity.discovery import ScenarioDiscovery

__all__ = [
    "BOXES_FILE",
    "DISCOVERY_FILE",
    "TREE_FILE",
    "Discoveries",
    "discover_contrasts",
    "plot_discoveries",
]

DISCOVERY_FILE = "discovery.csv"
BOXES_FILE = "boxes.csv"
TREE_FILE = "tree.csv"
FIGURE_PREFIX = "discovery_"
#: PRIM settings: at most two boxes of at most three restricted parameters each, so that
#: a finding reads as one sentence; a box must hold more failures than successes (and, by
#: ``discover``'s defaults, halve the share of successes and hold a fifth of the failures).
MAX_BOXES = 2
MAX_RESTRICTED = 3
MIN_DENSITY = 0.5
#: Half-samples of each region's held-out check.
HELD_OUT_HALVES = 20
HELD_OUT_COLUMNS = (
    "held_out_found",
    "held_out_same",
    "held_out_coverage",
    "held_out_density",
    "held_out_lift",
)


@dataclass
class Discoveries:
    """The scenario discovery of every contrast output (``found``: column -> result)."""

    found: dict[str, ScenarioDiscovery]
    summary: pd.DataFrame
    boxes: pd.DataFrame
    tree: pd.DataFrame


def _statement(scenario: str, reference: str, output: str, sign: int) -> str:
    side = "higher" if sign > 0 else "lower"
    return f"{scenario} ends {side} than {reference} on {output}"


def _discover(
    x: pd.DataFrame, blocks: np.ndarray | None, seed: int, job: tuple[np.ndarray, str, str]
) -> ScenarioDiscovery:
    from gemsim.sensitivity.discovery import discover

    cases, statement, output = job
    return discover_with_axes(
        x,
        output,
        partial(
            discover,
            cases=cases,
            statement=statement,
            blocks=blocks,
            max_boxes=MAX_BOXES,
            max_restricted=MAX_RESTRICTED,
            min_density=MIN_DENSITY,
            seed=seed,
        ),
    )


def _held_out(
    x: pd.DataFrame,
    blocks: np.ndarray | None,
    seed: int,
    job: tuple[np.ndarray, str, str, frozenset[str]],
) -> dict[str, float]:
    """The held-out check of one finding's region (the ``held_out_*`` columns)."""
    from gemsim.sensitivity.discovery_holdout import held_out_regions

    cases, statement, output, parameters = job

    def find(part: pd.DataFrame, flags: np.ndarray, part_blocks: np.ndarray) -> ScenarioDiscovery:
        return _discover(part, part_blocks, seed, (flags, statement, output))

    held = held_out_regions(
        x,
        cases,
        blocks,
        find,
        columns=partial(with_discovery_axes, output=output),
        parameters=parameters,
        halves=HELD_OUT_HALVES,
        seed=seed,
    )
    values = [held.found, held.same_parameters, *map(held.median, ("coverage", "density", "lift"))]
    return dict(zip(HELD_OUT_COLUMNS, map(float, values), strict=True))


def discover_contrasts(
    data: SensitivityData, outputs: pd.DataFrame, *, workers: int = 1
) -> Discoveries:
    """PRIM boxes and a CART tree for the sign flips of every contrast output (in
    ``workers`` processes; each is seeded alone, so the result is the same)."""
    from gemsim.sensitivity.discovery import sign_flip_cases

    settings = data.settings
    x = numeric_sample(settings, data.sample)
    if settings.noise_dummy_name in x.columns:
        x = x.drop(columns=settings.noise_dummy_name)  # the random path has no place in a box
    pairs = [(contrast, output) for contrast in settings.contrasts for output in contrast.outputs]
    jobs = []
    for contrast, output in pairs:
        cases, sign = sign_flip_cases(outputs[contrast.column(output)].to_numpy(dtype=float))
        statement = _statement(contrast.scenario, contrast.reference, output, sign)
        jobs.append((cases, statement, output))
    blocks = sample_blocks(settings, len(x))
    seed = data.seed % 2**32
    results = in_processes(partial(_discover, x, blocks, seed), jobs, workers)
    regions = [result.region() for result in results]
    with_region = [i for i, region in enumerate(regions) if region is not None]
    checks = in_processes(
        partial(_held_out, x, blocks, seed),
        [(*jobs[i], frozenset(results[i].region_parameters())) for i in with_region],
        workers,
    )
    held_out = dict(zip(with_region, checks, strict=True))
    found: dict[str, ScenarioDiscovery] = {}
    rows, box_parts, leaf_parts = [], [], []
    for i, ((contrast, output), (_, statement, _), result, region) in enumerate(
        zip(pairs, jobs, results, regions, strict=True)
    ):
        column = contrast.column(output)
        found[column] = result
        rows.append(
            {
                "contrast": contrast.name,
                "output": output,
                "column": column,
                "statement": statement,
                "points": result.points,
                "cases": result.n_cases,
                "holds_share": 1 - result.n_cases / result.points,
                "boxes": len(result.boxes),
                "found_by": "" if region is None else region.method,
                "coverage": math.nan if region is None else region.coverage,
                "density": math.nan if region is None else region.density,
                "finding": result.sentence(),
                **held_out.get(i, dict.fromkeys(HELD_OUT_COLUMNS, math.nan)),
            }
        )
        keys = {"contrast": contrast.name, "output": output, "column": column}
        box_parts.append(result.box_table().assign(**keys))
        if not result.leaves.empty:
            leaf_parts.append(result.leaves.assign(**keys))
    boxes = _front(pd.concat(box_parts, ignore_index=True), ["contrast", "output", "column"])
    boxes["levels"] = boxes["levels"].map(lambda v: "" if v is None else str(v))
    tree = (
        _front(pd.concat(leaf_parts, ignore_index=True), ["contrast", "output", "column"])
        if leaf_parts
        else pd.DataFrame(columns=["contrast", "output", "column", "leaf", "rule"])
    )
    return Discoveries(found, pd.DataFrame(rows), boxes, tree)


def _front(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]]


def plot_discoveries(discoveries: Discoveries, figures_dir: Path) -> dict[str, Path]:
    """The boxes and the tree of every contrast output with a finding (the tree alone
    where the finding is its leaves); ``{key: path}`` with keys ``discovery_boxes:<column>``
    and ``discovery_tree:<column>``."""
    figures: dict[str, Path] = {}
    for column, result in discoveries.found.items():
        if result.region() is None:
            continue
        name = slug(column)
        if result.boxes:
            figures[f"discovery_boxes:{column}"] = result.plot_boxes(
                figures_dir / f"{FIGURE_PREFIX}boxes_{name}.png"
            )
        figures[f"discovery_tree:{column}"] = result.plot_tree(
            figures_dir / f"{FIGURE_PREFIX}tree_{name}.png"
        )
    return figures
