"""What every case use case shares: who may act on a case, its lock, its log, its warnings.

Kept apart from :mod:`citycarbon.services.cases` (the use cases) so that the queries, which
check access the same way, need not import the use cases.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.identifiers.region import RegionCatalogue
from citycarbon.domain.supervision.cases import MAX_NOTE_CHARS, ActorRole, CaseState
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.caller import Caller
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.scope import organisation
from citycarbon.store.case_tables import (
    SupervisionCase,
    SupervisionCaseEvidence,
    SupervisionCaseTransition,
    SupervisionCaseWarning,
)
from citycarbon.store.tables import Organisation

MSG_CASE_NOT_FOUND = "Case {case_id} does not exist"
MSG_NO_CASE_ACCESS = "Your account may not see or act on case {case_id}"


def case_roles(principal: Principal, org: Organisation) -> frozenset[ActorRole]:
    """The roles in which ``principal`` may act on a case of ``org`` (empty: no access at all).

    Administrators act on any case, analysts on cases inside their region subtrees, and an
    enterprise account on its own organisation's cases.
    """
    roles: set[ActorRole] = set()
    if principal.holds(Role.ADMIN):
        roles.add(ActorRole.ADMIN)
    if principal.holds(Role.ANALYST):
        catalogue = load_region_catalogue()
        if any(_within(catalogue, org.region_code, area) for area in principal.region_codes):
            roles.add(ActorRole.ANALYST)
    if principal.holds(Role.ENTERPRISE) and principal.organisation_id == org.id:
        roles.add(ActorRole.ENTERPRISE)
    return frozenset(roles)


def _within(catalogue: RegionCatalogue, code: str, area: str) -> bool:
    try:
        return catalogue.is_within(code, area)
    except CityCarbonError:  # an unknown code is simply not inside the area
        return False


def lock_case(session: Session, case_id: int) -> tuple[SupervisionCase, Organisation]:
    """Take the case's row lock (PostgreSQL) or the write lock (SQLite) before reading it."""
    locked = session.execute(
        update(SupervisionCase)
        .where(SupervisionCase.id == case_id)
        .values(version=SupervisionCase.version + 1)
        .execution_options(synchronize_session=False)
    )
    if not locked.rowcount:  # type: ignore[attr-defined]
        raise NotFound(MSG_CASE_NOT_FOUND, case_id=case_id)
    case = session.get(SupervisionCase, case_id, populate_existing=True)
    assert case is not None
    return case, organisation(session, case.organisation_id)


def lock_case_for(
    session: Session, caller: Caller, case_id: int
) -> tuple[SupervisionCase, Organisation, frozenset[ActorRole]]:
    """Lock the case and return the roles ``caller`` acts in on it; refuse a caller with none."""
    case, org = lock_case(session, case_id)
    roles = case_roles(caller.principal, org)
    if not roles:
        raise Forbidden(MSG_NO_CASE_ACCESS, case_id=case_id)
    return case, org, roles


def log_transition(
    session: Session,
    case_id: int,
    action: str,
    from_state: CaseState | None,
    to_state: CaseState,
    user_id: int | None,
    username: str,
    role: ActorRole,
    at: dt.datetime,
    note: str,
) -> int:
    """Append one row to the case's transition log (append-only in the database too)."""
    row = SupervisionCaseTransition(
        case_id=case_id,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value,
        actor_user_id=user_id,
        actor_username=username[:64],
        actor_role=role.value,
        occurred_at=at,
        note=note.strip()[:MAX_NOTE_CHARS],
    )
    session.add(row)
    session.flush()
    return row.id


def evidence_count(session: Session, case_id: int) -> int:
    """How many evidence files a case has (submitting needs at least one)."""
    return len(
        session.scalars(
            select(SupervisionCaseEvidence.id).where(SupervisionCaseEvidence.case_id == case_id)
        ).all()
    )


def link_warning_to_case(
    session: Session, *, case_id: int, warning_id: int, now: dt.datetime | None = None
) -> bool:
    """Record that ``case_id`` handles ``warning_id`` (caller's transaction); False if it already did.

    A warning belongs to at most one case (unique ``warning_id``); linking it again, from a
    re-run or a concurrent run, writes nothing.
    """
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    linked = session.scalar(
        insert_(SupervisionCaseWarning)
        .values(case_id=case_id, warning_id=warning_id, linked_at=now or dt.datetime.now(dt.UTC))
        .on_conflict_do_nothing(index_elements=["warning_id"])
        .returning(SupervisionCaseWarning.id)
    )
    return linked is not None


def case_warning_ids(session: Session, case_id: int) -> list[int]:
    """Ids of the warnings a case handles, oldest link first."""
    query = (
        select(SupervisionCaseWarning.warning_id)
        .where(SupervisionCaseWarning.case_id == case_id)
        .order_by(SupervisionCaseWarning.id)
    )
    return list(session.scalars(query))
