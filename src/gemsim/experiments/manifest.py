"""The experiment manifest: what was run, with which software, on which code, when."""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import gemsim

__all__ = ["MANIFEST_KEYS", "STATUSES", "build_manifest", "git_state", "package_versions"]

STATUSES = ("running", "complete", "interrupted")

#: Top-level keys of every manifest.
MANIFEST_KEYS: tuple[str, ...] = (
    "manifest_version",
    "status",
    "experiment",
    "seeds",
    "run_count",
    "started",
    "finished",
    "wall_time_s",
    "gemsim_version",
    "versions",
    "platform",
    "git",
)

#: Distributions whose versions are recorded (key -> distribution name).
_DISTRIBUTIONS = {
    "numpy": "numpy",
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "mesa": "mesa",
    "scipy": "scipy",
    "salib": "SALib",
    "pydantic": "pydantic",
    "dask": "dask",
    "distributed": "distributed",
}


def package_versions() -> dict[str, str | None]:
    """Python and library versions (None for a library that is not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for key, dist in _DISTRIBUTIONS.items():
        try:
            versions[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[key] = None
    return versions


def _git(args: Sequence[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(repo_dir: Path | str | None = None) -> dict[str, Any]:
    """Commit and dirtiness of the git repository containing ``repo_dir`` (default: cwd).

    ``{"commit": None, "dirty": None}`` if it is not a git repository or git is missing;
    never raises. ``dirty`` means tracked files have uncommitted changes.
    """
    cwd = Path(repo_dir) if repo_dir is not None else Path.cwd()
    commit = _git(["rev-parse", "HEAD"], cwd)
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def _iso(moment: datetime | str | None) -> str | None:
    if moment is None or isinstance(moment, str):
        return moment
    return moment.isoformat()


def _jsonable(obj: Any) -> Any:
    """A JSON-serialisable copy of ``obj`` (paths and dates as strings, numpy as Python)."""
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, set | frozenset):
        return sorted((_jsonable(v) for v in obj), key=repr)
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return _jsonable(obj.tolist())
    if hasattr(obj, "model_dump"):  # pydantic models
        return _jsonable(obj.model_dump(mode="json"))
    return str(obj)


def build_manifest(
    experiment: Mapping[str, Any],
    seeds: Sequence[int],
    started: datetime | str | None,
    finished: datetime | str | None,
    run_count: int,
    wall_time_s: float | None,
    status: str,
    *,
    repo_dir: Path | str | None = None,
) -> dict[str, Any]:
    """Build the JSON-serialisable manifest of an experiment.

    Args:
        experiment: the experiment definition as run (scenarios, replications, months,
            root seed, sweep or sensitivity settings...).
        seeds: the replication seeds used.
        started, finished: start and end times (datetimes or ISO strings; None if unknown).
        run_count: number of runs stored.
        wall_time_s: wall-clock duration in seconds.
        status: ``"running"``, ``"complete"`` or ``"interrupted"``.
        repo_dir: where to look for the git repository (default: working directory).
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    return {
        "manifest_version": 1,
        "status": status,
        "experiment": _jsonable(experiment),
        "seeds": [int(s) for s in seeds],
        "run_count": int(run_count),
        "started": _iso(started),
        "finished": _iso(finished),
        "wall_time_s": None if wall_time_s is None else round(float(wall_time_s), 3),
        "gemsim_version": gemsim.__version__,
        "versions": package_versions(),
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "python_implementation": platform.python_implementation(),
            "executable": sys.executable,
            "cpu_count": os.cpu_count(),
        },
        "git": git_state(repo_dir),
    }
