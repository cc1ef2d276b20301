"""Month-0 states shared by runs that differ only in what happens after month 0.

Building a run's month 0 (the region, the initial agents and the spin-up of section 5.5)
takes about half of a small region's run. Two runs with the same integer seed whose
parameters differ only in :data:`AFTER_MONTH_0` build the same month 0, bit for bit: the
set-up reads none of these parameters, and the spin-up runs the status quo's funding
without investment streams whatever the regime. A study runs every scenario at the same
seeds (common random numbers), and its scenarios differ only in these parameters, so a
process keeps the last few month-0 states (pickled) and restores one instead of building
it again. A restored run equals a built one (``tests/test_month_zero.py``).

Sharing is off unless a study's run function turns it on
(:func:`gemsim.study.simulation.simulate`): code that builds models itself, such as a
notebook that patches or reloads set-up code, always builds its own month 0. The key
holds the model's class, so a subclass that builds month 0 differently never shares
with another class.

The state is the model's own attributes and the Mesa state its set-up changes (the random
generators, the registered agents and their id counter); Mesa's schedule and event list are
the new model's. Restoring unpickles that state into the new model: references to the
model, its parameters and its regime are pickled as placeholders and resolved to the new
run's own, so the shared state never carries another run's parameters.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel
    from gemsim.model.parameters import Parameters

#: Parameters nothing before month 0 reads (``tests/test_month_zero.py`` checks that the
#: build reads none of them, for every regime and approval rule with both streams on):
#: the horizon, the regime and the parameters only other regimes than the status quo read
#: (the spin-up runs the status quo's funding for every regime, and the regime is made
#: anew for each run), the investment streams and what they pay for (switched off in the
#: spin-up; no buurt has movement support before the stream's first month), founding
#: and dissolution (paused in the spin-up), the Social Handprint's valuation (a step's,
#: after month 0) and the in-order threshold (an output).
AFTER_MONTH_0: frozenset[str] = frozenset(
    {
        "months",
        # regimes
        "regime",
        "subsidy_replacement_share",
        "extra_funding_eur_per_year",
        "fund_approval_base",
        "fund_approval_rule",
        "allocation_rule",
        "fund_carry_over",
        "fund_compliance_cost_share",
        "fund_decision_months",
        "fund_decision_months_spread",
        "fund_grant_cap_eur_per_year",
        "fund_grant_years",
        "fund_own_contribution_share",
        "fund_envelope_period",
        "fund_minimum_quality",
        "fund_payment",
        "fund_referral_months",
        "fund_reporting_hours",
        "hybrid_extra_decision_months",
        "procedural_fairness_signal",
        "co_decision_turnout",
        # investment streams
        "social_infrastructure",
        "social_infrastructure_eur",
        "social_infrastructure_years",
        "social_infrastructure_overhead_share",
        "movement_infrastructure",
        "movement_infrastructure_eur",
        "movement_infrastructure_years",
        "movement_low_ses_priority",
        "movement_founding_boost",
        "movement_support_effect",
        "movement_support_saturation_eur",
        "support_reporting_relief",
        # founding and dissolution
        "founding_innovation_rate",
        "founding_imitation_rate",
        "founding_means_eur",
        "founding_contribution_months",
        "resident_initiative_potential_national",
        "care_cooperative_potential_national",
        "housing_cooperative_potential_national",
        "neighbourhood_enterprise_potential_national",
        "energy_cooperative_potential_national",
        "social_enterprise_potential_national",
        "dissolution_rate_per_year",
        "dissolution_grace_months",
        # outputs
        "handprint_eur_per_volunteer_hour",
        "handprint_eur_per_stock_unit_inhabitant_year",
        "handprint_eur_per_participant_year",
        "in_order_threshold",
    }
)
#: The run's own objects, pickled as placeholders and resolved to the restoring run's.
_OWN = ("params", "regime")
_MODEL = "model"
#: Mesa's attributes that building month 0 changes: its random generators (drawn from),
#: the agent registry and the agents' id counter.
MESA_STATE = ("rng", "random", "agent_id_counter", "_agents_by_type", "_all_agents")


@cache
def _mesa_attributes() -> frozenset[str]:
    """The attributes ``mesa.Model.__init__`` sets (schedule, event list, counters, ...)."""
    return frozenset(vars(mesa.Model(rng=0)))


def _state_names(model: CommunityModel) -> list[str]:
    mesa_names = _mesa_attributes()
    return [
        name
        for name in vars(model)
        if name not in _OWN and (name not in mesa_names or name in MESA_STATE)
    ]


def sharing_key(model_type: type, params: Parameters, rng: object) -> Hashable | None:
    """What a month-0 state depends on: the model's class, the seed and every parameter
    outside :data:`AFTER_MONTH_0`; ``None`` (never shared) unless the seed is an integer."""
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        return None
    return (
        f"{model_type.__module__}.{model_type.__qualname__}",
        int(rng),
        before_month_0(params.model_dump()),
    )


def before_month_0(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """``values`` of the parameters outside :data:`AFTER_MONTH_0`, sorted by name, as
    ``(name, repr(value))``."""
    return tuple(
        (name, repr(value)) for name, value in sorted(values.items()) if name not in AFTER_MONTH_0
    )


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, placeholders: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._placeholders = placeholders

    def persistent_id(self, obj: Any) -> str | None:
        return self._placeholders.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: dict[str, Any]) -> None:
        super().__init__(file)
        self._objects = objects

    def persistent_load(self, pid: Any) -> Any:
        return self._objects[pid]


def _own_objects(model: CommunityModel) -> dict[str, Any]:
    return {_MODEL: model, **{name: getattr(model, name) for name in _OWN}}


def dump(model: CommunityModel) -> bytes:
    """The model's state at month 0, without its parameters and regime."""
    buffer = io.BytesIO()
    placeholders = {id(obj): name for name, obj in _own_objects(model).items()}
    _Pickler(buffer, placeholders).dump(
        {name: getattr(model, name) for name in _state_names(model)}
    )
    return buffer.getvalue()


