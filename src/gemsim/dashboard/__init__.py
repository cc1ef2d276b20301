"""The gemsim dashboard: a Solara page (``gemsim dashboard`` or ``solara run gemsim.app``).

Needs the ``viz`` extra (``pip install 'gemsim[viz]'``), which also installs the page's
JavaScript and fonts (``solara-assets``), so it works without internet.

- :mod:`~gemsim.dashboard.levers`: the controls (plain names; units, ranges and
  descriptions from the model's parameters);
- :mod:`~gemsim.dashboard.explore`: one visitor's model, its controls and charts;
- :mod:`~gemsim.dashboard.compare`: comparisons with the experiment runner and summaries;
- :mod:`~gemsim.dashboard.compare_view`: their panel;
- :mod:`~gemsim.dashboard.charts`: ECharts options (drawn in the browser);
- :mod:`~gemsim.dashboard.page`: the page; :mod:`~gemsim.dashboard.server`: the server.
"""
