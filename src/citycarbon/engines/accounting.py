"""The vectorised accounting engine: activity rows in, result lines and period totals out.

Every factor is applied by a join against the small factor table, and unit conversion is done
once per distinct (item, unit) pair, so the cost per row is a few column multiplications.

Scope 2 follows the Chinese MEE+NBS convention: location-based with the grid average, or, for an
organisation-period that records green electricity with certificates, market-based — green
power at zero and the rest at the national factor excluding market-traded non-fossil power.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
import polars.selectors as cs

from citycarbon.domain.errors import UnitError
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.domain.units import conversion_factor
from citycarbon.engines.factor_table import AccountingOptions, build_factor_table

ACTIVITY_COLUMNS = ("uscc", "period", "year", "category", "item_code", "quantity", "unit")
GROUP = ("uscc", "period")
_SCOPE1 = pl.col("category").is_in(["fuel", "process"])
_GREEN = (pl.col("category") == "electricity") & (pl.col("item_code") == "green")
#: Factor-table columns that only feed the line columns; dropped from the lines once used.
_HELPER_COLUMNS = (
    "to_canonical",
    "sign",
    "co2_location_t_per_unit",
    "co2_market_t_per_unit",
    "non_co2_tco2e_per_unit",
    "lineage_location",
    "lineage_market",
    "market_source",
    "market_status",
    "market_flags",
)


@dataclass(frozen=True)
class AccountingResult:
    """Lines (one per activity row, with lineage) and totals per organisation and period."""

    lines: pl.DataFrame
    totals: pl.DataFrame


def unit_conversions(pairs: Iterable[tuple[str, str, str, str]]) -> pl.DataFrame:
    """Return ``to_canonical`` per (category, item_code, unit) from (…, canonical_unit) tuples.

    Raises
    ------
    UnitError
        For the first unit that is unknown or does not fit its item.
    """
    rows = [(c, i, u, conversion_factor(u, canonical)) for c, i, u, canonical in pairs]
    return pl.DataFrame(
        rows,
        schema={"category": pl.String, "item_code": pl.String, "unit": pl.String, "to_canonical": pl.Float64},
        orient="row",
    )


def _with_factors(activity: pl.LazyFrame, factors: pl.DataFrame) -> pl.LazyFrame:
    keys = activity.select("category", "item_code", "unit").unique().collect()
    canonical = factors.select("category", "item_code", "canonical_unit").unique()
    pairs = keys.join(canonical, on=["category", "item_code"], how="left")
    missing = pairs.filter(pl.col("canonical_unit").is_null())
    if missing.height:
        first = missing.row(0, named=True)
        raise UnitError(
            "No factor for {category} item '{item}'", category=first["category"], item=first["item_code"]
        )
    conversions = unit_conversions(pairs.iter_rows())
    # Factor strings (lineage, source, status, flags …) repeat on every line: as categoricals a
    # line holds a 4-byte code per column instead of a 16-byte string view.
    factors = factors.with_columns((cs.string() - cs.by_name("category", "item_code")).cast(pl.Categorical))
    return activity.join(
        conversions.lazy(), on=["category", "item_code", "unit"], how="left", maintain_order="left"
    ).join(factors.lazy(), on=["category", "item_code", "year"], how="left", maintain_order="left")


def _quantity() -> pl.Expr:
    return pl.col("quantity") * pl.col("to_canonical") * pl.col("sign")


def _emissions(factor: pl.Expr) -> pl.Expr:
    quantity = _quantity()
    return quantity * factor + quantity * pl.col("non_co2_tco2e_per_unit")


def _market_groups(activity: pl.LazyFrame) -> pl.LazyFrame:
    """``uses_market`` per organisation-period: a group-by joined back is far cheaper than ``over``."""
    return activity.group_by(list(GROUP)).agg(_GREEN.any().alias("uses_market"))


def _line_columns() -> list[pl.Expr]:
    quantity = _quantity()
    market = pl.col("uses_market")
    return [
        quantity.alias("quantity_canonical"),
        (quantity * pl.col("co2_location_t_per_unit")).alias("location_tco2e"),
        (quantity * pl.col("co2_market_t_per_unit")).alias("market_tco2e"),
        pl.when(market)
        .then(pl.col("co2_market_t_per_unit"))
        .otherwise(pl.col("co2_location_t_per_unit"))
        .alias("emission_factor"),
        _emissions(
            pl.when(market).then(pl.col("co2_market_t_per_unit")).otherwise(pl.col("co2_location_t_per_unit"))
        ).alias("emissions_tco2e"),
        (quantity * pl.col("tce_per_unit")).alias("energy_tce"),
        pl.when(market)
        .then(pl.col("lineage_market"))
        .otherwise(pl.col("lineage_location"))
        .alias("lineage_id"),
        pl.when(market).then(pl.lit("market")).otherwise(pl.lit("location")).alias("scope2_method"),
        *(
            pl.when(market & pl.col(f"market_{name}").is_not_null())
            .then(pl.col(f"market_{name}"))
            .otherwise(pl.col(column))
            .alias(column)
            for name, column in (("source", "factor_source"), ("status", "factor_status"), ("flags", "flags"))
        ),
    ]


def account(
    activity: pl.DataFrame | pl.LazyFrame, book: FactorBook, options: AccountingOptions | None = None
) -> AccountingResult:
    """Account validated activity rows.

    Parameters
    ----------
    activity
        Columns ``uscc, period, year, category, item_code, quantity, unit`` (quantity as
        reported, in ``unit``); any other columns are carried through to the lines.
    book
        Factors to apply.
    options
        Grid, GWP metric and whether CH4/N2O are included.
    """
    options = options or AccountingOptions()
    lazy = activity.lazy()
    years = lazy.select(pl.col("year").unique()).collect().to_series().to_list()
    joined = _with_factors(lazy, build_factor_table(book, years, options))
    # Totals first, streamed from the joined activity, so they never coexist with a second copy
    # of the lines; then the lines, materialised once.
    totals = _totals(joined).collect()
    lines = (
        joined.join(_market_groups(lazy), on=list(GROUP), how="left", maintain_order="left")
        .with_columns(_line_columns())
        .drop(_HELPER_COLUMNS, strict=False)
        .collect()
    )
    return AccountingResult(lines=lines, totals=totals)


def account_totals(
    activity: pl.DataFrame | pl.LazyFrame, book: FactorBook, options: AccountingOptions | None = None
) -> pl.DataFrame:
    """Totals per organisation and period only (as ``account(...).totals``), without any lines."""
    options = options or AccountingOptions()
    lazy = activity.lazy()
    years = lazy.select(pl.col("year").unique()).collect().to_series().to_list()
    return _totals(_with_factors(lazy, build_factor_table(book, years, options))).collect()


def _totals(joined: pl.LazyFrame) -> pl.LazyFrame:
    """Totals in one group-by over activity joined with factors, with no window.

    Whether an organisation-period is market-based is known only per group, so both methods
    (and both sets of lineage ids) are aggregated and the right one is picked afterwards; the
    result equals :func:`summarise` of the lines.
    """
    location, market = pl.col("co2_location_t_per_unit"), pl.col("co2_market_t_per_unit")
    quantity = _quantity()
    uses_market = pl.col("uses_market")

    def pick(location_column: str, market_column: str) -> pl.Expr:
        return pl.when(uses_market).then(pl.col(market_column)).otherwise(pl.col(location_column))

    return (
        joined.group_by(list(GROUP))
        .agg(
            _GREEN.any().alias("uses_market"),
            _emissions(location).filter(_SCOPE1).sum().alias("_scope1_location"),
            _emissions(market).filter(_SCOPE1).sum().alias("_scope1_market"),
            _emissions(location).filter(~_SCOPE1).sum().alias("_scope2_location"),
            _emissions(market).filter(~_SCOPE1).sum().alias("_scope2_market"),
            (quantity * location).filter(~_SCOPE1).sum().alias("scope2_location_tco2e"),
            (quantity * market).filter(~_SCOPE1).sum().alias("scope2_market_tco2e"),
            (quantity * pl.col("tce_per_unit")).sum().alias("energy_tce"),
            pl.col("lineage_location").unique().alias("_lineage_location"),
            pl.col("lineage_market").unique().alias("_lineage_market"),
        )
        .select(
            *GROUP,
            pick("_scope1_location", "_scope1_market").alias("scope1_tco2e"),
            pick("_scope2_location", "_scope2_market").alias("scope2_tco2e"),
            "scope2_location_tco2e",
            "scope2_market_tco2e",
            "energy_tce",
            "uses_market",
            pick("_lineage_location", "_lineage_market")
            .list.sort()
            .cast(pl.List(pl.String))
            .alias("lineage_ids"),
        )
        .with_columns((pl.col("scope1_tco2e") + pl.col("scope2_tco2e")).alias("total_tco2e"))
        .sort(list(GROUP))
    )


def summarise(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Sum lines into totals per organisation and period, keeping the lineage ids used."""
    scope1 = pl.col("category").is_in(["fuel", "process"])
    return (
        lines.group_by(list(GROUP))
        .agg(
            pl.col("emissions_tco2e").filter(scope1).sum().alias("scope1_tco2e"),
            pl.col("emissions_tco2e").filter(~scope1).sum().alias("scope2_tco2e"),
            pl.col("location_tco2e").filter(~scope1).sum().alias("scope2_location_tco2e"),
            pl.col("market_tco2e").filter(~scope1).sum().alias("scope2_market_tco2e"),
            pl.col("energy_tce").sum().alias("energy_tce"),
            pl.col("uses_market").first().alias("uses_market"),
            pl.col("lineage_id").unique().sort().alias("lineage_ids"),
        )
        .with_columns(pl.col("lineage_ids").cast(pl.List(pl.String)))
        .with_columns((pl.col("scope1_tco2e") + pl.col("scope2_tco2e")).alias("total_tco2e"))
        .sort(list(GROUP))
    )
