"""Rate a period: load the ledger's figures, run the efficiency engine, store the results.

One transaction per scheme and period. The year before is rated alongside (and not stored) so
that year-on-year change and watch-list movement have something to compare with. A new rating
of the same period and scheme supersedes the old one, which stays as history; start-up calls
:func:`rate_if_needed`, which re-rates only when the inputs' fingerprint has changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from citycarbon.domain.efficiency.schemes import GradingScheme
from citycarbon.domain.efficiency.settings import BenchmarkSettings, WatchRule, year_earlier
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.ledger.period import parse_period
from citycarbon.engines.efficiency.pipeline import RatingResult, rate_firms
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme, load_grading_schemes, load_watch_rules
from citycarbon.store import efficiency_repository as repo
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.efficiency_tables import (
    EfficiencyBenchmark,
    EfficiencyGrade,
    EfficiencyRollup,
    WatchlistEntry,
)

Progress = Callable[[str], None]
MSG_BENCHMARK_COLUMNS = "Benchmark file {file} lacks the column(s) {columns}"
MSG_BENCHMARK_VALUE = "Benchmark file {file}: every intensity_tco2e_per_10k_cny must be a positive number"
DEFAULT_KINDS = ("enterprise",)


@dataclass(frozen=True)
class RatingSummary:
    """What a rating run found: counts by grade and by not-rated reason, and watch-list sizes."""

    run_id: int | None
    period: str
    scheme: str
    organisations: int
    rated: int
    grades: dict[str, int] = field(default_factory=dict)
    not_rated: dict[str, int] = field(default_factory=dict)
    watchlist: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


@dataclass(frozen=True)
class RatingOptions:
    """Everything besides the data that decides a grade (stored with the run)."""

    scheme: GradingScheme
    benchmark: BenchmarkSettings = field(default_factory=BenchmarkSettings)
    rules: tuple[WatchRule, ...] = ()
    official_benchmarks: pl.DataFrame | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS

    @classmethod
    def default(cls, scheme_code: str | None = None) -> RatingOptions:
        """The shipped scheme (Huzhou unless named), default benchmark settings and shipped rules."""
        scheme = load_grading_scheme(scheme_code) if scheme_code else load_grading_scheme()
        return cls(scheme=scheme, rules=load_watch_rules())

    def describe(self) -> dict[str, object]:
        """JSON-ready description, hashed into the fingerprint and stored with the run."""
        official = None
        if self.official_benchmarks is not None:
            official = self.official_benchmarks.sort(self.official_benchmarks.columns).write_csv()
        return {
            "scheme": self.scheme.key,
            "benchmark": self.benchmark.model_dump(),
            "rules": [rule.model_dump() for rule in self.rules],
            "official": official,
            "kinds": list(self.kinds),
        }


def load_official_benchmarks(path: Path) -> pl.DataFrame:
    """Read an official benchmark table, normalising industry codes (``2611`` → ``C2611``).

    The CSV has ``industry_code``, ``intensity_tco2e_per_10k_cny`` [tCO2e/10^4 CNY], ``source``
    and optionally ``period`` (a row without one applies to every period).

    Raises
    ------
    CityCarbonError
        When a column is missing, a value is not a positive number, or a code is unknown.

    """
    frame = pl.read_csv(path, infer_schema=False)
    missing = {"industry_code", "intensity_tco2e_per_10k_cny", "source"} - set(frame.columns)
    if missing:
        raise CityCarbonError(MSG_BENCHMARK_COLUMNS, file=path.name, columns=", ".join(sorted(missing)))
    values = frame["intensity_tco2e_per_10k_cny"].cast(pl.Float64, strict=False)
    if values.is_null().any() or (values <= 0).any():
        raise CityCarbonError(MSG_BENCHMARK_VALUE, file=path.name)
    catalogue = load_industry_catalogue()
    codes = [catalogue.normalise(code) for code in frame["industry_code"].to_list()]
    return frame.with_columns(pl.Series("industry_code", codes), values.alias("intensity_tco2e_per_10k_cny"))


def load_inputs(session: Session, period_code: str, kinds: tuple[str, ...]) -> pl.DataFrame:
    """Firms of the period and of the same period a year earlier, stacked."""
    frames = []
    for code in (year_earlier(period_code), period_code):
        period = parse_period(code)
        frames.append(repo.load_firms(session, code, period.start_date, period.end_date, kinds))
    return pl.concat(frames)


def fingerprint(firms: pl.DataFrame, options: RatingOptions) -> str:
    """SHA-256 of the inputs and options, so an unchanged rating is not repeated."""
    digest = hashlib.sha256(json.dumps(options.describe(), sort_keys=True, default=str).encode())
    ordered = firms.sort("period", "organisation_id")
    digest.update(ordered.write_csv().encode())
    return digest.hexdigest()


def run_engine(firms: pl.DataFrame, options: RatingOptions) -> RatingResult:
    """Rate the stacked frame with the catalogues' level tables."""
    return rate_firms(
        firms,
        industries=load_industry_catalogue(),
        regions=load_region_catalogue(),
        scheme=options.scheme,
        settings=options.benchmark,
        rules=options.rules,
        official_benchmarks=options.official_benchmarks,
    )


