"""Benchmark the accounting engine against a hand-written DuckDB query on the same data.

Target (issue): account ~10 million activity rows (100k organisations x 12 months x 8 items)
into per-organisation-period totals with lineage ids within 2x the time of a hand-written
DuckDB query doing the same join-and-sum in the same run, with peak memory under 4 GiB.

The activity frame is generated synthetically (vectorised, deterministic) and written once to
a Parquet file in a temporary folder. Each measured phase then runs in its own child process,
which reads that file, runs the phase once and reports its wall time and its own peak RSS, so
the memory of one phase never hides in another's. Rounds are interleaved (engine, totals-only,
DuckDB, engine, ...) so that background load on a shared machine hits all phases alike; the
best round of each phase is compared (the median, and CPU time, which shared-machine load
distorts less, are printed too).

Phases
------
``account``
    ``citycarbon.engines.accounting.account`` as the services call it: every line column is
    materialised, then summarised into totals.
``totals``
    Only what the target asks for: totals with lineage ids, no lines. If the engine has a
    public ``account_totals`` it is timed; otherwise ``account()``'s own lazy plan (the factor
    and unit joins ``_with_factors``, the scope-2 method window, ``_line_columns``) is fed to
    ``summarise`` and collected once, so Polars can prune the line columns nobody reads.
``duckdb``
    One hand-written SQL statement over the same activity frame (as Arrow), the factor table
    from ``build_factor_table`` and the conversions from ``unit_conversions``: join, multiply,
    group by (uscc, period), sum scope 1 / scope 2 / energy and collect the distinct lineage
    ids. The Polars-to-Arrow conversion is timed separately and not counted.

Run ``python bench/bench_accounting.py --help`` for the options; ``--rows 200000`` is a quick run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from citycarbon.domain.identifiers.uscc import make_uscc
from citycarbon.engines import accounting
from citycarbon.engines.accounting import GROUP, account, summarise, unit_conversions
from citycarbon.engines.factor_table import AccountingOptions, build_factor_table
from citycarbon.refdata.factor_book import load_factor_book

GIB = 2**30
TARGET_RATIO = 2.0
TARGET_PEAK_GIB = 4.0
PHASES = ("account", "totals", "duckdb")
VALUE_COLUMNS = (
    "scope1_tco2e",
    "scope2_tco2e",
    "scope2_location_tco2e",
    "scope2_market_tco2e",
    "energy_tce",
    "total_tco2e",
)
REGIONS = ("331002", "331003", "331004", "331022", "331023", "331024", "331081", "331082", "331083")

#: (category, item_code, units); an organisation reports ``items`` consecutive entries of this
#: ring, so its items are distinct, and uses the units in turn, so conversions are exercised.
ITEM_RING: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fuel", "raw_coal", ("t", "吨")),
    ("fuel", "natural_gas", ("万立方米", "m3")),
    ("fuel", "diesel", ("t", "kg")),
    ("electricity", "grid", ("MWh", "万千瓦时")),
    ("electricity", "green", ("MWh", "kWh")),
    ("heat", "steam", ("GJ", "吉焦")),
    ("process", "cement_clinker", ("t",)),
    ("fuel", "gasoline", ("t",)),
    ("heat", "hot_water", ("GJ",)),
    ("fuel", "lng", ("t",)),
    ("process", "limestone", ("t",)),
    ("electricity", "export", ("MWh", "万千瓦时")),
)

DUCKDB_SQL = """
WITH lines AS (
    SELECT a.uscc, a.period,
           a.category IN ('fuel', 'process') AS scope1,
           a.category = 'electricity' AND a.item_code = 'green' AS green,
           a.quantity * c.to_canonical * f.sign AS q,
           f.co2_location_t_per_unit AS loc, f.co2_market_t_per_unit AS mkt,
           f.non_co2_tco2e_per_unit AS non_co2, f.tce_per_unit AS tce,
           f.lineage_location, f.lineage_market
    FROM activity AS a
    JOIN conversions AS c USING (category, item_code, unit)
    JOIN factors AS f USING (category, item_code, year)
), sums AS (
    SELECT uscc, period,
           bool_or(green) AS uses_market,
           sum(CASE WHEN scope1 THEN q * loc + q * non_co2 ELSE 0 END) AS s1_location,
           sum(CASE WHEN scope1 THEN q * mkt + q * non_co2 ELSE 0 END) AS s1_market,
           sum(CASE WHEN scope1 THEN 0 ELSE q * loc + q * non_co2 END) AS s2_location_all,
           sum(CASE WHEN scope1 THEN 0 ELSE q * mkt + q * non_co2 END) AS s2_market_all,
           sum(CASE WHEN scope1 THEN 0 ELSE q * loc END) AS scope2_location_tco2e,
           sum(CASE WHEN scope1 THEN 0 ELSE q * mkt END) AS scope2_market_tco2e,
           sum(q * tce) AS energy_tce,
           list_sort(list(DISTINCT lineage_location)) AS lineage_location_ids,
           list_sort(list(DISTINCT lineage_market)) AS lineage_market_ids
    FROM lines
    GROUP BY uscc, period
)
SELECT uscc, period,
       CASE WHEN uses_market THEN s1_market ELSE s1_location END AS scope1_tco2e,
       CASE WHEN uses_market THEN s2_market_all ELSE s2_location_all END AS scope2_tco2e,
       scope2_location_tco2e, scope2_market_tco2e, energy_tce, uses_market,
       CASE WHEN uses_market THEN lineage_market_ids ELSE lineage_location_ids END AS lineage_ids,
       CASE WHEN uses_market THEN s1_market + s2_market_all
            ELSE s1_location + s2_location_all END AS total_tco2e
