"""Resuming through the command line: a resume never changes the experiment (unless asked to
extend it), keeps the history of every invocation, records the files read, and finds,
names and redoes damaged results instead of reading them."""

from __future__ import annotations

import hashlib
import json
import shutil
from itertools import count
from pathlib import Path

import pytest
from stored_bytes import differing_columns, timeseries_bytes

import gemsim.study.jobs
from gemsim.cli import main
from gemsim.experiments import ResultStore
from gemsim.study.simulation import simulate

REPO = Path(__file__).resolve().parents[1]

EXPERIMENT = """\
name = "tiny"
scenarios = ["{scenarios}/status_quo.toml", "{mine}"]
replications = 3
months = 4
seed = 11

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 4
"""

MINE = """\
name = "mine"
extends = "{scenarios}/groeiplan.toml"

[parameters]
allocation_rule = "per_capita"
"""


def write_experiment(folder: Path) -> Path:
    """A tiny experiment whose second scenario extends a shipped one."""
    folder.mkdir(parents=True, exist_ok=True)
    scenarios = REPO / "scenarios"
    mine = folder / "mine.toml"
    mine.write_text(MINE.format(scenarios=scenarios), encoding="utf-8")
    path = folder / "tiny.toml"
    path.write_text(EXPERIMENT.format(scenarios=scenarios, mine=mine), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(a) for a in (*args, "--workers", "1", "--no-report")])
    return code, capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def interrupting_after(runs: int):
    calls = count()

    def run(spec):
        if next(calls) == runs:
            raise KeyboardInterrupt
        return simulate(spec)

    return run


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny experiment run uninterrupted (3 replications)."""
    folder = tmp_path_factory.mktemp("whole")
    experiment = write_experiment(folder)
    args = ["compare", experiment, "--out", folder / "out", "--workers", "1", "--quiet"]
    assert main([str(a) for a in args]) == 0
    return folder / "out"


def interrupted(capsys, folder: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> Path:
    """The experiment interrupted after 1 run; returns its results folder."""
    experiment = write_experiment(folder)
    out = folder / "out"
    with monkeypatch.context() as patch:
        patch.setattr(gemsim.study.jobs, "_simulate", lambda: interrupting_after(1))
        code, _ = run_cli(capsys, "compare", experiment, "--out", out, "--quiet", *options)
    assert code == 130
    return out


# ------------------------------------------------------------------ the experiment stays
def test_plain_resume_refuses_other_replications_and_names_them_in_plain_values(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = interrupted(capsys, tmp_path, monkeypatch, "--replications", "2")
    before = snapshot(out)
    code, err = run_cli(capsys, "compare", tmp_path / "tiny.toml", "--out", out, "--resume")
    assert code == 2
    assert "replications: stored 2, now 3" in err
    assert "--replications 2 --months 4 --seed 11" in err and "--extend" in err
    assert "np." not in err and "Traceback" not in err
    assert snapshot(out) == before


def test_resume_names_every_difference_of_another_experiment(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = interrupted(capsys, tmp_path, monkeypatch)
    mine = tmp_path / "mine.toml"
    mine.write_text(mine.read_text().replace("per_capita", "first_come"))
    before = snapshot(out)
    code, err = run_cli(
        capsys, "compare", tmp_path / "tiny.toml", "--out", out, "--resume", "--months", "6"
    )
    assert code == 2
    assert "months: stored 4, now 6" in err
    assert 'scenarios.mine.parameters.allocation_rule: stored "per_capita", now "first_come"' in err
    code, err = run_cli(capsys, "compare", tmp_path / "tiny.toml", "--out", out, "--extend")
    assert code == 2 and "--extend only adds replications" in err
    assert "allocation_rule" in err and "months: stored" not in err
    assert snapshot(out) == before


def test_extend_adds_replications_to_the_stored_runs(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: Path
):
    out = interrupted(capsys, tmp_path, monkeypatch, "--replications", "2")
    experiment = tmp_path / "tiny.toml"
    assert run_cli(capsys, "compare", experiment, "--out", out, "--replications", "2",
                  "--resume")[0] == 0  # fmt: skip
    assert len(ResultStore(out).completed_run_ids()) == 4
    assert run_cli(capsys, "compare", experiment, "--out", out, "--extend")[0] == 0
    assert differing_columns(timeseries_bytes(out), timeseries_bytes(whole)) == []
    stored = manifest(out)
    assert stored["experiment"]["replications"] == 3 and len(stored["seeds"]) == 3
    assert [i["runs_executed"] for i in stored["invocations"]] == [1, 3, 2]
    assert [i["extended"] for i in stored["invocations"]] == [False, False, True]
    code, err = run_cli(capsys, "compare", experiment, "--out", out, "--replications", "2",
                       "--extend")  # fmt: skip
    assert code == 2 and "replications: stored 3, now 2" in err


# ------------------------------------------------------------------ provenance
def test_a_resume_with_nothing_to_do_keeps_start_end_and_wall_time(
    capsys, tmp_path: Path, whole: Path
):
    out = shutil.copytree(whole, tmp_path / "out")
    before = manifest(out)
    assert run_cli(capsys, "compare", whole.parent / "tiny.toml", "--out", out, "--resume")[0] == 0
    after = manifest(out)
    for key in ("started", "finished", "wall_time_s", "run_count", "status", "git"):
        assert after[key] == before[key], key
    assert after["invocations"][:1] == before["invocations"]
    assert len(after["invocations"]) == 2
    assert after["invocations"][1]["runs_executed"] == 0
    assert after["invocations"][1]["argv"][-4:] == ["--resume", "--workers", "1", "--no-report"]


def test_every_scenario_and_experiment_file_read_is_recorded_with_its_hash(whole: Path):
    folder = whole.parent
    read = [folder / "tiny.toml", REPO / "scenarios" / "status_quo.toml", folder / "mine.toml"]
    read.append(REPO / "scenarios" / "groeiplan.toml")  # extended by mine.toml
    (invocation,) = manifest(whole)["invocations"]
    recorded = {Path(r["path"]).resolve(): r["sha256"] for r in invocation["inputs"]}
    assert recorded == {p.resolve(): hashlib.sha256(p.read_bytes()).hexdigest() for p in read}
    assert manifest(whole)["inputs"] == invocation["inputs"]


# ------------------------------------------------------------------ damaged folders
def damaged_copy(whole: Path, folder: Path, damage: str) -> tuple[Path, str]:
    """A copy of the finished results with one part damaged; returns it and the part."""
    out = shutil.copytree(whole, folder / "out")
    part = sorted((out / "timeseries").glob("part-*.parquet"))[0]
    if damage == "truncated time series":
        data = part.read_bytes()
        part.write_bytes(data[: len(data) // 3])
        return out, f"timeseries/{part.name}"
    target = out / "runs" / part.name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    return out, f"runs/{part.name}"


@pytest.mark.parametrize("damage", ["truncated time series", "corrupted run table"])
def test_report_refuses_a_damaged_part_and_names_it(capsys, tmp_path: Path, whole, damage):
    out, part = damaged_copy(whole, tmp_path, damage)
    before = snapshot(out)
    code = main(["report", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and part in err and "--resume" in err and "Traceback" not in err
    assert snapshot(out) == before


@pytest.mark.parametrize("damage", ["truncated time series", "corrupted run table"])
def test_resume_sets_a_damaged_part_aside_and_redoes_its_runs(
    capsys, tmp_path: Path, whole: Path, damage: str
):
    out, part = damaged_copy(whole, tmp_path, damage)
    code, err = run_cli(capsys, "compare", whole.parent / "tiny.toml", "--out", out, "--resume")
    assert code == 0
    assert "damaged" in err and part in err
    assert differing_columns(timeseries_bytes(out), timeseries_bytes(whole)) == []
    assert ResultStore(out).damaged_batches() == []
    assert list((out / "damaged").rglob(Path(part).name))  # set aside, not deleted
    last = manifest(out)["invocations"][-1]
    assert last["runs_executed"] > 0 and part in last["damaged_set_aside"][0]


def test_a_manifest_that_does_not_parse_is_refused_by_report_and_resume(
    capsys, tmp_path: Path, whole: Path
):
    out = shutil.copytree(whole, tmp_path / "out")
    (out / "manifest.json").write_text('{"status": "complete", "experi')
    before = snapshot(out)
    assert main(["report", str(out)]) == 2
    assert "manifest.json is damaged" in capsys.readouterr().err
    code, err = run_cli(capsys, "compare", whole.parent / "tiny.toml", "--out", out, "--resume")
    assert code == 2 and "manifest.json is damaged" in err and "--force" in err
    assert snapshot(out) == before
