"""Interchangeable sensitivity methods (SALib 1.6 wrappers), registered by name.

Every method is a :class:`SensitivityMethod`: a ``sample``/``analyze`` function pair of the
same shape plus a little metadata. ``METHODS`` maps the name to the method; adding one is
writing the two functions and calling :func:`register_method`.

* ``sample(problem, n, seed, *, calc_second_order, **options) -> np.ndarray`` returns
  SALib's raw (continuous) sample matrix, one row per model run, one column per factor.
* ``analyze(problem, X, Y, seed, *, num_resamples, conf_level, calc_second_order,
  **options) -> pd.DataFrame`` analyses one output vector ``Y`` and returns a frame indexed
  by factor name (index name ``parameter``) with SALib's column names. Sobol' second-order
  indices, when asked for, come back in ``frame.attrs["S2"]`` / ``frame.attrs["S2_conf"]``
  (square DataFrames, upper triangle filled).

What ``n`` means differs per method:

* ``sobol``: base sample size ``N`` (ideally a power of two); runs = ``N (D + 2)``, or
  ``N (2D + 2)`` with second order. Sampled with a scrambled Sobol' sequence; option
  ``pairing`` (``balanced``, the default, or ``salib``) says which of the sequence's
  dimensions B's columns take (:mod:`gemsim.sensitivity.sobol_design`).
* ``morris``: number of trajectories ``r``; runs = ``r (D + 1)``. Option ``num_levels``
  (even, default 4). Elementary effects are measured per unit of the factor's *normalised*
  range (SALib's ``delta`` on the unit hypercube), so for ``y = c x`` with ``x ~ U(a, b)``
  ``mu_star = |c| (b - a)``.
* ``fast``: points per search curve ``N`` (must exceed ``4 M^2``); runs = ``N D``. Option
  ``M`` (interference factor, default 4). SALib's bootstrap CIs for FAST are indicative only
  (SALib issue #649); its warning about that is silenced here.

Bootstrap seeds: SALib's Sobol' and FAST analysers ignore a falsy seed (``0``) and fall back
on NumPy's global RNG, so the analysers here derive a non-zero 32-bit seed from ``seed``;
FAST, which seeds the global RNG, has its global state saved and restored around the call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import fast as fast_analyze
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import fast_sampler
from SALib.sample import morris as morris_sample

from gemsim.sensitivity.problem import Problem
from gemsim.sensitivity.sobol_design import saltelli_design

# ``sample(problem, n, seed, *, calc_second_order, **options) -> X``; the options are the
# method's own keywords (``num_levels``, ``M``), so the signature varies by method.
SampleFn = Callable[..., np.ndarray]
# ``analyze(problem, X, Y, seed, *, num_resamples, conf_level, calc_second_order,
# **options) -> indices``, with the same method-specific options.
AnalyzeFn = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class SensitivityMethod:
    """A registered sensitivity method.

    Attributes:
        name: registry key.
        sample: the sampler (see module docstring).
        analyze: the analyser (see module docstring).
        columns: the index columns ``analyze`` returns, in order.
        rows_per_unit: ``(problem, calc_second_order) -> rows`` per unit of ``n``.
        prefix_sizes: ``(n_total, steps) -> [n, ...]``, the valid prefix sizes (in units of
            ``n``) for convergence studies, ending with ``n_total``; ``None`` if the design
            cannot be truncated.
        variance_based: whether indices are fractions of output variance (undefined, so
            NaN, for a constant output).
        supports_second_order: whether ``calc_second_order=True`` is meaningful.
        defaults: method-specific options and their defaults.
    """

    name: str
    sample: SampleFn
    analyze: AnalyzeFn
    columns: tuple[str, ...]
    rows_per_unit: Callable[[Problem, bool], int]
    prefix_sizes: Callable[[int, int], list[int]] | None = None
    variance_based: bool = True
    supports_second_order: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``given`` options over the defaults; reject unknown ones."""
        unknown = set(given) - set(self.defaults)
        if unknown:
            raise TypeError(
                f"Unknown option(s) for method {self.name!r}: {sorted(unknown)}; "
                f"accepted: {sorted(self.defaults)}"
            )
        return {**self.defaults, **given}

    def n_runs(self, problem: Problem, n: int, calc_second_order: bool = False) -> int:
        """Number of model runs (sample rows) for size ``n``."""
        return n * self.rows_per_unit(problem, calc_second_order)

    def units_in(self, problem: Problem, n_rows: int, calc_second_order: bool = False) -> int:
        """Infer ``n`` from a sample of ``n_rows`` rows; raise if it does not divide."""
        per = self.rows_per_unit(problem, calc_second_order)
        if n_rows <= 0 or n_rows % per:
            raise ValueError(
                f"{n_rows} rows is not a whole {self.name} design for {problem.num_vars} "
                f"factors (expected a multiple of {per}; calc_second_order={calc_second_order})"
            )
        return n_rows // per


METHODS: dict[str, SensitivityMethod] = {}


def register_method(method: SensitivityMethod) -> SensitivityMethod:
    """Add (or replace) a method in :data:`METHODS`; returns it."""
    METHODS[method.name] = method
    return method


def get_method(name: str) -> SensitivityMethod:
    """Look a method up by name, with a helpful error."""
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"Unknown sensitivity method {name!r}; known: {sorted(METHODS)}") from None


def analysis_seed(seed: int) -> int:
    """A non-zero 32-bit seed derived from ``seed`` for SALib's bootstrap resampling."""
    state = np.random.SeedSequence([int(seed), 0x5EED]).generate_state(1)[0]
    return int(state) or 1


