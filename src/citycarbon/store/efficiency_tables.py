"""Tables of carbon-efficiency ratings: runs, benchmarks, grades, watch-list entries, roll-ups.

A rating run records the scheme version, benchmark settings and a fingerprint of its inputs;
every grade row keeps the inputs (emissions, value added, output, land), the benchmark it was
compared with and the reason when it could not be graded. Re-rating a period marks the rows of
the earlier run ``superseded_at`` instead of deleting them, as ``emission_result`` does.
Ranks by K are not stored: they are computed when one benchmark industry or one county of a
run is read (``county_code`` is the county the firm was rated in, retired codes followed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now

_CURRENT = text("superseded_at IS NULL")


class RatingRun(Base):
    """One rating of one period with one scheme: its settings and what its inputs were."""

    __tablename__ = "rating_run"
    __table_args__ = (
        Index(
            "uq_rating_run_current",
            "period_code",
            "scheme_code",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    period_code: Mapped[str] = mapped_column(String(8))
    scheme_code: Mapped[str] = mapped_column(String(32))
    scheme_version: Mapped[str] = mapped_column(String(32))
    benchmark_level: Mapped[str] = mapped_column(String(16))
    benchmark_method: Mapped[str] = mapped_column(String(32))
    min_peers: Mapped[int] = mapped_column(Integer)
    watch_rules: Mapped[str] = mapped_column(Text)
    official_benchmarks: Mapped[str | None] = mapped_column(Text)
    input_fingerprint: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32))
    organisation_count: Mapped[int] = mapped_column(Integer)
    rated_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class EfficiencyBenchmark(Base):
    """An industry benchmark of a run; its peers are the run's grade rows marked as peers in it."""

    __tablename__ = "efficiency_benchmark"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rating_run_id: Mapped[int] = mapped_column(ForeignKey("rating_run.id"), index=True)
    period_code: Mapped[str] = mapped_column(String(8))
    industry_code: Mapped[str] = mapped_column(String(5))
    industry_level: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    peer_count: Mapped[int | None] = mapped_column(Integer)
    is_usable: Mapped[bool] = mapped_column(Boolean)
    emissions_tco2e: Mapped[float | None] = mapped_column(Float)
    value_added_10k_cny: Mapped[float | None] = mapped_column(Float)
    intensity_tco2e_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)


class EfficiencyGrade(Base):
    """Intensities, benchmark, K and grade of one organisation in one period, with the inputs used."""

    __tablename__ = "efficiency_grade"
    __table_args__ = (
        Index(
            "uq_efficiency_grade_current",
            "organisation_id",
            "period_code",
            "scheme_code",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        # Ranks are computed on read, one industry or county of a run at a time.
        Index("ix_efficiency_grade_run_industry", "rating_run_id", "benchmark_industry_code"),
        Index("ix_efficiency_grade_run_county", "rating_run_id", "county_code"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rating_run_id: Mapped[int] = mapped_column(ForeignKey("rating_run.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_code: Mapped[str] = mapped_column(String(8))
    scheme_code: Mapped[str] = mapped_column(String(32))
    scheme_version: Mapped[str] = mapped_column(String(32))
    industry_code: Mapped[str | None] = mapped_column(String(5))
    region_code: Mapped[str] = mapped_column(String(6))
    county_code: Mapped[str | None] = mapped_column(String(6))
    emissions_tco2e: Mapped[float | None] = mapped_column(Float)
    energy_tce: Mapped[float | None] = mapped_column(Float)
    output_value_10k_cny: Mapped[float | None] = mapped_column(Float)
    value_added_10k_cny: Mapped[float | None] = mapped_column(Float)
    area_mu: Mapped[float | None] = mapped_column(Float)
    product_output: Mapped[float | None] = mapped_column(Float)
    product_unit: Mapped[str | None] = mapped_column(String(24))
    intensity_tco2e_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    intensity_output_tco2e_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    intensity_tco2e_per_product_unit: Mapped[float | None] = mapped_column(Float)
    energy_intensity_tce_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    emissions_per_mu_tco2e: Mapped[float | None] = mapped_column(Float)
    output_per_mu_10k_cny: Mapped[float | None] = mapped_column(Float)
    is_benchmark_peer: Mapped[bool] = mapped_column(Boolean)
    benchmark_industry_code: Mapped[str | None] = mapped_column(String(5))
    benchmark_level: Mapped[str | None] = mapped_column(String(16))
    benchmark_method: Mapped[str | None] = mapped_column(String(32))
    benchmark_peer_count: Mapped[int | None] = mapped_column(Integer)
    benchmark_tco2e_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    k_industry: Mapped[float | None] = mapped_column(Float)
    k_region: Mapped[float | None] = mapped_column(Float)
    intensity_change: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[int | None] = mapped_column(Integer)
    grade_code: Mapped[str | None] = mapped_column(String(16))
    grade_label_zh: Mapped[str | None] = mapped_column(String(64))
    grade_label_en: Mapped[str | None] = mapped_column(String(64))
    colour: Mapped[str | None] = mapped_column(String(16))
    level_code: Mapped[str | None] = mapped_column(String(16))
    not_rated_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WatchlistEntry(Base):
    """A firm on a watch-list in a period: the rule, the values judged and the movement."""

    __tablename__ = "watchlist_entry"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rating_run_id: Mapped[int] = mapped_column(ForeignKey("rating_run.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period_code: Mapped[str] = mapped_column(String(8))
    rule_code: Mapped[str] = mapped_column(String(64))
    movement: Mapped[str | None] = mapped_column(String(8))
    energy_tce: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[int | None] = mapped_column(Integer)
    output_per_mu_10k_cny: Mapped[float | None] = mapped_column(Float)
    output_per_mu_threshold_10k_cny: Mapped[float | None] = mapped_column(Float)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class EfficiencyRollup(Base):
    """Totals, intensity and grade distribution of one region or industry code in one period."""

    __tablename__ = "efficiency_rollup"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    rating_run_id: Mapped[int] = mapped_column(ForeignKey("rating_run.id"), index=True)
    period_code: Mapped[str] = mapped_column(String(8))
    dimension: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(6))
    organisation_count: Mapped[int] = mapped_column(Integer)
    rated_count: Mapped[int] = mapped_column(Integer)
    not_rated_count: Mapped[int] = mapped_column(Integer)
    grade_1_count: Mapped[int] = mapped_column(Integer)
    grade_2_count: Mapped[int] = mapped_column(Integer)
    grade_3_count: Mapped[int] = mapped_column(Integer)
    grade_4_count: Mapped[int] = mapped_column(Integer)
    grade_5_count: Mapped[int] = mapped_column(Integer)
    emissions_tco2e: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    value_added_10k_cny: Mapped[float] = mapped_column(Float)
    output_value_10k_cny: Mapped[float] = mapped_column(Float)
    area_mu: Mapped[float] = mapped_column(Float)
    intensity_tco2e_per_10k_cny: Mapped[float | None] = mapped_column(Float)
    emissions_per_mu_tco2e: Mapped[float | None] = mapped_column(Float)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


__all__ = ["EfficiencyBenchmark", "EfficiencyGrade", "EfficiencyRollup", "RatingRun", "WatchlistEntry"]
