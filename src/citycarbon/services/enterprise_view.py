"""What the enterprise page shows: one organisation's results, grade, and scope-checked reports.

:func:`citycarbon.services.reporting.build_report` looks an organisation up by credit code and
checks nobody's access, because the CLI runs it for the operator; the web hands it to signed-in
users, so :func:`organisation_report` checks the caller's scope (and audits outside reads) first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citycarbon.domain.access.policy import Forbidden, OrganisationRef, write_access
from citycarbon.domain.access.roles import Principal
from citycarbon.refdata.grading import load_grading_scheme
from citycarbon.services.caller import Caller
from citycarbon.services.efficiency_rankings import OrganisationRanks, organisation_ranks
from citycarbon.services.ledger_queries import PeriodRange, ResultView, list_results
from citycarbon.services.rating import ProfileRating, profile_rating
from citycarbon.services.reporting import build_report
from citycarbon.services.scope import readable
from citycarbon.services.verification import SignOff, list_sign_offs, may_sign_off
from citycarbon.store.db import unit_of_work

#: More periods than ten years of months, so one page holds an organisation's whole ledger.
MAX_PERIODS = 500


@dataclass(frozen=True, slots=True)
class EnterpriseOverview:
    """An organisation, its current results by period, its grade and ranks when rated, its sign-offs."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    results: list[ResultView]
    rating: ProfileRating | None
    ranks: OrganisationRanks | None = None
    sign_offs: list[SignOff] = field(default_factory=list)
    can_sign_off: bool = False
    can_enter_data: bool = False

    def signed(self, result_id: int) -> SignOff | None:
        """The sign-off of this result, if it has one."""
        return next((s for s in self.sign_offs if s.result_id == result_id), None)

    def earlier_sign_offs(self, period: str) -> list[SignOff]:
        """Sign-offs of the period's superseded results (they do not cover the current one)."""
        return [s for s in self.sign_offs if s.period == period and not s.is_current]


def enterprise_overview(url: str, caller: Caller, organisation_id: int) -> EnterpriseOverview:
    """Read the organisation's ledger summary (scope-checked, outside reads audited)."""
    with unit_of_work(url) as session:
        org = readable(session, caller, organisation_id, "enterprise_page")
        rating = profile_rating(session, org.id)
        ranks = None
        if rating is not None:
            scheme = load_grading_scheme().code  # the scheme profile_rating reads
            ranks = organisation_ranks(session, org.id, rating.period_code, scheme)
        sign_offs = list_sign_offs(session, org.id)
        head = (org.id, org.uscc, org.name, org.kind, org.industry_code, org.region_code)
        can_enter_data = _may_write(caller.principal, OrganisationRef(org.id, org.region_code))
    results = list(list_results(url, caller, organisation_id, PeriodRange(), MAX_PERIODS, 0).items)
    return EnterpriseOverview(
        *head,
        results=results,
        rating=rating,
        ranks=ranks,
        sign_offs=sign_offs,
        can_sign_off=may_sign_off(caller.principal, organisation_id),
        can_enter_data=can_enter_data,
    )


def _may_write(principal: Principal, org: OrganisationRef) -> bool:
    try:
        write_access(principal, org)
    except Forbidden:
        return False
    return True


def organisation_report(url: str, caller: Caller, organisation_id: int) -> dict[str, Any]:
    """The carbon report of an organisation the caller may read (see module docstring)."""
    with unit_of_work(url) as session:
        uscc = readable(session, caller, organisation_id, "report").uscc
    return build_report(url, uscc)
