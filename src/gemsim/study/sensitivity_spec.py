"""The ``[sensitivity]`` table of an experiment file: one pydantic model, validated once.

A **sensitivity experiment** (run with ``gemsim sensitivity``) is an experiment file with a
``[sensitivity]`` table instead of ``replications``, ``baseline``, ``outputs`` and
``[sweep]`` (examples: ``experiments/sobol.toml``, ``experiments/morris.toml``)::

    scenarios = ["groeiplan", "subsidy_channel"]  # each is run at every sample point
    months = 120
    seed = 20210601              # sampling, replication seeds and bootstrap
    [parameters]                 # fixed for every scenario (e.g. a smaller region)
    n_municipalities = 3
    [sensitivity]
    method = "sobol"             # sobol | morris | fast                   (default sobol)
    n = 128                      # sobol: base sample, a power of two; morris: trajectories;
                                 # fast: points per search curve (> 4 M^2)      (required)
    base_scenario = "groeiplan"  # whose outcomes are analysed                 (required)
    replications = 2             # runs per point and scenario, same seeds everywhere (1)
    calc_second_order = false    # sobol only: S2 per pair (doubles the runs)  (false)
    pairing = "balanced"         # sobol only: which sequence dimensions B's columns take:
                                 # "balanced" (A's and B's columns paired to be nearly
                                 # uncorrelated in short prefixes) or "salib" (SALib's
                                 # design; gemsim.sensitivity.sobol_design)  ("balanced")
    num_levels = 4               # morris only: grid levels, even               (4)
    M = 4                        # fast only: interference factor               (4)
    num_resamples = 1000         # bootstrap resamples of the intervals         (1000)
    conf_level = 0.95            # confidence level of the intervals            (0.95)
    outputs = ["trust_government", "participation"]  # reporters at the horizon
                                 # (default: DEFAULT_SENSITIVITY_OUTPUTS)
    metamodel_points = 1600      # at most this many points train each metamodel of
                                 # metamodel_outputs (cost ~ its cube)             (800)
    noise_dummy = true           # add the noise-floor dummy `noise_floor` as its own row:
                                 # a factor that only selects each point's random stream
                                 # (gemsim.sensitivity.stochastic)                  (false)
    screened_from = "results/morris"  # take the sampled parameters, with their ranges,
                                 # from a Morris results folder (relative to the working
                                 # directory); then no [sensitivity.parameters]     (none)
    screen_threshold = 1.5       # keep a parameter whose mu* reaches this multiple of the
                                 # noise dummy's mu* on at least one analysed output  (1.5;
                                 # a parameter with no effect scores about 1)
    screen_max = 30              # keep at most this many (the highest ratios)       (30)
    screen_include = ["procedural_fairness_signal"]  # kept whatever they score, within
                                 # screen_max (prior evidence that they matter)       ([])
    [sensitivity.parameters.crowding_out_sd]     # one table per sampled parameter
    low = 0.0                    # bounds, within the parameter's allowed range, low < high
    high = 0.6
    dist = "unif"                # unif | triang (peak = 0..1) | norm, lognorm (low, high =
                                 # mean, sd; of ln(value) for lognorm; draws outside the
                                 # allowed range are clipped)
    [sensitivity.parameters.fund_grant_years]    # an integer parameter: low..high, each
    low = 1                      # integer equally likely (drawn on [low, high + 1), floored)
    high = 5
    [sensitivity.parameters.allocation_rule]     # one-of and true/false parameters, or any
    levels = ["need_weighted", "first_come"]    # parameter given levels: each level equally
                                 # likely (drawn on [0, k), floored); default: every value
    [[sensitivity.contrasts]]    # scenario minus reference at the same point and seeds
    name = "groeiplan_vs_subsidy_channel"        # default <scenario>_vs_<reference>
    scenario = "groeiplan"
    reference = "subsidy_channel"
    outputs = ["trust_government"]               # default: the [sensitivity] outputs

With ``screened_from`` the parameters are known only once the Morris results exist: the
file validates without them (run counts are then upper bounds with ``screen_max``
parameters), and :func:`gemsim.study.screening.apply_screen` picks them when the job is
planned, writing ``screen.csv`` (every screened parameter, its mu*, sigma, ratio to the
noise floor, kept or not and why) into the results folder.

``months`` and ``regime`` cannot be sampled, nor a parameter set in ``[parameters]``;
the base scenario and the contrasts' scenarios must be among ``scenarios``, and every
scenario must be used by one of them (checked by :class:`gemsim.study.experiment.Experiment`,
which knows the scenarios). Each sampled parameter at each bound must fit every scenario;
combinations of several sampled parameters are checked on the drawn sample.

:class:`SensitivitySettings` checks the table when it is read: simple keys by their
declared types and ranges, the rest (the method's design size, reporters, sampled
parameters, contrasts) by field validators. Each problem is one line naming the key and
what is allowed (:func:`table_problems`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from gemsim.model.parameters import Parameters, allowed_range, levels
from gemsim.study.files import (
    MAX_COUNT,
    NAME_ALLOWED,
    NAME_PATTERN,
    allows,
    field_allowed,
    suggest,
    toml_value,
)
from gemsim.study.model_values import (
    in_range,
    is_integer_parameter,
    normalised,
    parameter_problems,
    reporter_names,
    type_ok,
)

if TYPE_CHECKING:  # gemsim.sensitivity imports SALib: only when a [sensitivity] table is read
    from gemsim.sensitivity import Factor, Problem

__all__ = [
    "DEFAULT_SENSITIVITY_OUTPUTS",
    "NOISE_DUMMY",
    "Contrast",
    "SensitivitySettings",
    "sensitivity_n_problem",
    "table_problems",
]

SECTION = "[sensitivity]"
#: Outcomes analysed when ``[sensitivity] outputs`` is not given: the questions of DOMAIN.md
#: (trust, participation, wellbeing, neighbourhoods in order, the Social Handprint, who gains).
DEFAULT_SENSITIVITY_OUTPUTS: tuple[str, ...] = (
    "trust_government",
    "trust_national",
    "social_trust",
    "participation",
    "wellbeing",
    "neighbourhoods_in_order",
    "handprint_cumulative_eur",
    "trust_gap_ses",
    "participation_gap_ses",
    "wellbeing_gap_ses",
)
#: Name of the noise-floor dummy's row (``noise_dummy = true``).
NOISE_DUMMY = "noise_floor"
_MAX_SOBOL_N = 2**20
_MAX_DESIGN_N = 1_000_000
_OUTPUTS_ALLOWED = "a non-empty list of reporter names, each once"
_PARAMETERS_ALLOWED = "[sensitivity.parameters.<name>] tables, one per sampled parameter"
_FACTOR_KEYS = ("low", "high", "dist", "peak", "levels")
_CONTRAST_KEYS = ("name", "scenario", "reference", "outputs")
_FACTOR_DISTS = ("unif", "norm", "triang", "lognorm")
_NOT_SAMPLED = {
    "months": "the horizon is the experiment's `months` key",
    "regime": "regimes are what scenarios differ in; compare them with [[sensitivity.contrasts]]",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _bad(section: str, key: str, value: Any, allowed: str) -> str:
    return f"{section} {key} = {toml_value(value)} is not allowed: must be {allowed}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ------------------------------------------------------------------------- design size
def _n_limits(method: str, options: Mapping[str, Any]) -> tuple[int, int, str]:
    """``(smallest, largest, what is allowed)`` for ``[sensitivity] n`` of ``method``."""
    if method == "sobol":
        text = (
            f"a power of two from 2 to {_MAX_SOBOL_N} (the Sobol' base sample; Sobol' "
            "sequences are balanced only at powers of two)"
        )
        return 2, _MAX_SOBOL_N, text
    if method == "morris":
        return 2, _MAX_DESIGN_N, f"an integer from 2 to {_MAX_DESIGN_N} (trajectories)"
    if method == "fast":
        m = options.get("M", 4)
        low = 4 * m * m + 1 if _is_int(m) else 65
        text = (
            f"an integer from {low} to {_MAX_DESIGN_N} (points per search curve; FAST needs "
            "more than 4 M^2)"
        )
        return low, _MAX_DESIGN_N, text
    return 1, _MAX_DESIGN_N, f"an integer from 1 to {_MAX_DESIGN_N}"


def sensitivity_n_problem(value: Any, method: str, options: Mapping[str, Any]) -> str | None:
    """What ``n`` must be if ``value`` is not a valid design size for ``method``, else None."""
    low, high, text = _n_limits(method, options)
    if not _is_int(value) or not low <= value <= high:
        return text
    if method == "sobol" and value & (value - 1):
        return text
    return None


def _method_options(method: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The options of ``method``: the ones ``given`` (not None), else the method's defaults."""
    from gemsim.sensitivity import get_method

    defaults = get_method(method).defaults
    return {
        key: default if given.get(key) is None else given[key] for key, default in defaults.items()
    }


