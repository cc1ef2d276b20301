"""The results folder of an experiment.

Layout (everything else in the folder is left alone)::

    out_dir/
      timeseries/part-<first_run_id>-<n>.parquet   long-form time series, one file per batch
      runs/part-<first_run_id>-<n>.parquet         run table rows of the same batch
      manifest.json                                written by the caller (see manifest.py)
      summary.csv, figures/, report.html           written by the analysis/report steps

A batch is written as its time-series part first, then its run-table part with the same
name; each file is written to a hidden temporary name in the same folder and moved into
place with ``os.replace`` (atomic), so a crash never leaves a half-written part under a
real name. The run-table part is the commit marker: a time-series part without its
run-table twin is ignored when reading and deleted by ``prepare(resume=True)``.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from gemsim.atomic import TMP_SUFFIX, write_parquet, write_text
from gemsim.errors import UserError
from gemsim.experiments.specs import KEY_COLUMNS, RunSpec

__all__ = ["ResultStore", "ResultsExistError"]

TIMESERIES = "timeseries"
RUNS = "runs"
MANIFEST = "manifest.json"
RUN_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "months")

Filters = ds.Expression | list[Any] | None


class ResultsExistError(UserError, RuntimeError):
    """The results folder already holds results and neither force nor resume was given."""


def _param_value(value: Any) -> Any:
    """A parameter value as stored in the run table: scalars as-is, others as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy scalar
        return value.item()
    return json.dumps(value, sort_keys=True, default=str)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class ResultStore:
    """Owns the result files of one experiment in ``out_dir`` (see the module docstring)."""

    #: Entries of ``out_dir`` this store owns: ``prepare(force=True)`` deletes exactly these.
    OWNED: tuple[str, ...] = (
        TIMESERIES,
        RUNS,
        MANIFEST,
        "summary.csv",
        "cost_effectiveness.csv",
        "figures",
        "report.html",
    )

    def __init__(self, out_dir: Path | str) -> None:
        self.out_dir = Path(out_dir)
        self.timeseries_dir = self.out_dir / TIMESERIES
        self.runs_dir = self.out_dir / RUNS

    def __repr__(self) -> str:
        return f"ResultStore({str(self.out_dir)!r})"

    # ------------------------------------------------------------------ state handling
    def manifest_status(self) -> str | None:
        """The ``status`` of ``manifest.json`` (None if absent or unreadable)."""
        try:
            manifest = self.read_json(MANIFEST)
        except (OSError, ValueError):
            return None
        status = manifest.get("status") if isinstance(manifest, dict) else None
        return status if isinstance(status, str) else None

    def has_results(self) -> bool:
        """True if the folder holds parts, a complete manifest or analysis outputs."""
        if self._part_files(self.timeseries_dir) or self._part_files(self.runs_dir):
            return True
        if self.manifest_status() == "complete":
            return True
        return any((self.out_dir / name).exists() for name in ("summary.csv", "report.html"))

    def prepare(self, force: bool = False, resume: bool = False) -> None:
        """Make the folder ready for an experiment.

        * No previous results: create the folders.
        * Previous results and neither flag: raise :class:`ResultsExistError`, write nothing.
        * ``force``: delete the entries this store owns (:attr:`OWNED`), nothing else.
        * ``resume``: keep the committed parts; delete temporary files and uncommitted
          time-series parts left by an interrupted run.
        """
        if force and resume:
            raise ValueError("force and resume are mutually exclusive")
        if not force and not resume and self.has_results():
            raise ResultsExistError(
                f"{self.out_dir} already holds experiment results "
                f"(status: {self.manifest_status() or 'partial'}). Use --resume to finish "
                "the missing runs, --force to delete the previous results, or choose "
                "another output folder."
            )
        if force:
            self._delete_owned()
        self.clean_incomplete()
        self.timeseries_dir.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(parents=True, exist_ok=True)

    def _delete_owned(self) -> None:
        for name in self.OWNED:
            path = self.out_dir / name
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)

    def clean_incomplete(self) -> list[Path]:
        """Delete temporary files and uncommitted time-series parts; return what was deleted."""
        removed: list[Path] = []
        for folder in (self.out_dir, self.timeseries_dir, self.runs_dir):
            if folder.is_dir():
                for tmp in folder.glob(f".*{TMP_SUFFIX}"):
                    tmp.unlink(missing_ok=True)
                    removed.append(tmp)
        committed = {p.name for p in self._part_files(self.runs_dir)}
        for part in self._part_files(self.timeseries_dir):
            if part.name not in committed:
                part.unlink(missing_ok=True)
                removed.append(part)
        return removed

    # ------------------------------------------------------------------ writing
    def write_batch(self, specs: Sequence[RunSpec], timeseries: pd.DataFrame) -> str:
        """Store one finished batch: its long-form time series and its run-table rows.

        ``timeseries`` must hold the key columns (run_id, scenario, replication, seed,
        point), ``month`` and the reporter columns. Returns the part file name.
        """
        if not specs:
            raise ValueError("empty batch")
        missing = [c for c in (*KEY_COLUMNS, "month") if c not in timeseries.columns]
        if missing:
            raise ValueError(f"time series lacks columns {missing}")
        name = f"part-{specs[0].run_id}-{len(specs)}.parquet"
        self.timeseries_dir.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._write_parquet(timeseries, self.timeseries_dir / name)
        self._write_parquet(self.run_rows(specs), self.runs_dir / name)
        return name

    @staticmethod
    def run_rows(specs: Iterable[RunSpec]) -> pd.DataFrame:
        """The run-table rows of ``specs``: key columns, months and one column per param."""
        rows = []
        for spec in specs:
            row: dict[str, Any] = {
                "run_id": spec.run_id,
                "scenario": spec.scenario,
                "replication": spec.replication,
                "seed": spec.seed,
                "point": spec.point,
                "months": spec.months,
            }
            for key, value in spec.params.items():
                if key in row:
                    raise ValueError(f"parameter name {key!r} clashes with a run-table column")
                row[key] = _param_value(value)
            rows.append(row)
        return pd.DataFrame(rows)

    @staticmethod
    def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
        write_parquet(frame, path)

    def write_json(self, name: str, obj: Any) -> Path:
        """Write ``obj`` as indented JSON to ``out_dir/name`` atomically; return the path."""
        text = json.dumps(obj, indent=2, allow_nan=False) + "\n"
        return write_text(self.out_dir / name, text)

    def read_json(self, name: str) -> Any:
        """Read ``out_dir/name`` as JSON."""
        return json.loads((self.out_dir / name).read_text(encoding="utf-8"))

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _part_files(folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(folder.glob("part-*.parquet"))

    def _committed_timeseries(self) -> list[Path]:
        committed = {p.name for p in self._part_files(self.runs_dir)}
        return [p for p in self._part_files(self.timeseries_dir) if p.name in committed]

    @staticmethod
    def _dataset(files: list[Path]) -> ds.Dataset | None:
        if not files:
            return None
        # Parts may differ in columns (params of other scenarios) or widen types
        # (int in one batch, float in another): read all footers and unify.
        schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
        return ds.dataset([str(f) for f in files], schema=schema, format="parquet")

    @staticmethod
    def _read(
        dataset: ds.Dataset | None,
        columns: Sequence[str] | None,
        filters: Filters,
        sort_keys: Sequence[str],
    ) -> pd.DataFrame:
        if dataset is None:
            return pd.DataFrame(columns=list(columns) if columns is not None else [])
        names = dataset.schema.names
        wanted = list(names) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in names]
        if unknown:
            raise KeyError(f"unknown columns {unknown}; available: {names}")
        expression = pq.filters_to_expression(filters) if isinstance(filters, list) else filters
        keys = [k for k in sort_keys if k in names]
        load = wanted + [k for k in keys if k not in wanted]
        table = dataset.to_table(columns=load, filter=expression)
        if keys:
            table = table.sort_by([(k, "ascending") for k in keys])
        return table.select(wanted).to_pandas()

    def read_timeseries(
        self, columns: Sequence[str] | None = None, filters: Filters = None
    ) -> pd.DataFrame:
        """Stored time series as one long DataFrame, rows sorted by ``run_id, month``.

        Args:
            columns: columns to return (default: all); only these (plus the sort keys,
                dropped afterwards) are read from disk.
            filters: a ``pyarrow.dataset`` expression or DNF filters as accepted by
                ``pyarrow.parquet`` (``[("scenario", "==", "baseline")]``), applied while
                scanning so that filtered-out rows are never materialised.
        """
        dataset = self._dataset(self._committed_timeseries())
        return self._read(dataset, columns, filters, ("run_id", "month"))

    def read_runs(
        self, columns: Sequence[str] | None = None, filters: Filters = None
    ) -> pd.DataFrame:
        """The run table (one row per stored run, params as columns), sorted by run_id."""
        dataset = self._dataset(self._part_files(self.runs_dir))
        return self._read(dataset, columns, filters, ("run_id",))

    def completed_run_ids(self) -> set[str]:
        """Ids of the runs whose batch is fully stored (temporary files are ignored)."""
        dataset = self._dataset(self._part_files(self.runs_dir))
        if dataset is None:
            return set()
        return set(dataset.to_table(columns=["run_id"]).column("run_id").to_pylist())

    def stored_mismatches(self, specs: Iterable[RunSpec]) -> list[str]:
        """Describe differences between ``specs`` and the stored rows of the same run ids.

        Used before resuming: a stored run with the same id but another seed, horizon or
        parameter value belongs to a different experiment and must not be mixed in.
        """
        stored = self.read_runs()
        if stored.empty:
            return []
        by_id = stored.set_index("run_id")
        problems: list[str] = []
        expected = self.run_rows([s for s in specs if s.run_id in by_id.index])
        for row in expected.to_dict("records"):
            have = by_id.loc[row["run_id"]]
            for key, value in row.items():
                if key == "run_id":
                    continue
                if key not in by_id.columns:
                    problems.append(f"{row['run_id']}: parameter {key!r} not stored")
                    continue
                old = have[key]
                if _is_missing(value) and _is_missing(old):
                    continue
                if _is_missing(value) or _is_missing(old) or value != old:
                    problems.append(f"{row['run_id']}: {key} is {old!r}, expected {value!r}")
        return problems
