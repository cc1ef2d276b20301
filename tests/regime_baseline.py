"""A stored one-seed run of every regime, to show that new channel parameters at their
defaults leave the model's behaviour bit-identical.

Regenerate (only after a deliberate change of behaviour) with
``python tests/regime_baseline.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from model_config import ALL_STREAMS, REGIMES, SMALL

from gemsim import CommunityModel

BASELINE = Path(__file__).resolve().parent / "data" / "regime_baseline.parquet"
SEED = 1


def baseline_run(regime: str) -> pd.DataFrame:
    """The monthly reporters of one small run of ``regime`` with both streams."""
    model = CommunityModel(rng=SEED, **{**SMALL, "regime": regime, **ALL_STREAMS})
    frame = model.run()
    frame.insert(0, "regime", regime)
    return frame


def all_runs() -> pd.DataFrame:
    return pd.concat([baseline_run(regime) for regime in REGIMES], ignore_index=True)


if __name__ == "__main__":
    BASELINE.parent.mkdir(exist_ok=True)
    all_runs().to_parquet(BASELINE, index=False)
    print(f"wrote {BASELINE}")
