"""Bulk reads and writes of the carbon-efficiency tables, in Polars frames.

Reads aggregate the ledger's current monthly (or quarterly) results and production records to
the rated period inside the database, so a province's year arrives as one row per
organisation; writes supersede the current rating of the same period and scheme and insert
the new one with multi-row INSERTs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Subquery, and_, case, func, select, update
from sqlalchemy.orm import Session

from citycarbon.store.efficiency_tables import (
    EfficiencyBenchmark,
    EfficiencyGrade,
    EfficiencyRollup,
    RatingRun,
    WatchlistEntry,
)
from citycarbon.store.repositories import bulk_insert
from citycarbon.store.tables import EmissionResult, Organisation, Period, ProductionRecord

_RUN_TABLES = (EfficiencyGrade, WatchlistEntry, EfficiencyRollup)


def _within(start: dt.date, end: dt.date) -> Any:
    return and_(Period.start_date >= start, Period.end_date <= end)


def _emissions(start: dt.date, end: dt.date) -> Subquery:
    return (
        select(
            EmissionResult.organisation_id,
            func.sum(EmissionResult.total_tco2e).label("emissions_tco2e"),
            func.sum(EmissionResult.energy_tce).label("energy_tce"),
        )
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.superseded_at.is_(None), _within(start, end))
        .group_by(EmissionResult.organisation_id)
        .subquery()
    )


def _production(start: dt.date, end: dt.date) -> Subquery:
    record = ProductionRecord
    # Value added summed over months is only meaningful when every month that reports output
    # also reports value added; otherwise the sum would understate it and overstate intensity.
    incomplete = func.sum(
        case(
            (and_(record.output_value_10k_cny.is_not(None), record.value_added_10k_cny.is_(None)), 1), else_=0
        )
    )
    products = func.count(func.distinct(case((record.product_output.is_not(None), record.product_code))))
    return (
        select(
            record.organisation_id,
            func.sum(record.output_value_10k_cny).label("output_value_10k_cny"),
            case((incomplete > 0, None), else_=func.sum(record.value_added_10k_cny)).label(
                "value_added_10k_cny"
            ),
            case((products == 1, func.sum(record.product_output))).label("product_output"),
            case((products == 1, func.max(record.product_unit))).label("product_unit"),
        )
        .join(Period, Period.id == record.period_id)
        .where(record.superseded_at.is_(None), _within(start, end))
        .group_by(record.organisation_id)
        .subquery()
    )


def load_firms(
    session: Session, period_code: str, start: dt.date, end: dt.date, kinds: tuple[str, ...]
) -> pl.DataFrame:
    """One row per organisation of the given kinds: its codes, land, and period totals (null when none)."""
    emissions = _emissions(start, end)
    production = _production(start, end)
    query = (
        select(
            Organisation.id.label("organisation_id"),
            Organisation.industry_code,
            Organisation.region_code,
            Organisation.area_mu,
            emissions.c.emissions_tco2e,
            emissions.c.energy_tce,
            production.c.output_value_10k_cny,
            production.c.value_added_10k_cny,
            production.c.organisation_id.is_not(None).label("has_production"),
            production.c.product_output,
            production.c.product_unit,
        )
        .outerjoin(emissions, emissions.c.organisation_id == Organisation.id)
        .outerjoin(production, production.c.organisation_id == Organisation.id)
        .where(Organisation.kind.in_(kinds))
        .order_by(Organisation.id)
    )
    overrides = {
        "organisation_id": pl.Int64,
        "industry_code": pl.String,
        "area_mu": pl.Float64,
        "emissions_tco2e": pl.Float64,
        "energy_tce": pl.Float64,
        "output_value_10k_cny": pl.Float64,
        "value_added_10k_cny": pl.Float64,
        "has_production": pl.Boolean,
        "product_output": pl.Float64,
        "product_unit": pl.String,
    }
    frame = pl.read_database(query, session.connection(), schema_overrides=overrides)
    return frame.with_columns(pl.lit(period_code).alias("period"))


def years_with_results(session: Session) -> list[int]:
    """Years in which current emission results exist (what start-up rates)."""
    query = (
        select(Period.year)
        .join(EmissionResult, EmissionResult.period_id == Period.id)
        .where(EmissionResult.superseded_at.is_(None))
        .distinct()
        .order_by(Period.year)
    )
    return [int(year) for year in session.execute(query).scalars()]


def current_run(session: Session, period_code: str, scheme_code: str) -> RatingRun | None:
    """The current rating run of a period and scheme, if any."""
    query = select(RatingRun).where(
        RatingRun.period_code == period_code,
        RatingRun.scheme_code == scheme_code,
        RatingRun.superseded_at.is_(None),
    )
    return session.execute(query).scalar_one_or_none()


def supersede_run(session: Session, run: RatingRun, at: dt.datetime) -> None:
    """Mark a run and its rows as history (they stay queryable by ``rating_run_id``)."""
    run.superseded_at = at
    session.flush()
    for table in _RUN_TABLES:
        session.execute(update(table).where(table.rating_run_id == run.id).values(superseded_at=at))


def insert_rows(session: Session, table: Any, frame: pl.DataFrame, run_id: int) -> None:
    """Insert the columns of ``frame`` that ``table`` has, tagged with the run."""
    names = [c.key for c in table.__table__.columns if c.key in frame.columns]
    rows = frame.select(names).with_columns(pl.lit(run_id).alias("rating_run_id")).to_dicts()
    bulk_insert(session, table, rows)


def add_run(session: Session, **values: Any) -> RatingRun:
    """Create a rating run row and return it with its id."""
    run = RatingRun(**values)
    session.add(run)
    session.flush()
    return run


def current_grades(
    session: Session, period_code: str, scheme_code: str, uscc: str | None = None
) -> pl.DataFrame:
    """Current grade rows of a period and scheme, with credit code and name."""
    query = (
        select(Organisation.uscc, Organisation.name, EfficiencyGrade)
        .join(Organisation, Organisation.id == EfficiencyGrade.organisation_id)
        .where(
            EfficiencyGrade.period_code == period_code,
            EfficiencyGrade.scheme_code == scheme_code,
            EfficiencyGrade.superseded_at.is_(None),
        )
    )
    if uscc is not None:
        query = query.where(Organisation.uscc == uscc)
    return pl.read_database(query, session.connection(), infer_schema_length=None)


def current_watchlist(session: Session, period_code: str, scheme_code: str) -> pl.DataFrame:
    """Current watch-list entries of a period and scheme, with credit code and name."""
    query = (
        select(
            Organisation.uscc,
            Organisation.name,
            WatchlistEntry.rule_code,
            WatchlistEntry.movement,
            WatchlistEntry.energy_tce,
            WatchlistEntry.grade,
            WatchlistEntry.output_per_mu_10k_cny,
            WatchlistEntry.output_per_mu_threshold_10k_cny,
        )
        .join(Organisation, Organisation.id == WatchlistEntry.organisation_id)
        .join(RatingRun, RatingRun.id == WatchlistEntry.rating_run_id)
        .where(
            WatchlistEntry.period_code == period_code,
            RatingRun.scheme_code == scheme_code,
            WatchlistEntry.superseded_at.is_(None),
        )
        .order_by(WatchlistEntry.rule_code, Organisation.uscc)
    )
    return pl.read_database(query, session.connection(), infer_schema_length=None)


def benchmark_peers(session: Session, benchmark_id: int) -> list[int]:
    """Organisation ids of a benchmark's peers: the run's peers whose industry code lies inside it.

    GB/T 4754 codes nest by prefix (C2611 ⊂ C261 ⊂ C26), so membership needs no link table.
    """
    benchmark = session.get_one(EfficiencyBenchmark, benchmark_id)
    query = select(EfficiencyGrade.organisation_id).where(
        EfficiencyGrade.rating_run_id == benchmark.rating_run_id,
        EfficiencyGrade.is_benchmark_peer.is_(True),
        EfficiencyGrade.industry_code.startswith(benchmark.industry_code, autoescape=True),
    )
    return sorted(session.execute(query.order_by(EfficiencyGrade.organisation_id)).scalars())


def graded_periods(session: Session, organisation_id: int, scheme_code: str) -> list[tuple[str, int]]:
    """(period code, grade) of an organisation's current grades in a scheme, newest first."""
    query = (
        select(EfficiencyGrade.period_code, EfficiencyGrade.grade)
        .where(
            EfficiencyGrade.organisation_id == organisation_id,
            EfficiencyGrade.scheme_code == scheme_code,
            EfficiencyGrade.superseded_at.is_(None),
            EfficiencyGrade.grade.is_not(None),
        )
        .order_by(EfficiencyGrade.period_code.desc())
    )
    return [(str(code), int(grade)) for code, grade in session.execute(query).all() if grade is not None]


