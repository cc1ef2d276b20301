"""benchmarks/lead_drivers.py: main effects of a 2^3 factorial on a paired lead."""

import itertools

import pandas as pd
import pytest
from benchmark_scripts import load_benchmark


def planted_leads(script) -> pd.DataFrame:
    """Leads = 1 + 2 x (money high) + 0 x (years) + 0.5 x (stacking high) + a replication
    offset that pairing must cancel, plus an interaction of money and years."""
    rows = []
    for money, years, stacking in itertools.product((25e6, 100e6), (1, 6), (0.0, 1.0)):
        for replication in range(4):
            value = 1 + 2 * (money > 5e7) + 0.5 * (stacking > 0) + 10 * replication
            value += 1.0 * ((money > 5e7) and (years > 3)) - 0.5 * (money > 5e7)
            rows.append(
                dict(zip(script.FACTORS, (money, years, stacking), strict=True))
                | {"replication": replication}
                | dict.fromkeys(script.OUTPUTS, value)
            )
    return pd.DataFrame(rows)


def test_main_effects_average_over_the_other_corners_paired_by_replication():
    script = load_benchmark("lead_drivers")
    effects = script.main_effects(planted_leads(script)).set_index(["output", "factor"])
    trust = effects.loc["trust_government"]
    # money: +2, interaction +1 at half its corners (+0.5), -0.5: +2 in all.
    assert trust.loc["extra_funding_eur_per_year", "mean"] == pytest.approx(2.0)
    # years: only through the interaction, at half the corners: +0.5.
    assert trust.loc["fund_grant_years", "mean"] == pytest.approx(0.5)
    assert trust.loc["concurrent_funding_share", "mean"] == pytest.approx(0.5)
    # The replication offsets cancel in the paired differences: no interval width.
    assert (effects["ci_low"] - effects["ci_high"]).abs().max() == pytest.approx(0.0)
    assert (effects["n"] == 4).all()
    ends = {(row["low"], row["high"]) for _, row in trust.iterrows()}
    assert ends == {(25e6, 100e6), (1, 6), (0.0, 1.0)}


def test_corners_give_each_corners_mean_lead():
    script = load_benchmark("lead_drivers")
    table = script.corners(planted_leads(script))
    row = table.loc[
        (table["output"] == "wellbeing")
        & (table["extra_funding_eur_per_year"] == 100e6)
        & (table["fund_grant_years"] == 6)
        & (table["concurrent_funding_share"] == 1.0)
    ]
    # 1 + 2 + 0.5 + 1 - 0.5 + mean replication offset 15.
    assert row["mean"].item() == pytest.approx(19.0)
    assert len(table) == 8 * len(script.OUTPUTS)
