"""The single-month entry form: one period's activity rows typed into a page.

The rows go through :func:`citycarbon.services.ledger_entry.record_data`, the path of the
API's record endpoint, which writes them as an in-memory CSV through the file importer. The
form therefore meets the import's validation, conflict rules and all-or-nothing write, and its
problems come back by row, which this module maps to the form rows they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from citycarbon.api.deps import DatabaseUrl, LedgerWriter, ObjectId
from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.i18n import Translator, translator
from citycarbon.services.ledger_entry import entry_organisation, record_data
from citycarbon.web.render import WebRoute, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

MSG_NO_ROWS = "Enter at least one row"
#: Empty rows the form offers; ``static/app.js`` adds more on request.
BLANK_ROWS = 5
#: Most rows one form may send (a month of one enterprise is a few dozen at most).
MAX_ROWS = 100
FIELDS = ("category", "item", "quantity", "unit")
CATEGORIES = ("fuel", "electricity", "heat", "process")
#: Form field → label (a catalogue message), to name the field of a problem.
LABELS = {"category": "Category", "item": "Item", "quantity": "Quantity", "unit": "Unit", "period": "Period"}

FormList = Annotated[list[str] | None, Form()]


@dataclass
class EntryRow:
    """One form row as typed, with the problems found in it (already translated)."""

    category: str = "fuel"
    item: str = ""
    quantity: str = ""
    unit: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        """Whether nothing but the (preselected) category was filled in."""
        return not (self.item.strip() or self.quantity.strip() or self.unit.strip())


def _form_page(
    request: Request,
    caller: LedgerWriter,
    organisation_id: int,
    name: str,
    *,
    period: str = "",
    rows: list[EntryRow] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = rows or []
    rows = rows + [EntryRow() for _ in range(max(0, BLANK_ROWS - len(rows)))]
    context = {"organisation_id": organisation_id, "name": name, "period": period, "rows": rows}
    return render(
        request,
        "entry.html",
        caller.principal,
        status_code,
        categories=CATEGORIES,
        errors=errors or [],
        **context,
    )


@router.get("/organisations/{organisation_id}/entry")
def entry_form(
    request: Request, organisation_id: ObjectId, caller: LedgerWriter, url: DatabaseUrl
) -> Response:
    """An empty form for one month's activity data of an organisation the caller may write."""
    _, name = entry_organisation(url, caller, organisation_id)
    return _form_page(request, caller, organisation_id, name)


@router.post("/organisations/{organisation_id}/entry")
def submit_entry(
    request: Request,
    organisation_id: ObjectId,
    caller: LedgerWriter,
    url: DatabaseUrl,
    period: Annotated[str, Form(max_length=7)] = "",
    category: FormList = None,
    item: FormList = None,
    quantity: FormList = None,
    unit: FormList = None,
    replace: Annotated[bool, Form()] = False,
) -> Response:
    """Validate and store the month (all rows or none), recalculate it, back to the enterprise page."""
    _, name = entry_organisation(url, caller, organisation_id)
    columns = [c or [] for c in (category, item, quantity, unit)]
    count = min(MAX_ROWS, max(len(c) for c in columns))

    def cell(column: int, index: int) -> str:
        values = columns[column]
        return values[index].strip() if index < len(values) else ""

    rows = [EntryRow(cell(0, i), cell(1, i), cell(2, i), cell(3, i)) for i in range(count)]
    filled = [i for i, row in enumerate(rows) if not row.is_blank]
    tr = translator(page_locale(request))
    if not filled:
        errors = [tr(MSG_NO_ROWS)]
        return _form_page(
            request, caller, organisation_id, name, period=period, rows=rows, errors=errors, status_code=422
        )
    records = [
        {"period": period.strip(), "site": "", **{f: getattr(rows[i], f) for f in FIELDS}} for i in filled
    ]
    try:
        record_data(url, caller, organisation_id, "activity", records, replace=replace)
    except ValidationFailed as failed:
        errors = _place_problems(failed.problems, rows, filled, tr)
        return _form_page(
            request, caller, organisation_id, name, period=period, rows=rows, errors=errors, status_code=422
        )
    return RedirectResponse(f"/organisations/{organisation_id}", status_code=303)


def _place_problems(
    problems: list[Problem], rows: list[EntryRow], filled: list[int], tr: Translator
) -> list[str]:
    """Attach each problem to its form row; return those of the period and the whole form, once each."""
    general: list[str] = []
    for problem in problems:
        label = tr(LABELS.get(problem.column or "", problem.column or ""))
        message = f"{label}: {problem.render(tr)}" if problem.column else problem.render(tr)
        record = (problem.row or 0) - 2  # row 1 of the CSV is its header
        if problem.column != "period" and 0 <= record < len(filled):
            rows[filled[record]].problems.append(message)
        elif message not in general:
            general.append(message)
    return general
