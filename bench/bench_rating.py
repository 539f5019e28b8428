"""Rate 1 million organisations (500 industry classes, 3 periods) and compare with DuckDB.

The engine does everything a rating does — intensities, benchmarks at three GB/T 4754 levels
with fallback, grades and levels, watch-lists with year-on-year movement, roll-ups by region
and industry level. The baseline is what the issue names: a hand-written DuckDB query computing
the intensities (the six of the issue's first point: emissions per value added and per output
value, per product unit, energy per value added, emissions and output per mu), the median per
industry class and the K bands. Both run in this process on the same frame (DuckDB reads it as
Arrow, registered once and not timed); database I/O is excluded from both.

Ranks within industry and county are not part of a rating: they are computed on read for the
one group shown (``engines/efficiency/rankings.py``). The script times that too, for the largest
industry and county, and checks every rank against a DuckDB window (both untimed in the ratio).

For comparison it also times the narrower query an earlier version of this script used (one
intensity, median, bands) and prints that ratio; the verdict uses the issue's baseline.

Rounds alternate engine, DuckDB, engine, … so background load on a shared machine hits both
alike. The script prints the median and best wall time and the median CPU time (all threads)
of each side, and PASS/FAIL for median engine ÷ median DuckDB ≤ 2 (exit code 1 on FAIL).

Usage: .venv/bin/python bench/bench_rating.py [--organisations 1000000] [--industries 500] [--repeat 5]
Quick run: --organisations 200000
Target: engine time ≤ 2 × DuckDB time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import duckdb
import polars as pl

from citycarbon.domain.efficiency.settings import BenchmarkSettings
from citycarbon.engines.efficiency.pipeline import RatingResult, rate_firms
from citycarbon.engines.efficiency.rankings import rank_by_k, rank_group
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.grading import load_grading_scheme, load_watch_rules

PERIODS = ("2022", "2023", "2024")

BASELINE = """
WITH f AS (
    SELECT organisation_id, period, industry_code,
        CASE WHEN value_added_10k_cny > 0 THEN emissions_tco2e / value_added_10k_cny END AS l,
        CASE WHEN output_value_10k_cny > 0 THEN emissions_tco2e / output_value_10k_cny END AS l_output,
        CASE WHEN product_output > 0 THEN emissions_tco2e / product_output END AS l_product,
        CASE WHEN value_added_10k_cny > 0 THEN energy_tce / value_added_10k_cny END AS energy_intensity,
        CASE WHEN area_mu > 0 THEN emissions_tco2e / area_mu END AS emissions_per_mu,
        CASE WHEN area_mu > 0 THEN output_value_10k_cny / area_mu END AS output_per_mu
    FROM firms
), b AS (
    SELECT period, industry_code, median(l) AS benchmark FROM f WHERE l IS NOT NULL GROUP BY ALL
)
SELECT f.*, f.l / b.benchmark AS k,
       CASE WHEN f.l / b.benchmark <= 0.6 THEN 1 WHEN f.l / b.benchmark <= 0.8 THEN 2
            WHEN f.l / b.benchmark <= 1.2 THEN 3 WHEN f.l / b.benchmark <= 2.0 THEN 4 ELSE 5 END AS grade
FROM f LEFT JOIN b USING (period, industry_code)
"""
#: The narrower query of earlier versions of this script: one intensity only.
NARROW = """
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
MEDIANS = """
SELECT period, industry_code, median(emissions_tco2e / value_added_10k_cny) AS benchmark
FROM firms WHERE value_added_10k_cny > 0 GROUP BY ALL
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


Timing = tuple[float, float]


def run_engine(firms: pl.DataFrame) -> tuple[Timing, RatingResult]:
    """Wall and CPU seconds of one whole rating of ``firms``, and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    result = rate_firms(
        firms,
        industries=load_industry_catalogue(),
        regions=load_region_catalogue(),
        scheme=load_grading_scheme(),
        settings=BenchmarkSettings(method="median"),
        rules=load_watch_rules(),
    )
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    sizes = {name: getattr(result, name).height for name in ("grades", "benchmarks", "watchlist", "rollups")}
    print(f"  engine {elapsed[0]:6.2f} s: " + ", ".join(f"{name} {rows:,}" for name, rows in sizes.items()))
    return elapsed, result


def run_duckdb(
    connection: duckdb.DuckDBPyConnection, query: str = BASELINE, label: str = "duckdb"
) -> tuple[Timing, pl.DataFrame]:
    """Wall and CPU seconds of a hand-written query over the registered ``firms``, and its rows."""
    start, cpu = time.perf_counter(), time.process_time()
    rows = connection.sql(query).to_arrow_table()
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label} {elapsed[0]:6.2f} s: {rows.num_rows:,} rows × {rows.num_columns} columns")
    return elapsed, pl.from_arrow(rows)  # type: ignore[return-value]


def compare(result: RatingResult, baseline: pl.DataFrame, connection: duckdb.DuckDBPyConnection) -> None:
    """Check that both sides computed the same medians and grades (not timed).

    The engine's class benchmarks must equal DuckDB's medians. Grades are compared where both
    define one: DuckDB's hand-written CASE puts a firm without intensity in band 5 and bands K
    without the engine's rounding to 1e-9, so those rows are left out.
    """
    medians = pl.from_arrow(connection.sql(MEDIANS).to_arrow_table())
    classes = result.benchmarks.filter(pl.col("industry_level") == "class").select(
        pl.col("period").cast(pl.String),
        pl.col("industry_code").cast(pl.String),
        "intensity_tco2e_per_10k_cny",
    )
    joined = classes.join(medians, on=["period", "industry_code"], how="full", coalesce=True)  # type: ignore[arg-type]
    difference = (pl.col("intensity_tco2e_per_10k_cny") - pl.col("benchmark")).abs().max()
    grades = result.grades.select("organisation_id", pl.col("period").cast(pl.String), "grade").join(
        baseline.filter(pl.col("k").is_not_null()), on=["organisation_id", "period"]
    )
    differing = grades.filter(
        pl.col("grade").is_not_null() & (pl.col("grade") != pl.col("grade_right"))
    ).height
    largest = joined.select(difference).item()
    compared = grades["grade"].is_not_null().sum()
    print(
        f"check: {joined.height:,} class medians, max |engine − DuckDB| {largest:.1e}; "
        f"{compared:,} grades compared, {differing:,} differ"
    )


