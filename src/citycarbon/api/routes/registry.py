"""The carbon-sink registry: public view, accounts, projects, monitoring reports, issuance, journal.

Three permissions divide the work: ``registry:manage`` (the centre: registers projects,
approves bidders, issues units, runs auctions), ``registry:trade`` (enterprises and banks, on
their own organisation's accounts only — the services check the holder), and
``registry:verify`` (verifiers, on the projects of organisations they are assigned to). Unit
movements and auctions are in :mod:`citycarbon.api.routes.registry_market`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from citycarbon.api.deps import AggregateReader, DatabaseUrl, ObjectId, allow
from citycarbon.api.routes.registry_market import (
    WRITES,
    RegistryManager,
    RegistryTrader,
    operation_out,
    router,
)
from citycarbon.api.schemas.common import Name
from citycarbon.api.schemas.registry import PublicRegistryOut
from citycarbon.api.schemas.registry_market import OperationOut
from citycarbon.api.schemas.registry_ops import (
    AccountIn,
    AccountOut,
    DecisionIn,
    HoldingOut,
    IssuanceIn,
    JournalVerificationOut,
    NoteIn,
    ProjectIn,
    ProjectOut,
    ReportIn,
    ReportOut,
    SigningMessageOut,
    VerificationIn,
    VerificationOut,
)
from citycarbon.domain.access.roles import Permission
from citycarbon.domain.sinks.project import Participant, ProjectStatus
from citycarbon.services import (
    registry_accounts,
    registry_mrv,
    registry_operations,
    registry_projects,
    registry_public,
    registry_verify,
)
from citycarbon.services.caller import Caller

__all__ = ["router"]

RegistryVerifier = Annotated[Caller, allow(Permission.REGISTRY_VERIFY)]
API_ACTOR = "api"

ProjectCode = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Only this project's records")
]
CodeInPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


@router.get("/registry/public", response_model=PublicRegistryOut)
def get_public_registry(
    _: AggregateReader, url: DatabaseUrl, project_code: ProjectCode = None
) -> PublicRegistryOut:
    """Projects, issuances (serials, verifier), serial blocks and retirements (beneficiary, purpose)."""
    return PublicRegistryOut.model_validate(registry_public.public_registry(url, project_code))


@router.post("/registry/accounts", response_model=AccountOut, status_code=201, responses=WRITES)
def open_account(body: AccountIn, caller: RegistryTrader, url: DatabaseUrl) -> AccountOut:
    """Open a holding account: for the caller's own organisation (``registry:manage``: any)."""
    ref = registry_accounts.open_account(
        url, body.account_code, body.holder_name, API_ACTOR, body.organisation_id, caller=caller
    )
    return AccountOut(account_code=ref.code, organisation_id=ref.organisation_id)


@router.get("/registry/accounts/{account_code}/holdings", response_model=list[HoldingOut], responses=WRITES)
def get_holdings(account_code: CodeInPath, caller: RegistryTrader, url: DatabaseUrl) -> list[HoldingOut]:
    """Units of an account by project, vintage and state (own accounts; the centre's reads are audited)."""
    holdings = registry_accounts.account_holdings(url, account_code, caller=caller)
    return [HoldingOut.model_validate(h) for h in holdings]


@router.post("/registry/accounts/{account_code}/bidder-approval", status_code=204, responses=WRITES)
def approve_bidder(account_code: CodeInPath, caller: RegistryManager, url: DatabaseUrl) -> None:
    """Approve an account to bid in auctions (the centre checks who the bidder is first)."""
    registry_accounts.approve_bidder(url, account_code, API_ACTOR, caller=caller)


def _project_out(code: str, status: ProjectStatus, project_id: int = 0) -> ProjectOut:
    return ProjectOut(project_id=project_id, project_code=code, status=status.value)


@router.post("/registry/projects", response_model=ProjectOut, status_code=201, responses=WRITES)
def create_project(body: ProjectIn, caller: RegistryTrader, url: DatabaseUrl) -> ProjectOut:
    """Create a draft project owned by one of the caller's accounts, with participants and benefit rule."""
    spec = registry_projects.ProjectSpec(
        body.project_code,
        body.project_name,
        body.project_type,
        body.region_code,
        body.owner_account_code,
        [
            Participant(participant_name=p.participant_name, share_weight=p.share_weight)
            for p in body.participants
        ],
        body.participants_share_pct,
        body.fund_account_code,
        body.latitude,
        body.longitude,
    )
    project_id = registry_projects.create_project(url, spec, API_ACTOR, caller=caller)
    return _project_out(body.project_code, ProjectStatus.DRAFT, project_id)


