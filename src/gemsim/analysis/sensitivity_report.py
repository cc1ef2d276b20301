"""``sensitivity.html``: one self-contained page on which assumptions drive the answer.

Written by :func:`gemsim.analysis.sensitivity_outputs.build_sensitivity_outputs` from the
tables it computed, with the HTML toolkit of every gemsim report
(:mod:`gemsim.analysis.html`); figures are embedded as base64 PNGs, so the file can be mailed
on its own. The page is for researchers (which parameters drive trust, participation and
wellbeing) and for policymakers and advocates (which assumptions decide whether one funding
route beats another, and where that conclusion flips). It says what the indices mean and
what their intervals do and do not show.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gemsim.analysis.html import Html, escape, figure, page, table
from gemsim.analysis.sensitivity_data import (
    CONTRASTS_FILE,
    CONVERGENCE_FILE,
    FLIPS_FILE,
    INDICES_FILE,
    OUTPUTS_FILE,
    SCENARIO_OUTPUTS_FILE,
    SECOND_ORDER_FILE,
    TOP_DECIDING,
    SensitivityData,
    SensitivityTables,
    deciding,
    rank_column,
    ranked,
)
from gemsim.analysis.sensitivity_discovery import (
    BOXES_FILE,
    DISCOVERY_FILE,
    MAX_BOXES,
    MAX_RESTRICTED,
    TREE_FILE,
)
from gemsim.analysis.sensitivity_noise import (
    METAMODEL_CONVERGENCE_FILE,
    METAMODEL_FILE,
    METAMODEL_INDICES_FILE,
    NOISE_FILE,
)
from gemsim.atomic import write_text
from gemsim.model.parameters import Parameters, parameter_extra

__all__ = ["convergence_check", "index_summary", "write_sensitivity_report"]

_METHOD_NAMES = {
    "sobol": "Sobol' indices (Saltelli design, Jansen/Saltelli estimators)",
    "morris": "Morris elementary effects (screening)",
    "fast": "extended FAST (Fourier amplitude sensitivity test)",
}


def _e(value: Any) -> str:
    return escape(value)


def _table(header: list[str], rows: Any, name_columns: int = 1) -> str:
    """A table whose cells are HTML built here (escaped with ``_e``); the first
    ``name_columns`` columns are text, the others right-aligned."""
    return table(
        header,
        ([Html(str(cell)) for cell in row] for row in rows),
        numeric=range(name_columns, len(header)),
    )


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float | np.floating):
        return f"{value:.{digits}g}"
    return _e(value)


def _share(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.0%}"


def _figure(figures: Mapping[str, Path], key: str, caption: str) -> str:
    return figure(figures.get(key), caption)


#: Stated before the runs: an output's indices have converged when, over the last doubling
#: of the sample, none of its three leading indices moved by more than this (Sobol', FAST:
#: a share of variance) or by more than this share of its largest mu_star (Morris, whose
#: mu_star is in output units). :func:`gemsim.sensitivity.check_convergence` decides.
CONVERGENCE_TOLERANCE = 0.05
CONVERGENCE_LEADING = 3
#: The verdict per output (:func:`convergence_check`), beside the indices it judges.
CONVERGENCE_CHECK_FILE = "convergence_check.csv"


def convergence_check(tables: SensitivityTables) -> pd.DataFrame:
    """Per output: whether its leading indices converged to :data:`CONVERGENCE_TOLERANCE`
    over the last doubling of the sample, with the numbers the verdict rests on.

    Columns ``output, n_previous, n, leading, largest_change, worst_parameter,
    top_previous, top, top_stable, tolerance, converged, max_conf, interval_within,
    n_for_tolerance``: ``leading`` names the :data:`CONVERGENCE_LEADING` parameters with
    the largest index at ``n``, ``largest_change`` is the largest move of their index from
    ``n_previous`` (the largest size of at most ``n / 2``) to ``n`` and
    ``worst_parameter`` the one that moved it, as
    :func:`gemsim.sensitivity.check_convergence` decides; ``top_stable`` says whether the
    top parameter stayed the same. ``max_conf`` is the widest bootstrap half-width of the
    leading indices at ``n``, ``interval_within`` whether it is within the tolerance (if
    not, a pass can be chance) and ``n_for_tolerance`` the sample size (design units) at
    which it would shrink to the tolerance, falling as 1/sqrt(n). Empty if there is no
    convergence table.
    """
    from gemsim.sensitivity import check_convergence

    columns = [
        "output",
        "n_previous",
        "n",
        "leading",
        "largest_change",
        "worst_parameter",
        "top_previous",
        "top",
        "top_stable",
        "tolerance",
        "converged",
        "max_conf",
        "interval_within",
        "n_for_tolerance",
    ]
    conv = tables.convergence
    if conv is None or conv.empty:
        return pd.DataFrame(columns=columns)
    index = rank_column(tables.indices)
    rows = []
    for output, part in conv.groupby("output", sort=False):
        part = part.dropna(subset=[index])
        sizes = sorted(part["n"].unique())
        if len(sizes) < 2:
            continue
        n_full = sizes[-1]
        last = part[part["n"] == n_full].set_index("parameter")[index]
        tolerance = CONVERGENCE_TOLERANCE * (1.0 if index == "ST" else float(last.abs().max()))
        if tolerance <= 0:  # mu_star is 0 everywhere: no scale to judge a change by
            rows.append(
                [
                    output,
                    sizes[-2],
                    n_full,
                    "",
                    np.nan,
                    "",
                    "–",
                    "–",
                    False,
                    0.0,
                    False,
                    np.nan,
                    False,
                    np.nan,
                ]
            )
            continue
        verdict = check_convergence(part, tolerance, index=index, leading=CONVERGENCE_LEADING).iloc[
            0
        ]
        previous = part[part["n"] == verdict["n_half"]].set_index("parameter")[index]
        top, top_previous = str(last.idxmax()), str(previous.idxmax())
        rows.append(
            [
                output,
                int(verdict["n_half"]),
                int(n_full),
                verdict["leading"],
                float(verdict["max_change"]),
                verdict["worst_parameter"],
                top_previous,
                top,
                top == top_previous,
                tolerance,
                bool(verdict["converged"]),
                float(verdict["max_conf"]),
                bool(verdict["interval_within"]),
                float(verdict["n_for_tolerance"]),
            ]
        )
    return pd.DataFrame(rows, columns=columns)


# ----------------------------------------------------------------------------- sections
def _setup(data: SensitivityData) -> str:
    settings = data.settings
    experiment = data.experiment
    manifest = data.manifest
    runs = len(settings.scenarios) * len(data.sample) * settings.replications
    region = experiment.get("parameters") or {}
    items = [
        f"<b>Method</b>: {_e(_METHOD_NAMES.get(settings.method, settings.method))}, "
        f"n = {settings.n}"
        + (", with second-order indices" if settings.calc_second_order else "")
        + "".join(f", {_e(k)} = {_e(v)}" for k, v in settings.options.items()),
        f"<b>Parameters sampled</b>: {len(settings.factors)} (table at the end)",
        f"<b>Sample points</b>: {len(data.sample):,}; at each point every scenario "
        f"({_e(', '.join(settings.scenarios))}) ran {settings.replications} replication(s) "
        "with the same seeds at every point and in every scenario (common random numbers); "
        "an output at a point is the mean over its replications",
        f"<b>Runs</b>: {runs:,} of {data.horizon} months; outputs are read at month {data.horizon}",
        f"<b>Base scenario</b>: {_e(settings.base_scenario)}; <b>root seed</b>: {data.seed}",
    ]
    if region:
        shown = ", ".join(f"{_e(k)} = {_e(v)}" for k, v in region.items())
        items.append(f"<b>Set for every scenario</b> ([parameters]): {shown}")
    if manifest.get("command"):
        items.append(f"<b>Reproduce</b>: <code>{_e(manifest['command'])}</code>")
    if manifest.get("wall_time_s") is not None:
        items.append(
            f"<b>Status</b>: {_e(manifest.get('status'))}, wall time "
            f"{manifest['wall_time_s'] / 60:.1f} min on {_e(manifest.get('executor', ''))}"
        )
    return "<h2>What was run</h2><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _reading_guide(method: str) -> str:
    if method == "morris":
        indices = """
