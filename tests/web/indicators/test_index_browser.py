"""The synergy-index pages in headless Chromium: ranking, chart, drill-down, language switch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from citycarbon.services.demo_index import load_demo_index

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (scripts/test installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(demo_city: Any, live_server: str) -> str:
    summary = load_demo_index(demo_city.url)
    assert summary.quarters and summary.parks >= 1
    return live_server


def test_public_ranking_chart_and_drill_down(browser: Browser, site: str) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{site}/synergy")
    assert page.locator("h1").inner_text() == "协同指数"
    rows = page.locator("#synergy-ranking tbody tr")
    assert rows.count() >= 2
    assert rows.first.locator("td").first.inner_text() == "1"
    page.wait_for_selector("#chart-synergy .main-svg")  # Plotly drew the chart
    quarters = page.locator("#period option").all_inner_texts()
    assert quarters == sorted(quarters, reverse=True) and len(quarters) == 4
    top = rows.first.locator("a")
    name = top.inner_text()
    top.click()
    page.wait_for_selector("#synergy-score")
    assert name in page.locator("h1").inner_text()
    assert page.locator("#synergy-nodes tbody tr").count() == 6 + 15 + 27
    page.wait_for_selector("#chart-dimensions .main-svg")
    page.locator("#lang-switch").click()
    page.wait_for_selector("#synergy-nodes")
    assert "Indicator" in page.locator("#synergy-nodes thead").inner_text()
    page.context.close()


def test_nav_link_leads_to_the_index(browser: Browser, site: str) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{site}/login")
    page.locator("#nav-synergy").click()
    page.wait_for_selector("#synergy-ranking")
    page.context.close()
