"""Citizens: columnar state and the vectorised monthly rules.

One row per citizen agent (who stands for ``weight`` inhabitants). Each rule is a small
pure function of arrays, so it can be read next to its description in ``docs/ODD.md``,
tested alone and compared with the per-citizen loop in ``gemsim.model.reference_loop``.

Participation follows Granovetter's (1978) threshold model: a citizen is willing to
participate when the share of participating contacts, plus the pull of intrinsic
motivation and perceived efficacy, reaches a personal threshold. Motivation is crowded
out by controlling conditions and in by trust-based funding (Frey & Jegen 2001; Deci,
Koestner & Ryan 1999). Trust learns from experience asymmetrically (Slovic 1993).
Volunteering raises life satisfaction (Meier & Stutzer 2008).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq
from scipy.special import expit, ndtr, ndtri

from gemsim.model.arrays import BoolArray, FloatArray, IntArray
from gemsim.model.parameters import Parameters
from gemsim.model.world import Network, Region

INACTIVE, OCCASIONAL, ACTIVE, INITIATOR = 0, 1, 2, 3
STATE_NAMES = ("inactive", "occasional", "active", "initiator")
NO_COLLECTIVE = -1


@dataclass
class Citizens:
    """Columnar citizen state (arrays of length N)."""

    neighbourhood: IntArray
    weight: FloatArray
    ses: FloatArray
    trust_local: FloatArray
    trust_national: FloatArray
    social_trust: FloatArray
    trust_local_baseline: FloatArray
    trust_national_baseline: FloatArray
    social_trust_baseline: FloatArray
    motivation: FloatArray
    motivation_baseline: FloatArray
    threshold: FloatArray
    free_time: FloatArray
    state: npt.NDArray[np.int8]
    capable_initiator: BoolArray
    collective: IntArray
    wellbeing: FloatArray
    wellbeing_baseline: FloatArray
    participating_initial: BoolArray
    threshold_mean: float
    active_margin: float

    @property
    def participating(self) -> BoolArray:
        return self.state >= OCCASIONAL

    @property
    def size(self) -> int:
        return self.state.size


# --- Initial state --------------------------------------------------------------------------


def latent_intercept(share: float, gradient: float) -> float:
    """Intercept mu such that P(mu + gradient*ses + eps >= 0) = share for ses, eps ~ N(0,1)."""
    return float(ndtri(share) * np.sqrt(1.0 + gradient**2))


def latent_draw(
    share: float, gradient: float, ses: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Latent propensities whose positive share is ``share`` with an SES gradient."""
    return latent_intercept(share, gradient) + gradient * ses + rng.standard_normal(ses.size)


def willingness(
    contact_share: np.ndarray,
    motivation: np.ndarray,
    efficacy: np.ndarray,
    motivation_weight: float,
    efficacy_weight: float,
) -> np.ndarray:
    """Granovetter pressure (share of participating contacts) plus personal pull."""
    return contact_share + motivation_weight * motivation + efficacy_weight * efficacy


def calibrate_threshold_mean(will: np.ndarray, sd: float, share: float) -> float:
    """Mean threshold at which the expected share willing equals ``share``.

    No finite mean gives an expected share of exactly 0 or 1, so a share drawn as none or
    all of the ``n`` citizens is matched within half a citizen (``0.5/n``) of it; any other
    drawn share is a multiple of ``1/n`` and is matched as it is. The search starts on
    [-20, 20] and widens until the expected share crosses the target.
    """
    half_citizen = 0.5 / will.size
    target = min(max(share, half_citizen), 1.0 - half_citizen)

    def excess(mean: float) -> float:
        return float(ndtr((will - mean) / sd).mean() - target)

    bound = 20.0
    while excess(-bound) < 0.0 or excess(bound) > 0.0:
        bound *= 2.0
    mean: float = brentq(excess, -bound, bound, xtol=1e-10)
    return mean