FROM sums
ORDER BY uscc, period
"""


# --- data -------------------------------------------------------------------------------------


def make_activity(orgs: int, months: int, items: int, year: int, rows: int | None = None) -> pl.DataFrame:
    """Return ``orgs x months x items`` activity rows (cut to ``rows``), built column-wise."""
    if not 1 <= items <= len(ITEM_RING):
        raise SystemExit(f"--items must be between 1 and {len(ITEM_RING)}")
    if not 1 <= months <= 12:
        raise SystemExit("--months must be between 1 and 12")
    codes = [make_uscc(f"91{REGIONS[i % len(REGIONS)]}{i:09d}") for i in range(orgs)]
    organisations = (
        pl.DataFrame({"uscc": codes}).with_row_index("org").with_columns(pl.col("org").cast(pl.Int64))
    )
    periods = pl.DataFrame({"month": list(range(1, months + 1))}).with_columns(
        pl.format("{}-{}", pl.lit(str(year)), pl.col("month").cast(pl.String).str.zfill(2)).alias("period")
    )
    slots = pl.DataFrame({"slot": list(range(items))})
    ring = pl.DataFrame(
        [(k, v, c, i, units[v % len(units)]) for k, (c, i, units) in enumerate(ITEM_RING) for v in range(2)],
        schema={
            "k": pl.Int64,
            "variant": pl.Int64,
            "category": pl.String,
            "item_code": pl.String,
            "unit": pl.String,
        },
        orient="row",
    )
    frame = (
        organisations.lazy()
        .join(periods.lazy(), how="cross")
        .join(slots.lazy(), how="cross")
        .with_columns(
            ((pl.col("org") * 5 + pl.col("slot")) % len(ITEM_RING)).alias("k"),
            (pl.col("org") % 2).alias("variant"),
        )
        .join(ring.lazy(), on=["k", "variant"], how="left")
        # Joins need not keep row order, so number the rows from their keys and sort by that.
        .with_columns(((pl.col("org") * months + pl.col("month") - 1) * items + pl.col("slot")).alias("n"))
        .filter(pl.col("n") < (rows if rows is not None else orgs * months * items))
        .sort("n")
        .select(
            "uscc",
            "period",
            pl.lit(year, pl.Int32).alias("year"),
            "category",
            "item_code",
            # A deterministic spread of quantities between 1 and 10 000.
            ((pl.col("n") * 2_654_435_761 % 999_983).cast(pl.Float64) / 100 + 1).alias("quantity"),
            "unit",
        )
    )
    return frame.collect()


def reference_tables(activity: pl.DataFrame, options: AccountingOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The factor table and unit conversions the engine itself derives, for the SQL query."""
    book = load_factor_book(options.fuel_set)
    years = activity["year"].unique().to_list()
    factors = build_factor_table(book, years, options)
    keys = activity.select("category", "item_code", "unit").unique()
    canonical = factors.select("category", "item_code", "canonical_unit").unique()
    pairs = keys.join(canonical, on=["category", "item_code"], how="inner")
    conversions = unit_conversions(pairs.iter_rows())
    return factors, conversions


