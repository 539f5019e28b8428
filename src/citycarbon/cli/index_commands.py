"""Synergy-index commands: evaluate a quarter, show rankings and an entity's tree, define parks."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import translator

index_app = typer.Typer(help="Synergy index / 减污降碳协同指数", no_args_is_help=True)
STEPS = {
    "facts": "Loading facts",
    "county": "Evaluating districts",
    "city": "Evaluating cities",
    "park": "Evaluating parks",
    "enterprise": "Evaluating enterprises",
}
QuarterOption = Annotated[str, typer.Option("--quarter", help="2024Q4 or 2024-Q4")]
LevelOption = Annotated[str, typer.Option("--level", help="county, city, park or enterprise")]


@index_app.command("evaluate")
def evaluate_command(
    quarter: QuarterOption,
    definition: Annotated[
        Path | None, typer.Option("--definition", exists=True, dir_okay=False, help="YAML definition")
    ] = None,
    level: Annotated[
        list[str] | None, typer.Option("--level", help="Levels (repeatable); default county, city, park")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Evaluate even when nothing changed")] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Evaluate the index for one quarter and store scores per level (history is kept)."""
    from citycarbon.refdata.indicators import load_definition_file
    from citycarbon.services.indicator_evaluation import DEFAULT_LEVELS, evaluate_quarter

    tr = translator(lang)
    try:
        tree = load_definition_file(definition) if definition else None
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(tr("Starting"), total=None)
            summary = evaluate_quarter(
                database_url(db),
                quarter,
                tree=tree,
                levels=level or DEFAULT_LEVELS,
                force=force,
                progress=lambda step: progress.update(task, description=tr(STEPS[step])),
            )
    except CityCarbonError as error:
        fail(error, lang)
    console = Console()
    console.print(f"{summary.definition} · {summary.period}")
    table = Table()
    for heading in ("Level", "Entities", "Run", "Missing values"):
        table.add_column(tr(heading))
    for item in summary.levels:
        missing = ", ".join(f"{rule} {count}" for rule, count in item.missing_counts.items())
        table.add_row(
            item.level, str(item.entities), tr("unchanged") if item.skipped else str(item.run_id), missing
        )
    console.print(table)


@index_app.command("show")
def show_command(
    quarter: Annotated[str | None, typer.Option("--quarter", help="Default: the latest evaluated")] = None,
    level: LevelOption = "county",
    entity: Annotated[str | None, typer.Option("--entity", help="Region, park or organisation id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Print the ranking of a level, or one entity's scores over the whole tree."""
    from citycarbon.services.indicator_evaluation import check_levels, parse_quarter
    from citycarbon.services.synergy_index import entity_detail, ranking

    tr = translator(lang)
    english = (lang or "").startswith("en")
    try:
        check_levels([level])
        period = "{}-Q{}".format(*parse_quarter(quarter)) if quarter else None
        if entity:
            detail = entity_detail(database_url(db), level, entity, period)
        else:
            board = ranking(database_url(db), level, period)
    except CityCarbonError as error:
        fail(error, lang)
    if entity:
        if as_json:
            typer.echo(json.dumps(asdict(detail), ensure_ascii=False, indent=2))
            return
        table = Table(title=f"{detail.name} · {detail.period}")
        for heading in ("Indicator", "Value", "Unit", "Score", "Rank", "Missing-data rule"):
            table.add_column(tr(heading))
        for node in detail.nodes:
            label = "  " * node.depth + f"{node.node_id} {node.name_en if english else node.name_zh}"
            table.add_row(
                label,
                "" if node.raw_value is None else f"{node.raw_value:.4g}",
                node.unit or "",
                "" if node.score is None else f"{node.score:.1f}",
                "" if node.rank is None else f"{node.rank}/{detail.entity_count}",
                node.missing_rule or "",
            )
        Console().print(table)
        return
    if as_json:
        typer.echo(json.dumps(asdict(board), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{board.definition} · {board.level} · {board.period}")
    table.add_column(tr("Rank"), justify="right")
    table.add_column(tr("Name"))
    table.add_column(tr("Score"), justify="right")
    for code, name_zh, name_en in board.dimensions:
        table.add_column(f"{code} {name_en if english else name_zh}", justify="right")
    for item in board.entities:
        dims = [
            "" if item.dimensions.get(c) is None else f"{item.dimensions[c]:.1f}"
            for c, _, _ in board.dimensions
        ]
        score = "" if item.score is None else f"{item.score:.1f}"
        table.add_row(str(item.rank or ""), f"{item.name} ({item.code})", score, *dims)
    Console().print(table)


@index_app.command("parks")
def parks_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="CSV or XLSX: park_code, park_name, region_code, uscc"
        ),
    ],
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Define industrial parks and their members from a file (one row per member)."""
    from citycarbon.services.parks import import_parks

    tr = translator(lang)
    try:
        summary = import_parks(database_url(db), file)
    except CityCarbonError as error:
        fail(error, lang)
    typer.echo(
        tr("{parks} park(s), {members} member(s) written").format(
            parks=summary.parks, members=summary.members
        )
    )


def register(app: typer.Typer) -> None:
    """Attach the ``index`` command group to ``app``."""
    app.add_typer(index_app, name="index")
