"""The small interface every funding regime implements, and the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from gemsim.model.collectives import MUNICIPAL

if TYPE_CHECKING:
    from gemsim.model.model import CommunityModel

REGIMES: dict[str, type[FundingRegime]] = {}


def register[R: type[FundingRegime]](cls: R) -> R:
    """Class decorator: make a regime available under its ``name``."""
    REGIMES[cls.name] = cls
    return cls


class FundingRegime:
    """How money reaches collectives. The default behaviour is today's: municipal small
    subsidies only. Subclasses override the hooks they change."""

    name: ClassVar[str] = "base"
    description: ClassVar[str] = ""
    adds_money: ClassVar[bool] = False  # receives `extra_funding_eur_per_year`
    has_fund: ClassVar[bool] = False

    def extra_money_cents(self, model: CommunityModel) -> int:
        """This year's extra national money scaled to the region (0 without extra money)."""
        if not self.adds_money:
            return 0
        return round(model.params.extra_funding_eur_per_year * model.population_share * 100)

    def yearly_inflow(self, model: CommunityModel) -> None:
        """Money that arrives each January. Default: the municipalities' own budgets."""
        model.municipal_budgets.replenish(
            extra_cents=0, replaced_share=0.0, carry_over=model.params.municipal_carry_over
        )

    def route(self, model: CommunityModel, rows: np.ndarray) -> np.ndarray:
        """The channel each applying collective applies to."""
        return np.full(rows.size, MUNICIPAL)

    def decision_months(self, model: CommunityModel, channel: np.ndarray) -> np.ndarray:
        """Months until each application is decided."""
        params = model.params
        return model.rng.integers(
            params.municipal_decision_months_min,
            params.municipal_decision_months_max + 1,
            channel.size,
        )

    def decide(self, model: CommunityModel) -> None:
        """Decide the applications that are due."""
        from gemsim.model import desk_month  # the compiled desk (the NumPy rule's bits)

        desk_month.decide_municipal_applications(model)

    def local_attribution(self, model: CommunityModel) -> np.ndarray:
        """Per municipality, the share in which it co-decides on fund decisions (0-1): it
        adds local credit for them (``fund_attribution_local``) and is felt as procedural
        fairness (docs/ODD.md, 7.12)."""
        return np.zeros(model.region.n_municipalities)
