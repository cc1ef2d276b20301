"""More replications per point or a larger design: which narrows a stochastic model's
Sobol' intervals for fewer runs?

A run's output is its parameters' effect plus its random path. Averaging ``r`` replications
per point divides the path's variance in the point means by ``r``; doubling the base sample
divides an estimator's sampling variance by two. Both double the runs. Which one buys a
tolerance more cheaply depends on how much of the indices' error the random path causes,
so it is measured rather than assumed: :func:`replication_groups` cuts runs with ``R``
replications per point into ``R / r`` disjoint groups of ``r`` (each the same design with
its own random paths), :func:`interval_widths` estimates every group's indices and the
widest bootstrap half-width among each output's leaders (``max_conf``, as
:func:`gemsim.sensitivity.check_convergence` takes it), and :func:`allocation_table`
compares the sizes. With intervals falling as ``1 / sqrt(n)``, the runs that reach a
tolerance grow as ``r * max_conf(r) ** 2``: going from ``r`` to ``2 r`` replications needs
``runs_ratio = 2 (max_conf(2r) / max_conf(r)) ** 2`` times the runs of staying at ``r`` and
growing ``n``. Below 1 more replications are the cheaper way, above 1 more base samples.

What the indices estimate changes with ``r``: they split the variance of ``r``-run means, of
which the random path is a smaller share (``noise_share``), so the leaders can change too.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.analysis import analyze_outputs
from gemsim.sensitivity.convergence import leading_widths
from gemsim.sensitivity.problem import Problem

__all__ = ["allocation_table", "interval_widths", "replication_groups"]

_KEYS = ("point", "replication", "seed")


def replication_groups(runs: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """``runs`` (long: ``point, replication`` + outputs, ``R`` replications per point) cut
    into ``R // size`` disjoint groups of ``size`` consecutive replications (0 to
    ``size - 1``, then ``size`` to ``2 size - 1``, ...), each group's replications numbered
    from 0. Replications beyond the last whole group are left out.

    Raises ValueError if ``size`` is not between 1 and ``R``, or points differ in ``R``.
    """
    counts = runs.groupby("point")["replication"].nunique()
    if counts.empty or counts.min() != counts.max():
        raise ValueError("every point needs the same number of replications")
    replications = int(counts.iloc[0])
    if not 1 <= size <= replications:
        raise ValueError(f"group size must be between 1 and {replications}, got {size}")
    groups = []
    for first in range(0, replications - size + 1, size):
        chosen = runs[runs["replication"].between(first, first + size - 1)].copy()
        chosen["replication"] -= first
        groups.append(chosen.reset_index(drop=True))
    return groups


def _output_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if c not in _KEYS]


def interval_widths(
    problem: Problem,
    method: str,
    X: np.ndarray,
    runs: pd.DataFrame,
    seed: int,
    sizes: tuple[int, ...] | list[int],
    *,
    leading: int | None = 3,
    index: str = "ST",
    **analysis: Any,
) -> pd.DataFrame:
    """For every replication group size in ``sizes`` and every group of that size: each
    output's leaders and their widest bootstrap half-width, on the indices of the group's
    point means (:func:`gemsim.sensitivity.analyze_outputs` with ``analysis``'s options).

    ``runs`` is long (``point, replication`` + outputs), points in the order of ``X``'s rows.
    ``noise_share`` is the random path's share of the variance of the group's point means:
    the variance between a point's replications, averaged over points and over all ``R``
    replications, over ``size``, divided by the variance of the means.

    Returns one row per size, group and output: ``size, group, output, leading, top,
    max_conf, noise_share`` and, if ``problem`` has a noise dummy, ``dummy``: its ``index``
    (the noise share as the indices read it).
    """
    outputs = _output_columns(runs)
    within = runs.groupby("point")[outputs].var(ddof=1).mean()
    frames = []
    for size in sizes:
        for number, group in enumerate(replication_groups(runs, size)):
            means = group.groupby("point", sort=True)[outputs].mean().reset_index(drop=True)
            result = analyze_outputs(problem, method, X, means, seed, **analysis)
            widths = leading_widths(result.indices, index=index, leading=leading)
            share = within / size / means.var(ddof=1)
            widths["noise_share"] = widths["output"].map(share)
            if problem.noise_dummy is not None:
                dummy = result.indices[result.indices["parameter"] == problem.noise_dummy]
                widths["dummy"] = widths["output"].map(dummy.set_index("output")[index])
            widths.insert(0, "group", number)
            widths.insert(0, "size", size)
            frames.append(widths)
    return pd.concat(frames, ignore_index=True)


def allocation_table(widths: pd.DataFrame) -> pd.DataFrame:
    """Per output and pair of consecutive group sizes in :func:`interval_widths`'s frame:
    the median ``max_conf`` over the groups of each size, their ratio, and ``runs_ratio``,
    the runs needed for a tolerance with the larger size over those with the smaller one
    (``larger / smaller * ratio ** 2``; below 1, more replications are cheaper).

    Returns ``output, size, next_size, max_conf, next_max_conf, ratio, runs_ratio,
    noise_share, next_noise_share``.
    """
    medians = widths.groupby(["output", "size"], sort=False)[["max_conf", "noise_share"]].median()
    sizes = sorted(widths["size"].unique())
    rows = []
    for output in widths["output"].unique():
        for small, large in pairwise(sizes):
            before, after = medians.loc[(output, small)], medians.loc[(output, large)]
            with np.errstate(divide="ignore", invalid="ignore"):  # no spread at all: NaN
                ratio = np.float64(after["max_conf"]) / np.float64(before["max_conf"])
            rows.append(
                {
                    "output": output,
                    "size": small,
                    "next_size": large,
                    "max_conf": before["max_conf"],
                    "next_max_conf": after["max_conf"],
                    "ratio": ratio,
                    "runs_ratio": large / small * ratio**2,
                    "noise_share": before["noise_share"],
                    "next_noise_share": after["noise_share"],
                }
            )
    return pd.DataFrame(rows)
