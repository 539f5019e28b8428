"""Sink projects: their types, methodologies and the status machine from draft to registered.

A project is only registered once a reviewer has seen its design; units can only be issued to
registered projects, so the status machine is the first of the registry's integrity checks.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from citycarbon.domain.sinks.errors import MSG_BAD_TRANSITION, RegistryError


class ProjectType(StrEnum):
    """Kinds of sink the registry accepts (issue 6 §1)."""

    SHELLFISH = "shellfish"
    SEAWEED = "seaweed"
    FORESTRY = "forestry"
    OTHER = "other"


class ProjectStatus(StrEnum):
    """Life cycle of a project; ``registered`` is the only status that allows issuance."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REGISTERED = "registered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Allowed transitions: a rejected project may be resubmitted after correction.
TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.DRAFT: frozenset({ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN}),
    ProjectStatus.SUBMITTED: frozenset(
        {ProjectStatus.REGISTERED, ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN}
    ),
    ProjectStatus.REJECTED: frozenset({ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN}),
    ProjectStatus.REGISTERED: frozenset(),
    ProjectStatus.WITHDRAWN: frozenset(),
}

#: Methodology each project type is accounted with by default (code, version).
DEFAULT_METHODOLOGY: dict[ProjectType, tuple[str, str]] = {
    ProjectType.SHELLFISH: ("HY/T 0305", "2021"),
    ProjectType.SEAWEED: ("HY/T 0305", "2021"),
    ProjectType.FORESTRY: ("CCER-14-001", "V01"),
    ProjectType.OTHER: ("other", "1"),
}


def next_status(project_code: str, current: ProjectStatus, target: ProjectStatus) -> ProjectStatus:
    """Return ``target`` when the machine allows the step from ``current``.

    Raises
    ------
    RegistryError
        When the transition is not allowed (for example draft straight to registered).

    Examples
    --------
    >>> next_status("P1", ProjectStatus.DRAFT, ProjectStatus.SUBMITTED).value
    'submitted'

    """
    if target not in TRANSITIONS[current]:
        raise RegistryError(
            MSG_BAD_TRANSITION, project=project_code, current=current.value, target=target.value
        )
    return target


class Participant(BaseModel):
    """A household or body that shares in a project's proceeds.

    Parameters
    ----------
    participant_name
        Name as registered (for example the head of a farming household).
    share_weight
        Contribution the split is pro rata to, e.g. mussel harvest [t] or rafts farmed; any
        positive number, only ratios matter.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    participant_name: str = Field(min_length=1, max_length=200)
    share_weight: float = Field(gt=0)
