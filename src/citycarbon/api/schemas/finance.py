"""Schemas of green finance: carbon profiles, pricing rules and loan quotes."""

from __future__ import annotations

from pydantic import Field, model_validator

from citycarbon.api.schemas.common import Code, Input, LongText, Schema
from citycarbon.api.schemas.organisations import BusinessTierOut


class ProfileYearOut(Schema):
    """One year of emissions [tCO2e], energy [tce], output [10^4 CNY] and intensity."""

    year: int
    total_tco2e: float
    scope1_tco2e: float
    scope2_tco2e: float
    energy_tce: float
    output_value_10k_cny: float | None
    intensity_tco2e_per_10k_cny: float | None


class RatingOut(Schema):
    """Carbon-efficiency grade and trend, present when the rating service is installed."""

    grade: str
    trend: str | None
    period_code: str


class CarbonProfileOut(Schema):
    """What a bank sees of a consenting enterprise."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    years: list[ProfileYearOut]
    rating: RatingOut | None
    business_tier: BusinessTierOut | None
    consent_purpose: str | None


class PricingRuleIn(Input):
    """Adjustment of one grade [bp]; negative is a discount."""

    grade: str = Field(pattern=r"^[A-Z][A-Z0-9+-]{0,7}$")
    adjustment_bp: int = Field(ge=-10_000, le=10_000)
    note: LongText | None = None


class PricingRulesIn(Input):
    """Every rule of one product (replaces the stored ones)."""

    rules: list[PricingRuleIn] = Field(max_length=50)

    @model_validator(mode="after")
    def _one_rule_per_grade(self) -> PricingRulesIn:
        grades = [rule.grade for rule in self.rules]
        if len(grades) != len(set(grades)):
            raise ValueError("each grade may appear only once")
        return self


class PricingRuleOut(Schema):
    """A stored rule."""

    product_code: str
    grade: str
    adjustment_bp: int
    note: str


class QuoteIn(Input):
    """A quote request: enterprise, product and base rate [bp]."""

    uscc: str = Field(pattern=r"^[0-9A-Z]{18}$")
    product_code: Code
    base_rate_bp: int = Field(ge=0, le=10_000, description="Rate before adjustment, e.g. LPR 345 bp")


class QuoteOut(Schema):
    """The quoted rate [bp]."""

    product_code: str
    grade: str
    base_rate_bp: int
    adjustment_bp: int
    quoted_rate_bp: int
