"""An organisation's carbon report: totals by period and scope, lines with their lineage.

The report reads only current results; each line carries the factor values and sources it was
computed with, so the report itself is the evidence a verifier or bank needs.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.i18n import translator
from citycarbon.store.db import unit_of_work
from citycarbon.store.repositories import IN_LIST, chunked
from citycarbon.store.tables import (
    ActivityRecord,
    CalculationRun,
    EmissionResult,
    EmissionResultLine,
    Organisation,
    Period,
)

TOTAL_FIELDS = ("scope1_tco2e", "scope2_tco2e", "total_tco2e", "energy_tce")


class NotFound(CityCarbonError):
    """A requested organisation or result does not exist."""


def _organisation(session: Session, uscc: str) -> Organisation:
    code = validate_uscc(uscc, allow_legacy=True)
    found = session.execute(select(Organisation).where(Organisation.uscc == code)).scalar_one_or_none()
    if found is None:
        raise NotFound("Organisation {uscc} is not registered", uscc=code)
    return found


def _line(line: EmissionResultLine, quantity: float, unit: str, site: str) -> dict[str, Any]:
    return {
        "site": site,
        "category": line.category,
        "item": line.item_code,
        "quantity": quantity,
        "unit": unit,
        "quantity_canonical": line.quantity_canonical,
        "canonical_unit": line.canonical_unit,
        "tco2e": line.emissions_tco2e,
        "energy_tce": line.energy_tce,
        "emission_factor": line.emission_factor,
        "lineage_id": line.lineage_id,
        "ncv_gj_per_unit": line.ncv_gj_per_unit,
        "carbon_content_tc_per_gj": line.carbon_content_tc_per_gj,
        "oxidation_rate": line.oxidation_rate,
        "tce_per_unit": line.tce_per_unit,
        "source": line.factor_source,
        "status": line.factor_status,
        "flags": [f for f in line.flags.split(",") if f],
    }


def _lines_by_result(session: Session, result_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Lines of all ``result_ids`` in one query (not one per period)."""
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for part in chunked(result_ids, IN_LIST):
        rows = session.execute(
            select(EmissionResultLine, ActivityRecord.quantity, ActivityRecord.unit, ActivityRecord.site_code)
            .join(ActivityRecord, ActivityRecord.id == EmissionResultLine.activity_record_id)
            .where(EmissionResultLine.result_id.in_(part))
            .order_by(EmissionResultLine.id)
        )
        for line, quantity, unit, site in rows:
            lines[line.result_id].append(_line(line, quantity, unit, site))
    return lines


def _periods(session: Session, org_id: int, year: int | None) -> list[dict[str, Any]]:
    query = (
        select(EmissionResult, Period.code, CalculationRun.factor_versions, CalculationRun.grid_code)
        .join(Period, Period.id == EmissionResult.period_id)
        .join(CalculationRun, CalculationRun.id == EmissionResult.run_id)
        .where(EmissionResult.organisation_id == org_id, EmissionResult.superseded_at.is_(None))
        .order_by(Period.code)
    )
    if year is not None:
        query = query.where(Period.year == year)
    results = session.execute(query).all()
    lines = _lines_by_result(session, [result.id for result, *_ in results])
    return [
        {
            "period": code,
            "result_id": result.id,
            "run_id": result.run_id,
            "grid": grid,
            "factor_versions": versions,
            "scope2_method": result.scope2_method,
            **{f: getattr(result, f) for f in TOTAL_FIELDS},
            "lines": lines[result.id],
        }
        for result, code, versions, grid in results
    ]


def build_report(url: str, uscc: str, year: int | None = None) -> dict[str, Any]:
    """Report of one organisation (optionally one year) from current results."""
    with unit_of_work(url) as session:
        org = _organisation(session, uscc)
        periods = _periods(session, org.id, year)
        organisation = {
            "uscc": org.uscc,
            "name": org.name,
            "kind": org.kind,
            "industry_code": org.industry_code,
            "region_code": org.region_code,
            "area_mu": org.area_mu,
        }
    totals = {f: sum(p[f] for p in periods) for f in TOTAL_FIELDS}
    return {"organisation": organisation, "year": year, "totals": totals, "periods": periods}


def report_xlsx(report: dict[str, Any], locale: str | None) -> bytes:
    """The report as a workbook: summary by period, and every line with its factor lineage."""
    tr = translator(locale)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = tr("Summary")
    org = report["organisation"]
    summary.append([tr("Organisation"), org["name"]])
    summary.append([tr("Credit code"), org["uscc"]])
    summary.append([tr("Industry"), org["industry_code"], tr("Region"), org["region_code"]])
    summary.append([])
    summary.append(
        [
            tr(h)
            for h in (
                "Period",
                "Scope 1 (tCO2e)",
                "Scope 2 (tCO2e)",
                "Total (tCO2e)",
                "Energy (tce)",
                "Scope 2 method",
            )
        ]
    )
    for period in report["periods"]:
        summary.append([period["period"], *(period[f] for f in TOTAL_FIELDS), tr(period["scope2_method"])])
    summary.append([tr("Total"), *(report["totals"][f] for f in TOTAL_FIELDS)])
    lines = book.create_sheet(tr("Lines"))
    headings = (
        "Period",
        "Site",
        "Category",
        "Item",
        "Quantity",
        "Unit",
        "tCO2e",
        "Energy (tce)",
        "Emission factor",
        "Factor",
        "Source",
        "Status",
        "Flags",
    )
    lines.append([tr(h) for h in headings])
    for period in report["periods"]:
        for line in period["lines"]:
            lines.append(
                [
                    period["period"],
                    line["site"],
                    tr(line["category"]),
                    line["item"],
                    line["quantity"],
                    line["unit"],
                    line["tco2e"],
                    line["energy_tce"],
                    line["emission_factor"],
                    line["lineage_id"],
                    line["source"],
                    line["status"],
                    ",".join(line["flags"]),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
