"""Pages through the ASGI test client: who sees which page, the analyst's region, downloads, i18n."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.i18n import translator
from citycarbon.web.render import nav_links

from .conftest import DemoCity, signed_in

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "citycarbon" / "web" / "templates"
PAGES = ("/dashboard", "/organisations", "/upload", "/bank")
#: Which of PAGES each demo account may open (200) — every other one answers 403.
ALLOWED = {
    "demo-admin": {"/dashboard", "/organisations", "/upload", "/bank"},
    "demo-analyst": {"/dashboard", "/organisations"},
    "demo-enterprise": {"/organisations", "/upload"},
    "demo-bank": {"/bank"},
    "demo-verifier": {"/organisations"},
}


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_role_opens_its_pages_and_no_others(demo_city: DemoCity, username: str) -> None:
    client = signed_in(demo_city, username)
    status = {page: client.get(page).status_code for page in PAGES}
    assert status == {page: 200 if page in ALLOWED[username] else 403 for page in PAGES}


def test_anonymous_visitors_are_sent_to_the_login_page(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, None)
    answer = client.get("/dashboard", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/dashboard")
    assert "登录" in client.get("/").text


def test_wrong_password_is_refused_in_the_readers_language(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, None)
    answer = client.post("/login?lang=en", data={"username": "demo-admin", "password": "nope"})
    assert answer.status_code == 401
    assert "Log in" in answer.text
    assert "citycarbon_session" not in client.cookies


def test_login_does_not_redirect_off_site(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, None)
    form = {"username": "demo-admin", "password": "citycarbon-demo", "next": "//evil.example/"}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/dashboard"


def test_county_analyst_sees_only_the_county(demo_city: DemoCity) -> None:
    city = signed_in(demo_city, "demo-analyst").get("/dashboard").text
    county = signed_in(demo_city, "county-analyst").get("/dashboard").text

    def reported(page: str) -> tuple[int, int]:
        done, everyone = re.search(r'id="completeness">(\d+) / (\d+)<', page).groups()  # type: ignore[union-attr]
        return int(done), int(everyone)

    assert reported(county)[1] < reported(city)[1]
    assert "天台县" in county


def test_enterprise_cannot_open_another_enterprise(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, "demo-enterprise")
    own = client.get("/").url.path
    other = 1 if own != "/organisations/1" else 2
    assert client.get(f"/organisations/{other}").status_code == 403
    assert client.get(f"/organisations/{other}/report.xlsx").status_code == 403


def test_reports_open_with_the_figures_of_the_page(demo_city: DemoCity) -> None:
    zh = translator("zh_CN")
    client = signed_in(demo_city, "demo-enterprise")
    page = client.get("/")
    workbook = load_workbook(io.BytesIO(client.get(page.url.path + "/report.xlsx").content))
    assert workbook.sheetnames == [zh("Summary"), zh("Lines")]
    pdf = PdfReader(io.BytesIO(client.get(page.url.path + "/report.pdf").content))
    text = pdf.pages[0].extract_text()
    assert "碳排放报告" in text


def test_lineage_page_shows_factor_sources(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, "demo-admin")
    enterprise = client.get("/organisations/3").text
    result_path = re.search(r'href="(/results/\d+)"', enterprise).group(1)  # type: ignore[union-attr]
    lineage = client.get(result_path).text
    assert 'class="source"' in lineage and "因子集版本" in lineage


def test_bank_quotes_a_consenting_enterprise(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, "demo-bank")
    uscc = re.search(r"/bank/profiles/(\w{18})", client.get("/bank").text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        f"/bank/profiles/{uscc}/quote", data={"product_code": "green-loan", "base_rate_bp": 345}
    )
    assert answer.status_code == 200
    assert re.search(r'id="quote-result">报价利率: <strong>\d+ bp', answer.text)


def test_static_files_include_the_chart_library_and_nothing_else(demo_city: DemoCity) -> None:
    client = signed_in(demo_city, None)
    assert client.get("/static/plotly.min.js").content.startswith(b"/**")
    assert client.get("/static/../settings.py").status_code == 404


def test_templates_load_nothing_from_outside_the_server() -> None:
    for template in TEMPLATES.glob("*.html"):
        assert not re.search(r'(src|href)="(https?:)?//', template.read_text("utf-8")), template.name


def test_every_template_string_and_menu_label_is_translated() -> None:
    zh = translator("zh_CN")
    everyone = Principal(user_id=1, username="all", organisation_id=1, roles=frozenset(Role))
    strings = {label for _, label in nav_links(everyone)}
    for template in TEMPLATES.glob("*.html"):
        strings |= set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", template.read_text("utf-8")))
    missing = sorted(s for s in strings if zh(s) == s)
    assert missing == []
    assert len(strings) > 40


def test_enterprise_downloads_its_signed_grade_card(demo_city: DemoCity) -> None:
    from citycarbon.services.card_pdf import read_card_payload
    from citycarbon.services.certificate import load_public_key, verify_card_payload

    client = signed_in(demo_city, "demo-enterprise")
    page = client.get("/")
    assert 'id="download-card"' in page.text
    response = client.get(page.url.path + "/card.pdf")
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    payload = read_card_payload(response.content)
    assert payload is not None
    claims = verify_card_payload(payload, load_public_key())
    assert claims.uscc in page.text
