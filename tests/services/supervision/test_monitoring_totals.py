"""Quarterly pollutant totals for the synergy index: mass readings win, rates × interval otherwise."""

from __future__ import annotations

import polars as pl
import pytest

from citycarbon.services.monitoring_import import import_monitoring_file
from citycarbon.services.monitoring_queries import quarterly_pollutant_totals, totals_from_sums

from .conftest import USCC_A, USCC_B, MonitoredCity


def test_totals_rule_on_a_plain_frame() -> None:
    sums = pl.DataFrame(
        {
            "organisation_id": [1, 1, 1, 2],
            "outlet_id": [10, 10, 11, 20],
            "pollutant": ["so2", "so2", "so2", "nox"],
            "measure": ["mass", "mass_rate", "mass_rate", "mass_rate"],
            "expected_interval_s": [3600, 3600, 1800, 3600],
            "value_sum": [500.0, 999.0, 100.0, 2000.0],
        }
    )
    totals = totals_from_sums(sums)
    # org 1: outlet 10 reports mass (500 kg; its rates are ignored) + outlet 11: 100 kg/h × 0.5 h = 50 kg
    assert totals.rows() == [(1, "so2", pytest.approx(0.55)), (2, "nox", pytest.approx(2.0))]
    assert totals.schema == {"organisation_id": pl.Int64, "pollutant": pl.Utf8, "quantity_t": pl.Float64}


def test_quarter_totals_from_the_store(monitored: MonitoredCity) -> None:
    readings = (
        "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n"
        f"{USCC_A},S1,DA001,so2,2024-10-01 00:00,2,kg/h\n"  # first instant of Q4 (China time)
        f"{USCC_A},S1,DA001,so2,2024-10-01 01:00,4,kg/h\n"
        f"{USCC_A},S1,DA001,so2,2024-09-30 23:00,100,kg/h\n"  # Q3: not counted
        f"{USCC_A},S1,DA001,so2,2024-10-01 02:00,50,mg/m3\n"  # a concentration: no mass
        f"{USCC_A},S1,DW001,cod,2024-11-02,12,kg\n"  # daily discharged mass
        f"{USCC_B},K1,DA001,nox,2024-12-31 23:00,1000,g/h\n"  # last hour of Q4
        f"{USCC_B},K1,DA001,nox,2025-01-01 00:00,1000,g/h\n"  # Q1 2025
    )
    import_monitoring_file(monitored.url, readings.encode(), file_name="q.csv", kind="readings")
    totals = quarterly_pollutant_totals(monitored.url, 2024, 4)
    expected = {
        (monitored.org_a, "so2"): (2 + 4) * 1.0 / 1000,  # hourly outlet: 6 kg
        (monitored.org_a, "cod"): 12 / 1000,
        (monitored.org_b, "nox"): 1.0 * 1.0 / 1000,  # 1 kg/h × 1 h
    }
    assert {(o, p): q for o, p, q in totals.rows()} == pytest.approx(expected)
