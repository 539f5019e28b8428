"""Response schemas of the public carbon-sink registry (what a registry publishes)."""

from __future__ import annotations

from citycarbon.api.schemas.common import Schema


class PublicProjectOut(Schema):
    """A sink project: code, type, methodology, region and status."""

    project_code: str
    project_name: str
    project_type: str
    methodology: str
    region_code: str
    status: str


class PublicIssuanceOut(Schema):
    """An issuance: serial range, quantity [tCO2e], the report and verifier behind it."""

    project_code: str
    vintage_year: int
    serial: str
    quantity_tco2e: int
    report_id: int
    verifier_name: str
    issued_at: str


class PublicBlockOut(Schema):
    """A serial block, its state, holding account, and for retirements the beneficiary and purpose."""

    serial: str
    quantity_tco2e: int
    state: str
    account_code: str
    beneficiary_name: str | None
    purpose: str | None


class PublicRegistryOut(Schema):
    """Projects, issuances and serial blocks of the public registry."""

    projects: list[PublicProjectOut]
    issuances: list[PublicIssuanceOut]
    blocks: list[PublicBlockOut]
