"""benchmarks/sobol_by_n.py on the stored Sobol' runs at n = 32 and 64."""

from pathlib import Path

import pandas as pd
from benchmark_scripts import load_benchmark

from gemsim.sensitivity.convergence import sample_size_for

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"


def test_sample_sizes_and_leaders_come_from_the_stored_tables():
    script = load_benchmark("sobol_by_n")
    assert script.sample_size(REFERENCE / "sobol_salib") == 32
    assert script.sample_size(REFERENCE / "sobol_n64") == 64
    assert script.sample_size(REFERENCE / "sobol_n128") == 128
    indices = pd.read_csv(REFERENCE / "sobol_n64" / "indices.csv")
    output = script.HEADLINE[0]
    text = script.leaders(indices, output, 2)
    rows = indices[indices["output"] == output].sort_values("ST", ascending=False).head(2)
    assert text.split("; ")[0].startswith(f"{rows['parameter'].iloc[0]} {rows['ST'].iloc[0]:.2f}")
    assert len(text.split("; ")) == 2
    assert all(name in set(indices["output"]) for name in script.HEADLINE)


def test_shrink_rate_and_projection_recover_a_planted_rate():
    script = load_benchmark("sobol_by_n")
    sizes = [32, 64, 128]
    widths = [0.4 * (n / 32) ** -0.5 for n in sizes]
    assert abs(script.shrink_rate(sizes, widths) - (-0.5)) < 1e-12
    # 0.2 at n = 128 shrinking as n^-0.5 reaches 0.05 at 128 * 4^2 = 2048.
    assert sample_size_for(0.2, 0.05, 128) == 2048
    assert sample_size_for(0.2, 0.05, 128, rate=-1.0) == 512
    assert sample_size_for(0.025, 0.05, 128) == 32  # already within: a quarter would do
    assert sample_size_for(0.2, 0.05, 128, rate=0.1) == float("inf")
    assert sample_size_for(0.04, 0.05, 128, rate=0.0) == 128


def test_widest_half_width_reads_the_named_parameters_only():
    script = load_benchmark("sobol_by_n")
    indices = pd.DataFrame(
        {
            "output": ["a", "a", "a", "b"],
            "parameter": ["x", "y", "z", "x"],
            "ST": [0.5, 0.4, 0.1, 0.9],
            "ST_conf": [0.1, 0.2, 0.9, 0.8],
        }
    )
    assert script.widest_half_width(indices, "a", ["x", "y"]) == 0.2


def test_projection_check_compares_the_largest_ns_widths_with_the_smallest_ns_projection():
    script = load_benchmark("sobol_by_n")

    def table(widths: dict[str, float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "output": ["level", "level", "a:b", "a:b"],
                "parameter": ["x", "y"] * 2,
                "ST": [0.9, 0.1, 0.2, 0.6],
                "ST_conf": [widths["level"], 0.01, 0.05, widths["a:b"]],
            }
        )

    small, large = table({"level": 0.4, "a:b": 0.8}), table({"level": 0.2, "a:b": 0.2})
    found = script.projection_check(
        {Path("n128"): large, Path("n32"): small}, [128, 32], {"level"}, top=1
    ).set_index("output")
    # 0.4 at n = 32 projects 0.2 at n = 128: on the rate; 0.8 projects 0.4, half of it
    assert found.loc["level", "ratio"] == 1.0 and found.loc["a:b", "ratio"] == 0.5
    assert found.loc["a:b", "contrast"] and not found.loc["level", "contrast"]
