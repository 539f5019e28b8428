"""Schemas of rectification cases: lists, the timeline, actions, evidence, ratings and metrics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from citycarbon.api.deps import MAX_ID
from citycarbon.api.schemas.common import Input, Name, Schema, UtcDateTime

#: A note of up to 2,000 characters (may be empty; some actions require one).
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^[^\x00]*$")]
Severity = Literal["low", "medium", "high", "critical"]
Action = Literal[
    "assign",
    "start_inspection",
    "require_rectification",
    "submit",
    "verify_pass",
    "verify_fail",
    "close",
    "reopen",
]


class CaseIn(Input):
    """A case opened by hand (an analyst's own finding)."""

    organisation_id: int = Field(ge=1, le=MAX_ID)
    severity: Severity
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    department: Name | None = None
    note: Note = ""


class TransitionIn(Input):
    """One action on a case; ``expected_state`` refuses the action if someone moved the case first."""

    action: Action
    note: Note = ""
    department: Name | None = Field(default=None, description="assign: the handling department")
    assignee_username: str | None = Field(default=None, max_length=64, description="assign: officer")
    inspection_mode: Literal["online", "on_site"] | None = Field(default=None, description="start_inspection")
    expected_state: str | None = Field(default=None, max_length=16)


class RatingIn(Input):
    """The enterprise's satisfaction with the closure of its case."""

    score: int = Field(ge=1, le=5, description="1 (very unsatisfied) … 5 (very satisfied)")
    comment: Note = ""


class CaseSummaryOut(Schema):
    """A case as listed."""

    case_id: int
    organisation_id: int
    organisation_name: str
    region_code: str
    severity: str
    title: str
    state: str
    department: str | None
    assignee_username: str | None
    warning_id: int | None
    deadline_at: UtcDateTime
    is_overdue: bool
    escalation_level: int
    escalated_to: str | None
    reopen_count: int
    opened_at: UtcDateTime
    closed_at: UtcDateTime | None


class TransitionOut(Schema):
    """One line of the timeline: who did what, in which role, when, and why."""

    transition_id: int
    action: str
    from_state: str | None
    to_state: str
    actor_username: str
    actor_role: str
    occurred_at: UtcDateTime
    note: str


class EvidenceOut(Schema):
    """An evidence file's metadata; download it from ``…/evidence/{evidence_id}``."""

    evidence_id: int
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: UtcDateTime
    note: str


class RatingOut(Schema):
    """The enterprise's rating of one closure of the case."""

    closure_number: int
    score: int
    comment: str
    rated_by: str
    rated_at: UtcDateTime


class CaseDetailOut(Schema):
    """A case with its timeline, evidence and ratings, and what the caller may do next."""

    case: CaseSummaryOut
    inspection_mode: str | None
    deadline_set: str
    opened_by: str
    warning_evidence: dict[str, Any] | None
    warning_ids: list[int] = Field(description="Warnings the case handles: the opening one, then later ones")
    transitions: list[TransitionOut]
    evidence: list[EvidenceOut]
    ratings: list[RatingOut]
    allowed_actions: list[str]
    may_attach_evidence: bool
    may_rate: bool


class TransitionResultOut(Schema):
    """The result of an action."""

    case_id: int
    action: str
    from_state: str
    to_state: str
    actor_role: str
    version: int


class CreatedOut(Schema):
    """Id of a created record."""

    id: int


class CaseMetricsRowOut(Schema):
    """Metrics of one (region, department) group; ``*`` stands for all."""

    region_code: str
    region_name: str
    department: str
    cases_opened: int
    cases_closed: int
    average_handling_days: float | None = Field(description="Mean days from opening to closure [day]")
    on_time_rate: float | None = Field(description="Share of closed cases closed by their deadline (0–1)")
    reopen_rate: float | None = Field(description="Share of cases reopened at least once (0–1)")
    mean_satisfaction: float | None = Field(description="Mean latest rating (1–5)")
    rated_count: int
    open_count: int
    overdue_count: int


class CaseMetricsOut(Schema):
    """Case metrics of a period under one region."""

    region_code: str | None
    start: UtcDateTime
    end: UtcDateTime
    as_of: UtcDateTime
    rows: list[CaseMetricsRowOut]
    total: CaseMetricsRowOut
