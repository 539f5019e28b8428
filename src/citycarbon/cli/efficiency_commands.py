"""Carbon-efficiency commands: rate a period, show watch-lists and rankings, issue and verify cards."""

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
from citycarbon.domain.efficiency.reasons import describe_reason
from citycarbon.domain.efficiency.settings import BenchmarkSettings
from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import translator

STEPS = {"load": "Loading emissions and production", "rate": "Rating", "store": "Storing results"}
PeriodOption = Annotated[str, typer.Option("--period", help="2024, 2024-Q1 or 2024-07")]
SchemeOption = Annotated[
    str | None, typer.Option("--scheme", help="Grading scheme: huzhou (default), quzhou")
]
MSG_RANKING_INDUSTRY = "Ranking by K in industry {code}, {period} ({scheme})"
MSG_RANKING_COUNTY = "Ranking by K in county {code}, {period} ({scheme})"
RANKING_TITLES = {"industry": MSG_RANKING_INDUSTRY, "county": MSG_RANKING_COUNTY}
card_app = typer.Typer(help="Carbon-efficiency cards / 碳效码证书", no_args_is_help=True)


def rate_command(
    period: PeriodOption,
    scheme: SchemeOption = None,
    level: Annotated[str, typer.Option(help="Benchmark level first tried: class, group, division")] = "class",
    min_peers: Annotated[int, typer.Option(help="Minimum peers for a benchmark")] = 5,
    method: Annotated[
        str, typer.Option(help="total_ratio, emissions_weighted_mean or median")
    ] = "total_ratio",
    benchmarks: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Official benchmark CSV")
    ] = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Rate every enterprise of the region for a period and print the grade distribution."""
    from citycarbon.services.rating import RatingOptions, load_official_benchmarks, rate

    tr = translator(lang)
    try:
        settings = BenchmarkSettings.model_validate(
            {"level": level, "min_peers": min_peers, "method": method}
        )
        options = RatingOptions.default(scheme)
        options = RatingOptions(
            scheme=options.scheme,
            benchmark=settings,
            rules=options.rules,
            official_benchmarks=load_official_benchmarks(benchmarks) if benchmarks else None,
        )
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task(tr("Starting"), total=None)
            summary = rate(
                database_url(db),
                period,
                options,
                progress=lambda step: progress.update(task, description=tr(STEPS[step])),
            )
    except (CityCarbonError, ValueError) as error:
        fail(error if isinstance(error, CityCarbonError) else CityCarbonError(str(error)), lang)
    console = Console()
    header = tr("Rated {rated} of {total} organisations for {period} with {scheme}")
    console.print(
        header.format(
            rated=summary.rated, total=summary.organisations, period=summary.period, scheme=summary.scheme
        )
    )
    console.print(_count_table(tr("Grade distribution"), tr("Grade"), summary.grades, summary.rated))
    if summary.not_rated:
        reasons = {tr(describe_reason(code)): count for code, count in summary.not_rated.items()}
        console.print(_count_table(tr("Not rated"), tr("Reason"), reasons, summary.organisations))
    if summary.watchlist:
        console.print(_count_table(tr("Watch-lists"), tr("Rule"), summary.watchlist, summary.organisations))


def _count_table(title: str, heading: str, counts: dict[str, int], total: int) -> Table:
    table = Table(title=title)
    table.add_column(heading)
    table.add_column("n", justify="right")
    table.add_column("%", justify="right")
    for key, count in counts.items():
        table.add_row(key, str(count), f"{100 * count / total:.1f}" if total else "—")
    return table


def watchlist_command(
    period: PeriodOption,
    scheme: SchemeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """List the watch-list entries of a rated period, with the rule and movement of each."""
    from citycarbon.services.rating import read_watchlist

    tr = translator(lang)
    try:
        entries = read_watchlist(database_url(db), period, scheme)
    except CityCarbonError as error:
        fail(error, lang)
    if as_json:
        typer.echo(json.dumps(entries.to_dicts(), ensure_ascii=False, indent=2))
        return
    table = Table(title=tr("Watch-list for {period}").format(period=period))
    for heading in (
        "Credit code",
        "Name",
        "Rule",
        "Movement",
        "Energy (tce)",
        "Grade",
        "Output per mu (10^4 CNY)",
    ):
        table.add_column(tr(heading))
    for row in entries.iter_rows(named=True):
        per_mu = row["output_per_mu_10k_cny"]
        table.add_row(
            row["uscc"],
            row["name"],
            row["rule_code"],
            tr(row["movement"] or "unknown"),
            f"{row['energy_tce']:,.1f}" if row["energy_tce"] is not None else "",
            str(row["grade"] or ""),
            f"{per_mu:,.2f}" if per_mu is not None else "",
        )
    Console().print(table)


def ranking_command(
    period: PeriodOption,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Benchmark industry code (GB/T 4754), e.g. C3411")
    ] = None,
    county: Annotated[
        str | None, typer.Option("--county", help="County code (GB/T 2260), e.g. 331002")
    ] = None,
    scheme: SchemeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Rank the firms of one industry or one county by K (1 = lowest K); unrated firms last."""
    from citycarbon.services.efficiency_rankings import ranking

    tr = translator(lang)
    try:
        found = ranking(database_url(db), period, industry=industry, county=county, scheme=scheme)
    except CityCarbonError as error:
        fail(error, lang)
    if as_json:
        document = {k: v for k, v in asdict(found).items() if k != "rows"}
        document |= {"ranked_count": found.ranked_count, "rows": [asdict(row) for row in found.rows]}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    title = tr(RANKING_TITLES[found.dimension])
    table = Table(title=title.format(code=found.code, period=found.period, scheme=found.scheme))
    table.add_column(tr("Rank"), justify="right")
    table.add_column(tr("Credit code"))
    table.add_column(tr("Name"))
    table.add_column(tr("K"), justify="right")
    table.add_column(tr("Grade"))
    for row in found.rows:
        table.add_row(
            str(row.rank) if row.rank is not None else "—",
            row.uscc,
            row.name,
            f"{row.k_industry:.4f}" if row.k_industry is not None else "—",
            row.grade_code or "—",
        )
    Console().print(table)