def _method_owners() -> dict[str, str]:
    """Method option -> the method it belongs to (``calc_second_order`` -> ``sobol``)."""
    from gemsim.sensitivity import METHODS

    owners = {opt: m.name for m in METHODS.values() for opt in m.defaults}
    for method in METHODS.values():
        if method.supports_second_order:
            owners["calc_second_order"] = method.name
    return owners


# ------------------------------------------------------------------------ outputs
def _output_list_problems(section: str, key: str, value: Any) -> list[str]:
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) for v in value)
    ):
        return [_bad(section, key, value, _OUTPUTS_ALLOWED)]
    known = reporter_names()
    problems = [
        f"{section} {key}: unknown reporter {name!r}{suggest(name, known)}; allowed: "
        + ", ".join(known)
        for name in value
        if name not in known
    ]
    if len(set(value)) < len(value):
        problems.append(_bad(section, key, value, _OUTPUTS_ALLOWED))
    return problems


# ------------------------------------------------------------------ sampled parameters
def _factor(name: str, spec: Any) -> tuple[Factor | None, list[str]]:
    """One ``[sensitivity.parameters.<name>]`` table -> (Factor or None, problems)."""
    from gemsim.sensitivity import Factor

    section = f"[sensitivity.parameters.{name}]"
    if name in _NOT_SAMPLED:
        return None, [f"{section} is not allowed: {_NOT_SAMPLED[name]}"]
    if name not in Parameters.model_fields:
        return None, [
            f"[sensitivity.parameters] unknown parameter {name!r}"
            f"{suggest(name, Parameters.model_fields)}; allowed: a parameter name listed by "
            "`gemsim params`"
        ]
    if not isinstance(spec, dict):
        return None, [
            f"[sensitivity.parameters] {name} = {toml_value(spec)} is not allowed: must be a "
            "table with low and high (or levels)"
        ]
    problems = [
        f"{section} unknown key {key!r}{suggest(key, _FACTOR_KEYS)}; allowed keys: "
        + ", ".join(_FACTOR_KEYS)
        for key in spec
        if key not in _FACTOR_KEYS
    ]
    natural = levels(name)
    if "levels" in spec or natural is not None:
        factor, found = _categorical_factor(name, spec, natural)
    else:
        factor, found = _numeric_factor(name, spec)
    problems += found
    if problems:
        return None, problems
    try:
        return Factor(**factor), []
    except ValueError as error:  # a rule of Factor not covered above
        return None, [f"{section} is not allowed: {error}"]


