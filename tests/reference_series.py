"""Full runs whose reported time series must not change when only speed changes.

``tests/data/reference_series.csv`` holds every reporter of every month of one seeded
120-month run per case (four regimes, a two-municipality region), written with Python's
shortest round-trip float text, so equal text means bit-identical values. A deliberate
change of the model's behaviour rewrites it::

    PYTHONPATH=src python tests/reference_series.py --write
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from gemsim.model.model import CommunityModel
from gemsim.study.scenarios import load_scenario

REFERENCE = Path(__file__).resolve().parent / "data" / "reference_series.csv"
#: (scenario file, seed): one per regime; groeiplan also switches both streams on.
CASES: tuple[tuple[str, int], ...] = (
    ("status_quo", 11),
    ("subsidy_channel", 12),
    ("hybrid", 13),
    ("groeiplan", 14),
)
REGION = {"n_municipalities": 2, "months": 120}


def reference_frame() -> pd.DataFrame:
    """Every case's full run, one row per case and month."""
    frames = []
    for scenario, seed in CASES:
        model = CommunityModel(load_scenario(scenario), rng=seed, **REGION)
        frame = model.run()
        frame.insert(0, "case", scenario)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def reference_csv() -> str:
    """:func:`reference_frame` as CSV text (floats as shortest round-trip repr)."""
    return reference_frame().to_csv(index=False, lineterminator="\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    REFERENCE.write_text(reference_csv(), encoding="utf-8")
    print(f"written: {REFERENCE}")
