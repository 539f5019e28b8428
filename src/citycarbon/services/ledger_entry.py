"""Record activity and production data sent as JSON, through the same path as file imports.

The records are written as an in-memory CSV with the English template headers and handed to
:func:`citycarbon.services.importing.import_file`, so a record typed into the API meets exactly
the validation, idempotency and conflict rules of an uploaded file, and then the affected
periods are recalculated so the results are current when the call returns.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from citycarbon.domain.access.policy import OrganisationRef, write_access
from citycarbon.services.caller import Caller
from citycarbon.services.importing import ImportSummary, import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.scope import organisation, writable
from citycarbon.store.db import unit_of_work

ACTIVITY_COLUMNS = ("uscc", "site", "period", "category", "item", "quantity", "unit", "certificate")
PRODUCTION_COLUMNS = (
    "uscc",
    "period",
    "output_value_10k_cny",
    "value_added_10k_cny",
    "product_code",
    "product_output",
    "product_unit",
)


def _csv_bytes(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def entry_organisation(url: str, caller: Caller, organisation_id: int) -> tuple[str, str]:
    """``(uscc, name)`` of an organisation whose data the caller may write, for an entry form.

    Only checks the scope: nothing is written yet, so nothing is audited (the write is).

    Raises
    ------
    NotFound
        When no organisation has this id.
    Forbidden
        When the caller is neither the organisation's enterprise user nor an administrator.

    """
    with unit_of_work(url) as session:
        org = organisation(session, organisation_id)
        write_access(caller.principal, OrganisationRef(org.id, org.region_code))
        return org.uscc, org.name


def _authorise(url: str, caller: Caller, organisation_id: int, resource: str, count: int) -> str:
    with unit_of_work(url) as session:
        org = writable(session, caller, organisation_id, resource, detail=f"{count} record(s)")
        return org.uscc


def record_data(
    url: str,
    caller: Caller,
    organisation_id: int,
    kind: str,
    records: Sequence[Mapping[str, Any]],
    *,
    replace: bool,
) -> ImportSummary:
    """Validate and store activity (``kind="activity"``) or production records of one organisation.

    Raises
    ------
    Forbidden
        When the caller may not write this organisation's data.
    ValidationFailed
        With every problem, by record number (record 1 is row 2, as in a file).

    """
    uscc = _authorise(url, caller, organisation_id, kind, len(records))
    columns = ACTIVITY_COLUMNS if kind == "activity" else PRODUCTION_COLUMNS
    data = _csv_bytes(columns, [{**record, "uscc": uscc} for record in records])
    summary = import_file(
        url,
        data,
        file_name=f"api-{uuid.uuid4().hex}.csv",
        kind=kind,
        replace=replace,
        user=caller.principal.username,
    )
    if summary.affected:
        recalculate(url, pairs=summary.affected, trigger="api")
    return summary
