from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from mentiondesk.commands._common import emit_json
from mentiondesk.core.errors import InputError
from mentiondesk.settings import get_settings
from storage.db import current_revision, make_engine, upgrade
from storage.schema_check import revision_gap, schema_differences


@click.group(name="db")
def command() -> None:
    """Database schema (the app also upgrades it on start); `check` compares it with the models; backups and
    purging deleted and expired mentions."""


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


@command.command(name="purge")
@click.option("--json", "as_json", is_flag=True)
def purge_command(as_json: bool) -> None:
    """Delete mentions their platform says are gone, and each brand's mentions past its retention_days.

    The service does this every hour; trend counts are kept."""
    from mentiondesk import lifecycle
    from mentiondesk.app import App

    app = App.open()
    done = lifecycle.purge(app.engine, app.brands)
    if as_json:
        emit_json({what: erased.counts() for what, erased in done.items()})
        return
    for what, erased in done.items():
        parts = ", ".join(f"{n} {name}" for name, n in erased.counts().items() if n) or "nothing"
        label = "deleted on their platform" if what == "deleted" else what.replace("retention:", "past retention, ")
        click.echo(f"{label}: {parts}")


@command.command(name="backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH while it is in use (PostgreSQL: prints the pg_dump command)."""
    from storage.lifecycle import backup_sqlite

    url = get_settings().database_url
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        safe = make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
        raise InputError(
            f"PostgreSQL is backed up with its own tool: pg_dump --format=custom --file {path} '{safe}' "
            "(restore with pg_restore; see docs/deploy.md#backups)"
        )
    pages = backup_sqlite(engine, path)
    click.echo(f"backed up {engine.url.database} to {path} ({pages} pages)")
