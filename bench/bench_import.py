"""Benchmark importing a 1-million-row activity CSV, and the recalculation it triggers.

Target (issue): importing a 1-million-row CSV takes under 60 s.

The script writes two CSV files the way an enterprise would upload them (Chinese category and
item names, mixed units, green electricity with certificate numbers): an organisation file
(about 10k organisations, registered first) and an activity file. It then times, separately,

1. ``import_file`` of the organisations (set-up, not part of the target),
2. ``import_file`` of the activity file: read, validate, check against stored records and
   write, in one transaction (the figure the target is about),
3. ``recalculate`` of the organisation-periods the import touched (accounting, results and
   result lines written with lineage), which an import triggers.

By default it runs against a fresh SQLite file in a temporary folder. ``--database-url`` runs
against another database, which must be empty; with ``--create-database`` the script creates
the PostgreSQL database named in the URL and drops it afterwards.

``--profile import`` (or ``recalculate``) runs that step under cProfile and prints where the
time goes. Peak RSS is process-wide (``ru_maxrss``) and printed after each step.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from citycarbon.domain.errors import ValidationFailed
from citycarbon.domain.identifiers.uscc import make_uscc
from citycarbon.services.importing import ImportSummary, import_file
from citycarbon.services.ledger import RunSummary, recalculate
from citycarbon.store.db import get_engine, unit_of_work, upgrade_database
from citycarbon.store.tables import ActivityRecord, Organisation

GIB = 2**30
TARGET_IMPORT_SECONDS = 60.0
REGIONS = ("331002", "331003", "331004", "331022", "331023", "331024", "331081", "331082", "331083")
INDUSTRIES = ("C3411", "C3011", "C2614", "C3130", "C2211")

#: (category, item, units) as written in a Chinese template; an organisation reports
#: ``items`` consecutive entries of this ring, using the units in turn.
ITEM_RING: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("燃料", "原煤", ("t", "吨")),
    ("燃料", "天然气", ("万立方米", "m3")),
    ("燃料", "柴油", ("t", "kg")),
    ("电力", "电力", ("MWh", "万千瓦时")),
    ("电力", "绿电", ("MWh", "kWh")),
    ("热力", "蒸汽", ("GJ", "吉焦")),
    ("过程", "水泥熟料", ("t",)),
    ("燃料", "汽油", ("t",)),
    ("热力", "热水", ("GJ",)),
    ("燃料", "液化天然气", ("t",)),
    ("过程", "石灰石", ("t",)),
    ("电力", "输出电力", ("MWh", "万千瓦时")),
)


def peak_rss() -> str:
    """Process-wide peak resident set size so far (ru_maxrss is KiB on Linux)."""
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB:.2f} GiB"


def write_files(folder: Path, rows: int, months: int, items: int, year: int) -> tuple[Path, Path, int]:
    """Write ``organisations.csv`` and ``activity.csv``; return their paths and the organisation count."""
    if not 1 <= items <= len(ITEM_RING):
        raise SystemExit(f"--items must be between 1 and {len(ITEM_RING)}")
    if not 1 <= months <= 12:
        raise SystemExit("--months must be between 1 and 12")
    orgs = max(1, math.ceil(rows / (months * items)))
    codes = [make_uscc(f"91{REGIONS[i % len(REGIONS)]}{i:09d}") for i in range(orgs)]
    organisations = (
        pl.DataFrame({"uscc": codes}).with_row_index("org").with_columns(pl.col("org").cast(pl.Int64))
    )
    organisations.select(
        "uscc",
        pl.format("基准测试企业{}有限公司", pl.col("org")).alias("name"),
        pl.lit("enterprise").alias("kind"),
        pl.col("org")
        .map_elements(lambda i: INDUSTRIES[i % len(INDUSTRIES)], return_dtype=pl.String)
        .alias("industry_code"),
        pl.col("uscc").str.slice(2, 6).alias("region_code"),
        ((pl.col("org") % 500) + 10).cast(pl.String).alias("area_mu"),
    ).write_csv(folder / "organisations.csv")

    periods = pl.DataFrame({"month": list(range(1, months + 1))}).with_columns(
        pl.format("{}-{}", pl.lit(str(year)), pl.col("month").cast(pl.String).str.zfill(2)).alias("period")
    )
    ring = pl.DataFrame(
        [(k, v, c, i, units[v % len(units)]) for k, (c, i, units) in enumerate(ITEM_RING) for v in range(2)],
        schema={
            "k": pl.Int64,
            "variant": pl.Int64,
            "category": pl.String,
            "item": pl.String,
            "unit": pl.String,
        },
        orient="row",
    )
    activity = (
        organisations.lazy()
        .join(periods.lazy(), how="cross")
        .join(pl.LazyFrame({"slot": list(range(items))}), how="cross")
        .with_columns(
            ((pl.col("org") * 5 + pl.col("slot")) % len(ITEM_RING)).alias("k"),
            (pl.col("org") % 2).alias("variant"),
        )
        .join(ring.lazy(), on=["k", "variant"], how="left")
        # Joins need not keep row order, so number the rows from their keys and sort by that.
        .with_columns(((pl.col("org") * months + pl.col("month") - 1) * items + pl.col("slot")).alias("n"))
        .filter(pl.col("n") < rows)
        .sort("n")
        .select(
            "uscc",
            "period",
            "category",
            "item",
            # Deterministic quantities between 1 and 10 000 with two decimals, as text.
            ((pl.col("n") * 2_654_435_761 % 999_983).cast(pl.Float64) / 100 + 1)
            .round(2)
            .cast(pl.String)
            .alias("quantity"),
            "unit",
            pl.when(pl.col("item") == "绿电")
            .then(pl.format("GEC{}", pl.col("n").cast(pl.String).str.zfill(10)))
            .alias("certificate"),
        )
    )
    activity.collect().write_csv(folder / "activity.csv")
    return folder / "organisations.csv", folder / "activity.csv", orgs


def create_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url``; refuse if it already exists."""
    parsed = make_url(url)
    name = parsed.database
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        query = text("SELECT 1 FROM pg_database WHERE datname = :n")
        exists = connection.execute(query, {"n": name}).scalar()
        if exists:
            raise SystemExit(f"database {name!r} already exists; choose another name or drop it yourself")
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database named in ``url`` (one this script created)."""
    parsed = make_url(url)
    get_engine(url).dispose()
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
    admin.dispose()


def load() -> str:
    """The 1/5/15-minute load averages: on a shared machine they say how far to trust a wall time."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def timed_import(url: str, path: Path, profile: bool, top: int) -> tuple[ImportSummary, float, float]:
    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    try:
        if profiler:
            profiler.enable()
        summary = import_file(url, path, file_name=path.name)
    except ValidationFailed as error:
        problems = getattr(error, "problems", [])
        raise SystemExit(f"import of {path.name} failed validation: {problems[:5]}") from error
    finally:
        if profiler:
            profiler.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        print_profile(profiler, top)
    return summary, seconds, cpu