#: The grade column naming each group a ranking can be read for.
RANKING_GROUPS = {
    "industry": EfficiencyGrade.benchmark_industry_code,
    "county": EfficiencyGrade.county_code,
}
_GROUP_SCHEMA = {
    "organisation_id": pl.Int64,
    "uscc": pl.String,
    "name": pl.String,
    "k_industry": pl.Float64,
    "grade": pl.Int64,
    "grade_code": pl.String,
    "industry_code": pl.String,
    "region_code": pl.String,
}


def _current_run_id(period_code: str, scheme_code: str) -> Any:
    return (
        select(RatingRun.id)
        .where(
            RatingRun.period_code == period_code,
            RatingRun.scheme_code == scheme_code,
            RatingRun.superseded_at.is_(None),
        )
        .scalar_subquery()
    )


def group_grades(
    session: Session, period_code: str, scheme_code: str, dimension: str, code: str, *, names: bool = True
) -> pl.DataFrame:
    """Current grade rows of one group of a period and scheme, to be ranked (unordered).

    ``dimension`` is ``industry`` (rows compared with benchmark industry ``code``) or
    ``county`` (rows rated in county ``code``); see :data:`RANKING_GROUPS`. Columns:
    ``organisation_id``, ``uscc``, ``name``, ``k_industry``, ``grade``, ``grade_code``,
    ``industry_code``, ``region_code`` — only ``organisation_id``, ``k_industry`` and ``grade``
    when ``names`` is false, which is all a single firm's rank needs. The query selects the
    current run first, so it reads the (run, group code) index.
    """
    grade = EfficiencyGrade
    columns: list[Any] = [grade.organisation_id, grade.k_industry, grade.grade]
    if names:
        columns[1:1] = [Organisation.uscc, Organisation.name]
        columns += [grade.grade_code, grade.industry_code, grade.region_code]
    query = select(*columns).where(
        grade.rating_run_id == _current_run_id(period_code, scheme_code),
        RANKING_GROUPS[dimension] == code,
    )
    if names:
        query = query.join(Organisation, Organisation.id == grade.organisation_id)
    schema = {str(c.key): _GROUP_SCHEMA[str(c.key)] for c in columns}
    return pl.read_database(query, session.connection(), schema_overrides=schema).select(
        pl.col(name).cast(dtype) for name, dtype in schema.items()
    )


