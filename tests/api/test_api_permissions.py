"""Every endpoint names its permission; the role table grants what the issue asks and no more."""

from __future__ import annotations

from fastapi.routing import APIRoute

from citycarbon.api.app import api_routes, create_app, route_permission
from citycarbon.domain.access.roles import ANONYMOUS, ROLE_PERMISSIONS, Permission, Principal, Role

#: Routes FastAPI adds for the documentation itself (they serve the OpenAPI document and its viewers).
DOCUMENTATION = {"/api/v1/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def test_every_route_has_exactly_one_explicit_permission() -> None:
    app = create_app("sqlite:///:memory:")
    missing, counted = [], 0
    for path, route in api_routes(app):
        if not isinstance(route, APIRoute):
            assert path in DOCUMENTATION, f"unexpected non-API route {path}"
            continue
        counted += 1
        if route_permission(route) is None:
            missing.append(f"{sorted(route.methods)} {path}")
    assert missing == [], f"routes without a permission: {missing}"
    assert counted >= 35


def test_openapi_document_states_each_operations_permission() -> None:
    document = create_app("sqlite:///:memory:").openapi()
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert all(op["x-permission"] in {p.value for p in Permission} for op in operations)


def test_role_table() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.PROFILE_READ in ROLE_PERMISSIONS[Role.BANK]
    assert Permission.LEDGER_READ not in ROLE_PERMISSIONS[Role.BANK]
    assert Permission.LEDGER_WRITE not in ROLE_PERMISSIONS[Role.ANALYST] | ROLE_PERMISSIONS[Role.VERIFIER]
    assert ROLE_PERMISSIONS[Role.PUBLIC] == ANONYMOUS | {Permission.SELF_MANAGE}
    # Carbon-efficiency results: analysts and enterprises (scoped by the services); banks see a
    # grade only in a consented green-finance profile.
    readers = {role for role, granted in ROLE_PERMISSIONS.items() if Permission.EFFICIENCY_READ in granted}
    assert readers == {Role.ADMIN, Role.ANALYST, Role.ENTERPRISE}
    assert Principal.anonymous().permissions == ANONYMOUS