def _categorical_factor(
    name: str, spec: Mapping[str, Any], natural: tuple[Any, ...] | None
) -> tuple[dict[str, Any], list[str]]:
    section = f"[sensitivity.parameters.{name}]"
    problems = [
        f"{section} {key} is not allowed with levels: a parameter sampled over levels draws "
        "each level with equal probability"
        for key in ("low", "high", "dist", "peak")
        if key in spec
    ]
    given = spec.get("levels", list(natural or ()))
    allowed = f"a non-empty list of different values, each {allowed_range(name)}"
    if not isinstance(given, list) or not given:
        return {}, [*problems, _bad(section, "levels", given, allowed)]
    for value in given:
        if not type_ok(name, value) or parameter_problems(section, {name: value}):
            problems.append(_bad(section, "levels", value, allowed_range(name)))
    if len({toml_value(v) for v in given}) < len(given):
        problems.append(_bad(section, "levels", given, allowed))
    values = tuple(normalised(name, v) for v in given)
    return {"name": name, "low": 0, "high": 0, "kind": "categorical", "levels": values}, problems


def _numeric_factor(name: str, spec: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    section = f"[sensitivity.parameters.{name}]"
    is_int = is_integer_parameter(name)
    dist = spec.get("dist", "unif")
    problems: list[str] = []
    if dist not in _FACTOR_DISTS:
        return {}, [_bad(section, "dist", dist, "one of " + ", ".join(_FACTOR_DISTS))]
    if is_int and dist != "unif":
        problems.append(
            _bad(
                section,
                "dist",
                dist,
                '"unif" for an integer parameter (its values low..high '
                "are drawn with equal probability)",
            )
        )
    if "peak" in spec and dist != "triang":
        problems.append(f'{section} peak is not allowed: only with dist = "triang"')
    for key in ("low", "high"):
        if key not in spec:
            problems.append(
                f"{section} {key} is missing: must be {_bound_allowed(name, key, dist)}"
            )
        elif not (_is_int(spec[key]) if is_int else _is_number(spec[key])):
            problems.append(_bad(section, key, spec[key], _bound_allowed(name, key, dist)))
    if problems:
        return {}, problems
    low, high = spec["low"], spec["high"]
    if dist in ("unif", "triang"):
        for key, value in (("low", low), ("high", high)):
            if not in_range(name, value):
                problems.append(_bad(section, key, value, _bound_allowed(name, key, dist)))
        if not low < high:
            problems.append(
                f"{section} low = {toml_value(low)}, high = {toml_value(high)} is not allowed: "
                "must be low < high"
            )
    else:
        centre = low if dist == "norm" else _exp(low)
        if centre is None or not in_range(name, centre):
            problems.append(_bad(section, "low", low, _bound_allowed(name, "low", dist)))
        if not high > 0:
            problems.append(_bad(section, "high", high, _bound_allowed(name, "high", dist)))
    factor: dict[str, Any] = {
        "name": name,
        "low": low,
        "high": high,
        "kind": "int" if is_int else "float",
        "dist": dist,
    }
    if dist == "triang":
        peak = spec.get("peak", 0.5)
        if not _is_number(peak) or not 0 <= peak < 1:
            problems.append(_bad(section, "peak", peak, "a number from 0 to below 1"))
        factor["peak"] = peak
    return factor, problems


def _exp(value: float) -> float | None:
    try:
        return math.exp(value)
    except OverflowError:
        return None


def _bound_allowed(name: str, key: str, dist: str) -> str:
    within = f"within the parameter's allowed range ({allowed_range(name)})"
    if dist == "norm":
        return f"the mean, {within}" if key == "low" else "the standard deviation, a number > 0"
    if dist == "lognorm":
        if key == "low":
            return f"the mean of ln(value), with exp(low) {within}"
        return "the standard deviation of ln(value), a number > 0"
    return within


def _factor_record(factor: Factor) -> dict[str, Any]:
    record: dict[str, Any] = {"name": factor.name, "kind": factor.kind, "dist": factor.dist}
    if factor.kind == "categorical":
        record["levels"] = list(factor.levels)
    else:
        record.update(low=factor.low, high=factor.high)
    if factor.dist == "triang":
        record["peak"] = factor.peak
    return record


# ---------------------------------------------------------------------------- contrasts
class Contrast(BaseModel):
    """A regime contrast: ``scenario`` minus ``reference``, at the same parameter point and
    with the same replication seeds (common random numbers).

    Attributes:
        name: the contrast's name (default ``<scenario>_vs_<reference>``).
        scenario, reference: scenario names.
        outputs: reporters whose difference (at the horizon) is analysed.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    scenario: str
    reference: str
    outputs: tuple[str, ...]

    def column(self, output: str) -> str:
        """The name of this contrast's ``output`` among the analysed outputs."""
        return f"{self.name}:{output}"


def _contrasts(raw: Any, default_outputs: Sequence[str]) -> tuple[list[Contrast], list[str]]:
    if not isinstance(raw, list | tuple) or not all(isinstance(t, dict) for t in raw):
        return [], [_bad(SECTION, "contrasts", raw, "[[sensitivity.contrasts]] tables")]
    contrasts: list[Contrast] = []
    problems: list[str] = []
    for number, table in enumerate(raw, start=1):
        section = f"[[sensitivity.contrasts]] #{number}"
        problems += [
            f"{section} unknown key {key!r}{suggest(key, _CONTRAST_KEYS)}; allowed keys: "
            + ", ".join(_CONTRAST_KEYS)
            for key in table
            if key not in _CONTRAST_KEYS
        ]
        found: list[str] = []
        for key in ("scenario", "reference"):
            if key not in table:
                found.append(f"{section} {key} is missing: must be a scenario name")
            elif not isinstance(table[key], str):
                found.append(_bad(section, key, table[key], "a scenario name"))
        if not found and table["scenario"] == table["reference"]:
            found.append(
                f"{section} reference = {toml_value(table['reference'])} is not allowed: must "
                "differ from scenario"
            )
        outputs = table.get("outputs", default_outputs)
        found += _output_list_problems(section, "outputs", outputs)
        name = table.get("name")
        if name is None and not found:
            name = f"{_UNSAFE_NAME.sub('_', table['scenario'])}_vs_" + _UNSAFE_NAME.sub(
                "_", table["reference"]
            )
        if name is not None and (not isinstance(name, str) or not re.match(NAME_PATTERN, name)):
            found.append(_bad(section, "name", name, NAME_ALLOWED))
        elif name is not None and any(c.name == name for c in contrasts):
            found.append(_bad(section, "name", name, "a name no other contrast has"))
        problems += found
        if not found:
            contrasts.append(
                Contrast(
                    name=name,
                    scenario=table["scenario"],
                    reference=table["reference"],
                    outputs=tuple(outputs),
                )
            )
    return contrasts, problems


# ----------------------------------------------------------------------------- settings
_METAMODEL_ALLOWED = 'a list of analysed outputs: base outputs or "<contrast>:<output>" columns'
#: Default of ``metamodel_points`` (the limit before the setting existed). A fit's cost
#: grows as the cube of its points: about 30 s at 800 points, 2-3 min at 1,600 (22
#: inputs, one core). ``experiments/sobol.toml`` asks for 1,600, every point of its
#: design grown to n = 64 (22 parameters and the noise dummy).
METAMODEL_POINTS = 800


class SensitivitySettings(BaseModel):
    """The ``[sensitivity]`` table of an experiment, checked once when it is read.

    The fields are the table's keys (``parameters`` is read into :attr:`factors`), in the
    order they are checked: the method and its options come first because ``n`` depends
    on them.

    Attributes:
        method: ``sobol``, ``morris``, ``fast`` (or another registered method).
        n: design size in the method's unit (Sobol' base sample, Morris trajectories,
            FAST points per search curve).
        base_scenario: the scenario whose outcomes are analysed.
        replications: runs per sample point and scenario; the output at a point is their
            mean.
        factors: the sampled parameters (:class:`gemsim.sensitivity.Factor`).
        outputs: reporters of the base scenario analysed at the horizon.
        contrasts: regime contrasts analysed at the horizon.
        calc_second_order: Sobol' second-order indices.
        pairing: the Sobol' design's pairing of A's and B's columns (``balanced`` or
            ``salib``, :mod:`gemsim.sensitivity.sobol_design`; None: ``balanced``).
        num_levels, M: Morris grid levels and FAST interference factor (None: the method's
            default); :attr:`options` holds the method's options with defaults filled in.
        num_resamples, conf_level: bootstrap settings of the confidence intervals.
        metamodel_outputs: analysed outputs (base outputs or ``<contrast>:<output>``) on
            which a Gaussian-process metamodel is fitted to split the parameter effect from
            the random path (:mod:`gemsim.sensitivity.metamodel`; about 30 s each at
            800 points, 2-3 min at 1,600).
        metamodel_points: at most this many sample points train each metamodel (a
            seeded random subset of a larger sample; the cost grows as its cube).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    method: str = Field("sobol", json_schema_extra=allows("a registered method"))
    calc_second_order: bool = Field(
        False, json_schema_extra=allows('true or false (method = "sobol" only)')
    )
    pairing: Literal["balanced", "salib"] | None = Field(
        None,
        json_schema_extra=allows('"balanced" or "salib" (method = "sobol" only)'),
    )
    num_levels: int | None = Field(
        None,
        ge=2,
        le=100,
        multiple_of=2,
        json_schema_extra=allows('an even integer from 2 to 100 (method = "morris" only)'),
    )
    M: int | None = Field(  # SALib's name for FAST's interference factor
        None,
        ge=1,
        le=100,
        json_schema_extra=allows('an integer from 1 to 100 (method = "fast" only)'),
    )
    n: int = Field(
        None,  # required: the validator says what n must be for the method
        validate_default=True,
        json_schema_extra=allows("the design size (see the method)"),
    )
    base_scenario: str = Field(
        json_schema_extra=allows("the name of one of the experiment's scenarios")
    )
    replications: int = Field(
        1, ge=1, le=MAX_COUNT, json_schema_extra=allows(f"an integer from 1 to {MAX_COUNT}")
    )
    num_resamples: int = Field(
        1000, ge=10, le=MAX_COUNT, json_schema_extra=allows(f"an integer from 10 to {MAX_COUNT}")
    )
    conf_level: float = Field(
        0.95, gt=0, lt=1, json_schema_extra=allows("a number between 0 and 1, e.g. 0.95")
    )
    outputs: tuple[str, ...] = Field(
        DEFAULT_SENSITIVITY_OUTPUTS, json_schema_extra=allows(_OUTPUTS_ALLOWED)
    )
    noise_dummy: bool = Field(False, json_schema_extra=allows("true or false"))
    screened_from: str | None = Field(
        None,
        min_length=1,
        json_schema_extra=allows(
            'the path of a Morris results folder (e.g. "results/morris"), relative to the '
            "working directory"
        ),
    )
    screen_threshold: float = Field(
        1.5,
        gt=0,
        le=1000,
        json_schema_extra=allows(
            "a number > 0 and <= 1000: the multiple of the noise dummy's mu* a parameter "
            "must reach (with screened_from)"
        ),
    )
    screen_max: int = Field(
        30,
        ge=1,
        le=1000,
        json_schema_extra=allows("an integer from 1 to 1000 (with screened_from)"),
    )
    screen_include: tuple[str, ...] = Field(
        (),
        json_schema_extra=allows(
            "a list of at most screen_max parameter names (with screened_from)"
        ),
    )
    factors: tuple[Any, ...] = Field(  # gemsim.sensitivity.Factor (imported lazily: SALib)
        None,  # required: the validator says what the tables must be
        validation_alias="parameters",
        validate_default=True,
        json_schema_extra=allows(_PARAMETERS_ALLOWED),
    )
    contrasts: tuple[Contrast, ...] = Field(
        (), json_schema_extra=allows("[[sensitivity.contrasts]] tables")
    )
    metamodel_outputs: tuple[str, ...] = Field(
        (),
        json_schema_extra=allows(_METAMODEL_ALLOWED),
    )
    metamodel_points: int = Field(
        METAMODEL_POINTS,
        ge=50,
        le=5000,
        json_schema_extra=allows("an integer from 50 to 5000"),
    )

    # ------------------------------------------------------------ checks of the table
    @field_validator("method", mode="before")
    @classmethod
    def _registered_method(cls, value: Any) -> Any:
        from gemsim.sensitivity import METHODS

        if not isinstance(value, str) or value not in METHODS:
            allowed = "one of " + ", ".join(sorted(METHODS))
            raise ValueError(_bad(SECTION, "method", value, allowed) + suggest(str(value), METHODS))
        return value

    @field_validator("calc_second_order", "pairing", "num_levels", "M", mode="before")
    @classmethod
    def _option_of_this_method(cls, value: Any, info: ValidationInfo) -> Any:
        method = info.data.get("method")
        owner = _method_owners().get(str(info.field_name))
        if method is not None and owner is not None and owner != method:
            raise ValueError(
                f"{SECTION} {info.field_name} is not allowed with method = {toml_value(method)}: "
                f"it is an option of method {toml_value(owner)}"
            )
        return value

    @field_validator("n", mode="before")
    @classmethod
    def _design_size(cls, value: Any, info: ValidationInfo) -> Any:
        method = info.data.get("method")
        options = _method_options(method, info.data) if method else {}
        if value is None:
            allowed = _n_limits(method, options)[2] if method else "the design size"
            raise ValueError(f"{SECTION} n is missing: must be {allowed}")
        if method and (text := sensitivity_n_problem(value, method, options)):
            raise ValueError(_bad(SECTION, "n", value, text))
        return value

    @field_validator("outputs", mode="before")
    @classmethod
    def _known_outputs(cls, value: Any) -> Any:
        problems = _output_list_problems(SECTION, "outputs", value)
        if problems:
            raise ValueError("\n".join(problems))
        return tuple(value)

    @field_validator("screen_threshold", mode="before")
    @classmethod
    def _threshold_number(cls, value: Any) -> Any:
        return float(value) if _is_int(value) else value  # 2 is as good as 2.0

    @field_validator("screen_include", mode="before")
    @classmethod
    def _included_parameters(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = "a list of at most screen_max parameter names (with screened_from)"
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(_bad(SECTION, "screen_include", value, allowed))
        unknown = [v for v in value if v not in Parameters.model_fields]
        if unknown:
            raise ValueError(
                f"{SECTION} screen_include: unknown parameter {unknown[0]!r}"
                f"{suggest(unknown[0], Parameters.model_fields)}; allowed: {allowed}"
            )
        if len(value) > info.data.get("screen_max", cls.model_fields["screen_max"].default):
            raise ValueError(_bad(SECTION, "screen_include", value, allowed))
        return tuple(value)

    @field_validator("factors", mode="before")
    @classmethod
    def _sampled_parameters(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("screened_from") is not None:
            if value is not None:
                raise ValueError(
                    f"{SECTION} parameters is not allowed with screened_from: the parameters "
                    "and their ranges are those of the Morris results that survive the "
                    "screen; allowed: screened_from or [sensitivity.parameters], not both"
                )
            return ()
        if value is None:
            raise ValueError(
                f"{SECTION} parameters is missing: must be {_PARAMETERS_ALLOWED}, e.g. "
                "[sensitivity.parameters.crowding_out_sd] low = 0.0, high = 0.6"
            )
        if not isinstance(value, dict) or not value:
            raise ValueError(_bad(SECTION, "parameters", value, _PARAMETERS_ALLOWED))
        factors, problems = [], []
        for name, spec in value.items():
            factor, found = _factor(name, spec)
            problems += found
            if factor is not None:
                factors.append(factor)
        if problems:
            raise ValueError("\n".join(problems))
        return tuple(factors)

    @field_validator("contrasts", mode="before")
    @classmethod
    def _regime_contrasts(cls, value: Any, info: ValidationInfo) -> Any:
        contrasts, problems = _contrasts(
            value, info.data.get("outputs", DEFAULT_SENSITIVITY_OUTPUTS)
        )
        if problems:
            raise ValueError("\n".join(problems))
        return tuple(contrasts)

    @field_validator("metamodel_outputs", mode="before")
    @classmethod
    def _list_of_names(cls, value: Any) -> Any:
        allowed = _METAMODEL_ALLOWED
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(_bad(SECTION, "metamodel_outputs", value, allowed))
        return tuple(value)

    @model_validator(mode="after")
    def _analysed_metamodel_outputs(self) -> SensitivitySettings:
        columns = self.analysed_outputs
        unknown = [v for v in self.metamodel_outputs if v not in columns]
        if unknown:
            raise ValueError(
                f"{SECTION} metamodel_outputs: {', '.join(map(repr, unknown))} is not an "
                f"analysed output; allowed: {', '.join(columns)}"
            )
        return self

    @model_validator(mode="after")
    def _screen_keys(self) -> SensitivitySettings:
        if self.screened_from is None:
            given = sorted(
                {"screen_threshold", "screen_max", "screen_include"} & self.model_fields_set
            )
            if given:
                raise ValueError(
                    "\n".join(
                        f"{SECTION} {key} is not allowed without screened_from: it sets the "
                        "screen of a Morris result"
                        for key in given
                    )
                )
        elif self.method == "morris":
            raise ValueError(
                f'{SECTION} screened_from is not allowed with method = "morris": a Morris '
                'design screens; allowed: method = "sobol" or "fast"'
            )
        return self

    # ------------------------------------------------------------------ derived views
    @property
    def screen_pending(self) -> bool:
        """Whether the parameters still have to be taken from the Morris results."""
        return self.screened_from is not None and not self.factors

    @property
    def noise_dummy_name(self) -> str | None:
        """The noise dummy's factor name, or None without one."""
        return NOISE_DUMMY if self.noise_dummy else None

    @property
    def options(self) -> dict[str, Any]:
        """The method's options (``pairing`` for Sobol', ``num_levels`` for Morris, ``M``
        for FAST) with defaults."""
        given = {"pairing": self.pairing, "num_levels": self.num_levels, "M": self.M}
        return _method_options(self.method, given)

    @property
    def scenarios(self) -> list[str]:
        """Scenarios run at every sample point: the base, then those of the contrasts."""
        names = [self.base_scenario]
        for contrast in self.contrasts:
            names += [contrast.scenario, contrast.reference]
        return list(dict.fromkeys(names))

    @property
    def parameter_names(self) -> list[str]:
        return [factor.name for factor in self.factors]

    @property
    def analysed_outputs(self) -> tuple[str, ...]:
        """Every analysed output: base outputs, then ``<contrast>:<output>`` columns."""
        columns = [c.column(o) for c in self.contrasts for o in c.outputs]
        return (*self.outputs, *columns)

    def problem(self) -> Problem:
        """The :class:`gemsim.sensitivity.Problem` (factors, the noise dummy last if asked
        for, and analysed outputs). Raises ValueError while the screen is pending."""
        from gemsim.sensitivity import Problem

        if self.screen_pending:
            raise ValueError(
                f"the parameters are not known until the screen of {self.screened_from} is "
                "applied (gemsim.study.screening.apply_screen)"
            )
        problem = Problem(self.factors, self.analysed_outputs)
        return problem.with_noise_dummy(NOISE_DUMMY) if self.noise_dummy else problem

    @property
    def n_points(self) -> int:
        """Sample points of the design (rows of SALib's sample); while the screen is
        pending, the most it can be (``screen_max`` parameters)."""
        from gemsim.sensitivity import Factor, Problem, get_method

        if self.screen_pending:
            factors = tuple(Factor(f"p{i}", 0.0, 1.0) for i in range(self.screen_max))
            problem = Problem(factors, self.analysed_outputs)
            if self.noise_dummy:
                problem = problem.with_noise_dummy(NOISE_DUMMY)
        else:
            problem = self.problem()
        rows = get_method(self.method).rows_per_unit(problem, self.calc_second_order)
        return self.n * rows

    def analysis_options(self) -> dict[str, Any]:
        """Keyword arguments for ``gemsim.sensitivity.analyze_outputs``/``convergence``."""
        return {
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
            "calc_second_order": self.calc_second_order,
            **self.options,
        }

    def with_scenario_names(self, name: Any) -> SensitivitySettings:
        """A copy with the base scenario and the contrasts' scenarios passed through
        ``name`` (scenario entries, which may be paths, to scenario names)."""
        contrasts = tuple(
            c.model_copy(update={"scenario": name(c.scenario), "reference": name(c.reference)})
            for c in self.contrasts
        )
        return self.model_copy(
            update={"base_scenario": name(self.base_scenario), "contrasts": contrasts}
        )

    def as_record(self) -> dict[str, Any]:
        """The settings as plain data (for the manifest)."""
        return {
            "method": self.method,
            "n": self.n,
            "base_scenario": self.base_scenario,
            "replications": self.replications,
            "calc_second_order": self.calc_second_order,
            "options": dict(self.options),
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
            "outputs": list(self.outputs),
            "noise_dummy": self.noise_dummy,
            "screened_from": self.screened_from,
            "screen_threshold": self.screen_threshold,
            "screen_max": self.screen_max,
            "screen_include": list(self.screen_include),
            "parameters": [_factor_record(f) for f in self.factors],
            "contrasts": [
                {
                    "name": c.name,
                    "scenario": c.scenario,
                    "reference": c.reference,
                    "outputs": list(c.outputs),
                }
                for c in self.contrasts
            ],
            "metamodel_outputs": list(self.metamodel_outputs),
            "metamodel_points": self.metamodel_points,
            "points": self.n_points,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SensitivitySettings:
        """The settings from :meth:`as_record` (e.g. a results folder's manifest), as they
        were checked when the experiment ran (not checked again)."""
        from gemsim.sensitivity import Factor

        factors = []
        for spec in record["parameters"]:
            spec = dict(spec)
            if spec["kind"] == "categorical":
                spec.update(low=0, high=0, levels=tuple(spec["levels"]))
            factors.append(Factor(**spec))
        options = record["options"]
        return cls.model_construct(
            method=record["method"],
            n=record["n"],
            base_scenario=record["base_scenario"],
            replications=record["replications"],
            factors=tuple(factors),
            outputs=tuple(record["outputs"]),
            noise_dummy=bool(record.get("noise_dummy", False)),
            screened_from=record.get("screened_from"),
            screen_threshold=float(record.get("screen_threshold", 1.5)),
            screen_max=int(record.get("screen_max", 30)),
            screen_include=tuple(record.get("screen_include", ())),
            contrasts=tuple(
                Contrast(
                    name=c["name"],
                    scenario=c["scenario"],
                    reference=c["reference"],
                    outputs=tuple(c["outputs"]),
                )
                for c in record["contrasts"]
            ),
            calc_second_order=record["calc_second_order"],
            # A Sobol' design stored before the option existed is SALib's.
            pairing=options.get("pairing", "salib" if record["method"] == "sobol" else None),
            num_levels=options.get("num_levels"),
            M=options.get("M"),
            num_resamples=record["num_resamples"],
            conf_level=record["conf_level"],
            metamodel_outputs=tuple(record.get("metamodel_outputs", ())),
            # Metamodels stored before the setting existed were fitted on at most 800.
            metamodel_points=int(record.get("metamodel_points", METAMODEL_POINTS)),
        )


#: The table's keys as written in a file (``parameters`` is stored as ``factors``).
TABLE_KEYS: tuple[str, ...] = tuple(
    str(field.validation_alias or name) for name, field in SensitivitySettings.model_fields.items()
)


def table_problems(errors: Sequence[ErrorDetails]) -> list[str]:
    """One line per problem of a ``[sensitivity]`` table (locations relative to the table);
    the field validators' messages are complete lines already."""
    problems: list[str] = []
    for error in errors:
        if error["type"] == "value_error":
            problems += str(error["msg"]).removeprefix("Value error, ").splitlines()
            continue
        key = str(error["loc"][0])
        field = "factors" if key == "parameters" else key
        allowed = field_allowed(SensitivitySettings, field)
        if error["type"] == "extra_forbidden":
            problems.append(
                f"{SECTION} unknown key {key!r}{suggest(key, TABLE_KEYS)}; allowed keys: "
                + ", ".join(TABLE_KEYS)
            )
        elif error["type"] == "missing":
            problems.append(f"{SECTION} {key} is missing: must be {allowed}")
        else:
            problems.append(_bad(SECTION, key, error.get("input"), allowed))
    return problems
