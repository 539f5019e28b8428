"""One case walked through its states in headless Chromium: analyst and enterprise take turns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.cases import open_manual_case
from citycarbon.services.demo_users import DEMO_PASSWORD
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import UserAccount

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (scripts/test installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield found
        found.close()


def _page(browser: Browser, base: str) -> Page:
    context = browser.new_context(base_url=base, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_load_state("networkidle")


def _state(page: Page) -> str:
    return str(page.get_attribute("#case-state", "data-state"))


def test_a_case_walks_through_its_states_in_the_browser(
    browser: Browser, live_server: str, demo_city, tmp_path: Path
) -> None:
    with unit_of_work(demo_city.url) as session:
        firm_id = session.scalar(
            select(UserAccount.organisation_id).where(UserAccount.username == "demo-enterprise")
        )
    assert firm_id is not None
    staff = Caller(Principal(None, "fixture", roles=frozenset({Role.ADMIN})))
    case_id = open_manual_case(
        demo_city.url, staff, organisation_id=firm_id, severity="high", title="申报用电量与电网数据偏差 31%"
    )

    analyst = _page(browser, live_server)
    _log_in(analyst, "demo-analyst")
    analyst.click("#nav-cases")
    analyst.click(f"a[href='/cases/{case_id}'] >> nth=0")
    assert _state(analyst) == "open"
    analyst.fill("#action-assign input[name=department]", "执法一大队")
    analyst.click("#action-assign button")
    assert _state(analyst) == "assigned"
    analyst.select_option("#action-start_inspection select[name=inspection_mode]", "on_site")
    analyst.click("#action-start_inspection button")
    assert _state(analyst) == "inspecting"
    analyst.fill("#action-require_rectification input[name=note]", "请更换电表并上传检定证书")
    analyst.click("#action-require_rectification button")
    assert _state(analyst) == "rectifying"

    firm = _page(browser, live_server)
    _log_in(firm, "demo-enterprise")
    firm.goto(f"/cases/{case_id}")
    assert firm.locator("#action-submit").count() == 1 and firm.locator("#action-assign").count() == 0
    proof = tmp_path / "检定证书.pdf"
    proof.write_bytes(b"%PDF-1.4 certificate")
    firm.set_input_files("#evidence-form input[type=file]", str(proof))
    firm.click("#evidence-form button")
    assert firm.locator("#evidence tbody tr").first.inner_text().startswith("检定证书.pdf")
    firm.click("#action-submit button")
    assert _state(firm) == "verifying"

    analyst.reload()
    analyst.click("#action-verify_pass button")
    assert _state(analyst) == "closed"

    firm.reload()
    firm.check("#rating-form input[value='4']")
    firm.click("#rating-form button")
    assert firm.locator("#ratings").inner_text().startswith("4 / 5")
    assert firm.locator("#rating-form").count() == 0
    steps = firm.locator("#timeline tbody tr").count()
    assert steps == 6  # open, assign, inspect, require, submit, verify

    analyst.goto("/cases/metrics")
    analyst.wait_for_selector("#chart-case-handling .main-svg")
    assert int(analyst.inner_text("#metric-opened")) >= 1
    analyst.context.close()
    firm.context.close()