def truncated_normal(
    mean: float, sd: float, low: FloatArray, high: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """Draws from N(mean, sd) restricted to [low, high] (inverse-CDF method)."""
    a, b = ndtr((low - mean) / sd), ndtr((high - mean) / sd)
    u = a + rng.random(low.size) * (b - a)
    draws: FloatArray = mean + sd * ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    return draws


def participation_target(
    will: np.ndarray, threshold: np.ndarray, active_margin: float
) -> np.ndarray:
    """The state a citizen's willingness points to: inactive, occasional or active."""
    target = (will >= threshold).astype(np.int8)  # INACTIVE (0) or OCCASIONAL (1)
    target[will >= threshold + active_margin] = ACTIVE
    return target


def initial_citizens(params: Parameters, region: Region, rng: np.random.Generator) -> Citizens:
    """Citizens whose trust, participation and wellbeing reproduce the CBS figures."""
    n = region.n_citizens
    b_ses = region.neighbourhood_ses[region.citizen_neighbourhood]
    rho = params.ses_neighbourhood_correlation
    ses = rho * b_ses + np.sqrt(1 - rho**2) * rng.standard_normal(n)

    trust_local = expit(
        latent_draw(params.initial_trust_local_share, params.trust_ses_gradient, ses, rng)
    )
    trust_national = expit(
        latent_draw(params.initial_trust_national_share, params.trust_ses_gradient, ses, rng)
    )
    social_trust = expit(
        latent_draw(params.initial_social_trust_share, params.social_trust_ses_gradient, ses, rng)
    )

    gradient = params.participation_ses_gradient
    propensity = latent_draw(params.initial_participation_share, gradient, ses, rng)
    scale = np.sqrt(1.0 + gradient**2)
    active_cut = latent_intercept(params.initial_participation_share, gradient) + scale * ndtri(
        1.0 - params.initial_active_share
    )
    state = np.where(
        propensity >= active_cut, ACTIVE, np.where(propensity >= 0, OCCASIONAL, INACTIVE)
    ).astype(np.int8)

    # Intrinsic motivation (in sd units) correlates with the propensity to participate.
    r = params.motivation_participation_correlation
    standardised = propensity - latent_intercept(params.initial_participation_share, gradient)
    motivation = r * standardised / scale + np.sqrt(1 - r**2) * rng.standard_normal(n)

    capable = latent_draw(params.initiator_share, params.initiator_ses_gradient, ses, rng) >= 0
    free_time = rng.gamma(2.0, params.free_time_hours_mean / 2.0, n)

    # Thresholds: calibrate the mean so the model's expected participation equals the
    # initial share, then draw each threshold consistent with the citizen's initial state.
    contact_share = region.network.neighbour_mean((state >= OCCASIONAL).astype(float))
    will = willingness(contact_share, motivation, np.zeros(n), params.motivation_weight, 0.0)
    sd = params.threshold_sd
    # Calibrated to this region's drawn shares (which differ from the national targets when
    # its SES does), so that the thresholds' equilibrium is the state the run starts from.
    mean = calibrate_threshold_mean(will, sd, float(np.mean(state >= OCCASIONAL)))
    margin = max(calibrate_threshold_mean(will - mean, sd, float(np.mean(state >= ACTIVE))), 0.0)
    low = np.where(state == INACTIVE, will, np.where(state == OCCASIONAL, will - margin, -np.inf))
    high = np.where(state == INACTIVE, np.inf, np.where(state == OCCASIONAL, will, will - margin))
    threshold = truncated_normal(mean, sd, low, high, rng)

    wellbeing = initial_wellbeing(params, ses, rng)
    return Citizens(
        neighbourhood=region.citizen_neighbourhood,
        weight=region.citizen_weight,
        ses=ses,
        trust_local=trust_local,
        trust_national=trust_national,
        social_trust=social_trust,
        trust_local_baseline=trust_local.copy(),
        trust_national_baseline=trust_national.copy(),
        social_trust_baseline=social_trust.copy(),
        motivation=motivation,
        motivation_baseline=motivation.copy(),
        threshold=threshold,
        free_time=free_time,
        state=state,
        capable_initiator=capable,
        collective=np.full(n, NO_COLLECTIVE, dtype=np.int64),
        wellbeing=wellbeing,
        wellbeing_baseline=wellbeing.copy(),
        participating_initial=state >= OCCASIONAL,
        threshold_mean=mean,
        active_margin=margin,
    )


def initial_wellbeing(params: Parameters, ses: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Life satisfaction with the observed mean and share satisfied (>= 7), by SES."""
    gap = params.initial_wellbeing_mean - 7.0
    quantile = float(ndtri(params.initial_satisfied_share))
    # A normal share above 7 exceeds one half exactly when the mean does; other pairs
    # (or a zero gap) do not pin the spread, which then falls back to 1 point.
    total_sd: float = gap / quantile if gap * quantile > 0 else 1.0
    noise_sd: float = np.sqrt(max(total_sd**2 - params.wellbeing_ses_gradient**2, 1e-6))
    values = (
        params.initial_wellbeing_mean
        + params.wellbeing_ses_gradient * ses
        + noise_sd * rng.standard_normal(ses.size)
    )
    return np.clip(values, 0.0, 10.0)


# --- Monthly rules --------------------------------------------------------------------------


def update_participation(
    state: np.ndarray,
    target: np.ndarray,
    acts: np.ndarray,
) -> np.ndarray:
    """Citizens who act this month (``acts``) move to their target state. An initiator
    keeps leading while active willingness lasts, and steps down to the target otherwise."""
    keeps_lead = (state == INITIATOR) & (target >= ACTIVE)
    return np.where(acts & ~keeps_lead, target, state).astype(np.int8)


def redraw_thresholds(
    threshold: np.ndarray, mean: float, sd: float, redraw: np.ndarray, draws: np.ndarray
) -> np.ndarray:
    """Life events: thresholds of citizens in ``redraw`` are drawn anew (``draws`` ~ N(0,1))."""
    return np.where(redraw, mean + sd * draws, threshold)


def balanced_expectation(approval_rate: float, asymmetry: float) -> float:
    """The approval chance citizens expect when their expectations are in balance with
    today's desk (Van Ryzin's expectancy-disconfirmation with Slovic's asymmetry): an
    approval is a surprise of ``1 - e``, a rejection of ``-e`` weighing ``asymmetry`` times
    as much, and at ``e = p / (p + asymmetry * (1 - p))`` the expected surprise is zero, so
    the status quo neither builds nor erodes trust through its decisions."""
    if approval_rate <= 0:
        return 0.0
    return approval_rate / (approval_rate + asymmetry * (1.0 - approval_rate))


def asymmetric_trust_update(
    trust: FloatArray,
    positive: FloatArray,
    negative: FloatArray,
    rate: float,
    asymmetry: float,
) -> FloatArray:
    """Trust rises with positive and falls with negative experience; a negative experience
    weighs ``asymmetry`` times a positive one of equal size (Slovic 1993)."""
    rise = np.minimum(rate * positive, 1.0) * (1.0 - trust)
    fall = np.minimum(rate * asymmetry * negative, 1.0) * trust
    return np.clip(trust + rise - fall, 0.0, 1.0)


def fade_toward(value: FloatArray, baseline: FloatArray, rate: float) -> FloatArray:
    """Experiences fade: the value returns toward its baseline at ``rate`` per month."""
    return value + rate * (baseline - value)


def update_social_trust(
    social_trust: FloatArray,
    baseline: FloatArray,
    participation_change: FloatArray,
    effect: float,
    rate: float,
) -> FloatArray:
    """Social trust moves toward its baseline plus ``effect`` for citizens who started
    participating (minus for those who stopped), at ``rate`` per month."""
    target = np.clip(baseline + effect * participation_change, 0.0, 1.0)
    return social_trust + rate * (target - social_trust)


def update_motivation(
    motivation: FloatArray,
    baseline: FloatArray,
    controlling: FloatArray,
    trusted: FloatArray,
    crowding_out_sd: float,
    crowding_in_sd: float,
    rate: float,
) -> FloatArray:
    """Motivation moves toward baseline minus crowding out (controlling conditions, 0-1)
    plus crowding in (trust-based funding, 0-1); shifts are in sd units (Deci et al. 1999)."""
    target = baseline - crowding_out_sd * controlling + crowding_in_sd * trusted
    return motivation + rate * (target - motivation)


def update_efficacy(memory: FloatArray, signal: FloatArray, memory_months: float) -> FloatArray:
    """An exponentially weighted memory of a buurt's decision experiences (-1..1)."""
    return memory + (np.clip(signal, -1.0, 1.0) - memory) / memory_months


def volunteer_hours(
    state: npt.NDArray[np.int8], free_time: FloatArray, active_hours: float, occasional_hours: float
) -> FloatArray:
    """Monthly hours given, capped by free time; initiators give half as much again."""
    by_state = np.zeros(INITIATOR + 1)  # indexed by state: inactive people give none
    by_state[[OCCASIONAL, ACTIVE, INITIATOR]] = occasional_hours, active_hours, 1.5 * active_hours
    nominal: FloatArray = by_state[state]
    return np.minimum(nominal, free_time)


def current_wellbeing(
    baseline: np.ndarray,
    participation_change: np.ndarray,
    needs_change: np.ndarray,
    ownership: np.ndarray,
    social_trust_change: np.ndarray,
    params: Parameters,
) -> np.ndarray:
    """Life satisfaction: baseline plus the effects of changes since the start in
    participation (Meier & Stutzer 2008), needs met (infrastructure), sense of ownership
    and social trust; bounded to [0, 10]."""
    value = (
        baseline
        + params.wellbeing_volunteering_effect * participation_change
        + params.wellbeing_needs_effect * needs_change
        + params.wellbeing_ownership_effect * ownership
        + params.wellbeing_trust_effect * social_trust_change
    )
    return np.clip(value, 0.0, 10.0)


def weighted_total(values: np.ndarray, weight: np.ndarray) -> float:
    """Sum of ``values * weight``. Not ``np.dot``: BLAS splits long dot products over its
    threads, so their last bits depend on ``OPENBLAS_NUM_THREADS``; NumPy's own summation
    gives the same bits whatever the thread count."""
    return float(np.multiply(values, weight).sum())


def weighted_share(mask: np.ndarray, weight: np.ndarray) -> float:
    """Population-weighted share of citizens for whom ``mask`` holds."""
    return weighted_total(mask, weight) / float(weight.sum())


def weighted_mean(values: np.ndarray, weight: np.ndarray) -> float:
    return weighted_total(values, weight) / float(weight.sum())


# --- One month for every citizen ---------------------------------------------------------


@dataclass
class CitizenInputs:
    """What each citizen experiences this month (arrays of length N), computed by the model
    from collectives, neighbourhoods and the regime."""

    own_local: np.ndarray  # own collective's decisions credited to local government (signed)
    own_national: np.ndarray  # own collective's fund decisions credited to national government
    heard_local_positive: np.ndarray  # hearsay of good local decisions in the buurt
    heard_local_negative: np.ndarray
    heard_national_positive: np.ndarray
    heard_national_negative: np.ndarray
    seen_and_fair: np.ndarray  # visible improvement credited locally + procedural fairness
    controlling: np.ndarray  # own collective's reporting load (0-1) x exposure
    trusted: np.ndarray  # exposure while one's collective has a trust-based (fund) grant
    efficacy: np.ndarray  # perceived efficacy of one's buurt
    needs_change: np.ndarray  # change in one's buurt's mean infrastructure since the start
    ownership: np.ndarray  # sense of ownership in one's buurt, 0-1

    def __getitem__(self, index: int) -> dict[str, float]:
        """One citizen's inputs (for the per-citizen reference loop)."""
        return {field.name: float(getattr(self, field.name)[index]) for field in fields(self)}


@dataclass
class CitizenDraws:
    """The random numbers of one month, drawn up front so that the vectorised rules and the
    per-citizen reference loop can be fed the same draws."""

    life_event: np.ndarray  # U(0, 1): threshold redrawn when below life_event_rate
    new_threshold: np.ndarray  # N(0, 1): the standardised new threshold
    acts: np.ndarray  # U(0, 1): acts on willingness when below participation_adjustment_rate

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int) -> CitizenDraws:
        return cls(rng.random(n), rng.standard_normal(n), rng.random(n))


def monthly_update(
    c: Citizens,
    inputs: CitizenInputs,
    draws: CitizenDraws,
    network: Network,
    params: Parameters,
) -> None:
    """One month of every citizen's rules, in order: trust (own, contacts' and heard
    experiences, then fading), social trust, motivation, life events, participation
    (thresholds against the contacts' participation before this month's changes), wellbeing.
    Updates ``c`` in place."""
    weight = params.contact_experience_weight

    def with_contacts(own: np.ndarray) -> np.ndarray:
        # Word of mouth: contacts' own experiences count too (experience is shared; levels
        # of trust are not averaged, which would shrink their spread).
        if not own.any():  # nobody had this experience: nothing to pass on (and no cost)
            return own
        return own + weight * network.neighbour_mean(own)

    c.trust_local = fade_toward(
        asymmetric_trust_update(
            c.trust_local,
            with_contacts(np.maximum(inputs.own_local, 0))
            + inputs.heard_local_positive
            + inputs.seen_and_fair,
            with_contacts(np.maximum(-inputs.own_local, 0)) + inputs.heard_local_negative,
            params.trust_learning_rate,
            params.trust_asymmetry,
        ),
        c.trust_local_baseline,
        params.trust_memory_decay,
    )
    c.trust_national = fade_toward(
        asymmetric_trust_update(
            c.trust_national,
            with_contacts(np.maximum(inputs.own_national, 0)) + inputs.heard_national_positive,
            with_contacts(np.maximum(-inputs.own_national, 0)) + inputs.heard_national_negative,
            params.trust_learning_rate,
            params.trust_asymmetry,
        ),
        c.trust_national_baseline,
        params.trust_memory_decay,
    )
    participating = c.participating.astype(np.float64)
    c.social_trust = update_social_trust(
        c.social_trust,
        c.social_trust_baseline,
        participating - c.participating_initial,
        params.social_trust_participation_effect,
        params.trust_memory_decay,
    )
    c.motivation = update_motivation(
        c.motivation,
        c.motivation_baseline,
        inputs.controlling,
        inputs.trusted,
        params.crowding_out_sd,
        params.crowding_in_sd,
        params.motivation_adjustment_rate,
    )
    c.threshold = redraw_thresholds(
        c.threshold,
        c.threshold_mean,
        params.threshold_sd,
        draws.life_event < params.life_event_rate,
        draws.new_threshold,
    )
    will = willingness(
        network.neighbour_mean(participating),
        c.motivation,
        inputs.efficacy,
        params.motivation_weight,
        params.efficacy_weight,
    )
    target = participation_target(will, c.threshold, c.active_margin)
    c.state = update_participation(
        c.state, target, draws.acts < params.participation_adjustment_rate
    )
    c.wellbeing = current_wellbeing(
        c.wellbeing_baseline,
        c.participating.astype(np.float64) - c.participating_initial,
        inputs.needs_change,
        inputs.ownership,
        c.social_trust - c.social_trust_baseline,
        params,
    )
