"""Goal seeking: the input at which a noisy, monotone output reaches a target.

"How much money would it take for 95% of the neighbourhoods to be in order?" is the
inverse of a model run: the smallest input value (the money) whose expected output (the
share in order) reaches the target. The model is stochastic, so the answer comes with an
interval.

The search (:func:`seek_goal`):

1. runs the model at ``points`` values spread over ``[low, high]``, ``replications`` times
   each with the same seeds at every value (common random numbers, so the curve's shape is
   not blurred by different random draws);
2. fits the monotone curve through the means by isotonic regression (Barlow et al. 1972;
   ``scipy.optimize.isotonic_regression``), which assumes nothing but monotonicity, and
   reads the crossing of the target off it (linear between the values run);
3. bootstraps the replications (Efron and Tibshirani 1993: whole replications, the same at
   every value, are resampled, which keeps the common random numbers paired) for an
   interval of the crossing: the expanded percentile interval (Hesterberg 2015,
   :func:`expanded_alpha`), since a plain percentile interval from 10 replications covers
   about 91% instead of 95%;
4. zooms in: runs ``points`` new values between the values that bracket that interval, and
   repeats 2-3 on all runs, ``rounds`` times in all.

The answer is "not reached" when the fitted curve stays short of the target at ``high``,
and "at or below ``low``" when it already reaches it at ``low``; a bootstrap interval end
that is not reached is infinite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

from gemsim.sensitivity.stochastic import stream_seeds

__all__ = ["GoalFn", "GoalSeek", "crossing", "expanded_alpha", "seek_goal"]

GoalFn = Callable[[float, int], float]
"""``(input value, seed) -> output``: one run of the model at one input value."""

GoalJob = tuple[float, int]
GoalMapFn = Callable[[Callable[[GoalJob], float], Iterable[GoalJob]], Iterator[float]]
Status = Literal["within", "at_or_below_low", "not_reached"]


@dataclass(frozen=True)
class _Call:
    """``f`` as a one-argument callable on ``(value, seed)``; picklable if ``f`` is."""

    f: GoalFn

    def __call__(self, job: GoalJob) -> float:
        value, seed = job
        return float(self.f(value, seed))


def crossing(values: np.ndarray, fitted: np.ndarray, target: float) -> float:
    """The smallest value at which a non-decreasing curve reaches ``target``.

    ``values`` ascending, ``fitted`` non-decreasing; linear between values. Returns
    ``values[0]`` if the curve starts at or above the target and ``inf`` if it never
    reaches it.
    """
    above = np.flatnonzero(fitted >= target)
    if above.size == 0:
        return math.inf
    i = int(above[0])
    if i == 0:
        return float(values[0])
    x0, x1, y0, y1 = values[i - 1], values[i], fitted[i - 1], fitted[i]
    return float(x0 + (target - y0) / (y1 - y0) * (x1 - x0))


@dataclass(frozen=True)
class GoalSeek:
    """The input value at which the output reaches the target, with its interval.

    Attributes:
        target: the output level sought.
        increasing: whether the output rises with the input (else it falls, and the goal
            is the smallest input at which it is at most ``target``).
        estimate: the crossing of the fitted curve (``inf`` when not reached; ``low`` when
            already reached there).
        ci_low, ci_high: expanded percentile bootstrap interval of ``estimate`` (``inf`` ends are
            resamples that do not reach the target within the range).
        conf_level: the interval's confidence level.
        status: ``"within"``, ``"at_or_below_low"`` or ``"not_reached"``.
        low, high: the range searched.
        runs: every run: ``value, replication, seed, output``.
        curve: per value run: ``value, mean, se, fitted`` (``fitted`` is the monotone fit).
    """

    target: float
    increasing: bool
    estimate: float
    ci_low: float
    ci_high: float
    conf_level: float
    status: Status
    low: float
    high: float
    runs: pd.DataFrame
    curve: pd.DataFrame

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.ci_low <= value <= self.ci_high

    def sentence(self, output: str = "the output", unit: str = "") -> str:
        """The answer in words, e.g. "the output reaches 0.95 at 5.99 (95% CI 5.6-6.4)"."""
        u = f" {unit}" if unit else ""
        reach = "reaches" if self.increasing else "falls to"
        if self.status == "not_reached":
            verb = "reach" if self.increasing else "fall to"
            return f"{output} does not {verb} {self.target:g} by {self.high:g}{u}."
        if self.status == "at_or_below_low":
            return f"{output} {reach} {self.target:g} already at {self.low:g}{u} or less."
        high = "beyond the range" if math.isinf(self.ci_high) else f"{self.ci_high:.3g}"
        return (
            f"{output} {reach} {self.target:g} at {self.estimate:.3g}{u} "
            f"({self.conf_level:.0%} CI {self.ci_low:.3g} to {high}{u})."
        )


def expanded_alpha(alpha: float, n: int) -> float:
    """The tail share of Hesterberg's (2015) expanded percentile interval for ``n`` samples.

    A plain percentile bootstrap is too narrow for a few replications (its spread is that of
    ``n`` values, not of the population, and it uses normal, not t, tails): for the mean of
    10 normal values its 95% interval covers about 91%. Taking the bootstrap quantiles at
    ``alpha' = 2 Φ(-sqrt(n / (n - 1)) t_{1-alpha/2, n-1})`` corrects both (Hesterberg 2015,
    *Am. Stat.* 69: 371-386).
    """
    from scipy.stats import norm
    from scipy.stats import t as student_t

    quantile = float(student_t.ppf(1 - alpha / 2, n - 1))
    return float(2 * norm.cdf(-math.sqrt(n / (n - 1)) * quantile))


def _fit(values: np.ndarray, means: np.ndarray, sign: float) -> np.ndarray:
    """Monotone fit of ``sign * means`` (non-decreasing), in the sign-flipped scale."""
    return np.asarray(isotonic_regression(sign * means, increasing=True).x, dtype=float)


def _estimate_and_interval(
    values: np.ndarray,
    outputs: np.ndarray,
    target: float,
    sign: float,
    n_boot: int,
    conf_level: float,
    rng: np.random.Generator,
) -> tuple[float, float, float, np.ndarray]:
    """Crossing of the fit through the replication means, and its bootstrap interval.

    ``outputs`` has one row per value and one column per replication (same seeds per
    column), so resampling columns resamples whole random paths.
    """
    fitted = _fit(values, outputs.mean(axis=1), sign)
    estimate = crossing(values, fitted, sign * target)
    replications = outputs.shape[1]
    boots = np.empty(n_boot)
    for b in range(n_boot):
        columns = rng.integers(0, replications, replications)
        boots[b] = crossing(
            values, _fit(values, outputs[:, columns].mean(axis=1), sign), sign * target
        )
    alpha = expanded_alpha(1 - conf_level, replications)
    ci_low, ci_high = np.quantile(boots, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    return estimate, float(ci_low), float(ci_high), fitted


def seek_goal(
    f: GoalFn,
    target: float,
    low: float,
    high: float,
    *,
    increasing: bool = True,
    replications: int = 10,
    points: int = 9,
    rounds: int = 2,
    seed: int = 0,
    n_boot: int = 1000,
    conf_level: float = 0.95,
    map_fn: GoalMapFn = map,
) -> GoalSeek:
    """The smallest input in ``[low, high]`` whose expected output reaches ``target``.

    Args:
        f: one run, ``(input value, seed) -> output``.
        target: the output level sought.
        low, high: the input range to search.
        increasing: the output rises with the input (else falls; the goal is then the
            smallest input at which the output is at most ``target``).
        replications: runs per input value (seeds from :func:`stream_seeds` of ``seed``,
            the same at every value).
        points: input values run per round.
        rounds: search rounds (the first spans the range, each later one the interval
            found so far).
        seed: root of the runs' seeds and of the bootstrap.
        n_boot: bootstrap resamples for the interval.
        conf_level: confidence level of the interval.
        map_fn: order-preserving map over ``(value, seed)`` jobs (``Executor.map``).
    """
    if not low < high:
        raise ValueError(f"Need low < high, got {low}, {high}")
    if replications < 2 or points < 2 or rounds < 1 or n_boot < 1:
        raise ValueError("Need replications >= 2, points >= 2, rounds >= 1 and n_boot >= 1")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level}")
    seeds = stream_seeds(seed, replications)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x60A1]))
    sign = 1.0 if increasing else -1.0
    results: dict[float, list[float]] = {}
    new_values = np.linspace(low, high, points)
    for _round in range(rounds):
        todo = [float(v) for v in new_values if float(v) not in results]
        jobs = [(v, s) for v in todo for s in seeds]
        outs = list(map_fn(_Call(f), jobs))
        for i, v in enumerate(todo):
            results[v] = outs[i * replications : (i + 1) * replications]
        values = np.array(sorted(results))
        outputs = np.array([results[v] for v in values], dtype=float)
        estimate, ci_low, ci_high, fitted = _estimate_and_interval(
            values, outputs, target, sign, n_boot, conf_level, rng
        )
        if math.isinf(estimate):
            break
        # Next round: new values between the values that bracket the interval.
        left = values[values <= ci_low].max(initial=low)
        right = values[values >= ci_high].min(initial=high)
        new_values = np.linspace(left, right, points + 2)[1:-1]
    status: Status = "within"
    if math.isinf(estimate):
        status = "not_reached"
    elif estimate <= values[0]:
        status = "at_or_below_low"
    runs = pd.DataFrame(
        [
            (v, r, s, out)
            for v in values
            for r, (s, out) in enumerate(zip(seeds, results[float(v)], strict=True))
        ],
        columns=["value", "replication", "seed", "output"],
    )
    curve = pd.DataFrame(
        {
            "value": values,
            "mean": outputs.mean(axis=1),
            "se": outputs.std(axis=1, ddof=1) / math.sqrt(replications),
            "fitted": sign * fitted,
        }
    )
    return GoalSeek(
        target=target,
        increasing=increasing,
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        conf_level=conf_level,
        status=status,
        low=low,
        high=high,
        runs=runs,
        curve=curve,
    )
