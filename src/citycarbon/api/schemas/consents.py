"""Schemas of enterprises' consents to banks."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from citycarbon.api.schemas.common import Input, LongText, Schema, UtcDateTime


class ConsentIn(Input):
    """Consent for a named bank to read the enterprise's carbon profile."""

    bank_uscc: str = Field(pattern=r"^[0-9A-Z]{18}$", description="Credit code of the bank")
    purpose: LongText = Field(description="Why the bank may look, e.g. a loan application number")
    valid_until_date: dt.date = Field(description="Last day (UTC) the consent is live")


class ConsentOut(Schema):
    """A consent and whether it is live today."""

    consent_id: int
    organisation_id: int
    organisation_uscc: str
    bank_organisation_id: int
    bank_uscc: str
    bank_name: str
    purpose: str
    valid_until_date: dt.date
    granted_at: UtcDateTime
    revoked_at: UtcDateTime | None
    is_live: bool
