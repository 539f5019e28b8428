"""Benchmark the authenticated carbon-profile lookup of the JSON API.

Target (issue 4): with the demo city loaded and 4 uvicorn workers, a bank's authenticated
profile lookup (``GET /api/v1/green-finance/profiles/{uscc}`` with a live consent) sustains at
least 1,500 requests/s with p99 under 50 ms, load from ``wrk`` on loopback.

Every request does the real work: token lookup (never cached, so a revoked token fails at the
next request), per-token rate limit, consent check (never cached), the profile (yearly totals
and rating, cached per process under the version of the rows they come from), and an audit-log
INSERT that is committed — shared with concurrent requests (group commit) — before the answer
is sent. Requests rotate over many bank tokens (as many banks' officers would) and many
consenting enterprises, so neither the rate limit nor a cache of one row flatters the figure.
After the run the script checks that the audit log holds at least one read per 2xx answer.

The server runs uvicorn with httptools and uvloop, as ``docs/how-to/api.md`` recommends. A short
warm-up run (not counted) first fills each worker's profile cache and connections, so the
figure is the steady state of a running server; ``--warmup 0`` measures from a cold start.
wrk keeps a fixed number of requests in flight and sends as fast as they are answered, so the
script measures several concurrency levels (8, 16, 32 connections by default): at the highest
the two cores are saturated and p99 is mostly queueing. The target is met when some level
sustains ≥ 1,500 requests/s with p99 < 50 ms, no errors, and an audit event for every answer.

``wrk`` comes from Debian, installed through ``scripts/lib.sh`` (``ensure_debian_packages``);
without it the script falls back to a bounded asyncio client on raw sockets, which itself costs
CPU on the same machine and so understates the server.

Run ``python bench/bench_api.py --help``; ``--organisations 300 --duration 5`` is a quick run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from citycarbon.domain.access.roles import Role
from citycarbon.services.demo import load_demo
from citycarbon.services.user_admin import RoleGrant, add_user, issue_token
from citycarbon.store.db import get_engine, unit_of_work
from citycarbon.store.platform_tables import AuditEvent, Consent
from citycarbon.store.tables import Organisation

ROOT = Path(__file__).resolve().parents[1]
BANK_USCC = "91331000MA2BANK01P"
PROFILE_PATH = "/api/v1/green-finance/profiles/"
LUA = """
local tokens = {%s}
local codes = {%s}
local n = 0
request = function()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1]}
  return wrk.format("GET", "%s" .. codes[(n %% #codes) + 1], headers)
end
"""


def prepare(url: str, organisations: int, tokens: int, consents: int) -> tuple[list[str], list[str]]:
    """Load the demo city, register a bank with its officers, and consents of enterprises."""
    started = time.perf_counter()
    load_demo(url, organisations=organisations, years=(2023, 2024))
    print(f"demo city: {organisations} organisations loaded in {time.perf_counter() - started:.0f} s")
    until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    with unit_of_work(url) as session:
        bank = Organisation(
            uscc=BANK_USCC, name="台州示例银行", kind="bank", industry_code="J66", region_code="331000"
        )
        session.add(bank)
        session.flush()
        officers = [
            add_user(
                session,
                username=f"officer{i}",
                password="x" * 12,
                display_name=f"officer {i}",
                organisation_id=bank.id,
                roles=[RoleGrant(Role.BANK)],
            )
            for i in range(tokens)
        ]
        secrets = [issue_token(session, officer.id, "bench", 1).secret for officer in officers]
        enterprises = session.execute(
            select(Organisation.id, Organisation.uscc)
            .where(Organisation.kind == "enterprise")
            .limit(consents)
        ).all()
        session.add_all(
            Consent(
                organisation_id=org_id,
                bank_organisation_id=bank.id,
                purpose="bench",
                valid_until_date=until,
                granted_by_user_id=officers[0].id,
            )
            for org_id, _ in enterprises
        )
    get_engine(url).dispose()  # the server's workers open their own connections
    return secrets, [uscc for _, uscc in enterprises]


def serve(url: str, port: int, workers: int, rate_limit: float) -> subprocess.Popen[bytes]:
    """Start uvicorn with ``workers`` processes and wait until it answers."""
    env = os.environ | {
        "CITYCARBON_DATABASE_URL": url,
        "CITYCARBON_RATE_LIMIT_PER_SECOND": str(rate_limit),
        "CITYCARBON_IMPORT_WORKER_ENABLED": "false",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "citycarbon.api.app:create_app",
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("server did not start")


def ensure_wrk() -> str | None:
    """Path of ``wrk``, installing the Debian package through the project's script helper."""
    if shutil.which("wrk") is None:
        subprocess.run(
            ["bash", "-c", "source scripts/lib.sh && ensure_debian_packages wrk"], cwd=ROOT, check=False
        )
    return shutil.which("wrk")


def run_wrk(
    wrk: str, port: int, tokens: list[str], codes: list[str], seconds: int, connections: int
) -> tuple[float, float, float, int, int]:
    """Requests/s, p50 and p99 [ms], 2xx answers and other answers, measured by wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted_tokens = ", ".join(f'"{t}"' for t in tokens)
        script.write(LUA % (quoted_tokens, ", ".join(f'"{c}"' for c in codes), PROFILE_PATH))
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True
    ).stdout
    os.unlink(script.name)
    print(out)
    rate = float(_find(r"Requests/sec:\s+([\d.]+)", out)[0])
    p50, p99 = (_milliseconds(*_find(rf"{q}%\s+([\d.]+)(us|ms|s)\b", out)) for q in (50, 99))
    total = int(_find(r"(\d+) requests in", out)[0])
    non_2xx = int(_find(r"Non-2xx or 3xx responses: (\d+)", out)[0]) if "Non-2xx" in out else 0
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return rate, p50, p99, total - non_2xx - errors, non_2xx + errors


def _find(pattern: str, text: str) -> tuple[str, ...]:
    found = re.search(pattern, text)
    if found is None:
        raise SystemExit(f"wrk output has no {pattern!r}")
    return found.groups()


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def run_python(
    port: int, tokens: list[str], codes: list[str], seconds: int, connections: int
) -> tuple[float, float, float, int, int]:
    """Like :func:`run_wrk`, from ``connections`` keep-alive connections of an asyncio client."""
    latencies: list[float] = []
    failed = 0
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            request = (
                f"GET {PROFILE_PATH}{random.choice(codes)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {random.choice(tokens)}\r\n\r\n"
            )
            start = time.perf_counter()
            writer.write(request.encode())
            status_line = await reader.readuntil(b"\r\n")
            headers = await reader.readuntil(b"\r\n\r\n")
            length = int(_find(r"(?i)content-length: (\d+)", headers.decode("latin-1"))[0])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            failed += not status_line.split()[1].startswith(b"2")
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    return len(latencies) / seconds, p50, p99, len(latencies) - failed, failed


def audited_reads(url: str) -> int:
    """Profile reads recorded in the audit log."""
    with unit_of_work(url) as session:
        count = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "read")
        ).scalar()
    return int(count or 0)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far [s] (Linux /proc)."""
    total, ticks = 0, os.sysconf("SC_CLK_TCK")
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for process in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--organisations", type=int, default=3000, help="demo city size")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=15, help="seconds of measured load per level")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    parser.add_argument(
        "--connections", default="8,16,32", help="concurrency levels to measure, comma-separated"
    )
    parser.add_argument("--tokens", type=int, default=100, help="bank officers' tokens to rotate")
    parser.add_argument("--consents", type=int, default=500, help="consenting enterprises to rotate")
    parser.add_argument("--rate-limit", type=float, default=20.0, help="per token and worker [1/s]")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    levels = [int(level) for level in args.connections.split(",")]
    folder = tempfile.mkdtemp(prefix="citycarbon-bench-api-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    tokens, codes = prepare(url, args.organisations, args.tokens, args.consents)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    server = serve(url, args.port, args.workers, args.rate_limit)
    results = []
    try:
        wrk = ensure_wrk()
        if wrk is None:
            print("wrk not available: using the asyncio client (it competes with the server for CPU)")

        def run(seconds: int, connections: int) -> tuple[float, float, float, int, int]:
            if wrk is not None:
                return run_wrk(wrk, args.port, tokens, codes, seconds, connections)
            return asyncio.run(run_python(args.port, tokens, codes, seconds, connections))

        if args.warmup:
            print(f"warm-up: {args.warmup} s (not counted)")
            run(args.warmup, max(levels))
        for connections in levels:
            before_reads, before_cpu = audited_reads(url), cpu_seconds(server.pid)
            rate, p50, p99, ok, failed = run(args.duration, connections)
            cpu_us = (cpu_seconds(server.pid) - before_cpu) / max(ok + failed, 1) * 1e6
            results.append(
                (connections, rate, p50, p99, ok, failed, cpu_us, audited_reads(url) - before_reads)
            )
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"profile lookup, {args.workers} workers, {os.cpu_count()} CPUs, {url.split(':')[0]}, "
        f"load average before the run {load}:"
    )
    print("connections  requests/s  p50 ms  p99 ms      2xx  non-2xx  server CPU/request  audited reads")
    met = []
    for connections, rate, p50, p99, ok, failed, cpu_us, reads in results:
        missing = "" if reads >= ok else "  <-- MISSING AUDIT EVENTS"
        print(
            f"{connections:11d}  {rate:10,.0f}  {p50:6.1f}  {p99:6.1f}  {ok:7,d}  {failed:7,d}  "
            f"{cpu_us:15,.0f} us  {reads:13,d}{missing}"
        )
        if rate >= 1500 and p99 < 50 and failed == 0 and reads >= ok:
            met.append(connections)
    verdict = f"met at {', '.join(map(str, met))} connections" if met else "NOT met"
    print(f"target >= 1,500 requests/s with p99 < 50 ms, no errors, every answer audited: {verdict}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
