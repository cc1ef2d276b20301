"""benchmarks/interval_calibration.py on the stored balanced Sobol' run at n = 32."""

from pathlib import Path

import numpy as np
from benchmark_scripts import load_benchmark

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"


def test_the_stored_runs_intervals_match_the_gap_between_the_designs_halves():
    """The README's reading of the bootstrap intervals: on the reference run's two
    halves the gaps are about standard normal in the intervals' standard errors, and a
    half's interval is about sqrt(2) times as wide as the whole sample's."""
    script = load_benchmark("interval_calibration")
    table = script.calibration(REFERENCE / "sobol", resamples=200)
    assert set(table["n_half"]) == {16}
    assert table.groupby("output")["leader"].sum().eq(script.LEADERS).all()
    found = script.summary(table)
    assert found.loc["all indices", "indices"] == len(table.dropna(subset=["z"]))
    for row in ("all indices", "leaders"):
        assert found.loc[row, "share |z| > 1.96"] < 0.1
        assert 0.4 < found.loc[row, "median |z|"] < 0.9
        assert abs(found.loc[row, "half-width ratio, half / full"] - np.sqrt(2)) < 0.25