def _change_status(
    url: str, caller: Caller, code: str, status: ProjectStatus, note: str | None
) -> ProjectOut:
    registry_projects.change_project_status(url, code, status, API_ACTOR, note or "", caller=caller)
    return _project_out(code, status)


@router.post("/registry/projects/{project_code}/submission", response_model=ProjectOut, responses=WRITES)
def submit_project(
    project_code: CodeInPath, body: NoteIn, caller: RegistryTrader, url: DatabaseUrl
) -> ProjectOut:
    """Submit the owner's draft (or corrected, rejected) project for registration."""
    return _change_status(url, caller, project_code, ProjectStatus.SUBMITTED, body.note)


@router.post("/registry/projects/{project_code}/withdrawal", response_model=ProjectOut, responses=WRITES)
def withdraw_project(
    project_code: CodeInPath, body: NoteIn, caller: RegistryTrader, url: DatabaseUrl
) -> ProjectOut:
    """Withdraw the owner's project for good."""
    return _change_status(url, caller, project_code, ProjectStatus.WITHDRAWN, body.note)


@router.post("/registry/projects/{project_code}/decision", response_model=ProjectOut, responses=WRITES)
def decide_project(
    project_code: CodeInPath, body: DecisionIn, caller: RegistryManager, url: DatabaseUrl
) -> ProjectOut:
    """Register or reject a submitted project (only registered projects receive units)."""
    return _change_status(url, caller, project_code, ProjectStatus(body.status), body.note)


@router.post(
    "/registry/projects/{project_code}/reports", response_model=ReportOut, status_code=201, responses=WRITES
)
def submit_report(
    project_code: CodeInPath, body: ReportIn, caller: RegistryTrader, url: DatabaseUrl
) -> ReportOut:
    """Submit a monitoring report: measured quantities to sink tonnes with the methodology's defaults."""
    summary = registry_mrv.submit_monitoring_report(
        url,
        project_code,
        body.vintage_year,
        (body.period_start_date, body.period_end_date),
        [(m.species_code, m.quantity) for m in body.measurements],
        API_ACTOR,
        body.baseline_tco2e,
        body.leakage_tco2e,
        caller=caller,
    )
    return ReportOut.model_validate(summary)


@router.get(
    "/registry/reports/{report_id}/signing-message", response_model=SigningMessageOut, responses=WRITES
)
def get_signing_message(
    report_id: ObjectId,
    verifier_name: Annotated[Name, Query(description="Your name as it will appear in the registry")],
    caller: RegistryVerifier,
    url: DatabaseUrl,
) -> SigningMessageOut:
    """The report's conclusion and digest, and the exact message to sign with your Ed25519 key."""
    return SigningMessageOut.model_validate(
        registry_mrv.report_message(url, report_id, verifier_name, caller=caller)
    )


@router.post("/registry/reports/{report_id}/verification", response_model=VerificationOut, responses=WRITES)
def verify_report(
    report_id: ObjectId, body: VerificationIn, caller: RegistryVerifier, url: DatabaseUrl
) -> VerificationOut:
    """Record your signature of the report's message; the private key never leaves your machine."""
    signature = registry_mrv.record_verification(
        url, report_id, body.verifier_name, body.public_key_hex, body.signature_hex, API_ACTOR, caller=caller
    )
    return VerificationOut(
        report_id=report_id, status="verified", verifier_name=body.verifier_name, signature_hex=signature
    )


@router.post(
    "/registry/reports/{report_id}/issuance", response_model=OperationOut, status_code=201, responses=WRITES
)
def issue_units(
    report_id: ObjectId, body: IssuanceIn, caller: RegistryManager, url: DatabaseUrl
) -> OperationOut:
    """Issue serialised units from a verified, intact report into the project owner's account."""
    result = registry_operations.issue_units(url, report_id, API_ACTOR, body.quantity_tco2e, caller=caller)
    return operation_out(result)


@router.post("/registry/journal/verification", response_model=JournalVerificationOut, responses=WRITES)
def verify_journal(_: RegistryVerifier, url: DatabaseUrl) -> JournalVerificationOut:
    """Recompute the hash chain, replay every movement into balances, check every signature."""
    report = registry_verify.verify_registry(url)
    broken = report.broken_link
    return JournalVerificationOut(
        ok=report.ok,
        entries_checked=report.entries_checked,
        broken_link_seq=broken.seq if broken else None,
        broken_link_reason=broken.reason if broken else None,
        replay_conflict_seq=report.replay_conflict_seq,
        balance_mismatch=str(report.balance_mismatch) if report.balance_mismatch else None,
        checkpoints_checked=report.checkpoints_checked,
        bad_checkpoints=report.bad_checkpoints,
        reports_checked=report.reports_checked,
        bad_reports=report.bad_reports,
    )
