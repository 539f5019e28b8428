"""Benchmark registry transfers on PostgreSQL: transfers per second and p99 latency.

Target (issue 6): at least 1,000 transfers/s sustained with 8 concurrent clients, each transfer
a full transaction (account look-up, ``SELECT … FOR UPDATE`` of the source blocks, block split
or move, journal entry with its movement lines, commit), as
``citycarbon.services.registry_operations.transfer_units`` runs it — on PostgreSQL one call of
the server-side ``sink_transfer_units`` function in its own transaction. Each client process's
background sealer links the committed entries into the hash chain as they go; the journal is
verified (chain + balances replayed from it) at the end.

Each client is its own process (8 processes, so the GIL does not serialise them), transferring
random small amounts between random accounts of a shared pool, so clients contend for the same
blocks. Besides the rate, the script prints the CPU time spent per transfer by the clients
(their sealer threads included) and by the benchmark database's server backends, so a run on a
busy machine can still be judged: ``cores / (client + server CPU)`` is the rate the work allows.
Run ``python bench/bench_registry.py --help``; ``--seconds 5`` is a quick run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import random
import resource
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("CITYCARBON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(name: str) -> str:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def prepare(url: str, accounts: int) -> list[str]:
    """Issue ~1 million units of one mussel project and spread them over ``accounts`` accounts."""
    from citycarbon.domain.sinks.project import ProjectStatus, ProjectType
    from citycarbon.services import registry_accounts, registry_mrv, registry_operations, registry_projects
    from citycarbon.services.registry_keys import create_key_pair
    from citycarbon.store.db import upgrade_database

    upgrade_database(url)
    codes = [f"ACC-{n:03d}" for n in range(accounts)]
    for code in codes:
        registry_accounts.open_account(url, code, code, "bench")
    spec = registry_projects.ProjectSpec("BENCH-01", "bench", ProjectType.SHELLFISH, "331082", codes[0])
    registry_projects.create_project(url, spec, "bench")
    for status in (ProjectStatus.SUBMITTED, ProjectStatus.REGISTERED):
        registry_projects.change_project_status(url, "BENCH-01", status, "bench")
    period = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    report = registry_mrv.submit_monitoring_report(
        url, "BENCH-01", 2023, period, [("mussel", Decimal(2_500_000))], "bench"
    )
    key = Path(tempfile.mkdtemp()) / "verifier.key"
    create_key_pair(key)
    registry_mrv.verify_report(url, report.report_id, "bench verifier", key, "bench")
    registry_operations.issue_units(url, report.report_id, "bench")
    share = report.issuable_tco2e // accounts
    for code in codes[1:]:
        registry_operations.transfer_units(url, codes[0], code, share, "bench")
    return codes


def backend_cpu_s(database: str) -> float:
    """CPU time [s] used so far by this machine's PostgreSQL backends serving ``database`` (Linux)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if f" {database} ".encode() not in cmdline.read():
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / tick


def client(  # type: ignore[type-arg]
    url: str, codes: list[str], seed: int, start_at: float, seconds: float, queue: mp.Queue, done: Any
) -> None:
    from citycarbon.domain.sinks.errors import RegistryError
    from citycarbon.services.registry_operations import transfer_units
    from citycarbon.store.db import get_engine

    get_engine(url).dispose(close=False)  # never share the parent's pooled connections after fork
    rng = random.Random(seed)
    transfer_units(url, codes[0], codes[0], 1, "warm-up")  # connect and import before the clock starts
    while time.time() < start_at:
        time.sleep(0.001)
    latencies: list[float] = []
    refused = 0
    deadline = start_at + seconds
    used = resource.getrusage(resource.RUSAGE_SELF)
    while (now := time.perf_counter()) and time.time() < deadline:
        source, target = rng.sample(codes, 2)
        try:
            transfer_units(url, source, target, rng.randint(1, 20), f"client-{seed}")
            latencies.append(time.perf_counter() - now)
        except RegistryError:
            refused += 1
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    queue.put((latencies, refused, cpu_s))
    done.wait()  # keep the connections (and their server backends) until the parent has measured them


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--accounts", type=int, default=64)
    parser.add_argument("--database", default="citycarbon_bench_registry")
    args = parser.parse_args()

    url = fresh_database(args.database)
    codes = prepare(url, args.accounts)
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    start_at = time.time() + 3.0
    context = mp.get_context("fork")
    done = context.Event()
    processes = [
        context.Process(target=client, args=(url, codes, n, start_at, args.seconds, queue, done))
        for n in range(args.clients)
    ]
    for process in processes:
        process.start()
    time.sleep(max(0.0, start_at - time.time()))
    server_before = backend_cpu_s(args.database)
    results = [queue.get() for _ in processes]
    server_cpu_s = backend_cpu_s(args.database) - server_before
    done.set()
    for process in processes:
        process.join()
    latencies = sorted(x for lat, _, _ in results for x in lat)
    refused = sum(r for _, r, _ in results)
    client_cpu_s = sum(c for _, _, c in results)
    rate = len(latencies) / args.seconds
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(f"clients: {args.clients}  accounts: {args.accounts}  duration: {args.seconds:.0f} s")
    print(f"transfers: {len(latencies)} committed, {refused} refused (not enough units)")
    print(f"transfers/s: {rate:,.0f}  (target >= 1,000)")
    print(f"latency ms: median {statistics.median(latencies) * 1000:.2f}  p99 {p99:.2f}")
    client_ms, server_ms = 1000 * client_cpu_s / len(latencies), 1000 * server_cpu_s / len(latencies)
    cores = os.cpu_count() or 1
    print(
        f"CPU ms per transfer: clients {client_ms:.2f} (sealing included), server backends {server_ms:.2f}; "
        f"{cores} cores allow ~{1000 * cores / (client_ms + server_ms):,.0f}/s"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows the run)")

    from citycarbon.services.registry_verify import verify_registry

    started = time.perf_counter()
    report = verify_registry(url)
    print(f"verify: ok={report.ok} entries={report.entries_checked} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
