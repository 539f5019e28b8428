"""Bulk reads and writes of the monitoring tables, as frames, inside the services' transactions.

Readings arrive by the hundred thousand (imports) or in small batches (MQTT); both paths go
through :func:`write_readings`, which applies the one duplicate rule of the platform.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from polars._typing import SchemaDict
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.store.monitoring_tables import MonitoringOutlet, MonitoringReading
from citycarbon.store.repositories import IN_LIST, bulk_insert, chunked
from citycarbon.store.tables import Organisation, Site

READING_KEY = ("outlet_id", "pollutant_code", "measure", "observed_at")
#: Two values closer than this (relative) are the same reading sent twice, not a correction.
SAME_VALUE_RTOL = 1e-9

OUTLET_SCHEMA: SchemaDict = {
    "outlet_id": pl.Int64,
    "organisation_id": pl.Int64,
    "uscc": pl.String,
    "site_id": pl.Int64,
    "site_code": pl.String,
    "outlet_code": pl.String,
    "medium": pl.String,
    "expected_interval_s": pl.Int64,
    "region_code": pl.String,
}


def outlet_directory(session: Session, organisation_ids: list[int] | None = None) -> pl.DataFrame:
    """Every outlet with the credit code, site code and region it is known by (``OUTLET_SCHEMA``)."""
    query = (
        select(
            MonitoringOutlet.id,
            MonitoringOutlet.organisation_id,
            Organisation.uscc,
            Site.id,
            Site.site_code,
            MonitoringOutlet.outlet_code,
            MonitoringOutlet.medium,
            MonitoringOutlet.expected_interval_s,
            Organisation.region_code,
        )
        .join(Site, Site.id == MonitoringOutlet.site_id)
        .join(Organisation, Organisation.id == MonitoringOutlet.organisation_id)
    )
    if organisation_ids is not None:
        query = query.where(MonitoringOutlet.organisation_id.in_(organisation_ids))
    rows = [tuple(row) for row in session.execute(query).all()]
    return pl.DataFrame(rows, schema=OUTLET_SCHEMA, orient="row")


def _current(session: Session, frame: pl.DataFrame) -> pl.DataFrame:
    """Current stored readings that share a key with ``frame`` (id, key, value, revision)."""
    schema: SchemaDict = {
        "id": pl.Int64,
        "outlet_id": pl.Int64,
        "pollutant_code": pl.String,
        "measure": pl.String,
        "observed_at": pl.Datetime("us", "UTC"),
        "stored_value": pl.Float64,
        "revision": pl.Int64,
    }
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    start, end = frame["observed_at"].min(), frame["observed_at"].max()
    found: list[tuple[Any, ...]] = []
    reading = MonitoringReading
    for outlets in chunked(frame["outlet_id"].unique().to_list(), IN_LIST):
        found += session.execute(
            select(
                reading.id,
                reading.outlet_id,
                reading.pollutant_code,
                reading.measure,
                reading.observed_at,
                reading.value,
                reading.revision,
            ).where(
                reading.superseded_at.is_(None),
                reading.outlet_id.in_(outlets),
                reading.observed_at >= start,
                reading.observed_at <= end,
            )
        ).all()
    stored = pl.DataFrame([(*row[:4], _utc(row[4]), *row[5:]) for row in found], schema=schema, orient="row")
    return stored.join(frame.select(READING_KEY).unique(), on=list(READING_KEY), how="semi")


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes although UTC was stored.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def write_readings(session: Session, frame: pl.DataFrame, *, now: dt.datetime) -> dict[str, int]:
    """Store readings; a repeat with the same value is ignored, a different value is a revision.

    Parameters
    ----------
    session
        Open session of the caller's transaction.
    frame
        ``outlet_id``, ``pollutant_code``, ``measure``, ``observed_at`` (UTC), ``value``,
        ``unit`` (canonical), ``reported_value``, ``reported_unit``, ``source``,
        ``import_batch_id``, ``received_at``. Within the frame the last row of a key wins.
    now
        Time recorded as ``superseded_at`` of revised readings.

    Returns
    -------
    dict
        Counts ``inserted``, ``revised`` (a new current value replaced an older one, which is
        kept with ``superseded_at`` set) and ``ignored`` (same value as stored).

    """
    batch = frame.unique(subset=list(READING_KEY), keep="last", maintain_order=True)
    stored = _current(session, batch)
    joined = batch.join(stored, on=list(READING_KEY), how="left")
    same = (pl.col("stored_value") - pl.col("value")).abs() <= SAME_VALUE_RTOL * pl.max_horizontal(
        pl.col("value").abs(), pl.lit(1.0)
    )
    ignored = joined.filter(pl.col("id").is_not_null() & same)
    revised = joined.filter(pl.col("id").is_not_null() & ~same)
    fresh = joined.filter(pl.col("id").is_null())
    for ids in chunked(revised["id"].to_list(), IN_LIST):
        session.execute(
            update(MonitoringReading).where(MonitoringReading.id.in_(ids)).values(superseded_at=now)
        )
    rows = pl.concat(
        [
            fresh.with_columns(pl.lit(0, pl.Int64).alias("revision")),
            revised.with_columns((pl.col("revision") + 1).alias("revision")),
        ]
    ).drop("id", "stored_value")
    bulk_insert(session, MonitoringReading, rows.to_dicts())
    return {"inserted": fresh.height, "revised": revised.height, "ignored": ignored.height}
