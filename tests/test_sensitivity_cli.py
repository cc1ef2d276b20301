"""`gemsim sensitivity` end to end: tiny Sobol' and Morris experiments on the model.

Each tiny experiment runs the shipped groeiplan and subsidy_channel scenarios on one
municipality of six buurten for a year, so the numbers mean nothing; the tests check the
files, their columns and the behaviour of the command (workers, resume, errors).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from itertools import count
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from benchmark_scripts import load_benchmark
from pandas.testing import assert_frame_equal
from stored_bytes import differing_columns, timeseries_bytes

import gemsim.sensitivity
import gemsim.study.jobs
from gemsim.analysis.sensitivity_data import (
    SensitivityTables,
    compute_tables,
    load_sensitivity,
    outputs_from_means,
)
from gemsim.analysis.sensitivity_report import (
    CONVERGENCE_TOLERANCE,
    METAMODEL_MIN_CAPTURED,
    convergence_check,
)
from gemsim.cli import main
from gemsim.experiments import ResultStore
from gemsim.model.parameters import Parameters
from gemsim.sensitivity import check_convergence
from gemsim.study.experiment import load_experiment
from gemsim.study.files import ScenarioError
from gemsim.study.plans import (
    plan_sensitivity,
    point_specs,
    screening_range,
    stored_points,
)
from gemsim.study.sensitivity_spec import SensitivitySettings
from gemsim.study.simulation import simulate

REPO = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["output", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"]
CONTRAST = "groeiplan_vs_subsidy_channel"
METAMODEL = f'metamodel_outputs = ["{CONTRAST}:participation"]\n'

TINY = """\
name = "{name}"
description = "tiny sensitivity experiment"
scenarios = ["{groeiplan}", "{subsidy_channel}"]
months = 12
seed = 5

[parameters]
n_municipalities = 1
neighbourhoods_per_municipality = 6

[sensitivity]
method = "{method}"
n = {n}
base_scenario = "groeiplan"
replications = {replications}
num_resamples = 100
outputs = ["trust_government", "participation"]
{options}
[sensitivity.parameters.initial_trust_local_share]
low = 0.3
high = 0.7

[sensitivity.parameters.fund_decision_months]
low = 0
high = 6

[sensitivity.parameters.allocation_rule]
levels = ["need_weighted", "first_come"]

[[sensitivity.contrasts]]
scenario = "groeiplan"
reference = "subsidy_channel"
outputs = ["trust_government", "participation"]
"""


def write_experiment(
    folder: Path,
    *,
    name: str = "tiny_sobol",
    method: str = "sobol",
    n: int = 8,
    replications: int = 2,
    options: str = "",
    replace: tuple[str, str] | None = None,
) -> Path:
    text = TINY.format(
        name=name,
        method=method,
        n=n,
        replications=replications,
        options=options,
        groeiplan=REPO / "scenarios" / "groeiplan.toml",
        subsidy_channel=REPO / "scenarios" / "subsidy_channel.toml",
    )
    if replace is not None:
        assert replace[0] in text, replace[0]
        text = text.replace(*replace)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def load_tables(folder: Path):
    return compute_tables(load_sensitivity(folder))


def run_quietly(*args: str | Path) -> int:
    return main([str(a) for a in (*args, "--quiet")])


@pytest.fixture(scope="module")
def sobol(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Sobol' experiment run on one worker (``--n 4`` overrides the file's n = 8)."""
    folder = tmp_path_factory.mktemp("sobol")
    experiment = write_experiment(folder, options=METAMODEL)
    out = folder / "out"
    assert run_quietly("sensitivity", experiment, "--n", "4", "--workers", "1", "--out", out) == 0
    return out


