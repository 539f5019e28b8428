"""Industrial parks: define them from a CSV/XLSX file (or in code) and list their members.

A park file has one row per member: ``park_code``, ``park_name``, ``region_code`` (the park's
GB/T 2260 county) and ``uscc`` (the member's credit code). Importing a file replaces the member
lists of the parks it names and leaves other parks alone; every problem in the file is
reported at once, with its row, and nothing is written when there is one.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import openpyxl
import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.indicator_tables import IndustrialPark, IndustrialParkMember
from citycarbon.store.tables import Organisation

PARK_COLUMNS = ("park_code", "park_name", "region_code", "uscc")
MSG_PARK_COLUMNS = "Park file lacks the column(s) {columns}"
MSG_PARK_FORMAT = "Park file must be .csv (UTF-8) or .xlsx, not '{extension}'"
MSG_PARK_CODE = "Park code '{code}' must be 1–32 letters, digits, '-' or '_'"
MSG_PARK_REGION = "Region code '{code}' is not a known GB/T 2260 code"
MSG_PARK_MEMBER = "No organisation has credit code '{uscc}'"
MSG_PARK_TWICE = "Organisation {uscc} is listed for more than one park"
MSG_PARK_CONFLICT = "Park {park} is given two names or regions in the file"


@dataclass(frozen=True)
class ParkSpec:
    """A park to define: code, name, county and member organisation ids."""

    park_code: str
    name: str
    region_code: str
    organisation_ids: tuple[int, ...]


@dataclass(frozen=True)
class ParkImportSummary:
    """What a park import wrote."""

    parks: int
    members: int


def _read(path: Path, file_name: str) -> pl.DataFrame:
    suffix = PurePath(file_name).suffix.casefold()
    if suffix == ".csv":
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    if suffix == ".xlsx":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
            try:
                rows = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
            finally:
                book.close()
        header = [str(cell).strip() if cell is not None else "" for cell in rows[0]] if rows else []
        body = [[None if v is None else str(v).strip() for v in row] for row in rows[1:]]
        return pl.DataFrame(body, schema=dict.fromkeys(header, pl.Utf8), orient="row")
    raise ValidationFailed([Problem(MSG_PARK_FORMAT, params={"extension": suffix or file_name})])


def _specs(session: Session, frame: pl.DataFrame) -> list[ParkSpec]:
    missing = [c for c in PARK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationFailed([Problem(MSG_PARK_COLUMNS, params={"columns": ", ".join(missing)})])
    catalogue = load_region_catalogue()
    usccs = {str(u) for u in frame["uscc"].drop_nulls().to_list()}
    known = dict(
        session.execute(select(Organisation.uscc, Organisation.id).where(Organisation.uscc.in_(usccs))).all()
    )
    problems: list[Problem] = []
    parks: dict[str, tuple[str, str]] = {}
    members: dict[str, list[int]] = {}
    seen: set[str] = set()
    for row_number, row in enumerate(frame.select(PARK_COLUMNS).iter_rows(named=True), start=2):
        code, name, region, uscc = (str(row[c] or "").strip() for c in PARK_COLUMNS)
        if not code or len(code) > 32 or not all(ch.isalnum() or ch in "-_" for ch in code):
            problems.append(Problem(MSG_PARK_CODE, row_number, "park_code", {"code": code}))
            continue
        if region not in catalogue:
            problems.append(Problem(MSG_PARK_REGION, row_number, "region_code", {"code": region}))
        if parks.setdefault(code, (name, region)) != (name, region):
            problems.append(Problem(MSG_PARK_CONFLICT, row_number, "park_name", {"park": code}))
        if uscc not in known:
            problems.append(Problem(MSG_PARK_MEMBER, row_number, "uscc", {"uscc": uscc}))
        elif uscc in seen:
            problems.append(Problem(MSG_PARK_TWICE, row_number, "uscc", {"uscc": uscc}))
        else:
            seen.add(uscc)
            members.setdefault(code, []).append(known[uscc])
    if problems:
        raise ValidationFailed(problems)
    return [
        ParkSpec(code, name, region, tuple(members.get(code, ()))) for code, (name, region) in parks.items()
    ]


def save_parks(session: Session, specs: Sequence[ParkSpec]) -> int:
    """Create or update parks and replace their member lists; returns the members written."""
    written = 0
    for spec in specs:
        park = session.execute(
            select(IndustrialPark).where(IndustrialPark.park_code == spec.park_code)
        ).scalar_one_or_none()
        if park is None:
            park = IndustrialPark(park_code=spec.park_code, name=spec.name, region_code=spec.region_code)
            session.add(park)
            session.flush()
        else:
            park.name, park.region_code = spec.name, spec.region_code
        session.execute(delete(IndustrialParkMember).where(IndustrialParkMember.park_id == park.id))
        # An organisation belongs to one park: moving it here removes it from any other.
        session.execute(
            delete(IndustrialParkMember).where(
                IndustrialParkMember.organisation_id.in_(spec.organisation_ids)
            )
        )
        session.add_all(
            IndustrialParkMember(park_id=park.id, organisation_id=o) for o in spec.organisation_ids
        )
        session.flush()
        written += len(spec.organisation_ids)
    return written


def import_parks(url: str, path: Path, file_name: str | None = None) -> ParkImportSummary:
    """Define parks from a file (see the module docstring).

    Raises
    ------
    ValidationFailed
        With every problem of the file and its row; nothing is written then.

    """
    upgrade_database(url)
    frame = _read(path, file_name or path.name)
    with unit_of_work(url) as session:
        specs = _specs(session, frame)
        members = save_parks(session, specs)
    return ParkImportSummary(len(specs), members)


def park_members(session: Session) -> pl.DataFrame:
    """``organisation_id``, ``park_code``, ``park_region_code`` of every park member."""
    query = select(
        IndustrialParkMember.organisation_id, IndustrialPark.park_code, IndustrialPark.region_code
    ).join(IndustrialPark, IndustrialPark.id == IndustrialParkMember.park_id)
    schema = {"organisation_id": pl.Int64, "park_code": pl.Utf8, "park_region_code": pl.Utf8}
    return pl.DataFrame([tuple(r) for r in session.execute(query)], schema=schema, orient="row")


def park_names(session: Session) -> dict[str, str]:
    """Park code → name."""
    return dict(session.execute(select(IndustrialPark.park_code, IndustrialPark.name)).all())
