"""Moved to :mod:`gemsim.model.regimes`; this path is kept so that existing imports work."""

from gemsim.model.regimes import *  # noqa: F403
from gemsim.model.regimes import __all__ as __all__
