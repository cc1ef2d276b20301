"""Test functions with known sensitivity indices, kept apart from the API (as SALib keeps
``SALib.test_functions``): use them to check a method, a sample size or a new estimator.

* :func:`ishigami` on :data:`ISHIGAMI_PROBLEM`, with analytic indices from
  :func:`ishigami_indices` (Ishigami and Homma 1990; Sobol' and Levitan 1999).
"""

from __future__ import annotations

import math

from gemsim.sensitivity.problem import Factor, Problem

__all__ = ["ISHIGAMI_A", "ISHIGAMI_B", "ISHIGAMI_PROBLEM", "ishigami", "ishigami_indices"]

ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1

ISHIGAMI_PROBLEM = Problem(
    factors=tuple(Factor(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)),
    outputs=("y",),
)
"""Ishigami problem: ``x1, x2, x3 ~ U(-π, π)``, output ``y``."""


def ishigami(params: dict[str, float], a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict:
    """Ishigami function ``y = sin x1 + a sin² x2 + b x3⁴ sin x1`` (default a=7, b=0.1)."""
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, dict[str, float]]:
    """Analytic first- and total-order Sobol' indices of :func:`ishigami` on U(-π, π)³.

    Returns ``{"S1": {"x1": .., "x2": .., "x3": ..}, "ST": {...}}``; for a=7, b=0.1:
    S1 ≈ (0.314, 0.442, 0), ST ≈ (0.558, 0.442, 0.244).
    """
    pi4 = math.pi**4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi4**2 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / var, "x2": v2 / var, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / var, "x2": v2 / var, "x3": v13 / var},
    }
