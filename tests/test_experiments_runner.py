"""Tests of the experiment runner: seeds, specs, executors, batching, resume, interrupts."""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import toy_run
from pandas.testing import assert_frame_equal

from gemsim.errors import UserError
from gemsim.experiments import (
    MissingDependencyError,
    ProcessExecutor,
    ResultStore,
    ResumeMismatchError,
    RunFailedError,
    RunSpec,
    SerialExecutor,
    build_specs,
    make_executor,
    make_run_id,
    replication_seeds,
    run_experiment,
)
from gemsim.experiments.executors import DaskExecutor
from gemsim.experiments.runner import default_batch_size, make_batches, run_batch, sharing_order

SCENARIOS = {"status_quo": {"drift": 0.0}, "community_fund": {"drift": 0.5}}


def make_specs(replications: int = 6, months: int = 24, root_seed: int = 2024) -> list[RunSpec]:
    seeds = replication_seeds(root_seed, replications)
    return build_specs(SCENARIOS, seeds=seeds, months=months)


def run_into(out_dir: Path, executor, specs=None, fn=toy_run.random_walk, **kwargs) -> ResultStore:
    store = ResultStore(out_dir)
    store.prepare(resume=kwargs.pop("resume", False))
    with executor:
        run_experiment(specs or make_specs(), fn, store, executor, progress=False, **kwargs)
    return store


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time series and run table of an uninterrupted serial run of ``make_specs()``."""
    store = run_into(tmp_path_factory.mktemp("reference"), SerialExecutor())
    return store.read_timeseries(), store.read_runs()


# ---------------------------------------------------------------------------- seeds, specs
def test_replication_seeds_are_stable_prefix_consistent_and_63_bit():
    ten = replication_seeds(42, 10)
    thirty = replication_seeds(42, 30)
    assert thirty[:10] == ten
    assert replication_seeds(42, 10) == ten  # deterministic across calls
    assert len(set(thirty)) == 30
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in thirty)
    assert replication_seeds(43, 10) != ten
    assert replication_seeds(42, 0) == []
    # Children of SeedSequence(root) by index, independent of how many were spawned.
    child3 = np.random.SeedSequence(42, spawn_key=(3,)).generate_state(1, dtype=np.uint64)[0]
    assert ten[3] == int(child3) & (2**63 - 1)
    with pytest.raises(ValueError):
        replication_seeds(-1, 3)


def test_build_specs_uses_common_random_numbers_across_scenarios():
    specs = make_specs(replications=3)
    seeds = replication_seeds(2024, 3)
    assert len(specs) == 6
    for scenario in SCENARIOS:
        mine = [s for s in specs if s.scenario == scenario]
        assert [s.seed for s in mine] == seeds
        assert [s.replication for s in mine] == [0, 1, 2]
    assert specs[0].run_id == "status_quo-p0000-r0000"
    assert specs[-1].params == {"drift": 0.5}
    points = build_specs({"a": {"x": 1}}, seeds=[7], months=3, points=[{"y": 1}, {"x": 2}])
    assert [(s.point, s.params) for s in points] == [(0, {"x": 1, "y": 1}), (1, {"x": 2})]


def test_run_spec_is_picklable_and_validated():
    spec = make_specs(replications=1)[0]
    assert pickle.loads(pickle.dumps(spec)) == spec
    assert hash(spec) == hash(pickle.loads(pickle.dumps(spec)))
    assert make_run_id("big city/2", 12, 3) == "big_city_2-p0003-r0012"
    with pytest.raises(ValueError, match="invalid run_id"):
        RunSpec("a/b", "s", 0, 1, 12, {})
    with pytest.raises(ValueError, match="seed"):
        RunSpec("a", "s", 0, 2**63, 12, {})


def test_batching():
    assert default_batch_size(0, 4) == 1
    assert default_batch_size(10, 4) == 1
    assert default_batch_size(100, 2) == 13  # ceil(100 / 8)
    assert default_batch_size(100_000, 2) == 50
    specs = make_specs(replications=5)
    batches = make_batches(specs, 3)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert [s for b in batches for s in b] == specs


def test_runs_sharing_a_seed_and_point_execute_together_in_scenario_order():
    specs = make_specs(replications=3)
    ordered = sharing_order(specs)
    assert sorted(s.run_id for s in ordered) == sorted(s.run_id for s in specs)
    scenarios = list(SCENARIOS)
    for start in range(0, len(ordered), len(scenarios)):
        group = ordered[start : start + len(scenarios)]
        assert len({(s.point, s.replication, s.seed) for s in group}) == 1
        assert [s.scenario for s in group] == scenarios


def test_points_that_start_alike_follow_the_first_of_them():
    """With a start key, a later point that starts as an earlier one runs right after it
    (each point's runs still together, in scenario order); nothing else moves."""
    seeds = replication_seeds(5, 2)
    points = [{"drift": 0.0, "late": 1}, {"drift": 0.1, "late": 1}, {"drift": 0.0, "late": 2}]
    specs = build_specs(SCENARIOS, seeds=seeds, months=3, points=points)

    def start(spec: RunSpec) -> tuple[int, float]:
        return spec.seed, spec.params["drift"]  # "late" is read after the start

    ordered = sharing_order(specs, start)
    assert sorted(s.run_id for s in ordered) == sorted(s.run_id for s in specs)
    runs = [(s.point, s.replication) for s in ordered[:: len(SCENARIOS)]]
    assert runs == [(0, 0), (2, 0), (0, 1), (2, 1), (1, 0), (1, 1)]
    for start_index in range(0, len(ordered), len(SCENARIOS)):
        group = ordered[start_index : start_index + len(SCENARIOS)]
        assert [s.scenario for s in group] == list(SCENARIOS)
    assert sharing_order(specs, None) == sharing_order(specs)


def test_run_batch_builds_long_frame_with_key_columns():
    specs = make_specs(replications=2, months=5)[:2]
    index, frame = run_batch(toy_run.random_walk, (7, specs))
    assert index == 7
    assert list(frame.columns) == [
        "run_id",
        "scenario",
        "replication",
        "seed",
        "point",
        "month",
        "level",
        "events",
    ]
    assert len(frame) == 10
    assert frame["run_id"].tolist() == [specs[0].run_id] * 5 + [specs[1].run_id] * 5
    assert frame["seed"].tolist() == [specs[0].seed] * 5 + [specs[1].seed] * 5
    expected = toy_run.random_walk(specs[1])
    np.testing.assert_array_equal(frame["level"].to_numpy()[5:], expected["level"].to_numpy())


def test_run_failure_names_the_run_and_survives_pickling():
    bad = RunSpec("bad-run", "s", 0, 1, 3, {"drift": "not a number"})
    with pytest.raises(RunFailedError, match="bad-run") as info:
        run_batch(toy_run.random_walk, (0, [bad]))
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.run_id == "bad-run"
    assert "ValueError" in str(copy)
    assert copy.resumable


def refuses_its_input(spec: RunSpec) -> pd.DataFrame:
    raise UserError(f"parameter 'x' of {spec.run_id} is not allowed")


def test_a_run_that_refuses_its_input_is_not_resumable_and_has_no_traceback():
    spec = RunSpec("refused", "s", 0, 1, 3, {})
    with pytest.raises(RunFailedError, match="refused") as info:
        run_batch(refuses_its_input, (0, [spec]))
    copy = pickle.loads(pickle.dumps(info.value))  # as it comes back from a worker
    assert not copy.resumable
    assert copy.detail == "parameter 'x' of refused is not allowed"


# ---------------------------------------------------------------------------- runs
def test_serial_run_stores_every_run(tmp_path, reference):
    timeseries, runs = reference
    specs = make_specs()
    assert len(runs) == len(specs) == 12
    assert runs["run_id"].tolist() == sorted(s.run_id for s in specs)
    assert set(runs.columns) == {
        "run_id",
        "scenario",
        "replication",
        "seed",
        "point",
        "months",
        "drift",
    }
    assert len(timeseries) == 12 * 24
    assert (
        timeseries.groupby("run_id")["month"]
        .apply(list)
        .map(lambda m: m == list(range(1, 25)))
        .all()
    )
    one = timeseries[timeseries["run_id"] == specs[3].run_id]
    np.testing.assert_array_equal(
        one["level"].to_numpy(), toy_run.random_walk(specs[3])["level"].to_numpy()
    )
    # Common random numbers: same replication, same seed, same shocks up to the drift.
    a = timeseries[timeseries["run_id"] == "status_quo-p0000-r0002"]["level"].to_numpy()
    b = timeseries[timeseries["run_id"] == "community_fund-p0000-r0002"]["level"].to_numpy()
    np.testing.assert_allclose(b - a, 0.5 * np.arange(1, 25))


def test_summary_and_on_batch(tmp_path):
    specs = make_specs()
    store = ResultStore(tmp_path)
    store.prepare()
    seen: list[int] = []
    summary = run_experiment(
        specs,
        toy_run.random_walk,
        store,
        SerialExecutor(),
        batch_size=5,
        progress=False,
        on_batch=lambda batch, frame: seen.append(frame["run_id"].nunique()),
    )
    assert (summary.requested, summary.skipped, summary.executed) == (12, 0, 12)
    assert (summary.batches, summary.batch_size) == (3, 5)
    assert seen == [5, 5, 2]
    assert len(list((tmp_path / "timeseries").glob("part-*.parquet"))) == 3
    assert (tmp_path / "runs" / "part-status_quo-p0000-r0000-5.parquet").exists()
    again = run_experiment(specs, toy_run.random_walk, store, SerialExecutor(), progress=False)
    assert (again.skipped, again.executed, again.batches) == (12, 0, 0)


def test_serial_and_process_executors_give_identical_results(tmp_path, reference):
    store = run_into(tmp_path, ProcessExecutor(2), batch_size=5)
    assert_frame_equal(store.read_timeseries(), reference[0])
    assert_frame_equal(store.read_runs(), reference[1])


def test_failed_run_then_resume_redoes_only_missing_runs(tmp_path, monkeypatch, reference):
    specs = make_specs()
    ordered = sharing_order(specs)  # the order in which the runs execute
    calls_dir = tmp_path / "calls"
    calls_dir.mkdir()
    monkeypatch.setenv(toy_run.CALL_DIR_ENV, str(calls_dir))
    monkeypatch.setenv(toy_run.FAIL_RUN_ENV, ordered[7].run_id)  # in the 3rd batch of 3
    store = ResultStore(tmp_path / "out")
    store.prepare()
    with pytest.raises(RunFailedError, match=ordered[7].run_id):
        run_experiment(
            specs, toy_run.counting_walk, store, SerialExecutor(), batch_size=3, progress=False
        )
    assert store.completed_run_ids() == {s.run_id for s in ordered[:6]}
    assert toy_run.calls(calls_dir) == {s.run_id: 1 for s in ordered[:8]}

    # Resume in fresh worker processes; the failure is gone. Spawned workers see the
    # changed environment (forked ones would inherit a fork server's older environment).
    monkeypatch.delenv(toy_run.FAIL_RUN_ENV)
    for path in calls_dir.iterdir():
        path.unlink()
    store.prepare(resume=True)
    with ProcessExecutor(2, start_method="spawn") as executor:
        summary = run_experiment(
            specs, toy_run.counting_walk, store, executor, batch_size=2, progress=False
        )
    assert (summary.skipped, summary.executed) == (6, 6)
    assert toy_run.calls(calls_dir) == {s.run_id: 1 for s in ordered[6:]}
    assert_frame_equal(store.read_timeseries(), reference[0])
    assert_frame_equal(store.read_runs(), reference[1])


def test_keyboard_interrupt_keeps_stored_batches_and_shuts_executor_down(tmp_path, reference):
    specs = make_specs()
    store = ResultStore(tmp_path)
    store.prepare()
    stored: list[int] = []

    def interrupt_after_two(batch, frame):
        stored.append(len(batch))
        if len(stored) == 2:
            raise KeyboardInterrupt

    executor = ProcessExecutor(2)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(
            specs,
            toy_run.random_walk,
            store,
            executor,
            batch_size=2,
            progress=False,
            on_batch=interrupt_after_two,
        )
    with pytest.raises(RuntimeError, match="closed"):
        next(executor.map_batches(len, [[1]]))
    executor.close()  # idempotent
    assert len(store.completed_run_ids()) == 4
    assert len(list((tmp_path / "timeseries").glob("part-*.parquet"))) == 2

    store.prepare(resume=True)
    summary = run_experiment(specs, toy_run.random_walk, store, SerialExecutor(), progress=False)
    assert (summary.skipped, summary.executed) == (4, 8)
    assert_frame_equal(store.read_timeseries(), reference[0])


def test_extending_replications_reuses_stored_runs(tmp_path, reference):
    store = ResultStore(tmp_path)
    store.prepare()
    run_experiment(
        make_specs(replications=3), toy_run.random_walk, store, SerialExecutor(), progress=False
    )
    store.prepare(resume=True)
    summary = run_experiment(
        make_specs(replications=6), toy_run.random_walk, store, SerialExecutor(), progress=False
    )
    assert (summary.skipped, summary.executed) == (6, 6)
    assert_frame_equal(store.read_timeseries(), reference[0])


def test_resume_refuses_runs_of_another_experiment(tmp_path):
    store = ResultStore(tmp_path)
    store.prepare()
    run_experiment(
        make_specs(replications=2), toy_run.random_walk, store, SerialExecutor(), progress=False
    )
    store.prepare(resume=True)
    other_seed = make_specs(replications=2, root_seed=1)
    with pytest.raises(ResumeMismatchError, match="seed"):
        run_experiment(other_seed, toy_run.random_walk, store, SerialExecutor(), progress=False)
    other_params = build_specs(
        {"status_quo": {"drift": 9.0}}, seeds=replication_seeds(2024, 2), months=24
    )
    with pytest.raises(ResumeMismatchError, match="drift"):
        run_experiment(other_params, toy_run.random_walk, store, SerialExecutor(), progress=False)
    assert len(store.completed_run_ids()) == 4


def test_duplicate_run_ids_are_rejected(tmp_path):
    spec = make_specs(replications=1)[0]
    store = ResultStore(tmp_path)
    with pytest.raises(ValueError, match="duplicate"):
        run_experiment([spec, spec], toy_run.random_walk, store, SerialExecutor(), progress=False)


# ---------------------------------------------------------------------------- executors
def test_make_executor_choices():
    serial = make_executor(1, None, None)
    assert isinstance(serial, SerialExecutor) and serial.workers == 1
    with make_executor(3, None, None) as pool:
        assert isinstance(pool, ProcessExecutor) and pool.workers == 3
    with pytest.raises(ValueError):
        make_executor(0, None, None)
    with pytest.raises(ValueError):
        make_executor(1, "tcp://localhost:8786", 2)


def test_process_executor_yields_every_result():
    with ProcessExecutor(2) as executor:
        assert sorted(executor.map_batches(sum, [[i, 1] for i in range(9)])) == list(range(1, 10))


def test_missing_dask_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(MissingDependencyError, match=r"pip install 'gemsim\[dask\]'"):
        DaskExecutor(local_workers=1)


def test_dask_executors_match_serial(tmp_path, reference):
    """A local dask cluster (2 worker processes), and a client to its scheduler address."""
    pytest.importorskip("distributed")
    started = time.perf_counter()
    with DaskExecutor(local_workers=2) as local:
        assert local.workers == 2
        # A second client on the same cluster, through its scheduler address.
        remote = DaskExecutor(scheduler_address=local.client.scheduler.address)
        store = run_into(tmp_path / "remote", remote)  # default batch size; closes `remote`
        assert_frame_equal(store.read_timeseries(), reference[0])
        assert_frame_equal(store.read_runs(), reference[1])

        store = run_into(tmp_path / "local", local, batch_size=3)
        assert_frame_equal(store.read_timeseries(), reference[0])
        assert_frame_equal(store.read_runs(), reference[1])
    assert time.perf_counter() - started < 60
