"""More replications per point or a larger design: which narrows a stochastic model's
Sobol' intervals for fewer runs?

A run's output is its parameters' effect plus its random path. Averaging ``r`` replications
per point divides the path's variance in the point means by ``r``; doubling the base sample
divides an estimator's sampling variance by about two. Both double the runs.
:func:`replication_groups` cuts runs with ``R`` replications per point into ``R / r``
disjoint groups of ``r`` (each the same design with its own random paths), and
:func:`interval_widths` estimates every group's indices, on the whole design and on its
first half of base samples, and the widest bootstrap half-width among each output's
leading parameters (fixed for all groups: the largest indices of the means over all
``R``, the noise dummy left out, as its interval is the random path's own).
:func:`allocation_table` compares group sizes ``r`` and ``2 r`` two ways:

* at equal runs, measured: ``2 r`` replications on the first ``n / 2`` base samples against
  ``r`` on all ``n`` (``equal_runs``: below 1, replications narrow the intervals more);
* at equal ``n``: ``runs_ratio = 2 (w_2r / w_r) ** 2``, the runs a tolerance needs with twice
  the replications over those with a twice larger design, if widths fall as ``1 / sqrt(n)``
  (an assumption; :func:`gemsim.sensitivity.check_convergence` projects with it too).

What the indices estimate changes with ``r``: they split the variance of ``r``-run means,
of which the random path is a smaller share (``noise_share``), so every parameter's index
grows with ``r`` where noise dominates and a fixed absolute tolerance is not the same
precision at different ``r``. Each comparison is therefore also made on widths divided by
``1 - noise_share`` (``scaled_``): in units of the variance the parameters cause, a scale
that does not move with ``r``. ``noise_share`` needs a noise dummy (without one, every
point has the same seeds and the random path is not part of the means' variance).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from gemsim.sensitivity.analysis import analyze_outputs
from gemsim.sensitivity.methods import get_method
from gemsim.sensitivity.problem import Problem
from gemsim.sensitivity.stochastic import point_means, replication_variance

__all__ = ["allocation_table", "interval_widths", "replication_groups"]

_WIDTHS = ("max_conf", "scaled_conf")


def replication_groups(runs: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """``runs`` (long: ``point, replication`` + outputs, replications ``0 .. R-1`` at every
    point) cut into ``R // size`` disjoint groups of ``size`` consecutive replications (0 to
    ``size - 1``, then ``size`` to ``2 size - 1``, ...), each group's replications numbered
    from 0. Replications beyond the last whole group are left out.

    Raises ValueError if a point's replications are not ``0 .. R-1`` with the same ``R``
    everywhere, or ``size`` is not between 1 and ``R``.
    """
    numbers = runs.groupby("point")["replication"].agg(lambda r: tuple(sorted(r)))
    if numbers.empty or numbers.nunique() != 1:
        raise ValueError("every point needs the same replications")
    replications = len(numbers.iloc[0])
    if numbers.iloc[0] != tuple(range(replications)):
        raise ValueError(f"replications must be numbered 0 to {replications - 1} at every point")
    if not 1 <= size <= replications:
        raise ValueError(f"group size must be between 1 and {replications}, got {size}")
    groups = []
    for first in range(0, replications - size + 1, size):
        chosen = runs[runs["replication"].between(first, first + size - 1)].copy()
        chosen["replication"] -= first
        groups.append(chosen.reset_index(drop=True))
    return groups


def _leaders(indices: pd.DataFrame, index: str, leading: int, dummy: str | None) -> pd.Series:
    """Per output, the names of its ``leading`` largest ``index`` (the dummy left out)."""
    rows = indices[indices["parameter"] != dummy] if dummy is not None else indices
    ranked = rows.assign(_size=rows[index].abs()).sort_values(
        "_size", ascending=False, kind="stable"
    )
    return ranked.groupby("output", sort=False)["parameter"].agg(lambda p: list(p[:leading]))


def interval_widths(
    problem: Problem,
    method: str,
    X: np.ndarray,
    runs: pd.DataFrame,
    seed: int,
    sizes: tuple[int, ...] | list[int],
    *,
    leading: int = 3,
    index: str = "ST",
    **analysis: Any,
) -> pd.DataFrame:
    """For every replication group size in ``sizes``, every group of that size and both the
    whole design (``n``) and its first half of base samples (``n / 2``): each output's widest
    bootstrap half-width among its leaders, on the indices of the group's point means
    (:func:`gemsim.sensitivity.analyze_outputs` with ``analysis``'s options, which must
    match the design's).

    ``runs`` is long (``point, replication`` + outputs), points numbered by ``X``'s rows. The
    leaders are the ``leading`` parameters with the largest ``index`` on the means over all
    replications and the whole design, the noise dummy left out. ``noise_share`` is the
    random path's share of the variance of the group's point means: the variance between a
    point's replications, averaged over points and all ``R`` replications (every row of the
    design is drawn from the parameters' distribution), over ``size``, divided by the
    variance of the means; NaN without a noise dummy.

    Returns one row per size, group, ``n`` and output: ``size, group, n, output, leading,
    leaders_index`` (the leaders' mean ``index``), ``max_conf, noise_share, scaled_conf``
    (``max_conf / (1 - noise_share)``) and, with a noise dummy, ``dummy``: its ``index``.
    """
    points = np.sort(runs["point"].unique())
    if not np.array_equal(points, np.arange(len(X))):
        raise ValueError(f"runs must hold the points 0 to {len(X) - 1}, one per row of X")
    m = get_method(method)
    second = bool(analysis.get("calc_second_order", False))
    per = m.rows_per_unit(problem, second)
    n = m.units_in(problem, len(X), second)
    dummy = problem.noise_dummy

    def analyse(means: pd.DataFrame, units: int) -> pd.DataFrame:
        rows = units * per
        return analyze_outputs(problem, method, X[:rows], means.iloc[:rows], seed, **analysis)

    leaders = _leaders(analyse(point_means(runs), n).indices, index, leading, dummy)
    within = replication_variance(runs).set_index("output")["within_variance"]
    frames = []
    for size in sizes:
        for number, group in enumerate(replication_groups(runs, size)):
            means = point_means(group)
            for units in (n, n // 2):
                indices = analyse(means, units).indices.set_index(["output", "parameter"])
                rows = []
                for output, names in leaders.items():
                    found = indices.loc[output]
                    conf = found[f"{index}_conf"]
                    variance = means[output].iloc[: units * per].var(ddof=1)
                    share = within[output] / size / variance if dummy is not None else np.nan
                    row = {
                        "size": size,
                        "group": number,
                        "n": units,
                        "output": output,
                        "leading": ", ".join(names),
                        "leaders_index": float(found[index][names].mean()),
                        "max_conf": float(conf[names].abs().max(skipna=False)),
                        "noise_share": share,
                    }
                    row["scaled_conf"] = row["max_conf"] / (1 - share)
                    if dummy is not None:
                        row["dummy"] = float(indices.loc[(output, dummy), index])
                    rows.append(row)
                frames.append(pd.DataFrame(rows))
    return pd.concat(frames, ignore_index=True)


def _mean_log_ratio(larger: pd.Series, smaller: pd.Series) -> float:
    """Geometric mean over the larger size's groups of its width over the geometric mean of
    the two smaller groups it was made of (group ``j`` of ``2 r`` holds groups ``2j`` and
    ``2j + 1`` of ``r``); NaN if any width is missing or zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs = np.log(smaller.to_numpy()[: 2 * len(larger)]).reshape(-1, 2).mean(axis=1)
        logs = np.log(larger.to_numpy()) - pairs
    return float(np.exp(logs.mean())) if np.isfinite(logs).all() else np.nan


def allocation_table(widths: pd.DataFrame) -> pd.DataFrame:
    """Per output and pair of group sizes ``r, 2 r`` in :func:`interval_widths`'s frame, for
    the widths as estimated (``max_conf``) and divided by ``1 - noise_share``
    (``scaled_conf``; prefix ``scaled_``):

    * ``ratio``: the width with ``2 r`` replications over that with ``r``, both on the whole
      design, paired (each ``2 r`` group against the two ``r`` groups it holds, geometric
      means over groups); ``runs_ratio = 2 ratio ** 2``, the runs that reach a tolerance
      with ``2 r`` over those with ``r`` and a larger design, at the ``1 / sqrt(n)`` rate;
    * ``equal_runs``: the width with ``2 r`` replications on the first half of the base
      samples over that with ``r`` on all of them, the same number of runs (paired alike).

    Below 1, more replications are the cheaper way to narrower intervals. Also the median
    ``noise_share`` of both sizes and ``groups``, the number of ``2 r`` groups behind them.
    """
    sizes = sorted(widths["size"].unique())
    full = int(widths["n"].max())
    key = ["output", "size", "n", "group"]
    indexed = widths.sort_values(key).set_index(key)
    rows = []
    for output in widths["output"].unique():
        for small, large in pairwise(sizes):
            if large != 2 * small:
                continue
            row: dict[str, Any] = {"output": output, "size": small, "next_size": large}
            for column in _WIDTHS:
                prefix = "" if column == "max_conf" else "scaled_"
                r_full = indexed.loc[(output, small, full), column]
                ratio = _mean_log_ratio(indexed.loc[(output, large, full), column], r_full)
                row[f"{prefix}ratio"] = ratio
                row[f"{prefix}runs_ratio"] = 2 * ratio**2
                row[f"{prefix}equal_runs"] = _mean_log_ratio(
                    indexed.loc[(output, large, full // 2), column], r_full
                )
            shares = indexed.loc[(output, slice(None), full), "noise_share"]
            row["noise_share"] = float(shares.loc[(output, small)].median())
            row["next_noise_share"] = float(shares.loc[(output, large)].median())
            row["groups"] = len(indexed.loc[(output, large, full)])
            rows.append(row)
    columns = ["output", "size", "next_size"]
    for prefix in ("", "scaled_"):
        columns += [f"{prefix}ratio", f"{prefix}runs_ratio", f"{prefix}equal_runs"]
    columns += ["noise_share", "next_noise_share", "groups"]
    return pd.DataFrame(rows, columns=columns)
