"""One root for gemsim's exceptions.

``UserError`` is bad input the user can fix (a file, a parameter, an option): the command
line prints its message and exits with status 2, without a traceback. ``RunError`` is a
run or analysis that could not finish: exit status 1.
"""

from __future__ import annotations


class GemsimError(Exception):
    """Base of every exception gemsim raises on purpose."""


class UserError(GemsimError):
    """Bad input: a scenario or experiment file, a parameter value, an option (exit 2)."""


class RunError(GemsimError):
    """A run, an experiment or an analysis that could not be completed (exit 1)."""
