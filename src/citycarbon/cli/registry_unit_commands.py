"""``citycarbon registry`` commands on units and on the journal: transfer, retire, verify, export."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from citycarbon.cli.app import DatabaseUrl, Lang, database_url
from citycarbon.cli.registry_commands import Actor, console, default_actor, print_movements, run, say
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.sinks.blocks import SerialRange, UnitState

if TYPE_CHECKING:
    from citycarbon.services.registry_operations import RetirementClaim

MSG_CLEAN = (
    "Journal verified: {entries} entries, {checkpoints} checkpoint(s), {reports} signed report(s); "
    "balances match"
)
MSG_BROKEN = "Broken link at journal entry {seq} ({reason})"
MSG_CONFLICT = "Journal entry {seq} moves units that were not held where it says"
MSG_MISMATCH = "Stored blocks differ from the journal at {range}"
MSG_BAD_CHECKPOINTS = "Checkpoint signature(s) invalid at entries {seqs}"
MSG_BAD_REPORTS = "Monitoring report(s) {reports} no longer match their verifier's signature"
MSG_CHECKPOINT = "Checkpoint signed at entry {seq}: {hash}"
MSG_EXPORTED = "{entries} journal entries written to {file}"
MSG_EXPORT_OK = "Export verified: {entries} entries, signed up to entry {seq} by {key}"
MSG_NO_CHECKPOINT = "The export has no checkpoint signed with this key"
MSG_REPORT_FAILED = "Registry verification failed"
MSG_SERIALS_NEED = "--serials START-END needs --project and --vintage, and no quantity"

Project = Annotated[str | None, typer.Option(help="Only units of this project")]
Vintage = Annotated[int | None, typer.Option(help="Only units of this vintage")]
Serials = Annotated[
    str | None, typer.Option(help="Exactly these serials, START-END (with --project and --vintage)")
]
Quantity = Annotated[int | None, typer.Argument(help="Tonnes (lowest serials first); omit with --serials")]


def serial_range(
    quantity: int | None, serials: str | None, project: str | None, vintage: int | None
) -> SerialRange | None:
    """The named serial range, or ``None`` when the command moves a quantity."""
    if serials is None:
        if quantity is None:
            raise CityCarbonError(MSG_SERIALS_NEED)
        return None
    start, _, end = serials.partition("-")
    if quantity is not None or project is None or vintage is None or not (start.isdigit() and end.isdigit()):
        raise CityCarbonError(MSG_SERIALS_NEED)
    return SerialRange(project, vintage, int(start), int(end))


def transfer_command(
    from_account: str,
    to_account: str,
    quantity: Quantity = None,
    project: Project = None,
    vintage: Vintage = None,
    serials: Serials = None,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Transfer active units between accounts (lowest serials first, or exactly --serials)."""
    from citycarbon.services.registry_operations import OperationResult, transfer_serials, transfer_units

    url, who = database_url(db), actor or default_actor()

    def call() -> OperationResult:
        wanted = serial_range(quantity, serials, project, vintage)
        if wanted is not None:
            return transfer_serials(url, from_account, to_account, wanted, who)
        assert quantity is not None
        return transfer_units(url, from_account, to_account, quantity, who, project, vintage)

    print_movements(lang, run(lang, call))


def _retire(
    lang: str | None,
    url: str,
    account: str,
    quantity: int | None,
    units: tuple[str | None, int | None, str | None],
    claim: RetirementClaim,
    who: str,
) -> None:
    from citycarbon.services.registry_operations import OperationResult, retire_serials, retire_units

    project, vintage, serials = units

    def call() -> OperationResult:
        wanted = serial_range(quantity, serials, project, vintage)
        if wanted is not None:
            return retire_serials(url, account, wanted, claim, who)
        assert quantity is not None
        return retire_units(
            url, account, quantity, claim.beneficiary_name, claim.purpose, who, project, vintage, claim.state
        )

    print_movements(lang, run(lang, call))


