"""A Gaussian-process metamodel of a stochastic function's runs, and its Sobol' indices.

Why a metamodel. The runs of a stochastic model mix the parameters' effect with the random
path's. A Gaussian process with a white-noise term (a "nugget") fitted to the runs splits
the two: its predictive mean is the smooth response to the parameters, the nugget the noise
variance around it. Sobol' indices of the predictive mean are those of the parameter effect
alone, and the metamodel can be sampled far more densely than the model itself. This is the
approach of Marrel et al. (2009, *Reliab. Eng. Syst. Saf.* 94: 742-751) for costly models
and of Marrel et al. (2012, *Stat. Comput.* 22: 833-847) and Le Gratiet, Marelli and Sudret
(2017, *Handbook of Uncertainty Quantification*) for stochastic ones. The indices are
estimated on the metamodel with the Saltelli/Jansen estimators (Saltelli et al. 2010,
*Comput. Phys. Commun.* 181: 259-270) through SALib.

Why scikit-learn's ``GaussianProcessRegressor``. It is maintained, on PyPI, fits the noise
variance as a kernel hyperparameter (``WhiteKernel``), and needs nothing compiled beyond
scikit-learn itself. A polynomial-chaos expansion (``chaospy``) gives indices analytically
from its coefficients but has no noise term and needs a high degree for a response as
wavy as Ishigami's; a Gaussian process also interpolates the thresholds an agent-based
model tends to have more gracefully. Its cost grows as ``n^3`` in the number of training
runs, so at most ``max_points`` runs (a seeded random subset) are used to fit it: here a
fit of 22 inputs takes about 30 s on 800 runs and 2-3 min on 1,600 (one core).

How good is it. :func:`fit_metamodel` reports the out-of-sample error by ``k``-fold cross
validation: ``q2`` (the coefficient of determination on held-out runs) and ``rmse``. In a
Saltelli or Morris design a row has one-at-a-time neighbours that share all its inputs but
one and, under common random numbers, its random path; folds that split such a block let
a held-out row be predicted from its twin, which rates a metamodel that only interpolates
its runs as good. Given the design's blocks (``groups``), the folds keep each block whole. On
noisy runs even a perfect metamodel cannot predict the noise, so ``q2`` is at most
``1 - noise share``; ``noise_share`` (the fitted nugget over the runs' variance) is reported
beside it, and ``q2 + noise_share`` near 1 says the smooth part is captured.

Inputs. The metamodel sees SALib's continuous sample columns (the stand-ins of discrete
factors included) scaled to ``[0, 1]`` over the training runs; the noise dummy, if any, is
left out, its effect being exactly what the nugget absorbs. A categorical factor enters as
the index of its level, so a Gaussian process treats its levels as ordered: fit one
metamodel per level when that matters.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from gemsim.sensitivity.methods import analysis_seed
from gemsim.sensitivity.pool import in_processes
from gemsim.sensitivity.problem import Problem

__all__ = ["Metamodel", "fit_metamodel", "metamodel_convergence", "metamodel_indices"]

#: Rows predicted at a time by :meth:`Metamodel.predict`.
PREDICT_CHUNK = 8192


@dataclass
class Metamodel:
    """A fitted Gaussian process on one output, and its out-of-sample error.

    Attributes:
        problem: the factors the metamodel takes (the noise dummy removed).
        output: the output it predicts.
        gp: the fitted ``sklearn.gaussian_process.GaussianProcessRegressor``.
        lower, upper: per factor, the range of the training inputs (scaled to ``[0, 1]``).
        fit: ``n_train, folds, q2, rmse, noise_variance, output_variance, noise_share``.
    """

    problem: Problem
    output: str
    gp: Any
    lower: np.ndarray
    upper: np.ndarray
    fit: dict[str, float]

    def _scale(self, X: np.ndarray) -> np.ndarray:
        span = np.where(self.upper > self.lower, self.upper - self.lower, 1.0)
        return np.asarray((np.asarray(X, dtype=float) - self.lower) / span)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictive mean at SALib sample rows ``X`` (columns of :attr:`problem`), in
        chunks of :data:`PREDICT_CHUNK` rows (the cross-kernel of a chunk with the training
        runs is built whole: 8,192 x 1,600 values are 100 MB)."""
        Xs = self._scale(X)
        with threadpool_limits(limits=1, user_api="blas"):
            parts = [
                np.asarray(self.gp.predict(Xs[start : start + PREDICT_CHUNK]), dtype=float)
                for start in range(0, len(Xs), PREDICT_CHUNK)
            ]
        return np.concatenate(parts) if parts else np.empty(0)

    def sobol(
        self, n: int = 4096, seed: int = 0, *, num_resamples: int = 200, conf_level: float = 0.95
    ) -> pd.DataFrame:
        """Sobol' ``S1, S1_conf, ST, ST_conf`` of the predictive mean, indexed by parameter.

        A Saltelli design of base size ``n`` (balanced pairing, see
        :mod:`gemsim.sensitivity.sobol_design`) is drawn on the problem's distributions and
        the metamodel evaluated on it; the ``_conf`` columns are SALib's bootstrap intervals
        of that Monte Carlo estimate (they do not include the metamodel's own error, which
        :attr:`fit` reports).
        """
        from SALib.analyze import sobol as sobol_analyze

        from gemsim.sensitivity.sobol_design import saltelli_design

        X = saltelli_design(self.problem, n, seed)
        si = sobol_analyze.analyze(
            self.problem.to_salib(),
            self.predict(X),
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=analysis_seed(seed),
        )
        columns = ("S1", "S1_conf", "ST", "ST_conf")
        index = pd.Index(self.problem.names, name="parameter")
        return pd.DataFrame({c: np.asarray(si[c], dtype=float) for c in columns}, index=index)


