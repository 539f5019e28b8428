"""Regenerate the screenshots of the main pages, in Chinese and English, into ``docs/screenshots/``.

Run ``.venv/bin/python scripts/screenshots.py`` (needs Debian ``chromium``, which ``scripts/test``
installs, and the ``dev`` extra for Playwright). It builds a throw-away demo city, serves it with
uvicorn on a free port, signs in with the demo accounts and photographs each page, so the pictures
always show the current templates and never touch your own database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from citycarbon.services.demo import load_demo
from citycarbon.services.demo_users import DEMO_PASSWORD, ensure_demo_users
from citycarbon.services.rating import rate_if_needed

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
#: (file stem, account, path): the pages the README shows.
SHOTS = (
    ("login", None, "/login"),
    ("dashboard", "demo-analyst", "/dashboard"),
    ("enterprise", "demo-enterprise", "/"),
    ("upload", "demo-enterprise", "/upload"),
    ("bank", "demo-bank", "/bank"),
    ("verifier", "demo-verifier", "/organisations"),
    ("warnings", "demo-analyst", "/warnings"),
    ("cases", "demo-analyst", "/cases"),
    ("case-metrics", "demo-analyst", "/cases/metrics"),
    ("synergy", "demo-analyst", "/synergy"),
)
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn on ``url``'s database and wait until it answers."""
    port = _free_port()
    env = os.environ | {"CITYCARBON_DATABASE_URL": url, "CITYCARBON_RATE_LIMIT_BURST": "1000"}
    command = [sys.executable, "-m", "uvicorn", "citycarbon.api.app:create_app", "--factory"]
    server = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/health", timeout=1).close()
            return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the web server did not start")


def _shoot(page: Page, account: str | None, path: str, target: Path, lang: str) -> None:
    page.context.clear_cookies()
    if account is not None:
        page.goto("/login")
        page.fill("#username", account)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#login")
    page.goto(f"{path}?lang={lang}")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(target), full_page=True)


def main() -> None:
    """Build the demo city, serve it, and write ``<page>-<lang>.png`` plus a phone view."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        load_demo(url, organisations=120, years=(2023, 2024))
        rate_if_needed(url)
        ensure_demo_users(url)
        server, base = _serve(url)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for size, suffix in ((LAPTOP, ""), (PHONE, "-phone")):
                    page = browser.new_context(base_url=base, viewport=size).new_page()  # type: ignore[arg-type]
                    for stem, account, path in SHOTS if not suffix else SHOTS[1:3]:
                        for lang in ("zh_CN", "en") if not suffix else ("zh_CN",):
                            target = OUT / f"{stem}-{lang.split('_')[0]}{suffix}.png"
                            _shoot(page, account, path, target, lang)
                            print(target.relative_to(OUT.parents[1]))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
