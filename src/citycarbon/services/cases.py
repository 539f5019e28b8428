"""Rectification-case use cases: open (from a warning or by hand), move through the loop, rate.

Each public function is one use case in one transaction. State changes go through
:func:`citycarbon.domain.supervision.cases.decide` only, and each writes its transition-log row,
its audit event and its notifications (outbox) in the same transaction as the new state.

Concurrency: every change first *locks the case row* with an ``UPDATE … SET version =
version + 1`` before reading it. On PostgreSQL that takes the row lock, so a second concurrent
transition waits, then reads the committed new state and is refused by the state machine; on
SQLite the first write takes the database write lock, with the same effect. Exactly one of two
simultaneous transitions of one case wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.supervision.cases import (
    MAX_NOTE_CHARS,
    TRANSITIONS,
    ActorRole,
    CaseAction,
    CaseState,
    IllegalTransition,
    InspectionMode,
    RoleNotAllowed,
    check_open,
    deadline_for,
    decide,
    may_attach_evidence,
    parse_action,
    parse_severity,
)
from citycarbon.domain.supervision.notifications import EventKind
from citycarbon.refdata.cases import load_deadline_book
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.services.case_records import (
    MSG_NO_CASE_ACCESS,
    case_roles,
    evidence_count,
    link_warning_to_case,
    lock_case_for,
    log_transition,
)
from citycarbon.services.notifications import Event, queue_event
from citycarbon.services.platform_errors import Conflict, NotFound
from citycarbon.services.scope import organisation
from citycarbon.settings import get_settings
from citycarbon.store.case_tables import (
    SupervisionCase,
    SupervisionCaseEvidence,
    SupervisionCaseRating,
)
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import UserAccount

MSG_STALE_STATE = "Case {case_id} is now in state {state}, not {expected}; reload it and try again"
MSG_ASSIGNEE_NOT_FOUND = "No user account is named {username}"
MSG_INSPECTION_MODE = "Starting an inspection needs a mode: online or on_site"
MSG_EVIDENCE_STATE = "Evidence cannot be attached by your role to a case in state {state}"
MSG_EVIDENCE_EMPTY = "The evidence file {file_name} is empty"
MSG_EVIDENCE_TOO_LARGE = "The evidence file {file_name} has {size_bytes} bytes; the limit is {limit_bytes}"
MSG_RATE_NOT_CLOSED = "Only a closed case can be rated; case {case_id} is {state}"
MSG_RATE_ONLY_ENTERPRISE = "Only the enterprise concerned may rate case {case_id}"
MSG_ALREADY_RATED = "Case {case_id} was already rated for this closure"
MSG_BAD_SCORE = "A satisfaction score is a whole number from 1 to 5, not {score}"
MSG_TITLE_REQUIRED = "A case needs a title"

RESOURCE = "case"
#: Order in which a caller's case roles are tried for an action: the most capable first.
_ROLE_ORDER = (ActorRole.ADMIN, ActorRole.ANALYST, ActorRole.ENTERPRISE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- Opening ------------------------------------------------------------------------------


def open_case_for_warning(
    session: Session,
    *,
    warning_id: int,
    organisation_id: int,
    severity: str,
    title: str,
    evidence: Mapping[str, object],
    opened_by: str,
    now: dt.datetime | None = None,
) -> int:
    """Open the case of a warning inside the caller's transaction, once per warning; return its id.

    Idempotent per ``warning_id``: a second call (a re-run of the warning rules, or two workers at
    once) returns the existing case's id and writes nothing. The insert uses ``ON CONFLICT DO
    NOTHING`` on the unique ``warning_id``, so a concurrent opener never fails the caller's
    transaction.

    Parameters
    ----------
    session
        The caller's session; nothing is committed here.
    warning_id
        Id of the warning (monitoring branch); unique per case.
    organisation_id
        Organisation the warning concerns.
    severity
        ``low``, ``medium``, ``high`` or ``critical``; sets the deadline.
    title
        Short description shown in lists and notifications.
    evidence
        The warning's evidence, kept with the case as JSON.
    opened_by
        Name recorded as the opener (e.g. the rule-run's name).
    now
        Opening time (tz-aware UTC); the current time when not given.

    """
    existing = session.scalar(select(SupervisionCase.id).where(SupervisionCase.warning_id == warning_id))
    if existing is not None:
        return existing
    level = parse_severity(severity)
    state = check_open(ActorRole.SYSTEM)
    opened_at = now or _now()
    book = load_deadline_book()
    values = {
        "organisation_id": organisation_id,
        "severity": level.value,
        "title": _title(title),
        "warning_id": warning_id,
        "warning_evidence_json": json.dumps(dict(evidence), ensure_ascii=False, sort_keys=True, default=str),
        "state": state.value,
        "deadline_at": deadline_for(opened_at, level, book),
        "deadline_set": book.factor_set,
        "escalation_level": 0,
        "reopen_count": 0,
        "version": 1,
        "opened_by": opened_by[:64],
        "opened_at": opened_at,
    }
    dialect = session.get_bind().dialect.name
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    case_id: int | None = session.scalar(
        insert_(SupervisionCase)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["warning_id"])
        .returning(SupervisionCase.id)
    )
    if case_id is None:  # another transaction opened it first
        found = session.scalar(select(SupervisionCase.id).where(SupervisionCase.warning_id == warning_id))
        assert found is not None
        return found
    link_warning_to_case(session, case_id=case_id, warning_id=warning_id, now=opened_at)
    log_transition(session, case_id, "open", None, state, None, opened_by, ActorRole.SYSTEM, opened_at, "")
    _announce_opened(
        session, case_id, organisation_id, level.value, _title(title), values, warning_id, opened_at
    )
    return case_id


def open_manual_case(
    url: str,
    caller: Caller,
    *,
    organisation_id: int,
    severity: str,
    title: str,
    department: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Open a case by hand (an analyst's finding without a warning); return its id."""
    level = parse_severity(severity)
    with unit_of_work(url) as session:
        org = organisation(session, organisation_id)
        role = _pick_role(case_roles(caller.principal, org), (ActorRole.ADMIN, ActorRole.ANALYST))
        if role is None:
            raise Forbidden(MSG_NO_CASE_ACCESS, case_id="new")
        state = _as_forbidden(lambda: check_open(role))
        opened_at = now or _now()
        book = load_deadline_book()
        row = SupervisionCase(
            organisation_id=org.id,
            severity=level.value,
            title=_title(title),
            department=(department or "").strip()[:120] or None,
            state=state.value,
            deadline_at=deadline_for(opened_at, level, book),
            deadline_set=book.factor_set,
            escalation_level=0,
            reopen_count=0,
            version=1,
            opened_by=caller.principal.username,
            opened_at=opened_at,
        )
        session.add(row)
        session.flush()
        log_transition(
            session,
            row.id,
            "open",
            None,
            state,
            caller.principal.user_id,
            caller.principal.username,
            role,
            opened_at,
            note,
        )
        record_event(
            session,
            caller,
            action="write",
            resource=RESOURCE,
            subject_organisation_id=org.id,
            detail=f"open case {row.id}",
        )
        _announce_opened(
            session, row.id, org.id, level.value, row.title, {"deadline_at": row.deadline_at}, None, opened_at
        )
        return row.id


def _title(title: str) -> str:
    cleaned = " ".join(title.split())[:300]
    if not cleaned:
        raise CityCarbonError(MSG_TITLE_REQUIRED)
    return cleaned


def _announce_opened(
    session: Session,
    case_id: int,
    organisation_id: int,
    severity: str,
    title: str,
    values: Mapping[str, object],
    warning_id: int | None,
    at: dt.datetime,
) -> None:
    queue_event(
        session,
        Event(
            EventKind.CASE_OPENED,
            f"case:{case_id}:opened",
            organisation_id,
            {"case_id": case_id, "title": title},
            {
                "case_id": case_id,
                "organisation_id": organisation_id,
                "severity": severity,
                "title": title,
                "warning_id": warning_id,
                "deadline_at": values.get("deadline_at"),
            },
            case_id=case_id,
            warning_id=warning_id,
        ),
        now=at,
    )


# --- Transitions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransitionResult:
    """What a transition did: the case, the states before and after, and the role acted in."""

    case_id: int
    action: str
    from_state: str
    to_state: str
    actor_role: str
    version: int


def transition_case(
    url: str,
    caller: Caller,
    case_id: int,
    action: str,
    *,
    note: str = "",
    department: str | None = None,
    assignee_username: str | None = None,
    inspection_mode: str | None = None,
    expected_state: str | None = None,
    now: dt.datetime | None = None,
) -> TransitionResult:
    """Take ``action`` on a case in one transaction (the single entry point of every state change).

    Raises
    ------
    NotFound
        When the case (or the named assignee) does not exist.
    Forbidden
        When the caller may not act on the case, or no role of theirs may take the action.
    Conflict
        When the case's state does not allow the action (including when another user moved it
        first, or it is no longer in ``expected_state``).

    """
    chosen = parse_action(action)
    at = now or _now()
    with unit_of_work(url) as session:
        case, org, roles = lock_case_for(session, caller, case_id)
        state = CaseState(case.state)
        if expected_state is not None and expected_state != state.value:
            raise Conflict(MSG_STALE_STATE, case_id=case_id, state=state.value, expected=expected_state)
        role = _pick_role(roles, tuple(TRANSITIONS[chosen].roles)) or _pick_role(roles, _ROLE_ORDER)
        assert role is not None
        evidence_files = evidence_count(session, case_id) if chosen is CaseAction.SUBMIT else 0
        target = _decided(state, chosen, role, note, evidence_files)
        _apply(session, case, chosen, target, at, department, assignee_username, inspection_mode)
        transition_id = log_transition(
            session,
            case.id,
            chosen.value,
            state,
            target,
            caller.principal.user_id,
            caller.principal.username,
            role,
            at,
            note,
        )
        record_event(
            session,
            caller,
            action="write",
            resource=RESOURCE,
            subject_organisation_id=org.id,
            detail=f"case {case.id} {chosen.value}",
        )
        queue_event(
            session,
            Event(
                EventKind.CASE_TRANSITION,
                f"case:{case.id}:transition:{transition_id}",
                org.id,
                {"case_id": case.id, "to_state": target.value},
                {
                    "case_id": case.id,
                    "organisation_id": org.id,
                    "action": chosen.value,
                    "from_state": state.value,
                    "to_state": target.value,
                    "actor": caller.principal.username,
                    "occurred_at": at,
                    "deadline_at": case.deadline_at,
                    "note": note.strip()[:MAX_NOTE_CHARS],
                },
                case_id=case.id,
            ),
            now=at,
        )
        return TransitionResult(case.id, chosen.value, state.value, target.value, role.value, case.version)


def _decided(state: CaseState, action: CaseAction, role: ActorRole, note: str, evidence: int) -> CaseState:
    """Ask the state machine, turning its refusals into the platform's HTTP-mapped errors."""
    try:
        return decide(state, action, role, note=note, evidence_count=evidence)
    except RoleNotAllowed as error:
        raise Forbidden(error.message, **error.params) from None
    except IllegalTransition as error:
        raise Conflict(error.message, **error.params) from None


def _as_forbidden(check: object) -> CaseState:
    try:
        result = check()  # type: ignore[operator]
    except RoleNotAllowed as error:
        raise Forbidden(error.message, **error.params) from None
    assert isinstance(result, CaseState)
    return result


def _apply(
    session: Session,
    case: SupervisionCase,
    action: CaseAction,
    target: CaseState,
    at: dt.datetime,
    department: str | None,
    assignee_username: str | None,
    inspection_mode: str | None,
) -> None:
    if action is CaseAction.ASSIGN:
        if department is not None and department.strip():
            case.department = department.strip()[:120]
        if assignee_username:
            user = session.scalar(select(UserAccount).where(UserAccount.username == assignee_username))
            if user is None:
                raise NotFound(MSG_ASSIGNEE_NOT_FOUND, username=assignee_username)
            case.assignee_user_id, case.assignee_username = user.id, user.username
    elif action is CaseAction.START_INSPECTION:
        try:
            case.inspection_mode = InspectionMode(inspection_mode or "").value
        except ValueError:
            raise CityCarbonError(MSG_INSPECTION_MODE) from None
    elif action is CaseAction.REOPEN:
        case.reopen_count += 1
        case.closed_at = None
        case.escalation_level = 0
        case.escalated_at = None
        book = load_deadline_book()
        case.deadline_at = deadline_for(at, parse_severity(case.severity), book)
        case.deadline_set = book.factor_set
    if target is CaseState.CLOSED:
        case.closed_at = at
    case.state = target.value


def _pick_role(roles: frozenset[ActorRole], preferred: tuple[ActorRole, ...]) -> ActorRole | None:
    return next((r for r in _ROLE_ORDER if r in roles and r in preferred), None)


# --- Evidence and satisfaction ------------------------------------------------------------


def attach_evidence(
    url: str,
    caller: Caller,
    case_id: int,
    *,
    file_name: str,
    content_type: str,
    content: bytes,
    note: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Attach one evidence file to a case; return the evidence id.

    The enterprise attaches while rectifying, staff while inspecting or verifying. The file is
    kept with its SHA-256 digest, so what was shown at verification can be proven later.
    """
    limit = get_settings().max_upload_bytes
    name = (file_name or "evidence").replace("\\", "/").rsplit("/", 1)[-1][:255] or "evidence"
    if not content:
        raise CityCarbonError(MSG_EVIDENCE_EMPTY, file_name=name)
    if len(content) > limit:
        raise CityCarbonError(
            MSG_EVIDENCE_TOO_LARGE, file_name=name, size_bytes=len(content), limit_bytes=limit
        )
    with unit_of_work(url) as session:
        case, org, roles = lock_case_for(session, caller, case_id)
        if not may_attach_evidence(CaseState(case.state), roles):
            raise Conflict(MSG_EVIDENCE_STATE, state=case.state)
        row = SupervisionCaseEvidence(
            case_id=case.id,
            file_name=name,
            content_type=(content_type or "application/octet-stream")[:120],
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            note=note.strip()[:MAX_NOTE_CHARS],
            uploaded_by_user_id=caller.principal.user_id,
            uploaded_by=caller.principal.username,
            uploaded_at=now or _now(),
        )
        return _add_audited(session, caller, row, org.id, f"case {case.id} evidence {name}")


def rate_case(
    url: str, caller: Caller, case_id: int, *, score: int, comment: str = "", now: dt.datetime | None = None
) -> int:
    """Record the enterprise's satisfaction (1–5) with the latest closure of its case; return the id."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise CityCarbonError(MSG_BAD_SCORE, score=score)
    with unit_of_work(url) as session:
        case, org, roles = lock_case_for(session, caller, case_id)
        if ActorRole.ENTERPRISE not in roles:
            raise Forbidden(MSG_RATE_ONLY_ENTERPRISE, case_id=case_id)
        if case.state != CaseState.CLOSED.value:
            raise Conflict(MSG_RATE_NOT_CLOSED, case_id=case_id, state=case.state)
        earlier = session.scalar(
            select(SupervisionCaseRating.id).where(
                SupervisionCaseRating.case_id == case.id,
                SupervisionCaseRating.closure_number == case.reopen_count,
            )
        )
        if earlier is not None:
            raise Conflict(MSG_ALREADY_RATED, case_id=case_id)
        row = SupervisionCaseRating(
            case_id=case.id,
            closure_number=case.reopen_count,
            score=score,
            comment=comment.strip()[:MAX_NOTE_CHARS],
            rated_by_user_id=caller.principal.user_id,
            rated_by=caller.principal.username,
            rated_at=now or _now(),
        )
        return _add_audited(session, caller, row, org.id, f"case {case.id} rated {score}")


def _add_audited(
    session: Session,
    caller: Caller,
    row: SupervisionCaseEvidence | SupervisionCaseRating,
    organisation_id: int,
    detail: str,
) -> int:
    """Add a record an enterprise or officer made on a case, audited as a write; return its id."""
    session.add(row)
    record_event(
        session,
        caller,
        action="write",
        resource=RESOURCE,
        subject_organisation_id=organisation_id,
        detail=detail,
    )
    session.flush()
    return row.id


# --- Thin named use cases (what the adapters call) ----------------------------------------


def assign_case(
    url: str,
    caller: Caller,
    case_id: int,
    *,
    department: str | None = None,
    assignee_username: str | None = None,
    note: str = "",
) -> TransitionResult:
    """Assign (or reassign) a case to a department and optionally a named officer."""
    return transition_case(
        url,
        caller,
        case_id,
        CaseAction.ASSIGN,
        note=note,
        department=department,
        assignee_username=assignee_username,
    )


def start_inspection(
    url: str, caller: Caller, case_id: int, *, mode: str, note: str = ""
) -> TransitionResult:
    """Start inspecting an assigned case, online (data comparison) or on site."""
    return transition_case(url, caller, case_id, CaseAction.START_INSPECTION, note=note, inspection_mode=mode)


def require_rectification(url: str, caller: Caller, case_id: int, *, note: str = "") -> TransitionResult:
    """The inspection found a problem: the enterprise must rectify it and upload evidence."""
    return transition_case(url, caller, case_id, CaseAction.REQUIRE_RECTIFICATION, note=note)


def submit_rectification(url: str, caller: Caller, case_id: int, *, note: str = "") -> TransitionResult:
    """The enterprise submits its rectification (with at least one evidence file) for verification."""
    return transition_case(url, caller, case_id, CaseAction.SUBMIT, note=note)


def verify_case(url: str, caller: Caller, case_id: int, *, passed: bool, note: str = "") -> TransitionResult:
    """Verify a submitted rectification: pass closes the case, fail sends it back to rectifying."""
    action = CaseAction.VERIFY_PASS if passed else CaseAction.VERIFY_FAIL
    return transition_case(url, caller, case_id, action, note=note)


def close_case(url: str, caller: Caller, case_id: int, *, note: str) -> TransitionResult:
    """Close a case without rectification (false alarm, duplicate), saying why."""
    return transition_case(url, caller, case_id, CaseAction.CLOSE, note=note)


def reopen_case(url: str, caller: Caller, case_id: int, *, note: str) -> TransitionResult:
    """Reopen a closed case (the problem came back), with a fresh deadline."""
    return transition_case(url, caller, case_id, CaseAction.REOPEN, note=note)