def retire_command(
    account: str,
    beneficiary: Annotated[str, typer.Option(help="On whose behalf the units are retired")],
    purpose: Annotated[str, typer.Option(help="What the retirement claims, e.g. 2023 event neutrality")],
    quantity: Quantity = None,
    project: Project = None,
    vintage: Vintage = None,
    serials: Serials = None,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Retire units for good, for a beneficiary and purpose."""
    from citycarbon.services.registry_operations import RetirementClaim

    claim = RetirementClaim(beneficiary, purpose)
    units = (project, vintage, serials)
    _retire(lang, database_url(db), account, quantity, units, claim, actor or default_actor())


def cancel_command(
    account: str,
    reason: Annotated[str, typer.Option(help="Why the units are cancelled")],
    quantity: Quantity = None,
    project: Project = None,
    vintage: Vintage = None,
    serials: Serials = None,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Cancel units (e.g. a reversal of the sink); they can never be used again."""
    from citycarbon.services.registry_operations import RetirementClaim

    claim = RetirementClaim("registry", reason, UnitState.CANCELLED)
    units = (project, vintage, serials)
    _retire(lang, database_url(db), account, quantity, units, claim, actor or default_actor())


def sign_command(
    key: Annotated[Path, typer.Option(help="Your Ed25519 private key (PEM); it is only read here")],
    message: Annotated[str, typer.Argument(help="Text to sign, e.g. a report's signing message")],
    lang: Lang = None,
) -> None:
    """Sign a message offline and print the public key and signature as JSON (for the API)."""
    from citycarbon.services.registry_keys import load_private_key, public_key_hex, sign

    private = run(lang, lambda: load_private_key(key))
    signed = {
        "public_key_hex": public_key_hex(private.public_key()),
        "signature_hex": sign(private, message.encode()),
    }
    console.print_json(json.dumps(signed))


def split_command(
    block_id: int, quantity: int, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None
) -> None:
    """Split a block after its first QUANTITY units."""
    from citycarbon.services.registry_operations import split_unit_block

    ids = run(lang, lambda: split_unit_block(database_url(db), block_id, quantity, actor or default_actor()))
    console.print(f"{ids[0]} {ids[1]}")


def verify_command(db: DatabaseUrl = None, lang: Lang = None) -> None:
    """Recompute the hash chain and the balances from the journal; report the first broken link."""
    from citycarbon.services.registry_verify import verify_registry

    report = run(lang, lambda: verify_registry(database_url(db)))
    if report.broken_link is not None:
        say(lang, MSG_BROKEN, seq=report.broken_link.seq, reason=report.broken_link.reason)
    if report.replay_conflict_seq is not None:
        say(lang, MSG_CONFLICT, seq=report.replay_conflict_seq)
    if report.balance_mismatch is not None:
        say(lang, MSG_MISMATCH, range=report.balance_mismatch)
    if report.bad_checkpoints:
        say(lang, MSG_BAD_CHECKPOINTS, seqs=", ".join(map(str, report.bad_checkpoints)))
    if report.bad_reports:
        say(lang, MSG_BAD_REPORTS, reports=", ".join(map(str, report.bad_reports)))
    if not report.ok:
        say(lang, MSG_REPORT_FAILED)
        raise typer.Exit(1)
    say(
        lang,
        MSG_CLEAN,
        entries=report.entries_checked,
        checkpoints=report.checkpoints_checked,
        reports=report.reports_checked,
    )


def checkpoint_command(
    key: Annotated[Path, typer.Option(help="Registry's Ed25519 private key (PEM)")],
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Sign the current head of the journal with the registry key."""
    from citycarbon.services.registry_export import create_checkpoint

    checkpoint = run(lang, lambda: create_checkpoint(database_url(db), key))
    say(lang, MSG_CHECKPOINT, seq=checkpoint.seq, hash=checkpoint.entry_hash)


def export_command(file: Path, db: DatabaseUrl = None, lang: Lang = None) -> None:
    """Export the sealed journal and its signed checkpoints as JSON."""
    from citycarbon.services.registry_export import export_journal

    count = run(lang, lambda: export_journal(database_url(db), file))
    say(lang, MSG_EXPORTED, entries=count, file=file)


def verify_export_command(
    file: Path,
    public_key: Annotated[Path, typer.Option(help="Registry's public key (PEM)")],
    lang: Lang = None,
) -> None:
    """Verify an exported journal offline with the registry's public key alone."""
    from citycarbon.services.registry_export import verify_export
    from citycarbon.services.registry_keys import load_public_key, public_key_hex

    key_hex = run(lang, lambda: public_key_hex(load_public_key(public_key)))
    result = run(lang, lambda: verify_export(file, key_hex))
    if result.broken_link is not None:
        say(lang, MSG_BROKEN, seq=result.broken_link.seq, reason=result.broken_link.reason)
    if result.replay_conflict_seq is not None:
        say(lang, MSG_CONFLICT, seq=result.replay_conflict_seq)
    if result.bad_checkpoints:
        say(lang, MSG_BAD_CHECKPOINTS, seqs=", ".join(map(str, result.bad_checkpoints)))
    if result.checkpoints_valid == 0:
        say(lang, MSG_NO_CHECKPOINT)
    if not result.ok:
        raise typer.Exit(1)
    say(lang, MSG_EXPORT_OK, entries=result.entries_checked, seq=result.last_signed_seq, key=key_hex[:16])


def public_command(
    project: Project = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """The public registry: projects, issuances, serial blocks with retirements."""
    from citycarbon.services.registry_public import public_registry

    view = run(lang, lambda: public_registry(database_url(db), project))
    if as_json:
        console.print_json(json.dumps(asdict(view), ensure_ascii=False))
        return
    for p in view.projects:
        console.print(f"{p.project_code}\t{p.project_name}\t{p.project_type}\t{p.methodology}\t{p.status}")
    for i in view.issuances:
        console.print(f"{i.serial}\t{i.quantity_tco2e}\treport {i.report_id}\t{i.verifier_name}")
    for b in view.blocks:
        retired = f"\t{b.beneficiary_name}: {b.purpose}" if b.beneficiary_name else ""
        console.print(f"{b.serial}\t{b.quantity_tco2e}\t{b.state}\t{b.account_code}{retired}")


def register(registry_app: typer.Typer) -> None:
    """Add the unit and journal commands to ``citycarbon registry``."""
    for name, command in (
        ("transfer", transfer_command),
        ("retire", retire_command),
        ("cancel", cancel_command),
        ("sign", sign_command),
        ("split", split_command),
        ("verify", verify_command),
        ("checkpoint", checkpoint_command),
        ("export", export_command),
        ("verify-export", verify_export_command),
        ("public", public_command),
    ):
        registry_app.command(name)(command)
