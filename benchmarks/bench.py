"""Benchmark gemsim on this machine: ``python benchmarks/bench.py [--quick]``.

Same as ``gemsim bench``; see :mod:`gemsim.bench` for what is measured.
"""

import argparse

from gemsim.bench import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    parser.add_argument("--out", default="results/bench", help="folder for the JSON results")
    arguments = parser.parse_args()
    main(arguments.out, quick=arguments.quick)
