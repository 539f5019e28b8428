"""The carbon-sink registry over the API: the Zhejiang mussel sale end to end, and who may do what.

Enterprise B (Linhai, 331082) is the mussel cooperative, the bank buys, enterprise A bids
against it; the verifier is assigned to enterprise B. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .conftest import City

PROBLEM = "application/problem+json"
HOUSEHOLDS = [("王", 1300), ("李", 900), ("张", 820), ("陈", 760), ("刘", 705), ("杨", 610), ("赵", 450)]


def post(city: City, who: str | None, path: str, body: dict[str, Any] | None = None, lang: str = "en") -> Any:
    return city.client.post(f"/api/v1/registry{path}", json=body or {}, headers=city.headers(who, lang))


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def holdings(city: City, who: str, account: str) -> dict[str, int]:
    response = city.client.get(f"/api/v1/registry/accounts/{account}/holdings", headers=city.headers(who))
    return {row["state"]: row["quantity_tco2e"] for row in ok(response)}


def registered_mussel_project(city: City) -> int:
    """Accounts, the mussel project registered, 2,223 t issued to COOP; return the report id."""
    ok(
        post(city, "enterprise_b", "/accounts", {"account_code": "COOP", "holder_name": "临海贻贝合作社"}),
        201,
    )
    ok(post(city, "admin", "/accounts", {"account_code": "FUND", "holder_name": "蓝碳收益基金"}), 201)
    ok(post(city, "bank", "/accounts", {"account_code": "BANK-A", "holder_name": "台州示例银行"}), 201)
    ok(post(city, "enterprise_a", "/accounts", {"account_code": "ENT-A", "holder_name": "enterprise A"}), 201)
    project = {
        "project_code": "MUSSEL-01",
        "project_name": "贻贝养殖碳汇",
        "project_type": "shellfish",
        "region_code": "331082",
        "owner_account_code": "COOP",
        "fund_account_code": "FUND",
        "participants_share_pct": 60,
        "participants": [{"participant_name": n, "share_weight": w} for n, w in HOUSEHOLDS],
    }
    refused(post(city, "enterprise_a", "/projects", project), 403)  # COOP is not enterprise A's
    assert ok(post(city, "enterprise_b", "/projects", project), 201)["status"] == "draft"
    ok(post(city, "enterprise_b", "/projects/MUSSEL-01/submission"))
    refused(post(city, "enterprise_b", "/projects/MUSSEL-01/decision", {"status": "registered"}), 403)
    ok(post(city, "admin", "/projects/MUSSEL-01/decision", {"status": "registered"}))
    report = {
        "vintage_year": 2023,
        "period_start_date": "2023-01-01",
        "period_end_date": "2023-10-31",
        "measurements": [{"species_code": "mussel", "quantity": "5545"}],
    }
    refused(post(city, "enterprise_a", "/projects/MUSSEL-01/reports", report), 403)
    summary = ok(post(city, "enterprise_b", "/projects/MUSSEL-01/reports", report), 201)
    # 5,545 t × 0.7528 × (0.9153 × 0.1176 + 0.0847 × 0.4440) × 44/12 (HY/T 0305, 孙康 et al. 2020)
    expected = 5545 * 0.7528 * (0.9153 * 0.1176 + 0.0847 * 0.4440) * 44 / 12
    assert abs(summary["sink_tco2e"] - expected) < 1e-6 and summary["issuable_tco2e"] == 2223
    report_id: int = summary["report_id"]
    sign_report(city, report_id)
    refused(post(city, "enterprise_b", f"/reports/{report_id}/issuance"), 403)
    issued = ok(post(city, "admin", f"/reports/{report_id}/issuance"), 201)
    assert [m["serial"] for m in issued["movements"]] == ["CN-TZ-MUSSEL-01-2023-000000001-000002223"]
    return report_id


def sign_report(city: City, report_id: int) -> None:
    """The verifier fetches the message, signs it on its own machine, and sends the signature."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    path = f"/api/v1/registry/reports/{report_id}/signing-message"
    params = {"verifier_name": "某核查机构"}
    refused(city.client.get(path, params=params, headers=city.headers("enterprise_b")), 403)
    message = ok(city.client.get(path, params=params, headers=city.headers("verifier")))["message"]
    assert message.startswith(f"citycarbon-mrv-report/1|{report_id}|") and message.endswith(
        "|2223|某核查机构"
    )
    body = {"verifier_name": "某核查机构", "public_key_hex": public}
    forged = {**body, "signature_hex": key.sign(b"something else").hex()}
    refused(post(city, "verifier", f"/reports/{report_id}/verification", forged), 422)
    signed = {**body, "signature_hex": key.sign(message.encode("utf-8")).hex()}
    refused(post(city, "enterprise_b", f"/reports/{report_id}/verification", signed), 403)
    assert ok(post(city, "verifier", f"/reports/{report_id}/verification", signed))["status"] == "verified"


