"""benchmarks/interval_calibration.py on the stored balanced Sobol' run at n = 32."""

from pathlib import Path

import pytest
from benchmark_scripts import load_benchmark

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"


# one contrast is constant across the sample (no indices): said once, by the run's report
@pytest.mark.filterwarnings("ignore:Output .* is constant")
def test_the_stored_runs_intervals_match_the_gap_between_the_designs_halves():
    """The README's reading of the bootstrap intervals: on the reference run's two
    halves the leaders' gaps are about standard normal in the intervals' standard errors
    (root mean square near 1, few beyond 1.96), on the contrasts and on the base outputs."""
    script = load_benchmark("interval_calibration")
    table = script.calibration(REFERENCE / "sobol", resamples=200)
    assert set(table["n_half"]) == {16}
    assert table.groupby("output")["leader"].sum().eq(script.LEADERS).all()
    assert table.loc[~table["contrast"], "output"].nunique() == 13
    found = script.summary(table)
    for kind in ("base outputs", "contrasts"):
        leaders = found.loc[f"{kind}, leaders"]
        assert leaders["indices"] == len(
            table[table["leader"] & (table["contrast"] == (kind == "contrasts"))].dropna(
                subset=["z"]
            )
        )
        assert leaders["share |z| > 1.96"] < 0.1
        assert 0.6 < leaders["rms z"] < 1.3
        low, high = map(float, leaders["rms z 95%"].split("-"))  # resampling whole outputs
        assert low <= leaders["rms z"] <= high and high - low > 0.05
    shown = script.by_parameter(table, top=3)
    assert len(shown) == 3 and shown.abs().is_monotonic_decreasing
