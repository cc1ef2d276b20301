"""Calibrate founding and dissolution to the collective-count patterns with ABC-SMC.

Run it as ``python -m gemsim.study.calibration experiments/calibration/movement.toml``
(needs the ``calibrate`` extra: ``pip install gemsim[calibrate]``, for pyabc).

Likelihood-free: approximate Bayesian computation by sequential Monte Carlo (Toni et al.
2009; Klinger, Rickert & Hasenauer 2018, pyabc). The priors are uniform over the ranges
in the file's ``[priors]`` table (else the parameters' plausible ranges, ``gemsim
params``); a particle is a set of parameter values;
its simulated growth factors (and, for ``ratio`` criteria, its counts over the observed
counts) are scored against the growth and ratio criteria of the patterns file (the same
``low``/``high`` as ``gemsim patterns``, never moved), and its distance is the sum over
criteria of how far the factor lies outside the accepted range, in units of that
range's width (0: every criterion passes). The tolerance shrinks generation by generation
(median of the last distances) down to 0.

Each particle runs ``replications`` models of the patterns scenario; a year's value is the
mean over them, as in ``gemsim patterns``. A run's seed is derived from the file's seed and
the particle's values, so that a particle can be rerun. Outputs in ``output``:
``posterior.csv`` (last population, weights, distances), ``populations.csv`` (tolerance,
evaluations and effective sample size per generation), ``summary.csv`` (prior range,
weighted and unweighted 5/50/95% quantiles, chosen value per parameter),
``verification.csv`` (the passing particles, at most ``verify_max`` of them, rerun with
``verify_replications`` new replications; with ``keep_defaults`` the current defaults are
rerun with them and stay the defaults if they pass again; otherwise the default is the
particle that passes again whose counts in the criteria's last years are closest to the
observed counts) and ``manifest.json``
(settings, seeds, versions, git commit, wall time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gemsim.errors import UserError
from gemsim.model.collective_types import TYPE_NAMES
from gemsim.model.parameters import Parameters, plausible_range
from gemsim.study.calibration_spec import read_calibration_file
from gemsim.study.model_values import is_integer_parameter

__all__ = ["CalibrationSpec", "Simulator", "distance", "load_spec", "run_calibration"]

COUNT_PREFIX = "collectives_"
#: What a calibration writes in its output folder (an earlier one's are kept unless --force).
OUTPUT_FILES = frozenset(
    {
        "abc.db",
        "posterior.csv",
        "populations.csv",
        "summary.csv",
        "verification.csv",
        "manifest.json",
    }
)


@dataclass(frozen=True)
class Criterion:
    """A growth or ratio criterion of the patterns file on a collective type's count:
    the factor from ``from_year`` to ``to_year`` (growth), or the count in ``to_year``
    over the observed count ``observed`` (ratio, ``from_year`` None), must lie within
    ``low`` to ``high``."""

    pattern: str
    kind: int  # index into COLLECTIVE_TYPES
    at: str  # "end" (December) or "mean" (mean of the year's months)
    from_year: int | None
    to_year: int
    low: float
    high: float
    observed: float | None = None  # the observed count of a ratio criterion

    @property
    def name(self) -> str:
        if self.from_year is None:
            return f"{self.pattern}_{self.to_year}_ratio"
        return f"{self.pattern}_{self.from_year}_{self.to_year}"


@dataclass(frozen=True)
class CalibrationSpec:
    """What a calibration file sets (see ``experiments/calibration/movement.toml``)."""

    patterns_file: Path
    scenario: str
    output: Path
    seed: int
    population_size: int
    max_populations: int
    max_walltime_minutes: float
    replications: int
    processes: int
    parameters: tuple[str, ...]
    priors: dict[str, tuple[float, float]]
    patterns: tuple[str, ...]
    overrides: dict[str, Any] = field(default_factory=dict)
    verify_replications: int = 0
    verify_max: int = 0  # at most this many particles verified (0: all that tie)
    keep_defaults: bool = False  # keep the current defaults if they pass verification
    start_year: int = 2013
    criteria: tuple[Criterion, ...] = ()

    @property
    def months(self) -> int:
        return 12 * (max(c.to_year for c in self.criteria) - self.start_year + 1)


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration file (:mod:`gemsim.study.calibration_spec`; one
    ScenarioError lists every problem); paths in it are relative to the working directory."""
    data, experiment = read_calibration_file(path)
    settings = experiment.patterns
    assert settings is not None  # checked with the file
    scenario = data.scenario or experiment.baseline_name
    names = tuple(data.parameters)
    priors: dict[str, tuple[float, float]] = {}
    for name in names:
        given = data.priors.get(name)
        found = (float(given[0]), float(given[1])) if given else plausible_range(name)
        assert found is not None  # checked with the file
        priors[name] = found
    criteria: list[Criterion] = []
    for pattern in data.patterns_scored:
        spec = settings.patterns[pattern]
        kind = TYPE_NAMES.index(spec.reporter.removeprefix(COUNT_PREFIX))
        for criterion in spec.criteria:
            assert criterion.low is not None and criterion.high is not None
            if criterion.kind == "ratio":
                criteria += [
                    Criterion(
                        pattern,
                        kind,
                        spec.at,
                        None,
                        year,
                        criterion.low,
                        criterion.high,
                        observed_level(pattern, year),
                    )
                    for year in criterion.years or ()
                ]
                continue
            assert criterion.from_year is not None and criterion.to_year is not None
            criteria.append(
                Criterion(
                    pattern,
                    kind,
                    spec.at,
                    criterion.from_year,
                    criterion.to_year,
                    criterion.low,
                    criterion.high,
                )
            )
    overrides = {**experiment.scenario_overrides()[scenario], **data.model}
    return CalibrationSpec(
        patterns_file=Path(data.patterns),
        scenario=scenario,
        output=Path(data.output),
        seed=data.seed,
        population_size=data.population_size,
        max_populations=data.max_populations,
        max_walltime_minutes=data.max_walltime_minutes,
        replications=data.replications,
        processes=data.processes,
        verify_replications=data.verify_replications,
        verify_max=data.verify_max,
        keep_defaults=data.keep_defaults,
        parameters=names,
        priors=priors,
        patterns=tuple(data.patterns_scored),
        overrides=overrides,
        start_year=settings.start_year,
        criteria=tuple(criteria),
    )


