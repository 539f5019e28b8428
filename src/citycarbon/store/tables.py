"""Database tables of the ledger (singular snake_case names, one naming convention everywhere).

Domain data is stored in typed columns, never as opaque blobs; each result line keeps the
factor values and the factor-set version it used, so any figure can be reproduced later.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Partial-index condition: only the current (not superseded) version of a record is unique.
_CURRENT = text("superseded_at IS NULL")

Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base carrying the shared naming convention (same names on SQLite and PostgreSQL)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> dt.datetime:
    """Now, tz-aware in UTC: the default of every ``*_at`` column."""
    return dt.datetime.now(dt.UTC)


class Organisation(Base):
    """An enterprise, individual business or park that reports data."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24), default="enterprise")
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    area_mu: Mapped[float | None] = mapped_column(Float)
    legacy_uscc_reason: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class Site(Base):
    """A plant or premises of an organisation; activity may be reported per site."""

    __tablename__ = "site"
    __table_args__ = (UniqueConstraint("organisation_id", "site_code"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(6))


class Period(Base):
    """A reporting period: year, quarter or month, with its canonical code."""

    __tablename__ = "period"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer, index=True)
    quarter: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)


class ImportBatch(Base):
    """One imported file: who, when, its digest (for idempotency) and what it wrote."""

    __tablename__ = "import_batch"
    __table_args__ = (UniqueConstraint("kind", "file_sha256"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(16))
    row_count: Mapped[int] = mapped_column(Integer)
    written_count: Mapped[int] = mapped_column(Integer)
    skipped_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ActivityRecord(Base):
    """A reported quantity of fuel, electricity, heat or process material for one period.

    ``record_key`` is the natural key (organisation, site, period, category, item); only one
    current record (``superseded_at`` null) may exist per key.
    """

    __tablename__ = "activity_record"
    __table_args__ = (
        Index(
            "uq_activity_record_current_key",
            "record_key",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    site_code: Mapped[str] = mapped_column(String(64), default="")
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    item_code: Mapped[str] = mapped_column(String(48))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(24))
    certificate: Mapped[str | None] = mapped_column(String(120))
    record_key: Mapped[str] = mapped_column(String(200))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    row_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ProductionRecord(Base):
    """Economic output of an organisation for a period: the denominators of intensities."""

    __tablename__ = "production_record"
    __table_args__ = (
        Index(
            "uq_production_record_current_key",
            "organisation_id",
            "period_id",
            "product_code",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    output_value_10k_cny: Mapped[float | None] = mapped_column(Float)
    value_added_10k_cny: Mapped[float | None] = mapped_column(Float)
    product_code: Mapped[str] = mapped_column(String(48), default="")
    product_output: Mapped[float | None] = mapped_column(Float)
    product_unit: Mapped[str | None] = mapped_column(String(24))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FactorSet(Base):
    """A reference dataset version known to this database, with the digest of its files."""

    __tablename__ = "factor_set"
    __table_args__ = (UniqueConstraint("dataset", "version"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)
    valid_from_year: Mapped[int] = mapped_column(Integer)
    valid_to_year: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class CalculationRun(Base):
    """One accounting run: the options and factor-set versions behind a set of results."""

    __tablename__ = "calculation_run"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    trigger: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str] = mapped_column(String(32))
    gwp_metric: Mapped[str] = mapped_column(String(16))
    include_non_co2: Mapped[bool] = mapped_column(Boolean, default=False)
    fuel_set: Mapped[str] = mapped_column(String(64))
    factor_versions: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CalculationRunFactorSet(Base):
    """Which factor-set versions a run used (queryable, unlike the text summary)."""

    __tablename__ = "calculation_run_factor_set"
    run_id: Mapped[int] = mapped_column(ForeignKey("calculation_run.id"), primary_key=True)
    factor_set_id: Mapped[int] = mapped_column(ForeignKey("factor_set.id"), primary_key=True)


class EmissionResult(Base):
    """Totals of one organisation and period from one run; older runs stay as history."""

    __tablename__ = "emission_result"
    __table_args__ = (
        Index(
            "uq_emission_result_current",
            "organisation_id",
            "period_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("calculation_run.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"), index=True)
    scope1_tco2e: Mapped[float] = mapped_column(Float)
    scope2_tco2e: Mapped[float] = mapped_column(Float)
    scope2_location_tco2e: Mapped[float] = mapped_column(Float)
    scope2_market_tco2e: Mapped[float] = mapped_column(Float)
    scope2_method: Mapped[str] = mapped_column(String(16))
    total_tco2e: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class EmissionResultLine(Base):
    """One activity record's contribution, with every factor value it used and their source."""

    __tablename__ = "emission_result_line"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("emission_result.id"), index=True)
    activity_record_id: Mapped[int] = mapped_column(ForeignKey("activity_record.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    item_code: Mapped[str] = mapped_column(String(48))
    quantity_canonical: Mapped[float] = mapped_column(Float)
    canonical_unit: Mapped[str] = mapped_column(String(16))
    emissions_tco2e: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    emission_factor: Mapped[float] = mapped_column(Float)
    ncv_gj_per_unit: Mapped[float | None] = mapped_column(Float)
    carbon_content_tc_per_gj: Mapped[float | None] = mapped_column(Float)
    oxidation_rate: Mapped[float | None] = mapped_column(Float)
    tce_per_unit: Mapped[float] = mapped_column(Float)
    lineage_id: Mapped[str] = mapped_column(String(160))
    tce_lineage_id: Mapped[str | None] = mapped_column(String(160))
    scope2_method: Mapped[str] = mapped_column(String(16))
    factor_source: Mapped[str] = mapped_column(Text)
    factor_status: Mapped[str] = mapped_column(String(40))
    flags: Mapped[str] = mapped_column(String(200), default="")


__all__ = ["Base", "func"]
