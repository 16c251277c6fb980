"""`mentiondesk poll`: poll every configured source (once, or every interval until Ctrl-C or SIGTERM, which end
it after the source in hand)."""

from __future__ import annotations

import threading

import click

from listener.base import Source
from listener.poller import PollOutcome
from mentiondesk.app import App
from mentiondesk.commands._common import emit_json, stop_on_signals
from mentiondesk.core.errors import ConfigError
from mentiondesk.platforms import build_sources
from mentiondesk.service import describe


def _outcome_json(outcome: PollOutcome) -> dict[str, object]:
    return {
        "source": outcome.source,
        "status": outcome.status,
        "fetched": outcome.fetched,
        "stored": outcome.stored,
        "requests": outcome.requests,
        "pages": outcome.pages,
        "skipped": [{"where": s.where, "reason": s.reason} for s in outcome.skipped],
        "message": outcome.message,
    }


@click.command(name="poll")
@click.option("--once", is_flag=True, help="Poll every source once and exit.")
@click.option("--source", "names", multiple=True, help="Only this source (repeatable); see `mentiondesk sources`.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def command(once: bool, names: tuple[str, ...], as_json: bool) -> None:
    """Poll the configured sources: new mentions are stored, classified, routed and drafted."""
    app = App.open()
    notices: list[str] = []
    sources = build_sources(app.brands, app.settings, notices=notices)
    for line in notices:
        click.echo(line, err=True)
    if names:
        unknown = sorted(set(names) - {s.name for s in sources})
        if unknown:
            raise ConfigError(f"no configured source {unknown[0]!r}; `mentiondesk sources` lists them")
        sources = [s for s in sources if s.name in names]
    if not sources:
        click.echo(
            "No sources configured: add handles or keywords to the brand file and platform credentials.", err=True
        )
        return
    if once:
        _round(app, sources, as_json, stop=threading.Event())  # --once: Ctrl-C interrupts as usual
        return
    stop = stop_on_signals()
    while not stop.is_set():
        _round(app, sources, as_json, stop=stop)
        stop.wait(app.settings.poll_interval_seconds)


def _round(app: App, sources: list[Source], as_json: bool, *, stop: threading.Event) -> None:
    for source in sources:
        if stop.is_set():
            return
        outcome = app.pipeline.poll(source)
        if as_json:
            emit_json(_outcome_json(outcome))
        else:
            click.echo(describe(outcome))
