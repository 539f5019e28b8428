"""Export what the warning rules read from the store, as frames, for one period.

Ledger figures are compared month by month: the results, output values and electricity of the
months inside the period are summed, and so are those of the same months a year earlier. The
monitoring window is the period in China Standard Time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from polars._typing import SchemaDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citycarbon.domain.ledger.period import Period, parse_period
from citycarbon.domain.supervision.monitoring import CHINA_TZ
from citycarbon.domain.units import conversion_factor
from citycarbon.engines.supervision.ledger_rules import COMPARISON_SCHEMA
from citycarbon.engines.supervision.warnings import SupervisionInputs
from citycarbon.store.efficiency_tables import EfficiencyGrade
from citycarbon.store.monitoring_repository import outlet_directory
from citycarbon.store.monitoring_tables import MeterElectricityRecord, MonitoringReading, OutletLimit
from citycarbon.store.tables import ActivityRecord, EmissionResult, ProductionRecord
from citycarbon.store.tables import Period as PeriodRow

UTC_US = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True)
class Window:
    """A period and its monitoring window in UTC."""

    period: Period
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def previous(self) -> Period:
        """The same period a year earlier."""
        return Period(self.period.year - 1, self.period.quarter, self.period.month)


def window_of(code: str) -> Window:
    """Return the period ``code`` (any spelling) with its UTC bounds ``[start, end)`` in China time."""
    period = parse_period(code)
    start = dt.datetime.combine(period.start_date, dt.time(), CHINA_TZ)
    end = dt.datetime.combine(period.end_date + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    return Window(period, start.astimezone(dt.UTC), end.astimezone(dt.UTC))


def default_period(session: Session) -> str | None:
    """The quarter of the newest reading, else the quarter of the newest monthly result."""
    newest = session.execute(select(func.max(MonitoringReading.observed_at))).scalar()
    if newest is not None:
        local = _utc(newest).astimezone(CHINA_TZ)
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    row = session.execute(
        select(PeriodRow.year, PeriodRow.month)
        .join(EmissionResult, EmissionResult.period_id == PeriodRow.id)
        .where(PeriodRow.kind == "month")
        .order_by(PeriodRow.start_date.desc())
        .limit(1)
    ).first()
    return None if row is None or row[1] is None else f"{row[0]}-Q{(row[1] - 1) // 3 + 1}"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _frame(rows: Sequence[Any], schema: SchemaDict) -> pl.DataFrame:
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")


def _months(period: Period) -> list[str]:
    months = (
        [period.month]
        if period.month
        else list(range(3 * (period.quarter or 1) - 2, 3 * (period.quarter or 4) + 1))
    )
    return [f"{period.year}-{month:02d}" for month in months]


def _ledger_totals(session: Session, period: Period) -> pl.DataFrame:
    months = _months(period)
    results = _frame(
        session.execute(
            select(
                EmissionResult.organisation_id,
                func.sum(EmissionResult.total_tco2e),
                func.sum(EmissionResult.energy_tce),
            )
            .join(PeriodRow, PeriodRow.id == EmissionResult.period_id)
            .where(EmissionResult.superseded_at.is_(None), PeriodRow.code.in_(months))
            .group_by(EmissionResult.organisation_id)
        ).all(),
        {"organisation_id": pl.Int64, "emissions_tco2e": pl.Float64, "energy_tce": pl.Float64},
    )
    output = _frame(
        session.execute(
            select(ProductionRecord.organisation_id, func.sum(ProductionRecord.output_value_10k_cny))
            .join(PeriodRow, PeriodRow.id == ProductionRecord.period_id)
            .where(ProductionRecord.superseded_at.is_(None), PeriodRow.code.in_(months))
            .group_by(ProductionRecord.organisation_id)
        ).all(),
        {"organisation_id": pl.Int64, "output_value_10k_cny": pl.Float64},
    )
    return results.join(output, on="organisation_id", how="left").with_columns(
        pl.lit(True).alias("has_report")
    )


def comparison_frame(session: Session, window: Window) -> pl.DataFrame:
    """Each organisation's figures for the period and the same period a year earlier."""
    current = _ledger_totals(session, window.period)
    previous = _ledger_totals(session, window.previous).rename(
        {
            "emissions_tco2e": "emissions_previous_tco2e",
            "energy_tce": "energy_previous_tce",
            "output_value_10k_cny": "output_value_previous_10k_cny",
            "has_report": "had_previous_report",
        }
    )
    joined = current.join(previous, on="organisation_id", how="full", coalesce=True)
    return joined.with_columns(
        pl.lit(window.period.code).alias("period_code"),
        pl.lit(window.previous.code).alias("previous_period_code"),
        pl.col("has_report").fill_null(False),
        pl.col("had_previous_report").fill_null(False),
    ).select([pl.col(name).cast(dtype) for name, dtype in COMPARISON_SCHEMA.items()])


