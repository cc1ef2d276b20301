"""The model on a Dask cluster gives the same results as the local process pool and as
this process, byte for byte, whatever the batch size.

Dask's nanny starts its workers with ``OPENBLAS_NUM_THREADS=1``; the pool's workers here get
``OPENBLAS_NUM_THREADS=2``. The region is the default one (about 24,000 citizen agents,
above the 10,000 elements from which OpenBLAS splits a dot product over its threads), so
results that depended on BLAS threads would differ.
"""

import pandas as pd
import pytest
from stored_bytes import differing_columns, timeseries_bytes

pytest.importorskip("dask.distributed")

from gemsim.experiments import (
    DaskExecutor,
    ProcessExecutor,
    ResultStore,
    SerialExecutor,
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


def default_region_specs():
    """Two scenarios x three replications of the default region (~24,000 citizens), 2 months."""
    return build_specs(
        {
            "status_quo": {"regime": "status_quo"},
            "groeiplan": {"regime": "direct_fund", "social_infrastructure": True},
        },
        seeds=replication_seeds(7, 3),
        months=2,
    )


def stored(executor, folder, run_function=simulate, specs=None, batch_size=2) -> pd.DataFrame:
    store = ResultStore(folder)
    store.prepare()
    with executor:
        run_experiment(
            specs or tiny_specs(),
            run_function,
            store,
            executor,
            batch_size=batch_size,
            progress=False,
        )
    return store.read_timeseries()


def test_every_stored_byte_is_the_same_whatever_executor_threads_and_batch_size(
    tmp_path, monkeypatch
):
    specs = default_region_specs()
    stored(SerialExecutor(), tmp_path / "here", specs=specs, batch_size=1)
    with monkeypatch.context() as patch:
        patch.setenv("OPENBLAS_NUM_THREADS", "2")  # spawned workers read it at start
        stored(ProcessExecutor(2, "spawn"), tmp_path / "pool", specs=specs, batch_size=4)
    stored(DaskExecutor(local_workers=2), tmp_path / "dask", specs=specs, batch_size=2)
    here = timeseries_bytes(tmp_path / "here")
    assert len(here["month"]) == 6 * 3 * 8
    for other in ("pool", "dask"):
        assert differing_columns(here, timeseries_bytes(tmp_path / other)) == [], other


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
