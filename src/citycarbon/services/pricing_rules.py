"""Banks' loan-pricing rules (grade → adjustment in basis points, per product) and quotes.

The rules are data each bank maintains through the API, not code: a bank changes its
carbon-efficiency loan (碳效贷) pricing by replacing the rules of a product, and every change is
audited. A quote reads the enterprise's grade through the consented profile path, so a quote
is refused exactly when the profile would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.finance.pricing import Quote, quote_rate
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.services.green_finance import MSG_BANK_ACCOUNT, carbon_profile
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import LoanPricingRule
from citycarbon.store.tables import Organisation


@dataclass(frozen=True, slots=True)
class PricingRule:
    """Adjustment [bp] of one grade for one product."""

    product_code: str
    grade: str
    adjustment_bp: int
    note: str = ""


def _bank_id(url: str, caller: Caller) -> int:
    bank_id = caller.principal.organisation_id
    with unit_of_work(url) as session:
        bank = session.get(Organisation, bank_id) if bank_id is not None else None
        if bank is None or bank.kind != "bank":
            raise Forbidden(MSG_BANK_ACCOUNT)
        return bank.id


def list_rules(url: str, caller: Caller) -> list[PricingRule]:
    """The caller's bank's rules, by product and grade."""
    bank_id = _bank_id(url, caller)
    with unit_of_work(url) as session:
        rows = session.execute(
            select(LoanPricingRule)
            .where(LoanPricingRule.bank_organisation_id == bank_id)
            .order_by(LoanPricingRule.product_code, LoanPricingRule.grade)
        ).scalars()
        return [PricingRule(r.product_code, r.grade, r.adjustment_bp, r.note) for r in rows]


def replace_product_rules(
    url: str, caller: Caller, product_code: str, rules: Sequence[PricingRule]
) -> list[PricingRule]:
    """Replace every rule of one product of the caller's bank (audited)."""
    bank_id = _bank_id(url, caller)
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(url) as session:
        session.execute(
            delete(LoanPricingRule).where(
                LoanPricingRule.bank_organisation_id == bank_id, LoanPricingRule.product_code == product_code
            )
        )
        session.add_all(
            LoanPricingRule(
                bank_organisation_id=bank_id,
                product_code=product_code,
                grade=r.grade,
                adjustment_bp=r.adjustment_bp,
                note=r.note,
                updated_at=now,
            )
            for r in rules
        )
        record_event(
            session,
            caller,
            action="write",
            resource="loan_pricing_rule",
            subject_organisation_id=bank_id,
            detail=f"{product_code}: " + ", ".join(f"{r.grade}={r.adjustment_bp:+d}bp" for r in rules),
        )
    return [PricingRule(product_code, r.grade, r.adjustment_bp, r.note) for r in rules]


def quote(url: str, caller: Caller, *, uscc: str, product_code: str, base_rate_bp: int) -> Quote:
    """Price a loan for a consenting enterprise with the caller's bank's rules.

    Raises
    ------
    ConsentRefused
        Without a live consent (the profile read is refused and audited).
    QuoteUnavailable
        Without a grade, or without a rule for it.

    """
    profile = carbon_profile(url, caller, uscc)
    rules = {r.grade: r.adjustment_bp for r in list_rules(url, caller) if r.product_code == product_code}
    grade = profile.rating.grade if profile.rating is not None else None
    return quote_rate(
        rules, product_code=product_code, grade=grade, base_rate_bp=base_rate_bp, uscc=profile.uscc
    )
