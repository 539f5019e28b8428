"""Concurrency on PostgreSQL: 16 workers, double retirements, and a process killed mid-transfer."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from citycarbon.domain.sinks.blocks import SerialRange
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.services import registry_mrv, registry_operations
from citycarbon.services.registry_accounts import account_holdings
from citycarbon.services.registry_verify import verify_registry
from citycarbon.store.db import get_engine

from .conftest import ACTOR, build_registry

ACCOUNTS = ("COOP", "FUND", "BUYER-A", "BUYER-B")
OVERLAPS = """SELECT count(*) FROM sink_unit_block a JOIN sink_unit_block b
  ON a.id < b.id AND a.project_id = b.project_id AND a.vintage_year = b.vintage_year
 AND a.serial_start <= b.serial_end AND b.serial_start <= a.serial_end"""
RANDOM_BLOCK = "SELECT id, serial_end - serial_start FROM sink_unit_block ORDER BY random() LIMIT 1"
RANDOM_ACTIVE = """SELECT a.account_code, b.vintage_year, b.serial_start, b.serial_end
  FROM sink_unit_block b JOIN sink_account a ON a.id = b.account_id
 WHERE b.state = 'active' ORDER BY random() LIMIT 1"""
TOTALS = "SELECT vintage_year, sum(serial_end - serial_start + 1) FROM sink_unit_block GROUP BY vintage_year"


def spread(url: str, folder: Path) -> dict[int, int]:
    """Mussel units of 2023 (2,223 t) and 2024 (400 t), spread over four accounts."""
    build_registry(url, folder)
    period = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    report = registry_mrv.submit_monitoring_report(
        url, "MUSSEL-01", 2024, period, [("mussel", Decimal(1000))], ACTOR
    )
    registry_mrv.verify_report(url, report.report_id, "v", folder / "verifier.key", ACTOR)
    registry_operations.issue_units(url, report.report_id, ACTOR)
    for account in ACCOUNTS[1:]:
        registry_operations.transfer_units(url, "COOP", account, 500, ACTOR, vintage_year=2023)
        registry_operations.transfer_units(url, "COOP", account, 90, ACTOR, vintage_year=2024)
    return {2023: 2223, 2024: 400}


def worker(url: str, seed: int, deadline: float, results: mp.Queue) -> None:  # type: ignore[type-arg]
    get_engine(url).dispose(close=False)  # a forked worker must not share the parent's connections
    rng = random.Random(seed)
    retired, failure = 0, ""
    while time.monotonic() < deadline and not failure:
        source, target = rng.sample(ACCOUNTS, 2)
        try:
            roll = rng.random()
            if roll < 0.6:
                registry_operations.transfer_units(url, source, target, rng.randint(1, 40), ACTOR)
            elif roll < 0.75:
                quantity = rng.randint(1, 3)
                registry_operations.retire_units(url, source, quantity, "b", "p", ACTOR)
                retired += quantity
            elif roll < 0.9:
                # Exactly named serials, from whoever held them a moment ago (it may have moved since).
                with get_engine(url).connect() as connection:
                    held = connection.execute(text(RANDOM_ACTIVE)).first()
                if held is not None:
                    start = rng.randint(held[2], held[3])
                    wanted = SerialRange("MUSSEL-01", held[1], start, rng.randint(start, held[3]))
                    registry_operations.transfer_serials(url, held[0], target, wanted, ACTOR)
            else:
                with get_engine(url).connect() as connection:
                    row = connection.execute(text(RANDOM_BLOCK)).first()
                if row is not None and row[1] > 0:
                    registry_operations.split_unit_block(url, row[0], rng.randint(1, row[1]), ACTOR)
        except RegistryError:
            continue  # not enough units, or a block that another worker consumed: refused cleanly
        except Exception as error:  # reported to the test process, which fails
            failure = repr(error)
    results.put((retired, failure))


def hammer(url: str, folder: Path, seconds: float) -> None:
    """16 worker processes (each its own connections) of random transfers, retirements and splits."""
    issued = spread(url, folder)
    get_engine(url).dispose()
    results: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    context = mp.get_context("fork")
    workers = [context.Process(target=worker, args=(url, n, deadline, results)) for n in range(16)]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=seconds + 120) for _ in workers]
    for process in workers:
        process.join()
    assert [failure for _, failure in outcomes if failure] == []
    report = verify_registry(url)
    assert report.ok, report
    with get_engine(url).connect() as connection:
        assert connection.execute(text(OVERLAPS)).scalar_one() == 0
        assert dict(connection.execute(text(TOTALS)).all()) == issued
    in_retired = sum(
        h.quantity_tco2e for a in ACCOUNTS for h in account_holdings(url, a) if h.state == "retired"
    )
    assert in_retired == sum(retired for retired, _ in outcomes) and report.entries_checked > 50


def test_sixteen_workers_briefly(pg_url: str, tmp_path: Path) -> None:
    hammer(pg_url, tmp_path, 4.0)


@pytest.mark.slow
def test_sixteen_workers_soak(pg_url: str, tmp_path: Path) -> None:
    hammer(pg_url, tmp_path, 45.0)


def test_two_simultaneous_retirements_of_the_same_units_one_succeeds(pg_url: str, tmp_path: Path) -> None:
    build_registry(pg_url, tmp_path)
    for round_ in range(8):
        registry_operations.transfer_units(pg_url, "COOP", "BUYER-A", 100, ACTOR)
        barrier, outcomes = threading.Barrier(2), []

        def retire(
            barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes, n: int = round_
        ) -> None:
            barrier.wait()
            try:
                registry_operations.retire_units(pg_url, "BUYER-A", 100, "b", f"round {n}", ACTOR)
                outcomes.append("retired")
            except RegistryError:
                outcomes.append("refused")

        threads = [threading.Thread(target=retire) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused", "retired"]
    assert sum(h.quantity_tco2e for h in account_holdings(pg_url, "BUYER-A") if h.state == "retired") == 800
    assert verify_registry(pg_url).ok


CRASH = """
import sys, time
from citycarbon.services import registry_operations
original = registry_operations.append_entry
def stall(session, record):
    entry = original(session, record)   # blocks are already rewritten in this transaction
    session.flush()
    print("MID", flush=True)
    time.sleep(600)
    return entry
