"""Does the metamodel's fit depend on the BLAS kernel?

``python benchmarks/metamodel_blas_kernel.py [--table FILE.csv]``.

Fits gemsim's Gaussian-process metamodel (:func:`gemsim.sensitivity.metamodel.fit_metamodel`,
one BLAS thread) to 800 noisy runs of a synthetic function of 22 inputs, the size of the
shipped Sobol' analysis, and prints the BLAS kernel OpenBLAS chose, the out-of-sample q2
in hexadecimal (every bit) and a hash of the metamodel's Sobol' table. Run it twice on one
machine with another kernel forced on the second run, and compare the tables, e.g.::

    python benchmarks/metamodel_blas_kernel.py --table a.csv
    OPENBLAS_CORETYPE=Haswell python benchmarks/metamodel_blas_kernel.py --table b.csv

The same kernel gives the same bits every time; another kernel (which a CPU of another
family picks by itself) gives other last bits.
"""

from __future__ import annotations

import argparse
import hashlib

import numpy as np
from threadpoolctl import threadpool_info

from gemsim.sensitivity.metamodel import fit_metamodel
from gemsim.sensitivity.problem import Problem

INPUTS = 22
RUNS = 800


def main(table_file: str | None) -> None:
    rng = np.random.default_rng(7)
    problem = Problem.from_mapping({f"x{i}": (0.0, 1.0) for i in range(INPUTS)})
    X = rng.random((RUNS, INPUTS))
    noise = 0.3 * rng.standard_normal(RUNS)
    y = np.sin(3 * X[:, 0]) + 2 * X[:, 1] ** 2 + X[:, 2] * X[:, 3] + noise
    model = fit_metamodel(problem, X, y, seed=1)
    table = model.sobol(1024, seed=1)
    blas = [info for info in threadpool_info() if info["user_api"] == "blas"]
    kernels = sorted({str(info.get("architecture")) for info in blas})
    digest = hashlib.sha256(table.to_numpy().tobytes()).hexdigest()[:16]
    print(f"BLAS kernel {', '.join(kernels)}: q2 = {model.fit['q2'].hex()}, indices {digest}")
    if table_file:
        table.to_csv(table_file, float_format="%.17g")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", help="also write the metamodel's Sobol' table here (CSV)")
    main(parser.parse_args().table)
