"""Import monitoring files: outlets, readings and grid-company meter data, all or nothing.

Every row is validated first and every problem is reported by row and column; nothing is
written while any remains. Importing the same file twice adds nothing (file digest), and a row
already stored with the same value is skipped; a reading with a new value for the same outlet,
pollutant and time becomes a revision (see :mod:`citycarbon.store.monitoring_repository`).
Times written without a zone are China Standard Time (UTC+8), as monitoring exports use.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError, Problem, ValidationFailed
from citycarbon.domain.ledger.period import parse_period
from citycarbon.domain.supervision.monitoring import CHINA_TZ, check_pollutant
from citycarbon.domain.units import conversion_factor
from citycarbon.engines.cell_checks import missing_values, problems_where, resolve_each
from citycarbon.ingest.monitoring_headers import MONITORING_VOCABULARY, MonitoringKind
from citycarbon.ingest.monitoring_readers import MonitoringTable, read_monitoring_table
from citycarbon.services.importing import record_batch
from citycarbon.services.monitoring import (
    OutletSpec,
    check_profile,
    prepare_readings,
    register_outlets,
    store_reading_frame,
)
from citycarbon.store import repositories as repo
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import MeterElectricityRecord

MSG_UNKNOWN_ORGANISATION = "Organisation {uscc} is not registered; import it in an organisation file first"
MSG_NOT_A_NUMBER = "'{value}' is not a number"
MSG_NEGATIVE = "'{value}' is negative"
MSG_BAD_TIME = "'{value}' is not a time; write e.g. 2026-01-05 08:00 (China time) or 2026-01-05T00:00Z"
MSG_BAD_MEDIUM = "'{value}' is not a medium; write air or water (废气 or 废水)"
MSG_BAD_INTERVAL = "'{value}' is not a whole number of minutes above zero"
MSG_NOT_A_MONTH = "Period '{value}' is not a month; write e.g. 2026-01"

_MEDIA = {"air": "air", "废气": "air", "water": "water", "废水": "water"}
#: ImportBatch.kind of each monitoring import (16 characters at most).
BATCH_KINDS: dict[MonitoringKind, str] = {
    "outlets": "outlets",
    "readings": "readings",
    "grid_meter": "grid_meter",
}


@dataclass(frozen=True)
class MonitoringImportSummary:
    """What a monitoring import wrote."""

    kind: str
    file_name: str
    encoding: str
    rows: int
    written: int
    skipped: int
    revised: int = 0
    already_imported: bool = False
    batch_id: int | None = None


def import_monitoring_file(
    url: str,
    source: str | os.PathLike[str] | bytes,
    *,
    file_name: str,
    kind: MonitoringKind,
    user: str | None = None,
) -> MonitoringImportSummary:
    """Import one CSV/XLSX monitoring file in one transaction.

    Raises
    ------
    ValidationFailed
        With every problem found, by row and column; nothing is written.

    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    table = read_monitoring_table(data, file_name=file_name, kind=kind)
    with unit_of_work(url) as session:
        earlier = repo.find_batch(session, BATCH_KINDS[kind], table.file_sha256)
        if earlier is not None:
            height = table.frame.height
            return MonitoringImportSummary(
                kind, file_name, table.encoding, height, 0, height, 0, True, earlier.id
            )
        importer = {"outlets": _import_outlets, "readings": _import_readings, "grid_meter": _import_meter}[
            kind
        ]
        return importer(session, table, user)


def _required(table: MonitoringTable) -> list[Problem]:
    columns = [column.name for column in MONITORING_VOCABULARY[table.kind] if column.required]
    return missing_values(table.frame, columns, table.header_mapping)


def _organisations(
    session: Session, frame: pl.DataFrame, header: dict[str, str]
) -> tuple[pl.DataFrame, list[Problem]]:
    ids = repo.organisation_ids(session)

    def resolve(uscc: str) -> str:
        if uscc not in ids:
            raise CityCarbonError(MSG_UNKNOWN_ORGANISATION, uscc=uscc)
        return str(ids[uscc])

    frame, problems = resolve_each(frame, "uscc", resolve, header, "organisation_id")
    return frame.with_columns(pl.col("organisation_id").cast(pl.Int64)), problems


