"""Give the demo city outlets, a quarter of daily monitoring data and grid-company meter data.

Loaded after the demo ledger (it needs its organisations and electricity records): a few hundred
outlets of industrial enterprises, daily mean concentrations and daily discharged masses for the
newest quarter of the ledger, with a few exceedances and silent spells (断传), and the grid
company's monthly electricity for every enterprise that reported electricity, a few of them far
from what the enterprise reported. Then the warning rules run. Seeded: the same city each time.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import polars as pl
from polars._typing import SchemaDict
from sqlalchemy import select

from citycarbon.services.monitoring import OutletSpec, register_outlets, store_reading_frame
from citycarbon.services.monitoring_import import write_meter_records
from citycarbon.services.warnings import run_warnings
from citycarbon.services.warnings_inputs import default_period, reported_electricity_frame, window_of
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_repository import outlet_directory
from citycarbon.store.tables import Organisation

SEED = 20240
OUTLET_TARGET = 300
GRID_SOURCE = "国网台州供电公司"
#: Air pollutants: typical daily mean concentration [mg/m3] at a plant that complies.
AIR = {"so2": 45.0, "nox": 70.0, "pm": 12.0}
WATER = {"cod": 55.0, "nh3n": 6.0}
#: Flue-gas flow [m3/h] and waste-water flow [m3/day] of a typical outlet.
GAS_FLOW_M3_PER_H = 40_000.0
WATER_FLOW_M3_PER_DAY = 800.0


@dataclass(frozen=True)
class DemoMonitoringSummary:
    """What loading the demo monitoring data wrote."""

    period_code: str | None
    outlets: int
    readings: int
    meter_records: int
    warnings: int
    warnings_by_rule: dict[str, int]
    skipped: bool = False


def load_demo_monitoring(url: str) -> DemoMonitoringSummary:
    """Load outlets, readings and meter data for the newest ledger quarter, then run the warning rules."""
    rng = random.Random(SEED)
    with unit_of_work(url) as session:
        if outlet_directory(session).height:
            return DemoMonitoringSummary(None, 0, 0, 0, 0, {}, skipped=True)
        period = default_period(session)
        if period is None:
            return DemoMonitoringSummary(None, 0, 0, 0, 0, {}, skipped=True)
        window = window_of(period)
        specs = _outlet_specs(session, rng)
        register_outlets(session, specs)
        outlets = outlet_directory(session)
        readings = _readings(outlets, window.start_at, window.end_at, rng)
        store_reading_frame(session, readings, source="import")
        meter = _meter(reported_electricity_frame(session, window), rng)
        written, _, _ = write_meter_records(session, meter, None, "demo")
    summary = run_warnings(url, period, trigger="demo")
    return DemoMonitoringSummary(
        period, outlets.height, readings.height, written, summary.new_count, summary.found_by_rule
    )


def _outlet_specs(session: object, rng: random.Random) -> list[OutletSpec]:
    orgs = session.execute(  # type: ignore[attr-defined]
        select(Organisation.id, Organisation.industry_code)
        .where(Organisation.kind == "enterprise", Organisation.industry_code.is_not(None))
        .order_by(Organisation.id)
    ).all()
    # Manufacturing (section C) and power and heat supply (D44) run stacks and drains.
    industrial = [(org_id, code) for org_id, code in orgs if code.startswith(("C", "D44"))]
    chosen = rng.sample(industrial, min(len(industrial), OUTLET_TARGET // 2))
    specs = []
    for org_id, code in chosen:
        power = code.startswith("D44")
        specs.append(
            OutletSpec(
                org_id,
                "S1",
                "DA001",
                "air",
                "1#排气筒",
                86_400,
                "gb13223_coal_boiler_new" if power else "gb16297_new_source",
            )
        )
        if rng.random() < 0.5:
            specs.append(OutletSpec(org_id, "S1", "DW001", "water", "废水总排口", 86_400, "gb8978_grade1"))
        elif rng.random() < 0.5:
            specs.append(OutletSpec(org_id, "S1", "DA002", "air", "2#排气筒", 86_400, "gb16297_new_source"))
    return specs


def _readings(
    outlets: pl.DataFrame, start_at: dt.datetime, end_at: dt.datetime, rng: random.Random
) -> pl.DataFrame:
    """Daily readings (noon China time) for every outlet; a few exceed, a few fall silent."""
    days = (end_at - start_at).days
    rows: list[tuple[int, str, str, dt.datetime, float, str, float, str]] = []
    for outlet_id, medium in outlets.select(
        "outlet_id", "medium"
    ).iter_rows():  # demo data, a few hundred outlets
        base = AIR if medium == "air" else WATER
        silent = range(0)
        roll = rng.random()
        if roll < 0.04:
            first = rng.randrange(10, days - 20)
            silent = range(first, first + rng.randrange(5, 15))
        elif roll < 0.05:
            silent = range(days - 10, days)  # stopped sending: an open gap
        polluter = rng.random() < 0.05
        for day in range(days):
            if day in silent:
                continue
            at = start_at + dt.timedelta(days=day, hours=12)
            for pollutant, mean in base.items():
                level = mean * rng.lognormvariate(0, 0.2)
                if polluter and rng.random() < 0.15:
                    level *= rng.uniform(2.5, 9.0)
                unit = "mg/m3" if medium == "air" else "mg/L"
                mass_kg = (
                    level
                    * (GAS_FLOW_M3_PER_H * 24 if medium == "air" else WATER_FLOW_M3_PER_DAY * 1000)
                    / 1e6
                )
                rows.append(
                    (outlet_id, pollutant, "concentration", at, round(level, 3), unit, round(level, 3), unit)
                )
                rows.append(
                    (outlet_id, pollutant, "mass", at, round(mass_kg, 3), "kg", round(mass_kg, 3), "kg")
                )
    schema: SchemaDict = {
        "outlet_id": pl.Int64,
        "pollutant_code": pl.String,
        "measure": pl.String,
        "observed_at": pl.Datetime("us", "UTC"),
        "value": pl.Float64,
        "unit": pl.String,
        "reported_value": pl.Float64,
        "reported_unit": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _meter(reported: pl.DataFrame, rng: random.Random) -> pl.DataFrame:
    """The grid company's figure: the reported one within ±1 %, or 20–45 % off for one firm in 40."""
    organisations = sorted(set(reported["organisation_id"].to_list()))
    off = {org: rng.uniform(0.2, 0.45) * rng.choice((-1, 1)) for org in organisations if rng.random() < 0.025}
    noise = {org: off.get(org, rng.uniform(-0.01, 0.01)) for org in organisations}
    return reported.select(
        "organisation_id",
        "period_code",
        (
            pl.col("reported_mwh")
            * (1 + pl.col("organisation_id").replace_strict(noise, return_dtype=pl.Float64))
        )
        .round(3)
        .alias("electricity_mwh"),
        pl.lit(GRID_SOURCE).alias("source_name"),
        pl.lit(None, pl.Int64).alias("row_number"),
    )
