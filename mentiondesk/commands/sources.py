"""`mentiondesk sources`: each source's health, cursor, last fetch, rate-limit window and spend this month."""

from __future__ import annotations

from datetime import datetime

import click

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.platforms import build_sources
from storage.db import transaction
from storage.models import SourceState, as_utc, utcnow
from storage.queries import all_source_states


def _when(value: datetime | None) -> str:
    return as_utc(value).isoformat(timespec="seconds") if value else "-"


def _row(name: str, configured: bool, state: SourceState | None) -> dict[str, object]:
    if state is None:
        return {
            "source": name,
            "configured": configured,
            "health": "never polled",
            "cursor": None,
            "last_fetch_at": None,
            "last_ok_at": None,
            "requests_used": 0,
            "requests_remaining": None,
            "window_reset_at": None,
            "rate_limited_until": None,
            "fetched_total": 0,
            "message": "",
            "spend_month": None,
            "spend_usd": 0.0,
        }
    return {
        "source": name,
        "configured": configured,
        "health": state.health,
        "cursor": state.cursor,
        "last_fetch_at": _when(state.last_fetch_at),
        "last_ok_at": _when(state.last_ok_at),
        "requests_used": state.requests_used,
        "requests_remaining": state.requests_remaining,
        "window_reset_at": _when(state.window_reset_at),
        "rate_limited_until": _when(state.rate_limited_until),
        "fetched_total": state.fetched_total,
        "message": state.health_message,
        # This month's reads priced with the price card (counted when a brand sets a monthly spend cap).
        "spend_month": state.spend_month,
        "spend_usd": round(state.spend_usd, 4) if state.spend_month == utcnow().strftime("%Y-%m") else 0.0,
    }


@click.command(name="sources")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def command(as_json: bool) -> None:
    """List every source: health, cursor, last fetch, requests used and left in the rate-limit window."""
    app = App.open()
    notices: list[str] = []
    configured = [s.name for s in build_sources(app.brands, app.settings, notices=notices)]
    with transaction(app.engine) as session:
        states = {s.name: s for s in all_source_states(session=session)}
        rows = [_row(name, True, states.get(name)) for name in configured]
        rows += [_row(name, False, state) for name, state in sorted(states.items()) if name not in configured]
    for line in notices:
        click.echo(line, err=True)
    if as_json:
        for row in rows:
            emit_json(row)
        return
    if not rows:
        click.echo("No sources configured.")
        return
    for row in rows:
        cursor = str(row["cursor"] or "-")
        cursor = cursor if len(cursor) <= 40 else cursor[:37] + "..."
        remaining = "?" if row["requests_remaining"] is None else row["requests_remaining"]
        suffix = "" if row["configured"] else " (no longer configured)"
        click.echo(f"{row['source']}{suffix}")
        click.echo(f"  health {row['health']}" + (f": {row['message']}" if row["message"] else ""))
        click.echo(f"  cursor {cursor}   last fetch {row['last_fetch_at'] or '-'}   fetched {row['fetched_total']}")
        click.echo(
            f"  requests used {row['requests_used']}, left in window {remaining}"
            f" (resets {row['window_reset_at'] or '-'})"
        )
        if row["spend_month"]:
            click.echo(f"  spent this month ${row['spend_usd']:,.2f}")
        if row["rate_limited_until"] not in (None, "-"):
            click.echo(f"  paused until {row['rate_limited_until']}")