def _number(frame: pl.DataFrame, column: str, header: dict[str, str]) -> tuple[pl.DataFrame, list[Problem]]:
    parsed = frame.with_columns(
        pl.col(column).str.replace_all(",", "").cast(pl.Float64, strict=False).alias(f"{column}_f")
    )
    problems = problems_where(
        parsed,
        pl.col(column).is_not_null() & pl.col(f"{column}_f").is_null(),
        column,
        MSG_NOT_A_NUMBER,
        header,
        value=column,
    )
    problems += problems_where(parsed, pl.col(f"{column}_f") < 0, column, MSG_NEGATIVE, header, value=column)
    return parsed, problems


def _parse_time(text: str) -> str:
    try:
        value = dt.datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise CityCarbonError(MSG_BAD_TIME, value=text) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(dt.UTC).isoformat()


def _import_readings(session: Session, table: MonitoringTable, user: str | None) -> MonitoringImportSummary:
    header = dict(table.header_mapping)
    problems = _required(table)
    frame, found = _organisations(session, table.frame, header)
    problems += found
    frame, found = resolve_each(frame, "pollutant", check_pollutant, header, "pollutant_code")
    problems += found
    frame, found = resolve_each(frame, "observed_at", _parse_time, header, "observed_utc")
    problems += found
    frame, found = _number(frame, "value", header)
    problems += found
    complete = frame.drop_nulls(
        ["organisation_id", "pollutant_code", "observed_utc", "value_f", "site_code", "outlet_code", "unit"]
    )
    prepared = complete.select(
        "row_number",
        "uscc",
        "site_code",
        "outlet_code",
        pl.col("pollutant_code").alias("pollutant"),
        pl.col("observed_utc").str.to_datetime(time_zone="UTC", time_unit="us").alias("observed_at"),
        pl.col("value_f").alias("value"),
        "unit",
    )
    ready, found = prepare_readings(session, prepared, header=header)
    problems += found
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: p.row or 0))
    batch_id = record_batch(session, table, BATCH_KINDS[table.kind], 0, 0, user)
    counts = store_reading_frame(session, ready, source="import", import_batch_id=batch_id)
    skipped = table.frame.height - counts["inserted"] - counts["revised"]
    return MonitoringImportSummary(
        "readings",
        table.file_name,
        table.encoding,
        table.frame.height,
        counts["inserted"],
        skipped,
        counts["revised"],
        batch_id=batch_id,
    )


def _import_outlets(session: Session, table: MonitoringTable, user: str | None) -> MonitoringImportSummary:
    header = dict(table.header_mapping)
    problems = _required(table)
    frame, found = _organisations(session, table.frame, header)
    problems += found
    frame = frame.with_columns(
        pl.col("medium").str.to_lowercase().replace_strict(_MEDIA, default=None).alias("medium_code"),
        pl.col("expected_interval_min").cast(pl.Int64, strict=False).alias("interval_min"),
    )
    problems += problems_where(
        frame,
        pl.col("medium").is_not_null() & pl.col("medium_code").is_null(),
        "medium",
        MSG_BAD_MEDIUM,
        header,
        value="medium",
    )
    bad_interval = pl.col("expected_interval_min").is_not_null() & (
        pl.col("interval_min").is_null() | (pl.col("interval_min") <= 0)
    )
    problems += problems_where(
        frame, bad_interval, "expected_interval_min", MSG_BAD_INTERVAL, header, value="expected_interval_min"
    )
    for row in frame.filter(
        pl.col("limit_profile").is_not_null() & pl.col("medium_code").is_not_null()
    ).iter_rows(named=True):
        try:
            check_profile(row["limit_profile"], row["medium_code"])
        except CityCarbonError as error:
            column = header.get("limit_profile", "limit_profile")
            problems.append(Problem(error.message, row=row["row_number"], column=column, params=error.params))
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: p.row or 0))
    specs = [
        OutletSpec(
            organisation_id=row["organisation_id"],
            site_code=row["site_code"],
            outlet_code=row["outlet_code"],
            medium=row["medium_code"],
            name=row["name"],
            expected_interval_s=60 * (row["interval_min"] or 60),
            limit_profile=row["limit_profile"],
        )
        for row in frame.iter_rows(named=True)  # outlets number in the hundreds, not millions
    ]
    written = register_outlets(session, specs)
    batch_id = record_batch(session, table, BATCH_KINDS[table.kind], written, 0, user)
    return MonitoringImportSummary(
        "outlets", table.file_name, table.encoding, frame.height, written, 0, batch_id=batch_id
    )


