"""Schemas of organisations (enterprises, individual businesses, parks and banks)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from citycarbon.api.schemas.common import Input, Name, Schema, UtcDateTime

OrganisationKind = Literal["enterprise", "individual_business", "park", "bank"]


class OrganisationIn(Input):
    """A new organisation; codes are validated against the shipped catalogues."""

    uscc: str = Field(pattern=r"^[0-9A-Z]{18}$", description="Unified social credit code")
    name: Name
    kind: OrganisationKind = "enterprise"
    industry_code: str = Field(pattern=r"^[A-Z](\d{2,4})?$", description="GB/T 4754 code, e.g. C3011")
    region_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code, e.g. 331002")
    area_mu: float | None = Field(
        default=None, ge=0, le=1e9, allow_inf_nan=False, description="Land area [mu]"
    )


class OrganisationOut(Schema):
    """An organisation's master data."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    area_mu: float | None
    created_at: UtcDateTime


class BusinessTierOut(Schema):
    """Tier of an individual business and the figures that decided it."""

    tier: Literal["survival", "growth", "development"]
    year: int | None
    metrics: dict[str, float | None]
    threshold_set: str
