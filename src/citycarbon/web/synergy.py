"""Synergy-index pages: the published district ranking and a district's drill-down.

Both show published aggregates, so anybody may open them (``aggregate:read``). Charts are
Plotly figure specifications built here as plain dictionaries, as on the dashboard.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from citycarbon.api.deps import AggregateReader, DatabaseUrl
from citycarbon.i18n import translator
from citycarbon.services.synergy_index import EntityDetail, Ranking, entity_detail, ranking
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)
QuarterParam = Annotated[str | None, Query(pattern=r"^\d{4}-Q[1-4]$")]
LevelParam = Annotated[str, Query(pattern=r"^(county|city)$")]
COLOURS = ("#2b8a3e", "#1971c2", "#e67700")


def ranking_chart(board: Ranking, english: bool, title: str) -> str:
    """Overall score per district (bars, best on top) with each dimension's score as markers."""
    shown = list(reversed(board.entities))
    names = [e.name for e in shown]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [e.score for e in shown],
            "y": names,
            "name": title,
            "marker": {"color": "#adb5bd"},
        },
    ]
    for (code, name_zh, name_en), colour in zip(board.dimensions, COLOURS, strict=False):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [e.dimensions.get(code) for e in shown],
                "y": names,
                "name": name_en if english else name_zh,
                "marker": {"color": colour, "size": 10},
            }
        )
    layout = {
        "title": {"text": title},
        "xaxis": {"range": [0, 100]},
        "margin": {"l": 120},
        "legend": {"orientation": "h"},
        "height": 120 + 40 * len(shown),
    }
    return json.dumps({"data": data, "layout": layout}, ensure_ascii=False)


def dimension_chart(detail: EntityDetail, english: bool, title: str) -> str:
    """Scores of the first-level indicators, grouped by dimension colour."""
    nodes = [n for n in detail.nodes if n.depth == 2]
    labels = [f"{n.node_id} {n.name_en if english else n.name_zh}" for n in nodes]
    figure = {
        "data": [{"type": "bar", "x": labels, "y": [n.score for n in nodes], "marker": {"color": "#1971c2"}}],
        "layout": {"title": {"text": title}, "yaxis": {"range": [0, 100]}},
    }
    return json.dumps(figure, ensure_ascii=False)


@router.get("/synergy")
def synergy_ranking(
    request: Request,
    caller: AggregateReader,
    url: DatabaseUrl,
    period: QuarterParam = None,
    level: LevelParam = "county",
) -> Response:
    """Districts (or cities) ranked by the synergy index of a quarter."""
    board = ranking(url, level, period)
    locale = page_locale(request)
    chart = ranking_chart(board, locale == "en", translator(locale)("Synergy index"))
    return render(request, "synergy.html", caller.principal, board=board, chart=chart)


@router.get("/synergy/{code}")
def synergy_region(
    request: Request,
    caller: AggregateReader,
    url: DatabaseUrl,
    code: Annotated[str, Path(pattern=r"^\d{6}$")],
    period: QuarterParam = None,
    level: LevelParam = "county",
) -> Response:
    """One district's dimensions, first- and second-level scores and indicators."""
    detail = entity_detail(url, level, code, period)
    locale = page_locale(request)
    chart = dimension_chart(detail, locale == "en", translator(locale)("First-level indicators"))
    return render(request, "synergy_region.html", caller.principal, detail=detail, chart=chart)
