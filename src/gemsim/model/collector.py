"""The model's DataCollector: Mesa's, with every declared outcome evaluated in one pass.

:class:`OutcomeCollector` is a :class:`mesa.DataCollector` (``model_reporters`` maps each
outcome's name to its function, ``get_model_vars_dataframe`` and Mesa's ``batch_run``
work as usual). Its ``collect`` computes all values with
:func:`gemsim.model.outcomes.monthly_values`, which shares what several reporters read,
and stores them without Mesa's per-value deep copy (every value is a Python number).
Reporters added later, or agent reporters, fall back to Mesa's own ``collect``.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import mesa

from gemsim.model import outcomes
from gemsim.model.outcomes import CitizenConstants, Outcome

_IMMUTABLE = (int, float, bool, str, tuple)


class OutcomeCollector(mesa.DataCollector):
    """Mesa's DataCollector for ``declared`` outcomes (default: all of them)."""

    def __init__(self, declared: tuple[Outcome, ...] | None = None) -> None:
        self.outcomes = outcomes.OUTCOMES if declared is None else declared
        reporters = {outcome.name: outcome.function for outcome in self.outcomes}
        mesa.DataCollector.__init__(self, model_reporters=reporters)
        self._reporters = dict(reporters)
        self._constants = CitizenConstants()

    def collect(self, model: Any) -> None:
        if (
            self.model_reporters != self._reporters
            or self.agent_reporters
            or self.agenttype_reporters
        ):
            mesa.DataCollector.collect(self, model)
            return
        values = outcomes.monthly_values(model, self.outcomes, self._constants)
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        for name, value in values.items():
            self.model_vars[name].append(
                value if isinstance(value, _IMMUTABLE) else deepcopy(value)
            )
