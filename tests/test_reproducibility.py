"""One seed gives bit-identical results whatever the BLAS thread count: the same
experiment under ``OPENBLAS_NUM_THREADS=1`` and ``=2`` (in fresh processes, which is the
only way to set it) stores the same bytes. And whatever the CPU's vector instructions: the
model's exponentials are the C library's, not NumPy's AVX-512 kernel.

The region is the default one (about 24,000 citizen agents): OpenBLAS splits a dot product over its
threads only above 10,000 elements, so a smaller region would not show a BLAS dependence.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from stored_bytes import differing_columns, timeseries_bytes

from gemsim.model.arrays import exp

REPO = Path(__file__).resolve().parents[1]

EXPERIMENT = f"""\
name = "threads"
scenarios = ["{REPO}/scenarios/status_quo.toml", "{REPO}/scenarios/groeiplan.toml"]
replications = 2
months = 3
seed = 3
"""

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run_with_threads(folder: Path, threads: int) -> Path:
    """``gemsim compare`` in a fresh process whose BLAS uses ``threads`` threads."""
    experiment = folder / "threads.toml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    out = folder / f"threads-{threads}"
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads))}
    command = [sys.executable, "-m", "gemsim", "compare", str(experiment), "--out", str(out)]
    command += ["--workers", "1", "--no-report", "--quiet"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return out


def test_results_are_bit_identical_whatever_the_blas_thread_count(tmp_path: Path):
    one = timeseries_bytes(run_with_threads(tmp_path, 1))
    two = timeseries_bytes(run_with_threads(tmp_path, 2))
    assert len(one["month"]) == 2 * 2 * 4 * 8  # 2 scenarios x 2 replications x months 0-3
    assert differing_columns(one, two) == []


def test_the_models_exp_is_the_c_librarys_bit_for_bit():
    values = np.random.default_rng(7).normal(0.0, 4.0, 20_000)
    expected = np.array([math.exp(v) for v in values])
    assert np.array_equal(exp(values), expected)
    assert exp(np.array([0.0]))[0] == 1.0


def test_no_model_rule_calls_numpys_exp():
    """NumPy's exp differs between CPUs with and without AVX-512 in the last bit now and
    then (seen in a stored run): model code uses ``gemsim.model.arrays.exp``."""
    model = REPO / "src" / "gemsim" / "model"
    calls = [str(p.relative_to(REPO)) for p in model.rglob("*.py") if "np.exp(" in p.read_text()]
    assert calls == []
