"""How coarse membership depends on ``inhabitants_per_agent`` (k): docs/ODD.md 10.2.

``python benchmarks/membership_by_k.py [--k 10,20,50,100,200] [--seeds N] [--workers W]``

Runs ``scenarios/status_quo.toml`` for seeds 1..N at each k and prints, per k, the mean
over seeds of: citizen agents; at month 0 (after the spin-up) the member agents per
living collective, the shares of collectives without a member agent and fully staffed
(real volunteer hours at least the hours their type needs), and the share of inhabitants
who are members; over the reported months the number of collectives at month 0 and at
the end, foundings, dissolutions and how many of those were for lack of members (no
member for the grace period); and participation, active share and trust in local
government at month 0 and at the end.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from gemsim import load_scenario
from gemsim.model.collectives import HOURS_NEEDED, member_weight
from gemsim.model.model import CommunityModel


def run(k: int, seed: int) -> dict[str, float]:
    """One status-quo run at ``k`` inhabitants per agent: its month-0 and final figures."""
    model = CommunityModel(load_scenario("status_quo"), rng=seed, inhabitants_per_agent=k)
    table = model.collectives
    living = table.living()
    members = table.members[living]
    staffed = table.hours[living] >= HOURS_NEEDED[table.kind[living]]
    c = model.citizens
    member_share = member_weight(model, np.flatnonzero(c.collective >= 0)).sum() / c.weight.sum()
    frame = model.run()
    first, last = frame.iloc[0], frame.iloc[-1]
    dead = np.flatnonzero(~table.view("alive"))
    grace = model.params.dissolution_grace_months
    return {
        "k": k,
        "citizen_agents": c.size,
        "members_per_collective_0": float(members.mean()),
        "without_members_0": float((members == 0).mean()),
        "fully_staffed_0": float(staffed.mean()),
        "member_inhabitants_0": float(member_share),
        "collectives_0": float(first["collectives"]),
        "collectives_end": float(last["collectives"]),
        "foundings": model.counts["founded"],
        "dissolutions": model.counts["dissolved"],
        "for_lack_of_members": int((table.months_without_members[dead] >= grace).sum()),
        "participation_0": float(first["participation"]),
        "participation_end": float(last["participation"]),
        "active_share_0": float(first["active_share"]),
        "active_share_end": float(last["active_share"]),
        "trust_government_0": float(first["trust_government"]),
        "trust_government_end": float(last["trust_government"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", default="10,20,50,100,200")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ks = [int(k) for k in args.k.split(",")]
    jobs = [(k, seed) for k in ks for seed in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(run, *zip(*jobs, strict=True)))
    table = pd.DataFrame(rows).groupby("k").mean()
    pd.set_option("display.width", 200)
    pd.set_option("display.float_format", "{:.3f}".format)
    print(f"status quo, seeds 1-{args.seeds}, mean over seeds")
    print(table.T.to_string())


if __name__ == "__main__":
    main()
