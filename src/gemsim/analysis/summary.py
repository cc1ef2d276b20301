"""Summaries across replications: means with confidence intervals, paired differences to the
baseline, and the cost of a unit of outcome gained.

Statistics, for the ``n`` replications of a scenario at a horizon month with values
``x_1 .. x_n``:

* mean ``x̄ = Σ x_r / n``; standard deviation ``s = sqrt(Σ (x_r - x̄)² / (n - 1))``;
* 95% confidence interval ``x̄ ± t_{0.975, n-1} · s / √n`` (Student t; none if ``n < 2``).

Differences to the baseline are **paired**: replication ``r`` of every scenario ran with the
same seed as replication ``r`` of the baseline (common random numbers), so the difference
is taken per replication, ``d_r = x_r(scenario) - x_r(baseline)``, matched on point,
replication and seed, and summarised with the same formulas applied to ``d_1 .. d_n``.
Pairing removes the run-to-run noise the two scenarios share, so the interval is much
narrower than one built from two independent samples.

These intervals describe Monte Carlo uncertainty (which random draws a run got) only, not
uncertainty in the parameters; that is the job of sensitivity analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gemsim.analysis.outcomes import (
    CE_OUTCOMES,
    NEIGHBOURHOOD_UNIT,
    OUTCOMES,
    SPENDING_COLUMNS,
    describe,
)

__all__ = [
    "CONFIDENCE",
    "COST_DEFINITION",
    "NO_GAIN",
    "QUOTABLE_RATIO",
    "cost_effectiveness",
    "cost_not_quoted",
    "default_horizons",
    "fieller_interval",
    "mean_ci",
    "scenario_order",
    "summarize",
    "t_quantile",
]

CONFIDENCE = 0.95
NO_GAIN = "n/a (no gain)"
TOO_FEW = "n/a (fewer than 2 paired replications)"
FREE_GAIN = "gain at no extra cost"
TOO_UNCERTAIN = "too uncertain to quote"
FIVE_YEARS = 60

#: Display rule of the report and its cost figure (cost_effectiveness.csv keeps every number):
#: a cost per unit gained is quoted only where the gain is clearly positive and the cost is
#: known within this factor, i.e. the upper end of its 95% interval is at most this many
#: times the lower end.
QUOTABLE_RATIO = 2.0

#: What the cost of a scenario counts (used in the report).
COST_DEFINITION = (
    "Extra public money spent compared with the baseline: the difference, per paired "
    "replication, in cumulative money that reached communities (grants through municipalities "
    "and through the fund, social-infrastructure spending and movement support; the "
    "funds_disbursed_eur reporter) plus all overhead (extra channel layer, handling of "
    "applications by municipalities and the fund, and administration of the "
    "social-infrastructure programme; overhead_eur), from the start of the run to the horizon, "
    "in euros for the simulated region. Money budgeted but not yet paid out, money returned "
    "unspent, collectives' own income and applicants' compliance costs are not counted."
)

_GROUP = ["scenario", "point"]
_PAIR = ["point", "replication", "seed"]


def t_quantile(n: np.ndarray | int, confidence: float = CONFIDENCE) -> np.ndarray:
    """Two-sided Student t quantile ``t_{(1+confidence)/2, n-1}`` (NaN where ``n < 2``)."""
    from scipy import stats

    n_arr = np.asarray(n, dtype=float)
    dof = np.where(n_arr >= 2, n_arr - 1, np.nan)
    return np.asarray(stats.t.ppf(0.5 + confidence / 2, dof), dtype=float)


def mean_ci(
    mean: np.ndarray | float,
    sd: np.ndarray | float,
    n: np.ndarray | int,
    confidence: float = CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence bounds ``mean ± t_{(1+confidence)/2, n-1} · sd / √n`` (NaN if ``n < 2``)."""
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t_quantile(n_arr, confidence) * np.asarray(sd, dtype=float) / np.sqrt(n_arr)
    mean_arr = np.asarray(mean, dtype=float)
    return mean_arr - half, mean_arr + half


def default_horizons(months: Iterable[int]) -> list[int]:
    """The last month, preceded by month 60 (five years) when it is stored and earlier."""
    present = {int(m) for m in months}
    if not present:
        return []
    last = max(present)
    return [FIVE_YEARS, last] if FIVE_YEARS in present and FIVE_YEARS < last else [last]


def scenario_order(scenarios: Iterable[str], baseline: str | None = None) -> list[str]:
    """Scenarios in first-seen order (duplicates dropped), with the baseline first."""
    order = list(dict.fromkeys(scenarios))
    if baseline in order:
        order.remove(baseline)
        order.insert(0, baseline)
    return order


