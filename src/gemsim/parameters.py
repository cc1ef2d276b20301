"""Moved to :mod:`gemsim.model.parameters`; this path is kept so that existing imports work."""

from gemsim.model.parameters import *  # noqa: F403
