"""Shared pytest setup: make ``tests/`` importable (also by spawned worker processes)."""

import sys
from pathlib import Path

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    # Spawned workers (ProcessPoolExecutor, dask nannies) receive the parent's sys.path,
    # so helper modules such as tests/toy_run.py can be unpickled there.
    sys.path.insert(0, _TESTS_DIR)
