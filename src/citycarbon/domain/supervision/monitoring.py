"""Vocabulary of pollutant monitoring: pollutants, measures, canonical units, message shape, windows.

A reading is one value of one pollutant at one outlet at one instant. What it measures follows
from the dimension of its unit: a mass per volume is a *concentration*, a mass per time a
*mass rate*, a plain mass a *mass* discharged over the reporting interval. Each measure has one
canonical unit (concentrations also depend on the medium, because air limits are written in
mg/m³ and water limits in mg/L), and readings are converted to it once, at the boundary.

References
----------
HJ 75-2017 连续自动监测技术规范 (CEMS of flue gas): hourly averages and mass rates.
HJ 212-2017 污染物在线监控（监测）系统数据传输标准: pollutant codes and data-gap handling.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pint
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from citycarbon.domain.errors import CityCarbonError, UnitError
from citycarbon.domain.units import parse_unit, registry

Medium = Literal["air", "water"]
Measure = Literal["concentration", "mass_rate", "mass"]
Source = Literal["import", "mqtt"]

#: Pollutant codes and the medium they are monitored in, with their Chinese and English names.
POLLUTANTS: dict[str, tuple[Medium, str, str]] = {
    "so2": ("air", "二氧化硫", "Sulphur dioxide"),
    "nox": ("air", "氮氧化物", "Nitrogen oxides"),
    "pm": ("air", "颗粒物", "Particulate matter"),
    "vocs": ("air", "挥发性有机物", "Volatile organic compounds"),
    "co": ("air", "一氧化碳", "Carbon monoxide"),
    "cod": ("water", "化学需氧量", "Chemical oxygen demand"),
    "nh3n": ("water", "氨氮", "Ammonia nitrogen"),
    "tn": ("water", "总氮", "Total nitrogen"),
    "tp": ("water", "总磷", "Total phosphorus"),
}

#: Canonical unit of each measure; concentrations by medium.
CONCENTRATION_UNITS: dict[Medium, str] = {"air": "mg/m3", "water": "mg/L"}
MASS_RATE_UNIT = "kg/h"
MASS_UNIT = "kg"

#: China Standard Time (no daylight saving): quarters and months of monitoring data are local.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")

MSG_UNKNOWN_POLLUTANT = "Unknown pollutant '{pollutant}'; use one of {allowed}"
MSG_UNIT_NOT_A_MEASURE = "Unit '{unit}' is neither a concentration, a mass rate nor a mass"
MSG_NAIVE_TIME = "Time '{value}' has no time zone; give it in UTC (…Z) or with an offset"


def check_pollutant(code: str) -> str:
    """Return the canonical (lower-case) pollutant code or raise with the allowed codes."""
    canonical = code.strip().casefold().replace("-", "").replace("_", "")
    aliases = {"nh3-n": "nh3n", "氨氮": "nh3n", "pm10": "pm", "颗粒物": "pm", "烟尘": "pm"}
    canonical = aliases.get(code.strip().casefold(), canonical)
    if canonical not in POLLUTANTS:
        raise CityCarbonError(MSG_UNKNOWN_POLLUTANT, pollutant=code, allowed=", ".join(POLLUTANTS))
    return canonical


def _dimension_of(unit: pint.Unit) -> Measure | None:
    ureg = registry()
    dims = {
        "concentration": ureg.parse_units("mg/m3").dimensionality,
        "mass_rate": ureg.parse_units("kg/h").dimensionality,
        "mass": ureg.parse_units("kg").dimensionality,
    }
    for measure, dimensionality in dims.items():
        if unit.dimensionality == dimensionality:
            return measure  # type: ignore[return-value]
    return None


def canonical_unit(measure: Measure, medium: Medium) -> str:
    """Return the unit a reading of ``measure`` is stored in at an outlet of ``medium``."""
    if measure == "concentration":
        return CONCENTRATION_UNITS[medium]
    return MASS_RATE_UNIT if measure == "mass_rate" else MASS_UNIT


def classify_unit(spelling: str) -> Measure:
    """Return the measure a reported unit belongs to (``mg/m3`` → concentration, ``kg/h`` → mass rate).

    Raises
    ------
    UnitError
        When the unit is unknown or is none of the three measures.

    """
    measure = _dimension_of(parse_unit(spelling))
    if measure is None:
        raise UnitError(MSG_UNIT_NOT_A_MEASURE, unit=spelling)
    return measure


def check_utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC; naive times are refused because their zone is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CityCarbonError(MSG_NAIVE_TIME, value=value.isoformat())
    return value.astimezone(dt.UTC)


def quarter_window(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC bounds ``[start, end)`` of a calendar quarter in China Standard Time.

    >>> start, end = quarter_window(2026, 1)
    >>> start.isoformat(), end.isoformat()
    ('2025-12-31T16:00:00+00:00', '2026-03-31T16:00:00+00:00')
    """
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, not {quarter}")
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=CHINA_TZ)
    end = dt.datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=CHINA_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _pollutant(value: str) -> str:
    try:
        return check_pollutant(value)
    except CityCarbonError as error:
        raise ValueError(str(error)) from None


class ReadingMessage(BaseModel):
    """One reading as sent over MQTT (JSON), before it is matched to an outlet.

    Example::

        {"uscc": "91330100716105852F", "site_code": "S1", "outlet_code": "DA001",
         "pollutant": "so2", "observed_at": "2026-01-05T03:00:00Z", "value": 21.4, "unit": "mg/m3"}
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    uscc: str = Field(min_length=18, max_length=18)
    site_code: str = Field(min_length=1, max_length=64)
    outlet_code: str = Field(min_length=1, max_length=64)
    pollutant: Annotated[str, AfterValidator(_pollutant)]
    observed_at: dt.datetime
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=24)

    @field_validator("observed_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        try:
            return check_utc(value)
        except CityCarbonError as error:
            raise ValueError(str(error)) from None

    @field_validator("unit")
    @classmethod
    def _measure(cls, value: str) -> str:
        try:
            classify_unit(value)
        except UnitError as error:
            raise ValueError(str(error)) from None
        return value
