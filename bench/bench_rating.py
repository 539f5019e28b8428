"""Rate 1 million organisations (500 industry classes, 3 periods) and compare with DuckDB.

The engine does everything a rating does — intensities, benchmarks at three GB/T 4754 levels
with fallback, grades and levels, rankings, watch-lists with year-on-year movement, roll-ups by
region and industry level. The baseline is a hand-written DuckDB query computing intensities,
the median per industry class and the K bands. Database I/O is excluded from both sides.

Usage: .venv/bin/python bench/bench_rating.py [--organisations 1000000] [--industries 500]
Target: engine time ≤ 2 × DuckDB time.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import polars as pl

from citycarbon.domain.efficiency.settings import BenchmarkSettings
from citycarbon.engines.efficiency.codes import industry_levels, region_levels
from citycarbon.engines.efficiency.pipeline import rate_firms
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme, load_watch_rules

PERIODS = ("2022", "2023", "2024")

BASELINE = """
WITH f AS (
    SELECT *, CASE WHEN value_added_10k_cny > 0 THEN emissions_tco2e / value_added_10k_cny END AS l
    FROM firms
), b AS (
    SELECT period, industry_code, median(l) AS benchmark FROM f WHERE l IS NOT NULL GROUP BY ALL
)
SELECT f.organisation_id, f.period, f.l, f.l / b.benchmark AS k,
       CASE WHEN f.l / b.benchmark <= 0.6 THEN 1 WHEN f.l / b.benchmark <= 0.8 THEN 2
            WHEN f.l / b.benchmark <= 1.2 THEN 3 WHEN f.l / b.benchmark <= 2.0 THEN 4 ELSE 5 END AS grade
FROM f LEFT JOIN b USING (period, industry_code)
"""


def uniform(seed: int) -> pl.Expr:
    """Deterministic pseudo-random numbers in [0, 1) per row, without numpy."""
    return (pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed) % 1_000_000).cast(pl.Float64) / 1_000_000


def make_firms(organisations: int, industries: int) -> pl.DataFrame:
    classes = [i.code for i in load_industry_catalogue().at_each_level("class") if i.code.startswith("C")]
    counties = [r.code for r in load_region_catalogue().descendants("330000") if r.level == "county"]
    industry = pl.DataFrame({"industry_index": range(industries), "industry_code": classes[:industries]})
    county = pl.DataFrame({"region_index": range(len(counties)), "region_code": counties})
    orgs = (
        pl.DataFrame({"organisation_id": pl.int_range(organisations, eager=True)})
        .with_columns(
            (uniform(1) * industries).cast(pl.Int64).alias("industry_index"),
            (uniform(2) * len(counties)).cast(pl.Int64).alias("region_index"),
            (5 + uniform(3) * 200).alias("area_mu"),
        )
        .join(industry, on="industry_index")
        .join(county, on="region_index")
        .drop("industry_index", "region_index")
    )
    frames = []
    for number, period in enumerate(PERIODS):
        scale = 1 + uniform(10 + number) * 20
        frames.append(
            orgs.with_columns(
                pl.lit(period).alias("period"),
                (scale * 300 * (0.3 + uniform(20 + number) * 3)).alias("emissions_tco2e"),
                (scale * 25).alias("energy_tce"),
                (scale * 800).alias("output_value_10k_cny"),
                pl.when(uniform(30 + number) < 0.03)
                .then(None)
                .otherwise(scale * 200)
                .alias("value_added_10k_cny"),
                pl.lit(True).alias("has_production"),
                pl.lit(None, dtype=pl.Float64).alias("product_output"),
                pl.lit(None, dtype=pl.String).alias("product_unit"),
            )
        )
    return pl.concat(frames, how="diagonal_relaxed")


def run_engine(firms: pl.DataFrame) -> float:
    start = time.perf_counter()
    result = rate_firms(
        firms,
        industry_levels=industry_levels(firms["industry_code"].unique(), load_industry_catalogue()),
        region_levels=region_levels(firms["region_code"].unique(), load_region_catalogue()),
        scheme=load_grading_scheme(),
        settings=BenchmarkSettings(method="median"),
        rules=load_watch_rules(),
    )
    elapsed = time.perf_counter() - start
    print(
        f"  grades {result.grades.height:,} rows, benchmarks {result.benchmarks.height:,}, "
        f"watch-list {result.watchlist.height:,}, roll-ups {result.rollups.height:,}"
    )
    return elapsed


def run_duckdb(firms: pl.DataFrame) -> float:
    connection = duckdb.connect()
    table = firms.select(
        "organisation_id", "period", "industry_code", "emissions_tco2e", "value_added_10k_cny"
    ).to_arrow()
    connection.register("firms", table)
    start = time.perf_counter()
    rows = connection.sql(BASELINE).to_arrow_table()
    elapsed = time.perf_counter() - start
    print(f"  duckdb {rows.num_rows:,} rows")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=1_000_000)
    parser.add_argument("--industries", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    firms = make_firms(args.organisations, args.industries)
    print(
        f"{args.organisations:,} organisations × {len(PERIODS)} periods, {args.industries} industry classes"
    )
    run_engine(firms.head(10_000))  # warm up caches (catalogues, schemes)
    engine = min(run_engine(firms) for _ in range(args.repeat))
    baseline = min(run_duckdb(firms) for _ in range(args.repeat))
    print(f"citycarbon engine: {engine:.2f} s")
    print(f"DuckDB baseline:   {baseline:.2f} s")
    print(f"ratio:             {engine / baseline:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
