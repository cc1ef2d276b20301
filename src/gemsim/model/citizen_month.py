"""One month of every citizen's rules, compiled (Numba) into two passes over the citizens,
and the gathering of their inputs into one.

:func:`gemsim.model.citizens.monthly_update` composes the rules of ``citizens.py``, each a
NumPy expression over all citizens: some sixty passes over the population a month, plus
five sparse products for the contacts' means. This module does the same arithmetic in two
passes, citizen by citizen: first what each citizen passes on to contacts, then each
citizen's rules with the contacts' five means summed together. The operations and their
order are the NumPy rules' (``gemsim.model.compiled``), and the contacts' sums run in the
sparse matrix's order, as SciPy's product does, so every result is the same to the last
bit. :func:`gather_inputs` hands each citizen the month's inputs as
:func:`gemsim.model.perception.gather_inputs` does (a dozen gathers and products over the
population) in one pass. ``tests/test_citizen_month.py`` compares both with the NumPy
rules on random inputs and whole runs.
"""

from __future__ import annotations

import numpy as np

from gemsim.model.citizens import (
    ACTIVE,
    INITIATOR,
    OCCASIONAL,
    CitizenDraws,
    CitizenInputs,
    Citizens,
)
from gemsim.model.compiled import compiled, maximum
from gemsim.model.parameters import Parameters
from gemsim.model.perception import DecisionInputs, InputSources
from gemsim.model.world import Network


@compiled
def _below_one(value: float) -> float:
    return value if value < 1.0 else 1.0


@compiled
def _clip(value: float, low: float, high: float) -> float:
    # np.clip(v, low, high) = min(max(v, low), high)
    value = value if value > low else low
    return value if value < high else high


#: Columns of the experiences passed on through contacts, and participation.
LOCAL_GOOD, LOCAL_BAD, NATIONAL_GOOD, NATIONAL_BAD, PARTICIPATING = range(5)


@compiled
def _trust(
    trust: float,
    baseline: float,
    positive: float,
    negative: float,
    rate: float,
    rate_negative: float,
    decay: float,
) -> float:
    """``fade_toward(asymmetric_trust_update(...))`` for one citizen; ``rate_negative`` is
    ``rate * asymmetry``, multiplied first as the NumPy rule does."""
    rise = _below_one(rate * positive) * (1.0 - trust)
    fall = _below_one(rate_negative * negative) * trust
    learned = _clip(trust + rise - fall, 0.0, 1.0)
    return learned + decay * (baseline - learned)


