"""Apply the organisation-scope policy inside a use case's transaction, and audit outside reads.

Every use case that touches one organisation's data goes through :func:`readable` or
:func:`writable`, so the scope rule and the audit entry cannot be forgotten by a new route.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Access, OrganisationRef, read_access, write_access
from citycarbon.domain.access.roles import Role
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.services.platform_errors import MSG_ORG_NOT_FOUND, NotFound
from citycarbon.store.tables import Organisation


def organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation with this id, before any scope check (raises :class:`NotFound`)."""
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound(MSG_ORG_NOT_FOUND, organisation=organisation_id)
    return found


def readable(
    session: Session, caller: Caller, organisation_id: int, resource: str, purpose: str | None = None
) -> Organisation:
    """Return the organisation if the caller may read it; audit the read when from outside.

    Raises
    ------
    NotFound
        When no organisation has this id (checked first: ids are not secret, data is).
    Forbidden
        When the caller's roles do not reach the organisation.

    """
    org = organisation(session, organisation_id)
    ref = OrganisationRef(org.id, org.region_code)
    if read_access(caller.principal, ref, load_region_catalogue().is_within) is Access.OUTSIDE:
        record_event(
            session, caller, action="read", resource=resource, subject_organisation_id=org.id, purpose=purpose
        )
    return org


def writable(
    session: Session, caller: Caller, organisation_id: int, resource: str, detail: str | None = None
) -> Organisation:
    """Return the organisation if the caller may write its data; audit the write (always).

    Raises
    ------
    NotFound
        When no organisation has this id.
    Forbidden
        When the caller is neither the organisation's enterprise user nor an administrator.

    """
    org = organisation(session, organisation_id)
    write_access(caller.principal, OrganisationRef(org.id, org.region_code))
    record_event(
        session, caller, action="write", resource=resource, subject_organisation_id=org.id, detail=detail
    )
    return org


@dataclass(frozen=True, slots=True)
class ListScope:
    """The organisations a caller may list: every one, or those with these ids or region codes.

    ``region_codes`` holds whole subtrees (an analyst's areas and every current division below
    them), so a membership test needs no catalogue look-up per row.
    """

    everything: bool
    organisation_ids: frozenset[int] = frozenset()
    region_codes: frozenset[str] = frozenset()

    def covers(self, organisation_id: int, region_code: str | None) -> bool:
        """Whether an organisation with this id and region code may be listed."""
        return (
            self.everything
            or organisation_id in self.organisation_ids
            or (region_code is not None and region_code in self.region_codes)
        )


def list_scope(caller: Caller) -> ListScope:
    """What the caller may list: the own organisation, assigned ones, region subtrees, or all."""
    principal = caller.principal
    if principal.holds(Role.ADMIN):
        return ListScope(everything=True)
    ids: set[int] = set()
    if principal.organisation_id is not None:
        ids.add(principal.organisation_id)
    if principal.holds(Role.VERIFIER):
        ids |= principal.assigned_organisation_ids
    regions = _region_subtrees(principal.region_codes) if principal.holds(Role.ANALYST) else set()
    return ListScope(False, frozenset(ids), frozenset(regions))


def visible_organisations(caller: Caller) -> ColumnElement[bool]:
    """SQL condition selecting the organisations the caller may list (see :func:`list_scope`)."""
    scope = list_scope(caller)
    if scope.everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if scope.organisation_ids:
        conditions.append(Organisation.id.in_(sorted(scope.organisation_ids)))
    if scope.region_codes:
        conditions.append(Organisation.region_code.in_(sorted(scope.region_codes)))
    return or_(*conditions) if conditions else false()


def _region_subtrees(codes: frozenset[str]) -> set[str]:
    catalogue = load_region_catalogue()
    found: set[str] = set()
    for code in codes:
        if code in catalogue:
            found |= {code, *(r.code for r in catalogue.descendants(code))}
    return found
