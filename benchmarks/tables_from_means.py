"""Rebuild a sensitivity folder's convergence verdict and metamodel tables from its
per-point means alone.

``python benchmarks/tables_from_means.py FOLDER [--metamodels [--metamodel-points P]]
[--discovery] [--workers W] [--write]``

A reference folder keeps the per-point means (``scenario_outputs.parquet``) but not the
single runs that ``gemsim report`` reads. This recomputes the analysed outputs from the
means (a contrast as the difference of the two scenarios' means, which equals the mean of
the paired differences up to rounding), then the indices on growing parts of the sample
and the verdict of :func:`gemsim.analysis.sensitivity_report.convergence_check`, and with
``--metamodels`` the Gaussian-process metamodels of ``metamodel_outputs`` (fit, indices,
convergence) as ``gemsim report`` makes them (``--metamodel-points``: fitted on at most
that many points instead of the manifest's ``metamodel_points``, 800 for a folder stored
before the setting; the tables' ``n_train``, ``train_half`` and ``train`` say what was
used), and with ``--discovery`` the scenario
discovery of every contrast (PRIM boxes and tree). It prints how far the recomputed
indices lie from the folder's tables (they should agree to rounding), which discovery
findings changed, and, with ``--write``, replaces ``convergence_check.csv`` (and the three
metamodel tables, and ``discovery.csv``, ``boxes.csv`` and ``tree.csv``).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from gemsim.analysis.files import write_csv
from gemsim.analysis.sensitivity_data import (
    SensitivityTables,
    convergence_table,
    load_from_means,
)
from gemsim.analysis.sensitivity_discovery import (
    BOXES_FILE,
    DISCOVERY_FILE,
    TREE_FILE,
    discover_contrasts,
)
from gemsim.analysis.sensitivity_noise import (
    METAMODEL_CONVERGENCE_FILE,
    METAMODEL_FILE,
    METAMODEL_INDICES_FILE,
    metamodel_convergence_table,
    metamodel_tables,
)
from gemsim.analysis.sensitivity_report import (
    CONVERGENCE_CHECK_FILE,
    CONVERGENCE_TOLERANCE,
    convergence_check,
)
from gemsim.study.files import field_allowed
from gemsim.study.sensitivity_spec import SensitivitySettings


def largest_gap(new: pd.DataFrame, old: pd.DataFrame, keys: list[str], column: str) -> float:
    """The largest absolute difference of ``column`` between two tables joined on ``keys``."""
    joined = new.set_index(keys)[column] - old.set_index(keys)[column]
    return float(joined.abs().max())


def changed_findings(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """The contrast outputs whose finding differs: coverage and density before and after."""
    joined = new.merge(
        old[["column", "finding", "coverage", "density"]], on="column", suffixes=("", "_before")
    ).set_index("column")
    changed = joined[joined["finding"] != joined["finding_before"]]
    return changed[["coverage_before", "coverage", "density_before", "density"]].round(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--metamodels", action="store_true", help="the metamodel tables too")
    parser.add_argument(
        "--metamodel-points", type=int, help="fit the metamodels on at most this many points"
    )
    parser.add_argument("--discovery", action="store_true", help="the discovery tables too")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="replace the tables")
    args = parser.parse_args()
    if args.metamodel_points is not None:
        if not args.metamodels:
            parser.error("--metamodel-points needs --metamodels")
        field = SensitivitySettings.model_fields["metamodel_points"]
        try:
            TypeAdapter(Annotated[int, *field.metadata]).validate_python(args.metamodel_points)
        except ValidationError:
            allowed = field_allowed(SensitivitySettings, "metamodel_points")
            parser.error(f"--metamodel-points must be {allowed}")

    folder = args.folder
    data, outputs = load_from_means(folder)
    if args.metamodel_points not in (None, data.settings.metamodel_points):
        # The manifest is left as the run wrote it: say so, since a later `gemsim report`
        # reads the manifest's value (the tables' n_train columns say which was used).
        print(
            f"fitting on at most {args.metamodel_points} points; the manifest records "
            f"{data.settings.metamodel_points}, which `gemsim report` would use"
        )
        settings = data.settings.model_copy(update={"metamodel_points": args.metamodel_points})
        data = dataclasses.replace(data, settings=settings)
    convergence = convergence_table(data, outputs)
    if convergence is None:
        raise SystemExit(f"{data.settings.method} cannot be cut into smaller designs")
    stored = pd.read_csv(folder / "indices.csv")
    full = convergence[convergence["n"] == convergence["n"].max()]
    gap = largest_gap(full, stored, ["output", "parameter"], "ST")
    print(f"largest |ST - indices.csv| at the full sample: {gap:.2e}")
    tables = SensitivityTables(
        scenario_outputs=pd.DataFrame(),
        outputs=outputs,
        standard_errors=pd.DataFrame(),
        indices=stored,
        second_order=None,
        convergence=convergence,
        contrasts=pd.DataFrame(),
        flips=pd.DataFrame(),
    )
    check = convergence_check(tables)
    print(f"{int(check['converged'].sum())} of {len(check)} outputs converged")
    written = {CONVERGENCE_CHECK_FILE: check}
    if args.metamodels:
        found = metamodel_tables(data, outputs, workers=args.workers)
        if found is None:
            raise SystemExit("the experiment names no metamodel_outputs")
        fits, indices = found
        if (folder / METAMODEL_INDICES_FILE).exists():
            old = pd.read_csv(folder / METAMODEL_INDICES_FILE)
            gap = largest_gap(indices, old, ["output", "parameter"], "ST")
            print(f"largest |ST - {METAMODEL_INDICES_FILE}|: {gap:.2e}")
        shown = fits.set_index("output")[["q2", "noise_share"]]
        if (folder / METAMODEL_FILE).exists():
            shown["q2_before"] = pd.read_csv(folder / METAMODEL_FILE).set_index("output")["q2"]
        print(shown)
        converging = metamodel_convergence_table(
            data,
            outputs,
            indices,
            tolerance=CONVERGENCE_TOLERANCE,
            fits=fits,
            workers=args.workers,
        )
        written |= {
            METAMODEL_FILE: fits,
            METAMODEL_INDICES_FILE: indices,
            METAMODEL_CONVERGENCE_FILE: converging,
        }
    if args.discovery:
        found = discover_contrasts(data, outputs, workers=args.workers)
        if (folder / DISCOVERY_FILE).exists():
            changed = changed_findings(found.summary, pd.read_csv(folder / DISCOVERY_FILE))
            print(f"{len(changed)} of {len(found.summary)} findings changed")
            print(changed.to_string())
        written |= {DISCOVERY_FILE: found.summary, BOXES_FILE: found.boxes, TREE_FILE: found.tree}
    if args.write:
        for name, table in written.items():
            print(f"wrote {write_csv(table, folder / name)}")


if __name__ == "__main__":
    main()
