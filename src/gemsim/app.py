"""The dashboard's entry point for Solara: ``solara run src/gemsim/app.py`` (or
``gemsim dashboard``). Needs the visualisation extra: ``pip install 'gemsim[viz]'``.

The page itself is :mod:`gemsim.dashboard`; each visitor gets their own model and
comparison.
"""

from gemsim.dashboard.page import Page

__all__ = ["Page"]
