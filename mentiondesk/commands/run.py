"""`mentiondesk run`: the scheduled service."""

from __future__ import annotations

from datetime import timedelta

import click

from mentiondesk.alerts.check import check_alerts
from mentiondesk.app import App
from mentiondesk.logs import use_service_level
from mentiondesk.platforms import build_senders, build_sources
from mentiondesk.service import Intervals, Role, Service


@click.command(name="run")
@click.option(
    "--poll-interval",
    type=int,
    default=None,
    help="Seconds between polls of each source (default MENTIONDESK_POLL_INTERVAL_SECONDS).",
)
@click.option(
    "--send-interval",
    type=int,
    default=None,
    help="Seconds between sending rounds (default MENTIONDESK_SEND_INTERVAL_SECONDS).",
)
def command(poll_interval: int | None, send_interval: int | None) -> None:
    """Poll every source on a schedule, send approved replies, keep house. Ctrl-C stops after the batch in hand."""
    use_service_level()  # a service's log is its output: INFO unless -v or MENTIONDESK_LOG_LEVEL chose
    app = App.open()
    settings = app.settings
    notices: list[str] = []
    sources = build_sources(app.brands, settings, notices=notices)
    senders = build_senders(settings, notices=notices)
    for line in dict.fromkeys(notices):  # one line per skipped platform
        click.echo(line, err=True)
    intervals = Intervals(
        poll_seconds=poll_interval or settings.poll_interval_seconds,
        send_seconds=send_interval or settings.send_interval_seconds,
        alert_seconds=settings.alert_check_seconds,
    )
    service = Service(
        engine=app.engine,
        pipeline=app.pipeline,
        sources=sources,
        senders=senders,
        intervals=intervals,
        send_stale_after=timedelta(seconds=settings.send_stale_seconds),
        check_alerts=lambda: check_alerts(app.engine, app.brands, settings),
    )
    sending = f"sending every {intervals.send_seconds}s ({', '.join(sorted(senders))})"

    def say_role(role: Role) -> None:
        if role.polling:
            click.echo(
                f"Mention Desk service: {len(sources)} sources every {intervals.poll_seconds}s, {sending}. "
                "Ctrl-C to stop.",
                err=True,
            )
        else:
            click.echo(
                f"Mention Desk service on standby: {role.active_elsewhere} is polling; this one is {sending} and "
                f"takes over polling within {intervals.lease_seconds:g}s if that one stops. Ctrl-C to stop.",
                err=True,
            )

    service.run(on_start=say_role)
    click.echo("Stopped.", err=True)
