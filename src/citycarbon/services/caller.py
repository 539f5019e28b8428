"""Who is calling and from where: what every platform use case needs to decide and to audit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from citycarbon.domain.access.roles import Principal

T = TypeVar("T")

#: Largest page any list returns, however many rows are asked for (issue 4 §6).
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal of a request and the address it came from (recorded in the audit log)."""

    principal: Principal
    client_address: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; ``next_offset`` is ``None`` on the last page."""

    items: Sequence[T]
    limit: int
    offset: int
    next_offset: int | None


def paginate(rows: Sequence[T], limit: int, offset: int) -> Page[T]:
    """Cut a page from rows fetched with ``limit + 1`` (the extra row only signals more)."""
    more = len(rows) > limit
    return Page(rows[:limit], limit, offset, offset + limit if more else None)


def page_limit(limit: int) -> int:
    """Clamp a requested page size to ``1 … MAX_PAGE_SIZE``."""
    return max(1, min(limit, MAX_PAGE_SIZE))
