"""The pages in real headless Chromium (Debian ``chromium`` driven by Playwright).

One browser for the module and a fresh context (cookies) per test; the server is a real uvicorn
process on the demo city. The tests sign in as each role, upload a file with errors, download
and open the reports, and switch the language.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from citycarbon.services.demo_users import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian chromium (scripts/test installs it)"
)

#: Menu entries each role must see (and, by the last test, only these).
MENUS = {
    "demo-admin": ["监管驾驶舱", "数据填报", "绿色金融", "企业", "监管预警", "整改案件", "协同指数"],
    "demo-analyst": ["监管驾驶舱", "企业", "监管预警", "整改案件", "协同指数"],
    "demo-enterprise": ["本企业", "数据填报", "监管预警", "整改案件", "协同指数"],
    "demo-bank": ["绿色金融", "协同指数"],
    "demo-verifier": ["企业", "协同指数"],
}
BAD_ACTIVITY = (
    "uscc,site,period,category,item,quantity,unit\n"
    "{uscc},S1,2024-13,fuel,coal,-5,t\n"
    "{uscc},S1,2024-01,fuel,coal,5,t\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield found
        found.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, accept_downloads=True, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    outside: list[str] = []
    opened.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    yield opened
    context.close()
    assert outside == [], f"a page loaded something from outside the server: {outside}"


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("username", sorted(MENUS))
def test_each_role_sees_its_menu_and_is_refused_elsewhere(page: Page, username: str) -> None:
    log_in(page, username)
    assert page.locator("header nav a").all_inner_texts() == MENUS[username]
    if username != "demo-admin":
        forbidden = "/bank" if username != "demo-bank" else "/dashboard"
        assert page.goto(forbidden).status == 403  # type: ignore[union-attr]
    page.click("#logout")
    assert page.url.endswith("/login")


def test_dashboard_draws_charts_from_the_server(page: Page) -> None:
    log_in(page, "demo-analyst")
    page.wait_for_selector("#chart-region .main-svg")
    assert page.locator("#by-region tbody tr").count() > 3
    assert page.locator("#top-emitters tbody tr").count() == 10


def test_upload_with_errors_shows_them_row_by_row(page: Page, tmp_path: Path) -> None:
    log_in(page, "demo-enterprise")
    uscc = page.inner_text(".meta").split()[1]
    bad = tmp_path / "activity.csv"
    bad.write_text(BAD_ACTIVITY.format(uscc=uscc), encoding="utf-8")
    page.goto("/upload")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-errors:not([hidden])", timeout=30_000)
    assert page.locator("#upload-errors tbody tr").count() >= 1
    assert page.locator("#upload-errors tbody tr").first.locator("td").first.inner_text() == "2"
    assert page.get_attribute("#upload-progress", "value") == "100"
    assert "文件未导入" in page.inner_text("#upload-status")


def test_reports_download_and_open(page: Page) -> None:
    log_in(page, "demo-enterprise")
    with page.expect_download() as xlsx:
        page.click("#download-xlsx")
    workbook = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert workbook.sheetnames[0] == "汇总"
    with page.expect_download() as pdf:
        page.click("#download-pdf")
    text = PdfReader(io.BytesIO(Path(pdf.value.path()).read_bytes())).pages[0].extract_text()
    assert "碳排放报告" in text


def test_lineage_opens_from_a_figure(page: Page) -> None:
    log_in(page, "demo-enterprise")
    page.locator("#ledger a.figure").first.click()
    page.wait_for_selector("#lineage")
    assert page.locator("#lineage tbody tr").count() >= 1


def test_language_switch_is_remembered(page: Page) -> None:
    log_in(page, "demo-bank")
    assert page.inner_text("h1") == "绿色金融"
    page.click("#lang-switch")
    assert page.inner_text("h1") == "Green finance"
    page.goto("/bank")
    assert page.inner_text("h1") == "Green finance"
    page.goto("/bank?lang=zh_CN")
    assert page.inner_text("h1") == "绿色金融"
