from __future__ import annotations

import sys

import click
from tqdm import tqdm

from listener.replay import MemorySource
from mentiondesk.app import App
from mentiondesk.demo import DEMO_BRAND_KEY, Summary, demo_brands, demo_mentions, summarize
from mentiondesk.settings import get_settings
from storage.db import transaction


def _bar(total: int) -> tqdm:

    return tqdm(total=total, desc="mentions", unit="mention", file=sys.stderr, disable=not sys.stderr.isatty())


@click.command(name="demo")
@click.option("--once", is_flag=True, help="Process the demo mentions, print the summary and exit.")
@click.option("--host", default=None, help="Web desk address (default MENTIONDESK_HOST).")
@click.option("--port", default=None, type=int, help="Web desk port (default MENTIONDESK_PORT).")
def command(once: bool, host: str | None, port: int | None) -> None:
    """Stream built-in mentions for a demo brand through the pipeline; then serve the desk."""
    settings = get_settings()
    brands = demo_brands()
    app = App.open(settings, brands=brands)
    mentions = demo_mentions()
    source = MemorySource(mentions, brand=DEMO_BRAND_KEY, name="demo:northwind", batch_size=25)
    click.echo(f"Mention Desk demo: {len(mentions)} mentions for Northwind Coffee -> {settings.database_url}",
               err=True)
    with _bar(len(mentions)) as bar:
        cursor_before = 0
        while True:
            outcome = app.pipeline.poll(source, max_pages=1)
            bar.update(outcome.fetched)
            cursor_before += outcome.fetched
            if outcome.fetched == 0 or outcome.status != "ok":
                break
    with transaction(app.engine) as session:
        summary = summarize(session)
    _print_summary(summary)
    if once:
        return
    from mentiondesk.web.serve import serve_demo

    serve_demo(app, host=host or settings.host, port=port or settings.port)


def _print_summary(summary: Summary) -> None:
    click.echo("")
    click.echo(f"Stored mentions: {summary.mentions}")
    click.echo("By category:  " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_label.items())))
    click.echo("By route:     " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_route.items())))
    click.echo(f"Queue:        {summary.queue} drafts awaiting approval ("
               + ", ".join(f"{k} {v}" for k, v in sorted(summary.queue_by_category.items())) + ")")
    click.echo(f"Automated thank-yous approved by the gate: {summary.auto_approved}")
    click.echo("Most urgent:")
    for draft_id, urgency, author, text in summary.top_urgent:
        flat = " ".join(text.split())
        click.echo(f"  #{draft_id:<5} urgency {urgency:>3}  @{author}: {flat[:80]}")
    click.echo("Next: `mentiondesk queue`, `mentiondesk queue show ID`, `mentiondesk queue approve ID`.")
