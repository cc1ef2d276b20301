"""A damaged results folder is found and named, never read silently: truncated or
corrupted parts, parts without their twin, and a manifest that does not parse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from gemsim.experiments import ResultStore, RunSpec
from gemsim.experiments.runner import run_batch
from gemsim.experiments.store import DamagedResultsError


def toy(spec: RunSpec) -> pd.DataFrame:
    rng = np.random.default_rng(spec.seed)
    return pd.DataFrame({"month": np.arange(1, 13), "value": rng.normal(size=12)})


def stored(folder: Path, batches: int = 3) -> tuple[ResultStore, list[str]]:
    """A store with ``batches`` batches of two runs each; returns it and the part names."""
    store = ResultStore(folder)
    store.prepare()
    names = []
    for b in range(batches):
        specs = [RunSpec(f"run-{2 * b + i:03d}", "s", 2 * b + i, 100 + b, 12, {}) for i in (0, 1)]
        names.append(store.write_batch(specs, run_batch(toy, (0, specs))[1]))
    return store, names


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_an_intact_folder_has_no_damaged_batches(tmp_path: Path):
    store, _ = stored(tmp_path)
    assert store.damaged_batches() == []


def test_a_truncated_time_series_part_is_named(tmp_path: Path):
    store, names = stored(tmp_path)
    truncate(store.timeseries_dir / names[1])
    (damaged,) = store.damaged_batches()
    assert damaged.name == names[1] and damaged.runs == 2
    assert f"timeseries/{names[1]}" in str(damaged)
    assert "not a readable Parquet file" in str(damaged)


@pytest.mark.parametrize("folder", ["runs", "timeseries"])
def test_every_corrupted_byte_of_a_part_is_found(tmp_path: Path, folder: str):
    store, names = stored(tmp_path, batches=1)
    path = tmp_path / folder / names[0]
    original = path.read_bytes()
    for offset in range(0, len(original), 7):
        flip_byte(path, offset)
        assert [d.name for d in store.damaged_batches()] == names, f"byte {offset}"
        path.write_bytes(original)
    assert store.damaged_batches() == []


def test_a_run_table_part_without_its_time_series_is_damaged(tmp_path: Path):
    store, names = stored(tmp_path)
    (store.timeseries_dir / names[0]).unlink()
    (damaged,) = store.damaged_batches()
    assert f"timeseries/{names[0]}: missing" in str(damaged)


def test_set_aside_moves_a_damaged_batch_so_its_runs_count_as_not_stored(tmp_path: Path):
    store, names = stored(tmp_path)
    truncate(store.runs_dir / names[2])
    folder = store.set_aside(store.damaged_batches())
    assert folder is not None and folder.parent == tmp_path / "damaged"
    kept = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.*"))
    stem = names[2].removesuffix(".parquet")
    assert kept == [f"checksums/{stem}.sha256", f"runs/{names[2]}", f"timeseries/{names[2]}"]
    assert store.damaged_batches() == []
    assert store.completed_run_ids() == {f"run-{i:03d}" for i in range(4)}
    assert len(store.read_timeseries()) == 4 * 12


def test_parts_written_without_checksums_are_read_in_full(tmp_path: Path):
    store, names = stored(tmp_path)
    for sums in store.checksums_dir.iterdir():
        sums.unlink()  # as written by an older gemsim
    assert store.damaged_batches() == []
    truncate(store.timeseries_dir / names[0])
    other = pq.read_table(store.timeseries_dir / names[2]).slice(0, 12)  # run-004 only
    pq.write_table(other, store.timeseries_dir / names[1])
    problems = {d.name: str(d) for d in store.damaged_batches()}
    assert set(problems) == {names[0], names[1]}
    assert "not a readable Parquet file" in problems[names[0]]
    assert "holds other runs" in problems[names[1]]


def test_a_manifest_that_does_not_parse_is_named(tmp_path: Path):
    store, _ = stored(tmp_path)
    assert store.read_manifest() is None
    (tmp_path / "manifest.json").write_text('{"status": "compl')
    with pytest.raises(DamagedResultsError, match=r"manifest\.json is damaged: it is not valid"):
        store.read_manifest()
    (tmp_path / "manifest.json").write_text("[1, 2]")
    with pytest.raises(DamagedResultsError, match="JSON object"):
        store.read_manifest()
