"""Organisation scope: which organisations' data a caller may read or write.

A route permission says *what kind* of action a role may take; this policy says *on whose
data*. Enterprises see only their own organisation, analysts a region subtree, verifiers the
organisations they are assigned to, and administrators everything. Banks never read the
ledger directly: they see a carbon profile only through an enterprise's consent
(:mod:`citycarbon.domain.access.consent`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.errors import CityCarbonError

MSG_NOT_SIGNED_IN = "Sign in or present an API token to use this endpoint"
MSG_NO_PERMISSION = "Your account has no role that allows {permission}"
MSG_NO_READ = "Your account may not read the data of organisation {organisation_id}"
MSG_NO_WRITE = "Your account may not write the data of organisation {organisation_id}"

#: ``is_within(code, area_code)``: whether region ``code`` lies inside ``area_code``.
RegionTest = Callable[[str, str], bool]


class NotAuthenticated(CityCarbonError):
    """No valid credential was presented for an endpoint that needs one (HTTP 401)."""


class Forbidden(CityCarbonError):
    """The caller is known but not allowed to do this (HTTP 403), with the reason."""


class Access(StrEnum):
    """How the caller relates to an organisation's data."""

    OWN = "own"  # the caller belongs to the organisation: no audit of reads
    OUTSIDE = "outside"  # allowed, but from outside: every read is audited


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    """The two facts the scope decision needs about an organisation."""

    organisation_id: int
    region_code: str


def read_access(principal: Principal, org: OrganisationRef, is_within: RegionTest) -> Access:
    """Decide whether ``principal`` may read ``org``'s ledger data.

    Raises
    ------
    Forbidden
        When no role of the caller reaches the organisation.

    """
    if principal.organisation_id == org.organisation_id:
        return Access.OWN
    if principal.holds(Role.ADMIN):
        return Access.OUTSIDE
    if principal.holds(Role.VERIFIER) and org.organisation_id in principal.assigned_organisation_ids:
        return Access.OUTSIDE
    if principal.holds(Role.ANALYST) and any(
        _within(org.region_code, area, is_within) for area in principal.region_codes
    ):
        return Access.OUTSIDE
    raise Forbidden(MSG_NO_READ, organisation_id=org.organisation_id)


def write_access(principal: Principal, org: OrganisationRef) -> Access:
    """Decide whether ``principal`` may write ``org``'s ledger data (own enterprise, or admin)."""
    if principal.organisation_id == org.organisation_id and principal.holds(Role.ENTERPRISE):
        return Access.OWN
    if principal.holds(Role.ADMIN):
        return Access.OUTSIDE
    raise Forbidden(MSG_NO_WRITE, organisation_id=org.organisation_id)


def _within(code: str, area: str, is_within: RegionTest) -> bool:
    try:
        return is_within(code, area)
    except CityCarbonError:
        # A retired or unknown code on either side cannot widen access.
        return False
