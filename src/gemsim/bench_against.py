"""Side-by-side speed of this source tree and another one (``gemsim bench --against``).

Both trees run in one invocation so that they share the machine's state: each tree gets
one long-lived Python process (its own ``src`` on ``PYTHONPATH``) that has imported the
model once, and the two take turns run by run, in alternating order (A B, then B A), for
every region size. A run's time is building the model plus running it, inside that
process: the per-run cost without imports, as wall time and as the process's CPU time
(less disturbed by other load on the machine). Whole-process time (a fresh interpreter that
imports the model, builds and runs it once) is measured the same way, fewer times.

The other tree is a folder (a checkout, with ``src/gemsim``) or a git revision of this
repository (extracted with ``git archive`` into a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from gemsim.bench import machine, write_results
from gemsim.errors import UserError
from gemsim.study.scenarios import resolve_scenario

#: Builds and runs one timed unit: one model, or with scenario names each of them at the
#: same seed, one after another (a study's sample point), with ``params`` if given (no
#: braces in this text: it is also a format string). Only the public constructor,
#: ``run()`` and ``load_scenario`` are used, so any recent version of the model works. A
#: version that shares month-0 states (as a study's runs do) shares them within a unit of
#: scenarios and forgets them before every unit, so nothing carries over between timings.
UNIT = """\
from gemsim.model.model import CommunityModel
try:
    from gemsim.model.month_zero import SHARED
except ImportError:  # a version that does not share month-0 states
    SHARED = None


def unit(n, months, seed, scenarios, params=None):
    if SHARED is not None:  # shared within a unit of scenarios, as in a study's runs
        SHARED.clear()
        SHARED.enabled = bool(scenarios)
    try:
        for scenario in scenarios or [None]:
            model = CommunityModel(
                scenario, rng=seed, n_municipalities=n, months=months, **(params or dict())
            )
            model.run()
    finally:
        if SHARED is not None:
            SHARED.enabled = False
    return model
"""

#: The worker's program: read "n_municipalities months seed [scenario ...]" lines, answer
#: with the wall and CPU seconds of the unit and the citizens of a run. Its first argument
#: is the parameter values every model gets, as JSON.
WORKER = (
    UNIT
    + """\
import json, sys, time
from gemsim.study.scenarios import load_scenario

params = json.loads(sys.argv[1])

loaded = {}
print("ready", flush=True)
for line in sys.stdin:
    n, months, seed, *names = line.split()
    scenarios = [loaded.setdefault(name, load_scenario(name)) for name in names]
    started, cpu = time.perf_counter(), time.process_time()
    model = unit(int(n), int(months), int(seed), scenarios, params)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(elapsed, cpu, model.citizens.size, flush=True)
