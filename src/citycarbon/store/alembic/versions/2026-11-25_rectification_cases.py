"""rectification cases: cases, transition log, evidence, satisfaction ratings, notification outbox

A branch of its own ("cases") off the platform service (0003), because cases name user
accounts and organisations. ``warning_id`` has no foreign key: the warnings table lives in the
monitoring branch, and the branches must not depend on each other's order.

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-25 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = ("cases",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

LOG = "supervision_case_transition"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {LOG}_no_update BEFORE UPDATE ON {LOG} "
    f"BEGIN SELECT RAISE(ABORT, '{LOG} is append-only'); END",
    f"CREATE TRIGGER {LOG}_no_delete BEFORE DELETE ON {LOG} "
    f"BEGIN SELECT RAISE(ABORT, '{LOG} is append-only'); END",
)
PG_TRIGGERS = (
    f"CREATE FUNCTION {LOG}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{LOG} is append-only'; END $$",
    f"CREATE TRIGGER {LOG}_append_only BEFORE UPDATE OR DELETE ON {LOG} "
    f"FOR EACH ROW EXECUTE FUNCTION {LOG}_append_only()",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def _case() -> None:
    op.create_table(
        "supervision_case",
        _id(),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("warning_id", ID, nullable=True),
        sa.Column("warning_evidence_json", sa.Text(), nullable=True),
        sa.Column("department", sa.String(120), nullable=True),
        sa.Column("assignee_user_id", ID, nullable=True),
        sa.Column("assignee_username", sa.String(64), nullable=True),
        sa.Column("inspection_mode", sa.String(16), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("deadline_at", TS, nullable=False),
        sa.Column("deadline_set", sa.String(64), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("escalated_at", TS, nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.CheckConstraint(
            "escalation_level >= 0", name=op.f("ck_supervision_case_escalation_level_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_supervision_case_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"],
            ["user_account.id"],
            name=op.f("fk_supervision_case_assignee_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_case")),
        sa.UniqueConstraint("warning_id", name=op.f("uq_supervision_case_warning_id")),
    )
    op.create_index(op.f("ix_supervision_case_organisation_id"), "supervision_case", ["organisation_id"])
    op.create_index(op.f("ix_supervision_case_department"), "supervision_case", ["department"])
    op.create_index(op.f("ix_supervision_case_opened_at"), "supervision_case", ["opened_at"])
    op.create_index("ix_supervision_case_state_deadline", "supervision_case", ["state", "deadline_at"])


def _children() -> None:
    op.create_table(
        LOG,
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor_user_id", ID, nullable=True),
        sa.Column("actor_username", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["supervision_case.id"], name=op.f(f"fk_{LOG}_case_id_supervision_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{LOG}")),
    )
    op.create_index(op.f(f"ix_{LOG}_case_id"), LOG, ["case_id"])
    op.create_table(
        "supervision_case_evidence",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("uploaded_by_user_id", ID, nullable=True),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_supervision_case_evidence_case_id_supervision_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_case_evidence")),
    )
    op.create_index(op.f("ix_supervision_case_evidence_case_id"), "supervision_case_evidence", ["case_id"])
    op.create_table(
        "supervision_case_rating",
        _id(),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("closure_number", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_by_user_id", ID, nullable=True),
        sa.Column("rated_by", sa.String(64), nullable=False),
        sa.Column("rated_at", TS, nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_supervision_case_rating_score_1_to_5")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["supervision_case.id"],
            name=op.f("fk_supervision_case_rating_case_id_supervision_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_case_rating")),
        sa.UniqueConstraint(
            "case_id", "closure_number", name=op.f("uq_supervision_case_rating_case_id_closure_number")
        ),
    )
    op.create_index(op.f("ix_supervision_case_rating_case_id"), "supervision_case_rating", ["case_id"])


def _notifications() -> None:
    op.create_table(
        "notification_subscription",
        _id(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("organisation_id", ID, nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_notification_subscription_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscription")),
    )
    op.create_index(
        op.f("ix_notification_subscription_organisation_id"), "notification_subscription", ["organisation_id"]
    )
    op.create_table(
        "notification_outbox",
        _id(),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("event_kind", sa.String(32), nullable=False),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("warning_id", ID, nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_notification_outbox_case_id"), "notification_outbox", ["case_id"])
    op.create_index("ix_notification_outbox_due", "notification_outbox", ["state", "next_attempt_at"])


def upgrade() -> None:
    _case()
    _children()
    _notifications()
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else PG_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {LOG}_append_only ON {LOG}")
        op.execute(f"DROP FUNCTION IF EXISTS {LOG}_append_only()")
    for table in (
        "notification_outbox",
        "notification_subscription",
        "supervision_case_rating",
        "supervision_case_evidence",
        LOG,
        "supervision_case",
    ):
        op.drop_table(table)
