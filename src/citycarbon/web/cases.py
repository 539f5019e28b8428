"""Rectification-case pages: the list, one case with its timeline and actions, and the metrics.

Each case page shows one button (a small form) per action the state machine allows the reader
in the case's current state, so the page never offers what the service would refuse; the
service still checks everything again. Forms post back here and redirect to the case (POST →
redirect → GET), so a reload never repeats an action.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import RedirectResponse

from citycarbon.api.deps import DatabaseUrl, ObjectId, allow
from citycarbon.domain.access.roles import Permission
from citycarbon.i18n import Translator, translator
from citycarbon.services import case_metrics, cases, cases_queries
from citycarbon.services.caller import Caller
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
CaseReader = Annotated[Caller, allow(Permission.CASE_READ)]
CaseManager = Annotated[Caller, allow(Permission.CASE_MANAGE)]
CaseResponder = Annotated[Caller, allow(Permission.CASE_RESPOND)]
Text = Annotated[str, Form(max_length=2000)]

#: Labels (catalogue messages) of states, actions, severities and escalation levels.
STATE_LABELS = {
    "open": "Case state: open",
    "assigned": "Case state: assigned",
    "inspecting": "Case state: inspecting",
    "rectifying": "Case state: rectifying",
    "verifying": "Case state: verifying",
    "closed": "Case state: closed",
}
ACTION_LABELS = {
    "open": "Case action: open",
    "assign": "Case action: assign",
    "start_inspection": "Case action: start inspection",
    "require_rectification": "Case action: require rectification",
    "submit": "Case action: submit rectification",
    "verify_pass": "Case action: verification passed",
    "verify_fail": "Case action: verification failed",
    "close": "Case action: close",
    "reopen": "Case action: reopen",
    "escalate": "Case action: escalate",
}
LEVEL_LABELS = {
    "department": "Escalation: department",
    "department_head": "Escalation: department head",
    "centre_leadership": "Escalation: centre leadership",
    "city_supervision": "Escalation: city supervision office",
}


def _labels(tr: Translator) -> dict[str, dict[str, str]]:
    return {
        "state": {k: _short(tr(v)) for k, v in STATE_LABELS.items()},
        "action": {k: _short(tr(v)) for k, v in ACTION_LABELS.items()},
        "level": {k: _short(tr(v)) for k, v in LEVEL_LABELS.items()},
    }


def _short(label: str) -> str:
    """Drop the catalogue's disambiguating prefix ("Case state: open" → "open")."""
    return label.split(":", 1)[-1].split("：", 1)[-1].strip()


