"""The gemsim command line, end to end on tiny experiments (in-process and in subprocesses)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from itertools import count
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import gemsim.analysis
import gemsim.study.jobs
from gemsim.cli import main
from gemsim.errors import UserError
from gemsim.experiments import ResultStore
from gemsim.experiments.manifest import MANIFEST_KEYS
from gemsim.model.model import MODEL_REPORTERS, MONEY_REPORTERS
from gemsim.model.parameters import Parameters, parameter_table
from gemsim.study.simulation import simulate

REPO = Path(__file__).resolve().parents[1]
HAS_ANALYSIS = hasattr(gemsim.analysis, "build_outputs")
needs_analysis = pytest.mark.skipif(
    not HAS_ANALYSIS, reason="gemsim.analysis.build_outputs is not available yet"
)

TINY = """\
name = "tiny"
description = "two regimes on a tiny region"
scenarios = ["{status_quo}", "{groeiplan}"]
baseline = "status_quo"
replications = {replications}
months = {months}
seed = 11
outputs = ["trust_government", "participation"]

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 6
{sweep}"""


def write_experiment(
    folder: Path, replications: int = 3, months: int = 12, sweep: str = "", name: str = "tiny"
) -> Path:
    """A tiny experiment file using the shipped scenarios."""
    text = TINY.format(
        status_quo=REPO / "scenarios" / "status_quo.toml",
        groeiplan=REPO / "scenarios" / "groeiplan.toml",
        replications=replications,
        months=months,
        sweep=sweep,
    ).replace('name = "tiny"', f'name = "{name}"')
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder`` with its modification time and content."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_quietly(*args: str | Path) -> int:
    return main([str(a) for a in (*args, "--quiet", "--no-report")])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Results of the tiny experiment, run uninterrupted on one worker."""
    folder = tmp_path_factory.mktemp("reference")
    experiment = write_experiment(folder)
    assert run_quietly("compare", experiment, "--workers", "1", "--out", folder / "out") == 0
    return folder / "out"


# ------------------------------------------------------------------------ help and params
@pytest.mark.parametrize("command", ["run", "compare", "sweep", "report", "validate", "params"])
def test_every_command_has_help(capsys, command: str):
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0
    assert out.startswith(f"usage: gemsim {command}")