def _frame(problem: Problem, data: Mapping[str, Any], columns: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame(
        {c: np.asarray(data[c], dtype=float) for c in columns},
        index=pd.Index(problem.names, name="parameter"),
    )
    return df


def _as_float(Y: np.ndarray) -> np.ndarray:
    return np.asarray(Y, dtype=float).ravel()


# --- Sobol' ---------------------------------------------------------------------------

SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def sobol_analyze_fn(
    problem: Problem,
    X: np.ndarray,
    Y: np.ndarray,
    seed: int,
    *,
    num_resamples: int,
    conf_level: float,
    calc_second_order: bool,
    pairing: str = "balanced",  # a design option: the analysis reads X's rows as they are
) -> pd.DataFrame:
    """First/total-order Sobol' indices (Saltelli 2010 / Jansen estimators via SALib)."""
    si = sobol_analyze.analyze(
        problem.to_salib(),
        _as_float(Y),
        calc_second_order=calc_second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=analysis_seed(seed),
    )
    df = _frame(problem, si, SOBOL_COLUMNS)
    if calc_second_order:
        names = problem.names
        df.attrs["S2"] = pd.DataFrame(np.asarray(si["S2"], float), index=names, columns=names)
        df.attrs["S2_conf"] = pd.DataFrame(
            np.asarray(si["S2_conf"], float), index=names, columns=names
        )
    return df


def _sobol_rows(problem: Problem, calc_second_order: bool) -> int:
    d = problem.num_vars
    return 2 * d + 2 if calc_second_order else d + 2


def _powers_of_two_prefixes(n_total: int, steps: int) -> list[int]:
    sizes = [2**k for k in range(1, n_total.bit_length()) if 2**k < n_total]
    sizes.append(n_total)
    return sizes[-max(steps, 1) :]


# --- Morris ---------------------------------------------------------------------------

MORRIS_COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")


def morris_sample_fn(
    problem: Problem, n: int, seed: int, *, calc_second_order: bool = False, num_levels: int = 4
) -> np.ndarray:
    """``n`` independent Morris trajectories on a ``num_levels`` grid."""
    if n < 2:
        raise ValueError("Morris needs at least 2 trajectories")
    return np.asarray(
        morris_sample.sample(
            problem.to_salib(), n, num_levels=num_levels, optimal_trajectories=None, seed=seed
        )
    )


def morris_analyze_fn(
    problem: Problem,
    X: np.ndarray,
    Y: np.ndarray,
    seed: int,
    *,
    num_resamples: int,
    conf_level: float,
    calc_second_order: bool,
    num_levels: int = 4,
) -> pd.DataFrame:
    """Morris elementary-effect statistics (``X`` must be the raw Morris sample)."""
    si = morris_analyze.analyze(
        problem.to_salib(),
        np.asarray(X, dtype=float),
        _as_float(Y),
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=num_levels,
        seed=analysis_seed(seed),
    )
    return _frame(problem, {k: np.ma.filled(si[k], np.nan) for k in MORRIS_COLUMNS}, MORRIS_COLUMNS)


def _morris_prefixes(n_total: int, steps: int) -> list[int]:
    steps = max(steps, 1)
    sizes = np.linspace(n_total / steps, n_total, steps).round().astype(int)
    return sorted({int(s) for s in sizes if s >= 2} | {n_total})


# --- FAST -----------------------------------------------------------------------------

FAST_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


def fast_sample_fn(
    problem: Problem, n: int, seed: int, *, calc_second_order: bool = False, M: int = 4
) -> np.ndarray:
    """Extended FAST search curves: ``n`` points per factor (``n > 4 M^2``)."""
    return np.asarray(fast_sampler.sample(problem.to_salib(), n, M=M, seed=seed))


def fast_analyze_fn(
    problem: Problem,
    X: np.ndarray,
    Y: np.ndarray,
    seed: int,
    *,
    num_resamples: int,
    conf_level: float,
    calc_second_order: bool,
    M: int = 4,
) -> pd.DataFrame:
    """eFAST first/total-order indices; CIs are indicative only (see module docstring)."""
    # SALib's FAST bootstrap draws from NumPy's legacy global RNG: seed it, then restore it.
    state = np.random.get_state()  # noqa: NPY002
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="FAST confidence intervals")
            si = fast_analyze.analyze(
                problem.to_salib(),
                _as_float(Y),
                M=M,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=analysis_seed(seed),
            )
    finally:
        np.random.set_state(state)  # noqa: NPY002
    return _frame(problem, si, FAST_COLUMNS)


register_method(
    SensitivityMethod(
        name="sobol",
        sample=saltelli_design,  # scrambled Sobol' sequence, A/B pairing option
        analyze=sobol_analyze_fn,
        columns=SOBOL_COLUMNS,
        rows_per_unit=_sobol_rows,
        prefix_sizes=_powers_of_two_prefixes,
        variance_based=True,
        supports_second_order=True,
        defaults={"pairing": "balanced"},
    )
)
register_method(
    SensitivityMethod(
        name="morris",
        sample=morris_sample_fn,
        analyze=morris_analyze_fn,
        columns=MORRIS_COLUMNS,
        rows_per_unit=lambda problem, _so: problem.num_vars + 1,
        prefix_sizes=_morris_prefixes,
        variance_based=False,
        defaults={"num_levels": 4},
    )
)
register_method(
    SensitivityMethod(
        name="fast",
        sample=fast_sample_fn,
        analyze=fast_analyze_fn,
        columns=FAST_COLUMNS,
        rows_per_unit=lambda problem, _so: problem.num_vars,
        prefix_sizes=None,
        variance_based=True,
        defaults={"M": 4},
    )
)
