"""The Typer application object and the options every command shares."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from citycarbon.cli.output import report_error
from citycarbon.domain.errors import CityCarbonError, ReferenceDataError
from citycarbon.settings import get_settings

app = typer.Typer(
    help="citycarbon — carbon management service centre platform / 碳管理服务平台",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

Lang = Annotated[str | None, typer.Option("--lang", envvar="CITYCARBON_LOCALE", help="zh_CN (default) or en")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CITYCARBON_DATABASE_URL",
        help="SQLAlchemy URL; default: the embedded SQLite file",
    ),
]


def database_url(value: str | None) -> str:
    """The database URL from the option, the environment, or the embedded default."""
    return value or get_settings().database_url


def fail(error: CityCarbonError, locale: str | None) -> NoReturn:
    """Report ``error`` and exit with the documented code."""
    report_error(error, locale)
    raise typer.Exit(3 if isinstance(error, ReferenceDataError) else 2)
