"""Which investment stream grows the movement: collectives at the horizon by stream setting.

``python benchmarks/collectives_by_stream.py FOLDER``

FOLDER is the output of ``gemsim sweep experiments/ablations/movement_infrastructure.toml``
(the two streams on or off in every scenario, common seeds). Prints, for every scenario
and stream setting, the number of collectives at the last month minus that of the status
quo with both streams off (today's situation), paired by replication, with its 95% t
interval. Points of a sweep share their seeds, so the pairing holds across points.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gemsim.analysis.summary import mean_ci

STREAMS = ["social_infrastructure", "movement_infrastructure"]


def collectives_at_end(folder: Path) -> pd.DataFrame:
    """One row per run: scenario, replication, the two stream flags, collectives."""
    series = pd.read_parquet(folder / "timeseries")
    runs = pd.read_parquet(folder / "runs")
    last = series.loc[series["month"] == series["month"].max(), ["run_id", "collectives"]]
    return last.merge(runs[["run_id", "scenario", "replication", *STREAMS]], on="run_id")


def against_today(end: pd.DataFrame) -> pd.DataFrame:
    """Each scenario and stream setting minus the status quo without streams."""
    today = end.loc[(end["scenario"] == "status_quo") & ~end[STREAMS].any(axis=1)].set_index(
        "replication"
    )["collectives"]
    rows = []
    for (scenario, social, movement), group in end.groupby(["scenario", *STREAMS]):
        diff = (group.set_index("replication")["collectives"] - today).dropna()
        low, high = mean_ci(diff.mean(), diff.std(ddof=1), diff.size)
        rows.append(
            {
                "scenario": scenario,
                "eur_500m_stream": bool(social),
                "eur_10m_stream": bool(movement),
                "n": diff.size,
                "difference": diff.mean(),
                "ci_low": float(low),
                "ci_high": float(high),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    table = against_today(collectives_at_end(parser.parse_args().folder))
    print(table.to_string(index=False, float_format=lambda v: f"{v:+.1f}"))


if __name__ == "__main__":
    main()
