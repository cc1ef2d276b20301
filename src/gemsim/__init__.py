"""gemsim: an agent-based simulation of community investment (Mesa 3).

Citizens, citizen collectives and municipalities interact month by month under a
funding regime (status quo, subsidy channel, direct community fund, hybrid).
Heavy modules are imported lazily so that ``gemsim --help`` starts quickly.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "CommunityModel": "gemsim.model.model",
    "Parameters": "gemsim.model.parameters",
    "load_scenario": "gemsim.study.scenarios",
}

__all__ = ["CommunityModel", "Parameters", "__version__", "load_scenario"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gemsim' has no attribute {name!r}")