def grades_frame(session: Session, window: Window) -> pl.DataFrame:
    """Current efficiency grades of this period, or of its year (ratings are mostly annual)."""
    grade = EfficiencyGrade
    return _frame(
        session.execute(
            select(
                grade.organisation_id,
                grade.period_code,
                grade.industry_code,
                grade.intensity_tco2e_per_10k_cny,
                grade.benchmark_tco2e_per_10k_cny,
                grade.k_industry,
            ).where(
                grade.superseded_at.is_(None),
                grade.period_code.in_({window.period.code, str(window.period.year)}),
            )
        ).all(),
        {
            "organisation_id": pl.Int64,
            "period_code": pl.String,
            "industry_code": pl.String,
            "intensity_tco2e_per_10k_cny": pl.Float64,
            "benchmark_tco2e_per_10k_cny": pl.Float64,
            "k_industry": pl.Float64,
        },
    )


def reported_electricity_frame(session: Session, window: Window) -> pl.DataFrame:
    """Electricity [MWh] the organisations reported in the ledger, per organisation and month."""
    months = _months(window.period)
    reported = _frame(
        session.execute(
            select(
                ActivityRecord.organisation_id,
                PeriodRow.code,
                ActivityRecord.unit,
                func.sum(ActivityRecord.quantity),
            )
            .join(PeriodRow, PeriodRow.id == ActivityRecord.period_id)
            .where(
                ActivityRecord.superseded_at.is_(None),
                ActivityRecord.category == "electricity",
                PeriodRow.code.in_(months),
            )
            .group_by(ActivityRecord.organisation_id, PeriodRow.code, ActivityRecord.unit)
        ).all(),
        {"organisation_id": pl.Int64, "period_code": pl.String, "unit": pl.String, "quantity": pl.Float64},
    )
    factors = pl.DataFrame(
        [(unit, conversion_factor(unit, "MWh")) for unit in reported["unit"].unique().to_list()],
        schema={"unit": pl.String, "factor": pl.Float64},
        orient="row",
    )
    reported_mwh = (
        reported.join(factors, on="unit")
        .group_by("organisation_id", "period_code")
        .agg((pl.col("quantity") * pl.col("factor")).sum().alias("reported_mwh"))
    )
    return reported_mwh


def electricity_frame(session: Session, window: Window) -> pl.DataFrame:
    """Reported electricity [MWh] next to metered electricity, per organisation and month."""
    months = _months(window.period)
    reported_mwh = reported_electricity_frame(session, window)
    metered = _frame(
        session.execute(
            select(
                MeterElectricityRecord.organisation_id,
                MeterElectricityRecord.period_code,
                MeterElectricityRecord.source_name,
                MeterElectricityRecord.electricity_mwh,
            ).where(
                MeterElectricityRecord.superseded_at.is_(None), MeterElectricityRecord.period_code.in_(months)
            )
        ).all(),
        {
            "organisation_id": pl.Int64,
            "period_code": pl.String,
            "source_name": pl.String,
            "metered_mwh": pl.Float64,
        },
    )
    return metered.join(reported_mwh, on=["organisation_id", "period_code"], how="left")


def monitoring_frames(session: Session, window: Window) -> dict[str, pl.DataFrame]:
    """Outlets, limits, the window's current readings and each outlet's last reading before it."""
    outlets = outlet_directory(session).select(
        "outlet_id", "organisation_id", "site_id", "expected_interval_s"
    )
    reading = MonitoringReading
    readings = _frame(
        session.execute(
            select(
                reading.outlet_id, reading.pollutant_code, reading.measure, reading.observed_at, reading.value
            ).where(
                reading.superseded_at.is_(None),
                reading.observed_at >= window.start_at,
                reading.observed_at < window.end_at,
            )
        ).all(),
        {
            "outlet_id": pl.Int64,
            "pollutant_code": pl.String,
            "measure": pl.String,
            "observed_at": UTC_US,
            "value": pl.Float64,
        },
    )
    before = _frame(
        session.execute(
            select(reading.outlet_id, func.max(reading.observed_at))
            .where(reading.superseded_at.is_(None), reading.observed_at < window.start_at)
            .group_by(reading.outlet_id)
        ).all(),
        {"outlet_id": pl.Int64, "observed_at": UTC_US},
    )
    limits = _frame(
        session.execute(
            select(
                OutletLimit.outlet_id,
                OutletLimit.pollutant_code,
                OutletLimit.measure,
                OutletLimit.limit_value,
                OutletLimit.unit,
            )
        ).all(),
        {
            "outlet_id": pl.Int64,
            "pollutant_code": pl.String,
            "measure": pl.String,
            "limit_value": pl.Float64,
            "unit": pl.String,
        },
    )
    return {"outlets": outlets, "readings": readings, "gap_times": before, "limits": limits}


def supervision_inputs(session: Session, window: Window, *, now: dt.datetime) -> SupervisionInputs:
    """Everything the rule set reads for ``window``, exported from the store."""
    monitoring = monitoring_frames(session, window)
    return SupervisionInputs(
        readings=monitoring["readings"].lazy(),
        limits=monitoring["limits"].lazy(),
        outlets=monitoring["outlets"].lazy(),
        window_start_at=window.start_at,
        as_of=min(window.end_at, now),
        comparison=comparison_frame(session, window).lazy(),
        grades=grades_frame(session, window).lazy(),
        electricity=electricity_frame(session, window).lazy(),
        gap_times=monitoring["gap_times"].lazy(),
    )