def _regressor(dims: int, seed: int) -> Any:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    # Matérn 5/2 (twice differentiable, less smooth than the squared exponential, which
    # suits simulation responses: Stein 1999; Marrel et al. 2009), one length scale per
    # input. Outputs are standardised (normalize_y), so the bounds are in units of the
    # output's standard deviation and of the scaled [0, 1] inputs.
    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(dims, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(noise_level=0.1, noise_level_bounds=(1e-8, 1.0))
    return GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=seed)


def _fit(X: np.ndarray, y: np.ndarray, seed: int, kernel: Any = None) -> Any:
    """A fitted regressor; with ``kernel`` given, its hyperparameters are kept as they are."""
    from sklearn.exceptions import ConvergenceWarning

    gp = _regressor(X.shape[1], seed)
    if kernel is not None:
        gp.set_params(kernel=kernel, optimizer=None)
    # One BLAS thread: the last bits of a Cholesky factor depend on the thread count, and
    # matrices of a few hundred rows gain nothing from threads on a shared machine.
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        # A hyperparameter at its bound (e.g. a noise-free output's nugget at 1e-8) is
        # reported by the fit statistics; the optimiser's warning adds nothing.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(X, y)
    return gp


def fit_metamodel(
    problem: Problem,
    X: np.ndarray,
    y: np.ndarray,
    *,
    output: str = "y",
    folds: int = 5,
    seed: int = 0,
    max_points: int = 800,
    refit_folds: bool = False,
    groups: np.ndarray | None = None,
) -> Metamodel:
    """Fit a Gaussian process to runs ``(X, y)`` and measure it by ``folds``-fold CV.

    Args:
        problem: the problem ``X`` was sampled for; a noise dummy's column is dropped.
        X: SALib's raw sample rows of the runs (repeated rows for replications are fine).
        y: one output value per row (single runs or point means).
        output: the output's name, for the record.
        folds: cross-validation folds for the out-of-sample error (at least 2).
        seed: seeds the subset, the folds and the Gaussian process.
        max_points: at most this many runs train the metamodel (``n^3`` cost).
        refit_folds: re-estimate the kernel's hyperparameters on every fold. By default
            the folds keep those fitted on all runs and only re-condition on their training
            part (Rasmussen and Williams 2006, sec. 5.4.2): ``folds`` times cheaper, and
            slightly optimistic, since the held-out runs helped choose the length scales.
        groups: per row, its design block (e.g. :func:`gemsim.sensitivity.discovery.\
design_blocks`); the folds then hold out whole blocks (at most one fold per block).
            ``None``: rows are independent.
    """
    from sklearn.model_selection import GroupKFold, KFold

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if X.ndim != 2 or X.shape != (len(y), problem.num_vars):
        raise ValueError(f"X has shape {X.shape}; expected ({len(y)}, {problem.num_vars})")
    if not np.isfinite(y).all():
        raise ValueError(f"Output {output!r} has non-finite values; cannot fit a metamodel")
    if folds < 2:
        raise ValueError(f"folds must be at least 2, got {folds}")
    keep = [j for j, name in enumerate(problem.names) if name != problem.noise_dummy]
    inputs = problem.without_noise_dummy()
    X = X[:, keep]
    if groups is not None:
        groups = np.asarray(groups).ravel()
        if groups.shape != y.shape:
            raise ValueError(f"groups has shape {groups.shape}; expected ({len(y)},)")
    rng = np.random.default_rng(seed)
    if len(y) > max_points:
        rows = np.sort(rng.choice(len(y), size=max_points, replace=False))
        X, y = X[rows], y[rows]
        groups = None if groups is None else groups[rows]
    if groups is not None:  # a small design: as many folds as blocks
        blocks = np.unique(groups).size
        if blocks < 2:
            raise ValueError(f"{blocks} design block cannot be held out from itself")
        folds = min(folds, blocks)
    lower, upper = X.min(axis=0), X.max(axis=0)
    model = Metamodel(inputs, output, None, lower, upper, {})
    Xs = model._scale(X)
    model.gp = _fit(Xs, y, seed)
    held_out = np.empty_like(y)
    splits = (
        KFold(folds, shuffle=True, random_state=seed).split(Xs)
        if groups is None
        else GroupKFold(folds).split(Xs, y, groups)
    )
    for train, test in splits:
        fold = _fit(Xs[train], y[train], seed, None if refit_folds else model.gp.kernel_)
        held_out[test] = fold.predict(Xs[test])
    residual = float(np.sum((y - held_out) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    output_variance = float(np.var(y, ddof=1))
    # The nugget is fitted on the standardised output: back to output units.
    noise_variance = float(model.gp.kernel_.k2.noise_level) * float(model.gp._y_train_std) ** 2
    model.fit = {
        "n_train": float(len(y)),
        "folds": float(folds),
        "q2": 1.0 - residual / total if total > 0 else float("nan"),
        "rmse": float(np.sqrt(residual / len(y))),
        "noise_variance": noise_variance,
        "output_variance": output_variance,
        "noise_share": noise_variance / output_variance if output_variance > 0 else float("nan"),
    }
    return model


def metamodel_indices(
    problem: Problem,
    X: np.ndarray,
    Y_frame: pd.DataFrame,
    *,
    n: int = 4096,
    seed: int = 0,
    folds: int = 5,
    max_points: int = 800,
    workers: int = 1,
    groups: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metamodel-based Sobol' indices of every output, and each metamodel's fit.

    Returns ``(indices, fits)``: ``indices`` is a long frame ``output, parameter, S1,
    S1_conf, ST, ST_conf`` (the parameter effect without the random path); ``fits`` has one
    row per output with the columns of :attr:`Metamodel.fit`. Arguments as for
    :func:`fit_metamodel` (``groups``: the rows' design blocks) and :meth:`Metamodel.sobol`;
    with ``workers`` > 1 the outputs
    are fitted in that many processes (each output's fit is seeded alone, so the result
    is the same).
    """
    one = partial(
        _output_indices,
        problem,
        np.asarray(X),
        n=n,
        seed=seed,
        folds=folds,
        max_points=max_points,
        groups=groups,
    )
    jobs = [(str(output), Y_frame[output].to_numpy()) for output in Y_frame.columns]
    results = in_processes(one, jobs, workers)
    parts = [frame for frame, _ in results]
    fits = [fit for _, fit in results]
    return pd.concat(parts, ignore_index=True), pd.DataFrame(fits)


def _output_indices(
    problem: Problem,
    X: np.ndarray,
    job: tuple[str, np.ndarray],
    *,
    n: int,
    seed: int,
    folds: int,
    max_points: int,
    groups: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    output, y = job
    model = fit_metamodel(
        problem,
        X,
        y,
        output=output,
        folds=folds,
        seed=seed,
        max_points=max_points,
        groups=groups,
    )
    frame = model.sobol(n, seed).reset_index()
    frame.insert(0, "output", output)
    return frame, {"output": output, **model.fit}


def metamodel_convergence(
    problem: Problem,
    X: np.ndarray,
    Y_frame: pd.DataFrame,
    indices: pd.DataFrame,
    *,
    fits: pd.DataFrame | None = None,
    n: int = 4096,
    seed: int = 0,
    folds: int = 5,
    max_points: int = 800,
    top: int = 3,
    tolerance: float = 0.05,
    workers: int = 1,
    groups: np.ndarray | None = None,
) -> pd.DataFrame:
    """Do the metamodel's indices still move with the sample? Each output's metamodel is
    fitted again on the first half of the sample rows and on the second half (for a
    Saltelli design, the first and the last half of its base rows: disjoint design
    blocks), and the three fits' total indices compared for the ``top`` parameters of
    the full fit (``indices``, from :func:`metamodel_indices`).

    Two checks, both at ``tolerance``. ``change``: the full fit against the first half's,
    the usual doubling check; the two fits share the first half's points, so it says the
    indices stopped moving, not how far they are from the truth. ``halves_gap``: the two
    halves' fits against each other, on disjoint points: the difference of two
    independent fits, about sqrt(2) times one half-sample fit's sampling error. An output
    has ``converged`` when neither exceeds the tolerance for any of its leaders. The
    halves end at a design block's boundary (given ``groups``): the first half holds the
    first ``blocks // 2`` blocks, the second as many rows after them; rows beyond (an
    odd block) are in neither.

    Returns one row per output and parameter: ``output, parameter, rank, ST_half,
    ST_second_half, ST, change, halves_gap, q2_half, q2_second_half, rows_half, rows,
    train_half, train, tolerance, converged``. ``train_half`` and ``train`` are the runs
    the first half's and the full metamodel were fitted on (``train`` from ``fits``'
    ``n_train`` when given): a doubling only while the sample has at most ``max_points``
    rows.
    """
    X = np.asarray(X)
    blocks = None if groups is None else np.asarray(groups)
    half = _half(len(Y_frame), blocks)
    first, second = (
        metamodel_indices(
            problem,
            X[rows_of],
            Y_frame.iloc[rows_of],
            n=n,
            seed=seed,
            folds=folds,
            max_points=max_points,
            workers=workers,
            groups=None if blocks is None else blocks[rows_of],
        )
        for rows_of in (slice(0, half), slice(half, 2 * half))
    )
    first_fits, second_fits = (fitted.set_index("output") for _, fitted in (first, second))
    trained = {} if fits is None else fits.set_index("output")["n_train"].astype(int).to_dict()
    rows = []
    for output in map(str, Y_frame.columns):
        full = indices[indices["output"] == output].set_index("parameter")["ST"]
        halved, other = (
            found[found["output"] == output].set_index("parameter")["ST"].reindex(full.index)
            for found, _ in (first, second)
        )
        leaders = full.sort_values(ascending=False).index[:top]
        changes = (full[leaders] - halved[leaders]).abs()
        gaps = (halved[leaders] - other[leaders]).abs()
        settled = bool((changes <= tolerance).all() and (gaps <= tolerance).all())  # NaN: no
        for rank, parameter in enumerate(leaders, start=1):
            rows.append(
                {
                    "output": output,
                    "parameter": parameter,
                    "rank": rank,
                    "ST_half": float(halved[parameter]),
                    "ST_second_half": float(other[parameter]),
                    "ST": float(full[parameter]),
                    "change": float(changes[parameter]),
                    "halves_gap": float(gaps[parameter]),
                    "q2_half": float(first_fits.at[output, "q2"]),
                    "q2_second_half": float(second_fits.at[output, "q2"]),
                    "rows_half": half,
                    "rows": len(Y_frame),
                    "train_half": int(first_fits.at[output, "n_train"]),
                    "train": trained.get(output, min(len(Y_frame), max_points)),
                    "tolerance": tolerance,
                    "converged": settled,
                }
            )
    return pd.DataFrame(rows)


def _half(rows: int, blocks: np.ndarray | None) -> int:
    """Rows in each half: up to the first block boundary at or after the middle, so that
    no design block is split between the halves (the middle row without blocks)."""
    if blocks is None or rows == 0:
        return rows // 2
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])  # first row of a block
    count = len(starts) // 2
    return int(starts[count]) if count else 0