registry_operations.append_entry = stall
registry_operations.transfer_units(sys.argv[1], "COOP", "BUYER-A", 700, "crash")
"""


def test_a_process_killed_mid_transfer_leaves_the_registry_consistent(db_url: str, tmp_path: Path) -> None:
    """SQLite (the Python path): the process dies after the blocks were rewritten, before commit."""
    build_registry(db_url, tmp_path)
    if db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL transfers run server-side: see the test below")
    process = subprocess.Popen(
        [sys.executable, "-c", CRASH, db_url], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "MID"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    holdings = {h.state: h.quantity_tco2e for h in account_holdings(db_url, "COOP")}
    assert holdings == {"active": 2223} and account_holdings(db_url, "BUYER-A") == []
    assert verify_registry(db_url).ok
    registry_operations.transfer_units(db_url, "COOP", "BUYER-A", 700, ACTOR)
    assert verify_registry(db_url).ok


WAITING = """SELECT pid FROM pg_stat_activity
 WHERE wait_event_type = 'Lock' AND query LIKE '%sink_transfer_units%' AND pid <> pg_backend_pid()"""


def test_a_server_side_transfer_killed_between_steps_leaves_the_registry_consistent(
    pg_url: str, tmp_path: Path
) -> None:
    """PostgreSQL: both the client process and its server backend are killed mid-transfer.

    The blocker holds BUYER-A's account row, so the function has locked COOP's blocks and
    written the move of the first one when its foreign-key check on BUYER-A waits; that is
    where the transfer dies. Nothing of it may remain.
    """
    build_registry(pg_url, tmp_path)
    registry_operations.transfer_units(pg_url, "COOP", "BUYER-A", 100, ACTOR)
    registry_operations.transfer_units(pg_url, "BUYER-A", "COOP", 100, ACTOR)  # COOP: 1–100, 101–2223
    lock_buyer = "SELECT id FROM sink_account WHERE account_code = 'BUYER-A' FOR UPDATE"
    script = "import sys; from citycarbon.services import registry_operations as r; "
    script += "r.transfer_units(sys.argv[1], 'COOP', 'BUYER-A', 700, 'crash')"
    with get_engine(pg_url).connect() as blocker:
        blocker.execute(text(lock_buyer))
        process = subprocess.Popen([sys.executable, "-c", script, pg_url], env=dict(os.environ))
        with get_engine(pg_url).connect() as watcher:
            for _ in range(600):
                pid = watcher.execute(text(WAITING)).scalar()
                watcher.rollback()  # pg_stat_activity is a snapshot per transaction
                if pid is not None:
                    break
                time.sleep(0.05)
            assert pid is not None, "the transfer never reached the account lock"
            wrote = "SELECT count(*) FROM pg_locks WHERE pid = :pid AND mode = 'RowExclusiveLock' "
            wrote += "AND relation = 'sink_unit_block'::regclass"
            assert watcher.execute(text(wrote), {"pid": pid}).scalar() == 1  # it has written a block
            process.send_signal(signal.SIGKILL)
            process.wait()
            watcher.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        blocker.rollback()
    holdings = {h.state: h.quantity_tco2e for h in account_holdings(pg_url, "COOP")}
    assert holdings == {"active": 2223} and account_holdings(pg_url, "BUYER-A") == []
    assert verify_registry(pg_url).ok
    registry_operations.transfer_units(pg_url, "COOP", "BUYER-A", 700, ACTOR)
    assert verify_registry(pg_url).ok
