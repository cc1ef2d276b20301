"""A straightforward per-citizen implementation of the citizens' monthly rules.

Each citizen is a plain Mesa agent with scalar attributes and a list of contacts; one
month is ``step()`` (decide the new state from last month's state of the contacts) then
``advance()`` (adopt it) for every agent. It implements exactly the rules of
:func:`gemsim.model.citizens.monthly_update`, one citizen at a time, so it serves two purposes:

- the tests' oracle: given the same inputs and random draws, it must produce the same new
  state as the vectorised rules;
- the benchmark's yardstick for what vectorising the hot rules buys (``gemsim bench``).

It is deliberately unoptimised: this is how one would first write the model in Mesa.
"""

from __future__ import annotations

from typing import NamedTuple

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario

from gemsim.model.citizens import (
    ACTIVE,
    INACTIVE,
    INITIATOR,
    OCCASIONAL,
    CitizenDraws,
    CitizenInputs,
    Citizens,
)
from gemsim.model.parameters import Parameters
from gemsim.model.world import Network


class LoopState(NamedTuple):
    """One citizen's state that the monthly rules change."""

    trust_local: float
    trust_national: float
    social_trust: float
    motivation: float
    threshold: float
    state: int
    wellbeing: float


STATE_COLUMNS = LoopState._fields


class LoopCitizen(mesa.Agent["LoopPopulation"]):
    """One citizen with scalar state, updated by plain Python arithmetic."""

    def __init__(self, model: LoopPopulation, index: int, c: Citizens, contacts: list[int]) -> None:
        super().__init__(model)
        self.index = index
        self.contacts = contacts
        self.trust_local = c.trust_local[index].item()
        self.trust_national = c.trust_national[index].item()
        self.social_trust = c.social_trust[index].item()
        self.motivation = c.motivation[index].item()
        self.threshold = c.threshold[index].item()
        self.state = c.state[index].item()
        self.wellbeing = c.wellbeing[index].item()
        self.trust_local_baseline = c.trust_local_baseline[index].item()
        self.trust_national_baseline = c.trust_national_baseline[index].item()
        self.social_trust_baseline = c.social_trust_baseline[index].item()
        self.motivation_baseline = c.motivation_baseline[index].item()
        self.wellbeing_baseline = c.wellbeing_baseline[index].item()
        self.participating_initial = float(c.participating_initial[index])
        self._next = self.now()

    def now(self) -> LoopState:
        return LoopState(
            self.trust_local,
            self.trust_national,
            self.social_trust,
            self.motivation,
            self.threshold,
            self.state,
            self.wellbeing,
        )

    def contacts_mean(self, values: list[float]) -> float:
        """Mean over contacts, summed in the same order and form as the vectorised rule."""
        if not self.contacts:
            return values[self.index]
        weight = 1.0 / len(self.contacts)
        total = 0.0
        for contact in self.contacts:
            total += weight * values[contact]
        return total

    def step(self) -> None:
        model: LoopPopulation = self.model
        p, x, i = model.params, model.inputs[self.index], self.index
        draw_life, draw_threshold, draw_act = model.draws

        def with_contacts(own: list[float]) -> float:
            return own[i] + p.contact_experience_weight * self.contacts_mean(own)

        def learn(trust: float, positive: float, negative: float, baseline: float) -> float:
            rise = min(p.trust_learning_rate * positive, 1.0) * (1.0 - trust)
            fall = min(p.trust_learning_rate * p.trust_asymmetry * negative, 1.0) * trust
            trust = min(max(trust + rise - fall, 0.0), 1.0)
            return trust + p.trust_memory_decay * (baseline - trust)

        trust_local = learn(
            self.trust_local,
            with_contacts(model.own_local_positive)
            + x["heard_local_positive"]
            + x["seen_and_fair"],
            with_contacts(model.own_local_negative) + x["heard_local_negative"],
            self.trust_local_baseline,
        )
        trust_national = learn(
            self.trust_national,
            with_contacts(model.own_national_positive) + x["heard_national_positive"],
            with_contacts(model.own_national_negative) + x["heard_national_negative"],
            self.trust_national_baseline,
        )

        participating = 1.0 if self.state >= OCCASIONAL else 0.0
        target_social = min(
            max(
                self.social_trust_baseline
                + p.social_trust_participation_effect
                * (participating - self.participating_initial),
                0.0,
            ),
            1.0,
        )
        social_trust = self.social_trust + p.trust_memory_decay * (
            target_social - self.social_trust
        )

        target_motivation = (
            self.motivation_baseline
            - p.crowding_out_sd * x["controlling"]
            + p.crowding_in_sd * x["trusted"]
        )
        motivation = self.motivation + p.motivation_adjustment_rate * (
            target_motivation - self.motivation
        )

        threshold = self.threshold
        if draw_life[i] < p.life_event_rate:
            threshold = model.threshold_mean + p.threshold_sd * draw_threshold[i]

        will = (
            self.contacts_mean(model.participating)
            + p.motivation_weight * motivation
            + p.efficacy_weight * x["efficacy"]
        )
        if will >= threshold + model.active_margin:
            target = ACTIVE
        elif will >= threshold:
            target = OCCASIONAL
        else:
            target = INACTIVE
        state = self.state
        keeps_lead = state == INITIATOR and target >= ACTIVE
        if draw_act[i] < p.participation_adjustment_rate and not keeps_lead:
            state = target

        now_participating = 1.0 if state >= OCCASIONAL else 0.0
        wellbeing = (
            self.wellbeing_baseline
            + p.wellbeing_volunteering_effect * (now_participating - self.participating_initial)
            + p.wellbeing_needs_effect * x["needs_change"]
            + p.wellbeing_ownership_effect * x["ownership"]
            + p.wellbeing_trust_effect * (social_trust - self.social_trust_baseline)
        )
        self._next = LoopState(
            trust_local=trust_local,
            trust_national=trust_national,
            social_trust=social_trust,
            motivation=motivation,
            threshold=threshold,
            state=state,
            wellbeing=min(max(wellbeing, 0.0), 10.0),
        )

    def advance(self) -> None:
        (
            self.trust_local,
            self.trust_national,
            self.social_trust,
            self.motivation,
            self.threshold,
            self.state,
            self.wellbeing,
        ) = self._next


