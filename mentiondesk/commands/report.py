"""`mentiondesk report`: the weekly report for marketing, as HTML (charts inline) or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from mentiondesk.app import App
from mentiondesk.commands._common import pick_brand
from mentiondesk.report import Week, write_report
from storage.models import utcnow


@click.command(name="report")
@click.option("--brand", help="Brand key (needed only when several brands exist).")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.html or FILE.pdf")
def command(brand: str | None, week: str | None, output: Path) -> None:
    """Write one brand's weekly report: volume, sentiment, complaint themes, share of voice, response times,
    repeat customers, each against the week before, with charts."""
    chosen = Week.parse(week) if week else Week.last_complete(utcnow().date())
    app = App.open()
    key = pick_brand(app.brands, brand)
    path = write_report(app.engine, app.brands, key, chosen, output)
    click.echo(f"{path}: weekly report for {app.brands.get(key).name}, {chosen} ({chosen.start} to {chosen.end})")
