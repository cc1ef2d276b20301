"""The SolaraViz dashboard builds and renders (needs the viz extra)."""

import pytest

solara = pytest.importorskip("solara")


def test_dashboard_renders_with_the_model():
    from gemsim import app

    _box, rendered = solara.render(app.page, handle_error=False)
    assert rendered is not None


def test_neighbourhood_panel_draws_for_a_running_model():
    from gemsim import app
    from gemsim.model.model import CommunityModel

    model = CommunityModel(rng=1, n_municipalities=1, months=3)
    model.step()
    element = app.neighbourhoods_by_ses(model)
    assert element is not None
