"""Lift industry and region codes to every level of their hierarchy, once per distinct code.

Benchmarks fall back from GB/T 4754 class to group to division, and roll-ups sum county
figures into prefectures and provinces (GB/T 2260). Both need each organisation's code at
every level; the catalogues answer that per distinct code, and the engine joins the small
result onto the large frame.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from citycarbon.domain.errors import InvalidCode
from citycarbon.domain.identifiers import IndustryCatalogue, RegionCatalogue

INDUSTRY_LEVEL_COLUMNS = ("section_code", "division_code", "group_code", "class_code")
REGION_LEVEL_COLUMNS = ("province_code", "prefecture_code", "county_code")


def industry_levels(codes: Iterable[str | None], catalogue: IndustryCatalogue) -> pl.DataFrame:
    """Map each industry code to its section, division, group and class (null above its own level).

    An unknown code maps to nulls everywhere, which the rating reports as too coarse rather
    than failing the whole run.
    """
    rows = []
    for code in sorted({c for c in codes if c}):
        found: dict[str, str | None] = dict.fromkeys(INDUSTRY_LEVEL_COLUMNS)
        try:
            node = catalogue.validate(code)
        except InvalidCode:
            rows.append({"industry_code": code, **found})
            continue
        for item in (node, *catalogue.ancestors(node.code)):
            found[f"{item.level}_code"] = item.code
        rows.append({"industry_code": code, **found})
    schema = {"industry_code": pl.String, **dict.fromkeys(INDUSTRY_LEVEL_COLUMNS, pl.String)}
    return pl.DataFrame(rows, schema=schema, orient="row")


def region_levels(codes: Iterable[str | None], catalogue: RegionCatalogue) -> pl.DataFrame:
    """Map each region code to its province, prefecture and county (retired codes followed).

    A code that is not in the catalogue keeps its own digits at the level its zeros imply, so
    its firms still appear in the province and prefecture totals their digits name.
    """
    rows = []
    for code in sorted({c for c in codes if c}):
        found: dict[str, str | None] = dict.fromkeys(REGION_LEVEL_COLUMNS)
        try:
            region = catalogue.resolve(code)
            chain = (region, *catalogue.ancestors(region.code))
            found |= {f"{item.level}_code": item.code for item in chain}
        except InvalidCode:
            found |= {"province_code": code[:2] + "0000", "prefecture_code": code[:4] + "00"}
            found["county_code"] = None if code.endswith("00") else code
        rows.append({"region_code": code, **found})
    schema = {"region_code": pl.String, **dict.fromkeys(REGION_LEVEL_COLUMNS, pl.String)}
    return pl.DataFrame(rows, schema=schema, orient="row")


def attach(frame: pl.DataFrame, table: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    """Add ``table``'s columns to ``frame`` by a left lookup on ``on`` (keys unique in ``table``).

    Only the key columns take part in the join and the result is stacked beside ``frame``, so a
    lookup into a wide frame of millions of rows gathers a few columns instead of all of them.
    """
    found = frame.select(on).join(table, on=on, how="left", maintain_order="left").drop(on)
    return frame.hstack(found)
