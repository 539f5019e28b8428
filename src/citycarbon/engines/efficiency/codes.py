"""Lift industry and region codes to every level of their hierarchy, once per distinct code.

Benchmarks fall back from GB/T 4754 class to group to division, and roll-ups sum county
figures into prefectures and provinces (GB/T 2260). Both need each organisation's code at
every level; the catalogues answer that per distinct code, and the engine gathers the small
result onto the large frame.

Codes travel as Enums, so a code is a small integer underneath. :class:`CodeGrid` numbers
every combination of a few Enum columns (period × industry, say); a figure computed once per
combination is then put on millions of rows by position (a gather), with no hash join.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

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


def every_code(dtype: pl.Enum) -> pl.Series:
    """Every category of ``dtype`` in order, then null.

    Position ``i`` holds the code whose physical value is ``i``; the last stands for "no code".
    """
    return pl.Series([*dtype.categories.to_list(), None], dtype=dtype)


@dataclass(frozen=True)
class CodeGrid:
    """Every combination of some Enum-coded columns, numbered row-major (last column fastest).

    Each key is a column name and its :func:`every_code` series. Null is a value of each
    column (the last position), so firms without a code form their own group, as they do in a
    Polars group-by.
    """

    keys: tuple[tuple[str, pl.Series], ...]

    @property
    def names(self) -> list[str]:
        """The key columns."""
        return [name for name, _ in self.keys]

    @property
    def size(self) -> int:
        """Number of combinations (every key's codes, null included)."""
        total = 1
        for _, codes in self.keys:
            total *= len(codes)
        return total

    def index(self) -> pl.Expr:
        """Each row's position in :meth:`frame` (an Int64, a fast single group-by key)."""
        position: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for name, codes in self.keys:
            own = pl.col(name).to_physical().cast(pl.Int64).fill_null(len(codes) - 1)
            position = position * len(codes) + own
        return position

    def decode(self, position: pl.Expr) -> list[pl.Expr]:
        """The key columns (as Enums) of positions made by :meth:`index`."""
        stride, columns = self.size, []
        for name, codes in self.keys:
            stride //= len(codes)
            columns.append(pl.lit(codes).gather(position // stride % len(codes)).alias(name))
        return columns

    def frame(self) -> pl.DataFrame:
        """One row per combination, in index order."""
        return pl.select(self.decode(pl.int_range(self.size, dtype=pl.Int64)))

    def spread(self, table: pl.DataFrame) -> pl.DataFrame:
        """``table`` (unique in the key columns; a null key matches null) laid out on :meth:`frame`."""
        keyed = table.with_columns(pl.col(name).cast(codes.dtype) for name, codes in self.keys)
        return self.frame().join(keyed, on=self.names, how="left", maintain_order="left", nulls_equal=True)

    def gather(
        self, dense: pl.DataFrame, columns: Sequence[str], where: pl.Expr | None = None
    ) -> list[pl.Expr]:
        """Each row's ``columns`` taken from ``dense`` (made by :meth:`spread`) by position.

        Rows where ``where`` is false get nulls (a null position gathers null, so this costs no
        extra pass per column).
        """
        position = self.index() if where is None else pl.when(where).then(self.index())
        return [pl.lit(dense[column]).gather(position).alias(column) for column in columns]


@dataclass(frozen=True)
class Coding:
    """The Enums of one rating run, and the level tables laid out by code position.

    Every industry level column shares one Enum (all industry codes of the run), and every
    region level column another, so a code can move from one level column to another.
    """

    periods: pl.Series
    industries: pl.Series
    regions: pl.Series
    industry_levels: pl.DataFrame
    region_levels: pl.DataFrame

    @classmethod
    def build(
        cls, periods: Iterable[str], industry_levels: pl.DataFrame, region_levels: pl.DataFrame
    ) -> Coding:
        """From the periods rated and the tables of :func:`industry_levels` and :func:`region_levels`."""
        industries, regions = every_code(_enum(industry_levels)), every_code(_enum(region_levels))
        by_industry = CodeGrid((("industry_code", industries),))
        by_region = CodeGrid((("region_code", regions),))
        return cls(
            every_code(pl.Enum(sorted(set(periods)))),
            industries,
            regions,
            industry_levels=by_industry.spread(industry_levels.cast(industries.dtype)),
            region_levels=by_region.spread(region_levels.cast(regions.dtype)),
        )

    def grid(self, *names: str) -> CodeGrid:
        """A grid over ``names``: ``period``, ``industry_code``/``region_code`` or a level column."""
        return CodeGrid(tuple((name, self.codes(name)) for name in names))

    def codes(self, name: str) -> pl.Series:
        """The :func:`every_code` series of column ``name``."""
        if name == "period":
            return self.periods
        return self.regions if name in ("region_code", *REGION_LEVEL_COLUMNS) else self.industries

    def dtype(self, name: str) -> pl.Enum:
        """The Enum of column ``name``."""
        return cast(pl.Enum, self.codes(name).dtype)

    def levels(self) -> list[pl.Expr]:
        """Region and industry level columns of each row, from its ``region_code`` and ``industry_code``."""
        return [
            *self.grid("region_code").gather(self.region_levels, REGION_LEVEL_COLUMNS),
            *self.grid("industry_code").gather(self.industry_levels, INDUSTRY_LEVEL_COLUMNS),
        ]


def _enum(levels: pl.DataFrame) -> pl.Enum:
    """One Enum over every code in a level table.

    Codes are joined, grouped and windowed over millions of rows; as an Enum they are small
    integers underneath, which makes those operations several times faster than on text.
    """
    values = pl.concat([levels[column] for column in levels.columns]).drop_nulls().unique().sort()
    return pl.Enum(values.to_list())
