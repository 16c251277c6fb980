from __future__ import annotations

import sys
import threading
from pathlib import Path

import click
from tqdm import tqdm

from listener.base import Source
from mentiondesk.app import App
from mentiondesk.demo import (
    DEMO_PLATFORMS,
    Summary,
    demo_brands,
    demo_settings,
    leave_demo_brand_file,
    post_demo_mentions,
    start_simulator,
    summarize,
)
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import build_senders, build_sources
from mentiondesk.service import Intervals, Service
from mentiondesk.settings import get_settings
from responders.sending import send_approved
from storage.db import transaction


@click.command(name="demo")
@click.option("--once", is_flag=True, help="Process the demo mentions, print the summary and exit.")
@click.option("--host", default=None, help="Web desk address (default MENTIONDESK_HOST).")
@click.option("--port", default=None, type=int, help="Web desk port (default MENTIONDESK_PORT).")
def command(once: bool, host: str | None, port: int | None) -> None:
    """Post built-in mentions for a demo brand on the local platform simulator, read them through each
    platform's real client library and the whole pipeline, then serve the desk."""
    user_settings = get_settings()
    if not once:
        from mentiondesk.web.serve import check_port_free

        # Before anything runs: a second demo must not reset the running desk's login or print one of its own.
        check_port_free(host or user_settings.host, port or user_settings.port)
    sim = start_simulator()
    try:
        settings = demo_settings(user_settings, sim)
        app = App.open(settings, brands=demo_brands())
        sources = build_sources(app.brands, settings)
        # A source's first poll only marks where "new" begins; the demo's mentions come after it.
        for source in sources:
            app.pipeline.poll(source, max_pages=1)
        total = post_demo_mentions(sim)
        click.echo(
            f"Mention Desk demo: {total} mentions for Northwind Coffee on the simulated "
            f"{' and '.join(p.title for p in DEMO_PLATFORMS)} -> {settings.database_url}",
            err=True,
        )
        _read_all(app.pipeline, sources, total)
        senders = build_senders(settings)
        report = send_approved(engine=app.engine, senders=senders, brands=app.brands, actor="demo")
        with transaction(app.engine) as session:
            summary = summarize(session)
        summary.replies_posted = len(sim.replies())
        _print_summary(summary, sent=len(report.sent))
        _print_next(leave_demo_brand_file(user_settings.brands_file), user_settings.brands_file)
        if once:
            return
        sim.stream(per_minute=4)
        service = Service(
            engine=app.engine,
            pipeline=app.pipeline,
            sources=sources,
            senders=senders,
            intervals=Intervals(poll_seconds=20, send_seconds=10),
        )
        worker = threading.Thread(
            target=service.run, kwargs={"install_signals": False}, daemon=True, name="demo-service"
        )
        worker.start()
        click.echo("New mentions keep arriving on the simulator; the service polls them every 20 s.")
        from mentiondesk.web.serve import serve_demo

        try:
            serve_demo(app, host=host or user_settings.host, port=port or user_settings.port)
        finally:
            service.stop()
            worker.join(timeout=30)
    finally:
        sim.stop()


def _read_all(pipeline: Pipeline, sources: list[Source], total: int) -> None:
    with tqdm(total=total, desc="mentions", unit="mention", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        pending = list(sources)
        while pending:
            for source in list(pending):
                outcome = pipeline.poll(source, max_pages=1)
                bar.update(outcome.stored)
                if outcome.fetched == 0 or outcome.status != "ok" or outcome.pages == 0:
                    pending.remove(source)


def _print_summary(summary: Summary, *, sent: int) -> None:
    click.echo("")
    click.echo(f"Stored mentions: {summary.mentions}")
    click.echo("By category:  " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_label.items())))
    click.echo("By route:     " + ", ".join(f"{k} {v}" for k, v in sorted(summary.by_route.items())))
    click.echo(
        f"Queue:        {summary.queue} drafts awaiting approval ("
        + ", ".join(f"{k} {v}" for k, v in sorted(summary.queue_by_category.items()))
        + ")"
    )
    click.echo(
        f"Automated thank-yous passed by the gate: {summary.auto_approved}; sent to the simulated platforms: {sent}"
        + (
            "; the rest wait in the desk's Going out lane, where a manager can stop them"
            if sent < summary.auto_approved
            else ""
        )
    )
    click.echo("Most urgent:")
    for draft_id, mention_id, urgency, author, text in summary.top_urgent:
        flat = " ".join(text.split())
        click.echo(f"  draft {draft_id:<5} mention {mention_id:<5} urgency {urgency:>3}  @{author}: {flat[:70]}")


def _print_next(brand_file: str, path: Path) -> None:
    click.echo(
        "Next: `mentiondesk queue`, `mentiondesk queue show DRAFT`, `mentiondesk queue approve DRAFT`, "
        "`mentiondesk relabel MENTION LABEL`; the desk shows a mention at /mentions/MENTION."
    )
    if brand_file == "wrote":
        click.echo(f"Wrote {path} with the demo brand for those commands (`mentiondesk init --force` replaces it).")
    elif brand_file in _WHY_NO_DEMO_BRAND:
        click.echo(
            f"Those commands read {path}, which {_WHY_NO_DEMO_BRAND[brand_file]}: try them after a demo in an empty "
            "directory."
        )


# What `leave_demo_brand_file` found, when the commands the demo suggests cannot read its brand.
_WHY_NO_DEMO_BRAND = {"other brands": "has no demo brand", "unwritable": "the demo could not write"}
