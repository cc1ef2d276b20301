"""A full run's reported time series stay bit-identical to the stored reference
(``tests/reference_series.py``): a change made for speed must not change a result."""

from __future__ import annotations

import io

import pandas as pd
from reference_series import REFERENCE, reference_csv


def test_full_runs_reproduce_the_reference_series_bit_for_bit():
    now = reference_csv()
    stored = REFERENCE.read_text(encoding="utf-8")
    if now != stored:
        a = pd.read_csv(io.StringIO(stored), float_precision="round_trip")
        b = pd.read_csv(io.StringIO(now), float_precision="round_trip")
        assert list(a.columns) == list(b.columns)
        differing = [c for c in a.columns if not a[c].equals(b[c])]
        raise AssertionError(f"reported series differ from the reference in: {differing}")
