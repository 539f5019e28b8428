"""The single-pass totals equal the sum of the lines, method and lineage included."""

from __future__ import annotations

import polars as pl
import pytest

from citycarbon.engines.accounting import account, account_totals, summarise
from citycarbon.refdata.factor_book import load_factor_book

ROWS = [
    ("A", "2024-01", 2024, "fuel", "diesel", 10.0, "t"),
    ("A", "2024-01", 2024, "electricity", "grid", 100.0, "MWh"),
    ("B", "2022-03", 2022, "electricity", "grid", 50.0, "万千瓦时"),
    ("B", "2022-03", 2022, "electricity", "green", 200.0, "MWh"),
    ("B", "2022-03", 2022, "heat", "export", 30.0, "GJ"),
    ("C", "2023", 2023, "process", "cement_clinker", 1000.0, "t"),
]


def frame() -> pl.DataFrame:
    columns = ["uscc", "period", "year", "category", "item_code", "quantity", "unit"]
    return pl.DataFrame(ROWS, schema=columns, orient="row").with_columns(pl.col("year").cast(pl.Int32))


def test_totals_equal_summarised_lines() -> None:
    result = account(frame(), load_factor_book())
    from_lines = summarise(result.lines.lazy()).collect()
    for name in ("scope1_tco2e", "scope2_tco2e", "total_tco2e", "energy_tce", "scope2_location_tco2e"):
        assert result.totals[name].to_list() == pytest.approx(from_lines[name].to_list(), rel=1e-12)
    assert result.totals["lineage_ids"].to_list() == from_lines["lineage_ids"].to_list()
    assert result.totals["uses_market"].to_list() == [False, True, False]
    alone = account_totals(frame(), load_factor_book())
    assert alone.select("uscc", "period", "lineage_ids", "uses_market").equals(
        result.totals.select("uscc", "period", "lineage_ids", "uses_market")
    )
    assert alone["total_tco2e"].to_list() == pytest.approx(result.totals["total_tco2e"].to_list(), rel=1e-12)


def test_market_based_period_uses_residual_factor_and_zero_for_green() -> None:
    totals = account(frame(), load_factor_book()).totals.filter(pl.col("uscc") == "B")
    # 50 万千瓦时 = 500 MWh at the 2022 national residual factor 0.5856; exported heat deducted at 0.11.
    assert totals["scope2_tco2e"][0] == pytest.approx(500 * 0.5856 - 30 * 0.11, rel=1e-12)
    assert totals["scope2_location_tco2e"][0] == pytest.approx(700 * 0.5366 - 30 * 0.11, rel=1e-12)
