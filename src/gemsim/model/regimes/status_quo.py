"""status_quo: only today's municipal small subsidies; no extra money."""

from gemsim.model.regimes.base import FundingRegime, register


@register
class StatusQuo(FundingRegime):
    name = "status_quo"
    description = "Today's municipal small subsidies only; no extra money."
