"""Progress when stderr is not a terminal: a line with runs done, rate and time left every
few seconds (a log would otherwise show nothing between start and end), none when quiet."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import toy_run

import gemsim.experiments.progress
import gemsim.study.jobs
from gemsim.cli import main
from gemsim.experiments import ResultStore, SerialExecutor, build_specs, run_experiment
from gemsim.experiments.progress import Progress, format_duration
from gemsim.study.simulation import simulate

REPO = Path(__file__).resolve().parents[1]


def test_durations_read_naturally():
    assert format_duration(4.4) == "4 s"
    assert format_duration(154) == "2 min 34 s"
    assert format_duration(3900) == "1 h 05 min"


def test_line_shows_runs_done_rate_and_time_left():
    now = [100.0]
    progress = Progress(1200, 200, enabled=False, clock=lambda: now[0])
    assert progress.line() == (
        "gemsim: 200/1,200 runs done (17%), 0 s since start, waiting for the first batch"
    )
    now[0] += 50.0
    progress.update(100)  # 100 runs in 50 s: 2 runs/s, 900 left
    assert progress.line() == ("gemsim: 300/1,200 runs done (25%), 2 runs/s, about 7 min 30 s left")


def test_lines_are_printed_every_interval_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(10, 0, stream=stream, interval_s=0.02) as progress:
        time.sleep(0.1)
        progress.update(4)
        time.sleep(0.1)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 4
    assert all(line.startswith("gemsim: ") for line in lines)
    assert "4/10 runs done (40%)" in lines[-1] and "left" in lines[-1]


def test_nothing_is_printed_when_disabled_or_nothing_is_left():
    for progress in (
        Progress(10, 0, enabled=False, stream=io.StringIO(), interval_s=0.01),
        Progress(10, 10, stream=io.StringIO(), interval_s=0.01),
    ):
        time.sleep(0.05)
        progress.close()
        assert progress.stream.getvalue() == ""


def slow_walk(spec):
    time.sleep(0.03)
    return toy_run.random_walk(spec)


def test_runner_prints_progress_lines_into_a_log(tmp_path: Path, capsys):
    specs = build_specs({"a": {}}, seeds=list(range(12)), months=3)
    store = ResultStore(tmp_path)
    store.prepare()
    with SerialExecutor() as executor:
        run_experiment(specs, slow_walk, store, executor, batch_size=2, progress_interval_s=0.05)
    lines = [line for line in capsys.readouterr().err.splitlines() if "runs done" in line]
    assert lines and lines[-1].startswith("gemsim: ") and "/12 runs done" in lines[-1]


EXPERIMENT = f"""\
name = "tiny"
scenarios = ["{REPO}/scenarios/status_quo.toml", "{REPO}/scenarios/groeiplan.toml"]
replications = 4
months = 3
seed = 1

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 4
"""


@pytest.mark.parametrize("quiet", [False, True])
def test_compare_into_a_log_prints_progress_unless_quiet(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, quiet: bool
):
    def slow_simulate(spec):
        time.sleep(0.05)
        return simulate(spec)

    monkeypatch.setattr(gemsim.experiments.progress, "PROGRESS_INTERVAL_S", 0.05)
    monkeypatch.setattr(gemsim.study.jobs, "_simulate", lambda: slow_simulate)
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    args = ["compare", str(experiment), "--out", str(tmp_path / "out"), "--workers", "1"]
    args += ["--no-report", *(["--quiet"] if quiet else [])]
    assert main(args) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "runs done" in line]
    if quiet:
        assert lines == []
    else:
        assert len(lines) >= 2 and "/8 runs done" in lines[-1]
