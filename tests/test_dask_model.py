"""The model on a Dask cluster gives the same results as the local process pool."""

import pandas as pd
import pytest

pytest.importorskip("dask.distributed")

from gemsim.experiments import (
    DaskExecutor,
    ProcessExecutor,
    ResultStore,
    build_specs,
    replication_seeds,
    run_experiment,
)
from gemsim.study.simulation import simulate

TINY = {"n_municipalities": 1, "neighbourhoods_per_municipality": 6}


def tiny_specs():
    """Two scenarios x three replications of a one-municipality region, one year."""
    return build_specs(
        {
            "status_quo": {**TINY, "regime": "status_quo"},
            "groeiplan": {**TINY, "regime": "direct_fund", "social_infrastructure": True},
        },
        seeds=replication_seeds(7, 3),
        months=12,
    )


def stored(executor, folder, run_function=simulate) -> pd.DataFrame:
    store = ResultStore(folder)
    store.prepare()
    with executor:
        run_experiment(tiny_specs(), run_function, store, executor, batch_size=2, progress=False)
    return store.read_timeseries()


def test_local_dask_cluster_gives_the_local_pool_results(tmp_path):
    from_pool = stored(ProcessExecutor(2), tmp_path / "pool")
    from_dask = stored(DaskExecutor(local_workers=2), tmp_path / "dask")
    assert len(from_pool) == 6 * 13
    pd.testing.assert_frame_equal(from_pool, from_dask)


def test_runs_on_a_lost_worker_are_redone(tmp_path, monkeypatch):
    import flaky_run

    reference = stored(ProcessExecutor(2), tmp_path / "pool")
    marker = tmp_path / "killed"
    monkeypatch.setenv(flaky_run.MARKER_VARIABLE, str(marker))
    monkeypatch.setenv(flaky_run.VICTIM_VARIABLE, "groeiplan-p0000-r0001")
    from_dask = stored(
        DaskExecutor(local_workers=2), tmp_path / "dask", flaky_run.simulate_or_die_once
    )
    assert marker.exists()  # a worker really died mid-experiment
    pd.testing.assert_frame_equal(from_dask, reference)
