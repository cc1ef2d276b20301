"""Tests of the result store (state handling, atomic parts, reading) and the manifest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from gemsim.experiments import ResultsExistError, ResultStore, RunSpec, build_manifest
from gemsim.experiments.manifest import MANIFEST_KEYS, git_state
from gemsim.experiments.runner import run_batch


def toy(spec: RunSpec) -> pd.DataFrame:
    rng = np.random.default_rng(spec.seed)
    return pd.DataFrame({"month": [1, 2, 3], "value": rng.normal(size=3)})


def spec(i: int, **params) -> RunSpec:
    return RunSpec(f"run-{i:03d}", "s", i, 1000 + i, 3, params)


def write(store: ResultStore, specs: list[RunSpec]) -> str:
    _, frame = run_batch(toy, (0, specs))
    return store.write_batch(specs, frame)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_prepare_creates_folders(tmp_path):
    store = ResultStore(tmp_path / "out")
    store.prepare()
    assert listing(store.out_dir) == ["runs", "timeseries"]
    assert store.completed_run_ids() == set()
    assert store.read_timeseries().empty and store.read_runs().empty


def test_write_batch_is_atomic_and_readable(tmp_path):
    store = ResultStore(tmp_path)
    store.prepare()
    name = write(store, [spec(2, a=1), spec(1, a=2)])
    assert name == "part-run-002-2.parquet"
    assert listing(tmp_path) == [
        "checksums",
        "checksums/part-run-002-2.sha256",
        "runs",
        f"runs/{name}",
        "timeseries",
        f"timeseries/{name}",
    ]  # no temporary files left behind
    assert store.completed_run_ids() == {"run-001", "run-002"}
    ts = store.read_timeseries()
    assert ts["run_id"].tolist() == ["run-001"] * 3 + ["run-002"] * 3  # sorted
    assert ts["month"].tolist() == [1, 2, 3] * 2
    assert ts.index.tolist() == list(range(6))
    runs = store.read_runs()
    assert runs[["run_id", "seed", "months", "a"]].values.tolist() == [
        ["run-001", 1001, 3, 2],
        ["run-002", 1002, 3, 1],
    ]


def test_read_only_what_is_asked(tmp_path):
    store = ResultStore(tmp_path)
    for i in range(3):
        write(store, [spec(i)])
    ts = store.read_timeseries(columns=["value", "run_id"], filters=[("run_id", "==", "run-001")])
    assert list(ts.columns) == ["value", "run_id"]
    assert ts["run_id"].unique().tolist() == ["run-001"]
    np.testing.assert_array_equal(ts["value"].to_numpy(), toy(spec(1))["value"].to_numpy())
    import pyarrow.dataset as ds

    months = store.read_timeseries(columns=["month"], filters=ds.field("month") > 2)
    assert months["month"].tolist() == [3, 3, 3]
    with pytest.raises(KeyError, match="nope"):
        store.read_timeseries(columns=["nope"])


def test_parts_with_different_params_are_unified(tmp_path):
    store = ResultStore(tmp_path)
    write(store, [spec(0, a=1)])
    write(store, [spec(1, a=2.5, b="x")])
    runs = store.read_runs()
    assert runs["a"].tolist() == [1.0, 2.5]
    assert runs["b"].isna().tolist() == [True, False]
    nested = ResultStore(tmp_path / "nested")
    write(nested, [spec(0, weights=[1, 2])])
    assert nested.read_runs()["weights"].tolist() == ["[1, 2]"]


def test_temp_files_are_ignored_and_cleaned(tmp_path):
    store = ResultStore(tmp_path)
    write(store, [spec(0)])
    # A crash mid-write leaves hidden temporary files, and a crash between the two
    # renames leaves a time-series part without its run-table twin.
    (tmp_path / "runs" / ".part-run-001-1.parquet.abc.tmp").write_bytes(b"PAR1 half")
    (tmp_path / "timeseries" / ".part-run-001-1.parquet.abc.tmp").write_bytes(b"junk")
    _, frame = run_batch(toy, (0, [spec(5)]))
    frame.to_parquet(tmp_path / "timeseries" / "part-run-005-1.parquet")
    (tmp_path / "checksums" / "part-run-005-1.sha256").write_text("0  timeseries/x\n")
    assert store.completed_run_ids() == {"run-000"}
    assert store.read_timeseries()["run_id"].unique().tolist() == ["run-000"]
    assert store.read_runs()["run_id"].tolist() == ["run-000"]

    store.prepare(resume=True)
    assert listing(tmp_path) == [
        "checksums",
        "checksums/part-run-000-1.sha256",
        "runs",
        "runs/part-run-000-1.parquet",
        "timeseries",
        "timeseries/part-run-000-1.parquet",
    ]


def test_refuses_to_overwrite_results_without_force(tmp_path):
    store = ResultStore(tmp_path)
    store.prepare()
    store.write_json("manifest.json", {"status": "complete"})
    before = listing(tmp_path)
    with pytest.raises(ResultsExistError, match=r"--resume.*--force"):
        store.prepare()
    assert listing(tmp_path) == before

    partial = ResultStore(tmp_path / "partial")
    write(partial, [spec(0)])
    before = listing(partial.out_dir)
    with pytest.raises(ResultsExistError):
        partial.prepare()
    assert listing(partial.out_dir) == before
    with pytest.raises(ValueError):
        partial.prepare(force=True, resume=True)


def test_unfinished_manifest_without_parts_is_not_results(tmp_path):
    store = ResultStore(tmp_path)
    store.write_json("manifest.json", {"status": "running"})
    store.prepare()  # nothing worth protecting
    assert (tmp_path / "timeseries").is_dir()


def test_force_deletes_only_owned_files(tmp_path):
    store = ResultStore(tmp_path)
    write(store, [spec(0)])
    store.write_json("manifest.json", {"status": "complete"})
    (tmp_path / "summary.csv").write_text("a,b\n")
    (tmp_path / "report.html").write_text("<html></html>")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "fig.png").write_bytes(b"png")
    (tmp_path / "experiment.toml").write_text("name = 'mine'\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "summary.csv").write_text("keep me\n")
    (tmp_path / "manifest.json.bak").write_text("{}")

    store.prepare(force=True)
    assert listing(tmp_path) == [
        "experiment.toml",
        "manifest.json.bak",
        "notes",
        "notes/summary.csv",
        "runs",
        "timeseries",
    ]
    assert store.completed_run_ids() == set()


def test_resume_keeps_parts(tmp_path):
    store = ResultStore(tmp_path)
    write(store, [spec(0), spec(1)])
    store.write_json("manifest.json", {"status": "interrupted"})
    before = store.read_timeseries()
    store.prepare(resume=True)
    assert store.completed_run_ids() == {"run-000", "run-001"}
    assert_frame_equal(store.read_timeseries(), before)
    assert store.read_json("manifest.json") == {"status": "interrupted"}


def test_write_json_is_atomic(tmp_path):
    store = ResultStore(tmp_path / "new")
    path = store.write_json("thing.json", {"x": [1, 2]})
    assert json.loads(path.read_text()) == {"x": [1, 2]}
    with pytest.raises(ValueError):
        store.write_json("thing.json", {"x": float("nan")})
    assert json.loads(path.read_text()) == {"x": [1, 2]}  # old content intact
    assert listing(store.out_dir) == ["thing.json"]


def test_manifest_has_all_keys_and_is_json_serialisable(tmp_path):
    started = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    experiment = {
        "name": "demo",
        "out": tmp_path,
        "scenarios": ("a", "b"),
        "weights": np.array([0.5]),
        "root_seed": np.int64(7),
    }
    manifest = build_manifest(
        experiment, [1, 2], started, datetime.now(UTC), 4, 1.23456, "complete"
    )
    assert tuple(manifest) == MANIFEST_KEYS
    text = json.dumps(manifest, allow_nan=False)
    again = json.loads(text)
    assert again["experiment"] == {
        "name": "demo",
        "out": str(tmp_path),
        "scenarios": ["a", "b"],
        "weights": [0.5],
        "root_seed": 7,
    }
    assert again["started"] == "2025-01-02T03:04:05+00:00"
    assert again["seeds"] == [1, 2] and again["run_count"] == 4
    assert again["wall_time_s"] == 1.235 and again["status"] == "complete"
    assert again["gemsim_version"] == "0.1.0"
    versions = again["versions"]
    assert {
        "python",
        "numpy",
        "pandas",
        "pyarrow",
        "mesa",
        "scipy",
        "salib",
        "pydantic",
        "numba",
        "scikit-learn",
        "threadpoolctl",
        "dask",
    } <= set(versions)
    assert versions["numpy"] == np.__version__ and versions["pandas"] == pd.__version__
    # The BLAS libraries with the CPU kernel each chose (the metamodel's bits depend on it).
    blas = again["platform"]["blas"]
    assert blas and all({"library", "version", "architecture"} <= set(lib) for lib in blas)
    assert {"commit", "dirty", "changes"} <= set(again["git"])
    (invocation,) = again["invocations"]
    assert invocation["started"] == again["started"] and invocation["status"] == "complete"
    assert invocation["runs_executed"] == invocation["runs_after"] == 4
    with pytest.raises(ValueError):
        build_manifest({}, [], None, None, 0, None, "done")


def test_git_state_outside_a_repository_is_null(tmp_path):
    assert git_state(tmp_path) == {"commit": None, "dirty": None, "changes": []}
    repo = git_state(Path(__file__).parent)
    assert repo["commit"] is None or len(repo["commit"]) == 40
