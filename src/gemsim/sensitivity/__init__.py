"""Global sensitivity analysis (SALib 1.6) on any callable ``params dict -> outputs dict``.

* :class:`Factor`, :class:`Problem`: the uncertain inputs (float/int/categorical, SALib
  distributions) and how SALib samples are decoded into model parameters.
* :data:`METHODS`: ``"sobol"``, ``"morris"``, ``"fast"``; add one with
  :func:`register_method`.
* :func:`run_sensitivity`: sample, evaluate (through any ``map``), analyse each output.
* :func:`sample_design` + :func:`analyze_outputs`: the same in two steps for a runner that
  evaluates the design itself.
* :func:`convergence`: indices on growing prefixes of a design; :func:`check_convergence`
  says whether the leading indices settled to a stated tolerance over the last doubling
  (and what sample size would reach it); :func:`disjoint_halves` and :func:`halves_z`
  compare the bootstrap intervals with the gap between a design's two halves.
* Stochastic functions ``f(params, seed)`` (:mod:`gemsim.sensitivity.stochastic`):
  :func:`run_stochastic_sensitivity` with replications and a noise-floor dummy
  (:meth:`Problem.with_noise_dummy`) whose index is the random path's share,
  :func:`replication_variance` beside the indices, and a Gaussian-process metamodel with
  its out-of-sample error (:mod:`gemsim.sensitivity.metamodel`); :func:`interval_widths`
  and :func:`allocation_table` measure whether more replications or more base samples
  narrow the intervals for fewer runs (:mod:`gemsim.sensitivity.replication_allocation`).
* :func:`discover`, :func:`discover_sign_flips`: scenario discovery (PRIM boxes, a CART
  tree, a sentence, figures; :mod:`gemsim.sensitivity.discovery`, imported lazily).
* :func:`seek_goal`: the input at which a noisy monotone output reaches a target, with a
  bootstrap interval (:mod:`gemsim.sensitivity.goal_seeking`).
* :func:`plot_indices`, :func:`plot_morris`, :func:`plot_convergence` (imported lazily,
  they pull in matplotlib).
* :func:`ishigami`, :data:`ISHIGAMI_PROBLEM`, :func:`ishigami_indices`,
  :func:`noisy_ishigami`: test functions with known indices (from
  :mod:`gemsim.sensitivity.test_functions`).

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
from gemsim.sensitivity.convergence import (
    check_convergence,
    convergence,
    disjoint_halves,
    halves_z,
)
from gemsim.sensitivity.goal_seeking import GoalSeek, seek_goal
from gemsim.sensitivity.methods import METHODS, SensitivityMethod, get_method, register_method
from gemsim.sensitivity.problem import Factor, Problem
from gemsim.sensitivity.replication_allocation import (
    allocation_table,
    interval_widths,
    replication_groups,
)
from gemsim.sensitivity.stochastic import (
    StochasticResult,
    beyond_noise,
    noise_floor,
    replication_variance,
    run_stochastic_sensitivity,
    stream_seeds,
)
from gemsim.sensitivity.test_functions import (
    ISHIGAMI_PROBLEM,
    ishigami,
    ishigami_indices,
    noisy_ishigami,
)

# Imported on first use: matplotlib for the figures, the EMA Workbench for discovery.
_LAZY = {
    "plot_indices": "gemsim.sensitivity.plots",
    "plot_morris": "gemsim.sensitivity.plots",
    "plot_convergence": "gemsim.sensitivity.plots",
    "discover": "gemsim.sensitivity.discovery",
    "discover_sign_flips": "gemsim.sensitivity.discovery",
    "ScenarioDiscovery": "gemsim.sensitivity.discovery",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gemsim.sensitivity' has no attribute {name!r}")


__all__ = [
    "ISHIGAMI_PROBLEM",
    "METHODS",
    "Factor",
    "GoalSeek",
    "Problem",
    "ScenarioDiscovery",
    "SensitivityMethod",
    "SensitivityResult",
    "SensitivityWarning",
    "StochasticResult",
    "allocation_table",
    "analyze_outputs",
    "beyond_noise",
    "check_convergence",
    "convergence",
    "discover",
    "discover_sign_flips",
    "disjoint_halves",
    "evaluate",
    "get_method",
    "halves_z",
    "interval_widths",
    "ishigami",
    "ishigami_indices",
    "noise_floor",
    "noisy_ishigami",
    "plot_convergence",
    "plot_indices",
    "plot_morris",
    "register_method",
    "replication_groups",
    "replication_variance",
    "run_sensitivity",
    "run_stochastic_sensitivity",
    "sample_design",
    "seek_goal",
    "stream_seeds",
]
