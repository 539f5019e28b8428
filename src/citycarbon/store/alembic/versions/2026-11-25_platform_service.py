"""platform service: accounts, roles, credentials, consent, audit, pricing rules, import jobs

A branch of its own off the ledger (0001), so it does not depend on other contexts' branches;
the platform upgrades to ``heads``.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("platform",)
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)
PG_TRIGGERS = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def _accounts() -> None:
    op.create_table(
        "user_account",
        _id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("organisation_id", ID, nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_user_account_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_index(op.f("ix_user_account_organisation_id"), "user_account", ["organisation_id"])
    op.create_table(
        "role_assignment",
        _id(),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("organisation_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_role_assignment_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_role_assignment_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignment")),
    )
    op.create_index(op.f("ix_role_assignment_user_id"), "role_assignment", ["user_id"])


def _credentials() -> None:
    op.create_table(
        "api_token",
        _id(),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_token_token_sha256")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "web_session",
        _id(),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("session_sha256", sa.String(64), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_web_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("session_sha256", name=op.f("uq_web_session_session_sha256")),
    )
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"])


def _consent() -> None:
    op.create_table(
        "consent",
        _id(),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("bank_organisation_id", ID, nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("valid_until_date", sa.Date(), nullable=False),
        sa.Column("granted_by_user_id", ID, nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_by_user_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_consent_bank_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_consent_granted_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_consent_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_consent_revoked_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    op.create_index(op.f("ix_consent_organisation_id"), "consent", ["organisation_id"])
    op.create_index(op.f("ix_consent_bank_organisation_id"), "consent", ["bank_organisation_id"])


def _audit() -> None:
    op.create_table(
        "audit_event",
        _id(),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor_user_id", ID, nullable=True),
        sa.Column("actor_username", sa.String(64), nullable=False),
        sa.Column("actor_organisation_id", ID, nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("resource", sa.String(120), nullable=False),
        sa.Column("subject_organisation_id", ID, nullable=True),
        sa.Column("purpose", sa.String(500), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_occurred_at"), "audit_event", ["occurred_at"])
    op.create_index(
        op.f("ix_audit_event_subject_organisation_id"), "audit_event", ["subject_organisation_id"]
    )
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else PG_TRIGGERS:
        op.execute(statement)


def _pricing_and_jobs() -> None:
    op.create_table(
        "loan_pricing_rule",
        _id(),
        sa.Column("bank_organisation_id", ID, nullable=False),
        sa.Column("product_code", sa.String(48), nullable=False),
        sa.Column("grade", sa.String(8), nullable=False),
        sa.Column("adjustment_bp", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_loan_pricing_rule_bank_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_pricing_rule")),
        sa.UniqueConstraint(
            "bank_organisation_id",
            "product_code",
            "grade",
            name=op.f("uq_loan_pricing_rule_bank_organisation_id_product_code_grade"),
        ),
    )
    op.create_index(
        op.f("ix_loan_pricing_rule_bank_organisation_id"), "loan_pricing_rule", ["bank_organisation_id"]
    )
    op.create_table(
        "import_job",
        _id(),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_content", sa.LargeBinary(), nullable=False),
        sa.Column("is_replace", sa.Boolean(), nullable=False),
        sa.Column("submitted_by_user_id", ID, nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("rows_count", sa.Integer(), nullable=True),
        sa.Column("written_count", sa.Integer(), nullable=True),
        sa.Column("skipped_count", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", ID, nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("problems_json", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("heartbeat_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_import_job_submitted_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    op.create_index(op.f("ix_import_job_state"), "import_job", ["state"])
    op.create_index(op.f("ix_import_job_submitted_by_user_id"), "import_job", ["submitted_by_user_id"])


def upgrade() -> None:
    _accounts()
    _credentials()
    _consent()
    _audit()
    _pricing_and_jobs()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    for table in (
        "import_job",
        "loan_pricing_rule",
        "audit_event",
        "consent",
        "web_session",
        "api_token",
        "role_assignment",
        "user_account",
    ):
        op.drop_table(table)
