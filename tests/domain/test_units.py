"""Unit conversions of the ledger: every unit the enterprise files use, with hand-derived factors.

Expected factors are derived here from the unit definitions themselves (SI prefixes, the
GB/T 2589-2020 definition 1 kgce = 29 307.6 kJ, 1 mu = 10 000/15 m²), never read from the code.
"""

from __future__ import annotations

import math

import pytest

from citycarbon.domain.errors import UnitError
from citycarbon.domain.units import conversion_factor, normalise_unit_spelling, parse_unit

REL = 1e-12

# (from, to, expected factor, how it is derived)
CONVERSIONS = [
    ("t", "kg", 1000.0, "1 t = 10^3 kg"),
    ("kg", "t", 1e-3, "1 kg = 10^-3 t"),
    ("吨", "t", 1.0, "吨 is the tonne"),
    ("吨", "kg", 1000.0, "吨 is the tonne"),
    ("千克", "t", 1e-3, "千克 is the kilogram"),
    ("公斤", "kg", 1.0, "公斤 is the kilogram"),
    ("10^4 Nm3", "m3", 1e4, "10^4 normal cubic metres"),
    ("万立方米", "m3", 1e4, "万 = 10^4"),
    ("万立方米", "10^4 Nm3", 1.0, "both are 10^4 cubic metres at standard state"),
    ("m3", "10^4 Nm3", 1e-4, "1 m3 = 10^-4 × 10^4 Nm3"),
    ("m3", "万立方米", 1e-4, "1 m3 = 10^-4 × 10^4 m3"),
    ("Nm3", "m3", 1.0, "a normal cubic metre is a cubic metre at 0 °C, 101.325 kPa"),
    ("MWh", "kWh", 1000.0, "1 MWh = 10^3 kWh"),
    ("kWh", "MWh", 1e-3, "1 kWh = 10^-3 MWh"),
    ("万千瓦时", "MWh", 10.0, "10^4 kWh = 10 MWh"),
    ("万千瓦时", "kWh", 1e4, "万 = 10^4"),
    ("度", "kWh", 1.0, "度 is the kilowatt-hour"),
    ("度", "MWh", 1e-3, "度 is the kilowatt-hour"),
    ("千瓦时", "kWh", 1.0, "千瓦时 is the kilowatt-hour"),
    ("兆瓦时", "MWh", 1.0, "兆瓦时 is the megawatt-hour"),
    ("GJ", "MJ", 1000.0, "1 GJ = 10^3 MJ"),
    ("MJ", "GJ", 1e-3, "1 MJ = 10^-3 GJ"),
    ("百万千焦", "GJ", 1.0, "10^6 kJ = 10^9 J = 1 GJ"),
    ("百万千焦", "MJ", 1000.0, "10^6 kJ = 10^3 MJ"),
    ("吉焦", "GJ", 1.0, "吉焦 is the gigajoule"),
    ("MWh", "GJ", 3.6, "1 MWh = 3.6e9 J"),
    ("kgce", "MJ", 29.3076, "GB/T 2589-2020: 1 kgce = 29 307.6 kJ"),
    ("tce", "GJ", 29.3076, "1 tce = 1000 kgce = 29 307.6 MJ"),
    ("吨标准煤", "kgce", 1000.0, "1 tce = 1000 kgce"),
    ("mu", "m**2", 10000.0 / 15.0, "1 mu = 10 000 / 15 m² ≈ 666.67 m²"),
    ("亩", "m**2", 10000.0 / 15.0, "亩 is the mu"),
]


@pytest.mark.parametrize(("source", "target", "expected", "why"), CONVERSIONS)
def test_conversion_factor(source: str, target: str, expected: float, why: str) -> None:
    assert conversion_factor(source, target) == pytest.approx(expected, rel=REL), why


def test_mu_is_about_666_67_square_metres() -> None:
    assert conversion_factor("mu", "m**2") == pytest.approx(666.67, abs=0.005)


def test_round_trip_is_identity() -> None:
    for source, target, _, _ in CONVERSIONS:
        there = conversion_factor(source, target)
        back = conversion_factor(target, source)
        assert math.isclose(there * back, 1.0, rel_tol=REL), (source, target)


@pytest.mark.parametrize(
    ("spelling", "expected_name"),
    [
        ("10^4 Nm3", "e4Nm3"),
        ("10^4Nm3", "e4Nm3"),
        ("10**4 Nm3", "e4Nm3"),
        ("1e4m3", "e4Nm3"),
        ("1e4 m3", "e4Nm3"),
        ("10⁴ m³", "e4Nm3"),
        ("万m3", "e4Nm3"),
        ("万kWh", "e4kWh"),
        ("万 kWh", "e4kWh"),
        ("10^4 kWh", "e4kWh"),
        ("万度", "万度"),  # already a named unit, left alone
        ("吨", "吨"),
        ("度", "度"),
        (" t ", "t"),
    ],
)
def test_normalise_unit_spelling(spelling: str, expected_name: str) -> None:
    assert normalise_unit_spelling(spelling) == expected_name


@pytest.mark.parametrize(
    ("spelling", "target", "expected"),
    [
        ("10^4 Nm3", "m3", 1e4),
        ("1e4m3", "m3", 1e4),
        ("1e4m3", "万立方米", 1.0),
        ("万kWh", "MWh", 10.0),
        ("万kWh", "万千瓦时", 1.0),
        ("万度", "MWh", 10.0),
        ("吨", "t", 1.0),
        ("度", "MWh", 1e-3),
    ],
)
def test_vendor_spellings_convert(spelling: str, target: str, expected: float) -> None:
    assert conversion_factor(spelling, target) == pytest.approx(expected, rel=REL)


def test_parse_unit_returns_a_registry_unit() -> None:
    unit = parse_unit("万千瓦时")
    assert str(parse_unit("MWh").dimensionality) == str(unit.dimensionality)


def test_unit_that_does_not_fit_names_the_unit() -> None:
    with pytest.raises(UnitError) as caught:
        conversion_factor("kWh", "t")
    assert "kWh" in str(caught.value)
    assert caught.value.params["unit"] == "kWh"
    assert caught.value.params["expected"] == "t"


@pytest.mark.parametrize(("source", "target"), [("t", "万立方米"), ("GJ", "MWh/t"), ("m3", "kg")])
def test_other_dimension_mismatches_raise(source: str, target: str) -> None:
    with pytest.raises(UnitError, match=r"does not fit"):
        conversion_factor(source, target)


@pytest.mark.parametrize("spelling", ["foo", "万", "万吨", "10^4", "1000kg", "2 t", "m3)"])
def test_unknown_unit_raises_and_names_it(spelling: str) -> None:
    with pytest.raises(UnitError) as caught:
        conversion_factor(spelling, "t")
    assert spelling in str(caught.value)


@pytest.mark.parametrize("spelling", ["", "   "])
def test_empty_unit_raises(spelling: str) -> None:
    with pytest.raises(UnitError, match="empty"):
        parse_unit(spelling)


def test_unknown_target_unit_raises() -> None:
    with pytest.raises(UnitError, match="bogus"):
        conversion_factor("t", "bogus")


def test_ton_is_not_silently_the_us_short_ton() -> None:
    try:
        factor = conversion_factor("ton", "t")
    except UnitError:
        return  # rejecting the ambiguous spelling is acceptable
    assert factor == pytest.approx(1.0, rel=REL)