<p><b>μ*</b> (mu_star) is the mean absolute <i>elementary effect</i>: how much the output changes
when one parameter moves by a step of its range while the others stay put, averaged over many
starting points. It is given in output units per whole range of the parameter (a parameter
swept from its low to its high end), so μ* values of different outputs cannot be compared, but
the ranking within an output can. <b>σ</b> is the spread of those effects: a σ comparable to or
above μ* (above the dashed line in the μ*–σ plane) means the effect depends on where the
other parameters are (interactions) or is non-linear. <b>μ</b> (signed mean) near zero while μ*
is large means the effect changes direction across the sample. Morris is a <i>screening</i>:
it ranks parameters cheaply so that the important ones can be studied with Sobol' indices;
it does not split the output variance.</p>"""
    else:
        indices = """
<p><b>S1</b> (first-order index) is the share of the output's variance across the sample that
one parameter explains on its own, averaging over all the others. <b>ST</b> (total index) is
the share in which the parameter plays any part, alone or in interaction with others.
ST − S1 is the part that comes from interactions. A parameter with ST near zero can be fixed
anywhere in its range without changing the answer; a parameter with a large ST is one whose
value must be known to know the answer. The S1 add up to at most 1 (the rest is
interaction); the ST add up to at least 1.</p>"""
    return f"""
