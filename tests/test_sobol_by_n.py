"""benchmarks/sobol_by_n.py on the stored Sobol' runs at n = 32 and 64."""

from pathlib import Path

import pandas as pd
from benchmark_scripts import load_benchmark

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"


def test_sample_sizes_and_leaders_come_from_the_stored_tables():
    script = load_benchmark("sobol_by_n")
    assert script.sample_size(REFERENCE / "sobol") == 32
    assert script.sample_size(REFERENCE / "sobol_n64") == 64
    indices = pd.read_csv(REFERENCE / "sobol_n64" / "indices.csv")
    output = script.HEADLINE[0]
    text = script.leaders(indices, output, 2)
    rows = indices[indices["output"] == output].sort_values("ST", ascending=False).head(2)
    assert text.split("; ")[0].startswith(f"{rows['parameter'].iloc[0]} {rows['ST'].iloc[0]:.2f}")
    assert len(text.split("; ")) == 2
    assert all(name in set(indices["output"]) for name in script.HEADLINE)
