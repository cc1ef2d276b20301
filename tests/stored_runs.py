"""Seeded runs whose every reported number must not change unless the model's behaviour
is changed on purpose: one registry, one file, one writer.

``tests/data/stored_runs.csv`` holds every reporter of every month of each case below,
written with Python's shortest round-trip float text, so equal text means bit-identical
values. The cases cover what earlier checks guarded separately:

- ``series/<scenario>``: each shipped regime's scenario file over ten years on a
  two-municipality region (a change made for speed must not change a result);
- ``regime/<regime>``: every regime with both investment streams on a small region (new
  channel parameters at their defaults leave every regime's behaviour as it was);
- ``no_spin_up/<regime>``: three years without spin-up and with fixed expectations (the
  switches that turn those mechanisms off really turn them off).

A deliberate change of behaviour rewrites the file::

    PYTHONPATH=src python tests/stored_runs.py --write
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from model_config import ALL_STREAMS, REGIMES, SMALL

from gemsim.model.model import CommunityModel
from gemsim.study.scenarios import load_scenario

STORED = Path(__file__).resolve().parent / "data" / "stored_runs.csv"


def _scenario(name: str, seed: int) -> Callable[[], CommunityModel]:
    return lambda: CommunityModel(load_scenario(name), rng=seed, n_municipalities=2, months=120)


def _regime(regime: str) -> Callable[[], CommunityModel]:
    return lambda: CommunityModel(rng=1, **{**SMALL, "regime": regime, **ALL_STREAMS})


def _no_spin_up(regime: str) -> Callable[[], CommunityModel]:
    return lambda: CommunityModel(
        rng=3, months=36, regime=regime, spin_up_months=0, expectation_memory_months=0
    )


#: case name -> how to build its model.
CASES: dict[str, Callable[[], CommunityModel]] = {
    **{
        f"series/{name}": _scenario(name, seed)
        for name, seed in (
            ("status_quo", 11),
            ("subsidy_channel", 12),
            ("hybrid", 13),
            ("groeiplan", 14),
        )
    },
    **{f"regime/{regime}": _regime(regime) for regime in REGIMES},
    **{f"no_spin_up/{regime}": _no_spin_up(regime) for regime in ("status_quo", "hybrid")},
}


def case_csv(case: str) -> str:
    """One case's full run as CSV text (floats as shortest round-trip repr)."""
    frame = CASES[case]().run()
    frame.insert(0, "case", case)
    return frame.to_csv(index=False, lineterminator="\n")


def stored_frame(case: str) -> pd.DataFrame:
    """The stored run of ``case``."""
    stored = pd.read_csv(STORED)
    return stored[stored["case"] == case].reset_index(drop=True)


def differing_columns(case: str, now: str) -> list[str]:
    """The reporters whose values differ between the stored run and ``now``."""
    before = stored_frame(case)
    after = pd.read_csv(io.StringIO(now))
    assert list(before.columns) == list(after.columns), "the reported columns changed"
    return [c for c in before.columns if not before[c].equals(after[c])]


def stored_text(case: str) -> str:
    """The stored run of ``case`` as the exact CSV text :func:`case_csv` writes."""
    lines = STORED.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], [line for line in lines[1:] if line.startswith(f"{case},")]
    return header + "".join(rows)


def write() -> None:
    """Rewrite the stored file from the current model."""
    texts = [case_csv(case) for case in CASES]
    header = texts[0].splitlines(keepends=True)[0]
    assert all(t.startswith(header) for t in texts), "cases report different columns"
    body = "".join(t[len(header) :] for t in texts)
    STORED.write_text(header + body, encoding="utf-8")
    print(f"written: {STORED}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
