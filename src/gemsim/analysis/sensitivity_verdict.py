"""Has a comparison in an experiment report been tested against its assumptions?

A sensitivity experiment (``gemsim sensitivity``) writes ``contrasts.csv``: for each
contrast ``scenario - reference`` and output, the share of the sampled parameter points at
which the contrast is positive or negative. The experiment report looks for such folders
next to its own (``results/<name>/`` beside ``results/compare_regimes/``) and, for every
contrast between two of its scenarios defined the same way, states whether the sign of the
difference held across the assumptions. Without one, the report says the comparison has not
been tested.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gemsim.analysis.sensitivity_data import CONTRASTS_FILE
from gemsim.experiments.store import MANIFEST

__all__ = ["ContrastTest", "find_contrast_tests", "sign_verdict"]

#: Above this share of points with the opposite sign, a conclusion is "not robust" (the same
#: threshold as in sensitivity.html).
NOT_ROBUST_SHARE = 0.25


@dataclass(frozen=True)
class ContrastTest:
    """One contrast of a sensitivity experiment that compares two of the report's scenarios.

    Attributes:
        folder: the sensitivity results folder.
        method: SALib method name (``sobol``, ``morris``, ``fast``).
        parameters: number of assumptions (parameters) sampled.
        points: number of parameter points run.
        scenario, reference: the contrast is ``scenario - reference``.
        rows: its rows of ``contrasts.csv`` (one per output).
    """

    folder: Path
    method: str
    parameters: int
    points: int
    scenario: str
    reference: str
    rows: pd.DataFrame

    def pairs(self, scenario: str, reference: str) -> bool:
        """True if this contrast compares ``scenario`` with ``reference`` (either way)."""
        return {self.scenario, self.reference} == {scenario, reference}


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _definitions(experiment: Mapping[str, Any]) -> dict[str, Any]:
    """Scenario name -> its parameters, as the manifest recorded them."""
    scenarios = experiment.get("scenarios")
    if not isinstance(scenarios, Mapping):
        return {}
    return {
        str(name): value.get("parameters") if isinstance(value, Mapping) else None
        for name, value in scenarios.items()
    }


def find_contrast_tests(results_dir: Path, experiment: Mapping[str, Any]) -> list[ContrastTest]:
    """Contrasts of complete sensitivity experiments in folders beside ``results_dir`` whose
    two scenarios are defined exactly as in ``experiment`` (same names, same parameters)."""
    mine = _definitions(experiment)
    found: list[ContrastTest] = []
    here = Path(results_dir).resolve()
    for table in sorted(here.parent.glob(f"*/{CONTRASTS_FILE}")):
        folder = table.parent
        manifest = _read_manifest(folder)
        other = manifest.get("experiment")
        if folder == here or manifest.get("status") != "complete" or not isinstance(other, dict):
            continue
        settings = other.get("sensitivity")
        if not isinstance(settings, dict):
            continue
        theirs = _definitions(other)
        try:
            contrasts = pd.read_csv(table)
        except (OSError, ValueError):
            continue
        for contrast in settings.get("contrasts") or []:
            names = (contrast.get("scenario"), contrast.get("reference"))
            if not all(n in mine and n in theirs and mine[n] == theirs[n] for n in names):
                continue
            found.append(
                ContrastTest(
                    folder=folder,
                    method=str(settings.get("method", "")),
                    parameters=len(settings.get("parameters") or []),
                    points=int(settings.get("points") or 0),
                    scenario=str(names[0]),
                    reference=str(names[1]),
                    rows=contrasts[contrasts["contrast"] == contrast.get("name")],
                )
            )
    return found


def sign_verdict(row: Mapping[str, Any]) -> tuple[str, str]:
    """``(direction, verdict)`` of one ``contrasts.csv`` row: "higher"/"lower" (scenario vs
    reference, by the mean over the points) and a plain verdict on how often that sign held."""
    mean = float(row["mean"])
    direction = "higher" if mean >= 0 else "lower"
    flipped = float(row["flipped_share"])
    held = float(row["share_positive"] if mean >= 0 else row["share_negative"])
    if not math.isfinite(flipped):
        return direction, "not analysed"
    if flipped == 0:
        return direction, "at every parameter point"
    if flipped > NOT_ROBUST_SHARE:
        return direction, f"at only {held:.0%} of the parameter points: not robust"
    return direction, f"at {held:.0%} of the parameter points; it flips at {flipped:.0%}"
