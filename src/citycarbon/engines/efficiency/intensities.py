"""Intensities per organisation and period, and the first not-rated reasons.

Every division is guarded: a denominator that is missing, zero or negative gives a null
intensity, never ``inf`` or ``NaN``, and the reason is recorded in ``not_rated_reason``.

References
----------
《规上工业企业碳效等级评价方法》: L = CO2 of the period ÷ value added of the same period.

"""

from __future__ import annotations

import polars as pl

from citycarbon.domain.efficiency import reasons

#: Columns the rating expects in its ``firms`` frame (one row per organisation and period).
FIRM_SCHEMA: dict[str, pl.DataType] = {
    "organisation_id": pl.Int64(),
    "period": pl.String(),
    "industry_code": pl.String(),
    "region_code": pl.String(),
    "area_mu": pl.Float64(),
    "emissions_tco2e": pl.Float64(),
    "energy_tce": pl.Float64(),
    "output_value_10k_cny": pl.Float64(),
    "value_added_10k_cny": pl.Float64(),
    "has_production": pl.Boolean(),
    "product_output": pl.Float64(),
    "product_unit": pl.String(),
}
#: Columns :func:`compute_intensities` adds, in order.
INTENSITY_COLUMNS = (
    "intensity_tco2e_per_10k_cny",
    "intensity_output_tco2e_per_10k_cny",
    "intensity_tco2e_per_product_unit",
    "energy_intensity_tce_per_10k_cny",
    "emissions_per_mu_tco2e",
    "output_per_mu_10k_cny",
    "not_rated_reason",
    "is_benchmark_peer",
)


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    """``numerator / denominator`` where the denominator is positive, else null."""
    return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))


#: Reason codes as an Enum: a small integer per row instead of a copy of the text.
REASON = pl.Enum(list(reasons.MESSAGES))


def _reason() -> pl.Expr:
    va = pl.col("value_added_10k_cny")
    checks = (
        (pl.col("emissions_tco2e").is_null(), reasons.NO_EMISSIONS),
        (~pl.col("has_production").fill_null(False), reasons.NO_PRODUCTION),
        (pl.col("industry_code").is_null(), reasons.NO_INDUSTRY_CODE),
        (pl.col("division_code").is_null(), reasons.INDUSTRY_CODE_TOO_COARSE),
        (va.is_null(), reasons.VALUE_ADDED_MISSING),
        (va <= 0, reasons.VALUE_ADDED_NOT_POSITIVE),
        (pl.col("output_value_10k_cny") <= 0, reasons.OUTPUT_NOT_POSITIVE),
    )
    expression: pl.Expr = pl.lit(None, dtype=REASON)
    for condition, reason in reversed(checks):
        expression = pl.when(condition).then(pl.lit(reason, dtype=REASON)).otherwise(expression)
    return expression.alias("not_rated_reason")


def compute_intensities(firms: pl.LazyFrame) -> pl.LazyFrame:
    """Add intensities and the data-quality reason to each firm-period.

    Parameters
    ----------
    firms
        Rows of :data:`FIRM_SCHEMA` with their industry levels (``division_code`` …): emissions
        [tCO2e] and energy [tce] of the period, output value and value added [10^4 CNY], land
        area [mu], product output [product unit].

    Returns
    -------
    LazyFrame
        Adds ``intensity_tco2e_per_10k_cny`` (per value added, the graded metric),
        ``intensity_output_tco2e_per_10k_cny``, ``intensity_tco2e_per_product_unit``,
        ``energy_intensity_tce_per_10k_cny``, ``emissions_per_mu_tco2e``,
        ``output_per_mu_10k_cny``, ``is_benchmark_peer`` and ``not_rated_reason``.

    """
    return firms.with_columns(
        _ratio("emissions_tco2e", "value_added_10k_cny").alias("intensity_tco2e_per_10k_cny"),
        _ratio("emissions_tco2e", "output_value_10k_cny").alias("intensity_output_tco2e_per_10k_cny"),
        _ratio("emissions_tco2e", "product_output").alias("intensity_tco2e_per_product_unit"),
        _ratio("energy_tce", "value_added_10k_cny").alias("energy_intensity_tce_per_10k_cny"),
        _ratio("emissions_tco2e", "area_mu").alias("emissions_per_mu_tco2e"),
        _ratio("output_value_10k_cny", "area_mu").alias("output_per_mu_10k_cny"),
        _reason(),
    ).with_columns(pl.col("not_rated_reason").is_null().alias("is_benchmark_peer"))
