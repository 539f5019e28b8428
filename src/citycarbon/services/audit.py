"""The audit log: every outside read of an organisation's data and every write, append-only.

Entries are only ever inserted. There is no update or delete function here or anywhere in the
application, and the database itself rejects UPDATE and DELETE on ``audit_event`` with a
trigger (migration 0003), so even a bug or an operator's SQL console cannot rewrite history
silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import AuditEvent
from citycarbon.store.tables import Organisation

MSG_AUDIT_SCOPE = "Your account may only list the audit events of its own organisation"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event as shown to the data owner."""

    event_id: int
    occurred_at: dt.datetime
    actor_username: str
    actor_organisation_name: str | None
    action: str
    resource: str
    subject_organisation_id: int | None
    purpose: str | None
    client_address: str | None


def record_event(
    session: Session,
    caller: Caller,
    *,
    action: str,
    resource: str,
    subject_organisation_id: int | None = None,
    purpose: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one event in the caller's transaction (so a rolled-back write leaves no trace)."""
    principal = caller.principal
    session.add(
        AuditEvent(
            occurred_at=dt.datetime.now(dt.UTC),
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            actor_organisation_id=principal.organisation_id,
            action=action,
            resource=resource,
            subject_organisation_id=subject_organisation_id,
            purpose=purpose,
            client_address=caller.client_address,
            detail=detail,
        )
    )


def record_refusal(
    url: str, caller: Caller, *, resource: str, subject_organisation_id: int, reason: str
) -> None:
    """Append a refused attempt in a transaction of its own, since the request's one rolls back."""
    with unit_of_work(url) as session:
        record_event(
            session,
            caller,
            action="refused",
            resource=resource,
            subject_organisation_id=subject_organisation_id,
            detail=reason,
        )


def list_events(
    url: str, caller: Caller, organisation_id: int | None, limit: int, offset: int
) -> Page[AuditEntry]:
    """Events about an organisation's data, newest first.

    Enterprises see who looked at their own organisation; administrators see any organisation
    (or every event when ``organisation_id`` is ``None``); analysts see the events about
    organisations they could read themselves only through an administrator.

    Raises
    ------
    Forbidden
        When a non-administrator asks for another organisation's events.

    """
    principal = caller.principal
    if not principal.holds(Role.ADMIN):
        if principal.organisation_id is None or organisation_id not in (None, principal.organisation_id):
            raise Forbidden(MSG_AUDIT_SCOPE)
        organisation_id = principal.organisation_id
    limit = page_limit(limit)
    query = (
        select(AuditEvent, Organisation.name)
        .outerjoin(Organisation, Organisation.id == AuditEvent.actor_organisation_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    if organisation_id is not None:
        query = query.where(AuditEvent.subject_organisation_id == organisation_id)
    with unit_of_work(url) as session:
        rows = [
            AuditEntry(
                e.id,
                e.occurred_at,
                e.actor_username,
                name,
                e.action,
                e.resource,
                e.subject_organisation_id,
                e.purpose,
                e.client_address,
            )
            for e, name in session.execute(query)
        ]
    return paginate(rows, limit, offset)
