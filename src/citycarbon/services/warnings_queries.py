"""Read warnings with their evidence for the API and web pages, within the caller's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.clock import as_utc
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.scope import readable, visible_organisations
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningEvidence
from citycarbon.store.tables import Organisation

MSG_WARNING_NOT_FOUND = "Warning {warning_id} does not exist"


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One number or code behind a warning."""

    name: str
    value_number: float | None
    value_text: str | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class WarningView:
    """A warning, with what triggered it."""

    warning_id: int
    rule_id: str
    rule_version: str
    rule_set: str
    kind: str
    severity: str
    organisation_id: int
    organisation_name: str
    region_code: str
    site_id: int | None
    outlet_id: int | None
    pollutant_code: str | None
    period_code: str | None
    window_start_at: dt.datetime | None
    window_end_at: dt.datetime | None
    first_detected_at: dt.datetime
    last_detected_at: dt.datetime
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True, slots=True)
class WarningFilter:
    """Optional filters of a warning list."""

    organisation_id: int | None = None
    outlet_id: int | None = None
    severity: str | None = None
    rule_id: str | None = None
    period_code: str | None = None


def _views(session: Session, rows: list[tuple[SupervisionWarning, str, str]]) -> list[WarningView]:
    ids = [warning.id for warning, _, _ in rows]
    evidence: dict[int, list[EvidenceView]] = {warning_id: [] for warning_id in ids}
    for item in session.scalars(
        select(WarningEvidence).where(WarningEvidence.warning_id.in_(ids)).order_by(WarningEvidence.id)
    ):
        evidence[item.warning_id].append(
            EvidenceView(item.name, item.value_number, item.value_text, item.unit)
        )
    return [
        WarningView(
            w.id,
            w.rule_id,
            w.rule_version,
            w.rule_set,
            w.kind,
            w.severity,
            w.organisation_id,
            name,
            region,
            w.site_id,
            w.outlet_id,
            w.pollutant_code,
            w.period_code,
            as_utc(w.window_start_at),
            as_utc(w.window_end_at),
            as_utc(w.first_detected_at) or w.first_detected_at,
            as_utc(w.last_detected_at) or w.last_detected_at,
            tuple(evidence[w.id]),
        )
        for w, name, region in rows
    ]


def _query(caller: Caller, where: WarningFilter) -> Select[SupervisionWarning, str, str]:
    query = (
        select(SupervisionWarning, Organisation.name, Organisation.region_code)
        .join(Organisation, Organisation.id == SupervisionWarning.organisation_id)
        .where(visible_organisations(caller))
    )
    for column, value in (
        (SupervisionWarning.organisation_id, where.organisation_id),
        (SupervisionWarning.outlet_id, where.outlet_id),
        (SupervisionWarning.severity, where.severity),
        (SupervisionWarning.rule_id, where.rule_id),
        (SupervisionWarning.period_code, where.period_code),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def list_warnings(
    url: str, caller: Caller, where: WarningFilter, limit: int, offset: int
) -> Page[WarningView]:
    """Warnings the caller may see, newest first."""
    limit = page_limit(limit)
    with unit_of_work(url) as session:
        if where.organisation_id is not None:
            readable(session, caller, where.organisation_id, "warnings")
        query = _query(caller, where).order_by(
            SupervisionWarning.last_detected_at.desc(), SupervisionWarning.id.desc()
        )
        rows = session.execute(query.limit(limit + 1).offset(offset)).all()
        views = _views(session, [(row[0], row[1], row[2]) for row in rows])
    return paginate(views, limit, offset)


def count_warnings(url: str, caller: Caller, where: WarningFilter) -> dict[str, int]:
    """Number of visible warnings by severity."""
    with unit_of_work(url) as session:
        sub = _query(caller, where).subquery()
        rows = session.execute(select(sub.c.severity, func.count()).group_by(sub.c.severity)).all()
    return {severity: count for severity, count in rows}


def get_warning(url: str, caller: Caller, warning_id: int) -> WarningView:
    """One warning with its evidence (scope-checked, audited when read from outside)."""
    with unit_of_work(url) as session:
        row = session.execute(
            select(SupervisionWarning, Organisation.name, Organisation.region_code)
            .join(Organisation, Organisation.id == SupervisionWarning.organisation_id)
            .where(SupervisionWarning.id == warning_id)
        ).first()
        if row is None:
            raise NotFound(MSG_WARNING_NOT_FOUND, warning_id=warning_id)
        readable(session, caller, row[0].organisation_id, "warnings")
        return _views(session, [(row[0], row[1], row[2])])[0]
