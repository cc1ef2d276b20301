"""Seeded runs stay bit-identical to the stored ones (``tests/stored_runs.py``): a change
made for speed, a new parameter at its default or a mechanism switched off must not
change a result."""

from __future__ import annotations

import pytest
from stored_runs import CASES, case_csv, differing_columns, stored_text


@pytest.mark.parametrize("case", list(CASES))
def test_run_reproduces_the_stored_run_bit_for_bit(case):
    now = case_csv(case)
    if now != stored_text(case):
        raise AssertionError(
            f"{case}: reported series differ from the stored run in {differing_columns(case, now)}"
        )
