"""Evaluate the full shipped synergy index for 23,000 enterprises and 100 regions for one quarter.

Target (issue 7): within 60 s on this machine. The facts frame is synthetic (log-normal
fields, about 10 % of pollutant values missing, a quarter of the counts zero), built before the
clock starts; the timed part is what ``citycarbon index evaluate`` runs after loading facts:
roll-up to the regions, evaluation of all 52 nodes at enterprise and at region level, ranks.

Usage: python bench/bench_index.py [--enterprises 23000] [--regions 100]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import polars as pl

from citycarbon.domain.indicators.fields import FACT_FIELDS
from citycarbon.engines.indicators.evaluate import evaluate_tree
from citycarbon.engines.indicators.rollup import enterprise_facts, roll_up
from citycarbon.refdata.indicators import load_synergy_index
from citycarbon.services.demo import load_demo_ledger
from citycarbon.services.indicator_evaluation import evaluate_quarter

STORE_LEVELS = ("county", "city", "enterprise")
COUNTS = {"organisation_count", "reported_count", "rated_count", "monitored_count"}


def synthetic_facts(enterprises: int, regions: int, seed: int = 7) -> pl.DataFrame:
    """One row per enterprise with every fact field; region codes ``3301xx`` … spread evenly."""
    rng = random.Random(seed)
    columns: dict[str, list[object]] = {
        "organisation_id": list(range(1, enterprises + 1)),
        "region_code": [f"33{(i % regions) // 20 + 1:02d}{i % 20 + 1:02d}" for i in range(enterprises)],
    }
    for field in FACT_FIELDS:
        if field.name in COUNTS:
            columns[field.name] = [1.0 if rng.random() < 0.9 else 0.0 for _ in range(enterprises)]
        elif field.name.startswith("grade_"):
            columns[field.name] = [1.0 if rng.random() < 0.2 else 0.0 for _ in range(enterprises)]
        else:
            columns[field.name] = [
                None if rng.random() < 0.1 else rng.lognormvariate(3, 1) for _ in range(enterprises)
            ]
    return pl.DataFrame(columns, strict=False)


def main() -> None:
    """Build the facts, then time the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=23_000)
    parser.add_argument("--regions", type=int, default=100)
    parser.add_argument(
        "--store",
        action="store_true",
        help="also time the service path (facts read from a SQLite store holding a demo ledger of "
        "--enterprises organisations, evaluation, scores written); building that store takes minutes",
    )
    args = parser.parse_args()
    tree = load_synergy_index()
    facts = synthetic_facts(args.enterprises, args.regions)
    fields = [f.name for f in FACT_FIELDS]
    started = time.perf_counter()
    enterprise = evaluate_tree(tree, enterprise_facts(facts, fields))
    region_frame = roll_up(facts, pl.col("region_code"), pl.col("region_code").str.slice(0, 4) + "00", fields)
    region = evaluate_tree(tree, region_frame)
    seconds = time.perf_counter() - started
    print(f"definition: {tree.key} ({len(tree.nodes)} nodes, {len(tree.indicators())} indicators)")
    print(f"enterprises: {args.enterprises:,}  scores: {enterprise.scores.height:,}")
    print(f"regions: {region_frame.height}  scores: {region.scores.height:,}")
    print(f"seconds: {seconds:.2f}  (target 60)")
    if args.store:
        time_service_path(args.enterprises)


def time_service_path(organisations: int) -> None:
    """Build a demo ledger of ``organisations`` in SQLite, then time ``citycarbon index evaluate``.

    The demo city spreads its organisations over Taizhou's 9 counties, not 100 regions; what this
    adds to the synthetic run is the cost of reading the facts from the store and writing scores.
    """
    with tempfile.TemporaryDirectory(prefix="citycarbon-bench-index-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        started = time.perf_counter()
        ledger = load_demo_ledger(url, organisations=organisations, years=(2023, 2024))
        print(f"store: {ledger.organisations:,} organisations, {ledger.results:,} results, "
              f"built in {time.perf_counter() - started:.0f} s (not timed)")  # fmt: skip
        started = time.perf_counter()
        summary = evaluate_quarter(url, "2024Q4", levels=STORE_LEVELS, trigger="bench", force=True)
        seconds = time.perf_counter() - started
        entities = ", ".join(f"{level.level} {level.entities:,}" for level in summary.levels)
        print(f"service path (facts from the store, evaluation, scores written): {entities}")
        print(f"seconds: {seconds:.2f}  (target 60)")


if __name__ == "__main__":
    main()
