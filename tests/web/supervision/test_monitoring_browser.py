"""The supervision pages in headless Chromium: warnings with evidence, an outlet's chart and gaps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from citycarbon.services.demo_monitoring import load_demo_monitoring
from citycarbon.services.demo_users import DEMO_PASSWORD

from ..conftest import DemoCity

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (scripts/test installs it)"
)


@pytest.fixture(scope="module")
def monitored_server(demo_city: DemoCity, live_server: str) -> str:
    summary = load_demo_monitoring(demo_city.url)
    assert summary.skipped or summary.outlets > 0
    return live_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser, monitored_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=monitored_server, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def test_an_analyst_follows_a_warning_to_the_outlet_chart(page: Page) -> None:
    page.goto("/login")
    page.fill("#username", "demo-admin")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_load_state("networkidle")
    page.click("#nav-warnings")
    assert page.locator("h1").inner_text() == "预警"
    page.goto("/warnings?rule_id=limit_exceeded&lang=en")
    rows = page.locator("#warnings tbody tr")
    assert rows.count() > 0
    assert "max_ratio" in rows.first.inner_text()
    rows.first.locator("a").first.click()
    page.wait_for_selector("#chart-readings .main-svg")
    assert page.locator("#readings tbody tr").count() > 0
    assert page.locator("h2").all_inner_texts()[:2] == ["Data gaps", "Warnings"]
