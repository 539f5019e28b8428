"""Account commands: create the first administrator and issue API tokens from the shell.

Nobody can sign in before an administrator exists, so the first one is created here by the
operator, who already has access to the database; every later account is created through the
API by an administrator.
"""

from __future__ import annotations

from typing import Annotated

import typer

from citycarbon.cli.app import DatabaseUrl, Lang, database_url, fail
from citycarbon.domain.access.roles import Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.services.user_admin import RoleGrant, add_user, create_token_for
from citycarbon.settings import get_settings
from citycarbon.store.db import unit_of_work, upgrade_database

Password = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="CITYCARBON_ADMIN_PASSWORD",
        help="At least 12 characters (prompted when not given)",
    ),
]


def create_admin_command(
    username: Annotated[str, typer.Option(help="Login name of the administrator")],
    password: Password,
    display_name: Annotated[str, typer.Option(help="Name shown in the audit log")] = "Administrator",
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Create an administrator account (the first one cannot be created any other way)."""
    if len(password) < 12:
        typer.echo("the password needs at least 12 characters", err=True)
        raise typer.Exit(2)
    url = database_url(db)
    upgrade_database(url)
    try:
        with unit_of_work(url) as session:
            user = add_user(
                session,
                username=username,
                password=password,
                display_name=display_name,
                organisation_id=None,
                roles=[RoleGrant(Role.ADMIN)],
            )
            user_id = user.id
    except CityCarbonError as error:
        fail(error, lang)
    typer.echo(f"administrator {username} created (user id {user_id})")


def create_token_command(
    username: Annotated[str, typer.Option(help="Account the token acts as")],
    name: Annotated[str, typer.Option(help="Label to recognise the token by")] = "cli",
    days: Annotated[int | None, typer.Option(help="Lifetime in days (default: settings, 90)")] = None,
    db: DatabaseUrl = None,
    lang: Lang = None,
) -> None:
    """Issue an API token for an account and print it (it is shown only once)."""
    try:
        issued = create_token_for(database_url(db), username, name, days or get_settings().token_days)
    except CityCarbonError as error:
        fail(error, lang)
    typer.echo(issued.secret)


def register(app: typer.Typer) -> None:
    """Attach ``citycarbon user create-admin`` and ``citycarbon token create`` to ``app``."""
    user_app = typer.Typer(help="User accounts", no_args_is_help=True)
    user_app.command("create-admin")(create_admin_command)
    app.add_typer(user_app, name="user")
    token_app = typer.Typer(help="API tokens", no_args_is_help=True)
    token_app.command("create")(create_token_command)
    app.add_typer(token_app, name="token")
