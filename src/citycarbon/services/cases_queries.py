"""Read rectification cases: the list a caller may see, one case's timeline, an evidence file.

Visibility follows the organisation scope: administrators see every case, analysts the cases of
organisations in their region subtrees, an enterprise its own. A staff member's read of a case
is an outside read of the enterprise's data and is audited like any other.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.clock import as_utc
from citycarbon.domain.supervision.cases import (
    ESCALATION_LEVELS,
    ActorRole,
    CaseAction,
    CaseState,
    allowed_actions,
    is_overdue,
    may_attach_evidence,
)
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.case_records import (
    MSG_CASE_NOT_FOUND,
    MSG_NO_CASE_ACCESS,
    case_roles,
    case_warning_ids,
)
from citycarbon.services.cases import RESOURCE
from citycarbon.services.platform_errors import NotFound
from citycarbon.store.case_tables import (
    SupervisionCase,
    SupervisionCaseEvidence,
    SupervisionCaseRating,
    SupervisionCaseTransition,
)
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

MSG_EVIDENCE_NOT_FOUND = "Case {case_id} has no evidence {evidence_id}"


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One case as listed."""

    case_id: int
    organisation_id: int
    organisation_name: str
    region_code: str
    severity: str
    title: str
    state: str
    department: str | None
    assignee_username: str | None
    warning_id: int | None
    deadline_at: dt.datetime
    is_overdue: bool
    escalation_level: int
    escalated_to: str | None
    reopen_count: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TransitionEntry:
    """One line of a case's timeline."""

    transition_id: int
    action: str
    from_state: str | None
    to_state: str
    actor_username: str
    actor_role: str
    occurred_at: dt.datetime
    note: str


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """An evidence file's metadata (the bytes are fetched separately)."""

    evidence_id: int
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime
    note: str


@dataclass(frozen=True, slots=True)
class RatingEntry:
    """The enterprise's rating of one closure."""

    closure_number: int
    score: int
    comment: str
    rated_by: str
    rated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """A case with everything its page shows, and what the caller may do next."""

    case: CaseSummary
    inspection_mode: str | None
    deadline_set: str
    opened_by: str
    warning_evidence: dict[str, Any] | None
    warning_ids: tuple[int, ...]
    transitions: tuple[TransitionEntry, ...]
    evidence: tuple[EvidenceEntry, ...]
    ratings: tuple[RatingEntry, ...]
    allowed_actions: tuple[str, ...]
    may_attach_evidence: bool
    may_rate: bool


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An evidence file's bytes, for download."""

    file_name: str
    content_type: str
    sha256: str
    content: bytes