def _describe_groups(frame: pd.DataFrame, keys: Sequence[str], value: str) -> pd.DataFrame:
    """n, mean, sd and CI bounds of ``value`` per group of ``keys``."""
    stats = frame.groupby(list(keys), sort=False, observed=True)[value].agg(
        n="count", mean="mean", sd="std"
    )
    stats["ci_low"], stats["ci_high"] = mean_ci(stats["mean"], stats["sd"], stats["n"])
    return stats.reset_index()


def _at_horizons(
    timeseries: pd.DataFrame, outcomes: Sequence[str], horizons: Sequence[int]
) -> pd.DataFrame:
    """Long frame (scenario, point, replication, seed, horizon_month, outcome, value)."""
    frame = timeseries.loc[timeseries["month"].isin(list(horizons))]
    if "point" not in frame.columns:
        frame = frame.assign(point=0)
    long = frame.melt(
        id_vars=["scenario", "point", "replication", "seed", "month"],
        value_vars=list(outcomes),
        var_name="outcome",
        value_name="value",
    )
    return long.rename(columns={"month": "horizon_month"})


def _resolve(
    timeseries: pd.DataFrame, outcomes: Sequence[str] | None, horizons: Sequence[int] | None
) -> tuple[list[str], list[int]]:
    if outcomes is None:
        outcomes = [name for name in OUTCOMES if name in timeseries.columns]
    missing = [name for name in outcomes if name not in timeseries.columns]
    if missing:
        raise KeyError(f"outcomes not in the time series: {missing}")
    present = set(timeseries["month"].unique().tolist())
    if horizons is None:
        horizons = default_horizons(present)
    return list(outcomes), [int(h) for h in horizons if h in present]


def _sort(frame: pd.DataFrame, scenarios: list[str], outcomes: list[str]) -> pd.DataFrame:
    rank_s = {name: i for i, name in enumerate(scenarios)}
    rank_o = {name: i for i, name in enumerate(outcomes)}
    keys = frame.assign(
        _s=frame["scenario"].map(rank_s), _o=frame["outcome"].map(rank_o)
    ).sort_values(["_s", "point", "_o", "horizon_month"], kind="stable")
    return keys.drop(columns=["_s", "_o"]).reset_index(drop=True)


