from __future__ import annotations

from pathlib import Path

import click

from listener.replay import ReplaySource
from mentiondesk.app import App
from mentiondesk.commands._common import emit_json, pick_brand
from mentiondesk.errors import InputError
from storage.db import transaction
from storage.queries import source_state


@click.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--brand", help="Brand key for rows without a `brand` field (default: the only brand).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(path: Path, brand: str | None, as_json: bool) -> None:
    """Import a JSONL or CSV export of mentions: valid rows are stored, broken rows reported by line."""
    if not path.exists():
        raise InputError("no such file", path=str(path))
    app = App.open()
    source = ReplaySource(path, brand=pick_brand(app.brands, brand), name=f"import:{path.resolve()}")
    # An import reads the whole file every time; the unique key on (platform, id) keeps it idempotent.
    with transaction(app.engine) as session:
        source_state(source.name, session=session, platform=source.platform, brand=source.brand).cursor = None
    outcome = app.pipeline.poll(source, max_pages=1_000_000)
    skipped = [{"line": int(s.where.rsplit(":", 1)[1]), "error": s.reason} for s in outcome.skipped]
    if as_json:
        emit_json({"read": outcome.fetched, "stored": outcome.stored, "skipped": skipped})
        return
    click.echo(f"{path}: {outcome.fetched} valid rows, {outcome.stored} new stored, "
               f"{outcome.fetched - outcome.stored} already known, {len(skipped)} skipped")
    for item in skipped:
        click.echo(f"  {path}:{item['line']}: {item['error']}", err=True)
