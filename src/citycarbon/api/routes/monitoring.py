"""Monitoring data: outlets with limits, readings, data gaps, and monitoring file imports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile, status

from citycarbon.api.deps import DatabaseUrl, Limit, ObjectId, Offset, allow
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.api.schemas.monitoring import GapOut, MonitoringImportOut, OutletOut, ReadingOut
from citycarbon.domain.access.roles import Permission
from citycarbon.services import monitoring_views
from citycarbon.services.caller import Caller
from citycarbon.services.monitoring_import import import_monitoring_file

router = APIRouter(tags=["monitoring"], responses=problem_responses(*COMMON_PROBLEMS, 404))
MonitoringReader = Annotated[Caller, allow(Permission.MONITORING_READ)]
MonitoringWriter = Annotated[Caller, allow(Permission.MONITORING_WRITE)]
Pollutant = Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,8}$", description="so2, nox, pm, vocs, cod …")]


@router.get("/monitoring/outlets", response_model=Page[OutletOut])
def list_outlets(
    caller: MonitoringReader,
    url: DatabaseUrl,
    organisation_id: Annotated[int | None, Query(ge=1, le=2**53 - 1)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OutletOut]:
    """Outlets with their limits: of one organisation, or of all the caller may see."""
    page = monitoring_views.list_outlets(url, caller, organisation_id, limit, offset)
    return Page[OutletOut].model_validate(page)


@router.get("/monitoring/outlets/{outlet_id}", response_model=OutletOut)
def get_outlet(outlet_id: ObjectId, caller: MonitoringReader, url: DatabaseUrl) -> OutletOut:
    """One outlet with its limits."""
    return OutletOut.model_validate(monitoring_views.get_outlet(url, caller, outlet_id))


@router.get("/monitoring/outlets/{outlet_id}/readings", response_model=Page[ReadingOut])
def list_readings(
    outlet_id: ObjectId,
    caller: MonitoringReader,
    url: DatabaseUrl,
    pollutant: Pollutant = None,
    start_at: Annotated[dt.datetime | None, Query(description="From (inclusive), with zone")] = None,
    end_at: Annotated[dt.datetime | None, Query(description="To (exclusive), with zone")] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[ReadingOut]:
    """Current readings of an outlet, oldest first."""
    page = monitoring_views.list_readings(
        url,
        caller,
        outlet_id,
        pollutant=pollutant,
        start_at=start_at,
        end_at=end_at,
        limit=limit,
        offset=offset,
    )
    return Page[ReadingOut].model_validate(page)


@router.get("/monitoring/outlets/{outlet_id}/gaps", response_model=list[GapOut])
def list_gaps(outlet_id: ObjectId, caller: MonitoringReader, url: DatabaseUrl) -> list[GapOut]:
    """Data gaps (断传) of an outlet, newest first."""
    return [GapOut.model_validate(gap) for gap in monitoring_views.list_gaps(url, caller, outlet_id)]


@router.post(
    "/monitoring/imports/{kind}",
    response_model=MonitoringImportOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def import_monitoring(
    kind: Annotated[Literal["outlets", "readings", "grid_meter"], Path(description="What the file holds")],
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or XLSX")],
    caller: MonitoringWriter,
    url: DatabaseUrl,
) -> MonitoringImportOut:
    """Import outlets, readings or grid-company meter data; nothing is written when any row is wrong."""
    data = await file.read()
    summary = import_monitoring_file(
        url, data, file_name=file.filename or "upload.csv", kind=kind, user=caller.principal.username
    )
    return MonitoringImportOut.model_validate(summary)