def list_cases(
    url: str,
    caller: Caller,
    *,
    state: str | None = None,
    severity: str | None = None,
    department: str | None = None,
    organisation_id: int | None = None,
    overdue_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> Page[CaseSummary]:
    """Cases the caller may see, newest first, filtered; overdue is judged at ``now``."""
    at = now or dt.datetime.now(dt.UTC)
    size = page_limit(limit)
    query = (
        select(SupervisionCase, Organisation)
        .join(Organisation, Organisation.id == SupervisionCase.organisation_id)
        .where(_visible(caller))
    )
    if state:
        query = query.where(SupervisionCase.state == state)
    if severity:
        query = query.where(SupervisionCase.severity == severity)
    if department:
        query = query.where(SupervisionCase.department == department)
    if organisation_id is not None:
        query = query.where(SupervisionCase.organisation_id == organisation_id)
    if overdue_only:
        query = query.where(SupervisionCase.state != CaseState.CLOSED.value, SupervisionCase.deadline_at < at)
    query = query.order_by(SupervisionCase.opened_at.desc(), SupervisionCase.id.desc())
    with unit_of_work(url) as session:
        rows = session.execute(query.limit(size + 1).offset(offset)).all()
        return paginate([_summary(case, org, at) for case, org in rows], size, offset)


def case_detail(url: str, caller: Caller, case_id: int, *, now: dt.datetime | None = None) -> CaseDetail:
    """One case with its timeline, evidence and ratings (audited when read from outside).

    Raises
    ------
    NotFound
        When the case does not exist.
    Forbidden
        When the caller may not see it.

    """
    at = now or dt.datetime.now(dt.UTC)
    with unit_of_work(url) as session:
        case, org, roles = _readable_case(session, caller, case_id)
        transitions = session.scalars(
            select(SupervisionCaseTransition)
            .where(SupervisionCaseTransition.case_id == case_id)
            .order_by(SupervisionCaseTransition.occurred_at, SupervisionCaseTransition.id)
        ).all()
        evidence = session.execute(
            select(
                SupervisionCaseEvidence.id,
                SupervisionCaseEvidence.file_name,
                SupervisionCaseEvidence.content_type,
                SupervisionCaseEvidence.size_bytes,
                SupervisionCaseEvidence.sha256,
                SupervisionCaseEvidence.uploaded_by,
                SupervisionCaseEvidence.uploaded_at,
                SupervisionCaseEvidence.note,
            )
            .where(SupervisionCaseEvidence.case_id == case_id)
            .order_by(SupervisionCaseEvidence.id)
        ).all()
        ratings = session.scalars(
            select(SupervisionCaseRating)
            .where(SupervisionCaseRating.case_id == case_id)
            .order_by(SupervisionCaseRating.closure_number)
        ).all()
        state = CaseState(case.state)
        rated_now = any(r.closure_number == case.reopen_count for r in ratings)
        return CaseDetail(
            case=_summary(case, org, at),
            inspection_mode=case.inspection_mode,
            deadline_set=case.deadline_set,
            opened_by=case.opened_by,
            warning_evidence=json.loads(case.warning_evidence_json) if case.warning_evidence_json else None,
            warning_ids=tuple(case_warning_ids(session, case_id)),
            transitions=tuple(
                TransitionEntry(
                    t.id,
                    t.action,
                    t.from_state,
                    t.to_state,
                    t.actor_username,
                    t.actor_role,
                    as_utc(t.occurred_at),
                    t.note,
                )
                for t in transitions
            ),
            evidence=tuple(
                EvidenceEntry(
                    e.id,
                    e.file_name,
                    e.content_type,
                    e.size_bytes,
                    e.sha256,
                    e.uploaded_by,
                    as_utc(e.uploaded_at),
                    e.note,
                )
                for e in evidence
            ),
            ratings=tuple(
                RatingEntry(r.closure_number, r.score, r.comment, r.rated_by, as_utc(r.rated_at))
                for r in ratings
            ),
            allowed_actions=tuple(a.value for a in allowed_actions(state, roles)),
            may_attach_evidence=may_attach_evidence(state, roles),
            may_rate=state is CaseState.CLOSED and ActorRole.ENTERPRISE in roles and not rated_now,
        )


def evidence_file(url: str, caller: Caller, case_id: int, evidence_id: int) -> EvidenceFile:
    """The bytes of one evidence file of a case the caller may see."""
    with unit_of_work(url) as session:
        _readable_case(session, caller, case_id)
        row = session.get(SupervisionCaseEvidence, evidence_id)
        if row is None or row.case_id != case_id:
            raise NotFound(MSG_EVIDENCE_NOT_FOUND, case_id=case_id, evidence_id=evidence_id)
        return EvidenceFile(row.file_name, row.content_type, row.sha256, row.content)


def _visible(caller: Caller) -> ColumnElement[bool]:
    """SQL condition on ``Organisation`` matching :func:`citycarbon.services.cases.case_roles`."""
    principal = caller.principal
    if principal.holds(Role.ADMIN):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if principal.holds(Role.ENTERPRISE) and principal.organisation_id is not None:
        conditions.append(Organisation.id == principal.organisation_id)
    if principal.holds(Role.ANALYST):
        catalogue = load_region_catalogue()
        codes = {
            code
            for area in principal.region_codes
            if area in catalogue
            for code in (area, *(r.code for r in catalogue.descendants(area)))
        }
        if codes:
            conditions.append(Organisation.region_code.in_(codes))
    return or_(*conditions) if conditions else false()


def _readable_case(
    session: Session, caller: Caller, case_id: int
) -> tuple[SupervisionCase, Organisation, frozenset[ActorRole]]:
    case = session.get(SupervisionCase, case_id)
    if case is None:
        raise NotFound(MSG_CASE_NOT_FOUND, case_id=case_id)
    org = session.get(Organisation, case.organisation_id)
    assert org is not None
    roles = case_roles(caller.principal, org)
    if not roles:
        raise Forbidden(MSG_NO_CASE_ACCESS, case_id=case_id)
    if ActorRole.ENTERPRISE not in roles:
        record_event(
            session,
            caller,
            action="read",
            resource=RESOURCE,
            subject_organisation_id=org.id,
            detail=f"case {case_id}",
        )
    return case, org, roles


def _summary(case: SupervisionCase, org: Organisation, at: dt.datetime) -> CaseSummary:
    deadline = as_utc(case.deadline_at)
    return CaseSummary(
        case_id=case.id,
        organisation_id=org.id,
        organisation_name=org.name,
        region_code=org.region_code,
        severity=case.severity,
        title=case.title,
        state=case.state,
        department=case.department,
        assignee_username=case.assignee_username,
        warning_id=case.warning_id,
        deadline_at=deadline,
        is_overdue=is_overdue(CaseState(case.state), deadline, at),
        escalation_level=case.escalation_level,
        escalated_to=ESCALATION_LEVELS[case.escalation_level].value if case.escalation_level else None,
        reopen_count=case.reopen_count,
        opened_at=as_utc(case.opened_at),
        closed_at=as_utc(case.closed_at) if case.closed_at else None,
    )


#: Every action name, for adapters that render one button per allowed action.
ACTIONS: tuple[str, ...] = tuple(a.value for a in CaseAction)
