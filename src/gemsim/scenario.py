"""Moved to :mod:`gemsim.study.scenario`; this path is kept so that existing imports work."""

from gemsim.study.scenario import *  # noqa: F403
from gemsim.study.scenario import __all__ as __all__
