"""``citycarbon registry …``: projects, MRV, issuance, transfers, retirements, verification.

Commands only parse, call one service and print; every rule lives in the services and domain.
Auction commands are in :mod:`citycarbon.cli.registry_auction_commands`.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.sinks.blocks import format_serial
from citycarbon.domain.sinks.project import Participant, ProjectStatus, ProjectType
from citycarbon.i18n import translator
from citycarbon.services.registry_mrv import ReportSummary

MSG_BAD_PAIR = "Expected NAME=NUMBER, got '{value}'"
MSG_DONE = "{event}: journal entry {entry}"
MSG_ACCOUNT = "Account {account}: {event}"
MSG_VERIFIED = "Report {report} verified and signed by {verifier}"
MSG_REPORT = "Report {report}: {sink} tCO2e, issuable {issuable} t ({factor_set})"
MSG_MOVED = "{quantity} t: {serial}"
MSG_KEYS = "Private key {private}; public key {public}"
MSG_PROJECT = "Project {project} created as draft (id {id})"
MSG_STATUS = "Project {project} is now {status}"

T = TypeVar("T")
console = Console(soft_wrap=True)
registry_app = typer.Typer(help="Carbon-sink registry / 碳汇登记簿", no_args_is_help=True)
project_app = typer.Typer(help="Sink projects / 碳汇项目", no_args_is_help=True)
account_app = typer.Typer(help="Registry accounts / 登记账户", no_args_is_help=True)
mrv_app = typer.Typer(help="Monitoring reports / 监测报告", no_args_is_help=True)
Actor = Annotated[str, typer.Option("--actor", envvar="CITYCARBON_ACTOR", help="Who acts (journal)")]


def default_actor() -> str:
    """``cli:<login name>`` when no actor is given."""
    return f"cli:{getpass.getuser()}"


def run(lang: str | None, call: Callable[[], T]) -> T:
    """Call a service, turning an expected error into a translated message and exit code."""
    try:
        return call()
    except CityCarbonError as error:
        fail(error, lang)


def say(lang: str | None, message: str, **params: object) -> None:
    """Print a translated message."""
    console.print(translator(lang)(message).format(**params))


def parse_pair(value: str) -> tuple[str, Decimal]:
    """``name=number`` as a name and a Decimal."""
    name, _, number = value.partition("=")
    try:
        return name.strip(), Decimal(number)
    except InvalidOperation:
        raise CityCarbonError(MSG_BAD_PAIR, value=value) from None


def print_movements(lang: str | None, result: object) -> None:
    """Print the serial ranges an operation moved."""
    for m in getattr(result, "movements", ()):
        serial = format_serial(m.project_code, m.vintage_year, m.serial_start, m.serial_end)
        say(lang, MSG_MOVED, quantity=m.serial_end - m.serial_start + 1, serial=serial)


@registry_app.command("keygen")
def keygen_command(path: Path, lang: Lang = None) -> None:
    """Create an Ed25519 key pair (registry checkpoints, or a verifier's signing key)."""
    from citycarbon.services.registry_keys import create_key_pair

    public = run(lang, lambda: create_key_pair(path))
    say(lang, MSG_KEYS, private=path, public=public)


@account_app.command("open")
def open_account_command(
    code: str,
    holder: Annotated[str, typer.Option(help="Holder name")],
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Open a holding account."""
    from citycarbon.services.registry_accounts import open_account

    run(lang, lambda: open_account(database_url(db), code, holder, actor or default_actor()))
    say(lang, MSG_ACCOUNT, account=code, event="account_opened")


@account_app.command("approve-bidder")
def approve_bidder_command(code: str, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None) -> None:
    """Approve an account to bid in auctions."""
    from citycarbon.services.registry_accounts import approve_bidder

    run(lang, lambda: approve_bidder(database_url(db), code, actor or default_actor()))
    say(lang, MSG_ACCOUNT, account=code, event="bidder_approved")


@account_app.command("show")
def show_account_command(code: str, db: DatabaseUrl = None, lang: Lang = None) -> None:
    """Holdings of an account by project, vintage and state."""
    from citycarbon.services.registry_accounts import account_holdings

    for h in run(lang, lambda: account_holdings(database_url(db), code)):
        console.print(f"{h.project_code}\t{h.vintage_year}\t{h.state}\t{h.quantity_tco2e}")


@project_app.command("create")
def create_project_command(
    code: str,
    name: Annotated[str, typer.Option(help="Project name")],
    project_type: Annotated[ProjectType, typer.Option("--type")],
    region: Annotated[str, typer.Option(help="GB/T 2260 region code")],
    owner: Annotated[str, typer.Option(help="Owner's account code")],
    participant: Annotated[list[str] | None, typer.Option(help="NAME=WEIGHT, repeatable")] = None,
    participants_share: Annotated[float, typer.Option(help="Share of proceeds to participants [%]")] = 0.0,
    fund: Annotated[str | None, typer.Option(help="Benefit fund's account code")] = None,
    lat: float | None = None,
    lon: float | None = None,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Create a draft project with its participants and benefit-sharing rule."""
    from citycarbon.services.registry_projects import ProjectSpec, create_project

    def call() -> int:
        people = [parse_pair(p) for p in participant or []]
        spec = ProjectSpec(
            code,
            name,
            project_type,
            region,
            owner,
            [Participant(participant_name=n, share_weight=float(w)) for n, w in people],
            participants_share,
            fund,
            lat,
            lon,
        )
        return create_project(database_url(db), spec, actor or default_actor())

    say(lang, MSG_PROJECT, project=code, id=run(lang, call))


def _status_command(target: ProjectStatus) -> Callable[..., None]:
    def command(
        code: str, note: str = "", db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None
    ) -> None:
        from citycarbon.services.registry_projects import change_project_status

        run(
            lang,
            lambda: change_project_status(database_url(db), code, target, actor or default_actor(), note),
        )
        say(lang, MSG_STATUS, project=code, status=target.value)

    command.__doc__ = f"Move a project to '{target.value}'."
    return command


for _verb, _status in (
    ("submit", ProjectStatus.SUBMITTED),
    ("register", ProjectStatus.REGISTERED),
    ("reject", ProjectStatus.REJECTED),
    ("withdraw", ProjectStatus.WITHDRAWN),
):
    project_app.command(_verb)(_status_command(_status))


@mrv_app.command("report")
def report_command(
    project: str,
    vintage: Annotated[int, typer.Option(help="Vintage year")],
    period_from: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    period_to: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    measure: Annotated[
        list[str], typer.Option(help="SPECIES=QUANTITY (harvest t, or stem-volume change m3)")
    ],
    baseline: Annotated[float, typer.Option(help="Baseline removals [tCO2e] (forestry)")] = 0.0,
    leakage: Annotated[float, typer.Option(help="Leakage [tCO2e] (forestry)")] = 0.0,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Submit a monitoring report: measured quantities to sink tonnes with the methodology's defaults."""
    from citycarbon.services.registry_mrv import submit_monitoring_report

    def call() -> ReportSummary:
        return submit_monitoring_report(
            database_url(db),
            project,
            vintage,
            (period_from.date(), period_to.date()),
            [parse_pair(m) for m in measure],
            actor or default_actor(),
            Decimal(str(baseline)),
            Decimal(str(leakage)),
        )

    summary = run(lang, call)
    say(
        lang,
        MSG_REPORT,
        report=summary.report_id,
        sink=f"{summary.sink_tco2e:.3f}",
        issuable=summary.issuable_tco2e,
        factor_set=summary.factor_set,
    )


@registry_app.command("verify-report")
def verify_report_command(
    report_id: int,
    verifier: Annotated[str, typer.Option(help="Verifier's name")],
    key: Annotated[Path, typer.Option(help="Verifier's Ed25519 private key (PEM)")],
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Sign a monitoring report as its verifier (the inputs and result are kept with the signature)."""
    from citycarbon.services.registry_mrv import verify_report

    run(lang, lambda: verify_report(database_url(db), report_id, verifier, key, actor or default_actor()))
    say(lang, MSG_VERIFIED, report=report_id, verifier=verifier)


@registry_app.command("issue")
def issue_command(
    report_id: int, quantity: int | None = None, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None
) -> None:
    """Issue serialised units from a verified report into the project owner's account."""
    from citycarbon.services.registry_operations import issue_units

    result = run(lang, lambda: issue_units(database_url(db), report_id, actor or default_actor(), quantity))
    say(lang, MSG_DONE, event="issuance", entry=result.entry_id)
    print_movements(lang, result)


def register(app: typer.Typer) -> None:
    """Add ``citycarbon registry`` and its sub-commands to ``app``."""
    from citycarbon.cli import registry_auction_commands, registry_unit_commands

    registry_app.add_typer(account_app, name="account")
    registry_app.add_typer(project_app, name="project")
    registry_app.add_typer(mrv_app, name="mrv")
    registry_unit_commands.register(registry_app)
    registry_auction_commands.register(registry_app)
    app.add_typer(registry_app, name="registry")
