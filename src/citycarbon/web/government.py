"""Government pages: the regional dashboard, and the list of enterprises a user may open.

The dashboard's charts are Plotly figure specifications built here as plain dictionaries and
drawn in the browser by the ``plotly.min.js`` the server itself serves; building them needs no
Python charting code, only the numbers the dashboard service already summed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from citycarbon.api.deps import DatabaseUrl, LedgerReader, OrganisationReader
from citycarbon.i18n import translator
from citycarbon.services.dashboard import Breakdown, build_dashboard
from citycarbon.services.organisation_directory import OrganisationFilter, list_organisations
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
RegionParam = Annotated[str | None, Query(pattern=r"^\d{6}$")]
PAGE_SIZE = 100


def bar_chart(groups: list[Breakdown], title: str, unit: str) -> str:
    """A horizontal bar chart of emissions by group, as Plotly JSON (biggest on top)."""
    shown = list(reversed(groups[:15]))
    figure: dict[str, Any] = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [g.emissions_tco2e for g in shown],
                "y": [g.name for g in shown],
                "marker": {"color": "#2b8a3e"},
            }
        ],
        "layout": {"title": {"text": title}, "xaxis": {"title": {"text": unit}}, "margin": {"l": 160}},
    }
    return json.dumps(figure, ensure_ascii=False)


def trend_chart(points: list[tuple[Any, float, float]], title: str, labels: tuple[str, str]) -> str:
    """Emissions and energy over time as two lines on two axes, as Plotly JSON."""
    keys = [str(p[0]) for p in points]
    figure = {
        "data": [
            {"type": "bar", "x": keys, "y": [p[1] for p in points], "name": labels[0], "opacity": 0.6},
            {"type": "scatter", "x": keys, "y": [p[2] for p in points], "name": labels[1], "yaxis": "y2"},
        ],
        "layout": {
            "title": {"text": title},
            "xaxis": {"type": "category"},
            "yaxis2": {"overlaying": "y", "side": "right"},
            "legend": {"orientation": "h"},
        },
    }
    return json.dumps(figure, ensure_ascii=False)


@router.get("/dashboard")
def dashboard(
    request: Request,
    caller: LedgerReader,
    url: DatabaseUrl,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    region: RegionParam = None,
) -> Response:
    """Totals, trend, breakdowns, grades and reporting gaps of the caller's region."""
    board = build_dashboard(url, caller, year, region)
    while region is None and len(board.by_region) == 1 and board.by_region[0].can_drill_down:
        # One province (or city) only: open it, since a single bar tells the reader nothing.
        board = build_dashboard(url, caller, year, board.by_region[0].code)
    tr = translator(page_locale(request))
    emissions, energy = tr("Total (tCO2e)"), tr("Energy (tce)")
    charts = {
        "trend": trend_chart(board.trend, tr("Trend"), (emissions, energy)),
        "region": bar_chart(board.by_region, tr("Emissions by district"), "tCO2e"),
        "industry": bar_chart(board.by_industry, tr("Emissions by industry"), "tCO2e"),
    }
    return render(request, "dashboard.html", caller.principal, board=board, charts=charts)


@router.get("/organisations")
def organisations(
    request: Request,
    caller: OrganisationReader,
    url: DatabaseUrl,
    q: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Enterprises the caller may see (a verifier: those assigned), searchable by name."""
    page = list_organisations(url, caller, OrganisationFilter(name_contains=q or None), PAGE_SIZE, offset)
    return render(request, "organisations.html", caller.principal, page=page, q=q or "")
