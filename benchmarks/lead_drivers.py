"""What sets the size of the fund's lead: main effects of a 2^3 factorial on the contrast.

``python benchmarks/lead_drivers.py FOLDER [--write CSV]``

FOLDER is the output of ``gemsim sweep experiments/ablations/lead_drivers.toml``: the
subsidy channel and groeiplan at the eight corners of three parameters' sensitivity ranges,
with common seeds (replication r has the same seed in every scenario and corner). For each
output at the last month it prints the lead (groeiplan minus the subsidy channel) at every
corner and, for each factor, its main effect on the lead: the mean lead at the factor's high
end minus at its low end, over the other factors' four corners. Both are paired by
replication, so each comes with a 95% t interval over replications.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from gemsim.analysis.summary import mean_ci

FACTORS = ["extra_funding_eur_per_year", "fund_grant_years", "concurrent_funding_share"]
OUTPUTS = [
    "trust_government",
    "participation",
    "wellbeing",
    "neighbourhoods_in_order",
    "funds_disbursed_eur",
]
BASELINE, FUND = "subsidy_channel", "groeiplan"


def leads(folder: Path) -> pd.DataFrame:
    """One row per corner and replication: the factors and each output's lead at the end."""
    series = pd.read_parquet(folder / "timeseries")
    runs = pd.read_parquet(folder / "runs")
    last = series.loc[series["month"] == series["month"].max(), ["run_id", *OUTPUTS]]
    end = last.merge(runs[["run_id", "scenario", "replication", *FACTORS]], on="run_id")
    keys = [*FACTORS, "replication"]
    fund = end.loc[end["scenario"] == FUND].set_index(keys)[OUTPUTS]
    base = end.loc[end["scenario"] == BASELINE].set_index(keys)[OUTPUTS]
    return (fund - base).dropna().reset_index()


def _row(values: pd.Series) -> dict[str, float]:
    mean, sd, n = float(values.mean()), float(values.std(ddof=1)), int(values.size)
    low, high = mean_ci(mean, sd, n)
    return {"mean": mean, "ci_low": float(low), "ci_high": float(high), "n": n}


def main_effects(lead: pd.DataFrame) -> pd.DataFrame:
    """Per output and factor: mean lead at the high end minus at the low end, paired."""
    rows = []
    for factor in FACTORS:
        low_end, high_end = sorted(lead[factor].unique())
        per_replication = lead.groupby([factor, "replication"])[OUTPUTS].mean()
        effect = per_replication.xs(high_end, level=factor) - per_replication.xs(
            low_end, level=factor
        )
        for output in OUTPUTS:
            rows.append(
                {"output": output, "factor": factor, "low": low_end, "high": high_end}
                | _row(effect[output])
            )
    return pd.DataFrame(rows)


def corners(lead: pd.DataFrame) -> pd.DataFrame:
    """Per output and corner: the lead with its interval over replications."""
    rows = []
    for values, group in lead.groupby(FACTORS):
        for output in OUTPUTS:
            rows.append(
                dict(zip(FACTORS, values, strict=True)) | {"output": output} | _row(group[output])
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--write", type=Path, help="also write the main effects to this CSV")
    args = parser.parse_args()
    lead = leads(args.folder)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_rows", None)
    print(f"{FUND} - {BASELINE} at the last month, by corner (mean, 95% CI over replications)")
    print(corners(lead).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    effects = main_effects(lead)
    print("\nmain effect of each factor on the lead (high end minus low end, paired)")
    print(effects.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.write:
        effects.to_csv(args.write, index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    main()
