"""Interactive dashboard on Mesa's SolaraViz: ``solara run src/gemsim/app.py``.

Needs the visualisation extra: ``pip install 'gemsim[viz]'``. Pick a regime, switch the
investment streams on or off, step or play the months, and watch trust, participation,
wellbeing, infrastructure and money; the last panel shows the neighbourhoods by SES.
"""

from __future__ import annotations

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component

from gemsim.model.model import CommunityModel
from gemsim.model.regimes import REGIMES

SMALL_REGION = {"n_municipalities": 3, "months": 120}

model_params = {
    "rng": {"type": "InputText", "value": 42, "label": "Random seed"},
    "regime": {
        "type": "Select",
        "value": "status_quo",
        "values": sorted(REGIMES),
        "label": "Funding regime",
    },
    "social_infrastructure": {
        "type": "Checkbox",
        "value": False,
        "label": "Social infrastructure stream (EUR 500M)",
    },
    "movement_infrastructure": {
        "type": "Checkbox",
        "value": False,
        "label": "Movement infrastructure stream (EUR 10M)",
    },
    "extra_funding_eur_per_year": {
        "type": "SliderFloat",
        "value": 50e6,
        "min": 0,
        "max": 200e6,
        "step": 10e6,
        "label": "Extra national money per year (EUR)",
    },
    "reporting_burden_multiplier": {
        "type": "SliderFloat",
        "value": 1.0,
        "min": 0.0,
        "max": 5.0,
        "step": 0.25,
        "label": "Reporting burden (x)",
    },
    "n_municipalities": {
        "type": "SliderInt",
        "value": 3,
        "min": 1,
        "max": 10,
        "step": 1,
        "label": "Municipalities",
    },
    "months": 120,
}


def neighbourhoods_by_ses(model: CommunityModel):
    """Participation and wellbeing per buurt against its SES, in order or not."""
    frame = model.neighbourhood_frame()
    figure = Figure(figsize=(7, 3))
    left, right = figure.subplots(1, 2)
    colours = frame["in_order"].map({True: "tab:green", False: "tab:red"})
    left.scatter(frame["ses"], frame["participation"], c=colours, s=12)
    left.set(xlabel="buurt SES (standardised)", ylabel="share participating")
    right.scatter(frame["ses"], frame["wellbeing"], c=colours, s=12)
    right.set(xlabel="buurt SES (standardised)", ylabel="mean life satisfaction (0-10)")
    figure.suptitle(f"Month {model.steps}: buurten in order (green) or not (red)")
    figure.tight_layout()
    return solara.FigureMatplotlib(figure)


components = [
    make_plot_component(["trust_government", "social_trust", "participation"]),
    make_plot_component(["wellbeing"]),
    make_plot_component(["neighbourhoods_in_order", "satisfied_share"]),
    make_plot_component(["funds_disbursed_eur", "overhead_eur"]),
    make_plot_component(["trust_gap_ses", "participation_gap_ses", "wellbeing_gap_ses"]),
    (neighbourhoods_by_ses, 0),
]

page = SolaraViz(
    CommunityModel(rng=42, **SMALL_REGION),
    components=components,
    model_params=model_params,
    name="gemsim: community investment",
)