def model_values(spec: CalibrationSpec, particle: dict[str, float]) -> dict[str, Any]:
    """A particle's parameter values as the model takes them (integers rounded)."""
    return {
        name: int(np.rint(particle[name])) if is_integer_parameter(name) else float(particle[name])
        for name in spec.parameters
    }


def particle_seed(spec: CalibrationSpec, values: dict[str, Any]) -> int:
    """A run seed from the file's seed and the particle's values."""
    text = json.dumps([spec.seed, sorted(values.items())])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def yearly_counts(spec: CalibrationSpec, values: dict[str, Any], seed: int) -> np.ndarray:
    """Counts per (year, type) at national scale, mean over the particle's replications,
    read as ``gemsim patterns`` reads them (``at`` decides end of year or mean)."""
    from gemsim import CommunityModel

    years = spec.months // 12
    ends = np.zeros((years, len(TYPE_NAMES)))
    means = np.zeros((years, len(TYPE_NAMES)))
    for replication in range(spec.replications):
        model = CommunityModel(
            scenario=spec.overrides,
            rng=int(np.random.SeedSequence([seed, replication]).generate_state(1)[0]),
            **{**values, "months": spec.months},
        )
        share = model.population_share
        monthly = np.zeros((spec.months, len(TYPE_NAMES)))
        for month in range(spec.months):
            model.step()
            table = model.collectives
            monthly[month] = np.bincount(table.kind[table.living()], minlength=len(TYPE_NAMES))
        monthly /= share
        ends += monthly[11::12]
        means += monthly.reshape(years, 12, -1).mean(axis=1)
    return np.stack([ends, means]) / spec.replications


def growth_factors(spec: CalibrationSpec, counts: np.ndarray) -> dict[str, float]:
    """Each criterion's simulated factor: growth from ``from_year`` (nan when the base year
    has none) or ratio to the observed count."""
    found: dict[str, float] = {}
    for c in spec.criteria:
        series = counts[0 if c.at == "end" else 1][:, c.kind]
        if c.from_year is None:
            assert c.observed is not None
            base = c.observed
        else:
            base = series[c.from_year - spec.start_year]
        final = series[c.to_year - spec.start_year]
        found[c.name] = float(final / base) if base > 0 else float("nan")
    return found


