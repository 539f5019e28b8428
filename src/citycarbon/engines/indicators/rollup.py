"""Roll enterprise facts up to regions (GB/T 2260 prefixes) and industrial parks.

Every data field is additive, so a region's facts are the sums of its enterprises' facts; a
field stays missing (null) for a region only when none of its enterprises has it, so that
"no data" is never turned into a zero.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from citycarbon.engines.indicators.evaluate import ENTITY, PEER_GROUP

RegionLevel = Literal["county", "city", "province"]
_PREFIX = {"county": 6, "city": 4, "province": 2}
_PARENT: dict[RegionLevel, RegionLevel | None] = {"county": "city", "city": "province", "province": None}


def region_of(code: pl.Expr, level: RegionLevel) -> pl.Expr:
    """The code of the region at ``level`` containing the 6-digit region ``code`` (GB/T 2260)."""
    digits = _PREFIX[level]
    return code.str.slice(0, digits) + pl.lit("0" * (6 - digits)) if digits < 6 else code


def _sum_keep_missing(column: str) -> pl.Expr:
    return pl.when(pl.col(column).count() > 0).then(pl.col(column).sum()).otherwise(None).alias(column)


def roll_up(facts: pl.DataFrame, key: pl.Expr, peer: pl.Expr | None, fields: list[str]) -> pl.DataFrame:
    """Sum ``fields`` of ``facts`` by ``key`` (becomes ``entity_id``), ``peer`` as ``peer_group``."""
    keys = [key.alias(ENTITY)] + ([peer.alias(PEER_GROUP)] if peer is not None else [])
    return facts.group_by(keys).agg(*(_sum_keep_missing(f) for f in fields)).sort(ENTITY)


def region_facts(facts: pl.DataFrame, level: RegionLevel, fields: list[str]) -> pl.DataFrame:
    """Facts of every region at ``level``; its peer group is the region one level up."""
    code = pl.col("region_code")
    parent = _PARENT[level]
    return roll_up(facts, region_of(code, level), region_of(code, parent) if parent else None, fields)


def park_facts(facts: pl.DataFrame, members: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Facts of every park: ``members`` has ``organisation_id``, ``park_code``, ``park_region_code``.

    A park's peer group is its county, so ``region_median`` compares parks of one county.
    """
    joined = facts.join(members, on="organisation_id", how="inner")
    return roll_up(joined, pl.col("park_code"), pl.col("park_region_code"), fields)


def enterprise_facts(facts: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Facts of every enterprise as entities; its peer group is its county."""
    return facts.select(
        pl.col("organisation_id").cast(pl.Utf8).alias(ENTITY),
        pl.col("region_code").alias(PEER_GROUP),
        *fields,
    ).sort(ENTITY)
