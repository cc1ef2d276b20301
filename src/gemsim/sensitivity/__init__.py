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
  with known indices (from :mod:`gemsim.sensitivity.test_functions`).

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
from gemsim.sensitivity.test_functions import ISHIGAMI_PROBLEM, ishigami, ishigami_indices

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
