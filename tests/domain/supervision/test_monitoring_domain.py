"""Monitoring vocabulary: measures from units, pollutant codes, China-time quarters, MQTT messages."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from citycarbon.domain.errors import CityCarbonError, UnitError
from citycarbon.domain.supervision.monitoring import (
    ReadingMessage,
    canonical_unit,
    check_pollutant,
    check_utc,
    classify_unit,
    quarter_window,
)
from citycarbon.domain.units import conversion_factor

USCC = "91330100716105852F"


@pytest.mark.parametrize(
    ("unit", "measure"),
    [
        ("mg/m3", "concentration"),
        ("mg/L", "concentration"),
        ("g/m3", "concentration"),
        ("kg/h", "mass_rate"),
        ("g/s", "mass_rate"),
        ("kg", "mass"),
        ("t", "mass"),
    ],
)
def test_the_unit_decides_the_measure(unit: str, measure: str) -> None:
    assert classify_unit(unit) == measure


@pytest.mark.parametrize("unit", ["kWh", "m3", "m3/h"])
def test_units_of_other_dimensions_are_refused(unit: str) -> None:
    with pytest.raises(UnitError):
        classify_unit(unit)


def test_canonical_units_and_a_conversion_worked_by_hand() -> None:
    assert canonical_unit("concentration", "air") == "mg/m3"
    assert canonical_unit("concentration", "water") == "mg/L"
    assert canonical_unit("mass_rate", "air") == "kg/h"
    # 1 g/s = 3600 g/h = 3.6 kg/h
    assert conversion_factor("g/s", "kg/h") == pytest.approx(3.6)


@pytest.mark.parametrize(
    ("text", "code"), [("SO2", "so2"), ("NH3-N", "nh3n"), ("氨氮", "nh3n"), ("NOx", "nox")]
)
def test_pollutant_spellings(text: str, code: str) -> None:
    assert check_pollutant(text) == code


def test_unknown_pollutant_names_the_allowed_codes() -> None:
    with pytest.raises(CityCarbonError) as raised:
        check_pollutant("sox")
    assert "so2" in str(raised.value)


def test_quarters_are_china_time() -> None:
    start, end = quarter_window(2024, 4)
    assert start == dt.datetime(2024, 9, 30, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2024, 12, 31, 16, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        quarter_window(2024, 5)


def test_naive_times_are_refused() -> None:
    with pytest.raises(CityCarbonError):
        check_utc(dt.datetime(2026, 1, 1))


def _message(**changes: object) -> dict[str, object]:
    message: dict[str, object] = {
        "uscc": USCC,
        "site_code": "S1",
        "outlet_code": "DA001",
        "pollutant": "SO2",
        "observed_at": "2026-01-05T11:00:00+08:00",
        "value": 21.5,
        "unit": "mg/m3",
    }
    return message | changes


def test_a_valid_message_is_normalised() -> None:
    message = ReadingMessage.model_validate(_message())
    assert message.pollutant == "so2"
    assert message.observed_at == dt.datetime(2026, 1, 5, 3, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "changes",
    [
        {"value": -1},
        {"value": "NaN"},
        {"unit": "kWh"},
        {"pollutant": "xx"},
        {"observed_at": "2026-01-05T11:00:00"},
        {"extra": 1},
        {"uscc": "123"},
    ],
)
def test_malformed_messages_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReadingMessage.model_validate(_message(**changes))
