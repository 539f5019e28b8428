"""Outbox delivery against a real local SMTP server and a webhook that fails its first attempts."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from citycarbon.domain.supervision.notifications import verify_webhook_signature
from citycarbon.services import cases
from citycarbon.services.notifications import add_subscription
from citycarbon.services.notifications_delivery import (
    SmtpSender,
    WebhookSender,
    claim_due,
    deliver_due,
    outbox_status,
)
from citycarbon.settings import Settings
from citycarbon.store.case_tables import NotificationOutbox
from citycarbon.store.db import unit_of_work

SECRET = "test-secret"
SETTINGS = Settings(
    notify_backoff_base_seconds=10,
    notify_backoff_cap_seconds=300,
    notify_lease_seconds=60,
    notify_webhook_secret=SECRET,
    notify_batch_size=50,
)


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[_Mailbox, int]]:
    box = _Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class _Hook:
    """Received POSTs; answers 503 to the first ``failures`` of them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []


@pytest.fixture
def hook() -> Iterator[tuple[_Hook, str]]:
    state = _Hook(failures=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = 503 if len(state.received) < state.failures else 204
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _senders(smtp_port: int) -> dict[str, Any]:
    return {
        "email": SmtpSender("127.0.0.1", smtp_port, "centre@tz.gov.cn", "citycarbon.test", 5.0),
        "webhook": WebhookSender(SECRET, 5.0),
    }


def _open(world) -> int:
    return cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[0],
        severity="high",
        title="NOx 212 mg/m³ over 150",
        now=world.t0,
    )


def test_failed_webhook_is_retried_with_backoff_and_each_message_sent_once(world, mailbox, hook) -> None:
    box, smtp_port = mailbox
    state, hook_url = hook
    add_subscription(world.url, "webhook", hook_url)
    add_subscription(world.url, "email", "duty@tz.gov.cn")
    case_id = _open(world)
    senders = _senders(smtp_port)
    t = world.t0

    first = deliver_due(world.url, senders=senders, now=t, settings=SETTINGS)
    assert (first.claimed, first.sent, first.failed) == (2, 1, 1)
    assert (
        deliver_due(world.url, senders=senders, now=t + dt.timedelta(seconds=9), settings=SETTINGS).claimed
        == 0
    )
    second = deliver_due(world.url, senders=senders, now=t + dt.timedelta(seconds=10), settings=SETTINGS)
    assert (second.sent, second.failed) == (0, 1)  # next wait doubles: 20 s
    assert (
        deliver_due(world.url, senders=senders, now=t + dt.timedelta(seconds=29), settings=SETTINGS).claimed
        == 0
    )
    third = deliver_due(world.url, senders=senders, now=t + dt.timedelta(seconds=30), settings=SETTINGS)
    assert (third.sent, third.failed) == (1, 0)
    assert (
        deliver_due(world.url, senders=senders, now=t + dt.timedelta(days=1), settings=SETTINGS).claimed == 0
    )

    assert [status for _, _, status in state.received] == [503, 503, 204]
    keys = {headers["idempotency-key"] for headers, _, _ in state.received}
    assert len(keys) == 1
    headers, body, _ = state.received[-1]
    assert verify_webhook_signature(
        SECRET, int(headers["x-citycarbon-timestamp"]), body, headers["x-citycarbon-signature"]
    )
    payload = json.loads(body)
    assert payload["event"] == "case_opened" and payload["case_id"] == case_id

    assert len(box.messages) == 1
    mail = box.messages[0].decode()
    with unit_of_work(world.url) as session:
        rows = {r.channel: r for r in session.scalars(select(NotificationOutbox))}
    assert f"Message-ID: <{rows['email'].idempotency_key}@citycarbon.test>" in mail
    assert rows["webhook"].attempts == 3 and rows["webhook"].state == "sent" and rows["email"].attempts == 1
    assert outbox_status(world.url, now=t + dt.timedelta(days=1)).pending == 0


def test_a_crash_between_send_and_mark_resends_with_the_same_key(world, hook) -> None:
    state, hook_url = hook
    state.failures = 0
    add_subscription(world.url, "webhook", hook_url)
    _open(world)
    t = world.t0
    claimed = claim_due(world.url, "crashing-worker", now=t, batch=10, lease_seconds=60)
    WebhookSender(SECRET).send(claimed[0])  # sent … and the worker dies before marking it
    assert (
        deliver_due(world.url, senders={}, now=t + dt.timedelta(seconds=59), settings=SETTINGS).claimed == 0
    )
    again = deliver_due(
        world.url,
        senders={"webhook": WebhookSender(SECRET)},
        now=t + dt.timedelta(seconds=61),
        settings=SETTINGS,
    )
    assert again.sent == 1
    keys = [headers["idempotency-key"] for headers, _, _ in state.received]
    assert len(keys) == 2 and keys[0] == keys[1] == claimed[0].idempotency_key


def test_an_unreachable_target_is_never_dropped(world) -> None:
    add_subscription(world.url, "webhook", f"http://127.0.0.1:{_free_port()}/nobody")
    _open(world)
    t = world.t0
    for attempt in range(6):
        report = deliver_due(
            world.url,
            senders={"webhook": WebhookSender(SECRET, 2.0)},
            now=t + dt.timedelta(hours=attempt),
            settings=SETTINGS,
        )
        assert report.failed == 1
    with unit_of_work(world.url) as session:
        row = session.scalars(select(NotificationOutbox)).one()
    assert row.state == "pending" and row.attempts == 6 and "ConnectError" in (row.last_error or "")
    # capped backoff: 300 s after the sixth failure
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) == t + dt.timedelta(hours=5, seconds=300)


def test_two_workers_never_claim_the_same_message(world) -> None:
    add_subscription(world.url, "webhook", "https://a.example.cn/h")
    add_subscription(world.url, "webhook", "https://b.example.cn/h")
    for _ in range(10):
        _open(world)
    claims: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def claim(name: str) -> None:
        barrier.wait()
        claims[name] = [
            m.outbox_id for m in claim_due(world.url, name, now=world.t0, batch=15, lease_seconds=60)
        ]

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claims["w1"]) & set(claims["w2"])
    assert len(claims["w1"]) + len(claims["w2"]) == 20