"""
)

#: A whole process: import, build, run one unit.
ONE_RUN = (
    UNIT
    + "from gemsim.study.scenarios import load_scenario\n"
    + "unit({n}, {months}, {seed}, [load_scenario(name) for name in {names!r}], {params!r})\n"
)


#: This source tree's repository (where a git revision is looked up).
_REPO = Path(__file__).resolve().parents[2]


def source_root(tree: Path | str, stack: ExitStack, repo: Path | None = None) -> Path:
    """The folder to put on ``PYTHONPATH`` for ``tree``: ``tree/src`` of a checkout, or a
    git revision of ``repo`` extracted into a temporary folder kept open by ``stack``."""
    path = Path(tree)
    for candidate in (path / "src", path):
        if (candidate / "gemsim" / "model" / "model.py").is_file():
            return candidate.resolve()
    repo = repo or _REPO
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", str(tree), "src"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip()
        raise UserError(f"{tree!r} is neither a source tree nor a git revision: {message}")
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gemsim-against-")))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def tree_state(tree: Path | str, repo: Path | None = None) -> dict[str, Any]:
    """The git commit (and whether the tree has uncommitted changes) of a checkout folder,
    or the commit a git revision of ``repo`` names; stored with the timings."""
    from gemsim.experiments.manifest import _git, git_state

    if Path(tree).is_dir():
        return git_state(tree)
    named = _git(["rev-parse", "--verify", f"{tree}^{{commit}}"], repo or _REPO)
    commit = named.strip() if named else None
    return {"commit": commit, "dirty": False if commit else None, "changes": []}


def _environment(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}


class Worker:
    """One long-lived interpreter running models from one source tree."""

    def __init__(
        self, src: Path, params: dict[str, Any] | None = None, name: str | None = None
    ) -> None:
        self.src, self.name = src, name or str(src)
        self.errors = tempfile.TemporaryFile("w+", prefix="gemsim-against-")  # its stderr
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(params or {})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=_environment(src),
            cwd=tempfile.gettempdir(),
        )
        self._read()  # "ready": imports done

    def _read(self) -> str:
        stdout: IO[str] | None = self.process.stdout
        line = stdout.readline() if stdout else ""
        if not line:
            self.process.wait(timeout=60)
            self.errors.seek(0)
            lines = self.errors.read().strip().splitlines()
            raise UserError(
                f"the model process for {self.name} ended: {lines[-1] if lines else 'no error'}"
            )
        return line

    def run(
        self, n: int, months: int, seed: int, scenarios: Sequence[str] = ()
    ) -> tuple[float, float, int]:
        """Wall and CPU seconds to build and run one unit (a model, or each of
        ``scenarios``) in this process, and a run's citizens."""
        assert self.process.stdin is not None
        self.process.stdin.write(" ".join(map(str, (n, months, seed, *scenarios))) + "\n")
        self.process.stdin.flush()
        seconds, cpu, citizens = self._read().split()
        return float(seconds), float(cpu), int(citizens)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        self.errors.close()


def whole_process_s(
    src: Path,
    n: int,
    months: int,
    seed: int,
    scenarios: Sequence[str] = (),
    params: dict[str, Any] | None = None,
) -> float:
    """Wall time of a fresh interpreter that imports the model and runs one unit."""
    started = time.perf_counter()
    code = ONE_RUN.format(
        n=n, months=months, seed=seed, names=list(scenarios), params=dict(params or {})
    )
    subprocess.run(
        [sys.executable, "-c", code],
        env=_environment(src),
        cwd=tempfile.gettempdir(),
        check=True,
    )
    return time.perf_counter() - started


