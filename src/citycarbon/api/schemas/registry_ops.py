"""Request and response schemas of registry operations: accounts, projects, MRV, issuance, journal.

Amounts of money are whole fen (0.01 CNY), as the registry stores them; units are whole tonnes
(``_tco2e``). Codes of accounts, projects and auctions are letters, digits, ``-`` and ``_``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from citycarbon.api.schemas.common import Input, LongText, Name, Schema
from citycarbon.domain.sinks.project import ProjectType

RegistryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
VintageYear = Annotated[int, Field(ge=1990, le=2100)]
Tonnes = Annotated[int, Field(ge=1, le=10**12, description="Whole tonnes [tCO2e]")]
Serial = Annotated[int, Field(ge=1, le=10**12)]
Fen = Annotated[int, Field(ge=0, le=10**15, description="Amount [fen, 0.01 CNY]")]


class AccountIn(Input):
    """A holding account to open; ``organisation_id`` defaults to the caller's organisation."""

    account_code: RegistryCode
    holder_name: Name
    organisation_id: int | None = Field(default=None, ge=1, le=2**53 - 1)


class AccountOut(Schema):
    """An opened account."""

    account_code: str
    organisation_id: int | None


class HoldingOut(Schema):
    """Units of one project, vintage and state in an account [tCO2e]."""

    project_code: str
    vintage_year: int
    state: str
    quantity_tco2e: int


class ParticipantIn(Input):
    """A household or body sharing in the proceeds, with its contribution weight."""

    participant_name: Name
    share_weight: float = Field(gt=0, le=1e12)


class ProjectIn(Input):
    """A sink project to create as a draft, with participants and its benefit-sharing rule."""

    project_code: RegistryCode
    project_name: Name
    project_type: ProjectType
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    owner_account_code: RegistryCode
    fund_account_code: RegistryCode | None = None
    participants_share_pct: float = Field(default=0.0, ge=0, le=100)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=10_000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ProjectOut(Schema):
    """A project's code, id and status after a change."""

    project_id: int
    project_code: str
    status: str


class NoteIn(Input):
    """An optional note for the journal."""

    note: LongText | None = None


class DecisionIn(Input):
    """The registry's decision on a submitted project."""

    status: Literal["registered", "rejected"]
    note: LongText | None = None


class MeasurementIn(Input):
    """Harvested wet weight [t] (shellfish, seaweed) or stem-volume change [m^3] (forestry)."""

    species_code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
    quantity: Decimal = Field(gt=0, le=Decimal(10**12), max_digits=24, decimal_places=6)


class ReportIn(Input):
    """A monitoring report of one vintage."""

    vintage_year: VintageYear
    period_start_date: dt.date
    period_end_date: dt.date
    measurements: list[MeasurementIn] = Field(min_length=1, max_length=200)
    baseline_tco2e: Decimal = Field(default=Decimal(0), ge=0, le=Decimal(10**12), max_digits=24)
    leakage_tco2e: Decimal = Field(default=Decimal(0), ge=0, le=Decimal(10**12), max_digits=24)

    @model_validator(mode="after")
    def _period_in_order(self) -> ReportIn:
        if self.period_end_date < self.period_start_date:
            raise ValueError("period_end_date is before period_start_date")
        return self


class ReportOut(Schema):
    """What a report concluded."""

    report_id: int
    sink_tco2e: float
    issuable_tco2e: int
    factor_set: str
    inputs_sha256: str


class SigningMessageOut(Schema):
    """A report as its verifier reviews it, and the exact text to sign (UTF-8, Ed25519)."""

    report_id: int
    project_code: str
    vintage_year: int
    status: str
    sink_tco2e: float
    issuable_tco2e: int
    factor_set: str
    inputs_sha256: str
    verifier_name: str
    message: str


class VerificationIn(Input):
    """A verifier's Ed25519 signature of the report's message, made on the verifier's machine."""

    verifier_name: Name
    public_key_hex: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
    signature_hex: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{128}$")]


class VerificationOut(Schema):
    """The recorded sign-off."""

    report_id: int
    status: str
    verifier_name: str
    signature_hex: str


class IssuanceIn(Input):
    """Units to issue from a verified report (all it allows when omitted)."""

    quantity_tco2e: Tonnes | None = None


class JournalVerificationOut(Schema):
    """Outcome of ``registry verify``: chain, balances replayed from the journal, signatures."""

    ok: bool
    entries_checked: int
    broken_link_seq: int | None
    broken_link_reason: str | None
    replay_conflict_seq: int | None
    balance_mismatch: str | None
    checkpoints_checked: int
    bad_checkpoints: list[int]
    reports_checked: int
    bad_reports: list[int]