def _summarise(
    run_id: int | None, period: str, options: RatingOptions, grades: pl.DataFrame, watch: pl.DataFrame
) -> RatingSummary:
    rated = grades.filter(pl.col("grade").is_not_null())
    by_grade = Counter(str(code) for code in rated["grade_code"].to_list())
    reasons = Counter(str(r) for r in grades["not_rated_reason"].drop_nulls().to_list())
    listed = Counter(str(r) for r in watch.filter(pl.col("movement") != "left")["rule_code"].to_list())
    order = [band.code for band in options.scheme.ranks]
    return RatingSummary(
        run_id=run_id,
        period=period,
        scheme=options.scheme.key,
        organisations=grades.height,
        rated=rated.height,
        grades={code: by_grade.get(code, 0) for code in order},
        not_rated=dict(reasons.most_common()),
        watchlist=dict(sorted(listed.items())),
    )


def _store(
    session: Session, period: str, options: RatingOptions, result: RatingResult, digest: str, trigger: str
) -> int:
    now = dt.datetime.now(dt.UTC)
    previous = repo.current_run(session, period, options.scheme.code)
    if previous is not None:
        repo.supersede_run(session, previous, now)
    grades = result.grades.filter(pl.col("period") == period)
    description = options.describe()
    run = repo.add_run(
        session,
        period_code=period,
        scheme_code=options.scheme.code,
        scheme_version=options.scheme.version,
        benchmark_level=options.benchmark.level,
        benchmark_method=options.benchmark.method,
        min_peers=options.benchmark.min_peers,
        watch_rules=json.dumps(description["rules"], ensure_ascii=False),
        official_benchmarks=description["official"],
        input_fingerprint=digest,
        trigger=trigger,
        organisation_count=grades.height,
        rated_count=grades["grade"].is_not_null().sum(),
        started_at=now,
    )
    tagged = grades.rename({"period": "period_code"}).with_columns(
        pl.lit(options.scheme.code).alias("scheme_code"),
        pl.lit(options.scheme.version).alias("scheme_version"),
        pl.lit(now).alias("created_at"),
    )
    this_period = pl.col("period") == period
    repo.insert_rows(session, EfficiencyGrade, tagged, run.id)
    repo.insert_rows(
        session,
        EfficiencyBenchmark,
        result.benchmarks.filter(this_period).rename({"period": "period_code"}),
        run.id,
    )
    repo.insert_rows(
        session,
        WatchlistEntry,
        result.watchlist.filter(this_period).rename({"period": "period_code"}),
        run.id,
    )
    repo.insert_rows(
        session,
        EfficiencyRollup,
        result.rollups.filter(this_period).rename({"period": "period_code"}),
        run.id,
    )
    run.finished_at = dt.datetime.now(dt.UTC)
    return run.id


