"""Rectification cases: the state machine, who may move a case, deadlines and escalation.

A warning (or an analyst) opens a case; the centre assigns it to a department, inspects the
enterprise online or on site, requires rectification, the enterprise uploads evidence and
submits, the centre verifies and closes — or reopens it later. The mission brief ("Supervision
that compares data instead of visiting") makes cases, deadlines and satisfaction first-class
data, so every transition is checked here against one table (:data:`TRANSITIONS`) that names
the states it may start from, the state it leads to and the actor roles allowed to take it.
Nothing else in the platform changes a case's state, so no illegal transition is possible.

References
----------
Mission brief, "Supervision that compares data instead of visiting (智联查, seed 002)":
online comparison → offline inspection → information feedback → tracked closure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from citycarbon.domain.errors import CityCarbonError

MSG_ILLEGAL_TRANSITION = (
    "A case in state {state} cannot take the action {action}; it is allowed from: {allowed}"
)
MSG_ROLE_NOT_ALLOWED = "The role {role} may not take the action {action} on a case; allowed roles: {roles}"
MSG_NOTE_REQUIRED = "The action {action} needs a note saying why"
MSG_NO_EVIDENCE = "Upload at least one evidence file before submitting the rectification"
MSG_UNKNOWN_SEVERITY = "Unknown severity {severity}; use one of: {allowed}"
MSG_UNKNOWN_ACTION = "Unknown case action {action}; use one of: {allowed}"
MSG_ROLE_MAY_NOT_OPEN = "The role {role} may not open a case; allowed roles: {roles}"
MSG_DEADLINE_MISSING = "The case deadline table has no {term} for severity {severity}"

#: Longest note kept with a transition [characters].
MAX_NOTE_CHARS = 2000


class CaseState(StrEnum):
    """Where a case stands in the closed loop."""

    OPEN = "open"
    ASSIGNED = "assigned"
    INSPECTING = "inspecting"
    RECTIFYING = "rectifying"
    VERIFYING = "verifying"
    CLOSED = "closed"


class CaseAction(StrEnum):
    """What an actor does to a case; each action is one row of :data:`TRANSITIONS`."""

    ASSIGN = "assign"
    START_INSPECTION = "start_inspection"
    REQUIRE_RECTIFICATION = "require_rectification"
    SUBMIT = "submit"
    VERIFY_PASS = "verify_pass"
    VERIFY_FAIL = "verify_fail"
    CLOSE = "close"
    REOPEN = "reopen"


class ActorRole(StrEnum):
    """Who acts on a case: centre staff, the enterprise concerned, or the platform itself."""

    ADMIN = "admin"
    ANALYST = "analyst"
    ENTERPRISE = "enterprise"
    SYSTEM = "system"


class Severity(StrEnum):
    """Severity of the warning (or manual finding) behind a case; it sets the deadline."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class InspectionMode(StrEnum):
    """How the centre inspects: by comparing data online, or by visiting the site."""

    ONLINE = "online"
    ON_SITE = "on_site"


class IllegalTransition(CityCarbonError):
    """An action the case's state or the actor's role does not allow (HTTP 409 or 403)."""


class RoleNotAllowed(IllegalTransition):
    """The actor's role may not take this action at all (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the transition table.

    Parameters
    ----------
    action
        The action.
    sources
        States the action may be taken from.
    target
        State the case is in afterwards.
    roles
        Actor roles allowed to take the action.
    needs_note
        Whether the actor must say why (closing without rectification, failing, reopening).

    """

    action: CaseAction
    sources: frozenset[CaseState]
    target: CaseState
    roles: frozenset[ActorRole]
    needs_note: bool = False


_STAFF = frozenset({ActorRole.ADMIN, ActorRole.ANALYST})
_S = CaseState