def summarize(
    timeseries: pd.DataFrame,
    baseline: str | None = "status_quo",
    outcomes: Sequence[str] | None = None,
    horizons: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Mean, sd and 95% CI per scenario × outcome × horizon, and the paired difference to
    the baseline with its own 95% CI.

    Args:
        timeseries: long time series (``scenario, replication, seed, month``, optionally
            ``point``, and the outcome columns), as read from the result store.
        baseline: scenario the others are compared with; if absent from the data (or
            None) the difference columns are empty.
        outcomes: reporter columns to summarise (default: every known outcome present).
        horizons: months to summarise at (default: :func:`default_horizons`); months not
            in the data are skipped.

    Returns:
        One row per scenario, point, outcome and horizon with ``label, unit, n, mean, sd,
        ci_low, ci_high`` (stored units: shares in 0-1) and ``baseline, n_pairs,
        diff_mean, diff_sd, diff_ci_low, diff_ci_high`` where ``diff = scenario - baseline``
        per paired replication (see the module docstring). Baseline rows have no difference.
    """
    outcomes, horizons = _resolve(timeseries, outcomes, horizons)
    long = _at_horizons(timeseries, outcomes, horizons)
    keys = [*_GROUP, "outcome", "horizon_month"]
    table = _describe_groups(long, keys, "value")
    scenarios = scenario_order(long["scenario"], baseline)
    has_baseline = baseline is not None and baseline in scenarios
    if has_baseline:
        base = long.loc[
            long["scenario"] == baseline, [*_PAIR, "outcome", "horizon_month", "value"]
        ].rename(columns={"value": "base_value"})
        paired = long.loc[long["scenario"] != baseline].merge(
            base, on=[*_PAIR, "outcome", "horizon_month"], how="inner"
        )
        paired["diff"] = paired["value"] - paired["base_value"]
        diffs = _describe_groups(paired, keys, "diff").rename(
            columns={
                "n": "n_pairs",
                "mean": "diff_mean",
                "sd": "diff_sd",
                "ci_low": "diff_ci_low",
                "ci_high": "diff_ci_high",
            }
        )
        table = table.merge(diffs, on=keys, how="left")
    else:
        for column in ("n_pairs", "diff_mean", "diff_sd", "diff_ci_low", "diff_ci_high"):
            table[column] = np.nan
    table["n_pairs"] = table["n_pairs"].fillna(0).astype("int64")
    table["baseline"] = baseline if has_baseline else ""
    table["label"] = table["outcome"].map(lambda name: describe(name).label)
    table["unit"] = table["outcome"].map(_stored_unit)
    columns = [
        *_GROUP,
        "outcome",
        "label",
        "unit",
        "horizon_month",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "baseline",
        "n_pairs",
        "diff_mean",
        "diff_sd",
        "diff_ci_low",
        "diff_ci_high",
    ]
    return _sort(table[columns], scenarios, outcomes)


def _stored_unit(name: str) -> str:
    outcome = describe(name)
    return "share (0-1)" if outcome.scale == 100 else outcome.unit


def fieller_interval(
    cost: np.ndarray, gain: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """Confidence interval of ``mean(cost) / mean(gain)`` from paired replications (Fieller).

    The interval holds every ratio ``R`` for which the per-replication values
    ``cost_r - R · gain_r`` have a mean whose t-interval contains 0:
    ``(c̄ - R ḡ)² ≤ t² (v_cc - 2 R v_cg + R² v_gg)``, with ``v`` the (co)variances of the
    means (sample (co)variance / n) and ``t = t_{(1+confidence)/2, n-1}``. It is a bounded
    interval exactly when the gain is clearly positive or negative, ``|ḡ| > t · √v_gg``;
    otherwise returns None.
    """
    cost = np.asarray(cost, dtype=float)
    gain = np.asarray(gain, dtype=float)
    n = cost.size
    if n < 2 or gain.size != n:
        return None
    t = float(t_quantile(n, confidence))
    c_mean, g_mean = cost.mean(), gain.mean()
    cov = np.cov(cost, gain, ddof=1) / n
    v_cc, v_cg, v_gg = cov[0, 0], cov[0, 1], cov[1, 1]
    a = g_mean**2 - t**2 * v_gg
    if a <= 0:
        return None
    b = c_mean * g_mean - t**2 * v_cg
    k = c_mean**2 - t**2 * v_cc
    root = np.sqrt(max(b**2 - a * k, 0.0))
    return float((b - root) / a), float((b + root) / a)


def _paired_at(
    timeseries: pd.DataFrame, baseline: str, columns: Sequence[str], horizons: Sequence[int]
) -> pd.DataFrame:
    """Per paired replication: scenario value minus baseline value of ``columns``."""
    frame = timeseries.loc[timeseries["month"].isin(list(horizons))]
    if "point" not in frame.columns:
        frame = frame.assign(point=0)
    frame = frame[["scenario", *_PAIR, "month", *columns]]
    base = frame.loc[frame["scenario"] == baseline].drop(columns="scenario")
    others = frame.loc[frame["scenario"] != baseline]
    paired = others.merge(base, on=[*_PAIR, "month"], suffixes=("", "__base"))
    for column in columns:
        paired[column] = paired[column] - paired[f"{column}__base"]
    return paired[["scenario", *_PAIR, "month", *columns]]


def _ce_row(cost: np.ndarray, gain: np.ndarray) -> dict[str, float | int | str]:
    """Cost, gain and cost per unit (with CIs) from paired per-replication values."""
    n = int(cost.size)
    cost_low, cost_high = mean_ci(cost.mean(), cost.std(ddof=1) if n > 1 else np.nan, n)
    gain_low, gain_high = mean_ci(gain.mean(), gain.std(ddof=1) if n > 1 else np.nan, n)
    row: dict[str, float | int | str] = {
        "n_pairs": n,
        "extra_cost_eur": float(cost.mean()),
        "extra_cost_ci_low": float(cost_low),
        "extra_cost_ci_high": float(cost_high),
        "gain": float(gain.mean()),
        "gain_ci_low": float(gain_low),
        "gain_ci_high": float(gain_high),
        "eur_per_unit": np.nan,
        "eur_per_unit_ci_low": np.nan,
        "eur_per_unit_ci_high": np.nan,
        "note": "",
    }
    if n < 2:
        row["note"] = TOO_FEW
        return row
    interval = fieller_interval(cost, gain) if gain_low > 0 else None
    if interval is None:
        row["note"] = NO_GAIN
        return row
    row["eur_per_unit"] = float(cost.mean() / gain.mean())
    row["eur_per_unit_ci_low"], row["eur_per_unit_ci_high"] = interval
    if cost.mean() <= 0:
        row["note"] = FREE_GAIN
    return row


def cost_effectiveness(
    timeseries: pd.DataFrame,
    baseline: str | None = "status_quo",
    outcomes: Sequence[str] | None = None,
    horizons: Sequence[int] | None = None,
    neighbourhoods: int | None = None,
) -> pd.DataFrame:
    """Extra public money per unit of outcome gained, per non-baseline scenario.

    For each paired replication ``r`` (same seed in scenario and baseline), at a horizon:

    * extra cost ``c_r = Δ(funds_disbursed_eur + overhead_eur)``, cumulative euros to the
      horizon, scenario minus baseline (what is counted: :data:`COST_DEFINITION`);
    * gain ``g_r = Δ outcome × factor``, in units: percentage points of residents for
      trust, social trust and participation (factor 100), 0.1 points for wellbeing
      (factor 10), and whole neighbourhoods brought in order when ``neighbourhoods``
      (their number in the simulated region) is given (factor ``neighbourhoods``), else
      percentage points of neighbourhoods in order (factor 100).

    The cost per unit is ``c̄ / ḡ`` (extra money per unit of average gain). Its 95% CI is
    Fieller's interval from the paired values (:func:`fieller_interval`). It is reported
    only when the gain is clearly positive (95% CI of ``ḡ`` above 0); otherwise ``note``
    is ``"n/a (no gain)"`` and the ratio is empty. A clear gain at zero or lower extra
    cost is marked ``"gain at no extra cost"``.

    Returns one row per scenario, point, outcome and horizon (empty without a baseline,
    a second scenario or the spending reporters).
    """
    columns = [
        "scenario",
        "point",
        "baseline",
        "outcome",
        "horizon_month",
        "unit",
        "n_pairs",
        "extra_cost_eur",
        "extra_cost_ci_low",
        "extra_cost_ci_high",
        "gain",
        "gain_ci_low",
        "gain_ci_high",
        "eur_per_unit",
        "eur_per_unit_ci_low",
        "eur_per_unit_ci_high",
        "note",
    ]
    if outcomes is None:
        outcomes = [name for name in CE_OUTCOMES if name in timeseries.columns]
    scenarios = scenario_order(timeseries["scenario"], baseline)
    spending_present = all(c in timeseries.columns for c in SPENDING_COLUMNS)
    if baseline not in scenarios or len(scenarios) < 2 or not spending_present or not outcomes:
        return pd.DataFrame(columns=columns)
    outcomes, horizons = _resolve(timeseries, outcomes, horizons)
    paired = _paired_at(timeseries, baseline, [*SPENDING_COLUMNS, *outcomes], horizons)
    paired["cost"] = paired[list(SPENDING_COLUMNS)].sum(axis=1)
    rows = []
    for (scenario, point, month), group in paired.groupby(
        ["scenario", "point", "month"], sort=False
    ):
        cost = group["cost"].to_numpy(dtype=float)
        for name in outcomes:
            factor, unit = _gain_unit(name, neighbourhoods)
            gain = group[name].to_numpy(dtype=float) * factor
            keep = np.isfinite(cost) & np.isfinite(gain)
            rows.append(
                {
                    "scenario": scenario,
                    "point": point,
                    "baseline": baseline,
                    "outcome": name,
                    "horizon_month": int(month),
                    "unit": unit,
                    **_ce_row(cost[keep], gain[keep]),
                }
            )
    if not rows:
        return pd.DataFrame(columns=columns)
    return _sort(pd.DataFrame(rows, columns=columns), scenarios, list(outcomes))


def cost_not_quoted(row: Mapping[str, Any]) -> str:
    """Why the cost per unit of a :func:`cost_effectiveness` row is not quoted ("" if it is):
    no clear gain, too few pairs, a gain at no extra cost, or an interval wider than
    :data:`QUOTABLE_RATIO`."""
    note = row.get("note")
    if isinstance(note, str) and note:
        return note
    low, high = float(row["eur_per_unit_ci_low"]), float(row["eur_per_unit_ci_high"])
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low and high <= QUOTABLE_RATIO * low):
        return TOO_UNCERTAIN
    return ""


def _gain_unit(name: str, neighbourhoods: int | None) -> tuple[float, str]:
    if name == "neighbourhoods_in_order" and neighbourhoods:
        return float(neighbourhoods), NEIGHBOURHOOD_UNIT
    info = describe(name)
    return CE_OUTCOMES.get(name, (info.scale, f"{info.diff_unit.removesuffix('s')} of {info.noun}"))
