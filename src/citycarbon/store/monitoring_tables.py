"""Tables of pollutant monitoring and warnings: outlets, limits, readings, gaps, meter data, warnings.

Readings are stored in the canonical unit of their measure (mg/m3, mg/L, kg/h or kg) next to
the value and unit as reported, so a figure can always be traced back to what the monitor sent.
A reading that arrives again for the same outlet, pollutant, measure and time with a different
value supersedes the earlier one (``superseded_at``, ``revision``) instead of overwriting it,
as ``activity_record`` does. Warnings carry a stable ``fingerprint`` so re-running the rules
never duplicates them; their evidence is stored as typed rows, never as an opaque blob.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now

_CURRENT = text("superseded_at IS NULL")


class MonitoringOutlet(Base):
    """A discharge outlet (stack or drain) of a site, with its expected reporting interval."""

    __tablename__ = "monitoring_outlet"
    __table_args__ = (UniqueConstraint("site_id", "outlet_code"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    outlet_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    medium: Mapped[str] = mapped_column(String(8))
    expected_interval_s: Mapped[int] = mapped_column(Integer, default=3600)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class OutletLimit(Base):
    """A permitted limit of one pollutant at one outlet, with the reference row it came from."""

    __tablename__ = "outlet_limit"
    __table_args__ = (UniqueConstraint("outlet_id", "pollutant_code", "measure"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlet.id"), index=True)
    pollutant_code: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    limit_value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    standard_code: Mapped[str] = mapped_column(String(64))
    factor_set: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))


class MonitoringReading(Base):
    """One observation of one pollutant at one outlet (time series), in the measure's canonical unit."""

    __tablename__ = "monitoring_reading"
    __table_args__ = (
        Index(
            "uq_monitoring_reading_current_key",
            "outlet_id",
            "pollutant_code",
            "measure",
            "observed_at",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        Index("ix_monitoring_reading_observed_at", "observed_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlet.id"))
    pollutant_code: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    reported_value: Mapped[float] = mapped_column(Float)
    reported_unit: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class MonitoringGap(Base):
    """A data gap (断传): an outlet silent for more than the allowed number of intervals."""

    __tablename__ = "monitoring_gap"
    __table_args__ = (UniqueConstraint("outlet_id", "started_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("monitoring_outlet.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    missing_intervals: Mapped[int] = mapped_column(Integer)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class MeterElectricityRecord(Base):
    """Electricity of an organisation in a month as measured by the grid company or a third party."""

    __tablename__ = "meter_electricity_record"
    __table_args__ = (
        Index(
            "uq_meter_electricity_record_current_key",
            "organisation_id",
            "period_code",
            "source_name",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_code: Mapped[str] = mapped_column(String(8))
    electricity_mwh: Mapped[float] = mapped_column(Float)
    source_name: Mapped[str] = mapped_column(String(64))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    row_number: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WarningRun(Base):
    """One evaluation of the warning rules: the rule set version and what it found."""

    __tablename__ = "warning_run"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rule_set: Mapped[str] = mapped_column(String(64))
    period_code: Mapped[str | None] = mapped_column(String(8))
    trigger: Mapped[str] = mapped_column(String(32))
    found_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SupervisionWarning(Base):
    """A warning raised by one rule for one organisation (and site or outlet) in one period or window."""

    __tablename__ = "supervision_warning"
    __table_args__ = (
        UniqueConstraint("fingerprint"),
        Index("ix_supervision_warning_org_rule", "organisation_id", "rule_id"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(48))
    rule_version: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_outlet.id"))
    pollutant_code: Mapped[str | None] = mapped_column(String(16))
    period_code: Mapped[str | None] = mapped_column(String(8))
    window_start_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    window_end_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    first_run_id: Mapped[int] = mapped_column(ForeignKey("warning_run.id"))
    first_detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class WarningEvidence(Base):
    """One number (or code) that triggered a warning, with its unit."""

    __tablename__ = "warning_evidence"
    __table_args__ = (UniqueConstraint("warning_id", "name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("supervision_warning.id"), index=True)
    name: Mapped[str] = mapped_column(String(48))
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(24))


__all__ = [
    "MeterElectricityRecord",
    "MonitoringGap",
    "MonitoringOutlet",
    "MonitoringReading",
    "OutletLimit",
    "SupervisionWarning",
    "WarningEvidence",
    "WarningRun",
]
