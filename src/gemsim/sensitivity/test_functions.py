"""Test functions with known sensitivity indices, kept apart from the API (as SALib keeps
``SALib.test_functions``): use them to check a method, a sample size or a new estimator.

* :func:`ishigami` on :data:`ISHIGAMI_PROBLEM`, with analytic indices from
  :func:`ishigami_indices` (Ishigami and Homma 1990; Sobol' and Levitan 1999).
* :func:`noisy_ishigami`: the same plus Gaussian noise drawn from the run's seed, a
  stochastic function ``(params, seed) -> outputs`` whose random-path variance is known.
"""

from __future__ import annotations

import math

import numpy as np

from gemsim.sensitivity.problem import Factor, Problem

__all__ = [
    "ISHIGAMI_A",
    "ISHIGAMI_B",
    "ISHIGAMI_PROBLEM",
    "ishigami",
    "ishigami_indices",
    "ishigami_variance",
    "noisy_ishigami",
]

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1

ISHIGAMI_PROBLEM = Problem(
    factors=tuple(Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)),
    outputs=("y",),
)
"""Ishigami problem: ``x1, x2, x3 ~ U(-π, π)``, output ``y``."""


def ishigami(
    params: dict[str, float], a: float = ISHIGAMI_A, b: float = ISHIGAMI_B
) -> dict[str, float]:
    """Ishigami function ``y = sin x1 + a sin² x2 + b x3⁴ sin x1`` (default a=7, b=0.1)."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def noisy_ishigami(params: dict[str, float], seed: int, noise_sd: float = 2.0) -> dict[str, float]:
    """:func:`ishigami` plus ``noise_sd`` times a standard normal draw from ``seed``.

    The noise is independent of the parameters, so the variance of a single run is
    :func:`ishigami_variance` ``+ noise_sd**2`` and the mean of ``R`` runs has noise variance
    ``noise_sd**2 / R``.
    """
    noise = float(np.random.default_rng(seed).standard_normal())
    return {"y": ishigami(params)["y"] + noise_sd * noise}


def ishigami_variance(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> float:
    """Variance of :func:`ishigami` on U(-π, π)³ (≈ 13.84 for a=7, b=0.1)."""
    pi4 = math.pi**4
    return 0.5 * (1 + b * pi4 / 5) ** 2 + a**2 / 8 + b**2 * pi4**2 * (1 / 18 - 1 / 50)


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytic first- and total-order Sobol' indices of :func:`ishigami` on U(-π, π)³.

    Returns ``{"S1": {"x1": .., "x2": .., "x3": ..}, "ST": {...}}``; for a=7, b=0.1:
    S1 ≈ (0.314, 0.442, 0), ST ≈ (0.558, 0.442, 0.244).
    """
    pi4 = math.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi4**2 * (1 / 18 - 1 / 50)
    var = ishigami_variance(a, b)
    return {
        "S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var},
    }
