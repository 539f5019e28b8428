"""Use cases of monitoring data: register outlets with their limits, store readings, detect gaps.

Imports and the MQTT consumer both end in :func:`store_reading_frame`, so a reading is matched
to its outlet, converted to its canonical unit and de-duplicated the same way whichever path
it came by. Unit conversion happens once per distinct (unit, medium) pair, never per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError, Problem
from citycarbon.domain.supervision.monitoring import POLLUTANTS, Medium, canonical_unit, classify_unit
from citycarbon.domain.units import conversion_factor
from citycarbon.engines.supervision.gaps import detect_gaps
from citycarbon.refdata.supervision import load_limit_profiles, load_rule_set
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_repository import outlet_directory, write_readings
from citycarbon.store.monitoring_tables import MonitoringGap, MonitoringOutlet, MonitoringReading, OutletLimit
from citycarbon.store.repositories import ensure_sites
from citycarbon.store.tables import Site

MSG_UNKNOWN_OUTLET = "Outlet {outlet} of site {site} of {uscc} is not registered"
MSG_WRONG_MEDIUM = "Pollutant {pollutant} is not monitored at the {medium} outlet {outlet}"
MSG_UNKNOWN_PROFILE = "Unknown limit profile '{profile}'; use one of {allowed}"
MSG_PROFILE_MEDIUM = "Limit profile {profile} is for {expected} outlets, not {medium}"

READING_INPUT = (
    "row_number",
    "uscc",
    "site_code",
    "outlet_code",
    "pollutant",
    "observed_at",
    "value",
    "unit",
)


@dataclass(frozen=True, slots=True)
class OutletSpec:
    """An outlet to register: where it is, what it discharges into and how often it reports."""

    organisation_id: int
    site_code: str
    outlet_code: str
    medium: Medium
    name: str | None = None
    expected_interval_s: int = 3600
    limit_profile: str | None = None


def check_profile(profile: str, medium: str) -> None:
    """Raise when ``profile`` is unknown or written for the other medium."""
    profiles, _ = load_limit_profiles()
    if profile not in profiles:
        raise CityCarbonError(MSG_UNKNOWN_PROFILE, profile=profile, allowed=", ".join(sorted(profiles)))
    expected = profiles[profile][0].medium
    if expected != medium:
        raise CityCarbonError(MSG_PROFILE_MEDIUM, profile=profile, expected=expected, medium=medium)


def register_outlets(session: Session, specs: list[OutletSpec]) -> int:
    """Create or update outlets (sites created as needed) and set their limits from their profiles.

    Returns the number of outlets written. Limits of an outlet that names a profile are
    replaced by the profile's, so re-registering after a new limit version updates them.
    """
    profiles, factor_set = load_limit_profiles()
    ensure_sites(session, [(spec.organisation_id, spec.site_code) for spec in specs])
    orgs = list({spec.organisation_id for spec in specs})
    site_ids = {
        (org, code): site_id
        for site_id, org, code in session.execute(
            select(Site.id, Site.organisation_id, Site.site_code).where(Site.organisation_id.in_(orgs))
        ).all()
    }
    existing = {
        (outlet.site_id, outlet.outlet_code): outlet
        for outlet in session.scalars(
            select(MonitoringOutlet).where(MonitoringOutlet.organisation_id.in_(orgs))
        )
    }
    for spec in specs:
        site_id = site_ids[(spec.organisation_id, spec.site_code)]
        outlet = existing.get((site_id, spec.outlet_code))
        if outlet is None:
            outlet = MonitoringOutlet(
                site_id=site_id, organisation_id=spec.organisation_id, outlet_code=spec.outlet_code
            )
            session.add(outlet)
            existing[(site_id, spec.outlet_code)] = outlet
        outlet.name, outlet.medium = spec.name, spec.medium
        outlet.expected_interval_s = spec.expected_interval_s
        session.flush()
        if spec.limit_profile:
            check_profile(spec.limit_profile, spec.medium)
            session.execute(delete(OutletLimit).where(OutletLimit.outlet_id == outlet.id))
            session.add_all(
                OutletLimit(
                    outlet_id=outlet.id,
                    pollutant_code=limit.pollutant,
                    measure=limit.measure,
                    limit_value=limit.limit_value,
                    unit=limit.unit,
                    standard_code=limit.standard_code,
                    factor_set=factor_set,
                    source=limit.source,
                    status=limit.status,
                )
                for limit in profiles[spec.limit_profile]
            )
    session.flush()
    return len(specs)


def _unit_table(pairs: pl.DataFrame) -> tuple[pl.DataFrame, dict[tuple[str, str], CityCarbonError]]:
    """Measure, canonical unit and factor per distinct (reported unit, medium)."""
    rows: list[tuple[str, str, str, str, float]] = []
    failures: dict[tuple[str, str], CityCarbonError] = {}
    for unit, medium in pairs.iter_rows():
        try:
            measure = classify_unit(unit)
            target = canonical_unit(measure, medium)
            rows.append((unit, medium, measure, target, conversion_factor(unit, target)))
        except CityCarbonError as error:
            failures[(unit, medium)] = error
    schema = {
        "unit": pl.String,
        "medium": pl.String,
        "measure": pl.String,
        "canonical_unit": pl.String,
        "factor": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row"), failures


def prepare_readings(
    session: Session, frame: pl.DataFrame, *, header: dict[str, str] | None = None
) -> tuple[pl.DataFrame, list[Problem]]:
    """Match readings to outlets and convert them to canonical units.

    Parameters
    ----------
    session
        Open session of the caller's transaction.
    frame
        ``row_number``, ``uscc``, ``site_code``, ``outlet_code``, ``pollutant`` (canonical code),
        ``observed_at`` (UTC datetime), ``value`` (float), ``unit`` (as reported).
    header
        Canonical column → header as the user wrote it, for problem messages.

    Returns
    -------
    tuple
        The rows ready for :func:`write_readings` (without ``source`` and batch columns) and the
        problems of rows that could not be matched or converted.

    """
    names = header or {}
    outlets = outlet_directory(session, None).select(
        "uscc", "site_code", "outlet_code", "outlet_id", "medium"
    )
    matched = frame.join(outlets, on=["uscc", "site_code", "outlet_code"], how="left")
    problems = [
        Problem(
            MSG_UNKNOWN_OUTLET,
            row=r["row_number"],
            column=names.get("outlet_code"),
            params={"outlet": r["outlet_code"], "site": r["site_code"], "uscc": r["uscc"]},
        )
        for r in matched.filter(pl.col("outlet_id").is_null()).iter_rows(named=True)
    ]
    media = pl.DataFrame(
        [(code, medium) for code, (medium, _, _) in POLLUTANTS.items()],
        schema=["pollutant", "pollutant_medium"],
        orient="row",
    )
    matched = matched.filter(pl.col("outlet_id").is_not_null()).join(media, on="pollutant", how="left")
    wrong = matched.filter(pl.col("pollutant_medium") != pl.col("medium"))
    problems += [
        Problem(
            MSG_WRONG_MEDIUM,
            row=r["row_number"],
            column=names.get("pollutant"),
            params={"pollutant": r["pollutant"], "medium": r["medium"], "outlet": r["outlet_code"]},
        )
        for r in wrong.iter_rows(named=True)
    ]
    matched = matched.filter(pl.col("pollutant_medium") == pl.col("medium"))
    units, failures = _unit_table(matched.select("unit", "medium").unique())
    bad = matched.filter(pl.struct("unit", "medium").is_in([{"unit": u, "medium": m} for u, m in failures]))
    problems += [
        Problem(
            failures[(r["unit"], r["medium"])].message,
            row=r["row_number"],
            column=names.get("unit"),
            params=failures[(r["unit"], r["medium"])].params,
        )
        for r in bad.iter_rows(named=True)
    ]
    ready = matched.join(units, on=["unit", "medium"], how="inner").select(
        "row_number",
        "outlet_id",
        pl.col("pollutant").alias("pollutant_code"),
        "measure",
        "observed_at",
        (pl.col("value") * pl.col("factor")).alias("value"),
        pl.col("canonical_unit").alias("unit"),
        pl.col("value").alias("reported_value"),
        pl.col("unit").alias("reported_unit"),
    )
    return ready, problems


def store_reading_frame(
    session: Session,
    ready: pl.DataFrame,
    *,
    source: str,
    import_batch_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Write prepared readings (see :func:`prepare_readings`) with their source and arrival time."""
    at = now or dt.datetime.now(dt.UTC)
    frame = ready.drop("row_number", strict=False).with_columns(
        pl.lit(source).alias("source"),
        pl.lit(import_batch_id, pl.Int64).alias("import_batch_id"),
        pl.lit(at, pl.Datetime("us", "UTC")).alias("received_at"),
    )
    return write_readings(session, frame, now=at)


