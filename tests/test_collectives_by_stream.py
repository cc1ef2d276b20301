"""benchmarks/collectives_by_stream.py: each stream setting against today's status quo,
paired by replication."""

import pandas as pd
import pytest
from benchmark_scripts import load_benchmark


def test_each_setting_is_paired_with_the_status_quo_without_streams():
    script = load_benchmark("collectives_by_stream")
    rows = []
    for replication, base in enumerate([100.0, 110.0, 120.0]):
        for social in (False, True):
            for movement in (False, True):
                rows.append(("status_quo", replication, social, movement, base + 5 * movement))
                rows.append(("groeiplan", replication, social, movement, base + 2 + 10 * movement))
    end = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "replication",
            "social_infrastructure",
            "movement_infrastructure",
            "collectives",
        ],
    )
    table = script.against_today(end).set_index(["scenario", "eur_500m_stream", "eur_10m_stream"])
    assert table.loc[("status_quo", False, False), "difference"] == 0.0
    assert table.loc[("status_quo", True, True), "difference"] == pytest.approx(5.0)
    # Paired: the replications' different bases cancel, so the interval has no width.
    row = table.loc[("groeiplan", False, True)]
    assert row["difference"] == pytest.approx(12.0)
    assert row["ci_low"] == pytest.approx(12.0) and row["ci_high"] == pytest.approx(12.0)
    assert (table["n"] == 3).all()
