"""Assemble the facts frame of a quarter: one row per enterprise, one column per data field.

Where each field comes from (see :mod:`citycarbon.domain.indicators.fields` for units):

* **Ledger** (``emission_result`` and its lines, current rows only): emissions by scope,
  energy, fuel use by IPCC family (coal, oil, gas), grid and green electricity, purchased heat,
  process emissions.
* **Production** (``production_record``): value added and output value.
* **Master data** (``organisation``): land area in mu; ``organisation_count`` is 1 per
  enterprise, so that sums over a region count its enterprises.
* **Efficiency grades** (``efficiency_grade``, current, Huzhou scheme): ``grade_n_count`` is 1
  for the enterprise's grade n. The grade of the quarter itself is used when the quarter was
  rated, else the grade of the calendar year.
* **Pollutants**: :func:`citycarbon.services.monitoring_queries.quarterly_pollutant_totals`.
* **Warnings and cases**: :func:`citycarbon.services.supervision_facts.quarterly_supervision_counts`
  (which quarter a warning or case counts in is explained there).
* **Prior year**: the same quarter one year earlier, for year-on-year changes.

How a quarter is derived from the ledger
----------------------------------------
Results of periods lying inside the calendar quarter (months, or the quarter itself) are
summed. An enterprise that has none of those but has a result for the whole calendar year
gets a quarter of its annual figures (pro rata, the same for every field), because an annual
reporter's quarter is otherwise unknown; ``prorated_count`` counts such enterprises. The same
rule applies to production records.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import polars as pl
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.indicators.fields import FACT_FIELDS
from citycarbon.domain.ledger.period import Period as CalendarPeriod
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import FuelRow
from citycarbon.services import monitoring_queries
from citycarbon.services.supervision_facts import fill_supervision_counts, quarterly_supervision_counts
from citycarbon.store.efficiency_tables import EfficiencyGrade
from citycarbon.store.tables import EmissionResult, EmissionResultLine, Organisation, Period, ProductionRecord

DEFAULT_KINDS = ("enterprise",)
GRADE_SCHEME = "huzhou"
#: Pollutant codes of the monitoring context and the fact field each is summed into.
POLLUTANT_FIELDS = {
    "so2": "so2_t",
    "nox": "nox_t",
    "pm": "pm_t",
    "vocs": "vocs_t",
    "cod": "cod_t",
    "nh3n": "nh3n_t",
}
PREV_FIELDS = {
    "emissions_tco2e": "emissions_prev_tco2e",
    "energy_tce": "energy_prev_tce",
    "value_added_10k_cny": "value_added_prev_10k_cny",
    "so2_t": "so2_prev_t",
    "nox_t": "nox_prev_t",
    "cod_t": "cod_prev_t",
    "nh3n_t": "nh3n_prev_t",
}
ANNUAL_SHARE = 0.25
_LEDGER_FIELDS = (
    "scope1_tco2e",
    "scope2_tco2e",
    "emissions_tco2e",
    "energy_tce",
    "coal_tce",
    "oil_tce",
    "gas_tce",
    "electricity_grid_mwh",
    "electricity_green_mwh",
    "heat_gj",
    "process_tco2e",
)


@cache
def _fuel_families() -> dict[str, str]:
    return {
        row.fuel_code: row.ipcc_family for row in load_dataset("fuel_catalogue", "fuels.csv", FuelRow).rows
    }


def _window(start: dt.date, end: dt.date, annual: bool) -> Any:
    if annual:
        return and_(Period.kind == "year", Period.start_date == start)
    return and_(Period.start_date >= start, Period.end_date <= end)


def _ledger(session: Session, start: dt.date, end: dt.date, annual: bool) -> pl.DataFrame:
    totals = (
        select(
            EmissionResult.organisation_id,
            func.sum(EmissionResult.scope1_tco2e).label("scope1_tco2e"),
            func.sum(EmissionResult.scope2_tco2e).label("scope2_tco2e"),
            func.sum(EmissionResult.total_tco2e).label("emissions_tco2e"),
            func.sum(EmissionResult.energy_tce).label("energy_tce"),
        )
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.superseded_at.is_(None), _window(start, end, annual))
        .group_by(EmissionResult.organisation_id)
    )
    lines = (
        select(
            EmissionResult.organisation_id,
            EmissionResultLine.category,
            EmissionResultLine.item_code,
            func.sum(EmissionResultLine.quantity_canonical).label("quantity"),
            func.sum(EmissionResultLine.energy_tce).label("line_tce"),
            func.sum(EmissionResultLine.emissions_tco2e).label("line_tco2e"),
        )
        .join(EmissionResult, EmissionResult.id == EmissionResultLine.result_id)
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.superseded_at.is_(None), _window(start, end, annual))
        .group_by(EmissionResult.organisation_id, EmissionResultLine.category, EmissionResultLine.item_code)
    )
    schema = {
        "organisation_id": pl.Int64,
        **dict.fromkeys(("scope1_tco2e", "scope2_tco2e", "emissions_tco2e", "energy_tce"), pl.Float64),
    }
    total_frame = pl.DataFrame([tuple(r) for r in session.execute(totals)], schema=schema, orient="row")
    line_schema = {
        "organisation_id": pl.Int64,
        "category": pl.Utf8,
        "item_code": pl.Utf8,
        "quantity": pl.Float64,
        "line_tce": pl.Float64,
        "line_tco2e": pl.Float64,
    }
    line_frame = pl.DataFrame([tuple(r) for r in session.execute(lines)], schema=line_schema, orient="row")
    family = pl.col("item_code").replace_strict(_fuel_families(), default=None, return_dtype=pl.Utf8)
    category = pl.col("category")

    def part(condition: pl.Expr, value: str) -> pl.Expr:
        return pl.when(condition).then(pl.col(value)).otherwise(0.0).sum()

    by_kind = line_frame.group_by("organisation_id").agg(
        part((category == "fuel") & (family == "coal"), "line_tce").alias("coal_tce"),
        part((category == "fuel") & (family == "oil"), "line_tce").alias("oil_tce"),
        part((category == "fuel") & (family == "gas"), "line_tce").alias("gas_tce"),
        part((category == "electricity") & (pl.col("item_code") == "grid"), "quantity").alias(
            "electricity_grid_mwh"
        ),
        part((category == "electricity") & (pl.col("item_code") == "green"), "quantity").alias(
            "electricity_green_mwh"
        ),
        part((category == "heat") & (pl.col("item_code") != "export"), "quantity").alias("heat_gj"),
        part(category == "process", "line_tco2e").alias("process_tco2e"),
    )
    return total_frame.join(by_kind, on="organisation_id", how="left")


def _production(session: Session, start: dt.date, end: dt.date, annual: bool) -> pl.DataFrame:
    query = (
        select(
            ProductionRecord.organisation_id,
            func.sum(ProductionRecord.output_value_10k_cny).label("output_value_10k_cny"),
            func.sum(ProductionRecord.value_added_10k_cny).label("value_added_10k_cny"),
        )
        .join(Period, Period.id == ProductionRecord.period_id)
        .where(ProductionRecord.superseded_at.is_(None), _window(start, end, annual))
        .group_by(ProductionRecord.organisation_id)
    )
    schema = {
        "organisation_id": pl.Int64,
        "output_value_10k_cny": pl.Float64,
        "value_added_10k_cny": pl.Float64,
    }
    return pl.DataFrame([tuple(r) for r in session.execute(query)], schema=schema, orient="row")


def _quarter_or_share_of_year(quarterly: pl.DataFrame, annual: pl.DataFrame) -> pl.DataFrame:
    """Quarter rows as they are; annual rows of the others, times :data:`ANNUAL_SHARE`."""
    values = [c for c in annual.columns if c != "organisation_id"]
    share = annual.join(quarterly.select("organisation_id"), on="organisation_id", how="anti").with_columns(
        *(pl.col(c) * ANNUAL_SHARE for c in values), pl.lit(1, dtype=pl.Int64).alias("is_prorated")
    )
    return pl.concat([quarterly.with_columns(pl.lit(0, dtype=pl.Int64).alias("is_prorated")), share])


def _grades(session: Session, year: int, quarter: int) -> pl.DataFrame:
    codes = (f"{year}-Q{quarter}", str(year))
    query = select(EfficiencyGrade.organisation_id, EfficiencyGrade.period_code, EfficiencyGrade.grade).where(
        EfficiencyGrade.superseded_at.is_(None),
        EfficiencyGrade.scheme_code == GRADE_SCHEME,
        EfficiencyGrade.period_code.in_(codes),
    )
    schema = {"organisation_id": pl.Int64, "period_code": pl.Utf8, "grade": pl.Int64}
    frame = pl.DataFrame([tuple(r) for r in session.execute(query)], schema=schema, orient="row")
    # The quarter's own grade wins over the year's (codes sort "2024" < "2024-Q4").
    frame = frame.sort("period_code", descending=True).unique("organisation_id", keep="first")
    grade = pl.col("grade")
    return frame.select(
        "organisation_id",
        grade.is_not_null().cast(pl.Float64).alias("rated_count"),
        *((grade == n).fill_null(False).cast(pl.Float64).alias(f"grade_{n}_count") for n in range(1, 6)),
    )


def pollutant_facts(totals: pl.DataFrame) -> pl.DataFrame:
    """Pivot pollutant totals (organisation_id, pollutant, quantity_t) into one column per field."""
    known = totals.filter(pl.col("pollutant").is_in(list(POLLUTANT_FIELDS)))
    monitored = totals.select("organisation_id").unique().with_columns(pl.lit(1.0).alias("monitored_count"))
    if known.height == 0:
        return monitored.with_columns(
            *(pl.lit(None, dtype=pl.Float64).alias(f) for f in POLLUTANT_FIELDS.values())
        )
    # Summed first and pivoted with "first", so a pollutant an organisation never reported stays
    # missing (a pivot with "sum" would make it zero).
    summed = (
        known.with_columns(pl.col("pollutant").replace_strict(POLLUTANT_FIELDS))
        .group_by("organisation_id", "pollutant")
        .agg(pl.col("quantity_t").sum())
    )
    wide = summed.pivot(
        on="pollutant", index="organisation_id", values="quantity_t", aggregate_function="first"
    )
    missing = [f for f in POLLUTANT_FIELDS.values() if f not in wide.columns]
    wide = wide.with_columns(*(pl.lit(None, dtype=pl.Float64).alias(f) for f in missing))
    return monitored.join(wide, on="organisation_id", how="left")


def _period_facts(session: Session, url: str, year: int, quarter: int) -> pl.DataFrame:
    period = CalendarPeriod(year, quarter=quarter)
    start, end = period.start_date, period.end_date
    year_start = dt.date(year, 1, 1)
    ledger = _quarter_or_share_of_year(
        _ledger(session, start, end, False), _ledger(session, year_start, end, True)
    )
    production = _quarter_or_share_of_year(
        _production(session, start, end, False), _production(session, year_start, end, True)
    ).drop("is_prorated")
    pollutants = pollutant_facts(monitoring_queries.quarterly_pollutant_totals(url, year, quarter))
    return (
        ledger.with_columns(pl.lit(1.0).alias("reported_count"))
        .join(production, on="organisation_id", how="full", coalesce=True)
        .join(pollutants, on="organisation_id", how="full", coalesce=True)
    )


def load_quarter_facts(
    session: Session, url: str, year: int, quarter: int, kinds: tuple[str, ...] = DEFAULT_KINDS
) -> pl.DataFrame:
    """Facts of every organisation of ``kinds`` for one quarter (see the module docstring).

    Returns
    -------
    polars.DataFrame
        ``organisation_id``, ``region_code``, ``prorated_count`` and one Float64 column per
        field of :data:`~citycarbon.domain.indicators.fields.FACT_FIELDS` (null when no data).

    """
    query = select(Organisation.id, Organisation.region_code, Organisation.area_mu).where(
        Organisation.kind.in_(kinds)
    )
    organisations = pl.DataFrame(
        [tuple(r) for r in session.execute(query)],
        schema={"organisation_id": pl.Int64, "region_code": pl.Utf8, "area_mu": pl.Float64},
        orient="row",
    ).with_columns(pl.lit(1.0).alias("organisation_count"))
    current = _period_facts(session, url, year, quarter)
    earlier = _period_facts(session, url, year - 1, quarter).select(
        "organisation_id", *(pl.col(k).alias(v) for k, v in PREV_FIELDS.items())
    )
    frame = (
        organisations.join(current, on="organisation_id", how="left")
        .join(earlier, on="organisation_id", how="left")
        .join(_grades(session, year, quarter), on="organisation_id", how="left")
    )
    frame = fill_supervision_counts(frame, quarterly_supervision_counts(session, year, quarter))
    counts = ["reported_count", "monitored_count", "rated_count", *(f"grade_{n}_count" for n in range(1, 6))]
    frame = frame.with_columns(*(pl.col(c).fill_null(0.0) for c in counts if c in frame.columns))
    absent = [f.name for f in FACT_FIELDS if f.name not in frame.columns]
    frame = frame.with_columns(*(pl.lit(None, dtype=pl.Float64).alias(name) for name in absent))
    fields = [f.name for f in FACT_FIELDS]
    return frame.select(
        "organisation_id",
        "region_code",
        pl.col("is_prorated").fill_null(0).cast(pl.Float64).alias("prorated_count"),
        *(pl.col(name).cast(pl.Float64) for name in fields),
    ).sort("organisation_id")
