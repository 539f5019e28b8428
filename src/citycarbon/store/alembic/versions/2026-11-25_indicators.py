"""indicators: industrial parks, indicator evaluation runs, weights and scores

A branch of its own off the ledger (0001), so it does not depend on other contexts' branches;
the platform upgrades to ``heads``.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-25 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("indicators",)
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CURRENT = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "industrial_park",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("park_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industrial_park")),
        sa.UniqueConstraint("park_code", name=op.f("uq_industrial_park_park_code")),
    )
    op.create_index(op.f("ix_industrial_park_region_code"), "industrial_park", ["region_code"], unique=False)
    op.create_table(
        "industrial_park_member",
        sa.Column("park_id", _ID, nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"],
            ["industrial_park.id"],
            name=op.f("fk_industrial_park_member_park_id_industrial_park"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_industrial_park_member_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("park_id", "organisation_id", name=op.f("pk_industrial_park_member")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_industrial_park_member_organisation_id")),
    )
    op.create_table(
        "indicator_run",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("definition_code", sa.String(length=32), nullable=False),
        sa.Column("definition_version", sa.String(length=32), nullable=False),
        sa.Column("period_code", sa.String(length=8), nullable=False),
        sa.Column("entity_level", sa.String(length=16), nullable=False),
        sa.Column("inputs_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_run")),
    )
    op.create_index(op.f("ix_indicator_run_period_code"), "indicator_run", ["period_code"], unique=False)
    op.create_index(
        "uq_indicator_run_current",
        "indicator_run",
        ["definition_code", "period_code", "entity_level"],
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )
    op.create_table(
        "indicator_weight",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["indicator_run.id"], name=op.f("fk_indicator_weight_run_id_indicator_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_weight")),
    )
    op.create_index(op.f("ix_indicator_weight_run_id"), "indicator_weight", ["run_id"], unique=False)
    op.create_table(
        "indicator_score",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("entity_code", sa.String(length=32), nullable=False),
        sa.Column("node_id", sa.String(length=40), nullable=False),
        sa.Column("raw_value", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("missing_rule", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["indicator_run.id"], name=op.f("fk_indicator_score_run_id_indicator_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_score")),
    )
    op.create_index("ix_indicator_score_run_node", "indicator_score", ["run_id", "node_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_indicator_score_run_node", table_name="indicator_score")
    op.drop_table("indicator_score")
    op.drop_index(op.f("ix_indicator_weight_run_id"), table_name="indicator_weight")
    op.drop_table("indicator_weight")
    op.drop_index("uq_indicator_run_current", table_name="indicator_run")
    op.drop_index(op.f("ix_indicator_run_period_code"), table_name="indicator_run")
    op.drop_table("indicator_run")
    op.drop_table("industrial_park_member")
    op.drop_index(op.f("ix_industrial_park_region_code"), table_name="industrial_park")
    op.drop_table("industrial_park")
