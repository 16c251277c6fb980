from __future__ import annotations

import sys

import click

from mentiondesk.settings import get_settings
from storage.db import open_database, transaction


@click.group(name="user")
def command() -> None:
    """Desk accounts: admins manage users, managers act on the queue, analysts read."""


@command.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "manager", "analyst"]), default="manager", show_default=True)
@click.option("--password", default=None, help="Prompted for when omitted; generated and printed with no terminal.")
def add(name: str, role: str, password: str | None) -> None:
    """Add an account."""
    from mentiondesk.web.auth import generate_password
    from mentiondesk.web.users import add_user

    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = generate_password(), True
    engine = open_database(get_settings().database_url)
    with transaction(engine) as session:
        add_user(session, name, role, password or "")
    click.echo(f"Added {name} ({role}).")
    if generated:
        click.echo(f"Password: {password}")


@command.command(name="list")
def list_() -> None:
    """List accounts."""
    from mentiondesk.web.users import list_users

    engine = open_database(get_settings().database_url)
    with transaction(engine) as session:
        rows = list_users(session)
    if not rows:
        click.echo("No accounts yet: `mentiondesk user add NAME --role admin`.")
    for user in rows:
        flags = [f for f, on in (("disabled", user.disabled), ("api token", bool(user.api_token_hash))) if on]
        extra = f"  ({', '.join(flags)})" if flags else ""
        click.echo(f"{user.name:<24} {user.role:<8}{extra}")


@command.command(name="token")
@click.argument("name")
def token(name: str) -> None:
    """Issue a new API token (replaces the old one; shown once, stored hashed)."""
    from mentiondesk.web.users import issue_token

    engine = open_database(get_settings().database_url)
    with transaction(engine) as session:
        value = issue_token(session, name)
    click.echo(value)


@command.command(name="password")
@click.argument("name")
@click.option("--password", default=None, help="Prompted for when omitted; generated and printed with no terminal.")
def password_(name: str, password: str | None) -> None:
    """Set a new password; every desk session of the account ends at once."""
    from mentiondesk.web.auth import generate_password
    from mentiondesk.web.users import set_password

    generated = False
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        else:
            password, generated = generate_password(), True
    engine = open_database(get_settings().database_url)
    with transaction(engine) as session:
        set_password(session, name, password or "", actor="cli")
    click.echo(f"New password set for {name}; their desk sessions have ended.")
    if generated:
        click.echo(f"Password: {password}")