def check_ranks(result: RatingResult, connection: duckdb.DuckDBPyConnection) -> None:
    """Rank every industry and county on read and compare with DuckDB's window (not in the ratio).

    Prints the time to rank the largest industry and the largest county group alone, which is
    what a page or report does, and the number of ranks that differ from DuckDB's
    ``rank() OVER (PARTITION BY … ORDER BY round(k, 9))`` over the engine's own K.
    """
    grades = result.grades.select(
        "organisation_id",
        pl.col("period", "benchmark_industry_code", "county_code").cast(pl.String),
        "k_industry",
        "grade",
    )
    for column in ("benchmark_industry_code", "county_code"):
        coded = grades.filter(pl.col(column).is_not_null())
        largest = coded.group_by("period", column).len().sort("len").row(-1)
        group = coded.filter(pl.col("period") == largest[0], pl.col(column) == largest[1])
        start = time.perf_counter()
        rank_group(group)
        took = (time.perf_counter() - start) * 1000
        print(f"rank on read: {column} {largest[1]} ({group.height:,} firms) in {took:.1f} ms")
    ranked = grades.with_columns(
        rank_by_k().over("period", "benchmark_industry_code").alias("rank_in_industry"),
        rank_by_k().over("period", "county_code").alias("rank_in_region"),
    )
    connection.register("ranked", ranked.to_arrow())
    windows = """
    SELECT count(*) FROM (
        SELECT *,
            CASE WHEN grade IS NOT NULL THEN rank() OVER (
                PARTITION BY period, benchmark_industry_code, grade IS NULL ORDER BY round(k_industry, 9)
            ) END AS a,
            CASE WHEN grade IS NOT NULL THEN rank() OVER (
                PARTITION BY period, county_code, grade IS NULL ORDER BY round(k_industry, 9)
            ) END AS b
        FROM ranked
    ) WHERE a IS DISTINCT FROM rank_in_industry OR b IS DISTINCT FROM rank_in_region
    """
    (count,) = connection.sql(windows).fetchall()[0]
    connection.unregister("ranked")
    print(f"ranks: {count:,} of {ranked.height:,} differ from DuckDB's rank() over K rounded to 1e-9")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=1_000_000)
    parser.add_argument("--industries", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each side (at least 3)")
    args = parser.parse_args()
    repeat = max(args.repeat, 3)
    firms = make_firms(args.organisations, args.industries)
    print(
        f"{args.organisations:,} organisations × {len(PERIODS)} periods = {firms.height:,} rows, "
        f"{args.industries} industry classes; Polars {pl.__version__} ({pl.thread_pool_size()} threads), "
        f"DuckDB {duckdb.__version__}; load average {os.getloadavg()[0]:.1f}"
    )
    connection = duckdb.connect()
    connection.register("firms", firms.to_arrow())
    run_engine(firms.head(10_000))  # warm up both (catalogues, schemes, DuckDB's plan cache)
    connection.sql(BASELINE).to_arrow_table()
    connection.sql(NARROW).to_arrow_table()
    engine: list[Timing] = []
    baseline: list[Timing] = []
    narrow: list[Timing] = []
    results: list[RatingResult] = []
    for _ in range(repeat):
        results.clear()  # the previous round's frames are freed before the next is timed
        timing, result = run_engine(firms)
        engine.append(timing)
        results.append(result)
        base_timing, rows = run_duckdb(connection)
        baseline.append(base_timing)
        narrow.append(run_duckdb(connection, NARROW, "narrow")[0])
    compare(results[0], rows, connection)
    check_ranks(results[0], connection)
    wall, cpu = statistics.median(e[0] for e in engine), statistics.median(e[1] for e in engine)
    base_wall, base_cpu = statistics.median(b[0] for b in baseline), statistics.median(b[1] for b in baseline)
    narrow_wall, narrow_cpu = statistics.median(n[0] for n in narrow), statistics.median(n[1] for n in narrow)
    ratio = wall / base_wall
    best, base_best = min(e[0] for e in engine), min(b[0] for b in baseline)
    print(f"citycarbon engine: {wall:.2f} s median, {best:.2f} s best, {cpu:.2f} s CPU")
    print(f"DuckDB baseline:   {base_wall:.2f} s median, {base_best:.2f} s best, {base_cpu:.2f} s CPU")
    print(f"ratio:             {ratio:.2f} wall (median), {cpu / base_cpu:.2f} CPU (target ≤ 2)")
    print(
        f"narrow query:      {narrow_wall:.2f} s median, {narrow_cpu:.2f} s CPU; engine ÷ narrow "
        f"{wall / narrow_wall:.2f} wall, {cpu / narrow_cpu:.2f} CPU (one intensity only; for comparison)"
    )
    print(f"load average now:  {os.getloadavg()[0]:.1f}")
    print("PASS" if ratio <= 2 else "FAIL")
    sys.exit(0 if ratio <= 2 else 1)


if __name__ == "__main__":
    main()
