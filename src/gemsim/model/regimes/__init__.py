"""Funding regimes: interchangeable strategies registered by name.

Adding a regime means adding one module to this package that defines a subclass of
:class:`~gemsim.model.regimes.base.FundingRegime` decorated with :func:`register`; modules here
are imported automatically.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from gemsim.model.regimes.base import REGIMES, FundingRegime, register

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        import_module(f"{__name__}.{_module.name}")

__all__ = ["REGIMES", "FundingRegime", "make_regime", "register"]


def make_regime(name: str) -> FundingRegime:
    """The regime registered as ``name``."""
    try:
        return REGIMES[name]()
    except KeyError:
        raise ValueError(
            f"unknown regime {name!r}; allowed: {', '.join(sorted(REGIMES))}"
        ) from None