class LoopPopulation(mesa.Model[LoopCitizen, Scenario["LoopPopulation"]]):
    """Citizens as objects, stepped one by one (the per-citizen reference)."""

    def __init__(self, c: Citizens, network: Network, params: Parameters) -> None:
        super().__init__(rng=0)
        self.params = params
        self.threshold_mean = c.threshold_mean
        self.active_margin = c.active_margin
        contacts = [
            network.indices[network.indptr[i] : network.indptr[i + 1]].tolist()
            for i in range(c.size)
        ]
        self.citizens = [LoopCitizen(self, i, c, contacts[i]) for i in range(c.size)]

    def month(self, inputs: CitizenInputs, draws: CitizenDraws) -> None:
        """One month: every citizen decides from last month's state, then all adopt."""
        n = len(self.citizens)
        self.inputs = [inputs[i] for i in range(n)]
        self.draws = (draws.life_event.tolist(), draws.new_threshold.tolist(), draws.acts.tolist())
        own_local = inputs.own_local.tolist()
        own_national = inputs.own_national.tolist()
        self.own_local_positive = [max(v, 0.0) for v in own_local]
        self.own_local_negative = [max(-v, 0.0) for v in own_local]
        self.own_national_positive = [max(v, 0.0) for v in own_national]
        self.own_national_negative = [max(-v, 0.0) for v in own_national]
        self.participating = [1.0 if a.state >= OCCASIONAL else 0.0 for a in self.citizens]
        for agent in self.citizens:
            agent.step()
        for agent in self.citizens:
            agent.advance()

    def state(self) -> dict[str, np.ndarray]:
        """The population's state as arrays, for comparison with the vectorised rules."""
        states = [agent.now() for agent in self.citizens]
        return {name: np.array([getattr(s, name) for s in states]) for name in STATE_COLUMNS}


__all__ = ["STATE_COLUMNS", "LoopCitizen", "LoopPopulation"]