def _month(text: str) -> str:
    period = parse_period(text)
    if period.kind != "month":
        raise CityCarbonError(MSG_NOT_A_MONTH, value=text)
    return period.code


def _to_mwh(unit: str) -> str:
    return str(conversion_factor(unit, "MWh"))


def _import_meter(session: Session, table: MonitoringTable, user: str | None) -> MonitoringImportSummary:
    header = dict(table.header_mapping)
    problems = _required(table)
    frame, found = _organisations(session, table.frame, header)
    problems += found
    frame, found = resolve_each(frame, "period", _month, header, "period_code")
    problems += found
    frame, found = resolve_each(frame, "unit", _to_mwh, header, "factor")
    problems += found
    frame, found = _number(frame, "electricity", header)
    problems += found
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: p.row or 0))
    rows = frame.select(
        "organisation_id",
        "period_code",
        (pl.col("electricity_f") * pl.col("factor").cast(pl.Float64)).alias("electricity_mwh"),
        "source_name",
        "row_number",
    ).unique(subset=["organisation_id", "period_code", "source_name"], keep="last")
    written, skipped, revised = write_meter_records(session, rows, table, user)
    return MonitoringImportSummary(
        "grid_meter",
        table.file_name,
        table.encoding,
        table.frame.height,
        written,
        skipped,
        revised,
    )


def write_meter_records(
    session: Session, rows: pl.DataFrame, table: MonitoringTable | None, user: str | None
) -> tuple[int, int, int]:
    """Store meter records; same value → skipped, new value → the old record is superseded."""
    record = MeterElectricityRecord
    orgs = rows["organisation_id"].unique().to_list()
    stored = pl.DataFrame(
        [
            tuple(r)
            for r in session.execute(
                select(
                    record.id,
                    record.organisation_id,
                    record.period_code,
                    record.source_name,
                    record.electricity_mwh,
                ).where(record.superseded_at.is_(None), record.organisation_id.in_(orgs))
            ).all()
        ],
        schema={
            "stored_id": pl.Int64,
            "organisation_id": pl.Int64,
            "period_code": pl.String,
            "source_name": pl.String,
            "stored_mwh": pl.Float64,
        },
        orient="row",
    )
    joined = rows.join(stored, on=["organisation_id", "period_code", "source_name"], how="left")
    same = (pl.col("stored_mwh") - pl.col("electricity_mwh")).abs() <= 1e-9 * pl.col(
        "electricity_mwh"
    ).abs().clip(1.0)
    keep = joined.filter(pl.col("stored_id").is_null() | ~same)
    revised = keep.filter(pl.col("stored_id").is_not_null())
    now = dt.datetime.now(dt.UTC)
    for ids in repo.chunked(revised["stored_id"].to_list(), repo.IN_LIST):
        session.execute(update(record).where(record.id.in_(ids)).values(superseded_at=now))
    batch_id = None
    if table is not None:
        kind = BATCH_KINDS[table.kind]
        batch_id = record_batch(session, table, kind, keep.height, rows.height - keep.height, user)
    repo.bulk_insert(
        session,
        record,
        keep.select(
            "organisation_id",
            "period_code",
            "electricity_mwh",
            "source_name",
            "row_number",
            pl.lit(batch_id, pl.Int64).alias("import_batch_id"),
            pl.lit(now, pl.Datetime("us", "UTC")).alias("received_at"),
        ).to_dicts(),
    )
    return keep.height, rows.height - keep.height, revised.height
