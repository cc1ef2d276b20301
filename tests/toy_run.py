"""Toy run functions for the experiment-runner tests (module-level: picklable by reference).

``random_walk`` depends only on its spec. ``counting_walk`` additionally records every call
as a file in ``$GEMSIM_TOY_CALL_DIR`` (workers are separate processes, so globals would not
count) and raises for the run id in ``$GEMSIM_TOY_FAIL_RUN``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from gemsim.experiments import RunSpec

CALL_DIR_ENV = "GEMSIM_TOY_CALL_DIR"
FAIL_RUN_ENV = "GEMSIM_TOY_FAIL_RUN"


def random_walk(spec: RunSpec) -> pd.DataFrame:
    """A seeded random walk with drift ``spec.params['drift']`` over ``spec.months`` months."""
    rng = np.random.default_rng(spec.seed)
    drift = float(spec.params.get("drift", 0.0))
    steps = rng.normal(drift, 1.0, spec.months)
    return pd.DataFrame(
        {
            "month": np.arange(1, spec.months + 1, dtype=np.int64),
            "level": np.cumsum(steps),
            "events": rng.integers(0, 10, spec.months),
        }
    )


def counting_walk(spec: RunSpec) -> pd.DataFrame:
    """``random_walk`` that records its calls and may fail on purpose (see module docs)."""
    call_dir = os.environ.get(CALL_DIR_ENV)
    if call_dir:
        Path(call_dir, f"{spec.run_id}__{uuid.uuid4().hex}").touch()
    if os.environ.get(FAIL_RUN_ENV) == spec.run_id:
        raise RuntimeError(f"toy failure in {spec.run_id}")
    return random_walk(spec)


def calls(call_dir: Path) -> dict[str, int]:
    """Number of recorded calls per run id."""
    counts: dict[str, int] = {}
    for path in Path(call_dir).iterdir():
        run_id = path.name.split("__")[0]
        counts[run_id] = counts.get(run_id, 0) + 1
    return counts
