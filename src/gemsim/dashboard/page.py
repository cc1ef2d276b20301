"""The dashboard page: explore one run, compare scenarios, read what the model is.

Every visitor (browser tab) gets their own :class:`~gemsim.dashboard.explore.ExploreRun`
and their own comparison: the state lives in the components of the visitor's page, never
at module level, so nothing is shared between sessions.
"""

from __future__ import annotations

import solara
import solara.server.settings
from solara.lab import Tab, Tabs

from gemsim import __version__
from gemsim.dashboard.charts import Prose
from gemsim.dashboard.compare_view import ComparePanel
from gemsim.dashboard.explore import DEFAULT_SETTINGS, ExplorePanel, ExploreRun

__all__ = ["Page"]

# The page must work offline and report nothing to anyone: no usage statistics, also when
# started with `solara run` directly (gemsim dashboard turns them off before start-up).
solara.server.settings.telemetry.mixpanel_enable = False

TITLE = "gemsim: community investment what-if dashboard"

ABOUT = f"""
## What this is

gemsim {__version__} is an agent-based simulation of community investment in the
Netherlands: citizens, citizen collectives and municipalities, month by month, under a
**funding regime** — today's municipal small subsidies, extra money through those subsidy
desks, a direct community fund, or a hybrid with municipal co-decision (the proposals of
the *Groeiplan Versterking Gemeenschapskracht*, 2021).

It is a **what-if tool, not a forecast**: every result follows from documented mechanisms
and parameters (docs/ODD.md in the repository), and many parameters are assumptions for
want of data. Compare scenarios with each other, not with the start: the status quo
itself moves over ten years.

## The two tabs

- **Explore one run** — change the regime and its main levers, press *Reset* to build a
  new simulated region, then *Step* (one month) or *Play*. The readouts show the current
  month; the charts show trust, participation, wellbeing, neighbourhoods whose social
  infrastructure is in order, where the money went, and the gaps between high- and
  low-SES neighbourhoods. *Where* shows every neighbourhood as a tile.
- **Compare scenarios** — run two or more scenarios several times with the same seeds and
  read the mean outcomes with 95% bands, the paired differences to the baseline with 95%
  intervals, money reaching communities against overhead, and the SES gaps. The numbers
  are those `gemsim compare` gives for the same settings.

Money is in euros for the simulated region (national amounts are scaled by its share of
the population). Shares are % of residents (or of neighbourhoods); wellbeing is mean life
satisfaction on a 0–10 scale; SES gaps are high- minus low-SES neighbourhoods.
"""


CSS = """
.gemsim-prose p { margin-bottom: 6px; }
.gemsim-prose strong { font-weight: 600; }
.gemsim-prose h2 { margin: 12px 0 6px 0; }
.gemsim-prose h3 { margin: 16px 0 6px 0; }
"""


@solara.component
def Page() -> None:
    """One visitor's page."""
    run = solara.use_memo(lambda: ExploreRun(DEFAULT_SETTINGS), [])
    tab = solara.use_reactive(0)
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Column(style={"padding": "12px"}):
        Prose(f"## {TITLE}")
        with Tabs(value=tab):
            with Tab("Explore one run"):
                ExplorePanel(run)
            with Tab("Compare scenarios"):
                ComparePanel()
            with Tab("About the model"):
                Prose(ABOUT)
