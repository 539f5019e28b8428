"""sink registry: server-side transfer function on PostgreSQL (one round trip per transfer)

A transfer run statement by statement from Python costs about ten round trips and a few
milliseconds of client CPU; ``sink_transfer_units`` does the same steps inside the server in
the caller's transaction: look up both accounts, check the holder, lock the source blocks in
serial order (``FOR UPDATE``), split only the last one, move the whole ones in one ``UPDATE``, then
write the journal entry and its movement lines *after* the locks are held (so entry ids follow
the order of dependent operations, as the sealer of the hash chain requires). The Python
routine in ``services/registry_units.py`` stays the reference and the SQLite path.

Errors are raised with SQLSTATEs of class ``CR`` (not used by PostgreSQL), which the service
maps back to the registry's translated errors: ``CR001`` unknown account (message: code),
``CR002`` unknown project, ``CR003`` account of another organisation, ``CR004`` not enough
units (detail: units held).

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-25 15:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSFER_FUNCTION = r"""
CREATE OR REPLACE FUNCTION sink_transfer_units(
    p_from_code text,
    p_to_code text,
    p_quantity bigint,
    p_project_code text,
    p_vintage_year integer,
    p_actor text,
    p_occurred_at timestamptz,
    p_check_holder boolean,
    p_organisation_id bigint
) RETURNS TABLE (
    entry_id bigint, project_code text, vintage_year integer, serial_start bigint, serial_end bigint
)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_from_id bigint;
    v_from_org bigint;
    v_to_id bigint;
    v_project_id bigint;
    v_remaining bigint := p_quantity;
    v_take bigint;
    v_entry bigint;
    b record;
    v_codes text[] := '{}';
    v_vintages integer[] := '{}';
    v_starts bigint[] := '{}';
    v_ends bigint[] := '{}';
    v_whole bigint[] := '{}';
BEGIN
    SELECT a.id, a.organisation_id INTO v_from_id, v_from_org
      FROM sink_account a WHERE a.account_code = p_from_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CR001', MESSAGE = p_from_code;
    END IF;
    SELECT a.id INTO v_to_id FROM sink_account a WHERE a.account_code = p_to_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'CR001', MESSAGE = p_to_code;
    END IF;
    IF p_check_holder AND v_from_org IS DISTINCT FROM p_organisation_id THEN
        RAISE EXCEPTION USING ERRCODE = 'CR003', MESSAGE = p_from_code;
    END IF;
    IF p_project_code IS NOT NULL THEN
        SELECT p.id INTO v_project_id FROM sink_project p WHERE p.project_code = p_project_code;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CR002', MESSAGE = p_project_code;
        END IF;
    END IF;
    FOR b IN
        SELECT u.id, u.project_id, u.vintage_year, u.serial_start, u.serial_end, p.project_code
          FROM sink_unit_block u JOIN sink_project p ON p.id = u.project_id
         WHERE u.account_id = v_from_id AND u.state = 'active'
           AND (v_project_id IS NULL OR u.project_id = v_project_id)
           AND (p_vintage_year IS NULL OR u.vintage_year = p_vintage_year)
         ORDER BY u.project_id, u.vintage_year, u.serial_start
           FOR UPDATE OF u
    LOOP
        v_take := least(v_remaining, b.serial_end - b.serial_start + 1);
        IF v_take = b.serial_end - b.serial_start + 1 THEN
            v_whole := v_whole || b.id;  -- moved in place, all in one UPDATE below
        ELSE
            UPDATE sink_unit_block SET serial_start = b.serial_start + v_take WHERE id = b.id;
            INSERT INTO sink_unit_block
                   (project_id, vintage_year, serial_start, serial_end, account_id, state)
            VALUES (b.project_id, b.vintage_year, b.serial_start, b.serial_start + v_take - 1,
                    v_to_id, 'active');
        END IF;
        v_codes := v_codes || b.project_code::text;
        v_vintages := v_vintages || b.vintage_year;
        v_starts := v_starts || b.serial_start;
        v_ends := v_ends || (b.serial_start + v_take - 1);
        v_remaining := v_remaining - v_take;
        EXIT WHEN v_remaining = 0;
    END LOOP;
    IF v_remaining > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'CR004', MESSAGE = p_from_code,
                              DETAIL = (p_quantity - v_remaining)::text;
    END IF;
    IF cardinality(v_whole) > 0 THEN
        UPDATE sink_unit_block SET account_id = v_to_id, auction_id = NULL, retirement_id = NULL
         WHERE id = ANY (v_whole);
    END IF;
    INSERT INTO sink_journal_entry (event_type, occurred_at, actor, reference, note)
    VALUES ('transfer', p_occurred_at, p_actor, p_from_code || '>' || p_to_code, '')
    RETURNING id INTO v_entry;
    INSERT INTO sink_journal_movement (
        entry_id, line_no, project_code, vintage_year, serial_start, serial_end,
        from_account_code, from_state, to_account_code, to_state
    )
    SELECT v_entry, m.n, m.code, m.vintage, m.s_first, m.s_last, p_from_code, 'active', p_to_code, 'active'
      FROM unnest(v_codes, v_vintages, v_starts, v_ends) WITH ORDINALITY
           AS m(code, vintage, s_first, s_last, n);
    RETURN QUERY
    SELECT v_entry, m.code, m.vintage, m.s_first, m.s_last
      FROM unnest(v_codes, v_vintages, v_starts, v_ends) AS m(code, vintage, s_first, s_last);
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TRANSFER_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        arguments = "text, text, bigint, text, integer, text, timestamptz, boolean, bigint"
        op.execute(f"DROP FUNCTION IF EXISTS sink_transfer_units({arguments})")
