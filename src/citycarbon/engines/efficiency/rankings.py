"""Rankings of rated firms by K within one group (an industry or a county), computed on read.

A rating stores every firm's K; a rank is where that K stands among the group's Ks of the same
rating run. Nobody reads the ranks of a million firms at once — a page or a report ranks one
industry or one county — so ranks are computed from the stored K when a group is read, never
materialised by the rating, and they can never disagree with the K they were computed from.

K is compared rounded to 1e-9, as the bands compare it, so two firms whose K differs only in
the last bits of a parallel sum share a rank (the lowest, as ``rank("min")`` gives ties) and
ranks do not change from one run to the next.
"""

from __future__ import annotations

import polars as pl

from citycarbon.engines.efficiency.grades import BAND_ROUNDING

#: Columns :func:`rank_group` reads.
RANKED_COLUMNS = ("k_industry", "grade")


def rank_by_k() -> pl.Expr:
    """Each graded firm's rank by K (1 = lowest K) among the rows it is evaluated over; null if ungraded.

    Use over one group's rows, or with ``.over(...)`` for several groups at once.
    """
    graded = pl.col("grade").is_not_null() & pl.col("k_industry").is_not_null()
    k = pl.when(graded).then(pl.col("k_industry").round(BAND_ROUNDING))
    return k.rank("min").cast(pl.Int32)


def rank_group(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` of one group with ``rank`` (see :func:`rank_by_k`), best first, ungraded last.

    Ties keep a stable order by ``organisation_id`` when that column is present.
    """
    ranked = rows.with_columns(rank_by_k().alias("rank"))
    order = ["rank", "organisation_id"] if "organisation_id" in rows.columns else ["rank"]
    return ranked.sort(order, nulls_last=True)
