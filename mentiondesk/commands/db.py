from __future__ import annotations

import click

from mentiondesk.settings import get_settings
from storage.db import current_revision, make_engine, upgrade


@click.group(name="db")
def command() -> None:
    """Database schema (the app also upgrades it on start)."""


@command.command(name="upgrade")
@click.option("--revision", default="head", show_default=True)
def upgrade_command(revision: str) -> None:
    """Upgrade the schema to the newest revision."""
    engine = make_engine(get_settings().database_url)
    upgrade(engine, revision)
    click.echo(f"database at revision {current_revision(engine)}")


@command.command(name="current")
def current_command() -> None:
    """Print the schema revision."""
    click.echo(current_revision(make_engine(get_settings().database_url)) or "empty database")
