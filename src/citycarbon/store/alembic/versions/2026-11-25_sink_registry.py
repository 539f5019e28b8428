"""sink registry: accounts, projects, monitoring reports, units, auctions, journal, checkpoints

A branch of its own off the ledger (0001), so it does not depend on other contexts' branches;
the platform upgrades to ``heads``.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("sinks",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sink_checkpoint",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_key_hex", sa.String(length=64), nullable=False),
        sa.Column("signature_hex", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_checkpoint")),
    )
    op.create_table(
        "sink_journal_entry",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("event_type", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("entry_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_journal_entry")),
        sa.UniqueConstraint("seq", name=op.f("uq_sink_journal_entry_seq")),
    )
    op.create_index(
        "ix_sink_journal_entry_unsealed",
        "sink_journal_entry",
        ["id"],
        unique=False,
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    op.create_table(
        "sink_journal_cash",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["sink_journal_entry.id"],
            name=op.f("fk_sink_journal_cash_entry_id_sink_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_journal_cash")),
    )
    op.create_index(op.f("ix_sink_journal_cash_entry_id"), "sink_journal_cash", ["entry_id"], unique=False)
    op.create_table(
        "sink_journal_movement",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("project_code", sa.String(length=40), nullable=False),
        sa.Column("vintage_year", sa.Integer(), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("from_account_code", sa.String(length=40), nullable=True),
        sa.Column("from_state", sa.String(length=12), nullable=False),
        sa.Column("to_account_code", sa.String(length=40), nullable=False),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["sink_journal_entry.id"],
            name=op.f("fk_sink_journal_movement_entry_id_sink_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_journal_movement")),
    )
    op.create_index(
        op.f("ix_sink_journal_movement_entry_id"), "sink_journal_movement", ["entry_id"], unique=False
    )
    op.create_table(
        "sink_account",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_code", sa.String(length=40), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("is_approved_bidder", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_sink_account_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_account")),
        sa.UniqueConstraint("account_code", name=op.f("uq_sink_account_account_code")),
    )
    op.create_table(
        "sink_project",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_code", sa.String(length=40), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=False),
        sa.Column("project_type", sa.String(length=16), nullable=False),
        sa.Column("methodology_code", sa.String(length=40), nullable=False),
        sa.Column("methodology_version", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("owner_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fund_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("participants_share_pct", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fund_account_id"],
            ["sink_account.id"],
            name=op.f("fk_sink_project_fund_account_id_sink_account"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["sink_account.id"],
            name=op.f("fk_sink_project_owner_account_id_sink_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_project")),
        sa.UniqueConstraint("project_code", name=op.f("uq_sink_project_project_code")),
    )
    op.create_table(
        "sink_retirement",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("quantity_tco2e", sa.BigInteger(), nullable=False),
        sa.Column("beneficiary_name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["sink_account.id"], name=op.f("fk_sink_retirement_account_id_sink_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_retirement")),
    )
    op.create_index(op.f("ix_sink_retirement_account_id"), "sink_retirement", ["account_id"], unique=False)
    op.create_table(
        "sink_auction",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("auction_code", sa.String(length=40), nullable=False),
        sa.Column("auction_kind", sa.String(length=12), nullable=False),
        sa.Column("seller_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vintage_year", sa.Integer(), nullable=False),
        sa.Column("quantity_tco2e", sa.BigInteger(), nullable=False),
        sa.Column("reserve_price_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("min_increment_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment_hours", sa.Integer(), nullable=False),
        sa.Column("payment_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("winner_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("winning_bid_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("benefit_split_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sink_project.id"], name=op.f("fk_sink_auction_project_id_sink_project")
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["sink_account.id"],
            name=op.f("fk_sink_auction_seller_account_id_sink_account"),
        ),
        sa.ForeignKeyConstraint(
            ["winner_account_id"],
            ["sink_account.id"],
            name=op.f("fk_sink_auction_winner_account_id_sink_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_auction")),
        sa.UniqueConstraint("auction_code", name=op.f("uq_sink_auction_auction_code")),
    )
    op.create_table(
        "sink_monitoring_report",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vintage_year", sa.Integer(), nullable=False),
        sa.Column("period_start_date", sa.Date(), nullable=False),
        sa.Column("period_end_date", sa.Date(), nullable=False),
        sa.Column("factor_set", sa.String(length=64), nullable=False),
        sa.Column("sink_tco2e", sa.Float(), nullable=False),
        sa.Column("issuable_tco2e", sa.Integer(), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verifier_name", sa.String(length=200), nullable=True),
        sa.Column("verifier_public_key", sa.String(length=64), nullable=True),
        sa.Column("verifier_signature", sa.String(length=128), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["sink_project.id"],
            name=op.f("fk_sink_monitoring_report_project_id_sink_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_monitoring_report")),
    )
    op.create_index(
        op.f("ix_sink_monitoring_report_project_id"), "sink_monitoring_report", ["project_id"], unique=False
    )
    op.create_table(
        "sink_participant",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("participant_name", sa.String(length=200), nullable=False),
        sa.Column("share_weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sink_project.id"], name=op.f("fk_sink_participant_project_id_sink_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_participant")),
        sa.UniqueConstraint(
            "project_id", "participant_name", name=op.f("uq_sink_participant_project_id_participant_name")
        ),
    )
    op.create_index(op.f("ix_sink_participant_project_id"), "sink_participant", ["project_id"], unique=False)
    op.create_table(
        "sink_bid",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("auction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bidder_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auction_id"], ["sink_auction.id"], name=op.f("fk_sink_bid_auction_id_sink_auction")
        ),
        sa.ForeignKeyConstraint(
            ["bidder_account_id"],
            ["sink_account.id"],
            name=op.f("fk_sink_bid_bidder_account_id_sink_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_bid")),
    )
    op.create_index(op.f("ix_sink_bid_auction_id"), "sink_bid", ["auction_id"], unique=False)
    op.create_table(
        "sink_issuance",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vintage_year", sa.Integer(), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("quantity_tco2e", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sink_project.id"], name=op.f("fk_sink_issuance_project_id_sink_project")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["sink_monitoring_report.id"],
            name=op.f("fk_sink_issuance_report_id_sink_monitoring_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_issuance")),
        sa.UniqueConstraint("report_id", name=op.f("uq_sink_issuance_report_id")),
    )
    op.create_index(op.f("ix_sink_issuance_project_id"), "sink_issuance", ["project_id"], unique=False)
    op.create_table(
        "sink_monitoring_line",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("species_code", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("sink_tco2e", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["sink_monitoring_report.id"],
            name=op.f("fk_sink_monitoring_line_report_id_sink_monitoring_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_monitoring_line")),
    )
    op.create_index(
        op.f("ix_sink_monitoring_line_report_id"), "sink_monitoring_line", ["report_id"], unique=False
    )
    op.create_table(
        "sink_unit_block",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vintage_year", sa.Integer(), nullable=False),
        sa.Column("serial_start", sa.BigInteger(), nullable=False),
        sa.Column("serial_end", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("auction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("retirement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["sink_account.id"], name=op.f("fk_sink_unit_block_account_id_sink_account")
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"], ["sink_auction.id"], name=op.f("fk_sink_unit_block_auction_id_sink_auction")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["sink_project.id"], name=op.f("fk_sink_unit_block_project_id_sink_project")
        ),
        sa.ForeignKeyConstraint(
            ["retirement_id"],
            ["sink_retirement.id"],
            name=op.f("fk_sink_unit_block_retirement_id_sink_retirement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_unit_block")),
        sa.UniqueConstraint(
            "project_id",
            "vintage_year",
            "serial_start",
            name=op.f("uq_sink_unit_block_project_id_vintage_year_serial_start"),
        ),
    )
    op.create_index(op.f("ix_sink_unit_block_auction_id"), "sink_unit_block", ["auction_id"], unique=False)
    op.create_index(
        "ix_sink_unit_block_holding",
        "sink_unit_block",
        ["account_id", "state", "project_id", "vintage_year", "serial_start"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sink_unit_block_retirement_id"), "sink_unit_block", ["retirement_id"], unique=False
    )
    op.create_table(
        "sink_monitoring_parameter",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("parameter", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["sink_monitoring_line.id"],
            name=op.f("fk_sink_monitoring_parameter_line_id_sink_monitoring_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sink_monitoring_parameter")),
    )
    op.create_index(
        op.f("ix_sink_monitoring_parameter_line_id"), "sink_monitoring_parameter", ["line_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sink_monitoring_parameter_line_id"), table_name="sink_monitoring_parameter")
    op.drop_table("sink_monitoring_parameter")
    op.drop_index(op.f("ix_sink_unit_block_retirement_id"), table_name="sink_unit_block")
    op.drop_index("ix_sink_unit_block_holding", table_name="sink_unit_block")
    op.drop_index(op.f("ix_sink_unit_block_auction_id"), table_name="sink_unit_block")
    op.drop_table("sink_unit_block")
    op.drop_index(op.f("ix_sink_monitoring_line_report_id"), table_name="sink_monitoring_line")
    op.drop_table("sink_monitoring_line")
    op.drop_index(op.f("ix_sink_issuance_project_id"), table_name="sink_issuance")
    op.drop_table("sink_issuance")
    op.drop_index(op.f("ix_sink_bid_auction_id"), table_name="sink_bid")
    op.drop_table("sink_bid")
    op.drop_index(op.f("ix_sink_participant_project_id"), table_name="sink_participant")
    op.drop_table("sink_participant")
    op.drop_index(op.f("ix_sink_monitoring_report_project_id"), table_name="sink_monitoring_report")
    op.drop_table("sink_monitoring_report")
    op.drop_table("sink_auction")
    op.drop_index(op.f("ix_sink_retirement_account_id"), table_name="sink_retirement")
    op.drop_table("sink_retirement")
    op.drop_table("sink_project")
    op.drop_table("sink_account")
    op.drop_index(op.f("ix_sink_journal_movement_entry_id"), table_name="sink_journal_movement")
    op.drop_table("sink_journal_movement")
    op.drop_index(op.f("ix_sink_journal_cash_entry_id"), table_name="sink_journal_cash")
    op.drop_table("sink_journal_cash")
    op.drop_index(
        "ix_sink_journal_entry_unsealed",
        table_name="sink_journal_entry",
        sqlite_where=sa.text("seq IS NULL"),
        postgresql_where=sa.text("seq IS NULL"),
    )
    op.drop_table("sink_journal_entry")
    op.drop_table("sink_checkpoint")
