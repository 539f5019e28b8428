"""Grades, levels and colours from a grading scheme.

Bands become one ``when/then`` chain per dimension, so grading a million firms is a single
pass. K is banded after rounding to 1e-9: a K of exactly 0.6 computed as 0.6000000000000001
must land in band 1, as the method's "K ≤ 0.6" says, not in band 2.

References
----------
《规上工业企业碳效等级评价方法》 (K bands and absolute levels); Quzhou 三维四色.

"""

from __future__ import annotations

import polars as pl
import polars.selectors as cs

from citycarbon.domain.efficiency.schemes import Dimension, GradingScheme

BAND_ROUNDING = 9
#: Frame column holding each scheme metric.
METRIC_COLUMNS = {
    "k_industry": "k_industry",
    "intensity_value_added": "intensity_tco2e_per_10k_cny",
    "k_region": "k_region",
    "intensity_change": "intensity_change",
}
#: Columns :func:`assign_grades` adds, in order.
GRADE_COLUMNS = ("grade", "level_code", "grade_code", "grade_label_zh", "grade_label_en", "colour")


def _rank_of(dimension: Dimension) -> pl.Expr:
    value = pl.col(METRIC_COLUMNS[dimension.metric]).round(BAND_ROUNDING)
    expression: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for band in reversed(dimension.bands):
        condition = pl.lit(True)
        if band.lower_exclusive is not None:
            condition = condition & (value > band.lower_exclusive)
        if band.upper_inclusive is not None:
            condition = condition & (value <= band.upper_inclusive)
        expression = pl.when(condition).then(pl.lit(band.rank, dtype=pl.Int32)).otherwise(expression)
    return pl.when(value.is_not_null() & value.is_finite()).then(expression)


def _by_rank(rank: pl.Expr, mapping: dict[int, str]) -> pl.Expr:
    """``mapping[rank]`` (ranks run 1, 2, …), null for a null rank: a gather from a tiny series.

    The series is an Enum, so each row gets a small integer instead of a copy of the text.
    """
    values = [None, *(mapping.get(r) for r in range(1, max(mapping) + 1))]
    table = pl.Series(values, dtype=pl.Enum(sorted({v for v in values if v is not None})))
    return pl.lit(table).gather(rank.fill_null(0))


def assign_grades(frame: pl.LazyFrame, scheme: GradingScheme) -> pl.LazyFrame:
    """Add ``grade`` (rank, 1 best), ``grade_code``, ``grade_label_zh``, ``colour`` and ``level_code``.

    Firms with a ``not_rated_reason`` get no grade. The grade is the worst rank among the
    scheme's grade dimensions that can be evaluated; the first dimension must be.
    """
    ranks = [_rank_of(d).alias(f"_rank_{i}") for i, d in enumerate(scheme.grade_dimensions)]
    bands = scheme.ranks
    rated = pl.col("not_rated_reason").is_null() & pl.col("_rank_0").is_not_null()
    grade = pl.when(rated).then(pl.max_horizontal(pl.col(r"^_rank_\d+$")))

    def lookup(attribute: str) -> pl.Expr:
        return _by_rank(pl.col("grade"), {band.rank: getattr(band, attribute) for band in bands})

    level: pl.Expr = pl.lit(None, dtype=pl.String)
    if scheme.level_dimension is not None:
        codes = {band.rank: band.code for band in scheme.level_dimension.bands}
        level = _by_rank(_rank_of(scheme.level_dimension), codes)
    return (
        frame.with_columns(ranks)
        .with_columns(grade.alias("grade"), pl.when(rated).then(level).alias("level_code"))
        .with_columns(
            lookup("code").alias("grade_code"),
            lookup("label_zh").alias("grade_label_zh"),
            lookup("label_en").alias("grade_label_en"),
            lookup("colour").alias("colour"),
        )
        .drop(cs.starts_with("_rank_"))
    )
