"""Experiment runner: run a run function over run specs and store the results.

The runner knows nothing about the model; see :mod:`gemsim.experiments.runner`.
Importing this package does not import dask (only :class:`DaskExecutor` does, lazily).
"""

from gemsim.experiments.executors import (
    DaskExecutor,
    Executor,
    MissingDependencyError,
    ProcessExecutor,
    SerialExecutor,
    make_executor,
)
from gemsim.experiments.manifest import build_manifest
from gemsim.experiments.runner import (
    ResumeMismatchError,
    RunFailedError,
    RunSummary,
    run_experiment,
)
from gemsim.experiments.seeds import replication_seeds
from gemsim.experiments.specs import RunSpec, build_specs, make_run_id
from gemsim.experiments.store import ResultsExistError, ResultStore

__all__ = [
    "DaskExecutor",
    "Executor",
    "MissingDependencyError",
    "ProcessExecutor",
    "ResultStore",
    "ResultsExistError",
    "ResumeMismatchError",
    "RunFailedError",
    "RunSpec",
    "RunSummary",
    "SerialExecutor",
    "build_manifest",
    "build_specs",
    "make_executor",
    "make_run_id",
    "replication_seeds",
    "run_experiment",
]
