"""Monitoring imports: Chinese/English headers, GB18030 and XLSX, every problem reported, idempotent."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from citycarbon.domain.errors import ValidationFailed
from citycarbon.services.monitoring_import import import_monitoring_file
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import (
    MeterElectricityRecord,
    MonitoringOutlet,
    MonitoringReading,
    OutletLimit,
)

from .conftest import USCC_A, USCC_B, MonitoredCity

READINGS = (
    "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n"
    f"{USCC_A},S1,DA001,SO2,2026-01-05 08:00,600,mg/m3\n"
    f"{USCC_A},S1,DA001,so2,2026-01-05T01:00:00Z,2.5,kg/h\n"
    f"{USCC_A},S1,DW001,COD,2026-01-05,0.12,g/L\n"
)


def count(url: str, table: type) -> int:
    with unit_of_work(url) as session:
        return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_outlets_get_the_limits_of_their_profile(monitored: MonitoredCity) -> None:
    assert count(monitored.url, MonitoringOutlet) == 3
    # gb16297_new_source: 8 limits; gb8978_grade1: 3; gb13223_coal_boiler_new: 3
    assert count(monitored.url, OutletLimit) == 14


def test_readings_are_converted_and_stored_once(monitored: MonitoredCity) -> None:
    summary = import_monitoring_file(monitored.url, READINGS.encode(), file_name="r.csv", kind="readings")
    assert (summary.rows, summary.written, summary.skipped) == (3, 3, 0)
    with unit_of_work(monitored.url) as session:
        rows = session.execute(
            select(MonitoringReading.measure, MonitoringReading.value, MonitoringReading.unit).order_by(
                MonitoringReading.unit
            )
        ).all()
    # 0.12 g/L = 120 mg/L; times without a zone are China time (08:00 → 00:00 UTC)
    assert [tuple(r) for r in rows] == [
        ("mass_rate", 2.5, "kg/h"),
        ("concentration", pytest.approx(120.0), "mg/L"),
        ("concentration", 600.0, "mg/m3"),
    ]
    again = import_monitoring_file(monitored.url, READINGS.encode(), file_name="r.csv", kind="readings")
    assert again.already_imported and count(monitored.url, MonitoringReading) == 3


def test_a_changed_value_is_a_revision_and_the_same_value_is_skipped(monitored: MonitoredCity) -> None:
    import_monitoring_file(monitored.url, READINGS.encode(), file_name="r.csv", kind="readings")
    changed = READINGS.replace(",600,", ",610,") + "\n"  # another file: other bytes
    summary = import_monitoring_file(monitored.url, changed.encode(), file_name="r2.csv", kind="readings")
    assert (summary.written, summary.revised, summary.skipped) == (0, 1, 2)
    with unit_of_work(monitored.url) as session:
        current = session.execute(
            select(MonitoringReading.value, MonitoringReading.revision).where(
                MonitoringReading.superseded_at.is_(None), MonitoringReading.reported_value >= 600
            )
        ).all()
    assert [tuple(r) for r in current] == [(610.0, 1)]
    assert count(monitored.url, MonitoringReading) == 4


def test_every_problem_is_reported_and_nothing_written(monitored: MonitoredCity) -> None:
    bad = (
        "统一社会信用代码,厂区代码,排放口编号,污染物,监测时间,监测值,单位\n"
        "91330100716105852X,S1,DA001,SOX,2026-13-05,abc,mg/m3\n"
        f"{USCC_A},S1,DA001,cod,2026-01-05,1,mg/L\n"
        f"{USCC_A},S1,DA009,so2,2026-01-05,1,mg/m3\n"
        f"{USCC_B},K1,DA001,so2,2026-01-05,,kWh\n"
    )
    with pytest.raises(ValidationFailed) as raised:
        import_monitoring_file(monitored.url, bad.encode("gb18030"), file_name="bad.csv", kind="readings")
    found = {(p.row, p.column) for p in raised.value.problems}
    assert {
        (2, "统一社会信用代码"),
        (2, "污染物"),
        (2, "监测时间"),
        (2, "监测值"),
        (3, "污染物"),
        (4, "排放口编号"),
        (5, "监测值"),
    } <= found
    assert count(monitored.url, MonitoringReading) == 0


def test_xlsx_with_english_headers(monitored: MonitoredCity) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["uscc", "site_code", "outlet_code", "pollutant", "observed_at", "value", "unit"])
    sheet.append([USCC_B, "K1", "DA001", "nox", "2026-01-05 10:00", 88.5, "mg/m3"])
    data = io.BytesIO()
    book.save(data)
    summary = import_monitoring_file(monitored.url, data.getvalue(), file_name="r.xlsx", kind="readings")
    assert (summary.encoding, summary.written) == ("xlsx", 1)


def test_grid_meter_data_in_chinese_units(monitored: MonitoredCity) -> None:
    meter = (
        "统一社会信用代码,期间,用电量,单位,数据来源\n"
        f"{USCC_A},2024-01,85.5,万千瓦时,国网台州供电公司\n"
        f"{USCC_B},2024年1月,1200,MWh,国网台州供电公司\n"
    )
    summary = import_monitoring_file(monitored.url, meter.encode(), file_name="m.csv", kind="grid_meter")
    assert summary.written == 2
    with unit_of_work(monitored.url) as session:
        values = dict(
            session.execute(
                select(MeterElectricityRecord.organisation_id, MeterElectricityRecord.electricity_mwh)
            ).all()
        )
    # 85.5 万千瓦时 = 855,000 kWh = 855 MWh
    assert values == {monitored.org_a: pytest.approx(855.0), monitored.org_b: pytest.approx(1200.0)}
    bad = meter.replace("2024-01", "2024").replace("1200", "-1")
    with pytest.raises(ValidationFailed) as raised:
        import_monitoring_file(monitored.url, bad.encode(), file_name="m2.csv", kind="grid_meter")
    assert {(p.row, p.column) for p in raised.value.problems} == {(2, "期间"), (3, "用电量")}