@router.get("/cases")
def case_list(
    request: Request,
    caller: CaseReader,
    url: DatabaseUrl,
    state: Annotated[str | None, Query(max_length=16)] = None,
    severity: Annotated[str | None, Query(max_length=16)] = None,
    department: Annotated[str | None, Query(max_length=120)] = None,
    overdue: bool = False,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Cases the reader may see, newest first, with filters."""
    page = cases_queries.list_cases(
        url, caller, state=state or None, severity=severity or None, department=department or None,
        overdue_only=overdue, limit=100, offset=offset,
    )  # fmt: skip
    tr = translator(page_locale(request))
    filters = {
        "state": state or "",
        "severity": severity or "",
        "department": department or "",
        "overdue": overdue,
    }
    return render(request, "cases.html", caller.principal, page=page, filters=filters, labels=_labels(tr),
                  states=list(STATE_LABELS))  # fmt: skip


@router.get("/cases/metrics")
def case_metrics_page(
    request: Request,
    caller: CaseManager,
    url: DatabaseUrl,
    start: dt.date | None = None,
    end: dt.date | None = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> Response:
    """Handling days, on-time, reopen and satisfaction per district and department, with a chart."""
    today = dt.datetime.now(dt.UTC).date()
    first = start or today - dt.timedelta(days=365)
    last = end or today + dt.timedelta(days=1)
    result = case_metrics.case_metrics(
        url, caller, start=_midnight(first), end=_midnight(last), region_code=region
    )
    tr = translator(page_locale(request))
    chart_json = _metrics_chart(result, tr)
    return render(request, "cases_metrics.html", caller.principal, metrics=result, chart_json=chart_json,
                  start=first.isoformat(), end=last.isoformat(), region=region or "")  # fmt: skip


def _metrics_chart(result: case_metrics.CaseMetrics, tr: Translator) -> str:
    """Average handling days (bars) and on-time rate (line, right axis) per district, as Plotly JSON."""
    by_region: dict[str, list[case_metrics.CaseMetricsRow]] = {}
    for row in result.rows:
        by_region.setdefault(row.region_name, []).append(row)
    names = sorted(by_region)

    def weighted(rows: list[case_metrics.CaseMetricsRow], field: str) -> float | None:
        closed = [(getattr(r, field), r.cases_closed) for r in rows if getattr(r, field) is not None]
        total = sum(n for _, n in closed)
        return sum(v * n for v, n in closed) / total if total else None

    figure: dict[str, Any] = {
        "data": [
            {"type": "bar", "name": tr("Average handling days"), "x": names,
             "y": [weighted(by_region[n], "average_handling_days") for n in names],
             "marker": {"color": "#2b8a3e"}},
            {"type": "scatter", "mode": "lines+markers", "name": tr("On-time rate"), "x": names,
             "y": [weighted(by_region[n], "on_time_rate") for n in names], "yaxis": "y2"},
        ],
        "layout": {
            "title": {"text": tr("Case handling by district")},
            "xaxis": {"type": "category"},
            "yaxis": {"title": {"text": tr("days")}},
            "yaxis2": {"overlaying": "y", "side": "right", "range": [0, 1], "tickformat": ".0%"},
            "legend": {"orientation": "h"},
        },
    }  # fmt: skip
    return json.dumps(figure, ensure_ascii=False)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: ObjectId, caller: CaseReader, url: DatabaseUrl) -> Response:
    """One case: its facts, timeline, evidence, ratings, and a button per allowed action."""
    detail = cases_queries.case_detail(url, caller, case_id)
    tr = translator(page_locale(request))
    return render(request, "cases_detail.html", caller.principal, detail=detail, labels=_labels(tr))


@router.post("/cases/{case_id}/act")
def act(
    case_id: ObjectId,
    caller: CaseReader,
    url: DatabaseUrl,
    action: Annotated[str, Form(max_length=32)],
    expected_state: Annotated[str, Form(max_length=16)] = "",
    note: Text = "",
    department: Annotated[str, Form(max_length=120)] = "",
    assignee_username: Annotated[str, Form(max_length=64)] = "",
    inspection_mode: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Take one action (the state the page showed is checked, so a stale page cannot act twice)."""
    cases.transition_case(
        url, caller, case_id, action, note=note, department=department or None,
        assignee_username=assignee_username or None, inspection_mode=inspection_mode or None,
        expected_state=expected_state or None,
    )  # fmt: skip
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/evidence")
async def upload(
    case_id: ObjectId,
    caller: CaseReader,
    url: DatabaseUrl,
    file: Annotated[UploadFile, File()],
    note: Text = "",
) -> Response:
    """Attach an evidence file, back to the case."""
    content = await file.read()
    cases.attach_evidence(
        url, caller, case_id, file_name=file.filename or "evidence", content_type=file.content_type or "",
        content=content, note=note,
    )  # fmt: skip
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/rating")
def rate(
    case_id: ObjectId,
    caller: CaseResponder,
    url: DatabaseUrl,
    score: Annotated[int, Form(ge=1, le=5)],
    comment: Text = "",
) -> Response:
    """The enterprise rates the closure, back to the case."""
    cases.rate_case(url, caller, case_id, score=score, comment=comment)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