def load(model: CommunityModel, state: bytes) -> None:
    """Give ``model`` (with its own parameters and regime set) the stored month-0 state."""
    vars(model).update(_Unpickler(io.BytesIO(state), _own_objects(model)).load())


class MonthZeroStates:
    """The last ``capacity`` month-0 states built in this process, by :func:`sharing_key`,
    at most ``max_bytes`` together (a national run's state is about 70 MB). Only while
    ``enabled``; otherwise every run builds its own month 0."""

    def __init__(
        self, capacity: int = 4, max_bytes: int = 256 * 2**20, *, enabled: bool = True
    ) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.enabled = enabled
        self.hits = 0
        self.misses = 0
        self._states: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, model: CommunityModel, rng: object) -> Hashable | None:
        """The :func:`sharing_key` of ``model`` while sharing is on, else ``None``."""
        return sharing_key(type(model), model.params, rng) if self.enabled else None

    def restore(self, model: CommunityModel, key: Hashable | None) -> bool:
        """Give ``model`` the stored state of ``key``; False if there is none."""
        if key is None or not self.enabled:
            return False
        with self._lock:
            state = self._states.get(key)
            if state is None:
                self.misses += 1
                return False
            self._states.move_to_end(key)
            self.hits += 1
        load(model, state)
        return True

    def keep(self, model: CommunityModel, key: Hashable | None) -> None:
        """Store ``model``'s month-0 state under ``key`` (dropping the oldest beyond
        ``capacity``)."""
        if key is None or not self.enabled or self.capacity < 1:
            return
        state = dump(model)
        if len(state) > self.max_bytes:
            return
        with self._lock:
            self._states[key] = state
            self._states.move_to_end(key)
            while len(self._states) > self.capacity or self._bytes() > self.max_bytes:
                self._states.popitem(last=False)

    def _bytes(self) -> int:
        return sum(len(state) for state in self._states.values())

    @contextlib.contextmanager
    def sharing(self) -> Iterator[None]:
        """Share month-0 states within this block (then as before)."""
        before, self.enabled = self.enabled, True
        try:
            yield
        finally:
            self.enabled = before

    def clear(self) -> None:
        with self._lock:
            self._states.clear()
            self.hits = self.misses = 0


#: This process's shared month-0 states; off until a study's run function turns it on.
SHARED = MonthZeroStates(enabled=False)
