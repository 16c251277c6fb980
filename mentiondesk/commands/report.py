"""`mentiondesk report`: the weekly report for marketing, as HTML (charts inline) or PDF."""

from __future__ import annotations

from pathlib import Path

import click
from sqlmodel import Session

from mentiondesk.app import App
from mentiondesk.commands._common import pick_brand
from mentiondesk.core.errors import InputError
from mentiondesk.report import Week, email_report, write_report
from rules.tagging import normal_tag
from storage.models import utcnow
from storage.queries import tag_in_use


@click.command(name="report")
@click.option("--brand", help="Brand key (needed only when several brands exist).")
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="FILE.html or FILE.pdf")
@click.option("--email", is_flag=True, help="E-mail it (SMTP from MENTIONDESK_SMTP_*) to the brand's alert email_to.")
@click.option("--to", "recipients", multiple=True, help="E-mail it to this address instead (repeatable).")
@click.option("--tag", default="", help="Only mentions with this tag (share of voice stays the whole brand's).")
def command(
    brand: str | None, week: str | None, output: Path | None, email: bool, recipients: tuple[str, ...], tag: str
) -> None:
    """Write one brand's weekly report: volume, sentiment, complaint themes, share of voice, response times,
    repeat customers, each against the week before, with charts. Run it from cron on Mondays with --email."""
    if output is None and not (email or recipients):
        raise InputError("say where the report goes: --output FILE.html|.pdf, --email or --to ADDRESS")
    chosen = Week.parse(week) if week else Week.last_complete(utcnow().date())
    app = App.open()
    key = pick_brand(app.brands, brand)
    name = app.brands.get(key).name
    tag = normal_tag(tag) if tag.strip() else ""
    if tag:
        with Session(app.engine) as session:
            if not tag_in_use(tag, session=session):
                click.echo(f"note: no mention is tagged {tag!r}: the report's tagged figures are empty", err=True)
        name += f", mentions tagged {tag}"
    if output is not None:
        path = write_report(app.engine, app.brands, key, chosen, output, tag)
        click.echo(f"{path}: weekly report for {name}, {chosen} ({chosen.start} to {chosen.end})")
    if email or recipients:
        to = list(recipients) or list(app.brands.get(key).alerts.email_to)
        email_report(app.engine, app.brands, key, chosen, to, app.settings, tag)
        click.echo(f"e-mailed the weekly report for {name}, {chosen}, to {', '.join(to)}")