@compiled
def _kernel(
    state: np.ndarray,
    trust_local: np.ndarray,
    trust_local_baseline: np.ndarray,
    trust_national: np.ndarray,
    trust_national_baseline: np.ndarray,
    social_trust: np.ndarray,
    social_trust_baseline: np.ndarray,
    motivation: np.ndarray,
    motivation_baseline: np.ndarray,
    threshold: np.ndarray,
    wellbeing_baseline: np.ndarray,
    participating_initial: np.ndarray,
    own_local: np.ndarray,
    own_national: np.ndarray,
    heard_local_positive: np.ndarray,
    heard_local_negative: np.ndarray,
    heard_national_positive: np.ndarray,
    heard_national_negative: np.ndarray,
    seen_and_fair: np.ndarray,
    controlling: np.ndarray,
    trusted: np.ndarray,
    efficacy: np.ndarray,
    needs_change: np.ndarray,
    ownership: np.ndarray,
    life_event: np.ndarray,
    new_threshold: np.ndarray,
    acts: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    isolated: np.ndarray,
    scalars: tuple[float, ...],
) -> tuple[np.ndarray, ...]:
    """The month's new trust (local, national), social trust, motivation, thresholds,
    states and wellbeing; ``scalars`` holds the parameters in the order
    :func:`monthly_update` lists them."""
    (
        contact_weight,
        learning_rate,
        asymmetry,
        decay,
        social_effect,
        crowding_out,
        crowding_in,
        motivation_rate,
        threshold_mean,
        threshold_sd,
        life_event_rate,
        motivation_weight,
        efficacy_weight,
        active_margin,
        adjustment_rate,
        volunteering_effect,
        needs_effect,
        ownership_effect,
        trust_effect,
    ) = scalars
    rate_negative = learning_rate * asymmetry
    n = state.size
    # Pass 1: what each citizen passes on to contacts, one row per citizen.
    own = np.empty((n, 5))
    shared = np.zeros(4, dtype=np.bool_)  # does anyone have this experience?
    for i in range(n):
        own[i, LOCAL_GOOD] = maximum(own_local[i], 0.0)
        own[i, LOCAL_BAD] = maximum(-own_local[i], 0.0)
        own[i, NATIONAL_GOOD] = maximum(own_national[i], 0.0)
        own[i, NATIONAL_BAD] = maximum(-own_national[i], 0.0)
        own[i, PARTICIPATING] = 1.0 if state[i] >= OCCASIONAL else 0.0
        for column in range(4):
            if own[i, column] != 0.0:
                shared[column] = True
    new_trust_local = np.empty(n)
    new_trust_national = np.empty(n)
    new_social_trust = np.empty(n)
    new_motivation = np.empty(n)
    new_threshold_values = np.empty(n)
    new_state = np.empty(n, dtype=np.int8)
    new_wellbeing = np.empty(n)
    passed_on = np.empty(4)
    # Pass 2: each citizen's rules, with the contacts' means of pass 1.
    for i in range(n):
        # The contacts' means, summed in the matrix's order from zero as SciPy's product
        # sums them; five independent sums at once.
        sum0 = sum1 = sum2 = sum3 = sum4 = 0.0
        for entry in range(indptr[i], indptr[i + 1]):
            j, w = indices[entry], weights[entry]
            sum0 += w * own[j, 0]
            sum1 += w * own[j, 1]
            sum2 += w * own[j, 2]
            sum3 += w * own[j, 3]
            sum4 += w * own[j, 4]
        if isolated[i]:
            sum0, sum1, sum2, sum3, sum4 = own[i, 0], own[i, 1], own[i, 2], own[i, 3], own[i, 4]
        passed_on[0], passed_on[1], passed_on[2], passed_on[3] = sum0, sum1, sum2, sum3
        for column in range(4):  # unchanged where nobody had it, as the NumPy rule skips it
            if shared[column]:
                passed_on[column] = own[i, column] + contact_weight * passed_on[column]
            else:
                passed_on[column] = own[i, column]
        new_trust_local[i] = _trust(
            trust_local[i],
            trust_local_baseline[i],
            passed_on[LOCAL_GOOD] + heard_local_positive[i] + seen_and_fair[i],
            passed_on[LOCAL_BAD] + heard_local_negative[i],
            learning_rate,
            rate_negative,
            decay,
        )
        new_trust_national[i] = _trust(
            trust_national[i],
            trust_national_baseline[i],
            passed_on[NATIONAL_GOOD] + heard_national_positive[i],
            passed_on[NATIONAL_BAD] + heard_national_negative[i],
            learning_rate,
            rate_negative,
            decay,
        )
        participating = own[i, PARTICIPATING]
        initially = 1.0 if participating_initial[i] else 0.0
        target_trust = _clip(
            social_trust_baseline[i] + social_effect * (participating - initially), 0.0, 1.0
        )
        new_social_trust[i] = social_trust[i] + decay * (target_trust - social_trust[i])
        target_motivation = (
            motivation_baseline[i] - crowding_out * controlling[i] + crowding_in * trusted[i]
        )
        new_motivation[i] = motivation[i] + motivation_rate * (target_motivation - motivation[i])
        if life_event[i] < life_event_rate:
            new_threshold_values[i] = threshold_mean + threshold_sd * new_threshold[i]
        else:
            new_threshold_values[i] = threshold[i]
        will = sum4 + motivation_weight * new_motivation[i] + efficacy_weight * efficacy[i]
        target = 0
        if will >= new_threshold_values[i]:
            target = OCCASIONAL
        if will >= new_threshold_values[i] + active_margin:
            target = ACTIVE
        keeps_lead = state[i] == INITIATOR and target >= ACTIVE
        if acts[i] < adjustment_rate and not keeps_lead:
            new_state[i] = target
        else:
            new_state[i] = state[i]
        now = 1.0 if new_state[i] >= OCCASIONAL else 0.0
        value = (
            wellbeing_baseline[i]
            + volunteering_effect * (now - initially)
            + needs_effect * needs_change[i]
            + ownership_effect * ownership[i]
            + trust_effect * (new_social_trust[i] - social_trust_baseline[i])
        )
        new_wellbeing[i] = _clip(value, 0.0, 10.0)
    return (
        new_trust_local,
        new_trust_national,
        new_social_trust,
        new_motivation,
        new_threshold_values,
        new_state,
        new_wellbeing,
    )