# --- phases (each runs in a child process) --------------------------------------------------


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    """Current resident set size, from /proc (0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Clock:
    """Wall time and CPU time (all threads of this process) of a ``with`` block."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu

    def info(self) -> dict[str, float]:
        return {"seconds": self.wall, "cpu_seconds": self.cpu}


def phase_account(activity: pl.DataFrame, options: AccountingOptions) -> tuple[pl.DataFrame, dict[str, Any]]:
    book = load_factor_book(options.fuel_set)
    with Clock() as clock:
        result = account(activity, book, options)
    return result.totals, clock.info() | {
        "lines": result.lines.height,
        "lines_gib": result.lines.estimated_size() / GIB,
    }


def phase_totals(activity: pl.DataFrame, options: AccountingOptions) -> tuple[pl.DataFrame, dict[str, Any]]:
    book = load_factor_book(options.fuel_set)
    public = getattr(accounting, "account_totals", None)
    if public is not None:  # a totals-only entry point, if the engine has one
        with Clock() as clock:
            totals = public(activity, book, options)
        return totals, clock.info() | {"path": "account_totals()"}
    # account()'s own (private) plan, minus materialising the lines.
    with_factors, line_columns = accounting._with_factors, accounting._line_columns
    with Clock() as clock:
        lazy = activity.lazy()
        years = lazy.select(pl.col("year").unique()).collect().to_series().to_list()
        factors = build_factor_table(book, years, options)
        green = (pl.col("category") == "electricity") & (pl.col("item_code") == "green")
        lines = (
            with_factors(lazy, factors)
            .with_columns(green.any().over(list(GROUP)).alias("uses_market"))
            .with_columns(line_columns())
        )
        totals = summarise(lines).collect()
    path = "summarise(lazy lines): account()'s own plan, lines not materialised"
    return totals, clock.info() | {"path": path}


def phase_duckdb(activity: pl.DataFrame, options: AccountingOptions) -> tuple[pl.DataFrame, dict[str, Any]]:
    factors, conversions = reference_tables(activity, options)
    with Clock() as conversion:
        arrow = activity.to_arrow()
    con = duckdb.connect()
    con.register("activity", arrow)
    con.register("factors", factors.to_arrow())
    con.register("conversions", conversions.to_arrow())
    with Clock() as clock:
        totals = con.sql(DUCKDB_SQL).pl()
    threads = con.sql("SELECT current_setting('threads')").fetchall()[0]
    con.close()
    return totals, clock.info() | {
        "to_arrow_seconds": conversion.wall,
        "threads": threads[0] if threads else None,
    }


RUNNERS = {"account": phase_account, "totals": phase_totals, "duckdb": phase_duckdb}


def run_child(phase: str, input_path: Path, output_path: Path | None, options: AccountingOptions) -> None:
    activity = pl.read_parquet(input_path)
    baseline = current_rss_bytes()
    totals, info = RUNNERS[phase](activity, options)
    info |= {"phase": phase, "peak_rss": peak_rss_bytes(), "input_rss": baseline, "totals": totals.height}
    if output_path is not None:
        totals.write_parquet(output_path)
    print(json.dumps(info))


# --- comparison and report ------------------------------------------------------------------


