"""The single-month entry form and the verifier's sign-off, through the ASGI test client.

The pages write, so this module builds a small city of its own instead of the shared one.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from citycarbon.services.demo import load_demo_ledger
from citycarbon.services.demo_users import ensure_demo_users

from .conftest import DemoCity, signed_in

MONTH = "2025-03"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    path = tmp_path_factory.mktemp("entry") / "entry.sqlite3"
    url = f"sqlite:///{path}"
    load_demo_ledger(url, organisations=5, years=(2024,))
    accounts = {name: role for name, _, role in ensure_demo_users(url)}
    return DemoCity(url, path, accounts)


def _own(client: TestClient) -> int:
    return int(client.get("/").url.path.rsplit("/", 1)[1])


def _form(period: str, *rows: tuple[str, str, str, str]) -> dict[str, object]:
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return {
        "period": period,
        **{k: list(v) for k, v in zip(("category", "item", "quantity", "unit"), columns, strict=True)},
    }


def test_enterprise_opens_the_form_of_its_own_organisation_only(city: DemoCity) -> None:
    client = signed_in(city, "demo-enterprise")
    own = _own(client)
    page = client.get(f"/organisations/{own}")
    assert f'href="/organisations/{own}/entry"' in page.text
    form = client.get(f"/organisations/{own}/entry")
    assert form.status_code == 200
    assert "填报单月数据" in form.text
    assert len(re.findall(r'class="entry-row"', form.text)) == 5
    other = 1 if own != 1 else 2
    assert client.get(f"/organisations/{other}/entry").status_code == 403
    assert client.post(f"/organisations/{other}/entry", data=_form(MONTH)).status_code == 403


def test_verifier_may_not_enter_data_and_admin_may_enter_any(city: DemoCity) -> None:
    verifier = signed_in(city, "demo-verifier")
    assert verifier.get("/organisations/1/entry").status_code == 403
    assert "/entry" not in verifier.get("/organisations/1").text
    assert signed_in(city, "demo-admin").get("/organisations/2/entry").status_code == 200


def test_a_valid_month_is_stored_recalculated_and_shown(city: DemoCity) -> None:
    client = signed_in(city, "demo-enterprise")
    own = _own(client)
    rows = [("fuel", "raw coal", "12.5", "t"), ("electricity", "grid", "30", "MWh"), ("fuel", "", "", "")]
    answer = client.post(f"/organisations/{own}/entry", data=_form(MONTH, *rows), follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/organisations/{own}")
    ledger = client.get(f"/organisations/{own}").text
    assert f"<td>{MONTH}</td>" in ledger


def test_problems_are_shown_next_to_their_rows_and_nothing_is_written(city: DemoCity) -> None:
    client = signed_in(city, "demo-enterprise")
    own = _own(client)
    rows = [
        ("fuel", "raw coal", "5", "t"),
        ("fuel", "", "", ""),  # blank: ignored, and the rows after it keep their own messages
        ("fuel", "raw coal", "lots", "t"),
        ("fuel", "moon dust", "1", "t"),
    ]
    answer = client.post(f"/organisations/{own}/entry?lang=en", data=_form("2025-04", *rows))
    assert answer.status_code == 422
    cells = re.findall(r'<td class="error">(.*?)</td>', answer.text, re.S)
    assert cells[0].strip() == "" and cells[1].strip() == ""
    assert "Quantity: &#39;lots&#39; is not a number" in cells[2]
    assert "Item: Unknown fuel item &#39;moon dust&#39;" in cells[3]
    assert 'value="lots"' in answer.text  # what was typed stays in the form
    assert "<td>2025-04</td>" not in client.get(f"/organisations/{own}").text


def test_period_problems_are_shown_once_in_the_users_language(city: DemoCity) -> None:
    client = signed_in(city, "demo-enterprise")
    own = _own(client)
    rows = [("fuel", "raw coal", "5", "t"), ("fuel", "raw coal", "6", "t")]
    answer = client.post(f"/organisations/{own}/entry", data=_form("", *rows))
    assert answer.status_code == 422
    errors = re.search(r'<ul id="entry-errors" class="error">(.*?)</ul>', answer.text, re.S)
    assert errors is not None
    assert errors.group(1).count("<li>") == 1
    assert "月份" in answer.text and "期间" in errors.group(1)


def test_an_empty_form_asks_for_a_row(city: DemoCity) -> None:
    client = signed_in(city, "demo-enterprise")
    answer = client.post(f"/organisations/{_own(client)}/entry?lang=en", data=_form(MONTH))
    assert answer.status_code == 422
    assert "Enter at least one row" in answer.text


def test_verifier_signs_off_and_everyone_sees_it(city: DemoCity) -> None:
    verifier = signed_in(city, "demo-verifier")
    enterprise = signed_in(city, "demo-enterprise")
    own = _own(enterprise)
    page = verifier.get(f"/organisations/{own}?lang=en").text
    result_id = int(re.findall(r'name="result_id" value="(\d+)"', page)[0])
    assert 'action="/organisations/' in page and "Sign off" in page
    assert "Sign off</button>" not in enterprise.get(f"/organisations/{own}").text
    refused = enterprise.post(f"/organisations/{own}/sign-off", data={"result_id": result_id})
    assert refused.status_code == 403

    answer = verifier.post(
        f"/organisations/{own}/sign-off", data={"result_id": result_id, "note": "ok"}, follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"/organisations/{own}")
    assert "demo-verifier 已于" in enterprise.get(f"/organisations/{own}").text
    again = verifier.post(f"/organisations/{own}/sign-off?lang=en", data={"result_id": result_id})
    assert again.status_code == 400
    assert "already signed off" in again.text
