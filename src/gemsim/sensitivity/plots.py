"""Figures for sensitivity results (matplotlib, Agg canvas; no pyplot global state).

Every function takes a long DataFrame as produced by :func:`run_sensitivity` (``indices``)
or :func:`convergence`, the output to show and a path; it writes a PNG (atomically, at the
resolution of every gemsim figure: :func:`gemsim.analysis.files.write_png`) and returns the
path. Sobol'/FAST indices are dimensionless shares of output variance. Morris ``mu_star``
and ``sigma`` are in output units per *normalised* factor range (a factor moving across its
whole range corresponds to 1), so pass ``units`` to label them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gemsim.analysis.files import write_png

_SHORT = {"S1": "$S_1$", "ST": "$S_T$", "mu_star": "$\\mu^*$", "sigma": "$\\sigma$"}


def _select(frame: pd.DataFrame, output: str) -> pd.DataFrame:
    sel = frame[frame["output"] == output]
    if sel.empty:
        have = sorted(frame["output"].unique()) if "output" in frame else []
        raise KeyError(f"No rows for output {output!r}; outputs present: {have}")
    return sel


def _save(fig: Figure, path: str | Path) -> Path:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    return write_png(fig, path)


def _conf(sel: pd.DataFrame, col: str) -> np.ndarray | None:
    name = f"{col}_conf"
    if name not in sel:
        return None
    return np.asarray(np.nan_to_num(sel[name].to_numpy(dtype=float), nan=0.0))


def _ee_units(units: str) -> str:
    return f"[{units} per normalised range]" if units else "[output units per normalised range]"


def plot_indices(
    indices: pd.DataFrame,
    output: str,
    path: str | Path,
    *,
    title: str | None = None,
    units: str = "",
) -> Path:
    """Bar chart of one output's indices with confidence-interval error bars.

    Sobol'/FAST frames (``S1``, ``ST``): grouped bars of first-order and total indices.
    Morris frames (``mu_star``): bars of ``mu_star``. ``units`` labels Morris values.
    """
    sel = _select(indices, output)
    params = sel["parameter"].astype(str).tolist()
    x = np.arange(len(params))
    fig = Figure(figsize=(max(5.0, 0.8 * len(params) + 2.5), 4.0))
    ax = fig.add_subplot()
    if {"S1", "ST"} <= set(sel.columns):
        width = 0.38
        for offset, col, label, colour in (
            (-width / 2, "S1", "first order $S_1$", "#1f77b4"),
            (width / 2, "ST", "total $S_T$", "#ff7f0e"),
        ):
            ax.bar(
                x + offset,
                sel[col].to_numpy(dtype=float),
                width,
                yerr=_conf(sel, col),
                capsize=3,
                label=label,
                color=colour,
            )
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_ylabel("Sensitivity index [share of output variance, –]")
        ax.legend(title="whiskers: bootstrap CI")
        ax.set_title(title or f"Variance-based sensitivity of '{output}'")
    elif "mu_star" in sel.columns:
        ax.bar(
            x,
            sel["mu_star"].to_numpy(dtype=float),
            0.6,
            yerr=_conf(sel, "mu_star"),
            capsize=3,
            color="#2ca02c",
            label="$\\mu^*$ ± bootstrap CI",
        )
        ax.set_ylabel(f"Morris $\\mu^*$ (mean |elementary effect|)\n{_ee_units(units)}")
        ax.legend()
        ax.set_title(title or f"Morris screening of '{output}'")
    else:
        raise ValueError(f"Don't know how to plot columns {list(sel.columns)}")
    ax.set_xticks(x, params, rotation=30 if len(params) > 6 else 0, ha="right")
    ax.set_xlabel("Parameter")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def plot_morris(
    indices: pd.DataFrame,
    output: str,
    path: str | Path,
    *,
    title: str | None = None,
    units: str = "",
) -> Path:
    """Morris μ* vs σ scatter, one labelled point per parameter, μ* CI as x error bars.

    The dashed line σ = μ* separates mostly-additive effects (below) from effects that are
    non-linear or interact with other factors (above).
    """
    sel = _select(indices, output)
    if not {"mu_star", "sigma"} <= set(sel.columns):
        raise ValueError("plot_morris needs Morris indices (mu_star, sigma)")
    mu = sel["mu_star"].to_numpy(dtype=float)
    sigma = sel["sigma"].to_numpy(dtype=float)
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot()
    ax.errorbar(
        mu,
        sigma,
        xerr=_conf(sel, "mu_star"),
        fmt="o",
        color="#2ca02c",
        ecolor="grey",
        capsize=3,
        label="parameter ($\\mu^*$ ± bootstrap CI)",
    )
    for name, xv, yv in zip(sel["parameter"].astype(str), mu, sigma, strict=True):
        if np.isfinite(xv) and np.isfinite(yv):
            ax.annotate(name, (xv, yv), textcoords="offset points", xytext=(5, 5), fontsize=9)
    finite = np.concatenate([mu[np.isfinite(mu)], sigma[np.isfinite(sigma)]])
    top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
    ax.plot([0, top], [0, top], "--", color="black", linewidth=0.8, label="$\\sigma = \\mu^*$")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"$\\mu^*$ (mean |elementary effect|) {_ee_units(units)}")
    ax.set_ylabel(f"$\\sigma$ (std of elementary effects) {_ee_units(units)}")
    ax.set_title(title or f"Morris $\\mu^*$–$\\sigma$ plane for '{output}'")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_convergence(
    conv: pd.DataFrame,
    output: str,
    path: str | Path,
    *,
    title: str | None = None,
    units: str = "",
) -> Path:
    """Each index vs sample size, one line per parameter, bootstrap CI as a shaded band.

    One panel per index that has a ``<index>_conf`` column (``S1`` and ``ST`` for Sobol',
    ``mu_star`` for Morris). ``units`` labels Morris values.
    """
    sel = _select(conv, output)
    cols = [c for c in sel.columns if f"{c}_conf" in sel.columns]
    if not cols:
        raise ValueError("No '<index>' columns with matching '<index>_conf' columns to plot")
    fig = Figure(figsize=(5.0 * len(cols) + 1.5, 4.0))
    axes = fig.subplots(1, len(cols), squeeze=False)[0]
    ns = np.sort(sel["n"].unique())
    log2 = len(ns) > 1 and all(int(v) & (int(v) - 1) == 0 for v in ns)
    runs_per = ""
    if "n_runs" in sel.columns:
        ratio = (sel["n_runs"] / sel["n"]).unique()
        if len(ratio) == 1:
            runs_per = f" (model runs = {int(ratio[0])}·n)"
    unit_name = "base sample size n" if "S1" in cols else "trajectories n"
    labels = {
        "S1": "first-order index $S_1$ [–]",
        "ST": "total-order index $S_T$ [–]",
        "mu_star": f"Morris $\\mu^*$\n{_ee_units(units)}",
    }
    for ax, col in zip(axes, cols, strict=True):
        for param, grp in sel.groupby("parameter", sort=False):
            grp = grp.sort_values("n")
            n = grp["n"].to_numpy(dtype=float)
            v = grp[col].to_numpy(dtype=float)
            c = grp[f"{col}_conf"].to_numpy(dtype=float)
            (line,) = ax.plot(n, v, marker="o", label=str(param))
            ax.fill_between(n, v - c, v + c, color=line.get_color(), alpha=0.2)
        if log2:
            ax.set_xscale("log", base=2)
            ax.set_xticks(ns, [str(int(v)) for v in ns])
            ax.minorticks_off()
        ax.set_xlabel(f"{unit_name}{runs_per}")
        ax.set_ylabel(labels.get(col, col))
        ax.set_title(f"{_SHORT.get(col, col)} of '{output}'")
        ax.grid(alpha=0.3)
    axes[-1].legend(
        title="parameter\n(band: bootstrap CI)",
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
    )
    fig.suptitle(title or f"Convergence of sensitivity indices for '{output}'")
    return _save(fig, path)
