"""monitoring: outlets, pollutant limits, readings, data gaps, meter electricity, warnings

A branch of its own off the ledger (0001), so it does not depend on other contexts' branches;
the platform upgrades to ``heads``.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-25 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("monitoring",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warning_run",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("rule_set", sa.String(length=64), nullable=False),
        sa.Column("period_code", sa.String(length=8), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("found_count", sa.Integer(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_run")),
    )
    op.create_table(
        "meter_electricity_record",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("period_code", sa.String(length=8), nullable=False),
        sa.Column("electricity_mwh", sa.Float(), nullable=False),
        sa.Column("source_name", sa.String(length=64), nullable=False),
        sa.Column("import_batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_meter_electricity_record_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_meter_electricity_record_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_electricity_record")),
    )
    op.create_index(
        op.f("ix_meter_electricity_record_organisation_id"),
        "meter_electricity_record",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        "uq_meter_electricity_record_current_key",
        "meter_electricity_record",
        ["organisation_id", "period_code", "source_name"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "monitoring_outlet",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("outlet_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("medium", sa.String(length=8), nullable=False),
        sa.Column("expected_interval_s", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_monitoring_outlet_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_monitoring_outlet_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_outlet")),
        sa.UniqueConstraint("site_id", "outlet_code", name=op.f("uq_monitoring_outlet_site_id_outlet_code")),
    )
    op.create_index(
        op.f("ix_monitoring_outlet_organisation_id"), "monitoring_outlet", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_monitoring_outlet_site_id"), "monitoring_outlet", ["site_id"], unique=False)
    op.create_table(
        "monitoring_gap",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("outlet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missing_intervals", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["monitoring_outlet.id"],
            name=op.f("fk_monitoring_gap_outlet_id_monitoring_outlet"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_gap")),
        sa.UniqueConstraint("outlet_id", "started_at", name=op.f("uq_monitoring_gap_outlet_id_started_at")),
    )
    op.create_index(op.f("ix_monitoring_gap_outlet_id"), "monitoring_gap", ["outlet_id"], unique=False)
    op.create_table(
        "monitoring_reading",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("outlet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pollutant_code", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("reported_value", sa.Float(), nullable=False),
        sa.Column("reported_unit", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("import_batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_monitoring_reading_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["monitoring_outlet.id"],
            name=op.f("fk_monitoring_reading_outlet_id_monitoring_outlet"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_reading")),
    )
    op.create_index("ix_monitoring_reading_observed_at", "monitoring_reading", ["observed_at"], unique=False)
    op.create_index(
        "uq_monitoring_reading_current_key",
        "monitoring_reading",
        ["outlet_id", "pollutant_code", "measure", "observed_at"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.create_table(
        "outlet_limit",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("outlet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pollutant_code", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("standard_code", sa.String(length=64), nullable=False),
        sa.Column("factor_set", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["monitoring_outlet.id"], name=op.f("fk_outlet_limit_outlet_id_monitoring_outlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlet_limit")),
        sa.UniqueConstraint(
            "outlet_id",
            "pollutant_code",
            "measure",
            name=op.f("uq_outlet_limit_outlet_id_pollutant_code_measure"),
        ),
    )
    op.create_index(op.f("ix_outlet_limit_outlet_id"), "outlet_limit", ["outlet_id"], unique=False)
    op.create_table(
        "supervision_warning",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=48), nullable=False),
        sa.Column("rule_version", sa.String(length=16), nullable=False),
        sa.Column("rule_set", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("outlet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("pollutant_code", sa.String(length=16), nullable=True),
        sa.Column("period_code", sa.String(length=8), nullable=True),
        sa.Column("window_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("first_detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["warning_run.id"], name=op.f("fk_supervision_warning_first_run_id_warning_run")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_supervision_warning_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["monitoring_outlet.id"],
            name=op.f("fk_supervision_warning_outlet_id_monitoring_outlet"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_supervision_warning_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_warning")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_supervision_warning_fingerprint")),
    )
    op.create_index(
        "ix_supervision_warning_org_rule", "supervision_warning", ["organisation_id", "rule_id"], unique=False
    )
    op.create_index(
        op.f("ix_supervision_warning_organisation_id"),
        "supervision_warning",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "warning_evidence",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_text", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["supervision_warning.id"],
            name=op.f("fk_warning_evidence_warning_id_supervision_warning"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_evidence")),
        sa.UniqueConstraint("warning_id", "name", name=op.f("uq_warning_evidence_warning_id_name")),
    )
    op.create_index(op.f("ix_warning_evidence_warning_id"), "warning_evidence", ["warning_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_warning_evidence_warning_id"), table_name="warning_evidence")
    op.drop_table("warning_evidence")
    op.drop_index(op.f("ix_supervision_warning_organisation_id"), table_name="supervision_warning")
    op.drop_index("ix_supervision_warning_org_rule", table_name="supervision_warning")
    op.drop_table("supervision_warning")
    op.drop_index(op.f("ix_outlet_limit_outlet_id"), table_name="outlet_limit")
    op.drop_table("outlet_limit")
    op.drop_index(
        "uq_monitoring_reading_current_key",
        table_name="monitoring_reading",
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.drop_index("ix_monitoring_reading_observed_at", table_name="monitoring_reading")
    op.drop_table("monitoring_reading")
    op.drop_index(op.f("ix_monitoring_gap_outlet_id"), table_name="monitoring_gap")
    op.drop_table("monitoring_gap")
    op.drop_index(op.f("ix_monitoring_outlet_site_id"), table_name="monitoring_outlet")
    op.drop_index(op.f("ix_monitoring_outlet_organisation_id"), table_name="monitoring_outlet")
    op.drop_table("monitoring_outlet")
    op.drop_index(
        "uq_meter_electricity_record_current_key",
        table_name="meter_electricity_record",
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.drop_index(op.f("ix_meter_electricity_record_organisation_id"), table_name="meter_electricity_record")
    op.drop_table("meter_electricity_record")
    op.drop_table("warning_run")