<h2>How to read the indices</h2>
{indices}
<p>All indices are relative to the <b>ranges</b> chosen for the parameters (table at the end):
widen a parameter's range and its index grows. They rank assumptions <i>given these
ranges</i>; they are not a verdict on the parameters themselves.</p>
<p><b>Noise floor.</b> The model is stochastic. The same seeds are used at every point, but
changing any parameter sends a run down another random path, so the randomness left after
averaging over the replications looks like an effect of every parameter: it adds about the
same amount to every ST (and to every μ* and σ), while S1 is not biased by it (only made
noisier). A parameter that the scenarios do not use leaves every run unchanged and gets
exactly zero; the smallest <i>positive</i> index of an outcome is therefore an upper bound
for this floor. Read the other indices against it (table below). A sum of ST far above 1
means strong interactions, noise, or both. More replications per point and a larger region lower the
floor; the ranking of the parameters is less affected than the values.</p>
<div class="caveat"><p><b>What the intervals mean.</b> The ± values and whiskers are bootstrap
confidence intervals: the spread of the estimator when the sample points already computed
are resampled with replacement. They are <b>not the estimation error</b> of the indices: they
do not cover the error of using a finite (quasi-random) sample, nor the model's replication
noise, nor the choice of ranges and distributions. Whether n was large enough is shown by the
<b>convergence</b> check: the same indices recomputed on growing parts of the sample. If the
values and the ranking still move at the full n, run again with a larger <code>--n</code>.</p>
</div>"""


def index_summary(tables: SensitivityTables) -> pd.DataFrame:
    """Per analysed output: the sums of S1 and ST (Sobol', FAST), the noise-floor bound (the
    smallest positive ranking index: ST or mu_star) and the largest index."""
    indices = tables.indices
    index = rank_column(indices)
    rows = []
    for output, part in indices.groupby("output", sort=False):
        row: dict[str, Any] = {"output": output}
        if index == "ST":
            row.update(sum_S1=part["S1"].sum(min_count=1), sum_ST=part["ST"].sum(min_count=1))
        positive = part.loc[part[index] > 0, index]
        row.update(floor=positive.min() if len(positive) else math.nan, top=part[index].max())
        rows.append(row)
    return pd.DataFrame(rows)


def _summary_table(tables: SensitivityTables) -> str:
    summary = index_summary(tables)
    index = rank_column(tables.indices)
    if summary.empty:
        return ""
    header = ["output"]
    header += ["sum of S1", "sum of ST"] if index == "ST" else []
    header += [f"smallest positive {index} (floor bound)", f"largest {index}"]
    rows = []
    for row in summary.to_dict("records"):
        cells = [_e(row["output"])]
        if index == "ST":
            cells += [_num(row["sum_S1"], 2), _num(row["sum_ST"], 2)]
        cells += [_num(row["floor"], 2), _num(row["top"], 2)]
        rows.append(cells)
    return _table(header, rows)


def _contrast_section(
    data: SensitivityData, tables: SensitivityTables, figures: Mapping[str, Path]
) -> str:
    settings = data.settings
    if not settings.contrasts:
        return ""
    index = rank_column(tables.indices)
    parts = [
        "<h2>Regime contrasts: which assumptions decide the comparison</h2>",
        "<p>A contrast is the difference in an outcome between two scenarios at the same "
        "parameter point, with the same seeds (a paired comparison). Positive values mean "
        f"the first scenario scores higher. The deciding parameters are ranked by {index} of "
        "the contrast itself (not of either scenario's outcome).</p>",
    ]
    for contrast in settings.contrasts:
        rows = tables.contrasts[tables.contrasts["contrast"] == contrast.name]
        parts.append(
            f"<h3>{_e(contrast.name)}: {_e(contrast.scenario)} − {_e(contrast.reference)}</h3>"
        )
        header = [
            "output",
            "mean over sample",
            "5%–95% of sample",
            "points < 0",
            "< 0 beyond noise",
            "points > 0",
            f"deciding parameters (by {index})",
        ]
        body = [
            [
                _e(r.output),
                _num(r.mean),
                f"{_num(r.q05)} to {_num(r.q95)}",
                _share(r.share_negative),
                _share(r.share_negative_beyond_noise),
                _share(r.share_positive),
                _e(r.deciding_parameters or "–"),
            ]
            for r in rows.itertuples()
        ]
        parts.append(_table(header, body))
        parts.append(
            "<p><i>Beyond noise</i>: the contrast is more than two standard errors (of its mean "
            "over the replications at that point) below zero; – with one replication.</p>"
        )
        for r in rows.itertuples():
            parts.append(_contrast_finding(contrast, r, tables, index))
            parts.append(
                _figure(
                    figures,
                    f"contrast:{r.column}",
                    f"{r.output}: {contrast.scenario} − {contrast.reference} over the sample "
                    "points (left) and against its top parameter (right).",
                )
            )
            parts.append(
                _figure(
                    figures,
                    f"indices:{r.column}",
                    f"Sensitivity indices of the contrast in {r.output} (whiskers: bootstrap "
                    "intervals).",
                )
            )
    return "".join(parts)


def _contrast_finding(contrast: Any, row: Any, tables: SensitivityTables, index: str) -> str:
    """Plain sentences: who decides the contrast in one output, and where it flips."""
    top = deciding(tables.indices, row.column)
    named = [
        f"<b>{_e(t.parameter)}</b> ({index} = {_num(getattr(t, index))}"
        + (f" ± {_num(getattr(t, index + '_conf'))}" if f"{index}_conf" in top.columns else "")
        + ")"
        for t in top.itertuples()
    ]
    sign = "higher" if row.mean >= 0 else "lower"
    text = (
        f"<p><b>{_e(row.output)}</b>: on average over the sample, {_e(contrast.scenario)} ends "
        f"{_num(abs(row.mean))} {sign} than {_e(contrast.reference)}. "
    )
    text += (
        "Deciding parameters: " + ", ".join(named) + ". "
        if named
        else "No parameter stands out (the contrast is constant, or no index is positive). "
    )
    if row.flipped_share == 0:
        text += (
            f"The sign does not change: {_e(contrast.scenario)} − {_e(contrast.reference)} is "
            f"{'≥' if row.mean >= 0 else '≤'} 0 at every sample point.</p>"
        )
        return f'<div class="box">{text}</div>'
    flips = tables.flips[tables.flips["column"] == row.column].head(TOP_DECIDING)
    minority = "below" if row.mean >= 0 else "above"
    beyond = row.share_negative_beyond_noise if row.mean >= 0 else row.share_positive_beyond_noise
    noise = (
        f", and more than two standard errors {minority} zero at {_share(beyond)}"
        if math.isfinite(beyond)
        else ""
    )
    if row.flipped_share > 0.25:
        text += (
            f"The sign is <b>not robust</b>: the contrast is {minority} zero at "
            f"{_share(row.flipped_share)} of the sample points{noise}. "
        )
    else:
        text += (
            f"The conclusion <b>flips</b> at {_share(row.flipped_share)} of the sample points "
            f"(the contrast is {minority} zero there{noise}). "
        )
    described = [
        f"{_e(f.parameter)} {'higher' if f.standardised_difference > 0 else 'lower'} "
        f"(mean {_num(f.mean_flipped)} vs {_num(f.mean_other)}, median "
        f"{_num(f.median_flipped)} vs {_num(f.median_other)})"
        for f in flips.itertuples()
        if abs(f.standardised_difference) > 0
    ]
    if described:
        text += "At those points: " + "; ".join(described) + "."
    text += "</p>"
    flip_table = _table(
        ["parameter", "mean where flipped", "mean elsewhere", "standardised difference"],
        [
            [
                _e(f.parameter),
                _num(f.mean_flipped),
                _num(f.mean_other),
                _num(f.standardised_difference, 2),
            ]
            for f in tables.flips[tables.flips["column"] == row.column].head(6).itertuples()
        ],
    )
    return f'<div class="box">{text}{flip_table}</div>'


def _overview(data: SensitivityData, tables: SensitivityTables) -> str:
    """Parameters x base outputs: ST (Sobol', FAST) or mu_star relative to the output's
    largest (Morris)."""
    settings = data.settings
    indices = tables.indices
    index = rank_column(indices)
    base = indices[indices["output"].isin(settings.outputs)]
    if base.empty:
        return ""
    matrix = base.pivot(index="parameter", columns="output", values=index)
    matrix = matrix.reindex(columns=list(settings.outputs))
    if index == "mu_star":
        matrix = matrix / matrix.max(axis=0).replace(0, np.nan)
        what = "μ* relative to the largest μ* of that outcome (1 = most influential)"
    else:
        what = "total index ST (share of variance the parameter takes part in)"
    order = matrix.max(axis=1).sort_values(ascending=False, na_position="last").index
    rows = []
    for parameter in order:
        cells = [_e(parameter)]
        for output in matrix.columns:
            value = matrix.loc[parameter, output]
            shade = 0.0 if not np.isfinite(value) else max(0.0, min(1.0, float(value)))
            colour = f"rgba(48,112,192,{0.6 * shade:.2f})"
            cells.append(
                f'<span style="background:{colour};padding:0 0.3em">{_num(value, 2)}</span>'
            )
        rows.append(cells)
    return (
        f"<h2>What drives the outcomes of {_e(settings.base_scenario)}</h2>"
        f"<p>Each cell: {what}, at month {data.horizon}. Rows are ordered by their largest "
        "value.</p>" + _table(["parameter", *matrix.columns], rows)
    )


def _output_details(
    data: SensitivityData, tables: SensitivityTables, figures: Mapping[str, Path]
) -> str:
    settings = data.settings
    indices = tables.indices
    index = rank_column(indices)
    columns = [c for c in indices.columns if c not in ("output", "parameter")]
    parts = ["<h2>Per outcome</h2>"]
    for output in settings.outputs:
        top = ranked(indices, output).head(5)
        parts.append(f"<h3>{_e(output)}</h3>")
        parts.append(
            _table(
                ["parameter", *columns],
                [[_e(r["parameter"]), *(_num(r[c]) for c in columns)] for _, r in top.iterrows()],
            )
        )
        parts.append(
            _figure(
                figures, f"indices:{output}", f"{output}: indices by {index} (bootstrap whiskers)."
            )
        )
        parts.append(_second_order(tables, output))
        parts.append(
            _figure(
                figures,
                f"morris:{output}",
                f"{output}: Morris μ*–σ plane (above the dashed line: interactions or "
                "non-linear effects).",
            )
        )
    return "".join(parts)


def _second_order(tables: SensitivityTables, output: str, top: int = 3) -> str:
    """The strongest pairwise interactions (Sobol' S2) of one output, if computed."""
    if tables.second_order is None:
        return ""
    pairs = tables.second_order[tables.second_order["output"] == output]
    pairs = pairs.sort_values("S2", ascending=False, na_position="last").head(top)
    if pairs.empty or not pairs["S2"].notna().any():
        return ""
    rows = [
        [_e(r.parameter_1), _e(r.parameter_2), _num(r.S2), _num(r.S2_conf)]
        for r in pairs.itertuples()
    ]
    return "<p>Strongest pairwise interactions (second-order S2):</p>" + _table(
        ["parameter", "with", "S2", "S2_conf"], rows, name_columns=2
    )


#: A design's A/B ratio outside this range is named in the report (read off by over 20%).
BALANCE_RANGE = (0.8, 1.25)


def _design_balance_part(balance: pd.DataFrame, sizes: list[int], dummy: str | None) -> str:
    """Which parameters' A and B columns are far from independent at the sizes compared
    (``balance``: :func:`gemsim.analysis.sensitivity_outputs.balance_table`)."""
    low, high = BALANCE_RANGE
    # The noise dummy acts through the random stream its value picks, not in proportion.
    table = balance[balance["n"].isin(sizes) & (balance["parameter"] != dummy)]
    off = table[(table["ratio"] < low) | (table["ratio"] > high)]
    text = (
        "<p>Design balance (<code>design_balance.csv</code>): a total index is read from the "
        "change between a parameter's A and B values; where the design's A and B columns "
        "are correlated, an effect linear in the parameter is read at "
        "<code>mean((a − b)²) / 2 var</code> times its size (1 when independent). "
    )
    if off.empty:
        return (
            text + f"At n = {', '.join(map(str, sizes))} every ratio lies within {low}–{high}.</p>"
        )
    named = [
        f"{_e(name)} (" + ", ".join(f"n = {r.n}: {r.ratio:.2f}" for r in rows.itertuples()) + ")"
        for name, rows in off.groupby("parameter", sort=False)
    ]
    return (
        text
        + f"Outside {low}–{high}: "
        + "; ".join(named)
        + ". Their total indices at those n can be off by that factor before any sampling "
        "error, and a convergence check across such sizes can pass or fail because of it.</p>"
    )


def _convergence_section(
    data: SensitivityData, tables: SensitivityTables, figures: Mapping[str, Path]
) -> str:
    if tables.convergence is None:
        return (
            "<h2>Convergence</h2><p>This method's design cannot be cut into smaller valid "
            "designs (FAST), so no convergence check was made: run again with a larger and a "
            "smaller <code>--n</code> and compare.</p>"
        )
    check = convergence_check(tables)
    index = rank_column(tables.indices)
    rows = [
        [
            _e(r.output),
            f"{r.n_previous} → {r.n}",
            _num(r.largest_change, 2),
            _e(r.worst_parameter),
            _e(r.top_previous),
            _e(r.top),
            "yes" if r.top_stable else "<b>no</b>",
            "yes" if r.converged else "<b>no</b>",
            "±" + _num(r.max_conf, 2) if math.isfinite(r.max_conf) else "–",
            _count(r.n_for_tolerance),
        ]
        for r in check.itertuples()
    ]
    converged = int(check["converged"].sum()) if len(check) else 0
    parts = [
        "<h2>Convergence: was n large enough?</h2>",
        f"<p>The indices recomputed on growing parts of the sample. The table gives the largest "
        f"change of {index} among the {CONVERGENCE_LEADING} leading parameters over the last "
        f"doubling of the sample, which of them moved it, and whether the top parameter "
        f"stayed the same. Tolerance, stated before the run: an output has converged when none of "
        f"its {CONVERGENCE_LEADING} leading indices moved by more than "
        + (
            f"{CONVERGENCE_TOLERANCE}"
            if index == "ST"
            else f"{CONVERGENCE_TOLERANCE:.0%} of its largest mu_star"
        )
        + f" over the last doubling of the sample; {converged} of {len(check)} outputs did. "
        "For the others n was too small to pin their indices down. Full numbers: "
        f"<code>{CONVERGENCE_FILE}</code>.</p>",
        _sample_size_part(data, check, index),
        _table(
            [
                "output",
                "n",
                f"largest change of a leading {index}",
                "moved most",
                "top before",
                "top at full n",
                "top stable",
                "converged",
                f"widest {data.settings.conf_level:.0%} interval of a leader",
                "n for the tolerance",
            ],
            rows,
        ),
    ]
    if tables.design_balance is not None:
        compared = sorted({int(n) for n in check["n_previous"]} | {int(n) for n in check["n"]})
        dummy = data.settings.noise_dummy_name
        parts.append(_design_balance_part(tables.design_balance, compared, dummy))
    for output in data.settings.analysed_outputs:
        parts.append(
            _figure(
                figures,
                f"convergence:{output}",
                f"{output}: indices of its top parameters against the sample size (bands: "
                "bootstrap intervals).",
            )
        )
    return "".join(parts)


def _count(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else "–"


def _sample_size_part(data: SensitivityData, check: pd.DataFrame, index: str) -> str:
    """What sample the tolerance would take, from the leaders' bootstrap intervals, for
    the base scenario's outputs and for the contrasts apart."""
    if check["n_for_tolerance"].isna().all():
        return ""
    settings = data.settings
    n = int(check["n"].max())
    runs_per_unit = len(settings.scenarios) * len(data.sample) * settings.replications / n
    sobol = index in ("S1", "ST")
    # an interval wider than a share's whole range says nothing about how it shrinks
    estimable = check["n_for_tolerance"].notna() & ~(sobol & (check["max_conf"] > 1))
    levels = check["output"].isin(settings.outputs)
    parts = []
    for name, rows in (("the base scenario's outputs", levels), ("the contrasts", ~levels)):
        needed = check.loc[rows & estimable, "n_for_tolerance"]
        if needed.empty:
            continue
        low, middle, high = (float(needed.quantile(q)) for q in (0.25, 0.5, 0.75))
        # a Sobol' design's n is a power of two
        size = 2 ** math.ceil(math.log2(middle)) if sobol and middle > 1 else math.ceil(middle)
        parts.append(
            f"for {name}, a median n ≈ {_count(middle)} (the middle half {_count(low)}–"
            f"{_count(high)}; a design of n = {size:,}, {_count(size * runs_per_unit)} runs)"
        )
    wide = int((check["converged"] & ~check["interval_within"]).sum())
    passed = int(check["converged"].sum())
    unknown = int((~estimable).sum())
    level = f"{settings.conf_level:.0%}"
    return (
        f"<p>How large a sample would do: the last columns give the widest bootstrap "
        f"interval ({level}) of an output's leading {index} at n = {n} and the n at which it "
        f"would shrink to the tolerance if it falls as 1/√n, as a sampling error does: "
        + "; ".join(parts)
        + f", at this design's {_count(runs_per_unit)} runs per unit of n. "
        + (
            f"{unknown} output(s) have no projection (no interval, or one wider than an "
            "index's whole range). "
            if unknown
            else ""
        )
        + (
            f"{wide} of the {passed} outputs that pass have a leader's interval wider than "
            "the tolerance, so their pass can be chance. "
            if wide
            else ""
        )
        + "A projection for one output can be off by a factor of two or more (the "
        "intervals are estimates themselves, and the step to it is long), and a design "
        "without noise converges faster than its intervals say.</p>"
    )


def _noise_section(data: SensitivityData, tables: SensitivityTables) -> str:
    noise = tables.noise
    if noise is None or noise.empty:
        return ""
    index = rank_column(tables.indices)
    dummy = data.settings.noise_dummy_name
    rows = [
        [
            _e(r["output"]),
            _share(float(r["within_share"])),
            _share(float(r["noise_share_of_means"])),
            _num(r[f"dummy_{index}"], 2),
            _e(r["leading_parameter"]),
            _num(r[f"leading_{index}"], 2),
            _num(r["leading_over_dummy"], 2),
        ]
        for r in noise.to_dict("records")
    ]
    replications = int(noise["replications"].iloc[0])
    return "".join(
        [
            "<h2>Parameters or random path?</h2>",
            f"<p>Each point ran {replications} replication(s). The first column is the share "
            "of a single run's variance that is the random path (the variance between a "
            "point's replications); the second the random path's share of the variance of "
            "the point means, which the indices split (within-point variance / replications "
            "/ variance of the means; – with one replication). "
            + (
                f"The noise dummy (<code>{_e(dummy)}</code>) estimates the same share as an "
                f"index; a parameter whose {index} is not clearly above the dummy's cannot be "
                "told from the random path. "
                if dummy
                else ""
            )
            + f"Full numbers: <code>{NOISE_FILE}</code>.</p>",
            _table(
                [
                    "output",
                    "random path, single run",
                    "random path, point means",
                    f"dummy {index}",
                    "leading parameter",
                    f"its {index}",
                    "leading / dummy",
                ],
                rows,
                name_columns=1,
            ),
            _metamodel_part(tables),
        ]
    )


#: A metamodel's indices are shown only when it predicts held-out points at least this well
#: (q2 + its noise share: the part of the variance it accounts for); below, its Sobol'
#: indices describe the Gaussian process's guesses, not the model.
METAMODEL_MIN_CAPTURED = 0.5


def _metamodel_part(tables: SensitivityTables) -> str:
    if tables.metamodel is None:
        return ""
    fits, meta = tables.metamodel
    header = ["output", "q2", "noise share", "q2 + noise", "largest ST on the metamodel"]
    if tables.metamodel_convergence is not None:
        header.append("settled: halves vs all the sample")
    rows = []
    for r in fits.to_dict("records"):
        captured = r["q2"] + r["noise_share"]
        if captured >= METAMODEL_MIN_CAPTURED:
            top = meta[meta["output"] == r["output"]].sort_values("ST", ascending=False).head(3)
            direct = tables.indices[tables.indices["output"] == r["output"]]
            direct = direct.set_index("parameter")
            named = "; ".join(
                f"{_e(t.parameter)} {t.ST:.2f} "
                f"(direct {direct['ST'].get(t.parameter, math.nan):.2f})"
                if "ST" in direct.columns
                else f"{_e(t.parameter)} {t.ST:.2f}"
                for t in top.itertuples()
            )
        else:
            named = (
                f"not shown: the metamodel accounts for less than "
                f"{METAMODEL_MIN_CAPTURED:.0%} of the variance"
            )
        row = [
            _e(r["output"]),
            _num(r["q2"], 2),
            _share(float(r["noise_share"])),
            _num(captured, 2),
            named,
        ]
        if tables.metamodel_convergence is not None:
            shown = captured >= METAMODEL_MIN_CAPTURED
            row.append(_settled(tables.metamodel_convergence, r["output"]) if shown else "–")
        rows.append(row)
    return "".join(
        [
            "<h3>Metamodel: the parameter effect without the random path</h3>",
            "<p>A Gaussian process with a noise term, fitted to the point means "
            "(<code>gemsim.sensitivity.metamodel</code>): q2 is its out-of-sample coefficient "
            "of determination by cross-validation whose folds hold out whole design blocks "
            "(a point's one-at-a-time neighbours share its random path, and would otherwise "
            "predict it), the noise share its fitted noise variance "
            "over the outputs' variance. q2 + noise share near 1 means the smooth part is "
            "captured; the metamodel's total indices are those of the parameter effect "
            f"alone, shown where q2 + noise share is at least {METAMODEL_MIN_CAPTURED}. "
            f"Full numbers: <code>{METAMODEL_FILE}</code>, "
            f"<code>{METAMODEL_INDICES_FILE}</code>.</p>",
            _settled_note(tables),
            _table(header, rows),
        ]
    )


def _settled(converging: pd.DataFrame, output: str) -> str:
    """Whether an output's leading metamodel indices settled: the largest change of the
    three between the fit on the first half of the sample and the fit on all of it, and
    (tables that have it) the largest gap between the fits on the two disjoint halves."""
    mine = converging[converging["output"] == output]
    if mine.empty:
        return ""
    worst = mine.loc[mine["change"].idxmax()]
    verdict = "yes" if bool(mine["converged"].all()) else "no"
    text = (
        f"{verdict}: largest change {worst['change']:.3f} "
        f"({_e(worst['parameter'])} {worst['ST_half']:.2f} → {worst['ST']:.2f})"
    )
    if "halves_gap" in mine.columns:
        apart = mine.loc[mine["halves_gap"].idxmax()]
        text += (
            f"; the halves differ by up to {apart['halves_gap']:.3f} "
            f"({_e(apart['parameter'])} {apart['ST_half']:.2f} and "
            f"{apart['ST_second_half']:.2f})"
        )
    return text


def _settled_note(tables: SensitivityTables) -> str:
    converging = tables.metamodel_convergence
    if converging is None or converging.empty:
        return ""
    first = converging.iloc[0]
    half, rows = int(first["rows_half"]), int(first["rows"])
    tolerance = f"{first['tolerance']:.2f}"
    trained = ""
    if "train" in converging.columns:
        train_half, train = int(first["train_half"]), int(first["train"])
        trained = f" The first half's fit took {train_half} points, the full fit {train}"
        if train == rows:
            trained += " (a doubling)."
        elif train > train_half:
            trained += (
                f": the sample has more points than metamodel_points, so the full fit "
                f"takes a random subset ({train / train_half:.2f} times the points)."
            )
        else:
            trained += (
                ": the sample has more than twice metamodel_points, so both fits take "
                "random subsets of the same size and the change is not a doubling."
            )
    if "halves_gap" in converging.columns:
        halves = (
            " It is also fitted on the second half alone: the two halves share no point, "
            "so how far apart their indices lie (about 1.4 times one half-sample fit's "
            "sampling error) is a replicate the change lacks, since the full fit shares "
            "the first half's points."
        )
        rule = (
            "neither the change from the first half's fit to the full one nor the gap "
            f"between the halves exceeds {tolerance}"
        )
    else:
        halves = ""
        rule = f"the change from the first half's fit to the full one is within {tolerance}"
    return (
        "<p>Settled: each metamodel fitted again on the first half of the sample "
        f"({half} of {rows} points).{halves}{trained} Its three leading total indices are "
        f"settled when {rule} (<code>{METAMODEL_CONVERGENCE_FILE}</code>). Where they have "
        "not, read only what the fits agree on (which parameters lead), not the sizes or "
        "a close order; where they have, the sizes are those of the parameter effect the "
        "Gaussian process captures (q2 + noise share), not of the model's.</p>"
    )


def _discovery_section(tables: SensitivityTables, figures: Mapping[str, Path]) -> str:
    found = tables.discoveries
    if found is None or found.summary.empty:
        return ""
    rows = [
        [
            _e(r["column"]),
            _share(float(r["holds_share"])),
            _e(r["finding"]),
        ]
        for r in found.summary.to_dict("records")
    ]
    shown = []
    for column in found.summary["column"]:
        if f"discovery_tree:{column}" not in figures:
            continue
        boxes = ""
        if f"discovery_boxes:{column}" in figures:
            boxes = _figure(figures, f"discovery_boxes:{column}", f"{column}: PRIM boxes.")
        shown.append(
            f"<details><summary>{_e(column)}</summary>"
            + boxes
            + _figure(figures, f"discovery_tree:{column}", f"{column}: classification tree.")
            + "</details>"
        )
    return "".join(
        [
            "<h2>Where each comparison flips (scenario discovery)</h2>",
            "<p>For every contrast, the points where it has the sign opposite to most points "
            "are the cases; PRIM (Friedman and Fisher 1999, as in EMA Workbench) looks for at "
            f"most {MAX_BOXES} boxes of at most {MAX_RESTRICTED} restricted assumptions where "
            "they concentrate "
            "(coverage: share of all cases inside; density: share of the points inside that "
            "are cases), and a CART tree of depth 3 gives a second view. A box must hold more "
            "cases than not, halve the share of points where the statement holds and hold a "
            "fifth of the cases; where PRIM finds none (its peeling cannot isolate cases at "
            "both ends of a range), the tree's leaves that meet the same rules are the "
            "finding. A point's contrast is a mean over its replications, so flips near zero "
            "can be the random path: scattered cases without a region are not a finding. "
            "Full numbers: "
            f"<code>{DISCOVERY_FILE}</code>, <code>{BOXES_FILE}</code>, "
            f"<code>{TREE_FILE}</code>.</p>",
            _table(["contrast", "holds at", "finding"], rows, name_columns=3),
            *shown,
        ]
    )


def _factor_table(data: SensitivityData) -> str:
    settings = data.settings
    scenario = data.experiment.get("scenarios", {}).get(settings.base_scenario, {})
    base_values = {
        **(scenario.get("parameters") or {}),
        **(data.experiment.get("parameters") or {}),
    }
    rows = []
    for factor in settings.factors:
        field = Parameters.model_fields[factor.name]
        extra = parameter_extra(factor.name)
        if factor.kind == "categorical":
            values = "levels: " + ", ".join(_e(v) for v in factor.levels)
        elif factor.dist == "norm":
            values = f"normal, mean {_num(factor.low)}, sd {_num(factor.high)}"
        elif factor.dist == "lognorm":
            values = f"log-normal, ln-mean {_num(factor.low)}, ln-sd {_num(factor.high)}"
        elif factor.dist == "triang":
            values = f"triangular {_num(factor.low)} to {_num(factor.high)}, peak {factor.peak}"
        else:
            values = f"{_num(factor.low)} to {_num(factor.high)}"
        if factor.kind == "int":
            values += " (integers)"
        base = base_values.get(factor.name, field.default)
        rows.append(
            [
                _e(factor.name),
                values,
                _num(base),
                _e(extra.get("unit", "")),
                _e(extra.get("source", "")),
            ]
        )
    return (
        "<h2>Parameters sampled</h2><p>Uniform unless stated. Integers are drawn on "
        "[low, high + 1) and rounded down, so each integer is equally likely; parameters with "
        "levels (true/false, one-of) draw each level with equal probability.</p>"
        + _table(
            ["parameter", "range", f"value in {settings.base_scenario}", "unit", "source"],
            rows,
            name_columns=5,
        )
    )


def _notes(data: SensitivityData, tables: SensitivityTables) -> str:
    notes = list(tables.warnings)
    clipped = (data.experiment.get("sensitivity") or {}).get("clipped") or {}
    notes += [
        f"{count} drawn values of {name} were outside its allowed range and clipped to it"
        for name, count in clipped.items()
        if count
    ]
    if not notes:
        return ""
    return "<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"


def _files(data: SensitivityData, tables: SensitivityTables) -> str:
    files = [
        ("sample.parquet", "parameter values of every sample point, as run"),
        ("design.parquet", "SALib's raw sample (to re-analyse)"),
        (SCENARIO_OUTPUTS_FILE, "every scenario's outputs per point (mean over replications)"),
        (OUTPUTS_FILE, "the analysed outputs per point, contrasts as <contrast>:<output>"),
        (INDICES_FILE, "indices with bootstrap intervals, SALib's column names"),
    ]
    if tables.second_order is not None:
        files.append((SECOND_ORDER_FILE, "second-order indices per pair of parameters"))
    if tables.convergence is not None:
        files.append((CONVERGENCE_FILE, "indices on growing parts of the sample"))
    files += [
        (CONTRASTS_FILE, "each contrast's distribution, sign shares, deciding parameters"),
        (FLIPS_FILE, "parameter values where each contrast flips vs elsewhere"),
        (NOISE_FILE, "random path vs parameters per output, beside the noise dummy"),
    ]
    if tables.metamodel is not None:
        files += [
            (METAMODEL_FILE, "Gaussian-process metamodels: out-of-sample error"),
            (METAMODEL_INDICES_FILE, "Sobol' indices of the metamodels"),
        ]
    if tables.metamodel_convergence is not None:
        files.append(
            (
                METAMODEL_CONVERGENCE_FILE,
                "leading metamodel indices: each half vs the other and vs all",
            )
        )
    if tables.discoveries is not None:
        files += [
            (DISCOVERY_FILE, "where each contrast flips, as a sentence"),
            (BOXES_FILE, "PRIM boxes: coverage, density, limits"),
            (TREE_FILE, "CART leaves: rule, mass, density"),
        ]
    files += [
        ("figures/*.png", "the figures of this page"),
    ]
    items = "".join(f"<li><code>{_e(name)}</code>: {_e(what)}</li>" for name, what in files)
    return (
        f"<h2>Files</h2><p>In {_e(data.folder.name)}/ next to this page; rebuild everything "
        f"without rerunning with <code>gemsim report {_e(data.folder.name)}</code>.</p>"
        f"<ul>{items}</ul>"
    )


def section_for(folder: Path) -> str:
    from gemsim.analysis.claims import section_for as claims_section

    return claims_section(folder)


def render(data: SensitivityData, tables: SensitivityTables, figures: Mapping[str, Path]) -> str:
    """The whole page as a string."""
    name = data.experiment.get("name", data.folder.name)
    description = data.experiment.get("description", "")
    body = [
        f"<h1>Sensitivity analysis: {_e(name)}</h1>",
        f"<p>{_e(description)}</p>" if description else "",
        "<p>Which assumptions drive trust, participation and wellbeing, which ones decide the "
        "comparison of funding routes, and where that conclusion flips. Every number comes "
        "from the runs stored in this folder.</p>",
        section_for(data.folder),  # the claims table first, when gemsim claims wrote one
        _setup(data),
        _contrast_section(data, tables, figures),
        _discovery_section(tables, figures),
        _overview(data, tables),
        _reading_guide(data.settings.method),
        _summary_table(tables),
        _noise_section(data, tables),
        _convergence_section(data, tables, figures),
        _output_details(data, tables, figures),
        _factor_table(data),
        _notes(data, tables),
        _files(data, tables),
    ]
    return page(f"gemsim sensitivity: {name}", "".join(body))


def write_sensitivity_report(
    data: SensitivityData,
    tables: SensitivityTables,
    figures: Mapping[str, Path],
    path: Path,
) -> Path:
    """Write ``sensitivity.html`` (self-contained) and return its path."""
    return write_text(path, render(data, tables, figures))