def criterion_miss(value: float, low: float, high: float) -> float:
    """How far ``value`` lies outside ``low``..``high``, in units of the range's width
    (0 inside; 10 for a factor that could not be computed)."""
    if not np.isfinite(value):
        return 10.0
    width = high - low
    return max(low - value, value - high, 0.0) / width


def distance(spec: CalibrationSpec, factors: dict[str, float]) -> float:
    """Sum over criteria of :func:`criterion_miss`."""
    return float(sum(criterion_miss(factors[c.name], c.low, c.high) for c in spec.criteria))


def levels(spec: CalibrationSpec, counts: np.ndarray) -> dict[str, float]:
    """Each criterion's simulated count in its last year (national scale)."""
    return {
        f"level_{c.pattern}_{c.to_year}": float(
            counts[0 if c.at == "end" else 1][c.to_year - spec.start_year, c.kind]
        )
        for c in spec.criteria
    }


def observed_level(pattern: str, year: int) -> float:
    """The observed target figure of ``pattern`` in ``year``."""
    from gemsim.study.observed import observed_points

    for point in observed_points():
        if point.is_target and point.pattern == pattern and point.year == year:
            return float(point.value)
    raise UserError(f"{pattern}: no observed target figure in {year}")


def observed_levels(spec: CalibrationSpec) -> dict[str, float]:
    """The observed counts of :func:`levels` (targets of the observed table)."""
    return {
        f"level_{c.pattern}_{c.to_year}": observed_level(c.pattern, c.to_year)
        for c in spec.criteria
    }


class Simulator:
    """The ABC model: parameter values -> simulated factors (picklable); with
    ``with_levels`` also the counts of :func:`levels`."""

    def __init__(self, spec: CalibrationSpec, *, with_levels: bool = False) -> None:
        self.spec = spec
        self.with_levels = with_levels

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        values = model_values(self.spec, dict(particle))
        counts = yearly_counts(self.spec, values, particle_seed(self.spec, values))
        found = growth_factors(self.spec, counts)
        if self.with_levels:
            found.update(levels(self.spec, counts))
        return found


class Distance:
    """The ABC distance: the criteria misses (the observed data are the criteria)."""

    def __init__(self, spec: CalibrationSpec) -> None:
        self.spec = spec

    def __call__(self, simulated: dict[str, float], observed: dict[str, float]) -> float:
        return distance(self.spec, simulated)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical distribution)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    ordered = values[order]
    return np.array(
        [ordered[min(int(np.searchsorted(cumulative, q)), values.size - 1)] for q in qs]
    )


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised importance weights."""
    w = weights / weights.sum()
    return float(1.0 / np.sum(w**2))


def choose_particle(spec: CalibrationSpec, posterior: pd.DataFrame) -> pd.Series:
    """Among the particles with the smallest distance (0 where any pass every criterion),
    the one closest to the posterior median (distance in prior-range units)."""
    best = posterior[posterior["distance"] == posterior["distance"].min()]
    return best.iloc[int(np.argmin(from_median(spec, posterior, best)))]


def from_median(spec: CalibrationSpec, posterior: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Squared distance of each of ``rows`` from the posterior median, in prior-range units."""
    scaled = np.zeros(len(rows))
    for name in spec.parameters:
        low, high = spec.priors[name]
        median = float(posterior[name].median())
        scaled += ((rows[name].to_numpy() - median) / (high - low)) ** 2
    return scaled


