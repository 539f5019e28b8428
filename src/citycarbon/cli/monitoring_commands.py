"""Monitoring and warning commands: import monitoring files, listen to MQTT, find gaps, run warnings."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import translator

monitoring_app = typer.Typer(help="Pollutant monitoring / 污染物在线监测", no_args_is_help=True)
warnings_app = typer.Typer(help="Supervision warnings / 监管预警", no_args_is_help=True)

STEPS = {
    "gaps": "Detecting data gaps",
    "export": "Reading data",
    "evaluate": "Evaluating warning rules",
    "store": "Storing warnings",
}
KindOption = Annotated[str, typer.Option("--kind", help="outlets, readings or grid_meter")]


@monitoring_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 or GB18030) or XLSX")],
    kind: KindOption,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Import outlets, readings or grid-company meter data; nothing is written if any row is wrong."""
    from citycarbon.services.monitoring_import import BATCH_KINDS, import_monitoring_file

    tr = translator(lang)
    if kind not in BATCH_KINDS:
        fail(
            CityCarbonError("Unknown import kind '{kind}'; use outlets, readings or grid_meter", kind=kind),
            lang,
        )
    try:
        summary = import_monitoring_file(database_url(db), file, file_name=file.name, kind=kind)
    except CityCarbonError as error:
        fail(error, lang)
    console = Console()
    if summary.already_imported:
        console.print(tr("This file was imported before; nothing was written"))
        return
    message = tr("{file}: {rows} rows, {written} written, {skipped} skipped, {revised} revised")
    console.print(
        message.format(
            file=summary.file_name,
            rows=summary.rows,
            written=summary.written,
            skipped=summary.skipped,
            revised=summary.revised,
        )
    )


@monitoring_app.command("listen")
def listen_command(
    host: Annotated[str, typer.Option(help="MQTT broker host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port")] = 1883,
    topic: Annotated[str, typer.Option(help="Subscription (QoS 1)")] = "citycarbon/monitoring/readings/#",
    batch_size: Annotated[int, typer.Option(help="Readings per committed batch")] = 200,
    seconds: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Store live readings from MQTT until interrupted; malformed messages are logged and dropped."""
    from citycarbon.services.mqtt_consumer import ConsumerStats, MonitoringConsumer

    tr = translator(lang)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    consumer = MonitoringConsumer(database_url(db), host=host, port=port, topic=topic, batch_size=batch_size)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console = Console()

    def report(stats: ConsumerStats) -> None:
        console.print(
            tr("received {received}, stored {stored}, duplicates {duplicates}, dropped {dropped}").format(
                received=stats.received,
                stored=stats.stored,
                duplicates=stats.duplicates,
                dropped=stats.malformed + stats.unknown,
            )
        )

    try:
        stats = consumer.run(stop=stop, seconds=seconds, on_batch=report)
    except KeyboardInterrupt:
        stats = consumer.stats
    except (OSError, TimeoutError) as error:
        fail(
            CityCarbonError(
                "Cannot reach the MQTT broker at {address}: {error}",
                address=f"{host}:{port}",
                error=str(error),
            ),
            lang,
        )
    report(stats)


@monitoring_app.command("gaps")
def gaps_command(
    period: Annotated[str, typer.Option("--period", help="2024, 2024-Q1 or 2024-07")],
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Detect data gaps (断传) of every outlet in a period and store them."""
    from citycarbon.services.monitoring import refresh_gaps
    from citycarbon.services.warnings_inputs import window_of

    tr = translator(lang)
    try:
        window = window_of(period)
        count = refresh_gaps(database_url(db), window.start_at, window.end_at)
    except CityCarbonError as error:
        fail(error, lang)
    Console().print(tr("{count} data gap(s) in {period}").format(count=count, period=window.period.code))


@warnings_app.command("run")
def run_command(
    period: Annotated[str | None, typer.Option("--period", help="2024, 2024-Q4 or 2024-12")] = None,
    every: Annotated[
        float | None, typer.Option("--every", min=1, help="Run again every so many seconds (as a service)")
    ] = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Run every warning rule for a period (default: the quarter of the newest reading)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while True:
        _run_once(period, db, lang)
        if every is None or stop.wait(every):
            return


def _run_once(period: str | None, db: str | None, lang: str | None) -> None:
    from citycarbon.services.warnings import run_warnings

    tr = translator(lang)
    try:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(tr("Starting"), total=None)
            summary = run_warnings(
                database_url(db),
                period,
                progress=lambda step: progress.update(task, description=tr(STEPS[step])),
            )
    except CityCarbonError as error:
        fail(error, lang)
    console = Console()
    if summary.period_code is None:
        console.print(tr("No monitoring or ledger data to evaluate"))
        return
    table = Table(
        title=tr("Warnings for {period} ({rule_set})").format(
            period=summary.period_code, rule_set=summary.rule_set
        )
    )
    table.add_column(tr("Rule"))
    table.add_column(tr("Warnings"), justify="right")
    for rule, count in summary.found_by_rule.items():
        table.add_row(rule, str(count))
    console.print(table)
    console.print(
        tr("{count} new warning(s); {cases} case(s) opened").format(
            count=summary.new_count, cases=summary.cases_opened
        )
    )


def register(app: typer.Typer) -> None:
    """Attach the monitoring and warning commands to ``app``."""
    app.add_typer(monitoring_app, name="monitoring")
    app.add_typer(warnings_app, name="warnings")