@dataclass(frozen=True, slots=True)
class GradeGroups:
    """The groups one organisation's current grade row belongs to, and whether it was graded."""

    benchmark_industry_code: str | None
    county_code: str | None
    is_graded: bool


def organisation_groups(
    session: Session, organisation_id: int, period_code: str, scheme_code: str
) -> GradeGroups | None:
    """The benchmark industry and county of an organisation's current grade row, if it has one."""
    grade = EfficiencyGrade
    query = select(grade.benchmark_industry_code, grade.county_code, grade.grade.is_not(None)).where(
        grade.organisation_id == organisation_id,
        grade.period_code == period_code,
        grade.scheme_code == scheme_code,
        grade.superseded_at.is_(None),
    )
    found = session.execute(query).one_or_none()
    if found is None:
        return None
    industry, county, graded = found
    return GradeGroups(industry, county, bool(graded))


def current_runs(session: Session, scheme_code: str | None = None) -> list[RatingRun]:
    """The current rating runs (of one scheme when given), newest period first."""
    query = select(RatingRun).where(RatingRun.superseded_at.is_(None))
    if scheme_code is not None:
        query = query.where(RatingRun.scheme_code == scheme_code)
    order = (RatingRun.period_code.desc(), RatingRun.scheme_code)
    return list(session.execute(query.order_by(*order)).scalars())


def current_grade(session: Session, run_id: int, organisation_id: int) -> EfficiencyGrade | None:
    """An organisation's grade row in a run, if the run rated it."""
    query = select(EfficiencyGrade).where(
        EfficiencyGrade.rating_run_id == run_id, EfficiencyGrade.organisation_id == organisation_id
    )
    return session.execute(query).scalar_one_or_none()


def run_watchlist(
    session: Session, run_id: int, where: ColumnElement[bool], limit: int, offset: int
) -> pl.DataFrame:
    """One page of a run's watch-list entries whose organisation matches ``where``.

    Ordered by rule and credit code; columns ``organisation_id``, ``uscc``, ``name`` and the
    entry's rule, movement and judged values.
    """
    entry = WatchlistEntry
    query = (
        select(
            entry.organisation_id,
            Organisation.uscc,
            Organisation.name,
            entry.rule_code,
            entry.movement,
            entry.energy_tce,
            entry.grade,
            entry.output_per_mu_10k_cny,
            entry.output_per_mu_threshold_10k_cny,
        )
        .join(Organisation, Organisation.id == entry.organisation_id)
        .where(entry.rating_run_id == run_id, where)
        .order_by(entry.rule_code, Organisation.uscc, entry.id)
        .limit(limit)
        .offset(offset)
    )
    schema = {
        "organisation_id": pl.Int64,
        "uscc": pl.String,
        "name": pl.String,
        "rule_code": pl.String,
        "movement": pl.String,
        "energy_tce": pl.Float64,
        "grade": pl.Int64,
        "output_per_mu_10k_cny": pl.Float64,
        "output_per_mu_threshold_10k_cny": pl.Float64,
    }
    return pl.read_database(query, session.connection(), schema_overrides=schema).select(
        pl.col(name).cast(dtype) for name, dtype in schema.items()
    )


def run_rollups(session: Session, run_id: int, dimension: str, level: str) -> list[EfficiencyRollup]:
    """A run's roll-up rows of one dimension (``region``, ``industry``) and level, by code."""
    query = select(EfficiencyRollup).where(
        EfficiencyRollup.rating_run_id == run_id,
        EfficiencyRollup.dimension == dimension,
        EfficiencyRollup.level == level,
    )
    return list(session.execute(query.order_by(EfficiencyRollup.code)).scalars())
