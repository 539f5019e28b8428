"""Benchmark the authenticated carbon-profile lookup of the JSON API.

Target (issue 4): with the demo city loaded and 4 uvicorn workers, a bank's authenticated
profile lookup (``GET /api/v1/green-finance/profiles/{uscc}`` with a live consent) sustains at
least 1,500 requests/s with p99 under 50 ms, load from ``wrk`` on loopback.

Every request does the real work: token lookup, per-token rate limit, consent check, yearly
aggregation of results and production, and an audit-log INSERT (each consented read is on
record). Requests rotate over many bank tokens (as many banks' officers would) and many
consenting enterprises, so neither the rate limit nor a cache of one row flatters the figure.

``wrk`` comes from Debian, installed through ``scripts/lib.sh`` (``ensure_debian_packages``);
without it the script falls back to a bounded asyncio client (httpx), which itself costs CPU
on the same machine and so understates the server.

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
from pathlib import Path

from sqlalchemy import select

from citycarbon.domain.access.roles import Role
from citycarbon.services.demo import load_demo
from citycarbon.services.user_admin import RoleGrant, add_user, issue_token
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import Consent
from citycarbon.store.tables import Organisation

ROOT = Path(__file__).resolve().parents[1]
BANK_USCC = "91331000MA2BANK01P"
LUA = """
local tokens = {%s}
local codes = {%s}
local n = 0
request = function()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1]}
  return wrk.format("GET", "/api/v1/green-finance/profiles/" .. codes[(n %% #codes) + 1], headers)
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
    return secrets, [uscc for _, uscc in enterprises]


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start uvicorn with ``workers`` processes and wait until it answers."""
    env = os.environ | {"CITYCARBON_DATABASE_URL": url, "CITYCARBON_RATE_LIMIT_PER_SECOND": "20"}
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
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    server = subprocess.Popen(command, env=env)
    import httpx

    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
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
) -> tuple[float, float]:
    """Requests/s and p99 [ms] measured by wrk."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (", ".join(f'"{t}"' for t in tokens), ", ".join(f'"{c}"' for c in codes)))
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out:
        print("WARNING: some responses were not 2xx (see above)")
    return rate, p99


async def run_python(
    port: int, tokens: list[str], codes: list[str], seconds: int, connections: int
) -> tuple[float, float]:
    """Requests/s and p99 [ms] from a bounded asyncio client (fallback without wrk)."""
    import httpx

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=httpx.Limits(max_connections=connections)
    ) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(
                    f"/api/v1/green-finance/profiles/{random.choice(codes)}",
                    headers={"Authorization": f"Bearer {random.choice(tokens)}"},
                )
                response.raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(worker() for _ in range(connections)))
    latencies.sort()
    return len(latencies) / seconds, latencies[int(len(latencies) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=3000, help="demo city size")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tokens", type=int, default=100, help="bank officers' tokens to rotate")
    parser.add_argument("--consents", type=int, default=500, help="consenting enterprises to rotate")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="citycarbon-bench-api-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    tokens, codes = prepare(url, args.organisations, args.tokens, args.consents)
    server = serve(url, args.port, args.workers)
    try:
        wrk = ensure_wrk()
        if wrk is not None:
            rate, p99 = run_wrk(wrk, args.port, tokens, codes, args.duration, args.connections)
        else:
            print("wrk not available: using the asyncio client (it competes with the server for CPU)")
            rate, p99 = asyncio.run(run_python(args.port, tokens, codes, args.duration, args.connections))
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    verdict = "met" if rate >= 1500 and p99 < 50 else "NOT met"
    print(
        f"profile lookup: {rate:,.0f} requests/s, p99 {p99:.1f} ms "
        f"({args.workers} workers, {os.cpu_count()} CPUs, {url.split(':')[0]}); "
        f"target >= 1,500/s, p99 < 50 ms: {verdict}"
    )


if __name__ == "__main__":
    main()
