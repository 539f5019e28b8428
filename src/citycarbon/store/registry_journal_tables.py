"""Tables of the registry journal: entries, their unit movements and cash lines, signed checkpoints.

An entry is written in the same transaction as the change it records, with ``seq`` and hashes
still empty; the sealer then links committed entries into the SHA-256 chain in a short
transaction of its own (see :mod:`citycarbon.services.registry_journal`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.registry_tables import Money
from citycarbon.store.tables import Base, Id


class SinkJournalEntry(Base):
    """One registry event; ``seq``, ``prev_hash`` and ``entry_hash`` are set when it is sealed."""

    __tablename__ = "sink_journal_entry"
    __table_args__ = (
        # The sealer looks only for entries not yet in the chain; keep that lookup tiny.
        Index(
            "ix_sink_journal_entry_unsealed",
            "id",
            sqlite_where=text("seq IS NULL"),
            postgresql_where=text("seq IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    event_type: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    reference: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class SinkJournalMovement(Base):
    """Serials that an entry moved from one place (account, state) to another."""

    __tablename__ = "sink_journal_movement"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("sink_journal_entry.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    project_code: Mapped[str] = mapped_column(String(40))
    vintage_year: Mapped[int] = mapped_column(Integer)
    serial_start: Mapped[int] = mapped_column(BigInteger)
    serial_end: Mapped[int] = mapped_column(BigInteger)
    from_account_code: Mapped[str | None] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(12))
    to_account_code: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(12))


class SinkJournalCash(Base):
    """Money an entry records as paid or allocated to a party [fen]."""

    __tablename__ = "sink_journal_cash"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("sink_journal_entry.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    party_name: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(Money)


class SinkCheckpoint(Base):
    """A signed statement of the chain head: an outsider verifies an export with the public key."""

    __tablename__ = "sink_checkpoint"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    public_key_hex: Mapped[str] = mapped_column(String(64))
    signature_hex: Mapped[str] = mapped_column(String(128))
    note: Mapped[str] = mapped_column(Text, default="")
