"""Benchmarks: how fast gemsim is here, measured, not guessed (``gemsim bench``).

1. one run of the default regional scenario (about 10,000 citizen agents, 120 months);
2. one national-scale run (342 municipalities, 13,808 buurten, 1:100);
3. the vectorised monthly citizen update against the per-citizen Python loop
   (:mod:`gemsim.model.reference_loop`) on the same population with the same draws;
4. sweep throughput: runs per second for short runs with 1 and with 2 worker processes.

Runs 1 and 2 each run in a fresh subprocess so that their peak memory (max RSS) is their
own. Results are printed as a table and written to ``results/bench/<date>.json``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from gemsim.atomic import write_text

NATIONAL = {
    "n_municipalities": 342,
    "neighbourhoods_per_municipality": 13808 / 342,
    "inhabitants_per_agent": 100,
}
TARGETS = {
    "regional_run_s": 0.5,
    "national_run_s": 60.0,
    "national_peak_mb": 4096.0,
    "vectorised_speedup": 50.0,
    "sweep_speedup_2_workers": 1.7,
}


def _timed_run(overrides: dict[str, Any], seed: int = 1) -> dict[str, float]:
    """Build and run one model in this process; time both parts."""
    from gemsim.model.model import CommunityModel

    started = time.perf_counter()
    model = CommunityModel(rng=seed, **overrides)
    built = time.perf_counter()
    model.run()
    finished = time.perf_counter()
    return {
        "citizens": model.citizens.size,
        "months": model.params.months,
        "setup_s": built - started,
        "run_s": finished - built,
        "total_s": finished - started,
        "citizen_months_per_s": model.citizens.size * model.params.months / (finished - built),
    }


def _in_subprocess(overrides: dict[str, Any]) -> dict[str, float]:
    """Run :func:`_timed_run` in a fresh interpreter and add its peak memory."""
    code = (
        "import json, resource, sys\n"
        "from gemsim.bench import _timed_run\n"
        f"result = _timed_run({overrides!r})\n"
        "result['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def vectorised_vs_loop(months: int = 3) -> dict[str, float]:
    """Time the citizens' monthly rules, vectorised vs one Python object per citizen, on the
    default population with identical inputs and draws (the loop is the tests' oracle)."""
    from gemsim.model.citizens import CitizenDraws, monthly_update
    from gemsim.model.model import CommunityModel
    from gemsim.model.perception import citizen_inputs
    from gemsim.model.reference_loop import LoopPopulation

    model = CommunityModel(rng=1, regime="hybrid")
    for _ in range(13):
        model.step()
    zeros = np.zeros_like(model.stock)
    inputs = citizen_inputs(model, zeros, np.zeros(model.region.n_neighbourhoods))
    draws = CitizenDraws.draw(np.random.default_rng(0), model.citizens.size)
    network, params = model.region.network, model.params

    vectorised = copy.deepcopy(model.citizens)
    started = time.perf_counter()
    for _ in range(months):
        monthly_update(vectorised, inputs, draws, network, params)
    vector_s = (time.perf_counter() - started) / months

    loop = LoopPopulation(copy.deepcopy(model.citizens), network, params)
    started = time.perf_counter()
    for _ in range(months):
        loop.month(inputs, draws)
    loop_s = (time.perf_counter() - started) / months
    same = bool(np.array_equal(loop.state()["state"], vectorised.state))
    return {
        "citizens": model.citizens.size,
        "vectorised_month_s": vector_s,
        "loop_month_s": loop_s,
        "speedup": loop_s / vector_s,
        "same_states": same,
    }


def sweep_throughput(runs: int = 200, months: int = 24) -> dict[str, float]:
    """Runs per second for ``runs`` short default-region runs with 1 and 2 workers, through
    the experiment runner (the path every experiment takes)."""
    import tempfile

    from gemsim.experiments import ResultStore, make_executor, run_experiment
    from gemsim.experiments.specs import RunSpec
    from gemsim.study.simulation import simulate

    specs = [
        RunSpec(f"bench-p0000-r{i:04d}", "bench", i, 1_000 + i, months, {"n_municipalities": 2})
        for i in range(runs)
    ]
    result: dict[str, float] = {"runs": runs, "months": months}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            store = ResultStore(Path(folder))
            store.prepare()
            with make_executor(workers=workers) as executor:
                started = time.perf_counter()
                run_experiment(specs, simulate, store, executor, progress=False)
                elapsed = time.perf_counter() - started
        result[f"runs_per_s_{workers}_worker"] = runs / elapsed
    result["speedup"] = result["runs_per_s_2_worker"] / result["runs_per_s_1_worker"]
    return result


def machine() -> dict[str, Any]:
    """What a benchmark ran on (stored with its results)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def write_results(results: dict[str, Any], out_dir: Path | str, suffix: str = "") -> Path:
    """Write ``<out_dir>/<date><suffix>.json`` (atomically) and say where."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{dt.date.today().isoformat()}{suffix}.json"
    write_text(path, json.dumps(results, indent=2) + "\n")
    print(f"written: {path}")
    return path


def run_benchmarks(quick: bool = False) -> dict[str, Any]:
    """All four benchmarks (``quick``: fewer runs and months, for tests)."""
    regional = {"months": 12} if quick else {}
    national = {**NATIONAL, "months": 3 if quick else 120}
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": quick,
        "regional": _in_subprocess(regional),
        "national": _in_subprocess(national),
        "vectorised_vs_loop": vectorised_vs_loop(months=1 if quick else 3),
        "sweep": sweep_throughput(runs=8 if quick else 200, months=6 if quick else 24),
        "targets": TARGETS,
    }


def format_table(results: dict[str, Any]) -> str:
    """The benchmark results as a plain-text table with targets."""
    regional, national = results["regional"], results["national"]
    loop, sweep = results["vectorised_vs_loop"], results["sweep"]
    rows = [
        (
            "1 regional run",
            f"{regional['citizens']:,} citizens x {regional['months']} months",
            f"{regional['run_s']:.2f} s run (+{regional['setup_s']:.2f} s setup), "
            f"{regional['citizen_months_per_s']:,.0f} citizen-months/s, "
            f"peak {regional['peak_mb']:.0f} MB",
            "<= 0.5 s",
        ),
        (
            "2 national run",
            f"{national['citizens']:,} citizens x {national['months']} months",
            f"{national['total_s']:.1f} s, peak {national['peak_mb']:.0f} MB",
            "<= 60 s, <= 4 GB",
        ),
        (
            "3 vectorised vs loop",
            f"{loop['citizens']:,} citizens, one month",
            f"{loop['vectorised_month_s'] * 1e3:.2f} ms vs {loop['loop_month_s'] * 1e3:.0f} ms: "
            f"{loop['speedup']:.0f}x (same states: {loop['same_states']})",
            ">= 50x",
        ),
        (
            "4 sweep throughput",
            f"{sweep['runs']} runs x {sweep['months']} months",
            f"{sweep['runs_per_s_1_worker']:.1f} runs/s (1 worker), "
            f"{sweep['runs_per_s_2_worker']:.1f} runs/s (2 workers): {sweep['speedup']:.2f}x",
            ">= 1.7x",
        ),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in rows]
    return "\n".join(lines)


def main(out_dir: Path | str = "results/bench", quick: bool = False) -> Path:
    """Run the benchmarks, print the table, write ``<out_dir>/<date>.json``."""
    results = run_benchmarks(quick=quick)
    print(format_table(results))
    return write_results(results, out_dir, "-quick" if quick else "")
