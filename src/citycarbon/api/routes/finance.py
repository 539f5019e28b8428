"""Green finance: consented carbon profiles by credit code, pricing rules and loan quotes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from citycarbon.api.deps import CreditCode, DatabaseUrl, PricingManager, ProfileReader, QuoteCreator
from citycarbon.api.schemas.common import COMMON_PROBLEMS, LongText, problem_responses
from citycarbon.api.schemas.finance import (
    CarbonProfileOut,
    PricingRuleOut,
    PricingRulesIn,
    QuoteIn,
    QuoteOut,
)
from citycarbon.services import green_finance, pricing_rules

router = APIRouter(
    prefix="/green-finance", tags=["green finance"], responses=problem_responses(*COMMON_PROBLEMS, 404, 409)
)


@router.get("/profiles/{uscc}", response_model=CarbonProfileOut)
async def get_profile(
    uscc: CreditCode,
    caller: ProfileReader,
    url: DatabaseUrl,
    purpose: Annotated[LongText | None, Query(description="Why you look (non-bank callers)")] = None,
) -> CarbonProfileOut:
    """Carbon profile of an enterprise; a bank needs its live consent (403 with the reason otherwise)."""
    return CarbonProfileOut.model_validate(await green_finance.read_profile(url, caller, uscc, purpose))


@router.post("/quotes", response_model=QuoteOut)
def create_quote(body: QuoteIn, caller: QuoteCreator, url: DatabaseUrl) -> QuoteOut:
    """Price a loan: base rate plus the bank's adjustment for the enterprise's grade."""
    quote = pricing_rules.quote(
        url, caller, uscc=body.uscc, product_code=body.product_code, base_rate_bp=body.base_rate_bp
    )
    return QuoteOut.model_validate(quote)


@router.get("/pricing-rules", response_model=list[PricingRuleOut])
def list_pricing_rules(caller: PricingManager, url: DatabaseUrl) -> list[PricingRuleOut]:
    """The caller's bank's rules (grade → adjustment in bp), by product."""
    return [PricingRuleOut.model_validate(r) for r in pricing_rules.list_rules(url, caller)]


@router.put("/pricing-rules/{product_code}", response_model=list[PricingRuleOut])
def replace_pricing_rules(
    product_code: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,48}$")],
    body: PricingRulesIn,
    caller: PricingManager,
    url: DatabaseUrl,
) -> list[PricingRuleOut]:
    """Replace every rule of one loan product of the caller's bank."""
    rules = [
        pricing_rules.PricingRule(product_code, r.grade, r.adjustment_bp, r.note or "") for r in body.rules
    ]
    return [
        PricingRuleOut.model_validate(r)
        for r in pricing_rules.replace_product_rules(url, caller, product_code, rules)
    ]
