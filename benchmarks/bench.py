"""Benchmark gemsim on this machine: ``python benchmarks/bench.py [--quick]``.

Same as ``gemsim bench``; see :mod:`gemsim.bench` for what is measured. With
``--against TREE`` (a checkout folder or a git revision), time this tree and TREE side by
side instead (:mod:`gemsim.bench_against`), e.g.
``python benchmarks/bench.py --against e51bc14 --regions 1,3,10``.
"""

import argparse

from gemsim.bench import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    parser.add_argument("--out", default="results/bench", help="folder for the JSON results")
    parser.add_argument("--against", help="another source tree or git revision to compare")
    parser.add_argument("--regions", default="1,3,10", help="municipalities, comma-separated")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per tree and size")
    arguments = parser.parse_args()
    if arguments.against:
        from gemsim.bench_against import main as against

        regions = [int(n) for n in arguments.regions.split(",")]
        against(arguments.against, regions, arguments.out, arguments.repeats)
    else:
        main(arguments.out, quick=arguments.quick)
