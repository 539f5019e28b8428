"""Schemas every resource shares: the problem document, pages, and safe text fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from citycarbon.domain.clock import as_utc

T = TypeVar("T")

#: Printable text: no NUL or other C0 control characters (PostgreSQL cannot store NUL in text,
#: and control characters in names only ever come from broken clients or probes).
_PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(max_length: int) -> Any:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=_PRINTABLE)


#: A timestamp rendered with its UTC offset (RFC 3339), whatever the backend returned.
UtcDateTime = Annotated[dt.datetime, AfterValidator(as_utc)]

#: Printable, stripped, non-empty text of bounded length.
Code = Annotated[str, _text(48)]
UserName = Annotated[str, StringConstraints(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Name = Annotated[str, _text(200)]
LongText = Annotated[str, _text(500)]


class Schema(BaseModel):
    """Base of response schemas: built from service dataclasses by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Input(BaseModel):
    """Base of request schemas: unknown fields are errors, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class ProblemItem(Schema):
    """One problem of an uploaded file or submitted record."""

    row: int | None
    column: str | None
    message: str


class FieldError(Schema):
    """One invalid field of a request."""

    location: list[str]
    message: str


class Problem(Schema):
    """RFC 9457 problem details; ``detail`` is in the caller's language."""

    type: str = Field(description="URI identifying the kind of problem")
    title: str
    status: int
    detail: str
    instance: str
    problems: list[ProblemItem] | None = None
    errors: list[FieldError] | None = None


class Page(Schema, Generic[T]):
    """One page of a list; ask for ``offset=next_offset`` to get the next one."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem statuses a route can answer with."""
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {status: {"model": Problem, "content": content, "description": "Problem"} for status in statuses}


#: Statuses any authenticated route may answer with.
COMMON_PROBLEMS = (401, 403, 413, 422, 429)