def test_no_command_is_a_one_line_usage_error(capsys):
    code, out, err = cli(capsys)
    assert code == 2 and out == ""
    assert err.startswith("gemsim: error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--workers", "0"],
        ["compare", "--replications", "many"],
        ["compare", "--seed", "-4"],
        ["compare", "--force", "--resume"],
        ["compare", "--scheduler", "tcp://x:1", "--dask-local", "2"],
        ["params", "--format", "xml"],
        ["frobnicate"],
    ],
)
def test_bad_command_line_value_is_one_line_exit_2(capsys, args: list[str]):
    code, _, err = cli(capsys, *args)
    assert code == 2
    assert err.startswith("gemsim: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_params_table_lists_every_parameter_with_range_and_source(capsys):
    code, out, _ = cli(capsys, "params")
    assert code == 0
    blocks = {}  # name -> its lines: "name = default  # unit", then allowed and source
    for line in out.splitlines():
        if not line.startswith(" "):
            blocks[line.split(" = ")[0]] = [line]
        else:
            blocks[next(reversed(blocks))].append(line)
    assert list(blocks) == list(Parameters.model_fields)
    months = "\n".join(blocks["months"])
    assert months.startswith("months = 120  # months\n")
    assert "allowed: an integer from 1 to 600" in months and "source: " in months
    assert 'regime = "status_quo"' in blocks["regime"][0]  # as written in a scenario file


def test_params_table_fits_in_100_columns(capsys):
    code, out, _ = cli(capsys, "params")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    # a long source is wrapped, not cut: every word of it is printed
    longest = max((row["source"] for row in parameter_table()), key=len)
    assert len(longest) > 100 and set(longest.split()) <= set(out.split())


@pytest.mark.parametrize(("text", "suggestion"), [("monts", "'months'"), ("trsut", "'trust'")])
def test_params_unknown_name_exits_2_with_a_suggestion(capsys, text: str, suggestion: str):
    code, out, err = cli(capsys, "params", text)
    assert code == 2 and out == ""
    assert err.startswith("gemsim: error: ") and err.count("\n") == 1
    assert f"no parameter name contains {text!r}" in err and suggestion in err


def test_params_csv_and_markdown(capsys):
    code, out, _ = cli(capsys, "params", "--format", "csv", "months")
    assert code == 0
    frame = pd.read_csv(pd.io.common.StringIO(out))
    assert list(frame.columns) == [
        "name",
        "unit",
        "default",
        "allowed",
        "plausible",
        "source",
        "description",
    ]
    assert "months" in set(frame["name"])
    code, out, _ = cli(capsys, "params", "--format", "markdown", "regime")
    header = "| name | unit | default | allowed | plausible | source | description |"
    assert out.splitlines()[0] == header
    assert "| regime | - | status_quo |" in out


# ------------------------------------------------------------------------------ validate
def test_validate_prints_ok_for_every_good_file(capsys):
    files = sorted((REPO / "scenarios").glob("*.toml")) + sorted(
        (REPO / "experiments").rglob("*.toml")  # the ablation and calibration files too
    )
    code, out, err = cli(capsys, "validate", *files)
    assert code == 0, err
    assert len(out.splitlines()) == len(files)
    assert all(line.startswith("OK ") for line in out.splitlines())


def test_validate_bad_file_exits_2_naming_file_and_key(capsys, tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[parameters]\nmonths = -3\n", encoding="utf-8")
    good = REPO / "scenarios" / "groeiplan.toml"
    code, out, err = cli(capsys, "validate", good, bad)
    assert code == 2
    assert out.startswith("OK ")  # the good file is still reported
    assert err == (
        f"gemsim: error: {bad}: [parameters] months = -3 is not allowed: "
        "must be an integer from 1 to 600\n"
    )


def test_validate_a_folder_says_it_is_a_folder(capsys, tmp_path: Path, monkeypatch):
    """A folder is not read as a scenario's name ("no scenario 'scenarios' in ...")."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    code, out, err = cli(capsys, "validate", "scenarios")
    assert (code, out) == (2, "")
    assert err == "gemsim: error: scenarios: is a folder, not a .toml file\n"


def test_bad_experiment_leaves_an_existing_results_folder_untouched(
    capsys, tmp_path: Path, reference: Path
):
    results = shutil.copytree(reference, tmp_path / "results")
    before = snapshot(results)
    bad = write_experiment(tmp_path, replications=0)
    code, _, err = cli(capsys, "compare", bad, "--out", results, "--force")
    assert code == 2
    assert "replications = 0 is not allowed" in err and "Traceback" not in err
    assert snapshot(results) == before


# ------------------------------------------------------------------------------ running
def test_compare_writes_time_series_runs_and_manifest(reference: Path):
    store = ResultStore(reference)
    series = store.read_timeseries()
    for column in ["run_id", "scenario", "replication", "seed", "month", *MODEL_REPORTERS]:
        assert column in series.columns
    assert set(MONEY_REPORTERS) <= set(series.columns)
    assert set(series["scenario"]) == {"status_quo", "groeiplan"}
    assert series.groupby("run_id")["month"].max().eq(12).all()
    # common random numbers: replication r has the same seed in every scenario
    assert series.groupby("replication")["seed"].nunique().eq(1).all()

    runs = store.read_runs()
    assert len(runs) == 6
    assert set(runs["neighbourhoods_per_municipality"]) == {6.0}

    manifest = json.loads((reference / "manifest.json").read_text())
    assert set(MANIFEST_KEYS) <= set(manifest)
    assert manifest["status"] == "complete"
    assert manifest["run_count"] == manifest["runs_planned"] == 6
    assert manifest["command"].startswith("gemsim compare ")
    assert "--replications 3 --months 12 --seed 11" in manifest["command"]
    experiment = manifest["experiment"]
    assert list(experiment["scenarios"]) == ["status_quo", "groeiplan"]
    assert experiment["scenarios"]["groeiplan"]["parameters"]["regime"] == "direct_fund"
    assert experiment["baseline"] == "status_quo"
    assert experiment["outputs"] == ["trust_government", "participation"]
    assert len(manifest["seeds"]) == 3


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path, reference: Path):
    experiment = write_experiment(tmp_path)
    assert run_quietly("compare", experiment, "--workers", "2", "--out", tmp_path / "two") == 0
    assert_frame_equal(
        ResultStore(tmp_path / "two").read_timeseries(),
        ResultStore(reference).read_timeseries(),
    )


def test_command_line_overrides_are_applied_and_recorded(tmp_path: Path):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    code = run_quietly(
        "compare",
        experiment,
        *("--replications", "2", "--months", "6", "--seed", "5"),
        *("--workers", "1", "--out", out),
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["experiment"]["replications"], manifest["experiment"]["months"]) == (2, 6)
    assert manifest["experiment"]["seed"] == 5
    assert "--replications 2 --months 6 --seed 5" in manifest["command"]
    assert ResultStore(out).read_timeseries()["month"].max() == 6


def test_refuses_to_overwrite_results_without_force(capsys, tmp_path: Path, reference: Path):
    results = shutil.copytree(reference, tmp_path / "results")
    before = snapshot(results)
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "compare", experiment, "--out", results, "--workers", "1")
    assert code == 2
    assert err.startswith("gemsim: error: ") and "--force" in err and err.count("\n") == 1
    assert snapshot(results) == before

    assert run_quietly("compare", experiment, "--out", results, "--workers", "1", "--force") == 0
    assert_frame_equal(
        ResultStore(results).read_timeseries(), ResultStore(reference).read_timeseries()
    )


@pytest.mark.parametrize("below", ["", "sub"])
def test_an_output_folder_where_a_file_stands_is_one_error(capsys, tmp_path: Path, below: str):
    blocking = tmp_path / "afile"
    blocking.write_text("keep", encoding="utf-8")
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "compare", experiment, "--out", blocking / below, "--workers", "1")
    assert code == 2
    assert err.startswith("gemsim: error: ") and "is a file" in err and err.count("\n") == 1
    assert blocking.read_text(encoding="utf-8") == "keep"


def test_a_scenario_named_by_an_unusable_file_name_is_one_error(capsys, tmp_path: Path):
    scenario = tmp_path / "my scenario.toml"
    scenario.write_text("[parameters]\nn_municipalities = 1\n", encoding="utf-8")
    for args in (("validate", scenario), ("run", scenario, "--out", tmp_path / "out")):
        code, _, err = cli(capsys, *args)
        assert code == 2, args
        assert "'my scenario'" in err and "name = " in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_runs_that_refuse_their_parameters_stop_without_suggesting_resume(capsys, tmp_path: Path):
    # The expected population (3 x 1,261) equals the nation's; some seeds draw a larger one.
    experiment = tmp_path / "np.toml"
    experiment.write_text(
        f'name = "np"\nscenarios = ["{REPO / "scenarios" / "status_quo.toml"}"]\n'
        "replications = 6\nmonths = 2\nseed = 1\n[parameters]\nn_municipalities = 1\n"
        "neighbourhoods_per_municipality = 3\nspin_up_months = 0\nnational_population = 3783\n",
        encoding="utf-8",
    )
    code, _, err = cli(capsys, "compare", experiment, "--out", tmp_path / "out", "--quiet")
    assert code == 2
    assert "national_population" in err and "Traceback" not in err and "--resume" not in err
    assert "resuming would stop the same way" in err


def test_run_one_scenario_into_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "little.toml"
    scenario.write_text(
        f'extends = "{REPO / "scenarios" / "hybrid.toml"}"\n[parameters]\n'
        "n_municipalities = 1\nneighbourhoods_per_municipality = 5\n",
        encoding="utf-8",
    )
    code = run_quietly(
        "run", "little.toml", "--replications", "2", "--months", "6", "--workers", "1"
    )
    assert code == 0
    manifest = json.loads((tmp_path / "results" / "little" / "manifest.json").read_text())
    assert list(manifest["experiment"]["scenarios"]) == ["little"]
    assert manifest["command"] == "gemsim run little.toml --replications 2 --months 6 --seed 0"
    assert manifest["run_count"] == 2


def test_sweep_runs_every_grid_point(tmp_path: Path):
    sweep = "[sweep]\nreporting_burden_multiplier = [0.5, 2.0]\n"
    experiment = write_experiment(tmp_path, replications=2, months=6, sweep=sweep)
    assert run_quietly("sweep", experiment, "--workers", "1", "--out", tmp_path / "out") == 0
    runs = ResultStore(tmp_path / "out").read_runs()
    assert len(runs) == 2 * 2 * 2
    assert sorted(set(runs["reporting_burden_multiplier"])) == [0.5, 2.0]
    assert set(runs.groupby("point")["reporting_burden_multiplier"].nunique()) == {1}


def test_a_sweep_over_the_region_still_gets_its_report(tmp_path: Path):
    """When the region differs between grid points (here its resolution), the report has
    no single region to scale money to national figures, and says the money without."""
    sweep = "[sweep]\ninhabitants_per_agent = [50, 100]\n"
    experiment = write_experiment(tmp_path, replications=3, months=24, sweep=sweep)
    experiment.write_text(
        experiment.read_text(encoding="utf-8").replace(
            'outputs = ["trust_government", "participation"]\n', ""
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "public money" in html and "nationally)" not in html


def test_compare_refuses_a_sweep_and_sweep_requires_one(capsys, tmp_path: Path):
    plain = write_experiment(tmp_path)
    code, _, err = cli(capsys, "sweep", plain)
    assert code == 2 and "has no [sweep] table" in err
    swept = write_experiment(tmp_path, sweep="[sweep]\nfund_grant_years = [1, 2]\n", name="s")
    code, _, err = cli(capsys, "compare", swept)
    assert code == 2 and "gemsim sweep" in err


# ---------------------------------------------------------------------- interrupt, resume
def interrupting_after(runs: int):
    """A run function that raises KeyboardInterrupt (as Ctrl-C would) on run ``runs + 1``."""
    calls = count()

    def run(spec):
        if next(calls) == runs:
            raise KeyboardInterrupt
        return simulate(spec)

    return run


def test_interrupted_run_keeps_batches_and_resume_gives_the_same_results(
    capsys, tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch
):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr(gemsim.study.jobs, "_simulate", lambda: interrupting_after(3))
        code, _, err = cli(capsys, "compare", experiment, "--workers", "1", "--out", out, "--quiet")
    assert code == 130
    assert "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert 0 < manifest["run_count"] < 6

    code = run_quietly("compare", experiment, "--workers", "1", "--out", out, "--resume")
    assert code == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert_frame_equal(ResultStore(out).read_timeseries(), ResultStore(reference).read_timeseries())


def test_a_failing_run_is_reported_and_marks_the_experiment_interrupted(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(spec):
        raise ValueError("model bug")

    monkeypatch.setattr(gemsim.study.jobs, "_simulate", lambda: broken)
    out = tmp_path / "out"
    code, _, err = cli(
        capsys, "compare", write_experiment(tmp_path), "--workers", "1", "--out", out
    )
    assert code == 1
    assert "model bug" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and "model bug" in manifest["error"]


class _Refused(UserError):
    """A kind of bad input the command line has never heard of."""


def test_every_user_error_is_one_message_and_exit_2(
    capsys, reference: Path, monkeypatch: pytest.MonkeyPatch
):
    def refuse(results_dir):
        raise _Refused(f"{results_dir}: refused; allowed: something else")

    monkeypatch.setattr(gemsim.study.jobs, "build_report", refuse)
    code, out, err = cli(capsys, "report", reference)
    assert code == 2 and out == ""
    assert err == f"gemsim: error: {reference}: refused; allowed: something else\n"


@needs_analysis
def test_a_bug_in_the_analysis_exits_1_with_its_traceback(
    capsys, reference: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(folder):
        raise ZeroDivisionError("analysis bug")

    monkeypatch.setattr(gemsim.analysis, "build_outputs", broken)
    code, _, err = cli(capsys, "report", reference)
    assert code == 1
    assert "Traceback" in err and "ZeroDivisionError: analysis bug" in err
    assert err.splitlines()[-1].startswith("gemsim: error: building the report")
    assert "retry with `gemsim report" in err


@needs_analysis
def test_results_the_analysis_refuses_exit_2_without_traceback(
    capsys, reference: Path, monkeypatch: pytest.MonkeyPatch
):
    def refuse(folder):
        raise _Refused("the stored runs cannot be analysed; allowed: complete results")

    monkeypatch.setattr(gemsim.analysis, "build_outputs", refuse)
    code, _, err = cli(capsys, "report", reference)
    assert code == 2 and "Traceback" not in err
    assert err == "gemsim: error: the stored runs cannot be analysed; allowed: complete results\n"


def test_resume_refuses_results_of_another_experiment(capsys, tmp_path: Path, reference: Path):
    results = shutil.copytree(reference, tmp_path / "results")
    before = snapshot(results)
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "compare", experiment, "--out", results, "--resume", "--seed", "99")
    assert code == 2 and "--force" in err
    assert snapshot(results) == before


# ------------------------------------------------------------------------ report
def test_report_of_a_folder_without_results_is_an_error(capsys, tmp_path: Path):
    code, _, err = cli(capsys, "report", tmp_path)
    assert code == 2 and "no manifest.json" in err


@needs_analysis
def test_compare_builds_summary_figures_and_report(tmp_path: Path):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["compare", str(experiment), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert (out / "summary.csv").is_file()
    assert (out / "report.html").is_file()


@needs_analysis
def test_report_rebuilds_outputs_without_rerunning(capsys, tmp_path: Path, reference: Path):
    results = shutil.copytree(reference, tmp_path / "results")
    parts = snapshot(results / "timeseries")
    code, _, err = cli(capsys, "report", results)
    assert code == 0, err
    assert (results / "report.html").is_file()
    assert snapshot(results / "timeseries") == parts


# ------------------------------------------------------------------------ subprocesses
def _default_sigint() -> None:
    # A shell starts background jobs with Ctrl-C ignored, and children inherit that (then
    # Python installs no KeyboardInterrupt handler): give gemsim a terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def gemsim_process(*args: str | Path, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "gemsim", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def test_python_m_gemsim_validates_in_a_real_process(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[parameters]\nregime = "anarchy"\n', encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gemsim",
            "validate",
            str(REPO / "experiments" / "smoke.toml"),
            "bad.toml",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout.startswith("OK ")
    assert done.stderr.startswith('gemsim: error: bad.toml: [parameters] regime = "anarchy"')
    assert "Traceback" not in done.stderr


def wait_for_first_batch(process: subprocess.Popen[str], out: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not list((out / "runs").glob("part-*.parquet")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no batch was stored in time"
        time.sleep(0.005)


def test_killed_process_then_resume_gives_the_same_results_as_an_uninterrupted_run(
    tmp_path: Path,
):
    # Long enough (4 batches of 10 runs on one worker) that the kill lands part-way.
    experiment = write_experiment(tmp_path, replications=20, months=24)
    out = tmp_path / "killed"
    process = gemsim_process(
        "compare", experiment, "--workers", "1", "--out", out, "--no-report", cwd=tmp_path
    )
    wait_for_first_batch(process, out)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    stored = ResultStore(out).completed_run_ids()
    assert 0 < len(stored) < 40
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    assert run_quietly("compare", experiment, "--workers", "2", "--out", out, "--resume") == 0
    assert run_quietly("compare", experiment, "--workers", "1", "--out", tmp_path / "whole") == 0
    assert_frame_equal(
        ResultStore(out).read_timeseries(), ResultStore(tmp_path / "whole").read_timeseries()
    )
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_ctrl_c_stops_with_exit_130_and_marks_the_manifest_interrupted(tmp_path: Path):
    # Many runs, so that the experiment cannot finish between the first stored batch and
    # the signal, however fast the machine (it stops at the signal, so this costs little).
    experiment = write_experiment(tmp_path, replications=200, months=24)
    out = tmp_path / "out"
    process = gemsim_process(
        "compare", experiment, "--workers", "2", "--out", out, "--no-report", cwd=tmp_path
    )
    wait_for_first_batch(process, out)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["run_count"] == len(ResultStore(out).completed_run_ids())


def test_bench_quick_prints_a_table_and_writes_json(tmp_path, capsys):
    import json

    from gemsim.cli import main

    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    for row in ("regional run", "national run", "vectorised vs loop", "sweep throughput"):
        assert row in table
    (written,) = tmp_path.glob("*.json")
    results = json.loads(written.read_text())
    assert results["vectorised_vs_loop"]["same_states"] is True
    assert results["regional"]["citizens"] > 5_000
    assert results["sweep"]["runs_per_s_1_worker"] > 0


def test_bench_unit_shares_month_0_within_one_sample_point_only():
    from gemsim.bench_against import UNIT
    from gemsim.model.month_zero import SHARED
    from gemsim.study.scenarios import load_scenario

    namespace: dict[str, Any] = {}
    exec(UNIT, namespace)
    scenarios = [load_scenario(name) for name in ("status_quo", "groeiplan", "hybrid")]
    for _ in range(2):  # the same seed again: nothing carries over, month 0 is built again
        namespace["unit"](1, 2, 1, scenarios)
        assert (SHARED.misses, SHARED.hits) == (1, 2)
    assert not SHARED.enabled
    namespace["unit"](1, 2, 1, [])  # a single run: nothing kept
    assert (SHARED.misses, SHARED.hits) == (0, 0)
    SHARED.clear()


def test_bench_against_times_two_trees_side_by_side(tmp_path, capsys):
    import json

    from gemsim.bench_against import Worker, source_root
    from gemsim.cli import main

    this_src = Path(__file__).resolve().parents[1] / "src"
    worker = Worker(this_src)
    try:
        seconds, cpu, citizens = worker.run(1, 2, 1)
        point = worker.run(1, 2, 1, ("status_quo", "groeiplan"))
    finally:
        worker.close()
    assert seconds > 0 and cpu > 0 and 1_500 < citizens < 4_000  # one municipality, k = 20
    assert point[1] > 0 and point[2] == citizens
    coarse = Worker(this_src, {"inhabitants_per_agent": 50})  # --set: both trees' models
    try:
        assert 0.35 < coarse.run(1, 2, 1)[2] / citizens < 0.45  # 20 -> 50 inhabitants each
    finally:
        coarse.close()

    with pytest.raises(UserError, match="neither a source tree nor a git revision"):
        from contextlib import ExitStack

        with ExitStack() as stack:
            source_root("no-such-revision-xyz", stack)

    assert (
        main(
            [
                "bench",
                "--quick",
                "--against",
                str(this_src.parent),
                "--regions",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "ratio" in capsys.readouterr().out
    (written,) = tmp_path.glob("*-against.json")
    stored = json.loads(written.read_text())
    (row,) = stored["rows"]
    assert row["n_municipalities"] == 1 and row["run_ratio"] > 0
    # Both trees' commits are stored with the timings (this checkout: its commit and state;
    # None outside a git checkout).
    commit = stored["trees"]["this"]["commit"]
    assert commit == stored["trees"]["against"]["commit"]
    assert commit is None or len(commit) == 40


def test_bench_against_names_a_revision_by_its_commit():
    from gemsim.bench_against import tree_state

    head = tree_state("HEAD")
    if head["commit"] is None:
        pytest.skip("not a git checkout")
    assert len(head["commit"]) == 40 and head["dirty"] is False
    assert tree_state("no-such-revision-xyz")["commit"] is None


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("nonsense=3", "'nonsense=3' is not allowed: must be NAME=VALUE with NAME a model"),
        ("inhabitants_per_agent", "must be NAME=VALUE"),
        ("inhabitants_per_agent=-3", "inhabitants_per_agent' = -3 is not allowed"),
    ],
)
def test_bench_against_set_names_a_parameter_and_an_allowed_value(capsys, assignment, message):
    code, out, err = cli(capsys, "bench", "--against", "HEAD", "--set", assignment)
    assert code == 2 and not out
    assert message in err and "Traceback" not in err


def test_bench_against_reports_the_other_trees_error_in_one_line(tmp_path: Path):
    from gemsim.bench_against import Worker

    package = tmp_path / "src" / "gemsim"
    for folder in (package, package / "model", package / "study"):
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
    (package / "model" / "model.py").write_text(
        "class CommunityModel:\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        raise ValueError('unknown parameter ' + repr(sorted(kwargs)[-1]))\n"
    )
    (package / "study" / "scenarios.py").write_text("def load_scenario(name):\n    return name\n")
    worker = Worker(tmp_path / "src", {"zeta": 1}, "old-tree")
    try:
        with pytest.raises(
            UserError,
            match=r"^the model process for old-tree ended: ValueError: unknown parameter .zeta.$",
        ):
            worker.run(1, 2, 1)
    finally:
        worker.close()
