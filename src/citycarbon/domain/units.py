"""The project's single unit registry and the conversions the ledger needs.

Engines convert once per distinct (unit, canonical unit) pair with :func:`conversion_factor`
and then multiply whole columns, so pint is never called per row.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import pint

from citycarbon.domain.errors import UnitError

# In Chinese and international energy statistics "ton" means the metric tonne; pint's default
# "ton" is the US short ton (907 kg), which would silently under-report by 9.3 %.
_TONNE_SPELLINGS = {"ton", "tons", "tonne", "tonnes"}
# Case slips in energy units ("kwh", "KWH", "mWh") mean the familiar unit, never milli-watt-hours.
_ENERGY_SPELLINGS = {"kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "gj": "GJ", "mj": "MJ", "kj": "kJ", "tj": "TJ"}
_SCALE_PREFIX = re.compile(r"^(?:10\^4|10\*\*4|1e4|10⁴|万)\s*\*?\s*")


@cache
def registry() -> pint.UnitRegistry[Any]:
    """Return the shared registry (pint defaults plus ``units.txt``), built on first use."""
    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(cache_folder=None)
    text = resources.files("citycarbon.domain").joinpath("units.txt").read_text("utf-8")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            ureg.define(stripped)
    return ureg


def normalise_unit_spelling(spelling: str) -> str:
    """Map vendor spellings such as ``10^4 Nm3``, ``1e4m3`` or ``万kWh`` to a registry name.

    Reported units often carry a power-of-ten prefix that pint cannot parse as a unit
    (a unit expression may not contain a scaling factor), so the common prefixes are folded
    into the named ``e4…`` units of ``units.txt``.
    """
    text = spelling.strip().replace(" ", "").replace("³", "3").replace("㎥", "m3")
    if text.lower() in _TONNE_SPELLINGS:
        return "t"
    if text.lower() in _ENERGY_SPELLINGS:
        return _ENERGY_SPELLINGS[text.lower()]
    match = _SCALE_PREFIX.match(text)
    if match and text != "万" and not text.startswith(("万千瓦时", "万立方米", "万标", "万度", "万方")):
        rest = text[match.end() :]
        if rest in {"Nm3", "m3", "标立方米", "立方米", "标方", "方"}:
            return "e4Nm3"
        if rest in {"kWh", "kwh", "千瓦时", "度"}:
            return "e4kWh"
    return text


def parse_unit(spelling: str) -> pint.Unit:
    """Parse a reported unit, raising :class:`UnitError` with the spelling when it is unknown."""
    name = normalise_unit_spelling(spelling)
    if not name:
        raise UnitError("The unit is empty")
    try:
        return registry().parse_units(name)
    except (pint.UndefinedUnitError, pint.DefinitionSyntaxError, ValueError, AttributeError):
        raise UnitError("Unknown unit '{unit}'", unit=spelling) from None
    except Exception:  # pint raises a variety of parser errors on odd strings
        raise UnitError("Unknown unit '{unit}'", unit=spelling) from None


@cache
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Return the factor that turns a quantity in ``from_unit`` into ``to_unit``.

    Raises
    ------
    UnitError
        When either unit is unknown, or when the dimensions differ (kWh reported for coal).
    """
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    try:
        return float(registry().Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError:
        raise UnitError(
            "Unit '{unit}' does not fit; expected a unit convertible to '{expected}'",
            unit=from_unit,
            expected=to_unit,
        ) from None