def timed_recalculate(
    url: str, pairs: list[tuple[str, str]], profile: bool, top: int
) -> tuple[RunSummary, float, float]:
    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    try:
        run = recalculate(url, pairs=pairs, trigger="import")
    finally:
        if profiler:
            profiler.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        print_profile(profiler, top)
    return run, seconds, cpu


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    print(f"\n--- cProfile, top {top} by cumulative time ---")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    print(f"--- top {top} by own time ---")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Quick run: .venv/bin/python bench/bench_import.py --rows 20000",
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows (default 1000000)")
    parser.add_argument("--months", type=int, default=12, help="months of one year (default 12)")
    parser.add_argument(
        "--items",
        type=int,
        default=8,
        help=f"items per organisation-month, 1..{len(ITEM_RING)} (default 8); "
        "organisations = rows / (months x items)",
    )
    parser.add_argument("--year", type=int, default=2024, help="data year (default 2024)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL of an empty database (default: a new SQLite file), e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/citycarbon_bench",
    )
    parser.add_argument(
        "--create-database",
        action="store_true",
        help="create the PostgreSQL database of --database-url first and drop it at the end",
    )
    parser.add_argument("--skip-recalculate", action="store_true", help="time the import only")
    parser.add_argument(
        "--profile",
        choices=("import", "recalculate"),
        default=None,
        help="run this step under cProfile and print the hot spots",
    )
    parser.add_argument("--top", type=int, default=30, help="profile lines to print (default 30)")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="write the CSV files (and the SQLite file) to this folder and keep them",
    )
    args = parser.parse_args(argv)
    if args.create_database and not (args.database_url or "").startswith("postgresql"):
        parser.error("--create-database needs a postgresql --database-url")

    context = tempfile.TemporaryDirectory(prefix="citycarbon-import-bench-") if args.keep is None else None
    folder = Path(context.name) if context else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    created = False
    try:
        start = time.perf_counter()
        written = write_files(folder, args.rows, args.months, args.items, args.year)
        organisations_csv, activity_csv, orgs = written
        size = activity_csv.stat().st_size / 2**20
        print(f"machine: {os.cpu_count()} cores, polars {pl.__version__}; load average {load()}")
        print(
            f"files: {args.rows:,} activity rows ({size:.1f} MiB CSV) for {orgs:,} organisations, "
            f"written in {time.perf_counter() - start:.1f} s"
        )
        if args.create_database:
            create_database(url)
            created = True
        start = time.perf_counter()
        upgrade_database(url)
        with unit_of_work(url) as session:
            if session.execute(select(func.count(ActivityRecord.id))).scalar():
                raise SystemExit("the database already holds activity records; use an empty database")
        backend = get_engine(url).dialect.name
        print(
            f"database: {backend} ({make_url(url).render_as_string(hide_password=True)}), "
            f"migrated in {time.perf_counter() - start:.1f} s"
        )

        summary, seconds, _ = timed_import(url, organisations_csv, False, args.top)
        print(
            f"import organisations: {summary.written:,} written in {seconds:.1f} s  (peak RSS {peak_rss()})"
        )
        with unit_of_work(url) as session:
            registered = session.execute(select(func.count(Organisation.id))).scalar() or 0
        if registered < orgs:
            raise SystemExit(f"only {registered} of {orgs} organisations registered")

        summary, import_seconds, cpu = timed_import(url, activity_csv, args.profile == "import", args.top)
        if summary.already_imported or summary.written != args.rows:
            raise SystemExit(f"unexpected import summary: {summary}")
        print(
            f"import activity:      {summary.written:,} rows in {import_seconds:.1f} s = "
            f"{summary.written / import_seconds:,.0f} rows/s, {cpu:.1f} s CPU here, "
            f"{len(summary.affected):,} organisation-periods affected  (peak RSS {peak_rss()})"
        )

        if not args.skip_recalculate:
            run, seconds, cpu = timed_recalculate(
                url, summary.affected, args.profile == "recalculate", args.top
            )
            print(
                f"recalculate affected: {run.results:,} results, {run.lines:,} lines in {seconds:.1f} s = "
                f"{run.lines / seconds:,.0f} lines/s, {cpu:.1f} s CPU here, "
                f"total {run.total_tco2e:,.0f} tCO2e  (peak RSS {peak_rss()})"
            )
            print(f"import + recalculate: {import_seconds + seconds:.1f} s")
        # Other sizes are judged pro rata (fixed costs make small runs look slower than they are).
        target = TARGET_IMPORT_SECONDS * args.rows / 1_000_000
        ok = import_seconds < target
        projected = import_seconds * 1_000_000 / args.rows
        scope = (
            ""
            if args.rows == 1_000_000
            else (
                f" pro rata, indicative only: fixed costs weigh more in "
                f"small runs; about {projected:.0f} s per million rows"
            )
        )
        print(
            f"load average at the end: {load()}  (CPU here = this process; database server CPU "
            "is not included)"
        )
        print(
            f"\nimport of {args.rows:,} rows: {import_seconds:.1f} s -> {'PASS' if ok else 'FAIL'} "
            f"(target < {target:.1f} s{scope}; issue target < {TARGET_IMPORT_SECONDS:g} s for 1,000,000)"
        )
        return 0 if ok else 1
    finally:
        if created:
            drop_database(url)
        else:
            get_engine(url).dispose()
        if context:
            context.cleanup()


if __name__ == "__main__":
    sys.exit(main())