#: The whole state machine. A (state, action, role) triple not covered here is refused.
TRANSITIONS: Mapping[CaseAction, Transition] = MappingProxyType(
    {
        t.action: t
        for t in (
            Transition(CaseAction.ASSIGN, frozenset({_S.OPEN, _S.ASSIGNED}), _S.ASSIGNED, _STAFF),
            Transition(CaseAction.START_INSPECTION, frozenset({_S.ASSIGNED}), _S.INSPECTING, _STAFF),
            Transition(CaseAction.REQUIRE_RECTIFICATION, frozenset({_S.INSPECTING}), _S.RECTIFYING, _STAFF),
            Transition(
                CaseAction.SUBMIT,
                frozenset({_S.RECTIFYING}),
                _S.VERIFYING,
                frozenset({ActorRole.ENTERPRISE, ActorRole.ADMIN}),
            ),
            Transition(CaseAction.VERIFY_PASS, frozenset({_S.VERIFYING}), _S.CLOSED, _STAFF),
            Transition(CaseAction.VERIFY_FAIL, frozenset({_S.VERIFYING}), _S.RECTIFYING, _STAFF, True),
            # Closing without rectification: a false alarm or a duplicate, found before any
            # rectification was required; the note records why.
            Transition(
                CaseAction.CLOSE, frozenset({_S.OPEN, _S.ASSIGNED, _S.INSPECTING}), _S.CLOSED, _STAFF, True
            ),
            Transition(CaseAction.REOPEN, frozenset({_S.CLOSED}), _S.ASSIGNED, _STAFF, True),
        )
    }
)

#: Roles that may open a case (the platform for a warning, staff by hand).
OPENING_ROLES = frozenset({ActorRole.SYSTEM, ActorRole.ADMIN, ActorRole.ANALYST})
#: Roles that may attach evidence, per state: enterprises while rectifying, staff while they
#: inspect or verify (photos, inspection records).
EVIDENCE_ROLES: Mapping[CaseState, frozenset[ActorRole]] = MappingProxyType(
    {
        _S.INSPECTING: _STAFF,
        _S.RECTIFYING: _STAFF | {ActorRole.ENTERPRISE},
        _S.VERIFYING: _STAFF,
    }
)


def parse_action(value: str) -> CaseAction:
    """The action named ``value``, or an error listing the valid ones."""
    try:
        return CaseAction(value)
    except ValueError:
        raise IllegalTransition(
            MSG_UNKNOWN_ACTION, action=value, allowed=", ".join(a.value for a in CaseAction)
        ) from None


def parse_severity(value: str) -> Severity:
    """The severity named ``value``, or an error listing the valid ones."""
    try:
        return Severity(value)
    except ValueError:
        raise IllegalTransition(
            MSG_UNKNOWN_SEVERITY, severity=value, allowed=", ".join(s.value for s in Severity)
        ) from None


def check_open(role: ActorRole) -> CaseState:
    """The state a new case starts in, if ``role`` may open cases."""
    if role not in OPENING_ROLES:
        raise RoleNotAllowed(MSG_ROLE_MAY_NOT_OPEN, role=role.value, roles=_names(OPENING_ROLES))
    return CaseState.OPEN


def decide(
    state: CaseState, action: CaseAction, role: ActorRole, *, note: str = "", evidence_count: int = 0
) -> CaseState:
    """Return the state after ``role`` takes ``action`` on a case in ``state``, or refuse.

    Parameters
    ----------
    state
        Current state of the case.
    action
        Action requested.
    role
        Role the actor acts in.
    note
        The actor's note; required by actions whose row says ``needs_note``.
    evidence_count
        Evidence files attached so far; submitting needs at least one.

    Raises
    ------
    RoleNotAllowed
        When the role may never take the action.
    IllegalTransition
        When the action is not allowed from ``state``, lacks its note, or (submit) has no evidence.

    """
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise RoleNotAllowed(
            MSG_ROLE_NOT_ALLOWED, role=role.value, action=action.value, roles=_names(transition.roles)
        )
    if state not in transition.sources:
        raise IllegalTransition(
            MSG_ILLEGAL_TRANSITION,
            state=state.value,
            action=action.value,
            allowed=_names(transition.sources),
        )
    if transition.needs_note and not note.strip():
        raise IllegalTransition(MSG_NOTE_REQUIRED, action=action.value)
    if action is CaseAction.SUBMIT and evidence_count < 1:
        raise IllegalTransition(MSG_NO_EVIDENCE)
    return transition.target