def open_auction(city: City, code: str, seconds: float, payment_hours: int = 72) -> dt.datetime:
    closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    terms = {
        "auction_code": code,
        "seller_account_code": "COOP",
        "project_code": "MUSSEL-01",
        "vintage_year": 2023,
        "quantity_tco2e": 2223,
        "reserve_price_fen": 8_000_000,
        "min_increment_fen": 50_000,
        "closes_at": closes_at.isoformat(),
        "payment_hours": payment_hours,
    }
    refused(post(city, "enterprise_a", "/auctions", terms), 403)  # not enterprise A's units
    assert ok(post(city, "enterprise_b", "/auctions", terms), 201)["status"] == "open"
    assert holdings(city, "enterprise_b", "COOP") == {"escrow": 2223}
    return closes_at


def wait_until(moment: dt.datetime) -> None:
    time.sleep(max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds()) + 0.05)


def test_mussel_sale_end_to_end_over_the_api(city: City) -> None:
    registered_mussel_project(city)
    for account in ("BANK-A", "ENT-A"):
        refused(post(city, "bank", f"/accounts/{account}/bidder-approval"), 403)
        assert post(city, "admin", f"/accounts/{account}/bidder-approval").status_code == 204
    closes_at = open_auction(city, "BC-2023-01", seconds=4.0)

    def bid(who: str, account: str, amount: int) -> Any:
        return post(
            city, who, "/auctions/BC-2023-01/bids", {"bidder_account_code": account, "amount_fen": amount}
        )

    ok(bid("bank", "BANK-A", 9_000_000), 201)
    ok(bid("enterprise_a", "ENT-A", 10_000_000), 201)
    refused(bid("bank", "ENT-A", 12_000_000), 403)  # bidding for another organisation's account
    ok(bid("bank", "BANK-A", 10_050_000), 201)
    too_low = refused(bid("enterprise_a", "ENT-A", 10_080_000), 422)
    assert "10100000" in too_low["detail"]  # 10,050,000 + 50,000
    refused(post(city, "admin", "/auctions/BC-2023-01/close"), 422)  # not closed yet
    wait_until(closes_at)
    late = refused(bid("enterprise_a", "ENT-A", 20_000_000), 422)
    assert "BC-2023-01" in late["detail"]
    refused(post(city, "enterprise_b", "/auctions/BC-2023-01/close"), 403)
    closed = ok(post(city, "admin", "/auctions/BC-2023-01/close"))
    assert (closed["status"], closed["winner_account_code"], closed["winning_bid_fen"]) == (
        "awaiting_payment",
        "BANK-A",
        10_050_000,
    )
    assert holdings(city, "bank", "BANK-A") == {}  # nothing moves before the payment
    settled = ok(post(city, "admin", "/auctions/BC-2023-01/payment"))
    assert settled["status"] == "settled" and holdings(city, "bank", "BANK-A") == {"active": 2223}

    split = ok(post(city, "admin", "/auctions/BC-2023-01/benefit-split"), 201)
    allocations = {a["party_name"]: a["amount_fen"] for a in split["allocations"]}
    # 60% of 10,050,000 fen pro rata to 5,545 t: 王 6,030,000 × 1300/5545 = 1,413,706.04 → 1,413,706
    assert allocations["王"] == 1_413_706 and allocations["FUND"] == 4_020_000
    assert sum(allocations.values()) == 10_050_000 == split["total_fen"]
    refused(post(city, "admin", "/auctions/BC-2023-01/benefit-split"), 409)

    retirement = {"account_code": "BANK-A", "quantity_tco2e": 2223, "beneficiary_name": "台州某银行"}
    retirement["purpose"] = "2023年度运营碳中和"
    refused(post(city, "enterprise_b", "/retirements", retirement), 403)
    refused(
        post(
            city,
            "enterprise_b",
            "/transfers",
            {"from_account_code": "BANK-A", "to_account_code": "COOP", "quantity_tco2e": 1},
        ),
        403,
    )
    retired = ok(post(city, "bank", "/retirements", retirement), 201)
    assert retired["quantity_tco2e"] == 2223 and retired["movements"][0]["to_state"] == "retired"

    public = ok(city.client.get("/api/v1/registry/public", params={"project_code": "MUSSEL-01"}))
    assert [(b["state"], b["account_code"], b["beneficiary_name"]) for b in public["blocks"]] == [
        ("retired", "BANK-A", "台州某银行")
    ]
    refused(post(city, "enterprise_b", "/journal/verification"), 403)
    verified = ok(post(city, "verifier", "/journal/verification"))
    assert verified["ok"] and verified["reports_checked"] == 1 and verified["entries_checked"] >= 20


