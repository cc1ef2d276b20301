"""Small model configurations shared by the model tests (fast, still with every mechanism)."""

SMALL = {
    "n_municipalities": 2,
    "neighbourhoods_per_municipality": 12,
    "inhabitants_per_agent": 25,
    "months": 36,
}

ALL_STREAMS = {"social_infrastructure": True, "movement_infrastructure": True}

REGIMES = ("status_quo", "subsidy_channel", "direct_fund", "hybrid")
