"""Small model configurations shared by the model tests (fast, still with every mechanism),
and whole runs with a compiled rule against its NumPy rule."""

SMALL = {
    "n_municipalities": 2,
    "neighbourhoods_per_municipality": 12,
    "inhabitants_per_agent": 25,
    "months": 36,
}

ALL_STREAMS = {"social_infrastructure": True, "movement_infrastructure": True}

REGIMES = ("status_quo", "subsidy_channel", "direct_fund", "hybrid")


def runs_with_numpy_rules(monkeypatch, module, numpy_rules, regime, seed):
    """Two small runs with every mechanism at ``seed``: one as the model runs (compiled
    rules), one with ``module``'s functions replaced by ``numpy_rules`` (name -> the NumPy
    rule). Asserts their reported months are equal; returns both models (compiled first)
    for the caller to compare their final state."""
    from gemsim import CommunityModel

    overrides = {**SMALL, "regime": regime, **ALL_STREAMS}
    compiled = CommunityModel(rng=seed, **overrides)
    compiled_frame = compiled.run()
    for name, rule in numpy_rules.items():
        monkeypatch.setattr(module, name, rule)
    with_numpy = CommunityModel(rng=seed, **overrides)
    assert compiled_frame.equals(with_numpy.run())
    return compiled, with_numpy
