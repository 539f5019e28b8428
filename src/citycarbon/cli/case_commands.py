"""``citycarbon cases …`` and ``citycarbon notify …``: escalation, metrics, delivery of notifications.

``cases escalate`` is meant for a timer (cron, systemd): it raises overdue cases and queues
deadline reminders. ``notify deliver`` runs the delivery worker (``--once`` for one pass, e.g.
from a timer; without it, until interrupted).
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import translator
from citycarbon.services.caller import Caller
from citycarbon.services.case_metrics import case_metrics
from citycarbon.services.cases_escalation import escalate_overdue_cases, queue_deadline_reminders
from citycarbon.services.notifications import add_subscription, deactivate_subscription, list_subscriptions
from citycarbon.services.notifications_delivery import deliver_due, outbox_status, run_delivery_worker

MSG_ESCALATED = "Case {case_id}: escalation level {from_level} → {to_level} ({overdue_days:.1f} days overdue)"
MSG_ESCALATION_DONE = "{count} case(s) escalated, {reminders} deadline reminder(s) queued"
MSG_DELIVERED = "{claimed} message(s) claimed: {sent} sent, {failed} to retry"
MSG_OUTBOX = "Outbox: {pending} pending ({due} due now), {sent} sent"
MSG_SUBSCRIBED = "Subscription {subscription_id}: {channel} → {target}"

console = Console(soft_wrap=True)
cases_app = typer.Typer(help="Rectification cases / 整改案件", no_args_is_help=True)
notify_app = typer.Typer(help="Notifications (一键达) / 通知推送", no_args_is_help=True)


def _say(lang: str | None, message: str, **params: object) -> None:
    console.print(translator(lang)(message).format(**params))


@cases_app.command("escalate")
def escalate(
    database: DatabaseUrl = None,
    lang: Lang = None,
    remind_hours: Annotated[float, typer.Option(help="Remind of deadlines due within these hours")] = 24.0,
) -> None:
    """Raise every overdue case's escalation level and notify the next level; queue deadline reminders."""
    url = database_url(database)
    try:
        done = escalate_overdue_cases(url)
        reminders = queue_deadline_reminders(url, within_hours=remind_hours)
    except CityCarbonError as error:
        fail(error, lang)
    for item in done:
        _say(lang, MSG_ESCALATED, case_id=item.case_id, from_level=item.from_level, to_level=item.to_level,
             overdue_days=item.overdue_days)  # fmt: skip
    _say(lang, MSG_ESCALATION_DONE, count=len(done), reminders=reminders)


@cases_app.command("metrics")
def metrics(
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Day after the last, YYYY-MM-DD")],
    region: Annotated[str | None, typer.Option(help="GB/T 2260 region code (default: all)")] = None,
    database: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Average handling days, on-time, reopen and satisfaction rates per region and department."""
    operator = Caller(Principal(None, "cli", roles=frozenset({Role.ADMIN})))
    try:
        first, last = (dt.datetime.fromisoformat(d).replace(tzinfo=dt.UTC) for d in (start, end))
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD") from None
    try:
        result = case_metrics(database_url(database), operator, start=first, end=last, region_code=region)
    except CityCarbonError as error:
        fail(error, lang)
    tr = translator(lang)
    headers = ("Region", "Department", "Cases opened", "Closed", "Average handling days", "On-time rate",
               "Reopen rate", "Mean satisfaction", "Open / overdue")  # fmt: skip
    table = Table(*(tr(h) for h in headers))
    for row in (*result.rows, result.total):
        table.add_row(
            row.region_name, row.department, str(row.cases_opened), str(row.cases_closed),
            _fmt(row.average_handling_days, "{:.2f}"), _fmt(row.on_time_rate, "{:.0%}"),
            _fmt(row.reopen_rate, "{:.0%}"), _fmt(row.mean_satisfaction, "{:.2f}"),
            f"{row.open_count} / {row.overdue_count}",
        )  # fmt: skip
    console.print(table)


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


@notify_app.command("deliver")
def deliver(
    once: Annotated[bool, typer.Option("--once", help="One pass over the due messages, then exit")] = False,
    database: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Send queued e-mails and webhooks; retry failures with exponential backoff (until Ctrl-C)."""
    url = database_url(database)
    if once:
        report = deliver_due(url)
    else:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            report = run_delivery_worker(url, stop=stop)
        except KeyboardInterrupt:
            stop.set()
            return
    _say(lang, MSG_DELIVERED, claimed=report.claimed, sent=report.sent, failed=report.failed)


@notify_app.command("status")
def status(database: DatabaseUrl = None, lang: Lang = None) -> None:
    """How many messages wait, are due, and were sent."""
    found = outbox_status(database_url(database))
    _say(lang, MSG_OUTBOX, pending=found.pending, due=found.due, sent=found.sent)


@notify_app.command("subscribe")
def subscribe(
    channel: Annotated[str, typer.Argument(help="email or webhook")],
    target: Annotated[str, typer.Argument(help="E-mail address or https URL")],
    organisation_id: Annotated[int | None, typer.Option(help="Only this organisation's cases")] = None,
    escalation_level: Annotated[int, typer.Option(help="0: ordinary events; n: escalations to level n")] = 0,
    database: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Add a recipient of case notifications."""
    try:
        made = add_subscription(database_url(database), channel, target, organisation_id=organisation_id,
                                escalation_level=escalation_level)  # fmt: skip
    except CityCarbonError as error:
        fail(error, lang)
    _say(lang, MSG_SUBSCRIBED, subscription_id=made.subscription_id, channel=made.channel, target=made.target)


@notify_app.command("unsubscribe")
def unsubscribe(subscription_id: int, database: DatabaseUrl = None, lang: Lang = None) -> None:
    """Stop notifying a recipient (messages already queued are still delivered)."""
    try:
        made = deactivate_subscription(database_url(database), subscription_id)
    except CityCarbonError as error:
        fail(error, lang)
    _say(lang, MSG_SUBSCRIBED, subscription_id=made.subscription_id, channel=made.channel, target="—")


@notify_app.command("subscriptions")
def subscriptions(database: DatabaseUrl = None) -> None:
    """List the recipients."""
    table = Table("id", "channel", "target", "organisation", "level", "active")
    for s in list_subscriptions(database_url(database)):
        table.add_row(str(s.subscription_id), s.channel, s.target, str(s.organisation_id or "*"),
                      str(s.escalation_level), "yes" if s.is_active else "no")  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``citycarbon cases`` and ``citycarbon notify`` to ``app``."""
    app.add_typer(cases_app, name="cases")
    app.add_typer(notify_app, name="notify")