def verify_particles(spec: CalibrationSpec, posterior: pd.DataFrame) -> pd.DataFrame:
    """Rerun every particle with the smallest distance (at most ``verify_max``, those
    nearest the posterior median; with ``keep_defaults`` also the current defaults, row
    ``incumbent``) with ``verify_replications`` new replications (seed ``seed + 1``) and
    score them again: with few replications per particle, passing can be luck. Returns
    those rows with ``verified_distance``, the verified growth factors and counts, and
    ``level_miss``: the sum over the criteria's last years of |log(simulated / observed
    count)| (the tie-breaker among particles that pass)."""
    from concurrent.futures import ProcessPoolExecutor

    candidates = posterior[posterior["distance"] == posterior["distance"].min()].copy()
    if 0 < spec.verify_max < len(candidates):  # those nearest the posterior median
        nearest = np.argsort(from_median(spec, posterior, candidates), kind="stable")
        candidates = candidates.iloc[np.sort(nearest[: spec.verify_max])].copy()
    candidates["incumbent"] = False
    if spec.keep_defaults:  # the current defaults are verified with the same runs
        defaults = {name: Parameters.model_fields[name].default for name in spec.parameters}
        incumbent = pd.DataFrame([{**defaults, "weight": 0.0, "incumbent": True}])
        candidates = pd.concat([candidates, incumbent], ignore_index=True)
    again = replace(spec, seed=spec.seed + 1, replications=spec.verify_replications)
    particles = [dict(row) for _, row in candidates[list(spec.parameters)].iterrows()]
    with ProcessPoolExecutor(max_workers=max(spec.processes, 1)) as pool:
        factors = list(pool.map(Simulator(again, with_levels=True), particles))
    for name in factors[0]:
        candidates[f"verified_{name}"] = [f[name] for f in factors]
    candidates["verified_distance"] = [distance(spec, f) for f in factors]
    observed = observed_levels(spec)
    candidates["level_miss"] = [
        sum(abs(np.log(max(f[name], 1e-9) / value)) for name, value in observed.items())
        for f in factors
    ]
    return candidates


def choose_verified(verified: pd.DataFrame) -> pd.Series:
    """The current defaults if they were verified and pass every criterion again; else,
    among the particles with the smallest verified distance, the one whose counts come
    closest to the observed levels."""
    incumbent = verified[verified["incumbent"].astype(bool)]
    if len(incumbent) and float(incumbent["verified_distance"].iloc[0]) == 0.0:
        return incumbent.iloc[0]
    particles = verified[~verified["incumbent"].astype(bool)]
    best = particles[particles["verified_distance"] == particles["verified_distance"].min()]
    return best.loc[best["level_miss"].idxmin()]


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_calibration(spec: CalibrationSpec, *, log: Any = print) -> pd.DataFrame:
    """Run ABC-SMC and write the outputs; returns the summary table."""
    import pyabc

    spec.output.mkdir(parents=True, exist_ok=True)
    prior = pyabc.Distribution(
        **{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in spec.priors.items()}
    )
    sampler = (
        pyabc.sampler.MulticoreEvalParallelSampler(n_procs=spec.processes)
        if spec.processes > 1
        else pyabc.sampler.SingleCoreSampler()
    )
    np.random.seed(spec.seed % 2**32)  # noqa: NPY002 (pyabc draws from numpy's global state)
    abc = pyabc.ABCSMC(
        Simulator(spec),
        prior,
        Distance(spec),
        population_size=spec.population_size,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
    )
    database = spec.output / "abc.db"
    database.unlink(missing_ok=True)
    abc.new(f"sqlite:///{database.resolve()}", {})
    started = time.time()
    history = abc.run(
        minimum_epsilon=0.0,
        max_nr_populations=spec.max_populations,
        max_walltime=timedelta(minutes=spec.max_walltime_minutes),
    )
    return write_outputs(spec, history, time.time() - started, log=log)


def summarise(spec: CalibrationSpec, *, log: Any = print) -> pd.DataFrame:
    """Write the outputs from the database of a run that was stopped (its last complete
    generation is the posterior); the wall time runs from its start to the end of that
    generation."""
    import pyabc

    history = pyabc.History(f"sqlite:///{(spec.output / 'abc.db').resolve()}")
    ends = pd.to_datetime(history.get_all_populations()["population_end_time"])
    wall = (ends.max() - pd.Timestamp(history.get_abc().start_time)).total_seconds()
    return write_outputs(spec, history, wall, log=log, stopped=True)


