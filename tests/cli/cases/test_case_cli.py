"""``citycarbon cases …`` and ``citycarbon notify …`` end to end on a migrated SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from citycarbon.cli.main import app
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.cases import open_manual_case
from citycarbon.store import case_tables  # noqa: F401
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import Organisation

runner = CliRunner()


def test_escalate_subscribe_deliver_and_metrics(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade_database(url)
    with unit_of_work(url) as session:
        org = Organisation(uscc="91331000MA2C00001X", name="企业", region_code="331002")
        session.add(org)
        session.flush()
        org_id = org.id
    admin = Caller(Principal(None, "t", roles=frozenset({Role.ADMIN})))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    open_manual_case(url, admin, organisation_id=org_id, severity="low", title="old", now=long_ago)

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--database-url", url, "--lang", "en"])
        assert result.exit_code == code, result.output
        return result.output

    # 10 days overdue, interval 10 days: level 1 + floor(10 / 10) = 2
    assert "escalation level 0 → 2" in invoke("cases", "escalate")
    assert "0 case(s) escalated" in invoke("cases", "escalate")
    assert "needs an e-mail address" in invoke("notify", "subscribe", "email", "nobody", code=2)
    assert "Subscription 1" in invoke("notify", "subscribe", "webhook", "http://127.0.0.1:9/x")
    today = dt.date.today()
    period = ("--start", str(today - dt.timedelta(days=60)), "--end", str(today + dt.timedelta(days=1)))
    assert "1 / 1" in invoke("cases", "metrics", *period, "--region", "331000")  # open / overdue
    assert "Outbox: 0 pending" in invoke("notify", "status")
    assert "0 message(s) claimed" in invoke("notify", "deliver", "--once")
