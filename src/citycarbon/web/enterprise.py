"""The enterprise pages: ledger by period and scope, lineage, sign-off, reports, data entry.

Uploads go to the API's import-job endpoint from the browser (``static/app.js``), which polls
the job for the progress bar and draws the problem table, so the page and the API share one
import path and one set of checks.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import RedirectResponse

from citycarbon.api.deps import DatabaseUrl, LedgerReader, LedgerWriter, ObjectId, VerificationSigner
from citycarbon.i18n import translator
from citycarbon.ingest.templates import template_bytes
from citycarbon.services.certificate import CardError, issue_card
from citycarbon.services.enterprise_view import enterprise_overview, organisation_report
from citycarbon.services.ledger_queries import result_lineage
from citycarbon.services.report_pdf import render_report_pdf
from citycarbon.services.reporting import report_xlsx
from citycarbon.services.verification import MAX_NOTE_CHARS, sign_off
from citycarbon.web.government import trend_chart
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MSG_NOT_RATED = "{uscc} has no carbon-efficiency grade yet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_KINDS = {
    "activity": "Activity data",
    "production": "Production data",
    "organisation": "Organisation register",
}


def _attachment(content: bytes, media_type: str, file_name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{file_name}"'}
    )


@router.get("/organisations/{organisation_id}")
def enterprise(
    request: Request, organisation_id: ObjectId, caller: LedgerReader, url: DatabaseUrl
) -> Response:
    """One organisation: grade, trend chart, and its ledger by period and scope."""
    overview = enterprise_overview(url, caller, organisation_id)
    tr = translator(page_locale(request))
    points = [(r.period, r.total_tco2e, r.energy_tce) for r in overview.results]
    chart = trend_chart(points, tr("Trend"), (tr("Total (tCO2e)"), tr("Energy (tce)")))
    return render(request, "enterprise.html", caller.principal, org=overview, chart=chart)


@router.post("/organisations/{organisation_id}/sign-off")
def sign_off_result(
    organisation_id: ObjectId,
    caller: VerificationSigner,
    url: DatabaseUrl,
    result_id: Annotated[int, Form(ge=1)],
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)] = "",
) -> Response:
    """Sign off one current result as the organisation's verifier, then show the page again."""
    sign_off(url, caller, organisation_id, result_id, note)
    return RedirectResponse(f"/organisations/{organisation_id}", status_code=303)


@router.get("/results/{result_id}")
def lineage(request: Request, result_id: ObjectId, caller: LedgerReader, url: DatabaseUrl) -> Response:
    """Where one figure comes from: each line's quantity, factors, versions and sources."""
    found = result_lineage(url, caller, result_id)
    return render(request, "lineage.html", caller.principal, result=found)


@router.get("/organisations/{organisation_id}/report.xlsx")
def report_workbook(
    request: Request, organisation_id: ObjectId, caller: LedgerReader, url: DatabaseUrl
) -> Response:
    """The carbon report as a workbook in the reader's language."""
    report = organisation_report(url, caller, organisation_id)
    content = report_xlsx(report, page_locale(request))
    return _attachment(content, XLSX, f"carbon-report-{report['organisation']['uscc']}.xlsx")


@router.get("/organisations/{organisation_id}/report.pdf")
def report_pdf(
    request: Request, organisation_id: ObjectId, caller: LedgerReader, url: DatabaseUrl
) -> Response:
    """The carbon report as a PDF in the reader's language."""
    report = organisation_report(url, caller, organisation_id)
    content = render_report_pdf(report, page_locale(request))
    return _attachment(content, "application/pdf", f"carbon-report-{report['organisation']['uscc']}.pdf")


@router.get("/organisations/{organisation_id}/card.pdf")
def grade_card(organisation_id: ObjectId, caller: LedgerReader, url: DatabaseUrl) -> Response:
    """The signed carbon-efficiency card of the latest rated year (QR verifiable offline)."""
    overview = enterprise_overview(url, caller, organisation_id)
    if overview.rating is None:
        raise CardError(MSG_NOT_RATED, uscc=overview.uscc)
    card = issue_card(url, overview.uscc, overview.rating.period_code)
    return _attachment(
        card.pdf, "application/pdf", f"carbon-card-{overview.uscc}-{overview.rating.period_code}.pdf"
    )


@router.get("/upload")
def upload(request: Request, caller: LedgerWriter) -> Response:
    """The upload form with its progress bar and problem table, and the template downloads."""
    return render(request, "upload.html", caller.principal, kinds=TEMPLATE_KINDS)


@router.get("/templates/{kind}.{fmt}")
def template(
    request: Request,
    kind: Annotated[Literal["activity", "production", "organisation"], Path()],
    fmt: Annotated[Literal["csv", "xlsx"], Path()],
    _: LedgerWriter,
) -> Response:
    """An import template with headers in the reader's language."""
    content = template_bytes(kind, page_locale(request), fmt)
    media_type = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return _attachment(content, media_type, f"{kind}-template.{fmt}")
