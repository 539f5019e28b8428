"""Pure rules of the platform: consent decisions, tiers, pricing, scope (hand-checked cases)."""

from __future__ import annotations

import datetime as dt

import pytest

from citycarbon.domain.access.consent import ConsentRefused, ConsentTerms, live_consent
from citycarbon.domain.access.policy import Access, Forbidden, OrganisationRef, read_access, write_access
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.finance.pricing import QuoteUnavailable, quote_rate
from citycarbon.domain.finance.tiers import TierThreshold, classify_business
from citycarbon.refdata.codes import load_region_catalogue

DAY = dt.date(2026, 6, 1)
JIAOJIANG = OrganisationRef(1, "331002")


def test_latest_live_consent_wins_and_refusals_name_the_reason() -> None:
    old = ConsentTerms(1, "old", dt.date(2026, 1, 1), None)
    live = ConsentTerms(2, "loan", dt.date(2026, 6, 1), None)
    assert live_consent([old, live], DAY, uscc="U", bank="B").purpose == "loan"
    with pytest.raises(ConsentRefused, match="expired after 2026-01-01"):
        live_consent([old], DAY, uscc="U", bank="B")
    revoked = ConsentTerms(3, "x", dt.date(2027, 1, 1), dt.datetime(2026, 5, 2, tzinfo=dt.UTC))
    with pytest.raises(ConsentRefused, match="revoked on 2026-05-02"):
        live_consent([old, revoked], DAY, uscc="U", bank="B")
    with pytest.raises(ConsentRefused, match="holds no consent"):
        live_consent([], DAY, uscc="U", bank="B")


def test_tiers_need_every_threshold_of_the_tier() -> None:
    rules = [
        TierThreshold("growth", "output_value_10k_cny", 100.0),
        TierThreshold("growth", "months_reported", 6.0),
        TierThreshold("development", "output_value_10k_cny", 500.0),
    ]
    assert (
        classify_business({"output_value_10k_cny": 600.0, "months_reported": 12.0}, rules).tier
        == "development"
    )
    assert (
        classify_business({"output_value_10k_cny": 600.0, "months_reported": 3.0}, rules).tier == "survival"
    )


def test_quote_adds_the_grade_adjustment() -> None:
    assert (
        quote_rate({"B": 10}, product_code="p", grade="B", base_rate_bp=345, uscc="U").quoted_rate_bp == 355
    )
    with pytest.raises(QuoteUnavailable):
        quote_rate({"B": 10}, product_code="p", grade="C", base_rate_bp=345, uscc="U")
    with pytest.raises(QuoteUnavailable):
        quote_rate({"B": -400}, product_code="p", grade="B", base_rate_bp=345, uscc="U")


def test_scope_of_each_role() -> None:
    within = load_region_catalogue().is_within
    analyst = Principal(1, "a", roles=frozenset({Role.ANALYST}), region_codes=frozenset({"331000"}))
    assert read_access(analyst, JIAOJIANG, within) is Access.OUTSIDE
    with pytest.raises(Forbidden):
        read_access(analyst, OrganisationRef(2, "330106"), within)
    owner = Principal(2, "e", organisation_id=1, roles=frozenset({Role.ENTERPRISE}))
    assert read_access(owner, JIAOJIANG, within) is Access.OWN
    assert write_access(owner, JIAOJIANG) is Access.OWN
    with pytest.raises(Forbidden):
        write_access(analyst, JIAOJIANG)
