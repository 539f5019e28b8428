"""Schemas of the audit log."""

from __future__ import annotations

from citycarbon.api.schemas.common import Schema, UtcDateTime


class AuditEventOut(Schema):
    """Who did what to whose data, when, why and from where."""

    event_id: int
    occurred_at: UtcDateTime
    actor_username: str
    actor_organisation_name: str | None
    action: str
    resource: str
    subject_organisation_id: int | None
    purpose: str | None
    client_address: str | None