@card_app.command("issue")
def card_issue_command(
    uscc: Annotated[str, typer.Argument(help="Unified social credit code")],
    period: PeriodOption,
    output: Annotated[Path, typer.Option("--output", "-o", dir_okay=False, help="PDF file to write")],
    scheme: SchemeOption = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Write the signed carbon-efficiency card of an enterprise as a PDF."""
    from citycarbon.services.certificate import issue_card

    try:
        card = issue_card(database_url(db), uscc, period, scheme)
    except CityCarbonError as error:
        fail(error, lang)
    output.write_bytes(card.pdf)
    typer.echo(f"{output}: {card.claims.uscc} {card.claims.period} {card.claims.scheme} {card.claims.grade}")
    typer.echo(card.payload)


@card_app.command("verify")
def card_verify_command(
    card: Annotated[str, typer.Argument(help="Card PDF file, or the payload text from its QR code")],
    public_key: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Public key PEM (default: the platform's)"),
    ] = None,
    lang: Lang = None,
) -> None:
    """Check a card's signature offline; exit 0 when genuine, 2 when forged or altered."""
    from citycarbon.services.certificate import load_public_key, verify_card

    tr = translator(lang)
    try:
        claims = verify_card(card, load_public_key(public_key))
    except CityCarbonError as error:
        fail(error, lang)
    typer.echo(tr("Genuine card"))
    typer.echo(json.dumps(claims.model_dump(), ensure_ascii=False, indent=2))


@card_app.command("public-key")
def card_public_key_command() -> None:
    """Print the platform's public key (PEM) for offline verification by others."""
    from citycarbon.services.certificate import load_public_key, public_key_pem

    typer.echo(public_key_pem(load_public_key()).decode().strip())


def register(app: typer.Typer) -> None:
    """Attach the carbon-efficiency commands to ``app``."""
    app.command("rate")(rate_command)
    app.command("watchlist")(watchlist_command)
    app.command("ranking")(ranking_command)
    app.add_typer(card_app, name="card")
