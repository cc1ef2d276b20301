"""The Groeiplan's claims, checked: ``claims.csv`` and the claims table of the reports.

For every claim of :data:`gemsim.study.claims.CLAIMS` (and the goal seek), one row of
``claims.csv``:

=================  =====================================================================
claim_id, claim    the claim's name and the claim in one line
test               what the model checks, e.g. ``wellbeing: groeiplan - subsidy_channel > 0``
meaning            how the claim's words were turned into that test
estimate           the value under default assumptions (the experiment's scenarios and
                   region): the mean over replications, of a level or of the paired
                   differences (same seed in both scenarios)
ci_low, ci_high    its 95% confidence interval (Student t over replications)
replications       runs per scenario behind the estimate
verdict            ``holds`` / ``fails`` (the whole interval on one side of the threshold)
                   or ``undecided`` (the interval spans it), under default assumptions
share_holding      the share of the sensitivity analysis's sample points (the assumption
                   space: every sampled parameter over its range) where the claim holds,
                   each point the mean over its replications
sample_points      how many points that share is of
fails_when         where in the assumption space it fails: the PRIM boxes of scenario
                   discovery (:mod:`gemsim.sensitivity.discovery`), else the tree's dense
                   leaves, with coverage and density; where it fails at most points,
                   "everywhere but where" it holds (the region found for the points
                   where it holds); beside the sampled parameters, the derived axes of
                   the claim's outcome where they describe it better
                   (:mod:`gemsim.analysis.discovery_axes`)
fails_when_        the same discovery on a random half of the design's blocks, its region
held_out           scored on the other half, 20 times: on how many halves a region was
                   found and on how many it restricts one of the same parameters, and
                   the median coverage, density and lift (density over the held-out
                   half's rate) on the half it was not found on
                   (:mod:`gemsim.sensitivity.discovery_holdout`, which says why this is
                   a pessimistic bound); a region rarely found again, or with a lift
                   near 1, is a hint, not a finding
rests_on           the parameters with the largest total-order index (or Morris mu*) of
                   the claim's value over the sample: the assumptions the verdict rests on
noise_floor        the noise-floor dummy's index for the same value (the random path's
                   share), when the sensitivity analysis had the dummy
=================  =====================================================================

Columns that need the sensitivity results say ``not computed (...)`` when those results
are absent or do not hold the claim's scenarios and outcome; nothing is invented.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gemsim.analysis.discovery_axes import discover_with_axes, with_discovery_axes
from gemsim.analysis.files import write_csv
from gemsim.analysis.html import Html, escape, table
from gemsim.study.claims import CLAIMS, GOAL_RESULT_FILE, Claim

if TYPE_CHECKING:
    from gemsim.sensitivity.discovery import ScenarioDiscovery

__all__ = [
    "CLAIMS_FILE",
    "build_claims_outputs",
    "claims_section",
    "claims_table",
    "read_claims",
]

CLAIMS_FILE = "claims.csv"
NOT_COMPUTED = "not computed"
TOP_RESTS_ON = 3
COLUMNS = [
    "claim_id",
    "claim",
    "test",
    "meaning",
    "estimate",
    "ci_low",
    "ci_high",
    "replications",
    "verdict",
    "share_holding",
    "sample_points",
    "fails_when",
    "fails_when_held_out",
    "rests_on",
    "noise_floor",
]
#: Half-samples of the held-out check of ``fails_when``.
HELD_OUT_HALVES = 20


# ------------------------------------------------------------------- default assumptions
def _interval(values: np.ndarray, conf: float = 0.95) -> tuple[float, float, float]:
    from scipy.stats import t

    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = float(t.ppf(0.5 + conf / 2, len(values) - 1) * np.std(values, ddof=1))
    half /= math.sqrt(len(values))
    return mean, mean - half, mean + half


def _margin(claim: Claim, value: float, reference_level: float) -> float:
    """How far ``value`` is on the holding side (positive: holds; 0 where it differs from
    the bound by rounding only: two means of equal runs summed in another order)."""
    from gemsim.sensitivity.discovery import within_rounding

    tolerance = claim.tolerance * abs(reference_level) if claim.tolerance else 0.0
    margin = claim.direction * (value - claim.threshold) + tolerance
    scale = max(abs(value), abs(claim.threshold), tolerance)
    return 0.0 if within_rounding(margin, scale) else margin


def _holds(claim: Claim, margin: float) -> bool:
    """Whether a margin is on the holding side: strictly for "beats" (a tie does not beat),
    at or above zero for a claim with a tolerance ("without loss": a tie is no loss)."""
    return margin >= 0 if claim.tolerance else margin > 0


def _verdict(claim: Claim, low: float, high: float, reference_level: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "undecided (too few replications)"
    margins = sorted(_margin(claim, v, reference_level) for v in (low, high))
    if _holds(claim, margins[0]):
        return "holds"
    if margins[1] < 0:
        return "fails"
    return "undecided (the interval spans the threshold)"


def _per_replication(runs: pd.DataFrame, scenario: str, outcome: str) -> pd.Series:
    rows = runs[runs["scenario"] == scenario]
    return rows.set_index("replication")[outcome].sort_index()


def _claim_values(frame: pd.DataFrame, claim: Claim, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Per ``key`` (replication or point): the claim's value and the reference's level."""
    level = frame[frame["scenario"] == claim.scenario].set_index(key)[claim.outcome].sort_index()
    if claim.reference is None:
        return level.to_numpy(float), np.zeros(len(level))
    ref = frame[frame["scenario"] == claim.reference].set_index(key)[claim.outcome]
    ref = ref.reindex(level.index)
    return (level - ref).to_numpy(float), ref.to_numpy(float)


