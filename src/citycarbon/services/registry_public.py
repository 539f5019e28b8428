"""The public registry: what a registry publishes about projects, issuances, retirements and serials.

Holders' names of active units are not published (only account codes), but retirements name
their beneficiary and purpose, because a retirement is a public claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from citycarbon.domain.clock import as_utc
from citycarbon.domain.sinks.blocks import format_serial
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_tables import (
    SinkAccount,
    SinkIssuance,
    SinkMonitoringReport,
    SinkProject,
    SinkRetirement,
    SinkUnitBlock,
)

BLOCK = cast(Table, SinkUnitBlock.__table__)


@dataclass(frozen=True, slots=True)
class PublicProject:
    """A project as published."""

    project_code: str
    project_name: str
    project_type: str
    methodology: str
    region_code: str
    status: str


@dataclass(frozen=True, slots=True)
class PublicIssuance:
    """An issuance: serial range, quantity, the report and verifier behind it."""

    project_code: str
    vintage_year: int
    serial: str
    quantity_tco2e: int
    report_id: int
    verifier_name: str
    issued_at: str


@dataclass(frozen=True, slots=True)
class PublicBlock:
    """A serial block, its state and the account code holding it."""

    serial: str
    quantity_tco2e: int
    state: str
    account_code: str
    beneficiary_name: str | None
    purpose: str | None


@dataclass(frozen=True, slots=True)
class PublicRegistry:
    """Everything the public view shows."""

    projects: list[PublicProject]
    issuances: list[PublicIssuance]
    blocks: list[PublicBlock]


def public_registry(url: str, project_code: str | None = None) -> PublicRegistry:
    """The public registry, optionally for one project."""
    with unit_of_work(url) as session:
        query = select(SinkProject).order_by(SinkProject.project_code)
        if project_code is not None:
            query = query.where(SinkProject.project_code == project_code)
        projects = list(session.scalars(query))
        ids = [p.id for p in projects]
        return PublicRegistry(
            [
                PublicProject(
                    p.project_code,
                    p.project_name,
                    p.project_type,
                    f"{p.methodology_code} {p.methodology_version}",
                    p.region_code,
                    p.status,
                )
                for p in projects
            ],
            _issuances(session, ids),
            _blocks(session, ids),
        )


def _issuances(session: Session, project_ids: list[int]) -> list[PublicIssuance]:
    rows = session.execute(
        select(SinkIssuance, SinkProject.project_code, SinkMonitoringReport.verifier_name)
        .join(SinkProject, SinkProject.id == SinkIssuance.project_id)
        .join(SinkMonitoringReport, SinkMonitoringReport.id == SinkIssuance.report_id)
        .where(SinkIssuance.project_id.in_(project_ids))
        .order_by(SinkIssuance.id)
    ).all()
    return [
        PublicIssuance(
            code,
            i.vintage_year,
            format_serial(code, i.vintage_year, i.serial_start, i.serial_end),
            i.quantity_tco2e,
            i.report_id,
            verifier or "",
            as_utc(i.issued_at).isoformat(),
        )
        for i, code, verifier in rows
    ]


def _blocks(session: Session, project_ids: list[int]) -> list[PublicBlock]:
    rows = session.execute(
        select(
            BLOCK.c.vintage_year,
            BLOCK.c.serial_start,
            BLOCK.c.serial_end,
            BLOCK.c.state,
            SinkProject.project_code,
            SinkAccount.account_code,
            SinkRetirement.beneficiary_name,
            SinkRetirement.purpose,
        )
        .join(SinkProject, SinkProject.id == BLOCK.c.project_id)
        .join(SinkAccount, SinkAccount.id == BLOCK.c.account_id)
        .outerjoin(SinkRetirement, SinkRetirement.id == BLOCK.c.retirement_id)
        .where(BLOCK.c.project_id.in_(project_ids))
        .order_by(SinkProject.project_code, BLOCK.c.vintage_year, BLOCK.c.serial_start)
    ).all()
    return [
        PublicBlock(
            format_serial(r.project_code, r.vintage_year, r.serial_start, r.serial_end),
            r.serial_end - r.serial_start + 1,
            r.state,
            r.account_code,
            r.beneficiary_name,
            r.purpose,
        )
        for r in rows
    ]