def monthly_update(
    c: Citizens,
    inputs: CitizenInputs,
    draws: CitizenDraws,
    network: Network,
    params: Parameters,
) -> None:
    """:func:`gemsim.model.citizens.monthly_update`, compiled: same rules, same bits."""
    indptr, indices = network.unsigned_rows
    values = (  # in the order _kernel unpacks them
        params.contact_experience_weight,
        params.trust_learning_rate,
        params.trust_asymmetry,
        params.trust_memory_decay,
        params.social_trust_participation_effect,
        params.crowding_out_sd,
        params.crowding_in_sd,
        params.motivation_adjustment_rate,
        c.threshold_mean,
        params.threshold_sd,
        params.life_event_rate,
        params.motivation_weight,
        params.efficacy_weight,
        c.active_margin,
        params.participation_adjustment_rate,
        params.wellbeing_volunteering_effect,
        params.wellbeing_needs_effect,
        params.wellbeing_ownership_effect,
        params.wellbeing_trust_effect,
    )
    scalars = tuple(float(value) for value in values)  # one type: one compiled kernel
    (
        c.trust_local,
        c.trust_national,
        c.social_trust,
        c.motivation,
        c.threshold,
        c.state,
        c.wellbeing,
    ) = _kernel(
        c.state,
        c.trust_local,
        c.trust_local_baseline,
        c.trust_national,
        c.trust_national_baseline,
        c.social_trust,
        c.social_trust_baseline,
        c.motivation,
        c.motivation_baseline,
        c.threshold,
        c.wellbeing_baseline,
        c.participating_initial,
        inputs.own_local,
        inputs.own_national,
        inputs.heard_local_positive,
        inputs.heard_local_negative,
        inputs.heard_national_positive,
        inputs.heard_national_negative,
        inputs.seen_and_fair,
        inputs.controlling,
        inputs.trusted,
        inputs.efficacy,
        inputs.needs_change,
        inputs.ownership,
        draws.life_event,
        draws.new_threshold,
        draws.acts,
        indptr,
        indices,
        network.mean_operator.data,
        network.isolated,
        scalars,
    )


@compiled
def _gather(
    collective: np.ndarray,
    home: np.ndarray,
    local_by_row: np.ndarray,
    experience_fund: np.ndarray,
    experience_local: np.ndarray,
    controlling: np.ndarray,
    grant_until: np.ndarray,
    month: int,
    share: float,
    fund_national: float,
    municipal_national: float,
    per_buurt: tuple[np.ndarray, ...],
    fair: np.ndarray,
    has_fair: bool,
) -> tuple[np.ndarray, ...]:
    """The twelve columns of :class:`CitizenInputs`, in its order; ``per_buurt`` holds the
    sources' per-buurt arrays in the order :func:`gather_inputs` lists them."""
    hlp, hln, hnp, hnn, seen, efficacy, needs, ownership = per_buurt
    n = collective.size
    own_local, own_national = np.empty(n), np.empty(n)
    heard_lp, heard_ln, heard_np, heard_nn = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    seen_and_fair, controlled, trusted = np.empty(n), np.empty(n), np.empty(n)
    efficacy_out, needs_out, ownership_out = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        member = collective[i] >= 0
        row = collective[i] if member else 0  # np.maximum(collective, 0)
        exposure = (1.0 if member else 0.0) * share  # member * share
        own_local[i] = exposure * local_by_row[row]
        own_national[i] = (
            exposure * fund_national * experience_fund[row]
            + exposure * municipal_national * experience_local[row]
        )
        b = home[i]
        heard_lp[i] = hlp[b]
        heard_ln[i] = hln[b]
        heard_np[i] = hnp[b]
        heard_nn[i] = hnn[b]
        seen_and_fair[i] = seen[b] + fair[i] if has_fair else seen[b] + 0.0
        controlled[i] = exposure * controlling[row]
        running = 1.0 if grant_until[row] > month else 0.0
        trusted[i] = exposure * running * (1.0 - controlling[row])
        efficacy_out[i] = efficacy[b]
        needs_out[i] = needs[b]
        ownership_out[i] = ownership[b]
    return (
        own_local,
        own_national,
        heard_lp,
        heard_ln,
        heard_np,
        heard_nn,
        seen_and_fair,
        controlled,
        trusted,
        efficacy_out,
        needs_out,
        ownership_out,
    )


