"""Object-level access to the registry: a route's permission says *what*, these checks say *whose*.

``registry:trade`` lets an enterprise or bank act, but only on the registry accounts of its own
organisation: an account can only move units out of its own holding, bid for itself, or sell
its own units. ``registry:verify`` lets a verifier sign the reports of the project owners it is
assigned to. ``registry:manage`` (the centre) reaches every account. Services take the caller
as ``caller=``; ``None`` means a trusted local operator (the CLI runs with database access).
"""

from __future__ import annotations

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Permission
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.services.caller import Caller
from citycarbon.services.platform_errors import Conflict, NotFound

MSG_NOT_YOUR_ACCOUNT = "Registry account {account} does not belong to your organisation"
MSG_NO_ORGANISATION = "Your user belongs to no organisation, so it cannot hold a registry account"
MSG_NOT_ASSIGNED = "You are not an assigned verifier of the owner of project {project}"
MSG_CENTRE_ONLY = "Only the registry (registry:manage) may move project {project} to {status}"


class RegistryForbidden(RegistryError, Forbidden):
    """The caller may use the operation, but not on this account or project (HTTP 403)."""


class RegistryNotFound(RegistryError, NotFound):
    """An account, project, report, auction or block that does not exist (HTTP 404)."""


class RegistryConflict(RegistryError, Conflict):
    """The object exists already, or is not in the state the operation needs (HTTP 409)."""


def manages(caller: Caller | None) -> bool:
    """Whether ``caller`` reaches every registry account (the local operator or the centre)."""
    return caller is None or caller.principal.has(Permission.REGISTRY_MANAGE)


def actor_of(caller: Caller | None, fallback: str) -> str:
    """The journal's actor: ``api:<user name>`` for an API caller, else ``fallback``."""
    return fallback if caller is None else f"api:{caller.principal.username}"


def check_holder(caller: Caller | None, account_code: str, organisation_id: int | None) -> None:
    """Refuse unless the caller manages the registry or its organisation holds the account.

    Raises
    ------
    RegistryForbidden
        When the account belongs to another organisation (or to none).

    """
    if manages(caller):
        return
    assert caller is not None
    own = caller.principal.organisation_id
    if own is None or organisation_id != own:
        raise RegistryForbidden(MSG_NOT_YOUR_ACCOUNT, account=account_code)


def own_organisation(caller: Caller | None, requested: int | None) -> int | None:
    """Organisation a new account is opened for: any for the centre, else the caller's own."""
    if manages(caller):
        return requested
    assert caller is not None
    own = caller.principal.organisation_id
    if own is None:
        raise RegistryForbidden(MSG_NO_ORGANISATION)
    if requested not in (None, own):
        raise RegistryForbidden(MSG_NOT_YOUR_ACCOUNT, account=str(requested))
    return own


def check_verifier(caller: Caller | None, project_code: str, owner_organisation_id: int | None) -> None:
    """Refuse unless the caller manages the registry or verifies the project owner's organisation."""
    if manages(caller):
        return
    assert caller is not None
    principal = caller.principal
    assigned = principal.assigned_organisation_ids
    if not principal.has(Permission.REGISTRY_VERIFY) or owner_organisation_id not in assigned:
        raise RegistryForbidden(MSG_NOT_ASSIGNED, project=project_code)


def check_centre_step(caller: Caller | None, project_code: str, status: str) -> None:
    """Registering or rejecting a project is the registry's decision, never the developer's."""
    if not manages(caller):
        raise RegistryForbidden(MSG_CENTRE_ONLY, project=project_code, status=status)
