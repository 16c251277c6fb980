from __future__ import annotations

import click

from mentiondesk.settings import get_settings
from storage.db import current_revision, make_engine, upgrade
from storage.schema_check import revision_gap, schema_differences


@click.group(name="db")
def command() -> None:
    """Database schema (the app also upgrades it on start); `check` compares it with the models."""


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


@command.command(name="check")
def check_command() -> None:
    """Compare the migrated database with the models; exit 1 naming each difference. Upgrades nothing."""
    engine = make_engine(get_settings().database_url)
    gap = revision_gap(engine)
    if gap is not None:
        click.echo(f"not at the newest migration: {gap}")
        raise SystemExit(1)
    differences = schema_differences(engine)
    if not differences:
        click.echo("models and migrations agree")
        return
    click.echo(f"models and migrations disagree ({len(differences)}):")
    for difference in differences:
        click.echo(f"  {difference}")
    raise SystemExit(1)
