"""Rebuild a sensitivity folder's convergence verdict from its per-point means alone.

``python benchmarks/convergence_from_means.py FOLDER [--write]``

A reference folder keeps the per-point means (``scenario_outputs.parquet``) but not the
single runs that ``gemsim report`` reads. This recomputes the analysed outputs from the
means (a contrast as the difference of the two scenarios' means, which equals the mean of
the paired differences up to rounding), then the indices on growing parts of the sample
and the verdict of :func:`gemsim.analysis.sensitivity_report.convergence_check`. It
prints how far the full-sample indices lie from the folder's ``indices.csv`` (they should
agree to rounding) and, with ``--write``, replaces ``convergence_check.csv``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from gemsim.analysis.files import write_csv
from gemsim.analysis.sensitivity_data import SensitivityData, SensitivityTables, convergence_table
from gemsim.analysis.sensitivity_report import CONVERGENCE_CHECK_FILE, convergence_check
from gemsim.study.plans import read_design
from gemsim.study.sensitivity_spec import SensitivitySettings


def outputs_from_means(settings: SensitivitySettings, means: pd.DataFrame) -> pd.DataFrame:
    """Per point: the base scenario's outputs and each contrast, from the scenario means."""
    wide = {name: part.set_index("point").sort_index() for name, part in means.groupby("scenario")}
    columns = {output: wide[settings.base_scenario][output] for output in settings.outputs}
    for contrast in settings.contrasts:
        for output in contrast.outputs:
            columns[contrast.column(output)] = (
                wide[contrast.scenario][output] - wide[contrast.reference][output]
            )
    return pd.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--write", action="store_true", help="replace convergence_check.csv")
    args = parser.parse_args()

    manifest = json.loads((args.folder / "manifest.json").read_text())
    experiment = manifest["experiment"]
    settings = SensitivitySettings.from_record(experiment["sensitivity"])
    X, sample = read_design(args.folder)
    data = SensitivityData(
        folder=args.folder,
        manifest=manifest,
        settings=settings,
        seed=int(experiment["seed"]),
        horizon=int(experiment["months"]),
        X=X,
        sample=sample,
        values=pd.DataFrame(),
    )
    outputs = outputs_from_means(
        settings, pd.read_parquet(args.folder / "scenario_outputs.parquet")
    )
    convergence = convergence_table(data, outputs)
    if convergence is None:
        raise SystemExit(f"{settings.method} cannot be cut into smaller designs")
    stored = pd.read_csv(args.folder / "indices.csv").set_index(["output", "parameter"])
    full = convergence[convergence["n"] == convergence["n"].max()]
    full = full.set_index(["output", "parameter"])["ST"]
    gap = (full - stored["ST"].reindex(full.index)).abs().max()
    print(f"largest |ST - indices.csv| at the full sample: {gap:.2e}")
    check = convergence_check(
        SensitivityTables(
            scenario_outputs=pd.DataFrame(),
            outputs=outputs,
            standard_errors=pd.DataFrame(),
            indices=stored.reset_index(),
            second_order=None,
            convergence=convergence,
            contrasts=pd.DataFrame(),
            flips=pd.DataFrame(),
        )
    )
    print(f"{int(check['converged'].sum())} of {len(check)} outputs converged:")
    print(check.loc[check["converged"], ["output", "largest_change", "worst_parameter"]])
    if args.write:
        print(f"wrote {write_csv(check, args.folder / CONVERGENCE_CHECK_FILE)}")


if __name__ == "__main__":
    main()
