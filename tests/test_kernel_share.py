"""benchmarks/kernel_share.py: the compiled kernels' share of a run, in its own process
(its wrappers stay in the modules it instruments)."""

import re
import subprocess
import sys

from benchmark_scripts import BENCHMARKS


def test_kernels_and_draws_are_a_share_of_the_run():
    script = BENCHMARKS / "kernel_share.py"
    result = subprocess.run(
        [sys.executable, str(script), "1", "--runs", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    wrapped = int(re.search(r"(\d+) names of compiled functions wrapped", result.stdout).group(1))
    assert wrapped >= 10  # the citizens', collectives', desks' and spin-up's kernels
    kernels, draws, share, bound = re.search(
        r"kernels\s+([\d.]+) ms, draws\s+([\d.]+) ms:\s+([\d.]+)% of the run, so at most ([\d.]+)x",
        result.stdout,
    ).groups()
    assert float(kernels) > 0 and float(draws) > 0
    assert 0 < float(share) < 100
    assert abs(float(bound) * float(share) - 100) < 1  # bound = 1 / share