def write_outputs(
    spec: CalibrationSpec, history: Any, wall: float, *, log: Any = print, stopped: bool = False
) -> pd.DataFrame:
    """posterior.csv, populations.csv, summary.csv and manifest.json from a pyabc history."""
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0].copy()
    ess = []
    for t in populations["t"]:
        _, w = history.get_distribution(m=0, t=int(t))
        ess.append(effective_sample_size(np.asarray(w)))
    populations["ess"] = ess
    populations = populations.rename(columns={"samples": "evaluations"})
    columns = [c for c in ("t", "epsilon", "evaluations", "particles", "ess") if c in populations]
    populations[columns].to_csv(spec.output / "populations.csv", index=False)

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = frame.reset_index(drop=True)[list(spec.parameters)].copy()
    posterior["weight"] = np.asarray(weights)
    distances = history.get_weighted_distances(t=history.max_t)
    posterior["distance"] = distances["distance"].to_numpy()
    posterior.to_csv(spec.output / "posterior.csv", index=False)

    final_ess = effective_sample_size(posterior["weight"].to_numpy())
    if spec.verify_replications > 0:
        verified = verify_particles(spec, posterior)
        verified.to_csv(spec.output / "verification.csv", index=False)
        chosen = choose_verified(verified)
    else:
        chosen = choose_particle(spec, posterior)
    rows = []
    for name in spec.parameters:
        low, high = spec.priors[name]
        values = posterior[name].to_numpy()
        wq = weighted_quantiles(values, posterior["weight"].to_numpy(), [0.05, 0.5, 0.95])
        uq = np.quantile(values, [0.05, 0.5, 0.95])
        rows.append(
            {
                "parameter": name,
                "prior_low": low,
                "prior_high": high,
                "weighted_q05": wq[0],
                "weighted_q50": wq[1],
                "weighted_q95": wq[2],
                "unweighted_q05": uq[0],
                "unweighted_q50": uq[1],
                "unweighted_q95": uq[2],
                "chosen": model_values(spec, dict(chosen))[name],
            }
        )
    summary = pd.DataFrame(rows)
    summary.to_csv(spec.output / "summary.csv", index=False)

    import pyabc as _pyabc

    import gemsim

    manifest = {
        "method": "ABC-SMC (pyabc), uniform priors over the plausible ranges, "
        "MedianEpsilon down to 0, distance: sum of criterion misses in range widths",
        "patterns_file": str(spec.patterns_file),
        "scenario": spec.scenario,
        "patterns_scored": list(spec.patterns),
        "criteria": [c.__dict__ for c in spec.criteria],
        "parameters": list(spec.parameters),
        "priors": {name: list(bounds) for name, bounds in spec.priors.items()},
        "model_overrides": {
            k: v
            for k, v in spec.overrides.items()
            if k in ("inhabitants_per_agent", "n_municipalities", "neighbourhoods_per_municipality")
        },
        "seed": spec.seed,
        "run_seed": "sha256 of [seed, particle values]; replication r: SeedSequence([it, r])",
        "population_size": spec.population_size,
        "max_populations": spec.max_populations,
        "max_walltime_minutes": spec.max_walltime_minutes,
        "replications_per_particle": spec.replications,
        "verify_replications": spec.verify_replications,
        "verify_max": spec.verify_max,
        "keep_defaults": spec.keep_defaults,
        "processes": spec.processes,
        "generations": int(history.max_t) + 1,
        "model_evaluations": int(history.total_nr_simulations),
        "model_runs": int(history.total_nr_simulations) * spec.replications,
        "wall_seconds": round(wall, 1),
        "stopped_by_hand": stopped,
        "final_epsilon": float(populations["epsilon"].iloc[-1]),
        "final_ess": round(final_ess, 2),
        "chosen_particle": {k: float(v) for k, v in chosen.items() if k in spec.parameters},
        "chosen_is_current_default": bool(chosen.get("incumbent", False)),
        "versions": {
            "python": sys.version.split()[0],
            "pyabc": _pyabc.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "gemsim": getattr(gemsim, "__version__", "unknown"),
        },
        "git_commit": git_commit(),
    }
    (spec.output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"{manifest['generations']} generations, {manifest['model_runs']} runs, {wall:.0f} s")
    log(summary.to_string(index=False))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="calibration file (experiments/calibration/movement.toml)")
    parser.add_argument(
        "--summarise",
        action="store_true",
        help="only write the outputs from the stored database of a stopped run",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the outputs of an earlier calibration"
    )
    args = parser.parse_args(argv)
    try:
        spec = load_spec(args.file)
        if args.summarise:
            summarise(spec)
            return 0
        earlier = sorted(p.name for p in spec.output.glob("*") if p.name in OUTPUT_FILES)
        if earlier and not args.force:
            raise UserError(
                f"{spec.output}: holds an earlier calibration's outputs ({', '.join(earlier)}); "
                "allowed: another output folder, or --force to replace them"
            )
        run_calibration(spec)
    except UserError as error:
        for line in str(error).splitlines():
            print(f"calibration: error: {line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