def compare(
    against: Path | str,
    regions: Sequence[int] = (1, 3, 10),
    repeats: int = 15,
    process_repeats: int = 5,
    months: int = 120,
    seed: int = 1,
    scenarios: Sequence[str] = (),
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Median per-run and whole-process seconds of this tree and ``against`` and their
    ratios (``against`` / this: above 1 means this tree is faster). With ``scenarios``,
    each timing is those scenarios run at one seed, one after another (a study's sample
    point), and the per-run times are its time divided by their number. ``params`` are
    given to every model of both trees (e.g. the same agent scale)."""
    params = dict(params or {})
    per_unit = max(1, len(scenarios))
    # Both trees read this tree's scenario files (an extracted revision has only src/).
    names, scenarios = list(scenarios), [str(resolve_scenario(name)) for name in scenarios]
    this_src = Path(__file__).resolve().parents[1]
    kinds = ("run", "run_cpu", "process")
    samples: dict[str, dict[str, dict[int, list[float]]]] = {
        kind: {tree: {n: [] for n in regions} for tree in ("this", "against")} for kind in kinds
    }
    citizens: dict[int, int] = {}
    with ExitStack() as stack:
        trees = {"this": this_src, "against": source_root(against, stack)}
        labels = {"this": "this tree", "against": str(against)}
        workers = {name: Worker(src, params, labels[name]) for name, src in trees.items()}
        try:
            for n in regions:  # one untimed warm-up run per tree and size
                for worker in workers.values():
                    citizens[n] = worker.run(n, months, seed, scenarios)[2]
            for repeat in range(repeats):
                order = list(trees) if repeat % 2 == 0 else list(reversed(trees))
                for n in regions:
                    for name in order:
                        wall, cpu, _ = workers[name].run(n, months, seed, scenarios)
                        samples["run"][name][n].append(wall / per_unit)
                        samples["run_cpu"][name][n].append(cpu / per_unit)
        finally:
            for worker in workers.values():
                worker.close()
        for repeat in range(process_repeats):
            order = list(trees) if repeat % 2 == 0 else list(reversed(trees))
            for n in regions:
                for name in order:
                    wall = whole_process_s(trees[name], n, months, seed, scenarios, params)
                    samples["process"][name][n].append(wall)

    rows = []
    for n in regions:
        row: dict[str, Any] = {"n_municipalities": n, "citizens": citizens[n]}
        for kind in kinds:
            if not samples[kind]["this"][n]:
                continue
            this = statistics.median(samples[kind]["this"][n])
            other = statistics.median(samples[kind]["against"][n])
            row[f"{kind}_s_this"] = this
            row[f"{kind}_s_against"] = other
            row[f"{kind}_ratio"] = other / this
        rows.append(row)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "against": str(against),
        "trees": {"this": tree_state(this_src.parent), "against": tree_state(against)},
        "months": months,
        "seed": seed,
        "scenarios": names,
        "params": params,
        "repeats": repeats,
        "process_repeats": process_repeats,
        "rows": rows,
        "samples": {
            kind: {t: {str(n): v for n, v in d.items()} for t, d in by_tree.items()}
            for kind, by_tree in samples.items()
        },
    }


def format_comparison(results: dict[str, Any]) -> str:
    """Medians and ratios as a plain-text table."""
    scenarios = results.get("scenarios") or []
    unit = (
        f"timings of the scenarios {', '.join(scenarios)} at one seed, per run"
        if scenarios
        else "runs"
    )
    header = (
        f"this tree vs {results['against']}: medians of {results['repeats']} {unit} "
        f"(build + {results['months']} months, in one process: wall and CPU time) and of "
        f"{results['process_repeats']} whole processes (import + build + run)"
    )
    if results.get("params"):
        header += ", every model with " + ", ".join(
            f"{name} = {value}" for name, value in results["params"].items()
        )
    lines = [
        header,
        f"{'municipalities':>14} {'citizens':>8}  {'run: this':>10} {'against':>10} {'ratio':>6}"
        f"  {'CPU: this':>10} {'against':>10} {'ratio':>6}"
        f"  {'process: this':>13} {'against':>10} {'ratio':>6}",
    ]
    for row in results["rows"]:
        line = f"{row['n_municipalities']:>14} {row['citizens']:>8}"
        for kind in ("run", "run_cpu"):
            line += (
                f"  {row[f'{kind}_s_this'] * 1e3:>8.1f}ms {row[f'{kind}_s_against'] * 1e3:>8.1f}ms"
                f" {row[f'{kind}_ratio']:>5.2f}x"
            )
        if "process_s_this" in row:
            line += (
                f"  {row['process_s_this']:>12.2f}s {row['process_s_against']:>9.2f}s "
                f"{row['process_ratio']:>5.2f}x"
            )
        lines.append(line)
    return "\n".join(lines)


def main(
    against: Path | str,
    regions: Sequence[int],
    out_dir: Path | str = "results/bench",
    repeats: int = 15,
    process_repeats: int = 5,
    months: int = 120,
    scenarios: Sequence[str] = (),
    params: dict[str, Any] | None = None,
) -> Path:
    """Compare, print the table, write ``<out_dir>/<date>-against.json``
    (``-against-scenarios.json`` with ``scenarios``)."""
    results = compare(
        against, regions, repeats, process_repeats, months, scenarios=scenarios, params=params
    )
    print(format_comparison(results))
    return write_results(results, out_dir, "-against-scenarios" if scenarios else "-against")
