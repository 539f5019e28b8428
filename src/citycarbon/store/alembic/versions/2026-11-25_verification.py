"""verification: a verifier's sign-off of one period's emission result

On the platform-service branch (0003), because a sign-off names the verifier's user account.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "verification_sign_off",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("organisation_id", _ID, nullable=False),
        sa.Column("period_id", _ID, nullable=False),
        sa.Column("result_id", _ID, nullable=False),
        sa.Column("verifier_user_id", _ID, nullable=True),
        sa.Column("verifier_username", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_verification_sign_off_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_verification_sign_off_period_id_period")
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["emission_result.id"],
            name=op.f("fk_verification_sign_off_result_id_emission_result"),
        ),
        sa.ForeignKeyConstraint(
            ["verifier_user_id"],
            ["user_account.id"],
            name=op.f("fk_verification_sign_off_verifier_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_sign_off")),
        sa.UniqueConstraint("result_id", name=op.f("uq_verification_sign_off_result_id")),
    )
    op.create_index(
        op.f("ix_verification_sign_off_organisation_id"),
        "verification_sign_off",
        ["organisation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_verification_sign_off_organisation_id"), table_name="verification_sign_off")
    op.drop_table("verification_sign_off")
