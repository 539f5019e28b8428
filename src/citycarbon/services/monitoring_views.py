"""Read monitoring data for the API and web pages: outlets, readings, gaps — within the caller's scope.

Every function checks the caller's scope on the outlet's organisation (and audits a read from
outside it) through :mod:`citycarbon.services.scope`, as the ledger queries do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from citycarbon.domain.clock import as_utc
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.scope import readable, visible_organisations
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import MonitoringGap, MonitoringOutlet, MonitoringReading, OutletLimit
from citycarbon.store.tables import Organisation, Site

MSG_OUTLET_NOT_FOUND = "Outlet {outlet_id} does not exist"


@dataclass(frozen=True, slots=True)
class LimitView:
    """A limit of an outlet, with the standard it comes from."""

    pollutant_code: str
    measure: str
    limit_value: float
    unit: str
    standard_code: str
    factor_set: str
    status: str


@dataclass(frozen=True, slots=True)
class OutletView:
    """An outlet with its site, organisation and limits."""

    outlet_id: int
    organisation_id: int
    organisation_name: str
    site_code: str
    outlet_code: str
    name: str | None
    medium: str
    expected_interval_s: int
    limits: tuple[LimitView, ...]


@dataclass(frozen=True, slots=True)
class ReadingView:
    """One current reading."""

    pollutant_code: str
    measure: str
    observed_at: dt.datetime
    value: float
    unit: str
    reported_value: float
    reported_unit: str
    source: str
    revision: int
    received_at: dt.datetime


@dataclass(frozen=True, slots=True)
class GapView:
    """A data gap of an outlet."""

    gap_id: int
    outlet_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    missing_intervals: int


def _outlet_views(session: Session, outlets: list[tuple[MonitoringOutlet, str, str]]) -> list[OutletView]:
    ids = [outlet.id for outlet, _, _ in outlets]
    limits: dict[int, list[LimitView]] = {outlet_id: [] for outlet_id in ids}
    for limit in session.scalars(select(OutletLimit).where(OutletLimit.outlet_id.in_(ids))):
        limits[limit.outlet_id].append(
            LimitView(
                limit.pollutant_code,
                limit.measure,
                limit.limit_value,
                limit.unit,
                limit.standard_code,
                limit.factor_set,
                limit.status,
            )
        )
    return [
        OutletView(
            outlet.id,
            outlet.organisation_id,
            org_name,
            site_code,
            outlet.outlet_code,
            outlet.name,
            outlet.medium,
            outlet.expected_interval_s,
            tuple(limits[outlet.id]),
        )
        for outlet, org_name, site_code in outlets
    ]


def _outlet_query() -> Select[MonitoringOutlet, str, str]:
    return (
        select(MonitoringOutlet, Organisation.name, Site.site_code)
        .join(Organisation, Organisation.id == MonitoringOutlet.organisation_id)
        .join(Site, Site.id == MonitoringOutlet.site_id)
    )


def list_outlets(
    url: str, caller: Caller, organisation_id: int | None, limit: int, offset: int
) -> Page[OutletView]:
    """Outlets of one organisation (scope-checked), or of every organisation the caller may list."""
    limit = page_limit(limit)
    with unit_of_work(url) as session:
        query = _outlet_query()
        if organisation_id is not None:
            readable(session, caller, organisation_id, "monitoring")
            query = query.where(MonitoringOutlet.organisation_id == organisation_id)
        else:
            query = query.where(visible_organisations(caller))
        rows = session.execute(query.order_by(MonitoringOutlet.id).limit(limit + 1).offset(offset)).all()
        views = _outlet_views(session, [(row[0], row[1], row[2]) for row in rows])
    return paginate(views, limit, offset)


def _outlet(session: Session, caller: Caller, outlet_id: int) -> OutletView:
    row = session.execute(_outlet_query().where(MonitoringOutlet.id == outlet_id)).first()
    if row is None:
        raise NotFound(MSG_OUTLET_NOT_FOUND, outlet_id=outlet_id)
    readable(session, caller, row[0].organisation_id, "monitoring")
    return _outlet_views(session, [(row[0], row[1], row[2])])[0]


def get_outlet(url: str, caller: Caller, outlet_id: int) -> OutletView:
    """One outlet with its limits (scope-checked)."""
    with unit_of_work(url) as session:
        return _outlet(session, caller, outlet_id)


def list_readings(
    url: str,
    caller: Caller,
    outlet_id: int,
    *,
    pollutant: str | None = None,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
    limit: int = 500,
    offset: int = 0,
) -> Page[ReadingView]:
    """Current readings of an outlet, oldest first, optionally for one pollutant and time range."""
    limit = page_limit(limit)
    reading = MonitoringReading
    with unit_of_work(url) as session:
        _outlet(session, caller, outlet_id)
        query = select(reading).where(reading.outlet_id == outlet_id, reading.superseded_at.is_(None))
        if pollutant:
            query = query.where(reading.pollutant_code == pollutant)
        if start_at:
            query = query.where(reading.observed_at >= start_at)
        if end_at:
            query = query.where(reading.observed_at < end_at)
        rows = session.scalars(
            query.order_by(reading.observed_at, reading.pollutant_code, reading.measure)
            .limit(limit + 1)
            .offset(offset)
        ).all()
        views = [
            ReadingView(
                r.pollutant_code,
                r.measure,
                as_utc(r.observed_at),
                r.value,
                r.unit,
                r.reported_value,
                r.reported_unit,
                r.source,
                r.revision,
                as_utc(r.received_at),
            )
            for r in rows
        ]
    return paginate(views, limit, offset)


def list_gaps(url: str, caller: Caller, outlet_id: int) -> list[GapView]:
    """Data gaps of an outlet, newest first."""
    with unit_of_work(url) as session:
        _outlet(session, caller, outlet_id)
        gaps = session.scalars(
            select(MonitoringGap)
            .where(MonitoringGap.outlet_id == outlet_id)
            .order_by(MonitoringGap.started_at.desc())
        ).all()
        return [
            GapView(
                g.id,
                g.outlet_id,
                as_utc(g.started_at),
                as_utc(g.ended_at) if g.ended_at else None,
                g.missing_intervals,
            )
            for g in gaps
        ]
