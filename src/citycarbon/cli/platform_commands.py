"""Platform commands: database migration, demo city, web server, import templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import translator
from citycarbon.ingest.templates import template_bytes
from citycarbon.settings import get_settings
from citycarbon.store.db import upgrade_database

STEPS = {
    "generate": "Generating the demo city",
    "organisations": "Importing organisations",
    "production": "Importing production data",
    "activity": "Importing activity data",
    "calculate": "Calculating emissions",
    "rate": "Rating carbon efficiency",
    "monitoring": "Loading monitoring data and running the warning rules",
    "cases": "Opening rectification cases",
    "index": "Evaluating the synergy index",
}


def db_upgrade_command(db: DatabaseUrl = None) -> None:
    """Create or migrate the database schema to the newest version."""
    url = database_url(db)
    upgrade_database(url)
    typer.echo(f"schema up to date: {url.split('@')[-1]}")


def demo_command(
    organisations: Annotated[int, typer.Option(help="Number of organisations")] = 3000,
    year: Annotated[list[int] | None, typer.Option("--year", help="Data years (default 2022–2024)")] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Only load into a database without organisations")
    ] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Load a realistic synthetic city (Taizhou districts and industries, monthly data)."""
    from citycarbon.services.demo import database_is_empty, load_demo

    url, tr = database_url(db), translator(lang)
    if if_empty and not database_is_empty(url):
        typer.echo(tr("Demo city already loaded; skipped"))
        _print_demo_accounts(url, tr)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task(tr("Starting"), total=None)
            summary = load_demo(
                url,
                organisations=organisations,
                years=tuple(year or (2022, 2023, 2024)),
                progress=lambda step: progress.update(task, description=tr(STEPS[step])),
            )
            progress.update(task, description=tr("Done"))
    except CityCarbonError as error:
        fail(error, lang)
    Console().print(
        tr(
            "Demo city: {orgs} organisations, {rows} activity rows, {results} results, {total:,.0f} tCO2e"
        ).format(
            orgs=summary.organisations,
            rows=summary.activity_rows,
            results=summary.results,
            total=summary.total_tco2e,
        )
    )
    Console().print(
        tr("Supervision: {warnings} warnings, {cases} rectification cases, {runs} synergy-index runs").format(
            warnings=summary.warnings, cases=summary.cases, runs=summary.index_runs
        )
    )
    _print_demo_accounts(url, tr)


def _print_demo_accounts(url: str, tr: Callable[[str], str]) -> None:
    """Rate the demo city if needed and print one sign-in per role, so a newcomer can log in."""
    from citycarbon.services.demo_users import ensure_demo_users
    from citycarbon.services.rating import rate_if_needed

    rate_if_needed(url)
    console = Console()
    console.print(tr("Demo accounts (user / password / role):"))
    for username, password, role in ensure_demo_users(url):
        console.print(f"  {username} / {password} / {role}")


def serve_command(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    db: DatabaseUrl = None,
) -> None:
    """Migrate the database and run the web server."""
    import os

    import uvicorn

    from citycarbon.services.startup import prepare_platform

    settings = get_settings()
    url = database_url(db)
    try:
        report = prepare_platform(url)
    except CityCarbonError as error:
        fail(error, None)
    if report.recalculated is not None:
        run = report.recalculated
        typer.echo(f"factor sets changed: recalculated {run.results} results (run {run.run_id})")
    os.environ["CITYCARBON_DATABASE_URL"] = url
    uvicorn.run(
        "citycarbon.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
    )


def template_command(
    kind: Annotated[str, typer.Argument(help="activity, organisation or production")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write (.csv or .xlsx)")],
    lang: Lang = None,
) -> None:
    """Write an import template with headers in the chosen language and example rows."""
    fmt = output.suffix.lower().lstrip(".")
    if kind not in ("activity", "organisation", "production") or fmt not in ("csv", "xlsx"):
        typer.echo(
            "kind must be activity, organisation or production; output must end in .csv or .xlsx", err=True
        )
        raise typer.Exit(2)
    output.write_bytes(template_bytes(kind, lang or "zh_CN", fmt))  # type: ignore[arg-type]
    typer.echo(str(output))


def register(app: typer.Typer) -> None:
    """Attach the platform commands to ``app``."""
    db_app = typer.Typer(help="Database schema", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade_command)
    app.add_typer(db_app, name="db")
    app.command("demo")(demo_command)
    app.command("serve")(serve_command)
    app.command("template")(template_command)