@pytest.fixture(scope="module")
def morris(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("morris")
    experiment = write_experiment(
        folder, name="tiny_morris", method="morris", n=4, replications=1, options="num_levels = 4"
    )
    out = folder / "out"
    assert run_quietly("sensitivity", experiment, "--workers", "1", "--out", out) == 0
    return out


def figures(folder: Path) -> list[Path]:
    return sorted((folder / "figures").glob("*.png"))


# --------------------------------------------------------------------------- Sobol' files
def test_sample_is_stored_with_decoded_values_per_point(sobol: Path):
    sample = pd.read_parquet(sobol / "sample.parquet")
    design = pd.read_parquet(sobol / "design.parquet")
    names = ["initial_trust_local_share", "fund_decision_months", "allocation_rule"]
    assert list(sample.columns) == ["point", *names]
    assert len(sample) == 4 * (3 + 2) == len(design)
    assert list(sample["point"]) == list(range(20))
    assert sample["initial_trust_local_share"].between(0.3, 0.7).all()
    assert sample["fund_decision_months"].dtype.kind == "i"
    assert sample["fund_decision_months"].between(0, 6).all()
    assert set(sample["allocation_rule"]) <= {"need_weighted", "first_come"}
    # the raw design holds SALib's continuous stand-ins: [low, high + 1) and [0, levels)
    assert design["fund_decision_months"].between(0, 7).all()
    assert design["allocation_rule"].between(0, 2).all()


def test_every_scenario_runs_at_every_point_with_the_same_seeds(sobol: Path):
    runs = ResultStore(sobol).read_runs()
    assert len(runs) == 20 * 2 * 2
    assert set(runs["scenario"]) == {"groeiplan", "subsidy_channel"}
    seeds = runs.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all()  # common random numbers across scenarios and points
    sample = pd.read_parquet(sobol / "sample.parquet").set_index("point")
    stored = runs.set_index(["scenario", "point", "replication"])
    for point in (0, 7, 19):
        for scenario in ("groeiplan", "subsidy_channel"):
            row = stored.loc[(scenario, point, 1)]
            assert row["fund_decision_months"] == sample.loc[point, "fund_decision_months"]
            assert row["allocation_rule"] == sample.loc[point, "allocation_rule"]


def test_outputs_are_replication_means_and_paired_contrasts(sobol: Path):
    outputs = pd.read_parquet(sobol / "outputs.parquet").set_index("point")
    contrast = f"{CONTRAST}:trust_government"
    assert list(outputs.columns) == [
        "trust_government",
        "participation",
        contrast,
        f"{CONTRAST}:participation",
    ]
    means = pd.read_parquet(sobol / "scenario_outputs.parquet")
    assert (means["replications"] == 2).all()
    by = means.set_index(["point", "scenario"])["trust_government"]
    values = ResultStore(sobol).read_timeseries(
        columns=["scenario", "point", "trust_government"], filters=[("month", "==", 12)]
    )
    expected = values[values["scenario"] == "groeiplan"].groupby("point")["trust_government"]
    assert outputs["trust_government"].to_numpy() == pytest.approx(expected.mean().to_numpy())
    difference = by.xs("groeiplan", level="scenario") - by.xs("subsidy_channel", level="scenario")
    assert outputs[contrast].to_numpy() == pytest.approx(difference.to_numpy())


def test_indices_csv_has_salib_columns_for_every_output_and_parameter(sobol: Path):
    indices = pd.read_csv(sobol / "indices.csv")
    assert list(indices.columns) == SOBOL_COLUMNS
    outputs = pd.read_parquet(sobol / "outputs.parquet").columns[1:]
    assert list(dict.fromkeys(indices["output"])) == list(outputs)
    assert len(indices) == len(outputs) * 3


def test_figures_are_valid_pngs(sobol: Path):
    found = {p.name for p in figures(sobol)}
    for kind in ("indices", "convergence"):
        assert f"sensitivity_{kind}_trust_government.png" in found
    assert f"sensitivity_contrast_{CONTRAST}__participation.png" in found
    for path in figures(sobol):
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        height, width = matplotlib.image.imread(path).shape[:2]
        assert height > 100 and width > 100


def test_convergence_is_checked_on_growing_parts_of_the_sample(sobol: Path):
    conv = pd.read_csv(sobol / "convergence.csv")
    assert list(conv.columns) == ["output", "parameter", "n", "points", *SOBOL_COLUMNS[2:]]
    assert sorted(conv["n"].unique()) == [2, 4]
    assert set(conv.loc[conv["n"] == 4, "points"]) == {20}
    full = conv[conv["n"] == 4].drop(columns=["n", "points"]).reset_index(drop=True)
    indices = pd.read_csv(sobol / "indices.csv")
    assert_frame_equal(full, indices, check_dtype=False)
    check = convergence_check(load_tables(sobol))
    assert list(check["output"]) == list(dict.fromkeys(indices["output"]))
    assert_frame_equal(pd.read_csv(sobol / "convergence_check.csv"), check, check_dtype=False)
    for row in check.itertuples():  # the verdict is the library's, at the stated tolerance
        part = conv[conv["output"] == row.output].dropna(subset=["ST"])
        verdict = check_convergence(part, CONVERGENCE_TOLERANCE, leading=3).iloc[0]
        assert row.converged == bool(verdict["converged"])
        # the change shown is the one judged: among the leading indices, not all of them
        assert row.largest_change == pytest.approx(verdict["max_change"])
        assert row.converged == (row.largest_change <= CONVERGENCE_TOLERANCE)
        assert row.worst_parameter in row.leading.split(", ")


def test_convergence_check_keeps_every_column_for_an_output_without_effects():
    """Morris: an output whose mu_star is 0 everywhere has no scale to judge by; its row
    still has every column (no verdict, no interval) beside a judged one."""
    rows = [
        {"output": output, "parameter": p, "n": n, "mu_star": v * scale, "mu_star_conf": 0.1}
        for output, scale in (("flat", 0.0), ("moving", 1.0))
        for n in (2, 4)
        for p, v in (("a", 1.0 if n == 2 else 1.02), ("b", 0.5))
    ]
    conv = pd.DataFrame(rows)
    empty = pd.DataFrame()
    tables = SensitivityTables(
        scenario_outputs=empty,
        outputs=empty,
        standard_errors=empty,
        indices=conv[conv["n"] == 4].drop(columns="n"),
        second_order=None,
        convergence=conv,
        contrasts=empty,
        flips=empty,
    )
    check = convergence_check(tables).set_index("output")
    flat, moving = check.loc["flat"], check.loc["moving"]
    assert not flat["converged"] and not flat["interval_within"]
    assert pd.isna(flat["max_conf"]) and pd.isna(flat["n_for_tolerance"])
    assert moving["converged"] and moving["max_conf"] == pytest.approx(0.1)


def test_convergence_check_is_rebuilt_from_the_per_point_means(sobol: Path, capsys, monkeypatch):
    """A reference folder keeps only the means: a contrast rebuilt as their difference is
    the mean paired difference, so the verdict file comes out as the run wrote it."""
    script = load_benchmark("tables_from_means")
    data = load_sensitivity(sobol)
    means = pd.read_parquet(sobol / "scenario_outputs.parquet")
    stored = pd.read_parquet(sobol / "outputs.parquet").set_index("point")
    rebuilt = outputs_from_means(data.settings, means)
    assert_frame_equal(rebuilt[stored.columns], stored, check_names=False, atol=1e-9)
    names = [
        "convergence_check.csv",
        "metamodel.csv",
        "metamodel_indices.csv",
        "metamodel_convergence.csv",
    ]
    written = {name: pd.read_csv(sobol / name) for name in names}
    for name in names:
        (sobol / name).unlink()
    argv = ["tables_from_means.py", str(sobol), "--metamodels", "--write"]
    monkeypatch.setattr(sys, "argv", argv)
    script.main()
    assert "largest |ST - indices.csv| at the full sample" in capsys.readouterr().out
    for name in names:
        assert_frame_equal(pd.read_csv(sobol / name), written[name], atol=1e-9)


def test_contrasts_csv_reports_sign_shares_and_deciding_parameters(sobol: Path):
    contrasts = pd.read_csv(sobol / "contrasts.csv")
    assert list(contrasts["column"]) == [
        f"{CONTRAST}:trust_government",
        f"{CONTRAST}:participation",
    ]
    shares = contrasts[["share_negative", "share_zero", "share_positive"]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0)
    indices = pd.read_csv(sobol / "indices.csv")
    for row in contrasts.itertuples():
        top = indices[indices["output"] == row.column].sort_values("ST", ascending=False)
        if isinstance(row.deciding_parameters, str):
            assert row.deciding_parameters.startswith(top["parameter"].iloc[0])
    flips = pd.read_csv(sobol / "flips.csv")
    assert {"mean_flipped", "mean_other", "standardised_difference"} <= set(flips.columns)


def test_design_balance_is_written_at_the_convergence_sizes(sobol: Path):
    balance = pd.read_csv(sobol / "design_balance.csv")
    convergence = pd.read_csv(sobol / "convergence.csv")
    assert list(balance.columns) == ["parameter", "n", "correlation", "ratio"]
    assert set(balance["parameter"]) == set(convergence["parameter"])
    assert set(balance["n"]) == set(convergence["n"])
    assert ((balance["ratio"] >= 0) & (balance["ratio"] <= 2 + 1e-9)).all()
    page = (sobol / "sensitivity.html").read_text(encoding="utf-8")
    assert "Design balance (<code>design_balance.csv</code>)" in page


def test_noise_table_splits_the_variance_of_runs_and_point_means(sobol: Path):
    noise = pd.read_csv(sobol / "noise.csv")
    outputs = pd.read_parquet(sobol / "outputs.parquet").set_index("point")
    assert list(noise["output"]) == list(outputs.columns)
    assert set(noise["replications"]) == {2}
    for row in noise.itertuples():
        assert row.mean_variance == pytest.approx(outputs[row.output].var(ddof=1), rel=1e-6)
        expected = row.within_variance / 2 / row.mean_variance if row.mean_variance else None
        if expected is not None:
            assert row.noise_share_of_means == pytest.approx(expected, rel=1e-6)
        assert row.within_variance >= 0 and row.run_variance >= 0
    assert {"dummy_ST", "leading_parameter", "leading_ST", "leading_over_dummy"} <= set(
        noise.columns
    )


def test_discovery_flags_the_points_where_a_contrast_flips(sobol: Path):
    discovery = pd.read_csv(sobol / "discovery.csv")
    outputs = pd.read_parquet(sobol / "outputs.parquet")
    assert list(discovery["column"]) == [
        f"{CONTRAST}:trust_government",
        f"{CONTRAST}:participation",
    ]
    held_out = ["held_out_found", "held_out_same", "held_out_coverage", "held_out_lift"]
    assert set(held_out) <= set(discovery.columns)
    no_region = discovery["found_by"].isna()
    assert discovery.loc[no_region, held_out].isna().all().all()  # checked only with a region
    for row in discovery.itertuples():
        values = outputs[row.column].to_numpy()
        sign = 1 if (values > 0).sum() >= (values < 0).sum() else -1
        assert row.cases == int((values * sign <= 0).sum())
        assert row.holds_share == pytest.approx(1 - row.cases / len(values))
        assert ("higher" if sign > 0 else "lower") in row.statement
        assert row.finding.startswith(row.statement)
    boxes = pd.read_csv(sobol / "boxes.csv")
    assert {"column", "box", "coverage", "density", "parameter", "low", "high"} <= set(
        boxes.columns
    )
    assert (sobol / "tree.csv").exists()


def test_metamodel_is_fitted_where_asked_with_its_out_of_sample_error(sobol: Path):
    fits = pd.read_csv(sobol / "metamodel.csv")
    assert list(fits["output"]) == [f"{CONTRAST}:participation"]
    assert {"q2", "rmse", "noise_share", "n_train", "folds"} <= set(fits.columns)
    assert fits["n_train"].iloc[0] == 20
    indices = pd.read_csv(sobol / "metamodel_indices.csv")
    assert set(indices["output"]) == {f"{CONTRAST}:participation"}
    assert set(indices["parameter"]) == {
        "initial_trust_local_share",
        "fund_decision_months",
        "allocation_rule",
    }
    converging = pd.read_csv(sobol / "metamodel_convergence.csv")
    assert set(converging["output"]) == {f"{CONTRAST}:participation"}
    assert (converging["rows_half"] == 10).all() and (converging["rows"] == 20).all()
    assert (converging["train_half"] == 10).all() and (converging["train"] == 20).all()
    assert converging["rank"].tolist() == [1, 2, 3]
    assert {"ST_second_half", "halves_gap", "q2_second_half"} <= set(converging.columns)
    html = (sobol / "sensitivity.html").read_text(encoding="utf-8")
    assert "fitted on the second half alone" in html and "(a doubling)" in html
    assert "Parameters or random path?" in html and "Metamodel" in html
    captured = fits["q2"].iloc[0] + fits["noise_share"].iloc[0]
    shown = "not shown: the metamodel accounts for less than" not in html
    assert shown == (captured >= METAMODEL_MIN_CAPTURED)
    assert "settled: halves vs all the sample" in html and "metamodel_convergence.csv" in html
    if shown:
        worst = converging.loc[converging["change"].idxmax()]
        verdict = "yes" if converging["converged"].all() else "no"
        assert f"{verdict}: largest change {worst['change']:.3f}" in html
        assert f"the halves differ by up to {converging['halves_gap'].max():.3f}" in html
    assert "Where each comparison flips" in html


def test_report_is_self_contained_and_names_the_deciding_parameters(sobol: Path):
    html = (sobol / "sensitivity.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == len(figures(sobol))
    assert 'src="figures/' not in html and "<script" not in html
    assert "not the estimation error" in html and "Noise floor" in html
    assert "groeiplan − subsidy_channel" in html
    contrasts = pd.read_csv(sobol / "contrasts.csv")
    section = html.split("Regime contrasts", 1)[1].split("What drives the outcomes", 1)[0]
    named = contrasts["deciding_parameters"].dropna()
    assert not named.empty
    for text in named:
        for parameter in re.findall(r"(\w+) \(ST", text):
            assert f"<b>{parameter}</b>" in section


def test_manifest_records_the_sensitivity_settings_and_the_command(sobol: Path):
    manifest = json.loads((sobol / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["run_count"] == manifest["runs_planned"] == 80
    assert len(manifest["seeds"]) == 2
    experiment = manifest["experiment"]
    assert experiment["kind"] == "sensitivity" and experiment["points"] == 20
    settings = experiment["sensitivity"]
    assert (settings["method"], settings["n"], settings["replications"]) == ("sobol", 4, 2)
    assert [p["name"] for p in settings["parameters"]] == [
        "initial_trust_local_share",
        "fund_decision_months",
        "allocation_rule",
    ]
    assert settings["contrasts"][0]["name"] == CONTRAST
    assert manifest["command"].startswith("gemsim sensitivity ")
    assert "--n 4 --replications 2" in manifest["command"]


def test_report_command_rebuilds_identical_tables(capsys, sobol: Path):
    before = (sobol / "indices.csv").read_bytes(), (sobol / "contrasts.csv").read_bytes()
    code, out, _ = cli(capsys, "report", sobol)
    assert code == 0 and "sensitivity.html" in out
    assert ((sobol / "indices.csv").read_bytes(), (sobol / "contrasts.csv").read_bytes()) == before


def test_the_report_is_rewritten_from_the_kept_analysis_unless_the_outputs_changed(
    tmp_path: Path, sobol: Path
):
    import shutil

    from gemsim.analysis.sensitivity_outputs import rewrite_sensitivity_report

    folder = tmp_path / sobol.name  # the page names its folder
    shutil.copytree(sobol, folder)
    page = (folder / "sensitivity.html").read_text(encoding="utf-8")
    (folder / "sensitivity.html").unlink()
    assert rewrite_sensitivity_report(folder) == folder / "sensitivity.html"
    assert (folder / "sensitivity.html").read_text(encoding="utf-8") == page
    outputs = folder / "scenario_outputs.parquet"
    outputs.write_bytes(outputs.read_bytes() + b"changed")
    assert rewrite_sensitivity_report(folder) is None  # computed from other outputs
    (folder / "analysis.pickle").unlink()
    assert rewrite_sensitivity_report(folder) is None


# ----------------------------------------------------------------- workers, resume, force
def test_two_workers_give_identical_indices(tmp_path: Path, sobol: Path):
    experiment = write_experiment(tmp_path, options=METAMODEL)
    out = tmp_path / "out"
    assert run_quietly("sensitivity", experiment, "--n", "4", "--workers", "2", "--out", out) == 0
    for name in ("indices.csv", "convergence.csv", "contrasts.csv", "flips.csv", "noise.csv"):
        assert (out / name).read_bytes() == (sobol / name).read_bytes(), name
    assert_frame_equal(
        pd.read_parquet(out / "outputs.parquet"), pd.read_parquet(sobol / "outputs.parquet")
    )


def counting(calls: list[str], interrupt_after: int | None = None):
    """A run function that records run ids (and raises KeyboardInterrupt like Ctrl-C)."""
    number = count()

    def run(spec):
        if next(number) == interrupt_after:
            raise KeyboardInterrupt
        calls.append(spec.run_id)
        return simulate(spec)

    return run


def test_resume_after_an_interruption_runs_only_the_missing_runs(
    capsys, tmp_path: Path, sobol: Path, monkeypatch: pytest.MonkeyPatch
):
    experiment = write_experiment(tmp_path)
    out = tmp_path / "out"
    args = ["sensitivity", experiment, "--n", "4", "--workers", "1", "--out", out, "--quiet"]
    first: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(gemsim.study.jobs, "_simulate", lambda: counting(first, interrupt_after=30))
        code, _, err = cli(capsys, *args)
    assert code == 130 and "--resume" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    stored = ResultStore(out).completed_run_ids()
    assert 0 < len(stored) < 80 and stored <= set(first)

    second: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(gemsim.study.jobs, "_simulate", lambda: counting(second))
        code, _, _ = cli(capsys, *args, "--resume")
    assert code == 0
    assert not stored & set(second)
    assert len(second) == 80 - len(stored)
    assert (out / "indices.csv").read_bytes() == (sobol / "indices.csv").read_bytes()


def test_extend_grows_a_sobol_design_to_the_runs_a_fresh_run_of_the_larger_n_stores(
    capsys, tmp_path: Path, sobol: Path, monkeypatch: pytest.MonkeyPatch
):
    """n = 4 -> 8: the scrambled Sobol' sequence's first base rows are the stored ones, so
    only the new points run, and the folder ends as a run at n = 8 would leave it."""
    experiment = write_experiment(tmp_path, options=METAMODEL)
    grown = shutil.copytree(sobol, tmp_path / "grown")
    stored = ResultStore(grown).completed_run_ids()
    calls: list[str] = []
    args = ["sensitivity", experiment, "--n", "8", "--workers", "1", "--quiet", "--no-report"]
    with monkeypatch.context() as patch:
        patch.setattr(gemsim.study.jobs, "_simulate", lambda: counting(calls))
        code, _, err = cli(capsys, *args, "--out", grown, "--extend")
    assert code == 0, err
    assert len(calls) == len(stored) and not stored & set(calls)  # 20 new points x 2 x 2
    fresh = tmp_path / "fresh"
    assert cli(capsys, *args, "--out", fresh)[0] == 0
    assert differing_columns(timeseries_bytes(grown), timeseries_bytes(fresh)) == []
    for name in ("design.parquet", "sample.parquet"):
        assert pd.read_parquet(grown / name).equals(pd.read_parquet(fresh / name))


def test_a_rerun_is_compared_point_by_point_with_the_stored_point_means(
    sobol: Path, tmp_path: Path
):
    """benchmarks/sobol_point_means.py: the runs' means at the last month are the ones the
    analysis stored (so a re-run that matches them reproduces the analysis's input), and
    one changed value is found."""
    script = load_benchmark("sobol_point_means")
    table = script.compare(sobol, sobol / "scenario_outputs.parquet")
    assert table["identical"].all() and (table["max_relative_difference"] == 0).all()
    assert (table["compared"] == 20 * 2).all()  # 20 points x 2 scenarios at n = 4
    changed = pd.read_parquet(sobol / "scenario_outputs.parquet")
    changed.loc[3, "participation"] *= 1.01
    changed.to_parquet(tmp_path / "changed.parquet")
    table = script.compare(sobol, tmp_path / "changed.parquet").set_index("output")
    assert not table.loc["participation", "identical"]
    assert table.loc["participation", "max_relative_difference"] == pytest.approx(0.01 / 1.01)
    assert table.loc["trust_government", "identical"]


def test_extend_does_not_grow_a_morris_design(capsys, tmp_path: Path, morris: Path):
    experiment = write_experiment(
        tmp_path, name="tiny_morris", method="morris", n=4, replications=1, options="num_levels = 4"
    )
    folder = shutil.copytree(morris, tmp_path / "morris")
    code, _, err = cli(
        capsys, "sensitivity", experiment, "--n", "8", "--out", folder, "--extend", "--quiet"
    )
    assert code == 2
    assert "sample points to a Sobol' design" in err and "sensitivity.n: stored 4, now 8" in err


def test_existing_results_need_resume_or_force(capsys, tmp_path: Path, sobol: Path):
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "sensitivity", experiment, "--n", "4", "--out", sobol)
    assert code == 2 and "--resume" in err and "--force" in err


# --------------------------------------------------------------------------------- Morris
def test_morris_writes_elementary_effects_and_planes(morris: Path):
    indices = pd.read_csv(morris / "indices.csv")
    assert list(indices.columns) == MORRIS_COLUMNS
    assert len(pd.read_parquet(morris / "sample.parquet")) == 4 * (3 + 1)
    assert len(ResultStore(morris).read_runs()) == 16 * 2
    names = {p.name for p in figures(morris)}
    assert "sensitivity_morris_trust_government.png" in names
    assert f"sensitivity_convergence_{CONTRAST}__participation.png" in names
    for path in figures(morris):
        assert path.read_bytes()[:8] == PNG_SIGNATURE
    html = (morris / "sensitivity.html").read_text(encoding="utf-8")
    assert "μ*" in html and "not the estimation error" in html
    assert pd.read_csv(morris / "convergence.csv")["n"].max() == 4


# --------------------------------------------------------------------------------- errors
BAD_TABLES = {
    "unknown method": (('method = "sobol"', 'method = "sobel"'), 'method = "sobel"', "morris"),
    "n not a power of two": (("n = 8", "n = 6"), "n = 6", "power of two"),
    "unknown parameter": (
        ("initial_trust_local_share]", "initial_trust_locale_share]"),
        "unknown parameter 'initial_trust_locale_share'",
        "gemsim params",
    ),
    "bound outside the allowed range": (
        ("low = 0.3", "low = 0.0"),
        "[sensitivity.parameters.initial_trust_local_share] low = 0.0",
        "a number from 0.01 to 0.99",
    ),
    "low not below high": (
        ("low = 0\nhigh = 6", "low = 4\nhigh = 2"),
        "[sensitivity.parameters.fund_decision_months] low = 4, high = 2",
        "low < high",
    ),
    "integer parameter with a fractional bound": (
        ("high = 6", "high = 6.5"),
        "[sensitivity.parameters.fund_decision_months] high = 6.5",
        "an integer from 0 to 24",
    ),
    "bad level": (
        ('"first_come"]', '"lottery"]'),
        '[sensitivity.parameters.allocation_rule] levels = "lottery"',
        "one of need_weighted",
    ),
    "unknown base scenario": (
        ('base_scenario = "groeiplan"', 'base_scenario = "hybrid"'),
        '[sensitivity] base_scenario = "hybrid"',
        "groeiplan, subsidy_channel",
    ),
    "unknown contrast scenario": (
        ('reference = "subsidy_channel"', 'reference = "status_quo"'),
        '[[sensitivity.contrasts]] #1 reference = "status_quo"',
        "groeiplan, subsidy_channel",
    ),
    "unknown output": (
        ('outputs = ["trust_government", "participation"]\n', 'outputs = ["trust"]\n'),
        "[sensitivity] outputs: unknown reporter 'trust'",
        "trust_government",
    ),
    "unknown key": (("num_resamples = 100", "num_resample = 100"), "'num_resample'", "allowed"),
    "metamodel of an output not analysed": (
        ("num_resamples = 100", 'num_resamples = 100\nmetamodel_outputs = ["wellbeing"]'),
        "[sensitivity] metamodel_outputs: 'wellbeing'",
        f"{CONTRAST}:participation",
    ),
    "metamodel points out of range": (
        ("num_resamples = 100", "num_resamples = 100\nmetamodel_points = 10"),
        "[sensitivity] metamodel_points",
        "an integer from 50 to 5000",
    ),
    "option of another method": (
        ("num_resamples = 100", "num_levels = 4"),
        "[sensitivity] num_levels",
        'method "morris"',
    ),
}


@pytest.mark.parametrize("kind", list(BAD_TABLES))
def test_bad_sensitivity_table_exits_2_naming_file_and_key(capsys, tmp_path: Path, kind: str):
    replace, key, allowed = BAD_TABLES[kind]
    experiment = write_experiment(tmp_path, name="bad", replace=replace)
    code, out, err = cli(capsys, "sensitivity", experiment, "--out", tmp_path / "out")
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if key in line]
    assert lines, err
    assert all(line.startswith("gemsim: error: ") and "bad.toml" in line for line in lines)
    assert any(allowed in line for line in lines), err
    assert not (tmp_path / "out").exists()


def test_bad_command_line_n_is_named(capsys, tmp_path: Path):
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "sensitivity", experiment, "--n", "5", "--out", tmp_path / "o")
    assert code == 2 and "--n 5 is not allowed: must be a power of two" in err


def test_drawn_points_that_break_a_rule_across_parameters_are_refused(capsys, tmp_path: Path):
    extra = (
        "[sensitivity.parameters.initial_active_share]\nlow = 0.2\nhigh = 0.45\n"
        "[sensitivity.parameters.initial_participation_share]\nlow = 0.3\nhigh = 0.6\n"
    )
    experiment = write_experiment(
        tmp_path, replace=("[[sensitivity.contrasts]]", extra + "[[sensitivity.contrasts]]")
    )
    code, _, err = cli(capsys, "sensitivity", experiment, "--out", tmp_path / "out")
    assert code == 2 and "sample point" in err and "initial_participation_share" in err


def test_sensitivity_and_plain_experiments_need_their_own_command(capsys, tmp_path: Path):
    experiment = write_experiment(tmp_path)
    code, _, err = cli(capsys, "compare", experiment)
    assert code == 2 and "gemsim sensitivity" in err
    code, _, err = cli(capsys, "sensitivity", REPO / "experiments" / "smoke.toml")
    assert code == 2 and "has no [sensitivity] table" in err


def test_sensitivity_command_has_help(capsys):
    code, out, _ = cli(capsys, "sensitivity", "--help")
    assert code == 0 and out.startswith("usage: gemsim sensitivity")
    assert "--n N" in out and "--resume" in out and "--workers" in out


def test_normal_draws_outside_the_allowed_range_are_clipped_and_counted(tmp_path: Path):
    normal = (
        '[sensitivity.parameters.initial_trust_local_share]\nlow = 0.9\nhigh = 0.2\ndist = "norm"\n'
    )
    experiment = load_experiment(
        write_experiment(
            tmp_path,
            replace=(
                "[sensitivity.parameters.initial_trust_local_share]\nlow = 0.3\nhigh = 0.7\n",
                normal,
            ),
        )
    )
    plan = plan_sensitivity(experiment)
    values = plan.sample["initial_trust_local_share"]
    assert values.max() == 0.99 and values.min() >= 0.01
    assert plan.clipped["initial_trust_local_share"] == int((values == 0.99).sum()) > 0
    assert len(plan.specs) == 40 * 2 * 2


def test_stored_points_rebuild_the_runs_of_the_plan(tmp_path: Path):
    """A stored sample, read back, gives the same runs (values and noise-dummy seeds) as
    the plan, as the benchmarks' reruns of a folder's points need."""
    experiment = load_experiment(write_experiment(tmp_path, options="noise_dummy = true\n"))
    plan = plan_sensitivity(experiment)
    plan.sample.reset_index().to_parquet(tmp_path / "sample.parquet")
    stored = pd.read_parquet(tmp_path / "sample.parquet").set_index("point")
    points = stored_points(stored)
    assert isinstance(points[0]["fund_decision_months"], int)
    assert isinstance(points[0]["noise_floor"], int)
    assert point_specs(experiment, plan.settings, points) == plan.specs
    only = point_specs(experiment, plan.settings, points, ["subsidy_channel"])
    assert only == [spec for spec in plan.specs if spec.scenario == "subsidy_channel"]


def test_validate_describes_a_sensitivity_experiment(capsys, tmp_path: Path):
    code, out, _ = cli(capsys, "validate", write_experiment(tmp_path))
    assert code == 0
    assert "sobol, 3 parameters, n = 8: 40 points x 2 scenarios x 2 replications = 160 runs" in out


# ---------------------------------------------------------------------- shipped files
def test_shipped_sobol_experiment_is_screened_by_morris_and_fits_two_cores():
    experiment = load_experiment(REPO / "experiments" / "sobol.toml")
    settings = experiment.sensitivity_settings
    assert settings.method == "sobol" and settings.base_scenario == "groeiplan"
    assert settings.screened_from == "results/morris" and settings.screen_max >= 20
    assert settings.noise_dummy and settings.replications >= 2
    pairs = {(c.scenario, c.reference) for c in settings.contrasts}
    assert {
        ("groeiplan", "subsidy_channel"),
        ("hybrid", "subsidy_channel"),
        ("groeiplan", "status_quo"),
        ("subsidy_channel", "status_quo"),
        ("hybrid", "status_quo"),
        ("groeiplan_replacing", "status_quo"),
    } <= pairs
    buurten = (
        experiment.parameters["n_municipalities"]
        * experiment.parameters["neighbourhoods_per_municipality"]
    )
    assert buurten >= 200  # no outcome visibly discretised
    assert experiment.run_count <= 24_000  # at most, with screen_max (see the file's header)


MORRIS_EXCLUDED = {
    "subsidy_replacement_share",  # what separates groeiplan_replacing from groeiplan
    "months",
    "n_municipalities",
    "neighbourhoods_per_municipality",
    "inhabitants_per_neighbourhood",
    "inhabitants_per_agent",
    "national_population",
    "spin_up_months",
}
ORDERED_PAIRS = {
    "initial_active_share",
    "initial_participation_share",
    "municipal_decision_months_min",
    "municipal_decision_months_max",
}


def test_shipped_morris_experiment_screens_every_numeric_parameter_by_its_rule():
    experiment = load_experiment(REPO / "experiments" / "morris.toml")
    settings = experiment.sensitivity_settings
    numeric = {
        name for name, field in Parameters.model_fields.items() if field.annotation in (int, float)
    }
    assert set(settings.parameter_names) == numeric - MORRIS_EXCLUDED
    base = experiment.resolved_scenarios["groeiplan"].parameters
    for factor in settings.factors:
        if factor.name in ORDERED_PAIRS:
            continue
        centre = base.get(factor.name, Parameters.model_fields[factor.name].default)
        assert (factor.low, factor.high) == pytest.approx(screening_range(factor.name, centre)), (
            factor.name
        )


def test_sensitivity_package_docstring_points_to_the_python_api():
    doc = gemsim.sensitivity.__doc__
    assert "run_sensitivity" in doc and "run_sensitivity_job" in doc


def test_n_override_is_validated_for_the_method():
    experiment = load_experiment(REPO / "experiments" / "sobol.toml")
    with pytest.raises(ScenarioError, match="--n 100 is not allowed"):
        experiment.with_overrides(n=100)
    smaller = experiment.with_overrides(n=16, replications=1)
    assert (smaller.sensitivity_settings.n, smaller.runs_per_point) == (16, 1)
    assert smaller.run_count == 16 * (22 + 1 + 2) * 5  # at most: screen_max parameters


def test_a_folder_stored_before_metamodel_points_resumes_and_reads_as_800(
    capsys, tmp_path: Path, sobol: Path
):
    """An analysis setting no run reads: a manifest without it reads as the 800 points
    metamodels were fitted on before, resumes with another value, and then records the
    value asked for."""
    folder = shutil.copytree(sobol, tmp_path / "before")
    manifest = json.loads((folder / "manifest.json").read_text())
    table = manifest["experiment"]["sensitivity"]
    assert table["metamodel_points"] == 800  # the default
    del table["metamodel_points"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert SensitivitySettings.from_record(table).metamodel_points == 800
    options = METAMODEL + "metamodel_points = 1600\n"
    experiment = write_experiment(tmp_path, options=options)
    code, _, err = cli(
        capsys, "sensitivity", experiment, "--n", "4", "--out", folder, "--resume", "--quiet"
    )
    assert code == 0, err
    resumed = json.loads((folder / "manifest.json").read_text())
    assert resumed["experiment"]["sensitivity"]["metamodel_points"] == 1600


def test_a_sobol_folder_stored_before_the_pairing_option_reads_as_salibs_design(
    capsys, tmp_path: Path, sobol: Path
):
    """Its manifest's options have no ``pairing``: resuming or extending it with the
    balanced design (the default) is refused, naming the pairing, and the stored record
    reads as SALib's design."""
    from gemsim.study.jobs import as_current_record

    folder = shutil.copytree(sobol, tmp_path / "before")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["experiment"]["sensitivity"]["options"] == {"pairing": "balanced"}
    del manifest["experiment"]["sensitivity"]["options"]["pairing"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    upgraded = as_current_record(manifest["experiment"])
    assert upgraded["sensitivity"]["options"] == {"pairing": "salib"}
    assert manifest["experiment"]["sensitivity"]["options"] == {}  # not changed in place
    experiment = write_experiment(tmp_path, options=METAMODEL)
    for flag in ("--resume", "--extend"):
        code, _, err = cli(
            capsys, "sensitivity", experiment, "--n", "8", "--out", folder, flag, "--quiet"
        )
        assert code == 2
        assert "sensitivity.options.pairing" in err and "salib" in err and "balanced" in err
