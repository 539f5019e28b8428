"""Tables of the indicator framework: industrial parks, evaluation runs, weights and scores.

An evaluation run records the definition (code and version), the quarter, the entity level
(county, city, park, enterprise) and a fingerprint of its facts; every score row keeps the
missing-data rule that applied to it. Re-evaluating a quarter marks the earlier run
``superseded_at`` instead of deleting it, so earlier results stay as history.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now

_CURRENT = text("superseded_at IS NULL")


class IndustrialPark(Base):
    """An industrial park: a named group of member organisations inside one region."""

    __tablename__ = "industrial_park"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    park_code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class IndustrialParkMember(Base):
    """Membership of an organisation in a park (an organisation belongs to at most one park)."""

    __tablename__ = "industrial_park_member"
    park_id: Mapped[int] = mapped_column(ForeignKey("industrial_park.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, unique=True)


class IndicatorRun(Base):
    """One evaluation of one definition for one quarter and entity level."""

    __tablename__ = "indicator_run"
    __table_args__ = (
        Index(
            "uq_indicator_run_current",
            "definition_code",
            "period_code",
            "entity_level",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    definition_code: Mapped[str] = mapped_column(String(32))
    definition_version: Mapped[str] = mapped_column(String(32))
    period_code: Mapped[str] = mapped_column(String(8), index=True)
    entity_level: Mapped[str] = mapped_column(String(16))
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    entity_count: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class IndicatorWeight(Base):
    """Nominal weight of a node in its parent in a run (entropy weights differ by run)."""

    __tablename__ = "indicator_weight"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("indicator_run.id"), index=True)
    node_id: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[str] = mapped_column(String(40))
    weight: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))


class IndicatorScore(Base):
    """Value, score and rank of one node for one entity in a run, with the missing-data rule used."""

    __tablename__ = "indicator_score"
    __table_args__ = (Index("ix_indicator_score_run_node", "run_id", "node_id"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("indicator_run.id"))
    entity_code: Mapped[str] = mapped_column(String(32))
    node_id: Mapped[str] = mapped_column(String(40))
    raw_value: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    missing_rule: Mapped[str | None] = mapped_column(String(16))


__all__ = ["IndicatorRun", "IndicatorScore", "IndicatorWeight", "IndustrialPark", "IndustrialParkMember"]
