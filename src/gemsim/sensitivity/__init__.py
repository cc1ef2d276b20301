"""Global sensitivity analysis (SALib 1.6) on any callable ``params dict -> outputs dict``.

* :class:`Factor`, :class:`Problem`: the uncertain inputs (float/int/categorical, SALib
  distributions) and how SALib samples are decoded into model parameters.
* :data:`METHODS`: ``"sobol"``, ``"morris"``, ``"fast"``; add one with
  :func:`register_method`.
* :func:`run_sensitivity`: sample, evaluate (through any ``map``), analyse each output.
* :func:`sample_design` + :func:`analyze_outputs`: the same in two steps for a runner that
  evaluates the design itself.
* :func:`convergence`: indices on growing prefixes of a design.
* :func:`plot_indices`, :func:`plot_morris`, :func:`plot_convergence` (imported lazily,
  they pull in matplotlib).
* :func:`ishigami`, :data:`ISHIGAMI_PROBLEM`, :func:`ishigami_indices`: a test function
  with known indices.

Your own model or function (any ``params dict -> {output: float}``)::

    from gemsim.sensitivity import Factor, Problem, run_sensitivity

    problem = Problem(
        factors=(Factor("x", 0.0, 1.0), Factor("k", 1, 5, kind="int"),
                 Factor.categorical("rule", ["a", "b"])),
        outputs=("y",),
    )
    result = run_sensitivity(f, problem, method="sobol", n=256, seed=0)
    result.indices                      # output, parameter, S1, S1_conf, ST, ST_conf
    result.convergence()                # the same on growing parts of the sample

The gemsim model itself: write an experiment file with a ``[sensitivity]`` table
(``experiments/sobol.toml``, ``experiments/morris.toml``) and run
``gemsim sensitivity FILE`` or, from Python, :func:`gemsim.study.jobs.run_sensitivity_job`
(parallel, resumable, common random numbers across regimes, ``sensitivity.html``).
"""

from __future__ import annotations

import math
from importlib import import_module
from typing import Any

from gemsim.sensitivity.analysis import (
    SensitivityResult,
    SensitivityWarning,
    analyze_outputs,
    evaluate,
    run_sensitivity,
    sample_design,
)
from gemsim.sensitivity.convergence import convergence
from gemsim.sensitivity.methods import METHODS, SensitivityMethod, get_method, register_method
from gemsim.sensitivity.problem import Factor, Problem

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


_LAZY = {"plot_indices", "plot_morris", "plot_convergence"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module("gemsim.sensitivity.plots"), name)
    raise AttributeError(f"module 'gemsim.sensitivity' has no attribute {name!r}")


__all__ = [
    "ISHIGAMI_PROBLEM",
    "METHODS",
    "Factor",
    "Problem",
    "SensitivityMethod",
    "SensitivityResult",
    "SensitivityWarning",
    "analyze_outputs",
    "convergence",
    "evaluate",
    "get_method",
    "ishigami",
    "ishigami_indices",
    "plot_convergence",
    "plot_indices",
    "plot_morris",
    "register_method",
    "run_sensitivity",
    "sample_design",
]
