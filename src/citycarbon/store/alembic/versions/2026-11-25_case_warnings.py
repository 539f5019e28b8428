"""case warnings: every warning a case handles, not only the one that opened it

Serious warnings of a finding (organisation, rule kind, pollutant) whose case is still open are
linked to that case instead of opening another; the opening warning is linked too, so a case's
warnings are one query. Existing cases get their opening warning linked here.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-25 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "supervision_case_warning",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("warning_id", ID, nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_case_warning")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_supervision_case_warning_case_id_supervision_case"),
        ),
        sa.UniqueConstraint("warning_id", name=op.f("uq_supervision_case_warning_warning_id")),
    )
    op.create_index(op.f("ix_supervision_case_warning_case_id"), "supervision_case_warning", ["case_id"])
    op.execute(
        "INSERT INTO supervision_case_warning (case_id, warning_id, linked_at) "
        "SELECT id, warning_id, opened_at FROM supervision_case WHERE warning_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_supervision_case_warning_case_id"), table_name="supervision_case_warning")
    op.drop_table("supervision_case_warning")