def compare(engine: pl.DataFrame, reference: pl.DataFrame) -> dict[str, float | int]:
    """Max absolute / relative difference of every total, and rows whose lineage ids differ."""
    joined = engine.join(reference, on=list(GROUP), how="full", suffix="_ref", coalesce=True)
    missing = joined.filter(
        pl.any_horizontal(pl.col(c).is_null() | pl.col(f"{c}_ref").is_null() for c in ("total_tco2e",))
    ).height
    out: dict[str, float | int] = {
        "rows_engine": engine.height,
        "rows_reference": reference.height,
        "unmatched_rows": missing,
    }
    abs_diff, rel_diff = 0.0, 0.0
    for column in VALUE_COLUMNS:
        diff = (pl.col(column) - pl.col(f"{column}_ref")).abs()
        # Relative to the magnitude, but not below 1 tCO2e: near-zero nets (exports) are noise.
        scale = pl.max_horizontal(pl.col(column).abs(), pl.col(f"{column}_ref").abs(), pl.lit(1.0))
        row = joined.select(diff.max().alias("a"), (diff / scale).max().alias("r")).row(0)
        abs_diff, rel_diff = max(abs_diff, row[0] or 0.0), max(rel_diff, row[1] or 0.0)
    out["max_abs_diff_tco2e"] = abs_diff
    out["max_rel_diff"] = rel_diff
    as_strings = [
        pl.col(c).cast(pl.List(pl.String)).list.sort().list.join("|")
        for c in ("lineage_ids", "lineage_ids_ref")
    ]
    out["lineage_mismatches"] = joined.filter(as_strings[0].ne_missing(as_strings[1])).height
    market = pl.col("uses_market").ne_missing(pl.col("uses_market_ref"))
    out["uses_market_mismatches"] = joined.filter(market).height
    return out


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _gib(value: float) -> str:
    return f"{value / GIB:.2f} GiB"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def spawn(args: argparse.Namespace, phase: str, input_path: Path, output: Path | None) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--input",
        str(input_path),
        "--grid",
        args.grid,
    ]
    if output is not None:
        command += ["--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {phase} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Quick run: .venv/bin/python bench/bench_accounting.py --rows 200000",
    )
    parser.add_argument("--orgs", type=int, default=100_000, help="organisations (default 100000)")
    parser.add_argument("--months", type=int, default=12, help="months of one year (default 12)")
    parser.add_argument(
        "--items", type=int, default=8, help=f"items per organisation-month, 1..{len(ITEM_RING)} (default 8)"
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=None,
        help="total activity rows; sets --orgs to fit (e.g. 200000 for a quick run)",
    )
    parser.add_argument("--year", type=int, default=2024, help="data year (default 2024)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds per phase (default 3)")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated phases to run (default {','.join(PHASES)})",
    )
    parser.add_argument("--grid", default="national", help="grid code for scope 2 (default national)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated files in this folder")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    options = AccountingOptions(grid_code=args.grid)
    if args.phase:
        run_child(args.phase, args.input, args.output, options)
        return 0

    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown or "duckdb" not in phases or len(phases) < 2:
        parser.error(f"--phases needs duckdb and at least one of account, totals (got {args.phases})")
    if args.rows is not None:
        args.orgs = max(1, math.ceil(args.rows / (args.months * args.items)))
    folder_context = tempfile.TemporaryDirectory(prefix="citycarbon-bench-") if args.keep is None else None
    folder = Path(folder_context.name) if folder_context else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        activity = make_activity(args.orgs, args.months, args.items, args.year, args.rows)
        generated = time.perf_counter() - start
        input_path = folder / "activity.parquet"
        activity.write_parquet(input_path)
        n = activity.height
        print(
            f"machine: {os.cpu_count()} cores, polars {pl.__version__} ({pl.thread_pool_size()} threads), "
            f"duckdb {duckdb.__version__}; load average {_load()}"
        )
        print(
            f"activity: {n:,} rows = {args.orgs:,} organisations x {args.months} months x "
            f"{args.items} items ({activity.estimated_size() / GIB:.2f} GiB in memory), "
            f"generated in {generated:.1f} s"
        )
        del activity
        results: dict[str, list[dict[str, Any]]] = {p: [] for p in phases}
        for round_ in range(args.repeat):
            for phase in phases:
                output = folder / f"totals_{phase}.parquet" if round_ == 0 else None
                info = spawn(args, phase, input_path, output)
                results[phase].append(info)
                print(
                    f"  round {round_ + 1}: {phase:8s} {info['seconds']:7.2f} s wall "
                    f"{info['cpu_seconds']:7.2f} s CPU  peak RSS {_gib(info['peak_rss'])}",
                    flush=True,
                )
        print(f"load average after the rounds: {_load()}")
        return report(args, phases, results, folder, n)
    finally:
        if folder_context:
            folder_context.cleanup()


