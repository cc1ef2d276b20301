"""Run specifications: the complete, picklable description of one simulation run.

A :class:`RunSpec` is everything a run function needs to reproduce a run: the scenario,
the replication number, the seed, the horizon and the flat parameter overrides. Two runs
with equal specs must give bit-identical results, whatever process or machine runs them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KEY_COLUMNS", "RunSpec", "build_specs", "make_run_id"]

#: Columns that identify a run in the stored long-form time series, in order.
KEY_COLUMNS: tuple[str, ...] = ("run_id", "scenario", "replication", "seed", "point")

_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]{0,199}$")
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._=+-]+")


@dataclass(frozen=True)
class RunSpec:
    """One simulation run.

    Attributes:
        run_id: unique, file-name-safe identifier (letters, digits, ``._=+-``; at most
            200 characters). It names result files and orders stored rows, so zero-padded
            numbers (see :func:`make_run_id`) keep the natural order.
        scenario: scenario name.
        replication: replication number (0-based).
        seed: 63-bit seed of the run's random number generator.
        months: simulated horizon in months.
        params: flat parameter overrides (``{"dotted.name": value}``); stored as columns of
            the run table. Not part of the hash (dicts are unhashable).
        point: index of a parameter point (sweep grid point or sensitivity sample), 0 for
            plain scenario runs.
    """

    run_id: str
    scenario: str
    replication: int
    seed: int
    months: int
    params: dict[str, Any] = field(hash=False)
    point: int = 0

    def __post_init__(self) -> None:
        if not _RUN_ID_RE.match(self.run_id):
            raise ValueError(
                f"invalid run_id {self.run_id!r}: use letters, digits and '._=+-' only, "
                "start with a letter or digit, at most 200 characters"
            )
        if self.replication < 0 or self.point < 0 or self.months < 0:
            raise ValueError(f"{self.run_id}: replication, point and months must be >= 0")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"{self.run_id}: seed must be in [0, 2**63)")


def make_run_id(scenario: str, replication: int, point: int = 0) -> str:
    """Build a sortable, file-name-safe run id such as ``baseline-p0000-r0007``.

    Characters outside ``[A-Za-z0-9._=+-]`` in the scenario name become ``_``.
    """
    name = _UNSAFE_RE.sub("_", scenario).strip("_") or "scenario"
    return f"{name}-p{point:04d}-r{replication:04d}"


def build_specs(
    scenarios: Mapping[str, Mapping[str, Any]],
    *,
    seeds: Sequence[int],
    months: int,
    points: Sequence[Mapping[str, Any]] | None = None,
    point_seeds: Sequence[Sequence[int]] | None = None,
) -> list[RunSpec]:
    """Cross scenarios x parameter points x replications into run specs.

    Args:
        scenarios: scenario name -> that scenario's flat parameter overrides.
        seeds: one seed per replication (see :func:`gemsim.experiments.replication_seeds`);
            the same seeds are used for every scenario and point (common random numbers).
        months: horizon of every run.
        points: optional parameter points; each point's overrides are applied on top of
            the scenario's. ``None`` means a single point with no extra overrides.
        point_seeds: optional seeds per point (one list per point, one seed per
            replication) instead of ``seeds``, still shared by every scenario.
    """
    point_list: Sequence[Mapping[str, Any]] = points if points is not None else [{}]
    specs: list[RunSpec] = []
    for scenario, overrides in scenarios.items():
        for p, point_params in enumerate(point_list):
            params = {**overrides, **point_params}
            for r, seed in enumerate(seeds if point_seeds is None else point_seeds[p]):
                specs.append(
                    RunSpec(
                        run_id=make_run_id(scenario, r, p),
                        scenario=scenario,
                        replication=r,
                        seed=int(seed),
                        months=months,
                        params=dict(params),
                        point=p,
                    )
                )
    return specs
