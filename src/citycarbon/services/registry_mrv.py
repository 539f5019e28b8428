"""Monitoring reports: compute sink tonnes from measured data, then have a verifier sign them.

A report keeps each measured quantity, the sink computed from it and every default parameter
used (value, unit, source, status), plus a SHA-256 digest of all of that. The verifier signs the
digest with their own Ed25519 key; issuance re-checks both, so a report edited after signing
cannot be issued from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import JournalRecord
from citycarbon.domain.sinks.mrv import (
    MeasuredQuantity,
    SinkLine,
    compute_forestry_report,
    compute_shellfish_report,
    issuable_tonnes,
)
from citycarbon.domain.sinks.project import ProjectType
from citycarbon.refdata.sinks import load_forestry_parameters, load_shellfish_parameters
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import (
    RegistryConflict,
    RegistryNotFound,
    actor_of,
    check_holder,
    check_verifier,
)
from citycarbon.services.registry_accounts import find_account_by_id
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_keys import load_private_key, public_key_hex, sign, signature_is_valid
from citycarbon.services.registry_projects import find_project
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_tables import (
    SinkMonitoringLine,
    SinkMonitoringParameter,
    SinkMonitoringReport,
    SinkProject,
)

MSG_NO_METHOD = "Project type {project_type} has no MRV calculator; enter its report as 'other'"
MSG_UNKNOWN_REPORT = "No monitoring report {report}"
MSG_REPORT_STATUS = "Monitoring report {report} is {status}, not {expected}"
MSG_REPORT_ALTERED = "Monitoring report {report} no longer matches its digest or its signature"
MSG_NO_MEASUREMENTS = "A monitoring report needs at least one measured quantity"
MSG_BAD_SIGNATURE = "The signature is not valid for report {report} with public key {public_key}"


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What a report concluded: its id, the sink, and what may be issued from it."""

    report_id: int
    sink_tco2e: float
    issuable_tco2e: int
    factor_set: str
    inputs_sha256: str


def _compute(
    project: SinkProject, measured: Sequence[tuple[str, Decimal]], baseline: Decimal, leakage: Decimal
) -> tuple[tuple[SinkLine, ...], str]:
    kind = ProjectType(project.project_type)
    if kind in (ProjectType.SHELLFISH, ProjectType.SEAWEED):
        book, factor_set = load_shellfish_parameters()
        harvests = [MeasuredQuantity(code, quantity, "t") for code, quantity in measured]
        return compute_shellfish_report(harvests, book, factor_set), factor_set
    if kind is ProjectType.FORESTRY:
        book, factor_set = load_forestry_parameters()
        strata = [MeasuredQuantity(code, quantity, "m**3") for code, quantity in measured]
        return compute_forestry_report(strata, book, factor_set, baseline, leakage), factor_set
    raise RegistryError(MSG_NO_METHOD, project_type=kind.value)


def submit_monitoring_report(
    url: str,
    project_code: str,
    vintage_year: int,
    period: tuple[dt.date, dt.date],
    measured: Sequence[tuple[str, Decimal]],
    actor: str,
    baseline_tco2e: Decimal = Decimal(0),
    leakage_tco2e: Decimal = Decimal(0),
    *,
    caller: Caller | None = None,
) -> ReportSummary:
    """Compute and store a monitoring report of a project for one vintage.

    Parameters
    ----------
    url
        Database URL.
    project_code
        Registry code of the project.
    vintage_year
        Year of the removals.
    period
        First and last day of the monitoring period.
    measured
        ``(species_code, quantity)`` pairs: harvested wet weight [t] for shellfish and seaweed,
        stem-volume change [m^3] for forestry.
    actor
        Who submits (journal).
    baseline_tco2e, leakage_tco2e
        Baseline removals and leakage [tCO2e] deducted from a forestry project's removals.
    caller
        API caller: without ``registry:manage`` it must hold the project's owner account.

    """
    if not measured:
        raise RegistryError(MSG_NO_MEASUREMENTS)

    def work(session: Session) -> ReportSummary:
        project = find_project(session, project_code)
        owner = find_account_by_id(session, project.owner_account_id)
        check_holder(caller, owner.code, owner.organisation_id)
        lines, factor_set = _compute(project, measured, baseline_tco2e, leakage_tco2e)
        total = sum((line.sink_tco2e for line in lines), Decimal(0))
        report = SinkMonitoringReport(
            project_id=project.id,
            vintage_year=vintage_year,
            period_start_date=period[0],
            period_end_date=period[1],
            factor_set=factor_set,
            sink_tco2e=float(total),
            issuable_tco2e=issuable_tonnes(lines),
            inputs_sha256="",
        )
        session.add(report)
        session.flush()
        for line in lines:
            _store_line(session, report.id, line)
        report.inputs_sha256 = report_digest(session, report)
        note = f"{float(total):.3f} tCO2e, issuable {report.issuable_tco2e} t, {factor_set}"
        append_entry(
            session,
            JournalRecord(
                0, "report_submitted", utc_now(), actor_of(caller, actor), f"report:{report.id}", note
            ),
        )
        return ReportSummary(
            report.id, report.sink_tco2e, report.issuable_tco2e, factor_set, report.inputs_sha256
        )

    return run_in_registry_transaction(url, work)


