"""Ledger commands: account files, import, recalculate, report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.cli.tables import totals_table
from citycarbon.domain.errors import CityCarbonError
from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.i18n import translator
from citycarbon.refdata.factor_book import DEFAULT_FUEL_SET
from citycarbon.services.accounting import account_files, result_documents
from citycarbon.services.importing import describe, import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.reporting import build_report, report_xlsx
from citycarbon.store.db import upgrade_database

Grid = Annotated[str, typer.Option(help="Electricity grid: national, east_china, zhejiang, national_ets …")]
Gwp = Annotated[str, typer.Option(help="GWP set for CH4/N2O: AR5 or AR6")]
NonCo2 = Annotated[bool, typer.Option("--non-co2", help="Also count CH4 and N2O from combustion")]
IMPORT_STEPS = {"read": "Reading", "validate": "Validating and writing"}
FuelSet = Annotated[str, typer.Option(help="Fuel parameter set: fuel_cn_gbt32151 (default) or fuel_cn_alt")]


def options_from(grid: str, gwp: str, non_co2: bool, fuel_set: str) -> AccountingOptions:
    """Validate the accounting options given on the command line."""
    metric = {"AR5": "AR5GWP100", "AR6": "AR6GWP100"}.get(gwp.upper().replace("GWP100", ""))
    if metric is None:
        typer.echo(f"--gwp must be AR5 or AR6, not {gwp}", err=True)
        raise typer.Exit(2)
    return AccountingOptions(grid_code=grid, gwp_metric=metric, include_non_co2=non_co2, fuel_set=fuel_set)  # type: ignore[arg-type]


def account_command(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX activity files")
    ],
    grid: Grid = "national",
    gwp: Gwp = "AR5",
    non_co2: NonCo2 = False,
    fuel_set: FuelSet = DEFAULT_FUEL_SET,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    lang: Lang = None,
) -> None:
    """Compute Scope 1/2 emissions and energy use from activity files, without a database."""
    options = options_from(grid, gwp, non_co2, fuel_set)
    try:
        documents = result_documents(account_files(files, options), options)
    except CityCarbonError as error:
        fail(error, lang)
    if as_json:
        json.dump(documents, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        totals_table(documents, lang)


def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file")],
    kind: Annotated[
        str | None, typer.Option(help="activity, organisation or production (guessed from headers)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and show what would be written")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Correct stored values (old ones kept as history)")
    ] = False,
    grid: Grid = "national",
    gwp: Gwp = "AR5",
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Import a file into the database: all rows or none, and the same file only once."""
    url = database_url(db)
    tr = translator(lang)
    try:
        upgrade_database(url)
        with Console(stderr=True).status(tr("Reading")) as status:
            summary = import_file(
                url,
                file,
                file_name=file.name,
                kind=kind,
                dry_run=dry_run,
                replace=replace,
                progress=lambda step: status.update(tr(IMPORT_STEPS[step])),
            )
            status.update(tr("Calculating emissions"))
            if summary.affected and not dry_run:
                recalculate(
                    url,
                    options_from(grid, gwp, False, DEFAULT_FUEL_SET),
                    pairs=summary.affected,
                    trigger="import",
                )
    except CityCarbonError as error:
        fail(error, lang)
    console = Console()
    if summary.already_imported:
        console.print(
            tr("This file was imported before (batch {batch}); nothing was added").format(
                batch=summary.batch_id
            )
        )
    prefix = tr("Dry run: would write") if dry_run else tr("Written")
    console.print(
        f"{prefix}: {summary.written}  {tr('Skipped (already stored)')}: {summary.skipped}  "
        f"{tr('Replaced')}: {summary.replaced}  ({summary.kind}, {summary.encoding})"
    )
    console.print_json(json.dumps(describe(summary), ensure_ascii=False))


def recalculate_command(
    year: Annotated[list[int] | None, typer.Option("--year", help="Only these data years")] = None,
    grid: Grid = "national",
    gwp: Gwp = "AR5",
    non_co2: NonCo2 = False,
    fuel_set: FuelSet = DEFAULT_FUEL_SET,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Recalculate stored results with the current factor sets; old results are kept as history."""
    url = database_url(db)
    try:
        upgrade_database(url)
        summary = recalculate(url, options_from(grid, gwp, non_co2, fuel_set), years=year)
    except CityCarbonError as error:
        fail(error, lang)
    tr = translator(lang)
    Console().print(
        tr("Run {run}: {results} results, {lines} lines, {total:,.1f} tCO2e").format(
            run=summary.run_id, results=summary.results, lines=summary.lines, total=summary.total_tco2e
        )
    )


def report_command(
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    year: Annotated[int | None, typer.Option(help="Data year")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or xlsx")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (xlsx default: <uscc>-<year>.xlsx)")
    ] = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Print or save an organisation's carbon report with the lineage of every figure."""
    if fmt not in ("json", "xlsx"):
        typer.echo("--format must be json or xlsx", err=True)
        raise typer.Exit(2)
    try:
        report = build_report(database_url(db), uscc, year)
    except CityCarbonError as error:
        fail(error, lang)
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
        if output:
            output.write_text(text, "utf-8")
        else:
            sys.stdout.write(text + "\n")
        return
    target = output or Path(f"{report['organisation']['uscc']}-{year or 'all'}.xlsx")
    target.write_bytes(report_xlsx(report, lang))
    typer.echo(str(target))


def register(app: typer.Typer) -> None:
    """Attach the ledger commands to ``app``."""
    app.command("account")(account_command)
    app.command("import")(import_command)
    app.command("recalculate")(recalculate_command)
    app.command("report")(report_command)
