"""Tables of the carbon-sink registry (bounded context ``sinks``), on the shared :class:`Base`.

Units live in ``sink_unit_block`` rows, one per run of consecutive serials held in one place;
the journal (``sink_journal_entry`` with its movement and cash lines) is the history those rows
can be rebuilt from. Money is stored in whole fen (0.01 CNY) as integers, never as floats.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now

Money = BigInteger().with_variant(Integer(), "sqlite")


class SinkAccount(Base):
    """A holding account: a project owner, a buyer, a benefit fund, or the registry itself."""

    __tablename__ = "sink_account"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    account_code: Mapped[str] = mapped_column(String(40), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_approved_bidder: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SinkProject(Base):
    """A sink project with its methodology, location, owner and benefit-sharing rule."""

    __tablename__ = "sink_project"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_code: Mapped[str] = mapped_column(String(40), unique=True)
    project_name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[str] = mapped_column(String(16))
    methodology_code: Mapped[str] = mapped_column(String(40))
    methodology_version: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    owner_account_id: Mapped[int] = mapped_column(ForeignKey("sink_account.id"))
    fund_account_id: Mapped[int | None] = mapped_column(ForeignKey("sink_account.id"))
    participants_share_pct: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SinkParticipant(Base):
    """A participant of a project (e.g. a farming household) and its contribution weight."""

    __tablename__ = "sink_participant"
    __table_args__ = (UniqueConstraint("project_id", "participant_name"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("sink_project.id"), index=True)
    participant_name: Mapped[str] = mapped_column(String(200))
    share_weight: Mapped[float] = mapped_column(Float)


class SinkMonitoringReport(Base):
    """A monitoring report: measured data turned into tonnes, then reviewed and signed."""

    __tablename__ = "sink_monitoring_report"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("sink_project.id"), index=True)
    vintage_year: Mapped[int] = mapped_column(Integer)
    period_start_date: Mapped[dt.date] = mapped_column(Date)
    period_end_date: Mapped[dt.date] = mapped_column(Date)
    factor_set: Mapped[str] = mapped_column(String(64))
    sink_tco2e: Mapped[float] = mapped_column(Float)
    issuable_tco2e: Mapped[int] = mapped_column(Integer)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    verifier_name: Mapped[str | None] = mapped_column(String(200))
    verifier_public_key: Mapped[str | None] = mapped_column(String(64))
    verifier_signature: Mapped[str | None] = mapped_column(String(128))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SinkMonitoringLine(Base):
    """One measured quantity of a report and the sink computed from it."""

    __tablename__ = "sink_monitoring_line"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("sink_monitoring_report.id"), index=True)
    species_code: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    sink_tco2e: Mapped[float] = mapped_column(Float)


class SinkMonitoringParameter(Base):
    """A default parameter a report line used, with its value, unit, source and status (lineage)."""

    __tablename__ = "sink_monitoring_parameter"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("sink_monitoring_line.id"), index=True)
    parameter: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)


class SinkIssuance(Base):
    """Units issued from one verified report: a serial range of one project and vintage."""

    __tablename__ = "sink_issuance"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("sink_project.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("sink_monitoring_report.id"), unique=True)
    vintage_year: Mapped[int] = mapped_column(Integer)
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    quantity_tco2e: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SinkUnitBlock(Base):
    """Consecutive serials of one project and vintage held in one account, in one state."""

    __tablename__ = "sink_unit_block"
    __table_args__ = (
        UniqueConstraint("project_id", "vintage_year", "serial_start"),
        Index(
            "ix_sink_unit_block_holding", "account_id", "state", "project_id", "vintage_year", "serial_start"
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("sink_project.id"))
    vintage_year: Mapped[int] = mapped_column(Integer)
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    account_id: Mapped[int] = mapped_column(ForeignKey("sink_account.id"))
    state: Mapped[str] = mapped_column(String(12))
    auction_id: Mapped[int | None] = mapped_column(ForeignKey("sink_auction.id"), index=True)
    retirement_id: Mapped[int | None] = mapped_column(ForeignKey("sink_retirement.id"), index=True)


class SinkRetirement(Base):
    """A retirement (or cancellation): units taken out of circulation for a beneficiary and purpose."""

    __tablename__ = "sink_retirement"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sink_account.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    quantity_tco2e: Mapped[int] = mapped_column(BigInteger)
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SinkAuction(Base):
    """An auction of one lot of units, held in escrow from creation until settlement or return."""

    __tablename__ = "sink_auction"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    auction_code: Mapped[str] = mapped_column(String(40), unique=True)
    auction_kind: Mapped[str] = mapped_column(String(12))
    seller_account_id: Mapped[int] = mapped_column(ForeignKey("sink_account.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("sink_project.id"))
    vintage_year: Mapped[int] = mapped_column(Integer)
    quantity_tco2e: Mapped[int] = mapped_column(BigInteger)
    reserve_price_fen: Mapped[int] = mapped_column(Money)
    min_increment_fen: Mapped[int] = mapped_column(Money)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    payment_hours: Mapped[int] = mapped_column(Integer)
    payment_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="open")
    winner_account_id: Mapped[int | None] = mapped_column(ForeignKey("sink_account.id"))
    winning_bid_fen: Mapped[int | None] = mapped_column(Money)
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    benefit_split_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SinkBid(Base):
    """A bid for the whole lot [fen]."""

    __tablename__ = "sink_bid"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("sink_auction.id"), index=True)
    bidder_account_id: Mapped[int] = mapped_column(ForeignKey("sink_account.id"))
    amount_fen: Mapped[int] = mapped_column(Money)
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
