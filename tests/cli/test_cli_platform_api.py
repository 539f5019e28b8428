"""``citycarbon user create-admin`` and ``citycarbon token create``: the first administrator's path."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from citycarbon.api.app import create_app
from citycarbon.cli.main import app
from citycarbon.settings import Settings


def test_first_admin_and_token_from_the_command_line(db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["user", "create-admin", "--username", "root", "--database-url", db_url],
        env={"CITYCARBON_ADMIN_PASSWORD": "a long enough secret"},
    )
    assert created.exit_code == 0, created.output
    again = runner.invoke(
        app,
        ["user", "create-admin", "--username", "root", "--database-url", db_url, "--lang", "en"],
        env={"CITYCARBON_ADMIN_PASSWORD": "a long enough secret"},
    )
    assert again.exit_code == 2
    issued = runner.invoke(app, ["token", "create", "--username", "root", "--database-url", db_url])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    client = TestClient(create_app(db_url, Settings(import_worker_enabled=False)))
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "root" and me["roles"] == ["admin"]
    short = runner.invoke(
        app,
        ["user", "create-admin", "--username", "x", "--database-url", db_url],
        env={"CITYCARBON_ADMIN_PASSWORD": "short"},
    )
    assert short.exit_code == 2
