"""Supervision pages: outlets, an outlet's readings (Plotly chart) and gaps, warnings with evidence.

The pages read through the same services as the API, so scope checks and audit entries are the
same; the chart is a Plotly specification drawn by the ``plotly.min.js`` the server serves.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from citycarbon.api.deps import DatabaseUrl, ObjectId, allow
from citycarbon.domain.access.roles import Permission
from citycarbon.i18n import translator
from citycarbon.services import monitoring_views, warnings_queries
from citycarbon.services.caller import Caller
from citycarbon.services.monitoring_views import LimitView, ReadingView
from citycarbon.services.warnings_queries import WarningFilter
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MonitoringReader = Annotated[Caller, allow(Permission.MONITORING_READ)]
WarningReader = Annotated[Caller, allow(Permission.WARNING_READ)]
PAGE_SIZE = 100
READINGS_SHOWN = 500


def readings_chart(readings: list[ReadingView], limits: tuple[LimitView, ...], title: str) -> str:
    """Concentrations over time, one line per pollutant, with each limit as a dashed line."""
    series: dict[str, list[ReadingView]] = {}
    for reading in readings:  # at most one page of readings
        if reading.measure == "concentration":
            series.setdefault(reading.pollutant_code, []).append(reading)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"{code} ({points[0].unit})",
            "x": [p.observed_at.isoformat() for p in points],
            "y": [p.value for p in points],
        }
        for code, points in series.items()
    ]
    for limit in limits:
        points = series.get(limit.pollutant_code)
        if limit.measure == "concentration" and points:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{limit.pollutant_code} ≤ {limit.limit_value:g} {limit.unit}",
                    "x": [points[0].observed_at.isoformat(), points[-1].observed_at.isoformat()],
                    "y": [limit.limit_value, limit.limit_value],
                    "line": {"dash": "dash"},
                }
            )
    figure = {"data": data, "layout": {"title": {"text": title}, "legend": {"orientation": "h"}}}
    return json.dumps(figure, ensure_ascii=False)


@router.get("/monitoring")
def outlets_page(
    request: Request,
    caller: MonitoringReader,
    url: DatabaseUrl,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Outlets the caller may see, with their limits."""
    page = monitoring_views.list_outlets(url, caller, None, PAGE_SIZE, offset)
    return render(request, "monitoring.html", caller.principal, page=page)


@router.get("/monitoring/outlets/{outlet_id}")
def outlet_page(
    request: Request,
    outlet_id: ObjectId,
    caller: MonitoringReader,
    url: DatabaseUrl,
    pollutant: Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,8}$")] = None,
) -> Response:
    """An outlet's readings as a chart and a table, its data gaps and its warnings."""
    outlet = monitoring_views.get_outlet(url, caller, outlet_id)
    readings = monitoring_views.list_readings(
        url, caller, outlet_id, pollutant=pollutant, limit=READINGS_SHOWN
    )
    gaps = monitoring_views.list_gaps(url, caller, outlet_id)
    warnings = warnings_queries.list_warnings(url, caller, WarningFilter(outlet_id=outlet_id), 50, 0)
    tr = translator(page_locale(request))
    chart = readings_chart(list(readings.items), outlet.limits, tr("Concentrations"))
    return render(
        request,
        "monitoring_outlet.html",
        caller.principal,
        outlet=outlet,
        readings=readings,
        gaps=gaps,
        warnings=warnings,
        chart=chart,
    )


@router.get("/warnings")
def warnings_page(
    request: Request,
    caller: WarningReader,
    url: DatabaseUrl,
    severity: Annotated[Literal["low", "medium", "high", "critical"] | None, Query()] = None,
    rule_id: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,48}$")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Warnings the caller may see, newest first, each with its evidence."""
    where = WarningFilter(severity=severity, rule_id=rule_id)
    page = warnings_queries.list_warnings(url, caller, where, PAGE_SIZE, offset)
    counts = warnings_queries.count_warnings(url, caller, WarningFilter(rule_id=rule_id))
    return render(
        request,
        "warnings.html",
        caller.principal,
        page=page,
        counts=counts,
        severity=severity or "",
        rule_id=rule_id or "",
    )
