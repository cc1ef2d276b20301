"""A Sobol' design's parameters taken from a Morris screen (``screened_from``).

A Morris screen (``experiments/morris.toml`` with ``noise_dummy = true``) gives every
parameter's ``mu_star`` per analysed output, and the noise-floor dummy's ``mu_star``: the
mean absolute elementary effect of nothing but a new random stream. A parameter whose
``mu_star`` stays below the dummy's on every output cannot be told from noise at that design
and is left at its default; the others go on to the Sobol' analysis.

:func:`apply_screen` reads the Morris folder's ``manifest.json`` (the sampled parameters and
their ranges, as run) and ``indices.csv``, and keeps a parameter when, on at least one
analysed output, ``mu_star >= screen_threshold x mu_star(noise_floor)``. Of those, the
``screen_max`` with the largest ratio are kept (a cap on the cost of the Sobol' design,
which grows linearly with the number of parameters). The table it returns is written as
``screen.csv`` next to the Sobol' runs: one row per screened parameter with ``parameter,
output`` (where its ratio is largest), ``mu_star, sigma, noise_mu_star, ratio, rank,
kept, why``.
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

__all__ = ["SCREEN_FILE", "ScreenError", "apply_screen", "screen_table"]

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


def screen_table(indices: pd.DataFrame, threshold: float, cap: int) -> pd.DataFrame:
    """Every parameter of a Morris ``indices`` frame against the noise floor (module docs)."""
    noise = indices[indices["parameter"] == NOISE_DUMMY].set_index("output")["mu_star"]
    rows: list[dict[str, Any]] = []
    for name, part in indices[indices["parameter"] != NOISE_DUMMY].groupby("parameter", sort=False):
        floor = part["output"].map(noise).astype(float)
        ratio = (part["mu_star"].astype(float) / floor).where(floor > 0, math.inf)
        ratio = ratio.where(part["mu_star"].astype(float) > 0, 0.0).fillna(0.0)
        best = int(ratio.to_numpy().argmax())
        row = part.iloc[best]
        rows.append(
            {
                "parameter": name,
                "output": row["output"],
                "mu_star": float(row["mu_star"]),
                "sigma": float(row["sigma"]),
                "noise_mu_star": float(floor.iloc[best]),
                "ratio": float(ratio.iloc[best]),
            }
        )
    table = pd.DataFrame(rows)
    table = table.sort_values("ratio", ascending=False, kind="stable").reset_index(drop=True)
    table.insert(6, "rank", range(1, len(table) + 1))
    passed = table["ratio"] >= threshold
    table["kept"] = passed & (table["rank"] <= cap)
    why = []
    for r in table.itertuples():
        if not r.ratio >= threshold:
            why.append(
                f"mu* below {threshold:g} x the noise floor's on every output (at most "
                f"{r.ratio:.2f} x, on {r.output})"
            )
        elif r.rank > cap:
            why.append(f"{r.ratio:.2f} x the noise floor on {r.output}, but beyond screen_max")
        else:
            why.append(f"{r.ratio:.2f} x the noise floor's mu* on {r.output}")
    table["why"] = why
    return table


def apply_screen(settings: SensitivitySettings) -> tuple[SensitivitySettings, pd.DataFrame]:
    """The settings with the factors that survive the screen of ``settings.screened_from``
    (their Morris ranges), and the screen table. Raises ScreenError (a UserError)."""
    if settings.screened_from is None:
        raise ValueError("the settings have no screened_from")
    folder = Path(settings.screened_from)
    morris, indices = _read(folder)
    table = screen_table(indices, settings.screen_threshold, settings.screen_max)
    kept = set(table.loc[table["kept"], "parameter"])
    factors = tuple(f for f in morris.factors if f.name in kept)
    if not factors:
        raise _fail(
            folder,
            f"no parameter reaches {settings.screen_threshold:g} x the noise floor's mu* "
            "(lower screen_threshold, or run the screen with more replications per point)",
        )
    return settings.model_copy(update={"factors": factors}), table
