"""The results folder of an experiment.

Layout (everything else in the folder is left alone)::

    out_dir/
      timeseries/part-<first_run_id>-<n>.parquet   long-form time series, one file per batch
      runs/part-<first_run_id>-<n>.parquet         run table rows of the same batch
      checksums/part-<first_run_id>-<n>.sha256     SHA-256 of both parts (sha256sum format)
      damaged/<time>/...                           batches found damaged, set aside
      manifest.json                                written by the caller (see manifest.py)
      summary.csv, figures/, report.html           written by the analysis/report steps

A batch is written as its time-series part first, then its checksum file, then its
run-table part with the same name; each file is written to a hidden temporary name in the
same folder and moved into place with ``os.replace`` (atomic), so a crash never leaves a
half-written part under a real name. The run-table part is the commit marker: a
time-series part without its run-table twin is ignored when reading and deleted by
``prepare(resume=True)``.

Damage after the fact (a truncated copy, a corrupted disk block) is found by
:meth:`ResultStore.damaged_batches`, which compares both parts with their recorded
checksums (or, for batches written before checksums were kept, reads them in full, checking
Parquet page checksums and that the twins agree), and named instead of being read;
:meth:`ResultStore.set_aside` moves a damaged batch to ``damaged/`` so its runs count as not
done (a resume redoes them) and nothing is deleted.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from gemsim.atomic import TMP_SUFFIX, atomic_path, write_text
from gemsim.errors import UserError
from gemsim.experiments.differences import plain
from gemsim.experiments.specs import KEY_COLUMNS, RunSpec

__all__ = ["DamagedBatch", "DamagedResultsError", "ResultStore", "ResultsExistError"]

TIMESERIES = "timeseries"
RUNS = "runs"
MANIFEST = "manifest.json"
DAMAGED = "damaged"
CHECKSUMS = "checksums"
CHECKSUM_SUFFIX = ".sha256"
RUN_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "months")
_PART_RUNS = re.compile(r"-(\d+)\.parquet$")

type Filters = ds.Expression | list[Any] | None


class ResultsExistError(UserError, RuntimeError):
    """The results folder already holds results and neither force nor resume was given."""


class OutputFolderError(UserError, OSError):
    """The output folder cannot be made (a file stands where it or a parent should be)."""


class DamagedResultsError(UserError, RuntimeError):
    """A file of the results folder cannot be read (its message names the file)."""


@dataclass(frozen=True)
class DamagedBatch:
    """A stored batch that cannot be read back whole.

    Attributes:
        name: the part file name (the same in ``timeseries/`` and ``runs/``).
        problems: what is wrong, each naming its file.
        runs: the number of runs the batch holds (from its name; None if unknown).
    """

    name: str
    problems: tuple[str, ...]
    runs: int | None

    def __str__(self) -> str:
        return "; ".join(self.problems)


def _param_value(value: Any) -> Any:
    """A parameter value as stored in the run table: scalars as-is, others as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy scalar
        return value.item()
    return json.dumps(value, sort_keys=True, default=str)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` (without index or pandas metadata) as zstd Parquet with page checksums."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_page_checksum=True)
    return bytes(sink.getvalue().to_pybytes())


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parquet_problem(path: Path) -> tuple[str | None, pa.Table | None]:
    """Read ``path`` in full, verifying page checksums; return (problem, table)."""
    if not path.is_file():
        return "missing", None
    try:
        table = pq.ParquetFile(path, page_checksum_verification=True).read()
    except (pa.ArrowException, OSError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"not a readable Parquet file ({reason})", None
    return None, table


class ResultStore:
    """Owns the result files of one experiment in ``out_dir`` (see the module docstring)."""

    #: Entries of ``out_dir`` this store owns: ``prepare(force=True)`` deletes exactly these.
    OWNED: tuple[str, ...] = (
        TIMESERIES,
        RUNS,
        CHECKSUMS,
        MANIFEST,
        "summary.csv",
        "cost_effectiveness.csv",
        "figures",
        "report.html",
        DAMAGED,
    )

    def __init__(self, out_dir: Path | str) -> None:
        self.out_dir = Path(out_dir)
        self.timeseries_dir = self.out_dir / TIMESERIES
        self.runs_dir = self.out_dir / RUNS
        self.checksums_dir = self.out_dir / CHECKSUMS

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

    def read_manifest(self) -> dict[str, Any] | None:
        """``manifest.json`` as a dict, or None if there is none.

        Raises:
            DamagedResultsError: the file exists but is not a JSON object (naming it).
        """
        path = self.out_dir / MANIFEST
        if not path.exists():
            return None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise DamagedResultsError(
                f"{path} is damaged: it is not valid JSON ({error})"
            ) from None
        if not isinstance(manifest, dict):
            raise DamagedResultsError(f"{path} is damaged: it does not hold a JSON object")
        return manifest

    def has_stored_batches(self) -> bool:
        """True if at least one batch is committed (its run-table part exists)."""
        return bool(self._part_files(self.runs_dir))

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
        blocking = next((p for p in (self.out_dir, *self.out_dir.parents) if p.is_file()), None)
        if blocking is not None:
            raise OutputFolderError(
                f"{self.out_dir}: cannot be the output folder: {blocking} is a file; "
                "allowed: a folder, new or existing"
            )
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
        for folder in (self.out_dir, self.timeseries_dir, self.runs_dir, self.checksums_dir):
            if folder.is_dir():
                for tmp in folder.glob(f".*{TMP_SUFFIX}"):
                    tmp.unlink(missing_ok=True)
                    removed.append(tmp)
        committed = {p.name for p in self._part_files(self.runs_dir)}
        for part in self._part_files(self.timeseries_dir):
            if part.name not in committed:
                part.unlink(missing_ok=True)
                removed.append(part)
        if self.checksums_dir.is_dir():
            stems = {Path(name).stem for name in committed}
            for sums in self.checksums_dir.glob(f"part-*{CHECKSUM_SUFFIX}"):
                if sums.name.removesuffix(CHECKSUM_SUFFIX) not in stems:
                    sums.unlink(missing_ok=True)
                    removed.append(sums)
        return removed

    # ------------------------------------------------------------------ writing
    def write_batch(self, specs: Sequence[RunSpec], timeseries: pd.DataFrame) -> str:
        """Store one finished batch: its long-form time series and its run-table rows.

        ``timeseries`` must hold the key columns (run_id, scenario, replication, seed,
        point), ``month`` and the reporter columns. Writes the time-series part, then the
        SHA-256 of both parts (``checksums/<part>.sha256``, in ``sha256sum`` format), then
        the run-table part, which commits the batch. Returns the part file name.
        """
        if not specs:
            raise ValueError("empty batch")
        missing = [c for c in (*KEY_COLUMNS, "month") if c not in timeseries.columns]
        if missing:
            raise ValueError(f"time series lacks columns {missing}")
        name = f"part-{specs[0].run_id}-{len(specs)}.parquet"
        series_bytes = _parquet_bytes(timeseries)
        runs_bytes = _parquet_bytes(self.run_rows(specs))
        _write_bytes(self.timeseries_dir / name, series_bytes)
        sums = "".join(
            f"{hashlib.sha256(data).hexdigest()}  {folder}/{name}\n"
            for folder, data in ((TIMESERIES, series_bytes), (RUNS, runs_bytes))
        )
        write_text(self._checksum_path(name), sums)
        _write_bytes(self.runs_dir / name, runs_bytes)
        return name

    def _checksum_path(self, name: str) -> Path:
        return self.checksums_dir / f"{Path(name).stem}{CHECKSUM_SUFFIX}"

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

    def write_json(self, name: str, obj: Any) -> Path:
        """Write ``obj`` as indented JSON to ``out_dir/name`` atomically; return the path."""
        text = json.dumps(obj, indent=2, allow_nan=False) + "\n"
        return write_text(self.out_dir / name, text)

    def read_json(self, name: str) -> Any:
        """Read ``out_dir/name`` as JSON."""
        return json.loads((self.out_dir / name).read_text(encoding="utf-8"))

    # ------------------------------------------------------------------ checking
    def damaged_batches(self) -> list[DamagedBatch]:
        """Every committed batch whose parts cannot be read back whole and unchanged.

        A batch with a checksum file must match the SHA-256 of both parts recorded when it
        was written. A batch without one (written by an older gemsim) is read in full, one
        batch at a time, checking Parquet footers and page checksums, the key columns, that
        the run table holds as many runs as the part's name says, and that both twins hold
        the same runs.
        """
        return [
            damaged
            for part in self._part_files(self.runs_dir)
            if (damaged := self._check_batch(part.name)) is not None
        ]

    def _recorded_sums(self, name: str) -> dict[str, str] | None:
        """Recorded SHA-256 per relative path of a batch (None without a checksum file)."""
        path = self._checksum_path(name)
        if not path.is_file():
            return None
        sums: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, _, relative = line.partition("  ")
            sums[relative] = digest
        return sums

    def _check_batch(self, name: str) -> DamagedBatch | None:
        match = _PART_RUNS.search(name)
        expected = int(match.group(1)) if match else None
        runs_path, series_path = self.runs_dir / name, self.timeseries_dir / name
        sums = self._recorded_sums(name)
        if sums is not None:
            problems = []
            for path in (series_path, runs_path):
                recorded = sums.get(f"{path.parent.name}/{name}")
                if not path.is_file():
                    problems.append(f"{path}: missing")
                elif recorded != _sha256(path):
                    reason = _parquet_problem(path)[0] or "its content changed"
                    problems.append(
                        f"{path}: {reason}; it does not match the checksum recorded when it "
                        f"was written ({self._checksum_path(name)})"
                    )
        else:
            problems = self._legacy_problems(name, expected)
        if not problems:
            return None
        return DamagedBatch(name=name, problems=tuple(problems), runs=expected)

    def _legacy_problems(self, name: str, expected: int | None) -> list[str]:
        """What is wrong with a batch that has no checksum file (read in full)."""
        problems: list[str] = []
        runs_path, series_path = self.runs_dir / name, self.timeseries_dir / name
        runs_problem, runs = _parquet_problem(runs_path)
        series_problem, series = _parquet_problem(series_path)
        if runs_problem:
            problems.append(f"{runs_path}: {runs_problem}")
        if series_problem:
            problems.append(f"{series_path}: {series_problem}")
        if runs is not None:
            missing = [c for c in RUN_COLUMNS if c not in runs.column_names]
            if missing:
                problems.append(f"{runs_path}: lacks the columns {missing}")
            elif expected is not None and runs.num_rows != expected:
                problems.append(
                    f"{runs_path}: holds {runs.num_rows} runs, its name says {expected}"
                )
        if series is not None:
            missing = [c for c in (*KEY_COLUMNS, "month") if c not in series.column_names]
            if missing:
                problems.append(f"{series_path}: lacks the columns {missing}")
        if not problems and runs is not None and series is not None:
            run_ids = set(runs.column("run_id").to_pylist())
            series_ids = set(series.column("run_id").unique().to_pylist())
            if run_ids != series_ids:
                problems.append(
                    f"{series_path}: holds other runs than {runs_path} "
                    f"({len(series_ids)} against {len(run_ids)})"
                )
        return problems

    def set_aside(self, batches: Iterable[DamagedBatch]) -> Path | None:
        """Move the parts (and checksum files) of ``batches`` to ``damaged/<UTC time>/``, so
        their runs count as not stored; return that folder (None if nothing moved)."""
        moved = False
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.out_dir / DAMAGED / stamp
        for batch in batches:
            # The run-table part first: once it is gone, the batch no longer counts as stored.
            for source in (
                self.runs_dir / batch.name,
                self.timeseries_dir / batch.name,
                self._checksum_path(batch.name),
            ):
                if source.exists():
                    destination = target / source.parent.name / source.name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    source.replace(destination)
                    moved = True
        return target if moved else None

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
                    problems.append(
                        f"{row['run_id']}: {key} stored {plain(old)}, now {plain(value)}"
                    )
        return problems
