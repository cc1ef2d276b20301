"""Provenance in the manifest: git state with untracked inputs, file hashes, the history of
invocations (appended, never replaced), and differences named in plain values."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gemsim.experiments import ResultStore, RunSpec, build_manifest
from gemsim.experiments.differences import record_differences
from gemsim.experiments.manifest import (
    INVOCATION_KEYS,
    git_state,
    input_files,
    merge_history,
    stored_history,
)
from gemsim.experiments.runner import run_batch

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one committed scenario and an ignored results folder."""
    root = tmp_path / "repo"
    (root / "scenarios").mkdir(parents=True)
    (root / "scenarios" / "base.toml").write_text('name = "base"\n')
    (root / ".gitignore").write_text("results/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


@needs_git
def test_a_clean_tree_with_committed_inputs_is_not_dirty(repo: Path):
    state = git_state(repo, [repo / "scenarios" / "base.toml"])
    assert state["dirty"] is False and state["changes"] == []
    assert len(state["commit"]) == 40


@needs_git
def test_an_untracked_scenario_makes_the_tree_dirty_and_is_recorded_as_untracked(repo: Path):
    mine = repo / "scenarios" / "mine.toml"
    mine.write_text('name = "mine"\nextends = "base"\n')
    state = git_state(repo, [mine])
    assert state["dirty"] is True
    assert "?? scenarios/mine.toml" in state["changes"]
    records = input_files([mine, repo / "scenarios" / "base.toml"], repo)
    assert [r["git"] for r in records] == ["untracked", "committed"]


@needs_git
def test_modified_and_ignored_inputs_are_named(repo: Path):
    base = repo / "scenarios" / "base.toml"
    base.write_text('name = "base"\ndescription = "changed"\n')
    ignored = repo / "results" / "copy.toml"
    ignored.parent.mkdir()
    ignored.write_text('name = "copy"\n')
    state = git_state(repo, [base, ignored])
    assert state["dirty"] is True
    assert {" M scenarios/base.toml", "!! results/copy.toml"} <= set(state["changes"])
    assert [r["git"] for r in input_files([base, ignored], repo)] == ["modified", "ignored"]
    # An ignored file that no run read does not make the tree dirty.
    base.write_text('name = "base"\n')
    assert git_state(repo)["dirty"] is False


def test_input_files_record_size_and_sha256_once_each(tmp_path: Path):
    scenario = tmp_path / "a.toml"
    scenario.write_text("name = 'a'\n")
    (record,) = input_files([scenario, scenario], tmp_path)
    assert record["sha256"] == hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert record["bytes"] == scenario.stat().st_size
    assert record["git"] is None  # not in a repository


def invocation(started: str, status: str, executed: int, wall: float) -> dict:
    return {
        "started": started,
        "finished": started.replace("T10", "T11"),
        "wall_time_s": wall,
        "status": status,
        "runs_executed": executed,
        "git": {"commit": "a" * 40, "dirty": False},
        "inputs": [],
    }


def test_history_is_appended_and_a_no_op_invocation_changes_no_summary():
    first = invocation("2025-01-01T10:00", "interrupted", 4, 10.0)
    second = invocation("2025-01-02T10:00", "complete", 8, 20.0)
    history, summary = merge_history([first], second)
    assert history == [first, second]
    assert summary["started"] == first["started"]
    assert summary["finished"] == second["finished"]
    assert summary["wall_time_s"] == 30.0

    no_op = invocation("2025-01-03T10:00", "complete", 0, 0.2)
    again, after = merge_history(history, no_op)
    assert again[:2] == history and again[2] == no_op
    assert (after["started"], after["finished"], after["wall_time_s"]) == (
        summary["started"],
        summary["finished"],
        summary["wall_time_s"],
    )


def test_runs_made_by_other_code_are_marked_dirty_with_both_commits():
    first = invocation("2025-01-01T10:00", "interrupted", 4, 10.0)
    second = invocation("2025-01-02T10:00", "complete", 8, 20.0)
    second["git"] = {"commit": "b" * 40, "dirty": False}
    _, summary = merge_history([first], second)
    assert summary["git"]["dirty"] is True
    assert summary["git"]["commits"] == ["a" * 40, "b" * 40]


def test_build_manifest_keeps_earlier_invocations_unchanged(tmp_path: Path):
    first = build_manifest(
        {"name": "x"},
        [1],
        "2025-01-01T10:00",
        "2025-01-01T10:01",
        2,
        60.0,
        "interrupted",
        repo_dir=tmp_path,
        command="gemsim compare x.toml",
    )
    second = build_manifest(
        {"name": "x"},
        [1],
        "2025-01-02T10:00",
        None,
        2,
        None,
        "running",
        repo_dir=tmp_path,
        history=first["invocations"],
        runs_before=2,
    )
    assert second["invocations"][0] == first["invocations"][0]
    assert set(INVOCATION_KEYS) <= set(second["invocations"][1])
    assert second["started"] == "2025-01-01T10:00" and second["finished"] is None


def test_a_version_1_manifest_becomes_one_invocation():
    old = {
        "status": "complete",
        "started": "2024-05-01T09:00",
        "finished": "2024-05-01T09:10",
        "wall_time_s": 600.0,
        "run_count": 120,
        "command": "gemsim compare",
        "git": {"commit": "c" * 40, "dirty": False},
    }
    (entry,) = stored_history(old)
    assert entry["started"] == old["started"] and entry["runs_executed"] == 120
    assert entry["command"] == "gemsim compare"
    assert stored_history({}) == []


def test_differences_are_named_in_plain_values():
    stored = {"replications": 10, "months": 120, "scenarios": {"a": {"parameters": {"x": 1.5}}}}
    now = {
        "replications": np.int64(30),
        "months": np.int64(120),
        "scenarios": {"a": {"parameters": {"x": 2.0, "regime": "direct_fund"}}},
    }
    shown = [str(d) for d in record_differences(stored, now)]
    assert shown == [
        "replications: stored 10, now 30",
        "scenarios.a.parameters.x: stored 1.5, now 2.0",
        'scenarios.a.parameters.regime: stored not set, now "direct_fund"',
    ]
    assert record_differences(stored, now, ignore=["scenarios.*", "replications"]) == []


def one_month(spec: RunSpec) -> pd.DataFrame:
    return pd.DataFrame({"month": [1], "value": [float(spec.seed)]})


def test_stored_run_mismatches_are_named_in_plain_values(tmp_path: Path):
    store = ResultStore(tmp_path)
    store.prepare()
    stored = RunSpec("run-000", "s", 0, 5, 120, {"rate": 0.5})
    store.write_batch([stored], run_batch(one_month, (0, [stored]))[1])
    changed = RunSpec("run-000", "s", 0, 5, 60, {"rate": 0.25})
    problems = store.stored_mismatches([changed])
    assert problems == [
        "run-000: months stored 120, now 60",
        "run-000: rate stored 0.5, now 0.25",
    ]
