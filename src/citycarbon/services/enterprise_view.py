"""What the enterprise page shows: one organisation's results, grade, and scope-checked reports.

:func:`citycarbon.services.reporting.build_report` looks an organisation up by credit code and
checks nobody's access, because the CLI runs it for the operator; the web hands it to signed-in
users, so :func:`organisation_report` checks the caller's scope (and audits outside reads) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citycarbon.services.caller import Caller
from citycarbon.services.ledger_queries import PeriodRange, ResultView, list_results
from citycarbon.services.rating import ProfileRating, profile_rating
from citycarbon.services.reporting import build_report
from citycarbon.services.scope import readable
from citycarbon.store.db import unit_of_work

#: More periods than ten years of months, so one page holds an organisation's whole ledger.
MAX_PERIODS = 500


@dataclass(frozen=True, slots=True)
class EnterpriseOverview:
    """An organisation, its current results by period, and its latest grade when rated."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    results: list[ResultView]
    rating: ProfileRating | None


def enterprise_overview(url: str, caller: Caller, organisation_id: int) -> EnterpriseOverview:
    """Read the organisation's ledger summary (scope-checked, outside reads audited)."""
    with unit_of_work(url) as session:
        org = readable(session, caller, organisation_id, "enterprise_page")
        rating = profile_rating(session, org.id)
        head = (org.id, org.uscc, org.name, org.kind, org.industry_code, org.region_code)
    results = list(list_results(url, caller, organisation_id, PeriodRange(), MAX_PERIODS, 0).items)
    return EnterpriseOverview(*head, results=results, rating=rating)


def organisation_report(url: str, caller: Caller, organisation_id: int) -> dict[str, Any]:
    """The carbon report of an organisation the caller may read (see module docstring)."""
    with unit_of_work(url) as session:
        uscc = readable(session, caller, organisation_id, "report").uscc
    return build_report(url, uscc)
