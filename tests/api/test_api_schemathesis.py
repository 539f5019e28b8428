"""Property-based run of the OpenAPI document (Schemathesis): no 500s, every response in schema.

Each operation gets a few generated requests as an administrator, so authorisation does not
stop the data at the door; the run is bounded (a few examples per operation) to stay well
under two minutes on both backends.
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Role
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.user_admin import RoleGrant, add_user, issue_token
from citycarbon.settings import Settings
from citycarbon.store.db import unit_of_work

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


def _admin_token(url: str) -> str:
    import_file(url, EXAMPLES / "organisations.csv", file_name="organisations.csv")
    import_file(url, EXAMPLES / "activity.csv", file_name="activity.csv")
    recalculate(url)
    with unit_of_work(url) as session:
        user = add_user(
            session,
            username="fuzzer",
            password="x" * 12,
            display_name="f",
            organisation_id=None,
            roles=[RoleGrant(Role.ADMIN)],
        )
        return issue_token(session, user.id, "fuzz", 1).secret


def test_generated_requests_get_no_server_error_and_valid_responses(db_url: str) -> None:
    url = db_url
    token = _admin_token(url)
    app = create_app(
        url, Settings(import_worker_enabled=False, rate_limit_per_second=10_000.0, rate_limit_burst=10_000)
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    # Revoking a token may hit the fuzzer's own; run it last so the other operations get past auth.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: op.method.upper() == "DELETE" and op.path == "/api/v1/tokens/{token_id}",
    )
    assert len(operations) >= 35
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