def rate(
    url: str,
    period: str,
    options: RatingOptions | None = None,
    *,
    trigger: str = "rate",
    only_if_changed: bool = False,
    progress: Progress = lambda _step: None,
) -> RatingSummary:
    """Rate every organisation in ``period`` (``2024``, ``2024-Q1``, ``2024-07``) and store the results.

    Parameters
    ----------
    url
        Database URL.
    period
        Rated period; monthly results and production records inside it are summed.
    options
        Scheme, benchmark settings, watch rules; the shipped defaults when not given.
    trigger
        Why the rating ran (``rate``, ``startup`` …), stored with the run.
    only_if_changed
        Skip (and report ``skipped``) when the current rating has the same input fingerprint.
    progress
        Called with ``load``, ``rate`` and ``store`` as the steps begin.

    """
    options = options or RatingOptions.default()
    code = parse_period(period).code
    with unit_of_work(url) as session:
        progress("load")
        firms = load_inputs(session, code, options.kinds)
        digest = fingerprint(firms, options)
        current = repo.current_run(session, code, options.scheme.code)
        if only_if_changed and current is not None and current.input_fingerprint == digest:
            return RatingSummary(
                current.id,
                code,
                options.scheme.key,
                current.organisation_count,
                current.rated_count,
                skipped=True,
            )
        progress("rate")
        result = run_engine(firms, options)
        progress("store")
        run_id = _store(session, code, options, result, digest, trigger)
        grades = result.grades.filter(pl.col("period") == code)
        return _summarise(run_id, code, options, grades, result.watchlist.filter(pl.col("period") == code))


def rate_if_needed(url: str) -> list[RatingSummary]:
    """Rate every year that has emission results with every shipped scheme, when inputs changed.

    Meant for start-up: the first start rates the demo city; later starts cost one load and one
    hash per year and scheme, and re-rate only after new data, new factors or a new scheme.
    """
    upgrade_database(url)
    with unit_of_work(url) as session:
        years = repo.years_with_results(session)
    summaries = []
    for scheme in sorted(load_grading_schemes()):
        options = RatingOptions.default(scheme)
        for year in years:
            summaries.append(rate(url, str(year), options, trigger="startup", only_if_changed=True))
    return summaries


def read_grades(url: str, period: str, scheme: str | None = None, uscc: str | None = None) -> pl.DataFrame:
    """Current grade rows (with credit code and name) of a period and scheme."""
    code = parse_period(period).code
    with unit_of_work(url) as session:
        return repo.current_grades(session, code, scheme or load_grading_scheme().code, uscc)


def read_watchlist(url: str, period: str, scheme: str | None = None) -> pl.DataFrame:
    """Current watch-list entries (with credit code and name) of a period and scheme."""
    code = parse_period(period).code
    with unit_of_work(url) as session:
        return repo.current_watchlist(session, code, scheme or load_grading_scheme().code)


@dataclass(frozen=True)
class ProfileRating:
    """An enterprise's latest annual grade as green finance shows it (see ``rating_port``)."""

    grade: str
    trend: str | None
    period_code: str


def profile_rating(session: Session, organisation_id: int) -> ProfileRating | None:
    """Latest annual grade (default scheme) and its trend against the year before, or ``None``.

    Trend is ``improving`` / ``stable`` / ``worsening`` by grade rank (1 is best); ``None``
    when the year before has no grade. Called inside the caller's transaction.
    """
    scheme = load_grading_scheme()
    annual = dict(p for p in repo.graded_periods(session, organisation_id, scheme.code) if len(p[0]) == 4)
    if not annual:
        return None
    latest = max(annual)
    earlier = annual.get(year_earlier(latest))
    trend = None
    if earlier is not None:
        trend = (
            "improving" if annual[latest] < earlier else "worsening" if annual[latest] > earlier else "stable"
        )
    code = next(band.code for band in scheme.ranks if band.rank == annual[latest])
    return ProfileRating(grade=code, trend=trend, period_code=latest)
