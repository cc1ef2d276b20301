"""Experiment runner: run a run function over run specs and store the results.

The runner knows nothing about the model; see :mod:`gemsim.experiments.runner`.
Importing this package imports none of its modules (so neither pandas nor dask): each
name below is imported from its module when it is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: Each exported name -> the module of this package that defines it.
_MODULE_OF = {
    "DaskExecutor": "executors",
    "Executor": "executors",
    "MissingDependencyError": "executors",
    "ProcessExecutor": "executors",
    "SerialExecutor": "executors",
    "make_executor": "executors",
    "build_manifest": "manifest",
    "ResumeMismatchError": "runner",
    "RunFailedError": "runner",
    "RunSummary": "runner",
    "run_experiment": "runner",
    "replication_seeds": "seeds",
    "RunSpec": "specs",
    "build_specs": "specs",
    "make_run_id": "specs",
    "ResultsExistError": "store",
    "ResultStore": "store",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