def test_unpaid_lot_returns_to_the_seller(city: City) -> None:
    registered_mussel_project(city)
    assert post(city, "admin", "/accounts/BANK-A/bidder-approval").status_code == 204
    closes_at = open_auction(city, "BC-LAPSE", seconds=2.0, payment_hours=0)
    ok(
        post(
            city,
            "bank",
            "/auctions/BC-LAPSE/bids",
            {"bidder_account_code": "BANK-A", "amount_fen": 8_000_000},
        ),
        201,
    )
    wait_until(closes_at)
    ok(post(city, "admin", "/auctions/BC-LAPSE/close"))
    time.sleep(0.05)
    refused(post(city, "admin", "/auctions/BC-LAPSE/payment"), 422)  # the deadline has passed
    lapsed = ok(post(city, "admin", "/auctions/BC-LAPSE/lapse"))
    assert lapsed["status"] == "lapsed"
    assert (
        holdings(city, "enterprise_b", "COOP") == {"active": 2223} and holdings(city, "bank", "BANK-A") == {}
    )
    refused(post(city, "admin", "/auctions/BC-LAPSE/payment"), 409)


def test_serial_ranges_are_moved_exactly(city: City) -> None:
    registered_mussel_project(city)
    serials = {"project_code": "MUSSEL-01", "vintage_year": 2023, "serial_start": 101, "serial_end": 300}
    moved = ok(
        post(
            city,
            "enterprise_b",
            "/transfers",
            {"from_account_code": "COOP", "to_account_code": "BANK-A", "serials": serials},
        ),
        201,
    )
    assert [m["serial"] for m in moved["movements"]] == ["CN-TZ-MUSSEL-01-2023-000000101-000000300"]
    claim = {"account_code": "BANK-A", "beneficiary_name": "台州某银行", "purpose": "会议碳中和"}
    again = {**serials, "serial_start": 150, "serial_end": 400}  # 301–400 are still COOP's
    refused(post(city, "bank", "/retirements", {**claim, "serials": again}), 422)
    part = {**serials, "serial_start": 150, "serial_end": 159}
    ok(post(city, "bank", "/retirements", {**claim, "serials": part}), 201)
    public = ok(city.client.get("/api/v1/registry/public", params={"project_code": "MUSSEL-01"}))
    blocks = [(b["serial"][-19:], b["state"], b["account_code"]) for b in public["blocks"]]
    assert blocks == [
        ("000000001-000000100", "active", "COOP"),
        ("000000101-000000149", "active", "BANK-A"),
        ("000000150-000000159", "retired", "BANK-A"),
        ("000000160-000000300", "active", "BANK-A"),
        ("000000301-000002223", "active", "COOP"),
    ]
    both = {"from_account_code": "COOP", "to_account_code": "BANK-A", "quantity_tco2e": 5, "serials": serials}
    refused(post(city, "enterprise_b", "/transfers", both), 422)
    assert ok(post(city, "verifier", "/journal/verification"))["ok"]


def test_who_may_call_the_registry_and_errors_in_both_languages(city: City) -> None:
    transfer = {"from_account_code": "X", "to_account_code": "Y", "quantity_tco2e": 1}
    refused(post(city, None, "/transfers", transfer), 401)
    refused(post(city, "analyst", "/transfers", transfer), 403)
    refused(post(city, "public", "/accounts", {"account_code": "P", "holder_name": "p"}), 403)
    refused(post(city, "verifier", "/reports/1/issuance"), 403)
    assert refused(post(city, "bank", "/transfers", transfer, "en"), 404)["detail"] == "No registry account X"
    assert (
        refused(post(city, "bank", "/transfers", transfer, "zh-CN"), 404)["detail"] != "No registry account X"
    )
    ok(post(city, "bank", "/accounts", {"account_code": "BANK-A", "holder_name": "bank"}), 201)
    refused(post(city, "bank", "/accounts", {"account_code": "BANK-A", "holder_name": "bank"}), 409)
    other = {"account_code": "B2", "holder_name": "bank", "organisation_id": city.org_a}
    refused(post(city, "bank", "/accounts", other), 403)  # only for its own organisation
    zh = refused(
        post(
            city,
            "enterprise_a",
            "/transfers",
            {**transfer, "from_account_code": "BANK-A", "to_account_code": "BANK-A"},
            "zh-CN",
        ),
        403,
    )
    assert zh["detail"] == "登记账户 BANK-A 不属于您的机构"
    refused(
        city.client.get("/api/v1/registry/accounts/BANK-A/holdings", headers=city.headers("enterprise_a")),
        403,
    )
    assert holdings(city, "admin", "BANK-A") == {}  # the centre reads any account (audited)