def default_estimates(runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """One row per claim: estimate, interval, replications and verdict under the
    experiment's (default) assumptions, from ``runs`` (``scenario, replication`` + outcomes
    at the horizon)."""
    rows = []
    for claim in CLAIMS:
        missing = [s for s in claim.scenarios if s not in scenarios]
        row: dict[str, Any] = {"claim_id": claim.id}
        if missing or claim.outcome not in runs.columns:
            why = f"{NOT_COMPUTED} (the experiment does not run {', '.join(missing)})"
            row.update(estimate=why, ci_low=why, ci_high=why, replications=0, verdict=why)
        else:
            values, reference = _claim_values(runs, claim, "replication")
            estimate, low, high = _interval(values)
            ref_level = float(np.mean(reference)) if claim.reference else 0.0
            row.update(
                estimate=estimate,
                ci_low=low,
                ci_high=high,
                replications=len(values),
                verdict=_verdict(claim, low, high, ref_level),
            )
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the assumption space
def _sensitivity(folder: Path) -> tuple[Any, np.ndarray, pd.DataFrame, pd.DataFrame, int] | str:
    """(settings, X, sample, point x scenario means, horizon) of a sensitivity folder, or
    why they cannot be used."""
    from gemsim.study.plans import read_design
    from gemsim.study.sensitivity_spec import SensitivitySettings

    means = folder / "scenario_outputs.parquet"
    manifest = folder / "manifest.json"
    if not means.is_file() or not manifest.is_file():
        return f"{NOT_COMPUTED} (no sensitivity results in {folder})"
    record = json.loads(manifest.read_text(encoding="utf-8"))["experiment"]
    settings = SensitivitySettings.from_record(record["sensitivity"])
    X, sample = read_design(folder)
    return settings, X, sample, pd.read_parquet(means), int(record["months"])


def _finder(claim: Claim, seed: int) -> Callable[..., ScenarioDiscovery]:
    """``find(x, flags, blocks)``: the claim's scenario discovery of ``flags`` over ``x``
    (with the claim outcome's derived axes where they describe it better)."""
    from gemsim.sensitivity.discovery import discover

    def find(x: pd.DataFrame, flags: np.ndarray, blocks: np.ndarray | None) -> ScenarioDiscovery:
        def over(columns: pd.DataFrame) -> ScenarioDiscovery:
            found = discover(
                columns, flags, claim.text, blocks=blocks, max_boxes=2, max_restricted=3, seed=seed
            )
            found.boxes = [box for box in found.boxes if box.limits]  # must restrict something
            return found

        return discover_with_axes(x, claim.outcome, over)

    return find


def _fails_when(
    claim: Claim, sample: pd.DataFrame, holds: np.ndarray, seed: int, blocks: np.ndarray | None
) -> tuple[str, str]:
    """The ``fails_when`` text and its held-out check (see the module docstring)."""
    from gemsim.sensitivity.discovery_holdout import held_out_regions

    if holds.all():
        return f"never in the {len(holds)} points sampled", "no region to check"
    if not holds.any():
        return f"everywhere: at all {len(holds)} points sampled", "no region to check"
    fails = int((~holds).sum())
    # Where a claim fails at most points, the region where it holds is the finding (a box
    # around most of the sample says little): "everywhere but where <region>".
    minority = holds if fails > len(holds) / 2 else ~holds
    find = _finder(claim, seed)
    everywhere = find(sample, minority, blocks)
    region = everywhere.region()
    if region is None:
        if minority is holds:
            text = (
                f"at {fails} of {len(holds)} points; the {len(holds) - fails} where it holds "
                "form no region of the sampled ranges (noise or many small effects)"
            )
        else:
            text = (
                f"at {fails} of {len(holds)} points, with no region of the "
                "sampled ranges where failures concentrate (noise or many small effects)"
            )
        return text, "no region to check"
    held = held_out_regions(
        sample,
        minority,
        blocks,
        find,
        columns=lambda frame: with_discovery_axes(frame, claim.outcome),
        parameters=everywhere.region_parameters(),
        halves=HELD_OUT_HALVES,
        seed=seed,
    )
    if minority is holds:
        return f"at {fails} of {len(holds)} points: everywhere but where {region.text}", held.text
    return region.text, held.text


def _rests_on(settings: Any, X: np.ndarray, values: np.ndarray, seed: int) -> tuple[str, Any]:
    """The top parameters by ST (or mu*) of ``values`` over the design, and the noise
    dummy's index (NaN without one)."""
    from gemsim.sensitivity import Problem, SensitivityWarning, analyze_outputs

    problem = Problem(settings.factors, ("claim",))
    if settings.noise_dummy:
        problem = problem.with_noise_dummy(settings.noise_dummy_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        options = {**settings.analysis_options(), "num_resamples": 100}
        result = analyze_outputs(
            problem, settings.method, X, pd.DataFrame({"claim": values}), seed, **options
        )
    indices = result.indices
    column = "ST" if "ST" in indices.columns else "mu_star"
    noise = indices.loc[indices["parameter"] == settings.noise_dummy_name, column]
    floor: Any = float(noise.iloc[0]) if len(noise) else NOT_COMPUTED + " (no noise dummy)"
    rows = indices[indices["parameter"] != settings.noise_dummy_name]
    rows = rows.sort_values(column, ascending=False, na_position="last", kind="stable")
    rows = rows[np.isfinite(rows[column].to_numpy(float)) & (rows[column] > 0)]
    if rows.empty:
        return "no parameter has a positive index (the value moves with noise only)", floor
    largest = float(rows[column].iloc[0])
    rows = rows[rows[column] >= 0.05 * largest].head(TOP_RESTS_ON)
    text = "; ".join(
        f"{r.parameter} ({column} {getattr(r, column):.2g})" for r in rows.itertuples()
    )
    return text, floor


def _not_computed(claim: Claim, why: str) -> dict[str, Any]:
    """A claim's assumption-space row where the sensitivity results cannot say (``why``)."""
    return {
        "claim_id": claim.id,
        "share_holding": why,
        "sample_points": 0,
        "fails_when": why,
        "fails_when_held_out": why,
        "rests_on": why,
        "noise_floor": why,
    }


def assumption_space(folder: Path, horizon: int, seed: int) -> pd.DataFrame:
    """One row per claim: share_holding, sample_points, fails_when, rests_on, noise_floor
    from the sensitivity results in ``folder`` (``not computed`` where they cannot say)."""
    from gemsim.analysis.sensitivity_data import numeric_sample, sample_blocks

    loaded = _sensitivity(folder)
    if isinstance(loaded, str):
        return pd.DataFrame([_not_computed(claim, loaded) for claim in CLAIMS])
    settings, X, sample, means, months = loaded
    # The same for every claim: the sampled values as numbers and the design blocks.
    x = numeric_sample(settings, sample)[settings.parameter_names]
    blocks = sample_blocks(settings, len(x))
    present = set(means["scenario"])
    rows = []
    for claim in CLAIMS:
        missing = [s for s in claim.scenarios if s not in present]
        if months != horizon:
            why = f"{NOT_COMPUTED} (the sensitivity analysis ran {months} months, not {horizon})"
        elif missing:
            why = f"{NOT_COMPUTED} (the sensitivity analysis does not run {', '.join(missing)})"
        elif claim.outcome not in means.columns:
            why = f"{NOT_COMPUTED} (the sensitivity analysis does not record {claim.outcome})"
        else:
            why = None
        if why is not None:
            rows.append(_not_computed(claim, why))
            continue
        values, reference = _claim_values(means, claim, "point")
        holds = np.array(
            [_holds(claim, _margin(claim, v, r)) for v, r in zip(values, reference, strict=True)]
        )
        rests_on, floor = _rests_on(settings, X, values, seed)
        fails_when, held_out = _fails_when(claim, x, holds, seed, blocks)
        rows.append(
            {
                "claim_id": claim.id,
                "share_holding": float(holds.mean()),
                "sample_points": len(holds),
                "fails_when": fails_when,
                "fails_when_held_out": held_out,
                "rests_on": rests_on,
                "noise_floor": floor,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------- goal seek
def _goal_row(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / GOAL_RESULT_FILE
    if not path.is_file():
        return None
    goal = json.loads(path.read_text(encoding="utf-8"))
    target, parameter = goal["target"], goal["parameter"]
    estimate, low, high = (float(goal[k]) for k in ("estimate", "ci_low", "ci_high"))

    def _money(value: float) -> str:
        return _money_text(value) if parameter.endswith("_eur") else f"{value:.4g}"

    if goal["status"] == "not_reached":
        verdict = f"not reached within the range searched (up to {_money(goal['high'])})"
    elif goal["status"] == "at_or_below_low":
        verdict = f"reached already at the lowest value searched ({_money(goal['low'])})"
    else:
        verdict = f"reached at {_money(estimate)}"
    space = f"{NOT_COMPUTED} (a search under default assumptions)"
    return {
        "claim_id": "goal_seek",
        "claim": f"What {parameter} would bring {goal['outcome']} to {target:g} in "
        f"{goal['scenario']} (goal seek)",
        "test": f"smallest {parameter} at which the mean {goal['outcome']} >= {target:g}",
        "meaning": f"{goal['replications']} replications per value, {goal['points']} values per "
        f"round, {goal['rounds']} round(s); isotonic fit, bootstrap interval",
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "replications": goal["replications"],
        "verdict": verdict,
        "share_holding": space,
        "sample_points": 0,
        "fails_when": space,
        "fails_when_held_out": space,
        "rests_on": space,
        "noise_floor": space,
    }


# --------------------------------------------------------------------------- together
def claims_table(
    runs: pd.DataFrame,
    scenarios: list[str],
    sensitivity: Path | None,
    horizon: int,
    seed: int,
    out_dir: Path | None = None,
) -> pd.DataFrame:
    """Every column of the module docstring, one row per claim (and the goal seek)."""
    base = pd.DataFrame(
        [
            {"claim_id": c.id, "claim": c.text, "test": c.holds_if(), "meaning": c.meaning}
            for c in CLAIMS
        ]
    )
    table_ = base.merge(default_estimates(runs, scenarios), on="claim_id", how="left")
    if sensitivity is not None:
        space = assumption_space(sensitivity, horizon, seed)
    else:
        why = f"{NOT_COMPUTED} (no sensitivity folder named)"
        space = pd.DataFrame([_not_computed(c, why) for c in CLAIMS])
    table_ = table_.merge(space, on="claim_id", how="left")
    goal = _goal_row(out_dir) if out_dir is not None else None
    if goal is not None:
        table_ = pd.concat([table_.iloc[:1], pd.DataFrame([goal]), table_.iloc[1:]])
    return table_[COLUMNS].reset_index(drop=True)


def build_claims_outputs(out_dir: Path | str, experiment: Any) -> dict[str, Path]:
    """Write ``claims.csv`` into ``out_dir``, and a copy into the sensitivity folder when it
    holds a report (``claims_in_sensitivity``; the caller rebuilds that report)."""
    from gemsim.experiments import ResultStore

    folder = Path(out_dir)
    outcomes = sorted({c.outcome for c in CLAIMS})
    horizon = experiment.horizon
    runs = ResultStore(folder).read_timeseries(
        columns=["scenario", "replication", *outcomes], filters=[("month", "==", horizon)]
    )
    named = experiment.claims.sensitivity
    sensitivity = Path(named) if named else None
    frame = claims_table(
        runs, experiment.scenario_names, sensitivity, horizon, experiment.seed, folder
    )
    paths = {"claims": write_csv(frame, folder / CLAIMS_FILE)}
    if sensitivity is not None and (sensitivity / "sensitivity.html").is_file():
        paths["claims_in_sensitivity"] = write_csv(frame, sensitivity / CLAIMS_FILE)
    return paths


# ------------------------------------------------------------------------------ HTML
def read_claims(folder: Path | str) -> pd.DataFrame | None:
    """``claims.csv`` of a results folder, or None."""
    path = Path(folder) / CLAIMS_FILE
    return pd.read_csv(path, keep_default_na=False) if path.is_file() else None


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "beyond the range" if number > 0 else "-"
    if abs(number) >= 1e5:
        return f"{number:,.4g}"
    return f"{number:.3g}"


def _is_infinite(value: Any) -> bool:
    try:
        return math.isinf(float(value))
    except (TypeError, ValueError):
        return False


def _money_text(value: Any) -> str:
    """EUR in millions (``EUR 1,250M``); infinite: beyond the range searched."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "beyond the range searched"
    return f"EUR {number / 1e6:,.0f}M"


def _share(value: Any) -> str:
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return str(value)


def _explained(rests_on: str) -> Html:
    """``rests_on`` with each parameter's description from ``gemsim params``."""
    from gemsim.model.parameters import Parameters

    parts = []
    for item in rests_on.split("; "):
        name = item.split(" (")[0]
        field = Parameters.model_fields.get(name)
        text = str(escape(item))
        if field is not None:
            text = f"<b>{text}</b>: {escape(field.description or '')}"
        parts.append(text)
    return Html("<br>".join(parts))


def claims_section(frame: pd.DataFrame | None) -> str:
    """The claims table in plain language (empty without a claims table)."""
    if frame is None or frame.empty:
        return ""
    rows: list[list[Any]] = []
    for row in frame.to_dict("records"):
        money = "_eur" in str(row["test"]) and row["claim_id"] == "goal_seek"
        show = _money_text if money else _number
        estimate = show(row["estimate"])
        low, high = show(row["ci_low"]), show(row["ci_high"])
        if _is_infinite(row["estimate"]):
            estimate = "not reached"
        elif not str(row["estimate"]).startswith(NOT_COMPUTED):
            estimate = f"{estimate} (95% CI {low} to {high})"
        rows.append(
            [
                Html(
                    f"<b>{escape(row['claim'])}</b><br><small><code>{escape(row['test'])}"
                    f"</code><br>{escape(row['meaning'])}</small>"
                ),
                estimate,
                row["verdict"],
                _share(row["share_holding"]),
                _with_check(str(row["fails_when"]), str(row.get("fails_when_held_out", ""))),
                _explained(str(row["rests_on"])),
            ]
        )
    header = [
        "Claim (and the model's test)",
        "Under default assumptions",
        "Verdict",
        "Holds in (share of the assumption space)",
        "Fails when",
        "Rests on (assumptions that decide it)",
    ]
    return (
        "<h2>The Groeiplan's claims, checked</h2>"
        "<p class='box'>Each row is one claim of the proposal as the model tests it. "
        "<b>Under default assumptions</b>: the mean over replications at the region and "
        "parameters of the claims experiment, with a 95% interval; the verdict is "
        "<i>holds</i> or <i>fails</i> only when the whole interval is on one side. "
        "<b>Holds in</b>: the share of the sensitivity analysis's sample (every uncertain "
        "assumption drawn over its range) where the claim holds. <b>Fails when</b>: the "
        "region of those assumptions where it fails (scenario discovery, PRIM), and how it "
        "held when found on half the sample and checked on the other half. <b>Rests "
        "on</b>: the assumptions with the largest total-order index for the claim's value. "
        "'not computed' means the results needed for that column were not there.</p>"
        + table(header, rows)
    )


def _with_check(fails_when: str, held_out: str) -> Html | str:
    """The region and, below it, its held-out check (when there is one to show)."""
    if not held_out or held_out.startswith(("no region", NOT_COMPUTED)):
        return fails_when
    return Html(f"{escape(fails_when)}<br><small>held out: {escape(held_out)}</small>")


def section_for(folder: Path | str) -> str:
    """The claims section of a results folder's ``claims.csv`` (empty without one)."""
    return claims_section(read_claims(folder))