def gather_inputs(
    collective: np.ndarray, neighbourhood: np.ndarray, s: InputSources
) -> CitizenInputs:
    """:func:`gemsim.model.perception.gather_inputs`, compiled: same inputs, same bits."""
    per_buurt = (  # in the order _gather unpacks them
        s.heard_local_positive,
        s.heard_local_negative,
        s.heard_national_positive,
        s.heard_national_negative,
        s.seen,
        s.efficacy,
        s.needs_change,
        s.ownership,
    )
    fair = np.empty(0) if s.fair is None else s.fair
    return CitizenInputs(
        *_gather(
            collective,
            neighbourhood,
            s.local_by_row,
            s.experience_fund,
            s.experience_local,
            s.controlling,
            s.grant_until,
            int(s.month),
            float(s.exposure_share),
            float(s.fund_attribution_national),
            float(s.municipal_attribution_national),
            tuple(np.asarray(a, dtype=np.float64) for a in per_buurt),
            np.asarray(fair, dtype=np.float64),
            s.fair is not None,
        )
    )


@compiled
def _fairness(
    state: np.ndarray,
    home: np.ndarray,
    fairness: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    isolated: np.ndarray,
    turnout: float,
    signal: float,
    contact_weight: float,
) -> np.ndarray:
    """:func:`gemsim.model.perception.procedural_fairness`'s arithmetic: each citizen's own
    signal, then (if anyone has one) plus the contacts' mean, summed in the sparse
    matrix's order from zero as SciPy's product sums it."""
    n = state.size
    fair = np.empty(n)
    anyone = False
    for i in range(n):
        participating = 1.0 if state[i] >= OCCASIONAL else 0.0
        fair[i] = signal * (turnout * participating * fairness[home[i]])
        if fair[i] != 0.0:  # as ndarray.any(): NaN counts, -0.0 does not
            anyone = True
    if not anyone:
        return fair
    passed_on = np.empty(n)
    for i in range(n):
        total = 0.0
        for entry in range(indptr[i], indptr[i + 1]):
            total += weights[entry] * fair[indices[entry]]
        mean = fair[i] if isolated[i] else total
        passed_on[i] = fair[i] + contact_weight * mean
    return passed_on


def procedural_fairness(
    c: Citizens, fairness: np.ndarray, network: Network, params: Parameters
) -> np.ndarray:
    """:func:`gemsim.model.perception.procedural_fairness`, compiled: same bits."""
    indptr, indices = network.unsigned_rows
    fair: np.ndarray = _fairness(
        c.state,
        c.neighbourhood,
        np.asarray(fairness, dtype=np.float64),
        indptr,
        indices,
        network.mean_operator.data,
        network.isolated,
        float(params.co_decision_turnout),
        float(params.procedural_fairness_signal),
        float(params.contact_experience_weight),
    )
    return fair


@compiled
def decision_signals(inputs: DecisionInputs) -> tuple[np.ndarray, ...]:
    """:func:`gemsim.model.perception.decision_signals`, compiled (same bits): one pass
    over the living collectives, the buurt sums in row order from zero (as
    ``np.bincount`` adds them), each divided by the buurt's count of collectives (at
    least 1)."""
    rows, buurt_of_row, co_decision, experience_local, experience_fund = inputs[:5]
    fairness, improvement, capacity, has_fund, weights = inputs[5:]
    fund_local, municipal_local, fund_national, municipal_national, hearsay, attributed = weights
    n_b = improvement.size
    counts = np.zeros(n_b, dtype=np.int64)
    sums = np.zeros((5, n_b))  # outcome, local +/-, national +/-
    local_by_row = np.zeros(capacity)
    for j in range(rows.size):
        row, buurt = rows[j], buurt_of_row[j]
        own_local, own_fund = experience_local[row], experience_fund[row]
        attribution = fund_local + (1 - fund_local) * co_decision[j]
        local = municipal_local * own_local + attribution * own_fund
        national = fund_national * own_fund + municipal_national * own_local
        if has_fund and own_fund != 0 and co_decision[j] > 0:
            fairness[buurt] = maximum(fairness[buurt], co_decision[j])
        counts[buurt] += 1
        sums[0, buurt] += own_local + own_fund
        sums[1, buurt] += maximum(local, 0.0)
        sums[2, buurt] += maximum(-local, 0.0)
        sums[3, buurt] += maximum(national, 0.0)
        sums[4, buurt] += maximum(-national, 0.0)
        local_by_row[row] = local
    outcome = np.empty(n_b)
    heard = np.empty((4, n_b))
    seen = np.empty(n_b)
    for b in range(n_b):
        count = counts[b] if counts[b] > 1 else 1
        outcome[b] = sums[0, b] / count
        for k in range(4):
            heard[k, b] = hearsay * (sums[k + 1, b] / count)
        seen[b] = attributed * improvement[b]
    return local_by_row, outcome, heard[0], heard[1], heard[2], heard[3], seen