def report(
    args: argparse.Namespace,
    phases: list[str],
    results: dict[str, list[dict[str, Any]]],
    folder: Path,
    n: int,
) -> int:
    best = {p: min(r["seconds"] for r in results[p]) for p in phases}
    median = {p: statistics.median(r["seconds"] for r in results[p]) for p in phases}
    cpu = {p: min(r["cpu_seconds"] for r in results[p]) for p in phases}
    peak = {p: max(r["peak_rss"] for r in results[p]) for p in phases}
    input_rss = max(r["input_rss"] for p in phases for r in results[p])
    labels = {
        "account": "engine account() (lines + totals)",
        "totals": "engine totals-only path",
        "duckdb": "hand-written DuckDB query",
    }
    print()
    print(
        f"{'phase':36s} {'best s':>8s} {'median s':>9s} {'CPU s':>7s} {'rows/s (best)':>15s} "
        f"{'peak RSS':>10s}"
    )
    for p in phases:
        print(
            f"{labels[p]:36s} {best[p]:8.2f} {median[p]:9.2f} {cpu[p]:7.2f} {n / best[p]:15,.0f} "
            f"{peak[p] / GIB:6.2f} GiB"
        )
    duck = results["duckdb"][0]
    print(
        f"(DuckDB: {duck['threads']} threads; Polars->Arrow conversion {duck['to_arrow_seconds']:.2f} s "
        "not counted; CPU s = least user+system time of all threads; "
        f"input frame alone ~{input_rss / GIB:.2f} GiB RSS in each child; peak RSS is per child process, "
        "max over rounds)"
    )
    if "totals" in results:
        print(f"totals-only path: {results['totals'][0]['path']}")
    if "account" in results:
        print(
            f"account() materialised {results['account'][0]['lines']:,} lines "
            f"(~{results['account'][0]['lines_gib']:.2f} GiB)"
        )
    print()
    reference = pl.read_parquet(folder / "totals_duckdb.parquet")
    ok = True
    for p in (q for q in phases if q != "duckdb"):
        check = compare(pl.read_parquet(folder / f"totals_{p}.parquet"), reference)
        agree = (
            check["unmatched_rows"] == 0
            and check["lineage_mismatches"] == 0
            and check["uses_market_mismatches"] == 0
            and check["max_rel_diff"] < 1e-9
        )
        print(
            f"{labels[p]} vs DuckDB: {check['rows_engine']:,} vs {check['rows_reference']:,} totals, "
            f"max |diff| {check['max_abs_diff_tco2e']:.3g} (rel {check['max_rel_diff']:.2g}), "
            f"lineage mismatches {check['lineage_mismatches']}, unmatched {check['unmatched_rows']} "
            f"-> {'agree' if agree else 'DISAGREE'}"
        )
        ratio, ratio_median = best[p] / best["duckdb"], median[p] / median["duckdb"]
        ratio_ok, memory_ok = ratio <= TARGET_RATIO, peak[p] < TARGET_PEAK_GIB * GIB
        print(
            f"  ratio engine/DuckDB: {ratio:.2f} (best of {args.repeat}), {ratio_median:.2f} (median), "
            f"{cpu[p] / cpu['duckdb']:.2f} (CPU time) -> {_verdict(ratio_ok)} "
            f"(target <= {TARGET_RATIO:g}, judged on best wall time)"
        )
        print(
            f"  peak RSS {peak[p] / GIB:.2f} GiB -> {_verdict(memory_ok)} (target < {TARGET_PEAK_GIB:g} GiB)"
        )
        ok = ok and agree and ratio_ok and memory_ok
    print(f"\noverall: {_verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
