"""Peak memory of the ``gemsim`` parent process against the number of runs.

``python benchmarks/memory.py [RUNS ...] [--workers N] [--report]``

Each size runs ``gemsim compare`` on an experiment of tiny runs (the shipped ``status_quo``
and ``groeiplan`` scenarios on one municipality of two buurten, one month) in a fresh
process, and prints the peak resident memory of that process alone (``ru_maxrss`` of
``RUSAGE_SELF``: the worker processes are not counted). The parent holds the run plan and
writes every batch as it arrives, so its peak should not grow with the number of runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

EXPERIMENT = """\
name = "tiny_runs"
scenarios = ["{scenarios}/status_quo.toml", "{scenarios}/groeiplan.toml"]
replications = {replications}
months = 1
seed = 1

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 2
"""

# Runs gemsim in this process and prints its own peak memory (KiB on Linux) as JSON.
_CHILD = """\
import json, resource, sys
from gemsim.cli import main
code = main(sys.argv[1:])
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"exit": code, "peak_kib": peak_kib}))
"""


def parent_peak_mb(runs: int, workers: int = 2, report: bool = False) -> dict[str, float]:
    """Run ``runs`` tiny runs (half per scenario) with ``gemsim compare`` in a fresh process;
    return its exit code, peak memory in MB and wall time."""
    with tempfile.TemporaryDirectory() as folder:
        experiment = Path(folder) / "tiny_runs.toml"
        experiment.write_text(
            EXPERIMENT.format(scenarios=REPO / "scenarios", replications=-(-runs // 2)),
            encoding="utf-8",
        )
        args = ["compare", str(experiment), "--out", str(Path(folder) / "out")]
        args += ["--workers", str(workers), "--quiet"]
        if not report:
            args.append("--no-report")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=folder,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"gemsim failed:\n{done.stderr}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "runs": runs,
        "exit": measured["exit"],
        "peak_mb": measured["peak_kib"] / 1024,
        "wall_s": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=int, default=[1_000, 20_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report", action="store_true", help="also build the report")
    args = parser.parse_args()
    rows = [parent_peak_mb(n, args.workers, args.report) for n in args.runs]
    for row in rows:
        print(
            f"{row['runs']:>7,} runs: parent peak {row['peak_mb']:7.1f} MB "
            f"({row['wall_s']:.1f} s, exit {row['exit']})"
        )
    if len(rows) > 1:
        print(
            f"growth {rows[0]['runs']:,} -> {rows[-1]['runs']:,} runs: "
            f"{rows[-1]['peak_mb'] - rows[0]['peak_mb']:+.1f} MB"
        )


if __name__ == "__main__":
    main()
