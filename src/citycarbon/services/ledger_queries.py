"""Read an organisation's ledger through the API: sites, activity, production, results with lineage.

Every function checks the caller's scope on the organisation first and audits the read when
the caller is outside it, through :mod:`citycarbon.services.scope`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.reporting import TOTAL_FIELDS
from citycarbon.services.scope import readable
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import (
    ActivityRecord,
    CalculationRun,
    EmissionResult,
    EmissionResultLine,
    Period,
    ProductionRecord,
    Site,
)

MSG_RESULT_NOT_FOUND = "Result {result_id} does not exist"


@dataclass(frozen=True, slots=True)
class PeriodRange:
    """Inclusive period-code bounds (``2024-01`` … ``2024-12``); ``None`` leaves a side open."""

    period_from: str | None = None
    period_to: str | None = None

    def apply(self, query: Any) -> Any:
        """Add the bounds to a query that already joins :class:`Period`."""
        if self.period_from:
            query = query.where(Period.code >= self.period_from)
        if self.period_to:
            query = query.where(Period.code <= self.period_to)
        return query


@dataclass(frozen=True, slots=True)
class SiteView:
    """A site of an organisation."""

    site_code: str
    name: str | None
    region_code: str | None


@dataclass(frozen=True, slots=True)
class ActivityView:
    """A current activity record."""

    activity_record_id: int
    site_code: str
    period: str
    category: str
    item_code: str
    quantity: float
    unit: str
    certificate: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ProductionView:
    """A current production record (denominators of intensities)."""

    production_record_id: int
    period: str
    output_value_10k_cny: float | None
    value_added_10k_cny: float | None
    product_code: str
    product_output: float | None
    product_unit: str | None


@dataclass(frozen=True, slots=True)
class ResultView:
    """Current totals of one organisation and period."""

    result_id: int
    run_id: int
    period: str
    scope1_tco2e: float
    scope2_tco2e: float
    total_tco2e: float
    energy_tce: float
    scope2_method: str


def list_sites(url: str, caller: Caller, organisation_id: int) -> list[SiteView]:
    """Sites of the organisation, by code."""
    with unit_of_work(url) as session:
        readable(session, caller, organisation_id, "site")
        rows = session.execute(
            select(Site).where(Site.organisation_id == organisation_id).order_by(Site.site_code)
        ).scalars()
        return [SiteView(s.site_code, s.name, s.region_code) for s in rows]


def list_activity(
    url: str,
    caller: Caller,
    organisation_id: int,
    periods: PeriodRange,
    category: str | None,
    limit: int,
    offset: int,
) -> Page[ActivityView]:
    """Current activity records of the organisation, by period and id."""
    limit = page_limit(limit)
    query = (
        select(ActivityRecord, Period.code)
        .join(Period, Period.id == ActivityRecord.period_id)
        .where(ActivityRecord.organisation_id == organisation_id, ActivityRecord.superseded_at.is_(None))
    )
    query = periods.apply(query)
    if category:
        query = query.where(ActivityRecord.category == category)
    with unit_of_work(url) as session:
        readable(session, caller, organisation_id, "activity")
        rows = session.execute(query.order_by(Period.code, ActivityRecord.id).limit(limit + 1).offset(offset))
        views = [
            ActivityView(
                a.id,
                a.site_code,
                code,
                a.category,
                a.item_code,
                a.quantity,
                a.unit,
                a.certificate,
                a.created_at,
            )
            for a, code in rows
        ]
    return paginate(views, limit, offset)


def list_production(
    url: str, caller: Caller, organisation_id: int, periods: PeriodRange, limit: int, offset: int
) -> Page[ProductionView]:
    """Current production records of the organisation, by period."""
    limit = page_limit(limit)
    query = (
        select(ProductionRecord, Period.code)
        .join(Period, Period.id == ProductionRecord.period_id)
        .where(ProductionRecord.organisation_id == organisation_id, ProductionRecord.superseded_at.is_(None))
    )
    query = periods.apply(query)
    with unit_of_work(url) as session:
        readable(session, caller, organisation_id, "production")
        rows = session.execute(
            query.order_by(Period.code, ProductionRecord.id).limit(limit + 1).offset(offset)
        )
        views = [
            ProductionView(
                p.id,
                code,
                p.output_value_10k_cny,
                p.value_added_10k_cny,
                p.product_code,
                p.product_output,
                p.product_unit,
            )
            for p, code in rows
        ]
    return paginate(views, limit, offset)


def list_results(
    url: str, caller: Caller, organisation_id: int, periods: PeriodRange, limit: int, offset: int
) -> Page[ResultView]:
    """Current results of the organisation, by period (lineage: :func:`result_lineage`)."""
    limit = page_limit(limit)
    query = (
        select(EmissionResult, Period.code)
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.organisation_id == organisation_id, EmissionResult.superseded_at.is_(None))
    )
    query = periods.apply(query)
    with unit_of_work(url) as session:
        readable(session, caller, organisation_id, "result")
        rows = session.execute(query.order_by(Period.code).limit(limit + 1).offset(offset))
        views = [
            ResultView(
                r.id,
                r.run_id,
                code,
                r.scope1_tco2e,
                r.scope2_tco2e,
                r.total_tco2e,
                r.energy_tce,
                r.scope2_method,
            )
            for r, code in rows
        ]
    return paginate(views, limit, offset)


def result_lineage(url: str, caller: Caller, result_id: int) -> dict[str, Any]:
    """One result (current or historical) with every line's factor values, sources and flags."""
    with unit_of_work(url) as session:
        found = session.execute(
            select(EmissionResult, Period.code, CalculationRun)
            .join(Period, Period.id == EmissionResult.period_id)
            .join(CalculationRun, CalculationRun.id == EmissionResult.run_id)
            .where(EmissionResult.id == result_id)
        ).first()
        if found is None:
            raise NotFound(MSG_RESULT_NOT_FOUND, result_id=result_id)
        result, code, run = found
        org = readable(session, caller, result.organisation_id, "result")
        lines = session.execute(
            select(EmissionResultLine, ActivityRecord.quantity, ActivityRecord.unit, ActivityRecord.site_code)
            .join(ActivityRecord, ActivityRecord.id == EmissionResultLine.activity_record_id)
            .where(EmissionResultLine.result_id == result_id)
            .order_by(EmissionResultLine.id)
        ).all()
        return {
            "result_id": result.id,
            "organisation_id": org.id,
            "uscc": org.uscc,
            "period": code,
            "is_current": result.superseded_at is None,
            "run_id": run.id,
            "grid_code": run.grid_code,
            "gwp_metric": run.gwp_metric,
            "factor_versions": json.loads(run.factor_versions),
            "scope2_method": result.scope2_method,
            **{f: getattr(result, f) for f in TOTAL_FIELDS},
            "lines": [_line(line, quantity, unit, site) for line, quantity, unit, site in lines],
        }


def _line(line: EmissionResultLine, quantity: float, unit: str, site: str) -> dict[str, Any]:
    return {
        "activity_record_id": line.activity_record_id,
        "site_code": site,
        "category": line.category,
        "item_code": line.item_code,
        "quantity": quantity,
        "unit": unit,
        "quantity_canonical": line.quantity_canonical,
        "canonical_unit": line.canonical_unit,
        "emissions_tco2e": line.emissions_tco2e,
        "energy_tce": line.energy_tce,
        "emission_factor": line.emission_factor,
        "ncv_gj_per_unit": line.ncv_gj_per_unit,
        "carbon_content_tc_per_gj": line.carbon_content_tc_per_gj,
        "oxidation_rate": line.oxidation_rate,
        "tce_per_unit": line.tce_per_unit,
        "lineage_id": line.lineage_id,
        "tce_lineage_id": line.tce_lineage_id,
        "factor_source": line.factor_source,
        "factor_status": line.factor_status,
        "flags": [flag for flag in line.flags.split(",") if flag],
    }
