from __future__ import annotations

from pathlib import Path

import click

from mentiondesk.core.brands import parse_brands
from mentiondesk.starter import BRANDS_TEMPLATE, ENV_TEMPLATE


@click.command(name="init")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def command(directory: Path, force: bool) -> None:
    """Write a commented starter brands.toml and .env."""
    parse_brands(BRANDS_TEMPLATE)  # the starter must always be valid
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (("brands.toml", BRANDS_TEMPLATE), (".env", ENV_TEMPLATE)):
        target = directory / name
        if target.exists() and not force:
            click.echo(f"kept {target} (exists; --force overwrites)")
            continue
        target.write_text(content, encoding="utf-8")
        click.echo(f"wrote {target}")
    click.echo("next: edit brands.toml, then `mentiondesk poll --once` or `mentiondesk run`")
