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

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.ledger.period import Period as CalendarPeriod
from citycarbon.domain.ledger.period import parse_period
from citycarbon.domain.supervision.monitoring import CHINA_TZ
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningRun

COUNT_FIELDS = ("warning_count", "case_count", "case_closed_count", "case_closed_on_time_count")


def _quarter_of(period_code: str | None, window_start_at: dt.datetime | None) -> str | None:
    """``YYYY-Qn`` of a warning's subject (see the module docstring); ``None`` when it has none."""
    if period_code:
        start = parse_period(period_code).end_date
    elif window_start_at is not None:
        aware = window_start_at if window_start_at.tzinfo else window_start_at.replace(tzinfo=dt.UTC)
        start = aware.astimezone(CHINA_TZ).date()
    else:
        return None
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _warnings(session: Session) -> pl.DataFrame:
    rows = session.execute(
        select(
            SupervisionWarning.id,
            SupervisionWarning.organisation_id,
            SupervisionWarning.period_code,
            SupervisionWarning.window_start_at,
        )
    ).all()
    return pl.DataFrame(
        [(wid, org, _quarter_of(code, start)) for wid, org, code, start in rows],
        schema={"warning_id": pl.Int64, "organisation_id": pl.Int64, "quarter": pl.Utf8},
        orient="row",
    )


def _rules_ran(session: Session, quarter: str) -> bool:
    codes = session.scalars(select(WarningRun.period_code).where(WarningRun.period_code.is_not(None)))
    return any(_quarter_of(code, None) == quarter for code in codes)


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
    frame = pl.DataFrame(
        [
            (org, wid, _quarter_of(None, opened), closed is not None, closed is not None and closed <= due)
            for org, wid, opened, closed, due in rows
        ],
        schema={
            "organisation_id": pl.Int64,
            "warning_id": pl.Int64,
            "opened_quarter": pl.Utf8,
            "is_closed": pl.Boolean,
            "is_on_time": pl.Boolean,
        },
        orient="row",
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
