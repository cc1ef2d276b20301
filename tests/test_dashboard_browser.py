"""The dashboard in a real browser: `gemsim dashboard` on a free localhost port, driven by
Playwright through the system's Chromium (Debian package; `.ci/run` installs it).

Offline means offline: every request the page makes must go to the local server, and the
browser console must stay free of errors.
"""

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("solara")
sync_api = pytest.importorskip("playwright.sync_api")
Image = pytest.importorskip("PIL.Image")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
START_TIMEOUT_S = 90
WAIT_MS = 60_000

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`gemsim dashboard` on a free port; its address."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gemsim", "dashboard", "--host", "localhost", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the server and its workers stop together
    )
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the dashboard did not start:\n{output}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors and the hosts it sent requests to."""

    def __init__(self, browser: object, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda r: self.hosts.add(urlparse(r.url).hostname or ""))
        self.page.goto(url)
        self.page.locator(".gemsim-month").get_by_text("0 of 120").wait_for(timeout=WAIT_MS)

    def month(self) -> str:
        return self.page.locator(".gemsim-month").inner_text()

    def step_to(self, month: int) -> None:
        self.page.get_by_role("button", name="Step", exact=True).click()
        self.page.locator(".gemsim-month").get_by_text(f"{month} of ").wait_for(timeout=WAIT_MS)

    def check_clean(self) -> None:
        assert self.hosts <= LOCAL_HOSTS, f"requests left the machine: {self.hosts}"
        assert self.errors == []

    def close(self) -> None:
        self.context.close()


def not_blank(png: bytes) -> bool:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 16)
    return colours is None or len(colours) > 20  # None: more colours than counted


def choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select").filter(has_text=label).first.click()
    page.locator(".v-menu__content .v-list-item").get_by_text(option, exact=True).click()


def test_explore_offline_change_regime_reset_step_and_see_a_chart_change(
    server: str, browser: object, tmp_path: Path
):
    watched = Watched(browser, server)
    page = watched.page
    choose(page, "Funding regime", "Direct community fund")
    page.get_by_text("Changed settings take effect when you press Reset.").wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("Changed settings take effect when you press Reset.").wait_for(
        state="detached", timeout=WAIT_MS
    )
    assert "Direct community fund" in page.locator(".gemsim-settings").inner_text()
    chart = page.locator("[data-testid=run-chart-3]")  # where the money went
    chart.locator("canvas").first.wait_for(timeout=WAIT_MS)
    before = chart.screenshot(path=str(tmp_path / "money-month-0.png"))
    for month in (1, 2, 3):
        watched.step_to(month)
    assert watched.month().startswith("3 of 120")
    deadline = time.monotonic() + 10
    after = chart.screenshot()
    while after == before and time.monotonic() < deadline:
        time.sleep(0.2)
        after = chart.screenshot()
    (tmp_path / "money-month-3.png").write_bytes(after)
    assert after != before
    full = page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)
    assert not_blank(before) and not_blank(after) and not_blank(full)
    watched.check_clean()
    watched.close()


def test_compare_two_scenarios_with_two_replications_gives_a_difference_table(
    server: str, browser: object, tmp_path: Path
):
    watched = Watched(browser, server)
    page = watched.page
    page.get_by_role("tab", name="Compare scenarios").click()
    settings = page.locator(".gemsim-compare-settings")
    sliders = settings.locator("[role=slider]")
    sliders.nth(0).focus()
    page.keyboard.press("Home")  # fewest replications: 2
    sliders.nth(1).focus()
    page.keyboard.press("Home")  # fewest years: 1
    settings.get_by_text("Replications per scenario: 2").wait_for()
    settings.get_by_text("Years simulated: 1").wait_for()
    page.get_by_role("button", name="Run comparison").click()
    page.locator(".gemsim-compare-done").wait_for(timeout=180_000)
    table = page.locator("table").filter(has_text="Difference to baseline")
    table.wait_for()
    text = table.inner_text()
    assert "Groeiplan: direct community fund" in text
    assert "Trust in local government" in text
    assert "after 1 year" in text
    page.locator("[data-testid=compare-diff-0] canvas").first.wait_for()
    full = page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    assert not_blank(full)
    watched.check_clean()
    watched.close()


def test_two_visitors_step_their_own_models(server: str, browser: object):
    first = Watched(browser, server)
    second = Watched(browser, server)
    first.step_to(1)
    first.step_to(2)
    assert second.month().startswith("0 of 120")
    second.step_to(1)
    assert first.month().startswith("2 of 120")
    assert second.month().startswith("1 of 120")
    first.check_clean()
    second.check_clean()
    first.close()
    second.close()
