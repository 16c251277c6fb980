"""`mentiondesk search QUERY`: full text over mentions, their authors and our replies, with filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import click

from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.core.errors import InputError
from mentiondesk.platforms import NAMES as PLATFORMS
from responders.queue import LABELS
from responders.team import tags_of
from rules.tagging import normal_tag
from storage.db import transaction
from storage.search import SearchFilters, search


def _day(raw: str | None, option: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{option} {raw!r} is not a date like 2026-11-30") from None


@click.command(name="search")
@click.argument("query", default="")
@click.option("--brand")
@click.option("--platform", type=click.Choice(PLATFORMS))
@click.option("--label", type=click.Choice(list(LABELS)))
@click.option("--tag")
@click.option("--since", help="First day (YYYY-MM-DD, UTC).")
@click.option("--until", help="Last day, inclusive (YYYY-MM-DD, UTC).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True)
def command(
    query: str,
    brand: str | None,
    platform: str | None,
    label: str | None,
    tag: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Mentions whose post, author or one of our replies holds every word of QUERY, newest first."""
    app = App.open()
    if brand:
        app.brands.get(brand)
    first, last = _day(since, "--since"), _day(until, "--until")
    filters = SearchFilters(
        brand=brand or "",
        platform=platform or "",
        label=label or "",
        tag=normal_tag(tag) if tag else "",
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
        within=tuple(app.brands.brands),
    )
    with transaction(app.engine) as session:
        hits = search(query, filters, session=session, limit=limit)
        tags = tags_of([h.mention.id for h in hits if h.mention.id is not None], session=session)
        items: list[dict[str, Any]] = [
            {
                "mention_id": h.mention.id,
                "brand": h.mention.brand,
                "platform": h.mention.platform,
                "author": h.mention.author_handle,
                "created_at": h.mention.created_at.isoformat(timespec="seconds"),
                "label": h.mention.label,
                "assigned_to": h.mention.assigned_to,
                "tags": tags.get(h.mention.id or 0, []),
                "found_in_reply": h.in_reply,
                "text": h.mention.text,
            }
            for h in hits
        ]
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("nothing found")
        return
    for item in items:
        flat = " ".join(str(item["text"]).split())
        tags_shown = f" [{', '.join(item['tags'])}]" if item["tags"] else ""
        click.echo(
            f"{item['mention_id']:>8}  {item['created_at'][:16]}  {item['platform']:<7} @{item['author']}"
            f"{tags_shown}: {flat[:100]}{'…' if len(flat) > 100 else ''}"
        )
