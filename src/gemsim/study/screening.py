"""A Sobol' design's parameters taken from a Morris screen (``screened_from``).

A Morris screen (``experiments/morris.toml`` with ``noise_dummy = true``) gives every
parameter's ``mu_star`` per analysed output, and the noise-floor dummy's ``mu_star``: the
mean absolute elementary effect of nothing but a new random stream. A parameter whose
``mu_star`` stays below the dummy's on every output cannot be told from noise at that design
and is left at its default; the others go on to the Sobol' analysis.

:func:`apply_screen` reads the Morris folder's ``manifest.json`` (the sampled parameters and
their ranges, as run) and ``indices.csv``, and keeps a parameter when, on at least one
analysed output, the lower end of its ``mu_star``'s bootstrap interval reaches
``screen_threshold`` times the upper end of the dummy's::

    ratio = max(mu_star - mu_star_conf, 0) / (mu_star(noise_floor) + mu_star_conf(noise_floor))

With ``screen_threshold = 1`` the two intervals do not overlap. Both ends, not the point
estimates, because a Morris screen of ten trajectories estimates each ``mu_star`` from ten
elementary effects: on an output that rarely moves (a contrast of buurten in order, zero
at three quarters of the points) the dummy's ``mu_star`` can be a single step of 1/210 over
ten, and a parameter with one or two large effects then scores ten or fifteen times it by
chance; the intervals say so. Without ``mu_star_conf`` columns the point estimates are
used. An output on which the dummy's elementary effects were all zero (its ``mu_star`` and
interval exactly 0: the new random stream never moved it in the ten trajectories) gives no
floor to compare with, and a parameter that moves it in one or two trajectories cannot be
told from a stream that happened not to; such an output does not decide the screen
(:func:`unscreened_outputs` names them). Were it used, every parameter with any effect
there would score an infinite ratio and the ``screen_max`` places would go by the order
of the file. The parameters named in ``screen_include`` are kept whatever they score (prior
evidence, e.g. an ablation, that they decide a contrast the screen is too coarse to
resolve); of the parameters that pass, the ones with the largest ratio fill the rest of
the ``screen_max`` places (a cap on the cost of the Sobol' design, which grows linearly
with the number of parameters). The table it returns is written as ``screen.csv`` next
to the Sobol' runs: one row per screened parameter with ``parameter, output`` (where its
ratio is largest), ``mu_star, sigma, noise_mu_star, ratio, rank, mu_star_conf,
noise_mu_star_conf, kept, why``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from gemsim.errors import UserError
from gemsim.study.files import show_path
from gemsim.study.sensitivity_spec import NOISE_DUMMY, SensitivitySettings

__all__ = ["SCREEN_FILE", "ScreenError", "apply_screen", "screen_table", "unscreened_outputs"]

SCREEN_FILE = "screen.csv"
_INDICES = "indices.csv"
_MANIFEST = "manifest.json"


class ScreenError(UserError, RuntimeError):
    """The Morris results named by ``screened_from`` cannot be used."""


def _fail(folder: Path, problem: str) -> ScreenError:
    return ScreenError(
        f"[sensitivity] screened_from = {json.dumps(str(folder))}: {problem}; allowed: a "
        'folder written by `gemsim sensitivity` with method = "morris" and noise_dummy = '
        "true (e.g. `gemsim sensitivity experiments/morris.toml`)"
    )


def _read(folder: Path) -> tuple[SensitivitySettings, pd.DataFrame]:
    manifest_path, indices_path = folder / _MANIFEST, folder / _INDICES
    if not manifest_path.is_file() or not indices_path.is_file():
        raise _fail(
            folder, f"{show_path(folder)} has no {_MANIFEST} and {_INDICES} (run the screen first)"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        record = manifest["experiment"]["sensitivity"]
        morris = SensitivitySettings.from_record(record)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _fail(folder, f"its {_MANIFEST} cannot be read ({error})") from None
    if morris.method != "morris":
        raise _fail(folder, f"it holds a {morris.method!r} analysis, not a Morris screen")
    indices = pd.read_csv(indices_path)
    if not {"output", "parameter", "mu_star", "sigma"} <= set(indices.columns):
        raise _fail(folder, f"its {_INDICES} has no mu_star and sigma columns")
    if NOISE_DUMMY not in set(indices["parameter"]):
        raise _fail(folder, f"its {_INDICES} has no {NOISE_DUMMY!r} row (noise_dummy was off)")
    return morris, indices


def unscreened_outputs(indices: pd.DataFrame) -> list[str]:
    """The outputs on which the noise dummy's ``mu_star`` and interval are exactly 0: no
    noise floor was measured there, so they do not decide the screen (module docs)."""
    dummy = indices[indices["parameter"] == NOISE_DUMMY]
    conf = dummy["mu_star_conf"] if "mu_star_conf" in dummy.columns else 0.0
    upper = (dummy["mu_star"] + pd.Series(conf, index=dummy.index).fillna(0.0)).to_numpy()
    return [str(o) for o, u in zip(dummy["output"], upper, strict=True) if not u > 0]


def screen_table(
    indices: pd.DataFrame, threshold: float, cap: int, include: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Every parameter of a Morris ``indices`` frame against the noise floor (module docs).

    ``include`` names parameters kept whatever they score (``screen_include``: prior
    evidence that they decide a contrast); they take their places within ``cap`` first,
    the best of the others fill the rest."""
    if "mu_star_conf" not in indices.columns:
        indices = indices.assign(mu_star_conf=0.0)
    dummy = indices[indices["parameter"] == NOISE_DUMMY].set_index("output")
    noise, noise_conf = dummy["mu_star"], dummy["mu_star_conf"].fillna(0.0)
    rows: list[dict[str, Any]] = []
    for name, part in indices[indices["parameter"] != NOISE_DUMMY].groupby("parameter", sort=False):
        floor = (part["output"].map(noise) + part["output"].map(noise_conf)).astype(float)
        low = (part["mu_star"] - part["mu_star_conf"].fillna(0.0)).clip(lower=0).astype(float)
        ratio = (low / floor).where(floor > 0, 0.0).fillna(0.0)  # no floor: no evidence
        best = int(ratio.to_numpy().argmax())
        row = part.iloc[best]
        rows.append(
            {
                "parameter": name,
                "output": row["output"],
                "mu_star": float(row["mu_star"]),
                "sigma": float(row["sigma"]),
                "noise_mu_star": float(noise.get(row["output"], math.nan)),
                "ratio": float(ratio.iloc[best]),
                "mu_star_conf": float(row["mu_star_conf"]),
                "noise_mu_star_conf": float(noise_conf.get(row["output"], math.nan)),
            }
        )
    table = pd.DataFrame(rows)
    table = table.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True)
    table.insert(6, "rank", range(1, len(table) + 1))
    named = table["parameter"].isin(include)
    passed = (table["ratio"] >= threshold) & ~named
    slots = max(cap - int(named.sum()), 0)
    table["kept"] = named | (passed & (passed.cumsum() <= slots))
    why = []
    for r in table.itertuples():
        if r.parameter in include:
            why.append(f"named in screen_include ({r.ratio:.2f} x the noise floor on {r.output})")
        elif not r.ratio >= threshold:
            why.append(
                f"mu* not {threshold:g} x above the noise floor's beyond their intervals on "
                f"any output (at most {r.ratio:.2f} x, on {r.output})"
            )
        elif not r.kept:
            why.append(f"{r.ratio:.2f} x the noise floor on {r.output}, but beyond screen_max")
        else:
            why.append(f"{r.ratio:.2f} x the noise floor's mu* on {r.output} (interval ends)")
    table["why"] = why
    return table


def apply_screen(settings: SensitivitySettings) -> tuple[SensitivitySettings, pd.DataFrame]:
    """The settings with the factors that survive the screen of ``settings.screened_from``
    (their Morris ranges), and the screen table. Raises ScreenError (a UserError)."""
    if settings.screened_from is None:
        raise ValueError("the settings have no screened_from")
    folder = Path(settings.screened_from)
    morris, indices = _read(folder)
    missing = sorted(set(settings.screen_include) - {f.name for f in morris.factors})
    if missing:
        raise _fail(
            folder,
            f"screen_include names {', '.join(missing)}, which the screen did not sample",
        )
    table = screen_table(
        indices, settings.screen_threshold, settings.screen_max, settings.screen_include
    )
    kept = set(table.loc[table["kept"], "parameter"])
    factors = tuple(f for f in morris.factors if f.name in kept)
    if not factors:
        raise _fail(
            folder,
            f"no parameter reaches {settings.screen_threshold:g} x the noise floor's mu* "
            "(lower screen_threshold, or run the screen with more replications per point)",
        )
    return settings.model_copy(update={"factors": factors}), table
