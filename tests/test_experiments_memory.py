"""The parent process's memory does not grow with the number of runs: it writes every batch
as it arrives and keeps only the run plan (``benchmarks/memory.py`` prints the figures)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "memory.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("memory_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_parent_peak_memory_is_flat_from_1000_to_20000_tiny_runs():
    benchmark = load_benchmark()
    small = benchmark.parent_peak_mb(1_000)
    large = benchmark.parent_peak_mb(20_000)
    assert small["exit"] == large["exit"] == 0
    assert large["peak_mb"] - small["peak_mb"] <= 200, (small, large)
