"""Sink projects: create with participants and benefit rule, then move through the status machine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.errors import MSG_BAD_PERCENT, RegistryError
from citycarbon.domain.sinks.journal import JournalRecord
from citycarbon.domain.sinks.project import (
    DEFAULT_METHODOLOGY,
    Participant,
    ProjectStatus,
    ProjectType,
    next_status,
)
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import (
    RegistryConflict,
    RegistryNotFound,
    actor_of,
    check_centre_step,
    check_holder,
)
from citycarbon.services.registry_accounts import find_account_by_id, find_accounts
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.store.registry_tables import SinkParticipant, SinkProject

MSG_UNKNOWN_PROJECT = "No sink project {project}"
MSG_PROJECT_EXISTS = "Sink project {project} already exists"


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """What a developer registers: identity, methodology, location, owner, benefit rule.

    ``participants_share_pct`` is the share of auction proceeds returned to participants [%];
    the rest goes to ``fund_account_code`` (or the owner when no fund is named).
    """

    project_code: str
    project_name: str
    project_type: ProjectType
    region_code: str
    owner_account_code: str
    participants: Sequence[Participant] = ()
    participants_share_pct: float = 0.0
    fund_account_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    methodology_code: str | None = None
    methodology_version: str | None = None


def find_project(session: Session, project_code: str, lock: bool = False) -> SinkProject:
    """The project with ``project_code`` (row-locked when ``lock``)."""
    query = select(SinkProject).where(SinkProject.project_code == project_code)
    project = session.scalars(query.with_for_update() if lock else query).first()
    if project is None:
        raise RegistryNotFound(MSG_UNKNOWN_PROJECT, project=project_code)
    return project


def create_project(url: str, spec: ProjectSpec, actor: str, *, caller: Caller | None = None) -> int:
    """Create a draft project with its participants; return its id.

    An API caller without ``registry:manage`` may only create projects its organisation owns.
    """
    if not 0 <= spec.participants_share_pct <= 100:
        raise RegistryError(MSG_BAD_PERCENT, percent=spec.participants_share_pct)
    load_region_catalogue().validate(spec.region_code)
    default_code, default_version = DEFAULT_METHODOLOGY[spec.project_type]

    def work(session: Session) -> int:
        if session.scalars(
            select(SinkProject.id).where(SinkProject.project_code == spec.project_code)
        ).first():
            raise RegistryConflict(MSG_PROJECT_EXISTS, project=spec.project_code)
        codes = [spec.owner_account_code, *([spec.fund_account_code] if spec.fund_account_code else [])]
        accounts = find_accounts(session, codes)
        owner = accounts[spec.owner_account_code]
        check_holder(caller, owner.code, owner.organisation_id)
        project = SinkProject(
            project_code=spec.project_code,
            project_name=spec.project_name,
            project_type=spec.project_type.value,
            methodology_code=spec.methodology_code or default_code,
            methodology_version=spec.methodology_version or default_version,
            region_code=spec.region_code,
            latitude=spec.latitude,
            longitude=spec.longitude,
            owner_account_id=accounts[spec.owner_account_code].id,
            fund_account_id=accounts[spec.fund_account_code].id if spec.fund_account_code else None,
            participants_share_pct=spec.participants_share_pct,
            status=ProjectStatus.DRAFT.value,
        )
        session.add(project)
        session.flush()
        session.add_all(
            SinkParticipant(
                project_id=project.id, participant_name=p.participant_name, share_weight=p.share_weight
            )
            for p in spec.participants
        )
        note = f"{spec.project_type.value} {project.methodology_code} {project.methodology_version}"
        record = JournalRecord(
            0, "project_created", utc_now(), actor_of(caller, actor), spec.project_code, note
        )
        append_entry(session, record)
        return project.id

    return run_in_registry_transaction(url, work)


def change_project_status(
    url: str,
    project_code: str,
    target: ProjectStatus,
    actor: str,
    note: str = "",
    *,
    caller: Caller | None = None,
) -> None:
    """Move a project along the status machine (submit, register, reject, withdraw).

    The owner submits and withdraws its own project; only the registry registers or rejects.
    """
    if target in (ProjectStatus.REGISTERED, ProjectStatus.REJECTED):
        check_centre_step(caller, project_code, target.value)

    def work(session: Session) -> None:
        project = find_project(session, project_code, lock=True)
        owner = find_account_by_id(session, project.owner_account_id)
        check_holder(caller, owner.code, owner.organisation_id)
        project.status = next_status(project_code, ProjectStatus(project.status), target).value
        if target is ProjectStatus.REGISTERED:
            project.registered_at = utc_now()
        append_entry(
            session,
            JournalRecord(
                0, f"project_{target.value}", utc_now(), actor_of(caller, actor), project_code, note
            ),
        )

    run_in_registry_transaction(url, work)


def project_participants(session: Session, project_id: int) -> list[Participant]:
    """The project's participants in registration order."""
    rows = session.scalars(
        select(SinkParticipant).where(SinkParticipant.project_id == project_id).order_by(SinkParticipant.id)
    )
    return [Participant(participant_name=r.participant_name, share_weight=r.share_weight) for r in rows]
