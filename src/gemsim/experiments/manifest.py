"""The experiment manifest: what was run, with which software, on which code, when.

A results folder may be written by several invocations (a run, interrupted, then resumed
or extended). The manifest keeps every one of them in ``invocations``, oldest first, and is
only ever appended to: each invocation owns its own entry, and the top-level fields
summarise the history (see :func:`merge_history`). Every scenario and experiment file an
invocation read is recorded with its SHA-256 (``inputs``), so a file changed after the run,
or one that was never committed, can be told apart from the one used.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import gemsim

__all__ = [
    "ENVIRONMENT_KEYS",
    "INVOCATION_KEYS",
    "MANIFEST_KEYS",
    "MANIFEST_VERSION",
    "STATUSES",
    "build_manifest",
    "environment",
    "git_state",
    "input_files",
    "invocation_record",
    "jsonable",
    "merge_history",
    "package_versions",
    "same_code",
    "stored_history",
]

MANIFEST_VERSION = 2
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
    "inputs",
    "invocations",
)

#: What describes the software and files of one invocation.
ENVIRONMENT_KEYS: tuple[str, ...] = ("gemsim_version", "versions", "platform", "git", "inputs")

#: Keys of every entry of ``invocations``.
INVOCATION_KEYS: tuple[str, ...] = (
    "started",
    "finished",
    "wall_time_s",
    "status",
    "runs_before",
    "runs_executed",
    "runs_after",
    *ENVIRONMENT_KEYS,
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
    "numba": "numba",
    "scikit-learn": "scikit-learn",
    "threadpoolctl": "threadpoolctl",
    "dask": "dask",
    "distributed": "distributed",
}

#: At most this many changed paths are listed in ``git.changes``.
_MAX_CHANGES = 50


def package_versions() -> dict[str, str | None]:
    """Python and library versions (None for a library that is not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for key, dist in _DISTRIBUTIONS.items():
        try:
            versions[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[key] = None
    return versions


def blas_libraries() -> list[dict[str, str | None]]:
    """The BLAS libraries NumPy and SciPy load, each with its version and the CPU kernel it
    chose (``architecture``): the metamodel's fit runs on SciPy's, and its last bits
    depend on that kernel (README, Reproducibility)."""
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS)
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "threading_layer")
    return [
        {"library": Path(info["filepath"]).name, **{key: info.get(key) for key in keys}}
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]


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


def _porcelain(root: Path, paths: Sequence[str] = (), ignored: bool = False) -> list[str] | None:
    """``git status --porcelain`` lines (``XY path``) below ``root``, untracked files listed
    one by one; None if git fails."""
    args = ["status", "--porcelain=v1", "--untracked-files=all", "-z"]
    if ignored:
        args.append("--ignored=traditional")
    output = _git([*args, "--", *paths], root)
    if output is None:
        return None
    lines: list[str] = []
    entries = iter(output.split("\0"))
    for entry in entries:
        if not entry:
            continue
        lines.append(entry)
        if entry[:1] in ("R", "C"):  # renames and copies are followed by their source
            next(entries, None)
    return lines


