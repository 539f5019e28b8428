"""Warning and case counts of a quarter per organisation, as facts for the synergy index.

Which quarter a warning or case belongs to
------------------------------------------
A warning belongs to the quarter of the data it is about, not of the day the rules ran: the
quarter in which its period (``period_code``) ends — a month's or quarter's own quarter, the
fourth quarter for a whole year, when its data is complete — or, for a time window (a limit
exceedance, a data gap), the quarter in which the window starts, in China Standard Time. A
case opened from a warning belongs to that warning's quarter; a case opened by hand belongs to
the quarter it was opened in. A case counts as closed when it is closed now, and as closed on
time when it closed by its deadline.

Zero or unknown
---------------
Where the rules ran for a period of the quarter (a ``warning_run`` names such a period), an
organisation without warnings has ``warning_count`` 0; where they never ran, the count is
missing, so the index's missing-data rule applies instead of a flattering zero. Case counts
follow the same reasoning: 0 only where the quarter has any case at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from polars._typing import SchemaDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.ledger.period import Period as CalendarPeriod
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningRun

COUNT_FIELDS = ("warning_count", "case_count", "case_closed_count", "case_closed_on_time_count")


UTC_US = pl.Datetime("us", "UTC")
#: China Standard Time is a fixed UTC+8 (no daylight saving), so local dates are a shift away.
CHINA_OFFSET = pl.duration(hours=8)


def _quarter_of(period_code: pl.Expr, window_start_at: pl.Expr) -> pl.Expr:
    """``YYYY-Qn`` of a subject (see the module docstring), null when it has neither.

    ``period_code`` is canonical (``2024``, ``2024-Q1``, ``2024-01``): a year counts in its
    fourth quarter; ``window_start_at`` (UTC) counts in its China-time quarter.
    """
    month = period_code.str.slice(5, 2).cast(pl.Int32, strict=False)
    number = (
        pl.when(period_code.str.len_chars() == 4)
        .then(pl.lit(4))
        .when(period_code.str.contains("-Q", literal=True))
        .then(period_code.str.slice(6, 1).cast(pl.Int32, strict=False))
        .otherwise((month - 1) // 3 + 1)
    )
    local = window_start_at + CHINA_OFFSET
    from_window = local.dt.year().cast(pl.Utf8) + "-Q" + local.dt.quarter().cast(pl.Utf8)
    from_period = period_code.str.slice(0, 4) + "-Q" + number.cast(pl.Utf8)
    return pl.when(period_code.is_not_null()).then(from_period).otherwise(from_window)


def _warnings(session: Session) -> pl.DataFrame:
    rows = session.execute(
        select(
            SupervisionWarning.id,
            SupervisionWarning.organisation_id,
            SupervisionWarning.period_code,
            SupervisionWarning.window_start_at,
        )
    ).all()
    schema: SchemaDict = {
        "warning_id": pl.Int64,
        "organisation_id": pl.Int64,
        "period_code": pl.Utf8,
        "start_at": UTC_US,
    }
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
    return frame.select(
        "warning_id",
        "organisation_id",
        _quarter_of(pl.col("period_code"), pl.col("start_at")).alias("quarter"),
    )


def _rules_ran(session: Session, quarter: str) -> bool:
    codes = session.scalars(select(WarningRun.period_code).where(WarningRun.period_code.is_not(None))).all()
    frame = pl.DataFrame({"period_code": codes}, schema={"period_code": pl.Utf8})
    quarters = frame.select(_quarter_of(pl.col("period_code"), pl.lit(None, UTC_US)).alias("quarter"))
    return quarter in quarters["quarter"].to_list()


def _cases(session: Session, warnings: pl.DataFrame) -> pl.DataFrame:
    rows = session.execute(
        select(
            SupervisionCase.organisation_id,
            SupervisionCase.warning_id,
            SupervisionCase.opened_at,
            SupervisionCase.closed_at,
            SupervisionCase.deadline_at,
        )
    ).all()
    schema: SchemaDict = {
        "organisation_id": pl.Int64,
        "warning_id": pl.Int64,
        "opened_at": UTC_US,
        "closed_at": UTC_US,
        "deadline_at": UTC_US,
    }
    frame = pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row").select(
        "organisation_id",
        "warning_id",
        _quarter_of(pl.lit(None, pl.Utf8), pl.col("opened_at")).alias("opened_quarter"),
        pl.col("closed_at").is_not_null().alias("is_closed"),
        (pl.col("closed_at") <= pl.col("deadline_at")).fill_null(False).alias("is_on_time"),
    )
    return frame.join(warnings.select("warning_id", "quarter"), on="warning_id", how="left").with_columns(
        pl.coalesce("quarter", "opened_quarter").alias("quarter")
    )


@dataclass(frozen=True)
class SupervisionCounts:
    """Counts per organisation of one quarter, and whether the quarter was covered at all."""

    frame: pl.DataFrame
    rules_ran: bool
    has_cases: bool


def quarterly_supervision_counts(session: Session, year: int, quarter: int) -> SupervisionCounts:
    """``organisation_id`` and the four :data:`COUNT_FIELDS` (Float64) of organisations with any."""
    code = CalendarPeriod(year, quarter=quarter).code
    warnings = _warnings(session)
    cases = _cases(session, warnings).filter(pl.col("quarter") == code)
    warned = (
        warnings.filter(pl.col("quarter") == code)
        .group_by("organisation_id")
        .agg(pl.len().cast(pl.Float64).alias("warning_count"))
    )
    handled = cases.group_by("organisation_id").agg(
        pl.len().cast(pl.Float64).alias("case_count"),
        pl.col("is_closed").sum().cast(pl.Float64).alias("case_closed_count"),
        pl.col("is_on_time").sum().cast(pl.Float64).alias("case_closed_on_time_count"),
    )
    frame = warned.join(handled, on="organisation_id", how="full", coalesce=True)
    return SupervisionCounts(
        frame.select("organisation_id", *COUNT_FIELDS), _rules_ran(session, code), cases.height > 0
    )


def fill_supervision_counts(facts: pl.DataFrame, counts: SupervisionCounts) -> pl.DataFrame:
    """Join counts onto facts; zero where the quarter was covered (module docstring), else null."""
    joined = facts.drop([c for c in COUNT_FIELDS if c in facts.columns]).join(
        counts.frame, on="organisation_id", how="left"
    )
    fills = [pl.col("warning_count").fill_null(0.0)] if counts.rules_ran else []
    if counts.has_cases:
        fills += [pl.col(c).fill_null(0.0) for c in COUNT_FIELDS[1:]]
    return joined.with_columns(*fills) if fills else joined
