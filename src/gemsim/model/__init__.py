"""The simulation: parameters, world, agents, regimes and the monthly schedule.

This package imports nothing from the workflow packages (``gemsim.study``,
``gemsim.experiments``, ``gemsim.analysis``, the command line). Mesa is imported only
when the model itself is needed, so that ``gemsim.model.parameters`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "CommunityModel": "gemsim.model.model",
    "MODEL_REPORTERS": "gemsim.model.model",
    "MONEY_REPORTERS": "gemsim.model.model",
    "Parameters": "gemsim.model.parameters",
    "ParameterError": "gemsim.model.parameters",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gemsim.model' has no attribute {name!r}")
