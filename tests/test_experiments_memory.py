"""The parent process's memory does not grow with the number of runs: it writes every batch
as it arrives and keeps only the run plan (``benchmarks/memory.py`` prints the figures)."""

from __future__ import annotations

import pytest
from benchmark_scripts import load_benchmark


@pytest.mark.slow
def test_parent_peak_memory_is_flat_from_1000_to_20000_tiny_runs():
    benchmark = load_benchmark("memory")
    small = benchmark.parent_peak_mb(1_000)
    large = benchmark.parent_peak_mb(20_000)
    assert small["exit"] == large["exit"] == 0
    assert large["peak_mb"] - small["peak_mb"] <= 200, (small, large)
