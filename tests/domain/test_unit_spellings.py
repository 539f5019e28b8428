"""Case slips in reported units mean the familiar unit, never a 1e-6 or 1e9 surprise."""

from __future__ import annotations

import pytest

from citycarbon.domain.units import conversion_factor


@pytest.mark.parametrize(
    ("spelling", "target", "expected"),
    [("kwh", "MWh", 1e-3), ("KWH", "MWh", 1e-3), ("mWh", "MWh", 1.0), ("mwh", "kWh", 1e3), ("gj", "MJ", 1e3)],
)
def test_energy_spellings_ignore_case(spelling: str, target: str, expected: float) -> None:
    assert conversion_factor(spelling, target) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("spelling", ["ton", "Tons", "tonne", "TONNES"])
def test_ton_means_metric_tonne(spelling: str) -> None:
    assert conversion_factor(spelling, "kg") == pytest.approx(1000.0, rel=1e-12)