def allowed_actions(state: CaseState, roles: frozenset[ActorRole]) -> tuple[CaseAction, ...]:
    """Actions any of ``roles`` may take from ``state`` (the buttons a page shows), in table order."""
    return tuple(t.action for t in TRANSITIONS.values() if state in t.sources and t.roles & roles)


def may_attach_evidence(state: CaseState, roles: frozenset[ActorRole]) -> bool:
    """Whether any of ``roles`` may attach evidence to a case in ``state``."""
    return bool(EVIDENCE_ROLES.get(state, frozenset()) & roles)


def _names(items: frozenset[CaseState] | frozenset[ActorRole]) -> str:
    return ", ".join(sorted(item.value for item in items))


# --- Deadlines and escalation ---------------------------------------------------------------


class EscalationLevel(StrEnum):
    """Who is told about an overdue case; each level up is told when the previous one failed."""

    DEPARTMENT = "department"  # level 0: the department handling the case (承办科室)
    DEPARTMENT_HEAD = "department_head"  # level 1: its head (科室负责人)
    CENTRE_LEADERSHIP = "centre_leadership"  # level 2: the centre's leadership (中心分管领导)
    CITY_SUPERVISION = "city_supervision"  # level 3: the city government supervision office (督查室)


#: Escalation levels in order; a case's ``escalation_level`` is an index into this tuple.
ESCALATION_LEVELS: tuple[EscalationLevel, ...] = tuple(EscalationLevel)
MAX_ESCALATION_LEVEL = len(ESCALATION_LEVELS) - 1


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """Time allowed for a case of one severity, and how often an overdue case climbs a level.

    Parameters
    ----------
    severity
        Severity the policy applies to.
    handling_days
        Calendar days from opening (or reopening) to closure [day].
    escalation_interval_days
        Days overdue after which the case climbs one more escalation level [day].

    """

    severity: Severity
    handling_days: float
    escalation_interval_days: float


@dataclass(frozen=True, slots=True)
class DeadlineBook:
    """The deadline policy of every severity, and the reference-data set it came from."""

    policies: Mapping[Severity, DeadlinePolicy]
    factor_set: str

    def policy(self, severity: Severity) -> DeadlinePolicy:
        """The policy of ``severity`` (every severity must be present)."""
        found = self.policies.get(severity)
        if found is None:
            raise CityCarbonError(MSG_DEADLINE_MISSING, term="policy", severity=severity.value)
        return found


def deadline_for(started_at: dt.datetime, severity: Severity, book: DeadlineBook) -> dt.datetime:
    """When a case of ``severity`` opened (or reopened) at ``started_at`` must be closed."""
    return started_at + dt.timedelta(days=book.policy(severity).handling_days)


def is_overdue(state: CaseState, deadline_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether the case is still open past its deadline (a closed case is never overdue)."""
    return state is not CaseState.CLOSED and now > deadline_at


def escalation_level_due(
    state: CaseState, deadline_at: dt.datetime, now: dt.datetime, interval_days: float
) -> int:
    """The escalation level an overdue case should have reached by ``now``.

    Level 1 as soon as the deadline passes, then one more level per ``interval_days`` overdue,
    capped at :data:`MAX_ESCALATION_LEVEL`; 0 when the case is not overdue.

    Examples
    --------
    >>> import datetime as dt
    >>> d = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    >>> escalation_level_due(CaseState.RECTIFYING, d, d + dt.timedelta(days=4.5), 2.0)
    3
    >>> escalation_level_due(CaseState.RECTIFYING, d, d + dt.timedelta(days=1), 2.0)
    1

    """
    if not is_overdue(state, deadline_at, now):
        return 0
    overdue_days = (now - deadline_at) / dt.timedelta(days=1)
    return min(MAX_ESCALATION_LEVEL, 1 + math.floor(overdue_days / interval_days))


def handling_days(opened_at: dt.datetime, closed_at: dt.datetime) -> float:
    """Calendar days from opening to closure [day]."""
    return (closed_at - opened_at) / dt.timedelta(days=1)
