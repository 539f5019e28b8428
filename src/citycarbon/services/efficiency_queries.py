"""Read carbon-efficiency results for the API within the caller's scope, auditing outside reads.

Who sees what (docs/how-to/carbon-efficiency.md, "JSON API"):

- **rated periods** — every holder of ``efficiency:read``: periods, schemes and counts only;
- **one organisation's grade and ranks** — the enterprise itself, analysts whose regions
  contain it, administrators (:func:`citycarbon.services.scope.readable`: outside reads audited);
- **rankings and the watch-list** — only rows of organisations the caller may list
  (:func:`citycarbon.services.scope.list_scope`): an enterprise its own row, an analyst the
  firms of its regions, an administrator every firm. Ranks and the ranked count stay those of
  the whole group. A page that shows any other organisation's row is audited with one event
  naming the group;
- **roll-ups** — aggregates, for administrators and analysts only: region roll-ups of regions
  inside an analyst's areas, industry roll-ups when the analyst's areas hold every rated firm.

A period or scheme that was never rated, or an organisation without a grade row, is
:class:`~citycarbon.services.platform_errors.NotFound` (HTTP 404); a scheme, level or group
that cannot be asked for is an input error (HTTP 422).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.clock import as_utc
from citycarbon.domain.efficiency.reasons import describe_reason
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.ledger.period import parse_period
from citycarbon.i18n import translate
from citycarbon.refdata.grading import MSG_UNKNOWN_SCHEME, load_grading_scheme, load_grading_schemes
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller, page_limit
from citycarbon.services.efficiency_rankings import (
    MSG_NOT_RATED,
    GroupRank,
    RankedFirm,
    RankingUnavailable,
    code_name,
    organisation_ranks,
    read_ranking,
    resolve_group,
)
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.scope import ListScope, list_scope, readable, visible_organisations
from citycarbon.store import efficiency_repository as repo
from citycarbon.store.db import unit_of_work
from citycarbon.store.efficiency_tables import EfficiencyGrade, EfficiencyRollup, RatingRun

RollupDimension = Literal["region", "industry"]

MSG_NOTHING_RATED = "No year has been rated with scheme {scheme} yet"
MSG_NO_GRADE = "Organisation {organisation_id} was not rated in {period} (scheme {scheme})"
MSG_RANKING_SCOPE = "Your account may not read any firm of this ranking ({dimension} {code})"
MSG_ROLLUP_LEVEL = "{level} is not a level of the {dimension} roll-ups; use one of {levels}"
MSG_ROLLUPS_STAFF = "Roll-ups are for administrators and analysts"
MSG_INDUSTRY_ROLLUPS = (
    "Industry roll-ups include firms outside your regions; they are for administrators and "
    "analysts whose regions hold every rated firm"
)

#: Levels of each roll-up dimension, coarsest first, as the rating stores them.
ROLLUP_LEVELS: dict[str, tuple[str, ...]] = {
    "region": ("province", "prefecture", "county"),
    "industry": ("section", "division", "group", "class"),
}


class InvalidQuery(CityCarbonError):
    """A scheme or roll-up level that does not exist (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class RatedPeriod:
    """A period and scheme with a current rating: counts only, nothing about single firms."""

    period: str
    scheme: str
    scheme_version: str
    organisation_count: int
    rated_count: int
    finished_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class GradeView:
    """An organisation's grade row of one period and scheme (columns as ``efficiency_grade``)."""

    scheme_version: str
    industry_code: str | None
    region_code: str
    county_code: str | None
    emissions_tco2e: float | None
    energy_tce: float | None
    output_value_10k_cny: float | None
    value_added_10k_cny: float | None
    area_mu: float | None
    product_output: float | None
    product_unit: str | None
    intensity_tco2e_per_10k_cny: float | None
    intensity_output_tco2e_per_10k_cny: float | None
    intensity_tco2e_per_product_unit: float | None
    energy_intensity_tce_per_10k_cny: float | None
    emissions_per_mu_tco2e: float | None
    output_per_mu_10k_cny: float | None
    benchmark_industry_code: str | None
    benchmark_level: str | None
    benchmark_method: str | None
    benchmark_peer_count: int | None
    benchmark_tco2e_per_10k_cny: float | None
    k_industry: float | None
    k_region: float | None
    intensity_change: float | None
    grade: int | None
    grade_code: str | None
    grade_label_zh: str | None
    grade_label_en: str | None
    level_code: str | None
    colour: str | None
    not_rated_reason: str | None

    @classmethod
    def of(cls, row: EfficiencyGrade) -> GradeView:
        """The view of a stored grade row."""
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class OrganisationRating:
    """An organisation's grade in one period and scheme, with its ranks when graded."""

    organisation_id: int
    uscc: str
    name: str
    period: str
    scheme: str
    row: GradeView
    not_rated_text: str | None
    industry_rank: GroupRank | None
    county_rank: GroupRank | None


@dataclass(frozen=True, slots=True)
class RankingPage:
    """The rows of a ranking the caller may see, one page of them; ranks are the whole group's."""

    period: str
    scheme: str
    dimension: str
    code: str
    name: str | None
    ranked_count: int
    items: Sequence[RankedFirm]
    limit: int
    offset: int
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class WatchlistView:
    """A watch-list entry: the firm, the rule, its movement and the values judged."""

    organisation_id: int
    uscc: str
    name: str
    rule_code: str
    movement: str | None
    energy_tce: float | None
    grade: int | None
    output_per_mu_10k_cny: float | None
    output_per_mu_threshold_10k_cny: float | None


@dataclass(frozen=True, slots=True)
class WatchlistPage:
    """One page of the watch-list entries the caller may see."""

    period: str
    scheme: str
    items: Sequence[WatchlistView]
    limit: int
    offset: int
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class RollupView:
    """Totals, intensity and grade counts of one region or industry code (``efficiency_rollup``)."""

    code: str
    name: str | None
    organisation_count: int
    rated_count: int
    not_rated_count: int
    grade_1_count: int
    grade_2_count: int
    grade_3_count: int
    grade_4_count: int
    grade_5_count: int
    emissions_tco2e: float
    energy_tce: float
    value_added_10k_cny: float
    output_value_10k_cny: float
    area_mu: float
    intensity_tco2e_per_10k_cny: float | None
    emissions_per_mu_tco2e: float | None

    @classmethod
    def of(cls, row: EfficiencyRollup, name: str | None) -> RollupView:
        """The view of a stored roll-up row, with the catalogue's name of its code."""
        columns = {key: getattr(row, key) for key in cls.__dataclass_fields__ if key != "name"}
        return cls(**columns, name=name)


@dataclass(frozen=True, slots=True)
class RollupPage:
    """One page of the roll-up rows of a dimension and level that the caller may read."""

    period: str
    scheme: str
    dimension: str
    level: str
    items: Sequence[RollupView]
    limit: int
    offset: int
    next_offset: int | None


def scheme_code(scheme: str | None) -> str:
    """The shipped default scheme, or ``scheme`` if the platform ships it (else 422)."""
    if scheme is None:
        return load_grading_scheme().code
    known = load_grading_schemes()
    if scheme not in known:
        raise InvalidQuery(MSG_UNKNOWN_SCHEME, scheme=scheme, known=", ".join(sorted(known)))
    return scheme


def _run(session: Session, period: str | None, scheme: str) -> RatingRun:
    """The current run of ``period`` (default: the latest rated year) and ``scheme``, or 404."""
    if period is None:
        years = [run.period_code for run in repo.current_runs(session, scheme) if len(run.period_code) == 4]
        if not years:
            raise NotFound(MSG_NOTHING_RATED, scheme=scheme)
        code = max(years)
    else:
        code = parse_period(period).code
    run = repo.current_run(session, code, scheme)
    if run is None:
        raise NotFound(MSG_NOT_RATED, period=code, scheme=scheme)
    return run


def rated_periods(url: str) -> list[RatedPeriod]:
    """Periods and schemes with a current rating, newest period first."""
    with unit_of_work(url) as session:
        return [
            RatedPeriod(
                run.period_code,
                run.scheme_code,
                run.scheme_version,
                run.organisation_count,
                run.rated_count,
                as_utc(run.finished_at),
            )
            for run in repo.current_runs(session)
        ]


def organisation_rating(
    url: str,
    caller: Caller,
    organisation_id: int,
    period: str | None = None,
    scheme: str | None = None,
    locale: str | None = None,
) -> OrganisationRating:
    """An organisation's current grade row and ranks (scope-checked, outside reads audited).

    ``not_rated_text`` is the reason a firm has no grade, in ``locale`` (an Accept-Language).
    """
    code = scheme_code(scheme)
    period_code = parse_period(period).code if period is not None else None
    with unit_of_work(url) as session:
        org = readable(session, caller, organisation_id, "efficiency_grade", purpose="carbon efficiency")
        run = _run(session, period_code, code)
        row = repo.current_grade(session, run.id, org.id)
        if row is None:
            raise NotFound(MSG_NO_GRADE, organisation_id=org.id, period=run.period_code, scheme=code)
        ranks = organisation_ranks(session, org.id, run.period_code, code)
        reason = row.not_rated_reason
        return OrganisationRating(
            organisation_id=org.id,
            uscc=org.uscc,
            name=org.name,
            period=run.period_code,
            scheme=code,
            row=GradeView.of(row),
            not_rated_text=translate(describe_reason(reason), locale) if reason else None,
            industry_rank=ranks.industry if ranks else None,
            county_rank=ranks.county if ranks else None,
        )


def ranking(
    url: str,
    caller: Caller,
    *,
    period: str | None = None,
    industry: str | None = None,
    county: str | None = None,
    scheme: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RankingPage:
    """The rows of one industry's or county's ranking that the caller may see, one page.

    Raises
    ------
    RankingUnavailable
        When not exactly one of ``industry`` and ``county`` is given (HTTP 422).
    NotFound
        When the period was not rated with the scheme, or no firm of it is in the group.
    Forbidden
        When the caller may see no firm of the group.

    """
    dimension, group = resolve_group(industry, county)
    code = scheme_code(scheme)
    limit = page_limit(limit)
    with unit_of_work(url) as session:
        run = _run(session, period, code)
        try:
            found = read_ranking(session, run.period_code, code, dimension, group)
        except RankingUnavailable as error:
            # The group was asked for properly, so what is missing is data: not found.
            raise NotFound(error.message, **error.params) from error
        scope = list_scope(caller)
        visible = [row for row in found.rows if scope.covers(row.organisation_id, row.region_code)]
        if not visible:
            raise Forbidden(MSG_RANKING_SCOPE, dimension=found.dimension, code=found.code)
        items = visible[offset : offset + limit]
        label = f"{found.dimension} {found.code}, {found.period}, {found.scheme}"
        _record_rows(session, caller, "efficiency_ranking", label, [row.organisation_id for row in items])
    return RankingPage(
        found.period,
        found.scheme,
        found.dimension,
        found.code,
        code_name(found.dimension, found.code),
        found.ranked_count,
        items,
        limit,
        offset,
        offset + limit if len(visible) > offset + limit else None,
    )


def watchlist(
    url: str,
    caller: Caller,
    *,
    period: str | None = None,
    scheme: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> WatchlistPage:
    """The watch-list entries of the organisations the caller may list, by rule and credit code."""
    code = scheme_code(scheme)
    limit = page_limit(limit)
    with unit_of_work(url) as session:
        run = _run(session, period, code)
        frame = repo.run_watchlist(session, run.id, visible_organisations(caller), limit + 1, offset)
        entries = [WatchlistView(**row) for row in frame.iter_rows(named=True)]
        shown = entries[:limit]
        shown_ids = [entry.organisation_id for entry in shown]
        _record_rows(session, caller, "efficiency_watchlist", f"{run.period_code}, {code}", shown_ids)
    more = offset + limit if len(entries) > limit else None
    return WatchlistPage(run.period_code, code, shown, limit, offset, more)


def rollups(
    url: str,
    caller: Caller,
    *,
    period: str | None = None,
    scheme: str | None = None,
    dimension: RollupDimension = "region",
    level: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RollupPage:
    """Roll-up rows of one dimension and level (default: county, class) the caller may read.

    Raises
    ------
    Forbidden
        When the caller is neither an administrator nor an analyst, or an analyst asks for
        industry roll-ups while some rated firm lies outside its regions.

    """
    levels = ROLLUP_LEVELS[dimension]
    level = level or levels[-1]
    if level not in levels:
        raise InvalidQuery(MSG_ROLLUP_LEVEL, level=level, dimension=dimension, levels=", ".join(levels))
    code = scheme_code(scheme)
    principal = caller.principal
    if not (principal.holds(Role.ADMIN) or principal.holds(Role.ANALYST)):
        raise Forbidden(MSG_ROLLUPS_STAFF)
    scope = list_scope(caller)
    with unit_of_work(url) as session:
        run = _run(session, period, code)
        if dimension == "industry" and not _holds_every_firm(session, run, scope):
            raise Forbidden(MSG_INDUSTRY_ROLLUPS)
        rows = repo.run_rollups(session, run.id, dimension, level)
        if dimension == "region":
            rows = [row for row in rows if scope.everything or row.code in scope.region_codes]
        limit = page_limit(limit)
        page = rows[offset : offset + limit]
        items = [RollupView.of(row, code_name(dimension, row.code)) for row in page]
    more = offset + limit if len(rows) > offset + limit else None
    return RollupPage(run.period_code, code, dimension, level, items, limit, offset, more)


def _holds_every_firm(session: Session, run: RatingRun, scope: ListScope) -> bool:
    # Every rated firm is counted in exactly one province-level region roll-up (code "" when
    # its region code is unknown), so the regions hold every firm when they hold every province.
    if scope.everything:
        return True
    provinces = repo.run_rollups(session, run.id, "region", "province")
    return all(row.code in scope.region_codes for row in provinces)


def _record_rows(
    session: Session, caller: Caller, resource: str, group: str, organisation_ids: list[int]
) -> None:
    # One event per request naming the group, when other organisations' rows were shown: one
    # per row would turn a page of 500 firms into 500 audit rows.
    own = caller.principal.organisation_id
    outside = sum(organisation_id != own for organisation_id in organisation_ids)
    if outside:
        detail = f"{group}; rows of other organisations shown: {outside}"
        record_event(session, caller, action="read", resource=resource, detail=detail)