def _store_line(session: Session, report_id: int, line: SinkLine) -> None:
    row = SinkMonitoringLine(
        report_id=report_id,
        species_code=line.species_code,
        quantity=float(line.quantity),
        unit=line.unit,
        sink_tco2e=float(line.sink_tco2e),
    )
    session.add(row)
    session.flush()
    session.add_all(
        SinkMonitoringParameter(
            line_id=row.id,
            parameter=p.parameter,
            value=float(p.value),
            unit=p.unit,
            status=p.status,
            source=p.source,
        )
        for p in line.parameters
    )
    session.flush()


def report_digest(session: Session, report: SinkMonitoringReport) -> str:
    """SHA-256 of the report's stored inputs and results (what the verifier's signature covers)."""
    lines = session.scalars(
        select(SinkMonitoringLine)
        .where(SinkMonitoringLine.report_id == report.id)
        .order_by(SinkMonitoringLine.id)
    ).all()
    content = {
        "project_id": report.project_id,
        "vintage_year": report.vintage_year,
        "period": [report.period_start_date.isoformat(), report.period_end_date.isoformat()],
        "factor_set": report.factor_set,
        "issuable_tco2e": report.issuable_tco2e,
        "lines": [_line_content(session, line) for line in lines],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _line_content(session: Session, line: SinkMonitoringLine) -> list[object]:
    parameters = session.scalars(
        select(SinkMonitoringParameter)
        .where(SinkMonitoringParameter.line_id == line.id)
        .order_by(SinkMonitoringParameter.id)
    ).all()
    return [
        line.species_code,
        repr(line.quantity),
        line.unit,
        repr(line.sink_tco2e),
        [[p.parameter, repr(p.value), p.unit, p.status, p.source] for p in parameters],
    ]


def signed_message(report: SinkMonitoringReport) -> bytes:
    """Bytes a verifier signs: the report, its digest, what it allows to issue, and who verified it."""
    parts = (
        "citycarbon-mrv-report/1",
        report.id,
        report.inputs_sha256,
        report.issuable_tco2e,
        report.verifier_name,
    )
    return "|".join(str(p) for p in parts).encode("utf-8")


def get_report(session: Session, report_id: int, lock: bool = False) -> SinkMonitoringReport:
    """The report with ``report_id`` (row-locked when ``lock``)."""
    report = session.get(SinkMonitoringReport, report_id, with_for_update=lock)
    if report is None:
        raise RegistryNotFound(MSG_UNKNOWN_REPORT, report=report_id)
    return report


def verify_report(url: str, report_id: int, verifier_name: str, key_path: Path, actor: str) -> str:
    """Record a verifier's review: check the stored inputs, sign them, mark the report verified.

    The local form: the verifier's private key file is at hand. Over the API the verifier signs
    :func:`report_message` on its own machine and sends only the signature
    (:func:`record_verification`), so the private key never reaches the server.
    """
    key = load_private_key(key_path)

    def work(session: Session) -> str:
        report = _reviewable(session, report_id)
        report.verifier_name = verifier_name
        return _sign_off(
            session, report, public_key_hex(key.public_key()), sign(key, signed_message(report)), actor
        )

    return run_in_registry_transaction(url, work)


def _reviewable(session: Session, report_id: int) -> SinkMonitoringReport:
    report = get_report(session, report_id, lock=True)
    if report.status != "submitted":
        raise RegistryConflict(
            MSG_REPORT_STATUS, report=report_id, status=report.status, expected="submitted"
        )
    if report_digest(session, report) != report.inputs_sha256:
        raise RegistryError(MSG_REPORT_ALTERED, report=report_id)
    return report


def _sign_off(
    session: Session, report: SinkMonitoringReport, public_hex: str, signature_hex: str, actor: str
) -> str:
    report.verifier_public_key = public_hex
    report.verifier_signature = signature_hex
    report.verified_at = utc_now()
    report.status = "verified"
    note = report.verifier_name or ""
    append_entry(session, JournalRecord(0, "report_verified", utc_now(), actor, f"report:{report.id}", note))
    return signature_hex


def _check_report_verifier(session: Session, report: SinkMonitoringReport, caller: Caller | None) -> None:
    project = session.get_one(SinkProject, report.project_id)
    owner = find_account_by_id(session, project.owner_account_id)
    check_verifier(caller, project.project_code, owner.organisation_id)


@dataclass(frozen=True, slots=True)
class ReportForSigning:
    """What a verifier reviews and signs: the report's conclusion, digest and the exact message."""

    report_id: int
    project_code: str
    vintage_year: int
    status: str
    sink_tco2e: float
    issuable_tco2e: int
    factor_set: str
    inputs_sha256: str
    verifier_name: str
    message: str


def report_message(
    url: str, report_id: int, verifier_name: str, *, caller: Caller | None = None
) -> ReportForSigning:
    """The message ``verifier_name`` signs to verify a report (UTF-8 bytes of ``message``)."""

    def work(session: Session) -> ReportForSigning:
        report = get_report(session, report_id)
        _check_report_verifier(session, report, caller)
        session.expunge(report)  # the name below is for the message only, never written
        report.verifier_name = verifier_name
        project = session.get_one(SinkProject, report.project_id)
        return ReportForSigning(
            report.id,
            project.project_code,
            report.vintage_year,
            report.status,
            report.sink_tco2e,
            report.issuable_tco2e,
            report.factor_set,
            report.inputs_sha256,
            verifier_name,
            signed_message(report).decode("utf-8"),
        )

    with unit_of_work(url) as session:
        return work(session)


def record_verification(
    url: str,
    report_id: int,
    verifier_name: str,
    public_key: str,
    signature: str,
    actor: str,
    *,
    caller: Caller | None = None,
) -> str:
    """Record a verifier's signature made elsewhere over :func:`report_message`.

    Parameters
    ----------
    url
        Database URL.
    report_id
        The submitted report.
    verifier_name
        Verifier's name, as in the signed message.
    public_key, signature
        The verifier's Ed25519 public key (32 bytes) and signature (64 bytes), as hex.
    actor
        Who records it (journal), when there is no API caller.
    caller
        API caller: without ``registry:manage`` it must be a verifier assigned to the project
        owner's organisation.

    """

    def work(session: Session) -> str:
        report = _reviewable(session, report_id)
        _check_report_verifier(session, report, caller)
        report.verifier_name = verifier_name
        if not signature_is_valid(public_key, signature, signed_message(report)):
            raise RegistryError(MSG_BAD_SIGNATURE, public_key=public_key[:16], report=report_id)
        return _sign_off(session, report, public_key.lower(), signature.lower(), actor_of(caller, actor))

    return run_in_registry_transaction(url, work)


def report_is_intact(session: Session, report: SinkMonitoringReport) -> bool:
    """Whether a verified report's inputs still match its digest and the verifier's signature."""
    if report.verifier_public_key is None or report.verifier_signature is None:
        return False
    if report_digest(session, report) != report.inputs_sha256:
        return False
    return signature_is_valid(report.verifier_public_key, report.verifier_signature, signed_message(report))
