"""efficiency rank on read: grade rows keep their county; ranks are no longer stored

The rating no longer ranks every firm by K within its benchmark industry and its county
(``rank_in_industry``, ``rank_in_region``, which nothing displayed and which cost half the
rating): ranks are computed when one group of a run is read. So that ranking within a county is
one indexed query, each grade row now stores ``county_code``, the county the firm was rated in,
and both groups get an index on (run, group code).

Existing rows are backfilled from their ``region_code``: the code itself when it is a county
(it does not end in ``00``), NULL otherwise. Unlike the rating, the backfill does not follow
retired region codes through the catalogue, so rows of older runs keep a retired county code
until the period is rated again.

Revision ID: 0011
Revises: 0002
Create Date: 2026-11-25 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite cannot drop a column in place: batch mode copies the table (with its indexes).
TABLE = "efficiency_grade"


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column("county_code", sa.String(length=6), nullable=True))
        batch_op.drop_column("rank_in_industry")
        batch_op.drop_column("rank_in_region")
    op.execute(f"UPDATE {TABLE} SET county_code = region_code WHERE region_code NOT LIKE '%00'")
    op.create_index(
        "ix_efficiency_grade_run_industry", TABLE, ["rating_run_id", "benchmark_industry_code"], unique=False
    )
    op.create_index("ix_efficiency_grade_run_county", TABLE, ["rating_run_id", "county_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_efficiency_grade_run_county", table_name=TABLE)
    op.drop_index("ix_efficiency_grade_run_industry", table_name=TABLE)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column("rank_in_industry", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rank_in_region", sa.Integer(), nullable=True))
        batch_op.drop_column("county_code")
