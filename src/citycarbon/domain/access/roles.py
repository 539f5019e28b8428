"""Roles of the service centre's users and the permissions each role grants.

The centre serves six kinds of users at once (mission brief, "The centre itself"): government
administrators, analysts, enterprises, banks, verifiers and the public. A route names exactly
one :class:`Permission`; the role table below is the single place that says who holds it, so
reviewing access means reading one mapping rather than every route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    """A role a user account can hold (several roles may be combined)."""

    ADMIN = "admin"
    ANALYST = "analyst"
    ENTERPRISE = "enterprise"
    BANK = "bank"
    VERIFIER = "verifier"
    PUBLIC = "public"


class Permission(StrEnum):
    """What a route allows; object-level scope is checked separately by the services."""

    REFERENCE_READ = "reference:read"
    AGGREGATE_READ = "aggregate:read"
    SESSION_CREATE = "session:create"
    SELF_MANAGE = "self:manage"
    USER_MANAGE = "user:manage"
    ORGANISATION_READ = "organisation:read"
    ORGANISATION_CREATE = "organisation:create"
    LEDGER_READ = "ledger:read"
    LEDGER_WRITE = "ledger:write"
    CONSENT_READ = "consent:read"
    CONSENT_MANAGE = "consent:manage"
    AUDIT_READ = "audit:read"
    PROFILE_READ = "finance:profile"
    QUOTE_CREATE = "finance:quote"
    PRICING_MANAGE = "finance:pricing"
    VERIFICATION_SIGN = "verification:sign"
    REGISTRY_MANAGE = "registry:manage"
    REGISTRY_TRADE = "registry:trade"
    REGISTRY_VERIFY = "registry:verify"
    INDEX_READ = "index:read"
    MONITORING_READ = "monitoring:read"
    MONITORING_WRITE = "monitoring:write"
    WARNING_READ = "warning:read"
    WARNING_RUN = "warning:run"
    CASE_READ = "case:read"
    CASE_MANAGE = "case:manage"
    CASE_RESPOND = "case:respond"
    EFFICIENCY_READ = "efficiency:read"


#: Granted to everybody, signed in or not: published figures and code lists only.
ANONYMOUS: frozenset[Permission] = frozenset(
    {Permission.REFERENCE_READ, Permission.AGGREGATE_READ, Permission.SESSION_CREATE}
)
_SIGNED_IN = ANONYMOUS | {Permission.SELF_MANAGE}
_READ_LEDGER = _SIGNED_IN | {Permission.ORGANISATION_READ, Permission.LEDGER_READ}
#: Monitoring data and warnings, within the organisations a role's scope reaches (issue 7).
_SUPERVISION_READ = frozenset({Permission.MONITORING_READ, Permission.WARNING_READ})

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Permission),
        Role.ANALYST: _READ_LEDGER
        | {Permission.INDEX_READ, Permission.EFFICIENCY_READ}
        | _SUPERVISION_READ
        | {Permission.CASE_READ, Permission.CASE_MANAGE},
        Role.ENTERPRISE: _READ_LEDGER
        | _SUPERVISION_READ
        | {
            Permission.LEDGER_WRITE,
            Permission.CONSENT_READ,
            Permission.CONSENT_MANAGE,
            Permission.AUDIT_READ,
            Permission.PROFILE_READ,
            Permission.REGISTRY_TRADE,
            Permission.INDEX_READ,
            Permission.EFFICIENCY_READ,
            Permission.CASE_READ,
            Permission.CASE_RESPOND,
        },
        Role.BANK: _SIGNED_IN
        | {
            Permission.CONSENT_READ,
            Permission.PROFILE_READ,
            Permission.QUOTE_CREATE,
            Permission.PRICING_MANAGE,
            Permission.REGISTRY_TRADE,
        },
        Role.VERIFIER: _READ_LEDGER | {Permission.VERIFICATION_SIGN, Permission.REGISTRY_VERIFY},
        Role.PUBLIC: _SIGNED_IN,
    }
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, as far as access decisions need to know it.

    Parameters
    ----------
    user_id
        Account id; ``None`` for an anonymous caller.
    username
        Login name, recorded in the audit log (``"anonymous"`` when not signed in).
    organisation_id
        Organisation the account belongs to; ``None`` for centre staff and the public.
    roles
        Roles held.
    region_codes
        Region subtrees (GB/T 2260 codes) an analyst may read.
    assigned_organisation_ids
        Organisations a verifier has been assigned to.
    credential_key
        Digest of the token or session used, the key of the per-token rate limit.

    """

    user_id: int | None
    username: str
    organisation_id: int | None = None
    roles: frozenset[Role] = frozenset()
    region_codes: frozenset[str] = frozenset()
    assigned_organisation_ids: frozenset[int] = frozenset()
    credential_key: str | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted = set(ANONYMOUS if self.user_id is None else _SIGNED_IN)
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        object.__setattr__(self, "permissions", frozenset(granted))

    @classmethod
    def anonymous(cls) -> Principal:
        """The caller without credentials (the public)."""
        return cls(user_id=None, username="anonymous")

    @property
    def is_anonymous(self) -> bool:
        """Whether no credential was presented."""
        return self.user_id is None

    def has(self, permission: Permission) -> bool:
        """Whether any of the caller's roles grants ``permission``."""
        return permission in self.permissions

    def holds(self, role: Role) -> bool:
        """Whether the caller holds ``role``."""
        return role in self.roles