def gap_threshold_intervals() -> int:
    """Silent intervals after which an outlet has a gap: the lowest ``data_gap`` rule threshold."""
    rules = load_rule_set().by_kind("data_gap")
    return int(min((rule.lowest_threshold for rule in rules), default=3))


def refresh_gaps(
    url: str, start_at: dt.datetime, end_at: dt.datetime, *, now: dt.datetime | None = None
) -> int:
    """Detect data gaps of every outlet in ``[start_at, end_at)`` and store them (idempotent).

    A gap already stored (same outlet and start) is updated: it may have closed, or grown.
    Returns the number of gaps found in the window.
    """
    as_of = min(end_at, now or dt.datetime.now(dt.UTC))
    with unit_of_work(url) as session:
        outlets = outlet_directory(session).select("outlet_id", "expected_interval_s")
        rows = session.execute(
            select(MonitoringReading.outlet_id, MonitoringReading.observed_at)
            .where(
                MonitoringReading.superseded_at.is_(None),
                MonitoringReading.observed_at >= start_at,
                MonitoringReading.observed_at < as_of,
            )
            .distinct()
        ).all()
        rows = [
            *rows,
            *session.execute(
                select(MonitoringReading.outlet_id, func.max(MonitoringReading.observed_at))
                .where(MonitoringReading.superseded_at.is_(None), MonitoringReading.observed_at < start_at)
                .group_by(MonitoringReading.outlet_id)
            ).all(),
        ]
        times = pl.DataFrame(
            [(outlet, _utc(at)) for outlet, at in rows],
            schema={"outlet_id": pl.Int64, "observed_at": pl.Datetime("us", "UTC")},
            orient="row",
        )
        gaps = detect_gaps(times.lazy(), outlets.lazy(), start_at, as_of, gap_threshold_intervals()).collect()
        _upsert_gaps(session, gaps, dt.datetime.now(dt.UTC))
    return gaps.height


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _upsert_gaps(session: Session, gaps: pl.DataFrame, now: dt.datetime) -> None:
    if gaps.height == 0:
        return
    known: dict[tuple[int, dt.datetime], MonitoringGap] = {
        (gap.outlet_id, _utc(gap.started_at)): gap
        for gap in session.scalars(
            select(MonitoringGap).where(MonitoringGap.outlet_id.in_(gaps["outlet_id"].unique().to_list()))
        )
    }
    for row in gaps.iter_rows(named=True):  # one per gap found, not per reading
        values: dict[str, Any] = {"ended_at": row["ended_at"], "missing_intervals": row["missing_intervals"]}
        gap = known.get((row["outlet_id"], row["started_at"]))
        if gap is None:
            session.add(
                MonitoringGap(
                    outlet_id=row["outlet_id"], started_at=row["started_at"], detected_at=now, **values
                )
            )
        else:
            gap.ended_at, gap.missing_intervals = values["ended_at"], values["missing_intervals"]
    session.flush()
