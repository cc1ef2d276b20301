"""Every stored byte of a results folder's time series, independent of how it was batched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def timeseries_bytes(results_dir: Path) -> dict[str, bytes]:
    """Column name -> the bytes of that column over all stored runs, rows in ``run_id,
    month`` order (part files differ with the batch size; their content must not).

    Numbers are compared by their IEEE bytes, so a difference in the last bit counts.
    """
    parts = sorted((Path(results_dir) / "timeseries").glob("part-*.parquet"))
    table = pa.concat_tables([pq.read_table(p) for p in parts], promote_options="none")
    table = table.sort_by([("run_id", "ascending"), ("month", "ascending")])
    columns: dict[str, bytes] = {}
    for name in table.column_names:
        values = table.column(name).to_numpy(zero_copy_only=False)
        if values.dtype == object:
            columns[name] = "\0".join(map(str, values)).encode()
        else:
            columns[name] = np.ascontiguousarray(values).tobytes()
    return columns


def differing_columns(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    """Columns whose bytes differ (or that only one side has)."""
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
