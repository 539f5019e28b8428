"""Case metrics: aggregate N rectification cases per district and department (issue 7, item 4).

No target is set in the issue; this shows that the metrics stay interactive at city scale
(Taizhou's 1187 system handles tens of thousands of requests a year). Prints the time of the
vectorised aggregation alone (Polars) and of the whole use case on SQLite including the query.

    .venv/bin/python bench/bench_case_metrics.py --rows 1000000 --db-rows 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import polars as pl
from sqlalchemy import insert

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.case_metrics import case_metrics, compute_case_metrics
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import Organisation

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DISTRICTS = ("331002", "331003", "331004", "331022", "331023", "331024", "331081", "331082", "331083")


def frame(rows: int, seed: int = 1) -> pl.DataFrame:
    """Synthetic cases: opened over 300 days, 85 % closed after a gamma-like delay, 60 % rated."""
    rng = random.Random(seed)
    opened_s = [rng.uniform(0, 300) * 86_400 for _ in range(rows)]
    handled_s = [rng.gammavariate(2.0, 2.0) * 86_400 for _ in range(rows)]
    is_closed = [rng.random() < 0.85 for _ in range(rows)]
    base = pl.lit(T0).dt.cast_time_unit("us")
    return (
        pl.DataFrame(
            {
                "group_code": [rng.choice(DISTRICTS) for _ in range(rows)],
                "department": [rng.choice(("大气", "水", "执法一", "执法二", "双碳")) for _ in range(rows)],
                "opened_s": opened_s,
                "closed_s": [
                    o + h if c else None for o, h, c in zip(opened_s, handled_s, is_closed, strict=True)
                ],
                "reopen_count": [int(rng.random() < 0.05) for _ in range(rows)],
                "score": [float(rng.randint(1, 5)) if rng.random() < 0.6 else None for _ in range(rows)],
            }
        )
        .with_columns(
            opened_at=base + pl.duration(milliseconds=(pl.col("opened_s") * 1000).cast(pl.Int64)),
            closed_at=base + pl.duration(milliseconds=(pl.col("closed_s") * 1000).cast(pl.Int64)),
            deadline_at=base + pl.duration(milliseconds=(pl.col("opened_s") * 1000).cast(pl.Int64), days=7),
        )
        .drop("opened_s", "closed_s")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="cases aggregated in memory")
    parser.add_argument("--db-rows", type=int, default=20_000, help="cases in the SQLite end-to-end run")
    args = parser.parse_args()
    cases = frame(args.rows)
    start = time.perf_counter()
    result = compute_case_metrics(cases, T0 + dt.timedelta(days=365), ["group_code", "department"])
    print(f"aggregate {args.rows:,} cases into {result.height} groups: {time.perf_counter() - start:.3f} s")

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade_database(url)
        with unit_of_work(url) as session:
            ids = []
            for number, code in enumerate(DISTRICTS):
                org = Organisation(uscc=f"91331000MA2B{number:05d}X", name=f"org{number}", region_code=code)
                session.add(org)
                session.flush()
                ids.append(org.id)
            sample = cases.head(args.db_rows)
            session.execute(
                insert(SupervisionCase),
                [
                    {"organisation_id": ids[i % len(ids)], "severity": "high", "title": "t",
                     "state": "closed" if r["closed_at"] else "rectifying",
                     "deadline_at": r["deadline_at"], "deadline_set": "x",
                     "escalation_level": 0, "reopen_count": r["reopen_count"], "version": 1, "opened_by": "b",
                     "opened_at": r["opened_at"], "closed_at": r["closed_at"], "department": r["department"]}
                    for i, r in enumerate(sample.iter_rows(named=True))
                ],
            )  # fmt: skip
        admin = Caller(Principal(None, "bench", roles=frozenset({Role.ADMIN})))
        start = time.perf_counter()
        found = case_metrics(url, admin, start=T0, end=T0 + dt.timedelta(days=400), region_code="331000")
        elapsed = time.perf_counter() - start
        print(f"case_metrics on SQLite, {args.db_rows:,} cases, {len(found.rows)} groups: {elapsed:.3f} s")


if __name__ == "__main__":
    main()
