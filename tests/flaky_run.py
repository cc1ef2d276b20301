"""A run function whose worker dies the first time it meets one chosen run (for testing
that runs on a lost worker are redone)."""

import os
from pathlib import Path

from gemsim.experiments.specs import RunSpec
from gemsim.study.simulation import simulate

MARKER_VARIABLE = "GEMSIM_TEST_KILL_MARKER"
VICTIM_VARIABLE = "GEMSIM_TEST_KILL_RUN"


def simulate_or_die_once(spec: RunSpec):
    """Like ``simulate``, but the worker process exits abruptly the first time it is asked
    for the victim run (a marker file records that it already died once)."""
    marker = Path(os.environ[MARKER_VARIABLE])
    if spec.run_id == os.environ[VICTIM_VARIABLE] and not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return simulate(spec)
