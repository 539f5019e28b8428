"""Rankings of rated firms by K within one benchmark industry or one county, computed on read.

A rating stores every firm's K but no ranks (see :mod:`citycarbon.engines.efficiency.rankings`):
a ranking reads the current run's rows of one group and ranks them with
:func:`~citycarbon.engines.efficiency.rankings.rank_group` — 1 is the lowest K, K compared to
10⁻⁹ so that near-equal Ks share the lowest rank.

A firm belongs to an industry's ranking through the benchmark it was compared with
(``benchmark_industry_code``), so firms compared with no benchmark are not in any industry
ranking. A county's ranking holds every firm rated in the county (``county_code``); firms
without a grade come last, without a rank, and are not counted among the ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError, InvalidCode
from citycarbon.domain.ledger.period import parse_period
from citycarbon.engines.efficiency.rankings import rank_group
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme
from citycarbon.store import efficiency_repository as repo
from citycarbon.store.db import unit_of_work

Dimension = Literal["industry", "county"]

MSG_ONE_GROUP = "Give exactly one group to rank: an industry code or a county code"
MSG_NOT_RATED = "{period} has not been rated with scheme {scheme}"
MSG_NO_INDUSTRY = "No firm was compared with industry {code} in {period} (scheme {scheme})"
MSG_NO_COUNTY = "No firm of county {code} was rated in {period} (scheme {scheme})"


class RankingUnavailable(CityCarbonError):
    """A ranking that cannot be read: no group or two given, the period not rated, an empty group."""


@dataclass(frozen=True, slots=True)
class RankedFirm:
    """One firm of a ranking; ``rank`` is ``None`` when the firm has no grade."""

    rank: int | None
    organisation_id: int
    uscc: str
    name: str
    k_industry: float | None
    grade: int | None
    grade_code: str | None
    industry_code: str | None
    region_code: str


@dataclass(frozen=True, slots=True)
class Ranking:
    """The firms of one benchmark industry or county in a rated period, best (lowest K) first."""

    period: str
    scheme: str
    dimension: Dimension
    code: str
    rows: tuple[RankedFirm, ...]

    @property
    def ranked_count(self) -> int:
        """How many firms have a rank (the graded ones)."""
        return sum(row.rank is not None for row in self.rows)


@dataclass(frozen=True, slots=True)
class GroupRank:
    """A firm's rank among the ``count`` ranked firms of group ``code`` (``name``: the catalogue's)."""

    code: str
    rank: int
    count: int
    name: str | None = None


@dataclass(frozen=True, slots=True)
class OrganisationRanks:
    """A graded firm's rank in its benchmark industry and in its county (``None`` without one)."""

    period: str
    scheme: str
    industry: GroupRank | None
    county: GroupRank | None


def resolve_group(industry: str | None, county: str | None) -> tuple[Dimension, str]:
    """The dimension and canonical code asked for (``3411`` → ``C3411``; retired counties followed)."""
    if (industry is None) == (county is None):
        raise RankingUnavailable(MSG_ONE_GROUP)
    text = (industry or county or "").strip().upper()
    try:
        if industry is not None:
            return "industry", load_industry_catalogue().normalise(text)
        return "county", load_region_catalogue().resolve(text).code
    except InvalidCode:
        # Not in the catalogue: the rating keeps such codes as they are, so look them up as given.
        return ("industry" if industry is not None else "county"), text


def ranking(
    url: str,
    period: str,
    *,
    industry: str | None = None,
    county: str | None = None,
    scheme: str | None = None,
) -> Ranking:
    """Rank the firms of one benchmark industry or one county by K in the current rating.

    Parameters
    ----------
    url
        Database URL.
    period
        Rated period (``2024``, ``2024-Q1``, ``2024-07``).
    industry, county
        Exactly one: a GB/T 4754 code the firms were benchmarked against, or a GB/T 2260
        county code.
    scheme
        Grading scheme code; the shipped default when not given.

    Raises
    ------
    RankingUnavailable
        When not exactly one group is given, the period has no current rating with the
        scheme, or no firm of the rating is in the group.

    """
    dimension, code = resolve_group(industry, county)
    period_code = parse_period(period).code
    scheme_code = scheme or load_grading_scheme().code
    with unit_of_work(url) as session:
        return read_ranking(session, period_code, scheme_code, dimension, code)


def read_ranking(
    session: Session, period_code: str, scheme_code: str, dimension: Dimension, code: str
) -> Ranking:
    """:func:`ranking` inside the caller's transaction, for a group from :func:`resolve_group`."""
    if repo.current_run(session, period_code, scheme_code) is None:
        raise RankingUnavailable(MSG_NOT_RATED, period=period_code, scheme=scheme_code)
    rows = repo.group_grades(session, period_code, scheme_code, dimension, code)
    if rows.is_empty():
        message = MSG_NO_INDUSTRY if dimension == "industry" else MSG_NO_COUNTY
        raise RankingUnavailable(message, code=code, period=period_code, scheme=scheme_code)
    ranked = rank_group(rows).select(pl.col("rank"), *rows.columns)
    firms = tuple(RankedFirm(**row) for row in ranked.iter_rows(named=True))
    return Ranking(period_code, scheme_code, dimension, code, firms)


def _rank_in(
    session: Session,
    organisation_id: int,
    period_code: str,
    scheme_code: str,
    dimension: Dimension,
    code: str,
) -> GroupRank | None:
    rows = repo.group_grades(session, period_code, scheme_code, dimension, code, names=False)
    ranked = rank_group(rows).filter(pl.col("rank").is_not_null())
    own = ranked.filter(pl.col("organisation_id") == organisation_id)["rank"]
    return GroupRank(code, int(own[0]), ranked.height, code_name(dimension, code)) if len(own) else None


def code_name(dimension: str, code: str) -> str | None:
    """The catalogue's name of an industry code (``industry``) or a region code (anything else).

    Pages and the API show it beside the code, so nobody has to read bare digits.
    """
    if not code:
        return None
    if dimension == "industry":
        try:
            return load_industry_catalogue().validate(code).name
        except InvalidCode:
            return None
    region = load_region_catalogue().get(code)
    return region.name if region else None


def organisation_ranks(
    session: Session, organisation_id: int, period_code: str, scheme_code: str
) -> OrganisationRanks | None:
    """An organisation's rank in its benchmark industry and its county, or ``None`` if ungraded.

    Reads only K and grade of each group's firms. Called inside the caller's transaction, with
    a period code as stored (``2024``, ``2024-Q1``).
    """
    groups = repo.organisation_groups(session, organisation_id, period_code, scheme_code)
    if groups is None or not groups.is_graded:
        return None
    industry, county = groups.benchmark_industry_code, groups.county_code
    args = (session, organisation_id, period_code, scheme_code)
    return OrganisationRanks(
        period_code,
        scheme_code,
        industry=_rank_in(*args, "industry", industry) if industry is not None else None,
        county=_rank_in(*args, "county", county) if county is not None else None,
    )
