"""Moved to :mod:`gemsim.study` (scenario files: :mod:`gemsim.study.scenarios`, experiment
files: :mod:`gemsim.study.experiment`); this path is kept so that existing imports work."""

from gemsim.study.scenario import *  # noqa: F403
from gemsim.study.scenario import __all__ as __all__
