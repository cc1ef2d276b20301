"""The experiment report as a reader sees it: opened in headless Chromium at a wide and a
narrow window, nothing overflows sideways or is cut off, the region and money come first,
and the caveat and sensitivity verdict stand beside the headline table.

Uses Debian's Chromium (``/usr/bin/chromium``, installed by CI) through Playwright; the test
is skipped, saying so, where that browser is absent.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from gemsim.analysis import build_outputs
from gemsim.experiments import (
    ResultStore,
    SerialExecutor,
    build_manifest,
    build_specs,
    replication_seeds,
    run_experiment,
)
from gemsim.study.simulation import simulate

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (1400, 800)
REGION = {"n_municipalities": 1, "neighbourhoods_per_municipality": 8}
#: The four regimes, as in experiments/compare_regimes.toml, on a one-municipality region.
SCENARIOS = {
    "status_quo": {**REGION, "regime": "status_quo"},
    "subsidy_channel": {**REGION, "regime": "subsidy_channel", "social_infrastructure": True},
    "groeiplan": {**REGION, "regime": "direct_fund", "social_infrastructure": True},
    "hybrid": {**REGION, "regime": "hybrid", "social_infrastructure": True},
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"
)

#: Per table: how much wider it is than the box it sits in (and the viewport's overflow).
MEASURE = """() => {
  const doc = document.documentElement;
  const tables = [...document.querySelectorAll('table')].map(t => ({
    css: t.className, width: t.scrollWidth, room: t.parentElement.clientWidth,
    cells: Math.max(0, ...[...t.querySelectorAll('td, th')]
      .map(c => c.scrollWidth - c.clientWidth)),
  }));
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, tables};
}"""

LAYOUT = """() => {
  const box = e => e.getBoundingClientRect();
  const h2 = [...document.querySelectorAll('h2')].map(h => h.textContent);
  const headline = box(document.querySelector('table.headline'));
  const aside = box(document.querySelector('.side aside'));
  const money = box(document.querySelector('table.money'));
  const main = box([...document.querySelectorAll('h2')]
    .find(h => h.textContent === 'Main results'));
  return {h2, headline: [headline.left, headline.right, headline.top, headline.bottom],
          aside: [aside.left, aside.right, aside.top, aside.bottom],
          moneyBottom: money.bottom, mainTop: main.top,
          asideText: document.querySelector('.side aside').textContent};
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """report.html of a real four-scenario experiment (3 replications x 24 months)."""
    out = tmp_path_factory.mktemp("browser") / "compare"
    seeds = replication_seeds(5, 3)
    specs = build_specs(SCENARIOS, seeds=seeds, months=24)
    store = ResultStore(out)
    store.prepare(force=True)
    with SerialExecutor() as executor:
        run_experiment(specs, simulate, store, executor, progress=False)
    experiment = {
        "name": "compare_in_a_browser",
        "description": "Four regimes on a one-municipality region.",
        "scenarios": {
            name: {"description": f"The {params['regime']} regime.", "parameters": params}
            for name, params in SCENARIOS.items()
        },
        "baseline": "status_quo",
        "replications": 3,
        "months": 24,
        "seed": 5,
    }
    start = datetime(2024, 1, 1)
    manifest = build_manifest(experiment, seeds, start, start, len(specs), 1.0, "complete")
    store.write_json("manifest.json", manifest)
    return build_outputs(out)["report"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # the test extra installs it

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, report: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(report.as_uri())
    # Collapsed sections hold the widest tables: measure them open.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_overflows_and_no_column_is_cut_off(browser, report, width):
    page = _open(browser, report, width)
    measured = page.evaluate(MEASURE)
    page.close()
    assert measured["innerWidth"] == width
    assert measured["scrollWidth"] <= measured["innerWidth"]
    assert measured["tables"], "the report has tables"
    too_wide = [t for t in measured["tables"] if t["width"] > t["room"] or t["cells"] > 0]
    assert too_wide == []


@pytest.mark.parametrize("width", WIDTHS)
def test_region_and_money_come_first_and_the_caveat_stands_beside_the_headline(
    browser, report, width
):
    page = _open(browser, report, width)
    layout = page.evaluate(LAYOUT)
    page.close()
    assert layout["h2"][:2] == ["What was simulated", "Main results"]
    assert layout["moneyBottom"] <= layout["mainTop"]
    _, table_right, table_top, table_bottom = layout["headline"]
    aside_left, _, aside_top, aside_bottom = layout["aside"]
    assert aside_left >= table_right  # to the right of the headline table ...
    assert aside_top < table_bottom and table_top < aside_bottom  # ... at the same height
    assert "Monte Carlo only" in layout["asideText"]
    assert "not yet tested against its assumptions" in layout["asideText"]