def _inside(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` (POSIX), or None if it lies outside."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def _input_states(root: Path, paths: Sequence[Path]) -> dict[Path, str]:
    """Git state of each file below ``root``: committed, modified, untracked or ignored."""
    inside = {p: rel for p in paths if (rel := _inside(p, root)) is not None}
    if not inside:
        return {}
    lines = _porcelain(root, sorted(set(inside.values())), ignored=True)
    if lines is None:
        return {}
    codes = {line[3:]: line[:2] for line in lines}
    states: dict[Path, str] = {}
    for path, rel in inside.items():
        code = codes.get(rel)
        if code is None:
            states[path] = "committed"
        elif code == "??":
            states[path] = "untracked"
        elif code == "!!":
            states[path] = "ignored"
        else:
            states[path] = "modified"
    return states


def git_state(
    repo_dir: Path | str | None = None, inputs: Iterable[Path | str] = ()
) -> dict[str, Any]:
    """Commit and dirtiness of the git repository containing ``repo_dir`` (default: cwd).

    ``dirty`` is true when the commit alone does not reproduce the tree that ran: tracked
    files changed, files not ignored are untracked, or one of ``inputs`` (files read by the
    run) lies in the repository without being committed as is (untracked, ignored or
    modified). ``changes`` lists those paths (at most 50). ``{"commit": None, "dirty":
    None, "changes": []}`` if it is not a git repository or git is missing; never raises.
    """
    cwd = Path(repo_dir) if repo_dir is not None else Path.cwd()
    unknown: dict[str, Any] = {"commit": None, "dirty": None, "changes": []}
    commit = _git(["rev-parse", "HEAD"], cwd)
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if commit is None or top is None:
        return unknown
    root = Path(top.strip()).resolve()
    lines = _porcelain(root)
    if lines is None:
        return {"commit": commit.strip(), "dirty": None, "changes": []}
    changes = list(lines)
    for path, state in _input_states(root, [Path(p) for p in inputs]).items():
        line = f"!! {_inside(path, root)}"
        if state == "ignored" and line not in changes:
            changes.append(line)
    return {
        "commit": commit.strip(),
        "dirty": bool(changes),
        "changes": changes[:_MAX_CHANGES],
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(
    paths: Iterable[Path | str], repo_dir: Path | str | None = None
) -> list[dict[str, Any]]:
    """One record per file read (in order, without repeats): its path, size, SHA-256 and,
    if it lies in the git repository of ``repo_dir``, its git state (``committed``,
    ``modified``, ``untracked`` or ``ignored``; None outside the repository)."""
    unique = list(dict.fromkeys(Path(p) for p in paths))
    cwd = Path(repo_dir) if repo_dir is not None else Path.cwd()
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    states = _input_states(Path(top.strip()).resolve(), unique) if top else {}
    records: list[dict[str, Any]] = []
    for path in unique:
        try:
            size, digest = path.stat().st_size, _sha256(path)
        except OSError:
            size, digest = None, None
        records.append(
            {"path": str(path), "bytes": size, "sha256": digest, "git": states.get(path)}
        )
    return records


def _iso(moment: datetime | str | None) -> str | None:
    if moment is None or isinstance(moment, str):
        return moment
    return moment.isoformat()


def jsonable(obj: Any) -> Any:
    """A JSON-serialisable copy of ``obj`` (paths and dates as strings, numpy as Python)."""
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, set | frozenset):
        return sorted((jsonable(v) for v in obj), key=repr)
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return jsonable(obj.tolist())
    if hasattr(obj, "model_dump"):  # pydantic models
        return jsonable(obj.model_dump(mode="json"))
    return str(obj)


def environment(
    repo_dir: Path | str | None = None, inputs: Iterable[Path | str] = ()
) -> dict[str, Any]:
    """The software, machine, code and input files of this process (:data:`ENVIRONMENT_KEYS`)."""
    paths = list(inputs)
    return {
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
            "blas": blas_libraries(),
        },
        "git": git_state(repo_dir, paths),
        "inputs": input_files(paths, repo_dir),
    }


def invocation_record(
    *,
    started: datetime | str | None,
    finished: datetime | str | None,
    wall_time_s: float | None,
    status: str,
    runs_before: int,
    runs_executed: int,
    runs_after: int,
    env: Mapping[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """One entry of ``invocations``: when, with what outcome, on which software and files
    (``env`` from :func:`environment`); ``extra`` (command, executor...) is appended."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    return {
        "started": _iso(started),
        "finished": _iso(finished),
        "wall_time_s": None if wall_time_s is None else round(float(wall_time_s), 3),
        "status": status,
        "runs_before": int(runs_before),
        "runs_executed": int(runs_executed),
        "runs_after": int(runs_after),
        **{key: jsonable(env.get(key)) for key in ENVIRONMENT_KEYS},
        **jsonable(extra),
    }


def same_code(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two environments ran the same gemsim version, libraries and git commit."""
    keys = ("gemsim_version", "versions")
    git_a, git_b = a.get("git") or {}, b.get("git") or {}
    return all(a.get(k) == b.get(k) for k in keys) and git_a.get("commit") == git_b.get("commit")


def _summary_environment(invocations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The environment that produced the stored runs: the first invocation that executed
    runs (the last invocation if none did); ``git.dirty`` also when later ones ran other
    code, whose commits are then listed in ``git.commits``."""
    producing = [i for i in invocations if i.get("runs_executed")] or [invocations[-1]]
    first = producing[0]
    git = dict(first.get("git") or {})
    commits = list(dict.fromkeys((i.get("git") or {}).get("commit") for i in producing))
    mixed = any(not same_code(first, other) for other in producing[1:])
    if any((i.get("git") or {}).get("dirty") for i in producing) or mixed:
        git["dirty"] = True
    if len(commits) > 1:
        git["commits"] = commits
    records = [r for i in producing for r in i.get("inputs") or []]
    inputs = list({(r.get("path"), r.get("sha256")): r for r in records}.values())
    return {**{k: first.get(k) for k in ENVIRONMENT_KEYS}, "git": git, "inputs": inputs}


def stored_history(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``invocations`` of a stored manifest, oldest first. A manifest written before
    the history was kept (version 1) gives one invocation made of its top-level fields."""
    invocations = manifest.get("invocations")
    if isinstance(invocations, list):
        return [dict(i) for i in invocations if isinstance(i, Mapping)]
    if not manifest:
        return []
    run_count = manifest.get("run_count")
    entry: dict[str, Any] = {
        "started": manifest.get("started"),
        "finished": manifest.get("finished"),
        "wall_time_s": manifest.get("wall_time_s"),
        "status": manifest.get("status"),
        "runs_before": None,
        "runs_executed": run_count,
        "runs_after": run_count,
        **{key: manifest.get(key) for key in ENVIRONMENT_KEYS},
    }
    for key in ("command", "argv", "resumed", "executor", "error"):
        if key in manifest:
            entry[key] = manifest[key]
    return [entry]


def merge_history(
    previous: Sequence[Mapping[str, Any]], current: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Append ``current`` to the ``previous`` invocations; return the history and the
    top-level fields that summarise it.

    ``started`` is the first invocation's start. ``finished`` and ``wall_time_s`` count
    only invocations that did something (executed runs, or changed the status), so that a
    resume with nothing left to do leaves them as they were: ``finished`` is the end of the
    last such invocation and ``wall_time_s`` the sum of their wall times. The software,
    code and input files are those of the invocations that executed runs
    (:func:`_summary_environment`).
    """
    history = [dict(i) for i in previous] + [dict(current)]
    effective: list[dict[str, Any]] = []
    last_status: str | None = None
    for entry in history:
        if entry.get("runs_executed") or entry.get("status") != last_status:
            effective.append(entry)
        last_status = entry.get("status")
    finished = next((e.get("finished") for e in reversed(effective) if e.get("finished")), None)
    times = [e["wall_time_s"] for e in effective if e.get("wall_time_s") is not None]
    summary = {
        "started": history[0].get("started"),
        "finished": finished if current.get("status") != "running" else None,
        "wall_time_s": round(sum(times), 3) if times else None,
        **_summary_environment(history),
    }
    return history, summary


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
    inputs: Iterable[Path | str] = (),
    history: Sequence[Mapping[str, Any]] = (),
    runs_before: int = 0,
    runs_executed: int | None = None,
    env: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Build the JSON-serialisable manifest of an experiment, appending this invocation to
    ``history`` (the ``invocations`` of the stored manifest; empty for a new experiment).

    Args:
        experiment: the experiment definition as run (scenarios, replications, months,
            root seed, sweep or sensitivity settings...).
        seeds: the replication seeds used.
        started, finished: start and end of this invocation (datetimes or ISO strings;
            ``finished`` None while running).
        run_count: number of runs stored now.
        wall_time_s: wall-clock duration of this invocation in seconds.
        status: ``"running"``, ``"complete"`` or ``"interrupted"``.
        repo_dir: where to look for the git repository (default: working directory).
        inputs: the scenario and experiment files read (hashed; see :func:`input_files`).
        history: earlier invocations, oldest first (never changed here).
        runs_before: runs stored before this invocation.
        runs_executed: runs this invocation executed (default ``run_count - runs_before``).
        env: this invocation's :func:`environment` (computed from ``repo_dir`` and
            ``inputs`` if not given; pass it to record the state when the files were read).
        extra: more fields of this invocation (command, executor, error...); they are also
            copied to the top level, where earlier manifests kept them.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    executed = run_count - runs_before if runs_executed is None else runs_executed
    current = invocation_record(
        started=started,
        finished=finished,
        wall_time_s=wall_time_s,
        status=status,
        runs_before=runs_before,
        runs_executed=executed,
        runs_after=run_count,
        env=environment(repo_dir, inputs) if env is None else env,
        **extra,
    )
    invocations, summary = merge_history(history, current)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "status": status,
        "experiment": jsonable(experiment),
        "seeds": [int(s) for s in seeds],
        "run_count": int(run_count),
        "started": summary["started"],
        "finished": summary["finished"],
        "wall_time_s": summary["wall_time_s"],
        **{key: summary[key] for key in ENVIRONMENT_KEYS},
        "invocations": invocations,
    }
    manifest.update(jsonable(extra))
    return manifest
