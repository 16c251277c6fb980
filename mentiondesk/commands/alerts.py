"""`mentiondesk alerts check|test`: evaluate the alert rules now and send what is due; a test message."""

from __future__ import annotations

import click

from mentiondesk.alerts.check import CheckReport, check_alerts, send_test
from mentiondesk.app import App
from mentiondesk.commands._common import emit_json


@click.group(name="alerts")
def command() -> None:
    """Alerts for each brand's team: escalations, spikes, source health, response-target breaches."""


@command.command(name="check")
@click.option("--json", "as_json", is_flag=True)
def check(as_json: bool) -> None:
    """Evaluate every rule now and send what is due. Exit 1 when a target could not be reached."""
    app = App.open()
    _print(check_alerts(app.engine, app.brands, app.settings, quiet=True), as_json, nothing="no alerts due")


@command.command(name="test")
@click.option("--json", "as_json", is_flag=True)
def test(as_json: bool) -> None:
    """Send a test message to every target of every brand. Exit 1 when a target could not be reached."""
    app = App.open()
    _print(send_test(app.engine, app.brands, app.settings), as_json, nothing="no brand has an alert target")


def _print(report: CheckReport, as_json: bool, *, nothing: str) -> None:
    if as_json:
        emit_json(report.as_json())
    elif not report.alerts:
        click.echo(nothing)
    for alert in [] if as_json else report.alerts:
        sent = ", ".join(
            f"{d['target']} ok" if d["ok"] else f"{d['target']} FAILED after {d['attempts']} tries ({d['error']})"
            for d in alert.deliveries
        )
        click.echo(f"[{alert.rule}] {alert.title} -> {sent or 'stored (no target configured)'}")
    for alert, delivery in report.undelivered:
        click.echo(f"error: alert {alert.id} not delivered to {delivery['target']}: {delivery['error']}", err=True)
    if report.undelivered:
        raise SystemExit(1)
