"""Activity categories and the fixed items of electricity and heat, with their Chinese names.

Fuel and process items come from reference data (they change with factor sets); the items of
electricity and heat are part of the accounting method itself, so they are defined here.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What kind of activity a record reports, which decides its scope and formula."""

    FUEL = "fuel"
    ELECTRICITY = "electricity"
    HEAT = "heat"
    PROCESS = "process"

    @property
    def scope(self) -> int:
        """GHG scope: direct (1) for fuel and process, indirect energy (2) otherwise."""
        return 1 if self in (Category.FUEL, Category.PROCESS) else 2


CATEGORY_NAMES: dict[str, Category] = {
    "fuel": Category.FUEL,
    "燃料": Category.FUEL,
    "化石燃料": Category.FUEL,
    "electricity": Category.ELECTRICITY,
    "电力": Category.ELECTRICITY,
    "电": Category.ELECTRICITY,
    "heat": Category.HEAT,
    "热力": Category.HEAT,
    "热": Category.HEAT,
    "process": Category.PROCESS,
    "过程": Category.PROCESS,
    "工业过程": Category.PROCESS,
}

#: Canonical unit of electricity and heat quantities; fuel and process units come from data.
ELECTRICITY_UNIT = "MWh"
HEAT_UNIT = "GJ"
PROCESS_UNIT = "t"

#: item code → (Chinese name, English name) of electricity items.
ELECTRICITY_ITEMS: dict[str, tuple[str, str]] = {
    "grid": ("电力", "purchased grid electricity"),
    "green": ("绿电", "green electricity with certificates"),
    "export": ("输出电力", "exported electricity"),
}
HEAT_ITEMS: dict[str, tuple[str, str]] = {
    "steam": ("蒸汽", "purchased steam"),
    "hot_water": ("热水", "purchased hot water"),
    "export": ("输出热力", "exported heat"),
}
_ITEM_ALIASES: dict[Category, dict[str, str]] = {
    Category.ELECTRICITY: {
        "grid": "grid",
        "电力": "grid",
        "电网电力": "grid",
        "外购电力": "grid",
        "购入电力": "grid",
        "green": "green",
        "绿电": "green",
        "绿色电力": "green",
        "export": "export",
        "输出电力": "export",
        "外供电力": "export",
    },
    Category.HEAT: {
        "steam": "steam",
        "蒸汽": "steam",
        "外购蒸汽": "steam",
        "hot_water": "hot_water",
        "热水": "hot_water",
        "外购热水": "hot_water",
        "export": "export",
        "输出热力": "export",
        "外供热力": "export",
    },
}


# English names as printed in the templates and the item tables are accepted too.
for _category, _items in ((Category.ELECTRICITY, ELECTRICITY_ITEMS), (Category.HEAT, HEAT_ITEMS)):
    for _code, (_name_zh, _name_en) in _items.items():
        _ITEM_ALIASES[_category].setdefault(_name_zh.lower(), _code)
        _ITEM_ALIASES[_category].setdefault(_name_en.lower(), _code)
_ITEM_ALIASES[Category.ELECTRICITY].update({"grid electricity": "grid", "green electricity": "green"})


def parse_category(text: str) -> Category | None:
    """Return the category for an English or Chinese name, or ``None`` when unknown."""
    return CATEGORY_NAMES.get(str(text).strip().lower())


def energy_item_code(category: Category, text: str) -> str | None:
    """Resolve an electricity or heat item name (``绿电``, ``steam`` …) to its code."""
    return _ITEM_ALIASES.get(category, {}).get(str(text).strip().lower())


def is_export(item_code: str) -> bool:
    """Exported energy is deducted: net purchased = purchased − exported (GB/T 32150)."""
    return item_code == "export"
