"""`mentiondesk budget`: what a month of listening and replying costs, per brand and platform, from the brand
file and the volume stored over the last 7 days (or `--mentions-per-day`). The arithmetic is rules/costs.py;
this reads the price card, the brand file and the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import cast

import click
from sqlalchemy import func
from sqlmodel import Session, col, select

from mentiondesk.app import App, load_price_card
from mentiondesk.commands._common import emit_json, pick_brand
from mentiondesk.core.brands import Brand
from mentiondesk.platforms import PLATFORMS
from rules.costs import Listing, ListingKind, PlatformEstimate, Rates, estimate
from storage.db import transaction
from storage.models import Draft, DraftState, Mention, SourceState, utcnow

WINDOW_DAYS = 7


def brand_listings(brand: Brand, stored_sources: Sequence[str] = ()) -> list[tuple[str, str, ListingKind]]:
    """(source name, platform, kind) of every listing the brand file asks for, named as the sources name
    themselves, plus any other source of the brand seen in the database (networks added since)."""
    key = brand.key
    out: list[tuple[str, str, ListingKind]] = []
    for network in PLATFORMS:
        if network.planned_listings is not None:
            out += [(name, network.name, cast(ListingKind, kind)) for name, kind in network.planned_listings(brand)]
            competitors = brand.competitor_search()
            if network.search_sources is not None and competitors is not None and network.listens_for(brand):
                searches = network.planned_searches or network.planned_listings
                out += [
                    (f"{name}:competitors", network.name, "search")
                    for name, kind in searches(competitors)
                    if kind == "search"
                ]
    known = {name for name, _, _ in out}
    for name in stored_sources:
        if name not in known and name.split(":")[1:2] == [key]:
            platform = name.split(":", 1)[0]
            kind: ListingKind = "owned" if any(w in name for w in (":mentions", ":notifications")) else "search"
            out.append((name, platform, kind))
    return out


def spread(listings: Sequence[tuple[str, str, ListingKind]], per_day: float) -> list[Listing]:
    """`per_day` posts reach each platform through its mention listings (shared among them) and as much again
    through its keyword listings (shared among those)."""
    counts: dict[tuple[str, str], int] = {}
    for _, platform, kind in listings:
        counts[(platform, kind)] = counts.get((platform, kind), 0) + 1
    return [Listing(name, platform, kind, per_day / counts[(platform, kind)]) for name, platform, kind in listings]


def stored_volume(
    brand: str, listings: Sequence[tuple[str, str, ListingKind]], *, session: Session
) -> tuple[list[Listing], dict[str, float]]:
    """Posts a day each listing stored, and replies a day sent per platform, over the last WINDOW_DAYS."""
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    per_source = dict(
        session.exec(
            select(Mention.source, func.count())
            .where(Mention.brand == brand, col(Mention.fetched_at) >= since)
            .group_by(col(Mention.source))
        ).all()
    )
    sent = dict(
        session.exec(
            select(Draft.platform, func.count())
            .where(Draft.brand == brand, Draft.state == DraftState.SENT, col(Draft.sent_at) >= since)
            .group_by(col(Draft.platform))
        ).all()
    )
    found = [Listing(n, p, k, per_source.get(n, 0) / WINDOW_DAYS) for n, p, k in listings]
    return found, {platform: n / WINDOW_DAYS for platform, n in sent.items()}


def replies_carry_links(brand: Brand) -> bool:
    texts = [brand.signature, *(t for ts in brand.templates.values() for t in ts)]
    return any("http://" in t or "https://" in t or "www." in t for t in texts)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _print(rows: list[PlatformEstimate], basis: str, card: dict[str, Rates], card_path: Path) -> None:
    click.echo(f"A month (30 days) of listening and replying, from {basis}.")
    for row in rows:
        share = row.rate_limit_share
        limit = f"   {share:.1%} of the rate limit" if share is not None else ""
        click.echo(
            f"\n{row.brand}  {row.platform}: {row.requests:,} requests, {row.posts_read:,} posts read, "
            f"{row.replies:,} replies, {_money(row.dollars)}{limit}"
        )
        for s in row.sources:
            click.echo(
                f"  {s.source:<36} {s.kind:<6} {s.requests:>9,} req {s.posts_read:>10,} posts {_money(s.dollars):>10}"
            )
        if row.replies:
            click.echo(f"  {'replies':<36} {'':<6} {row.replies:>9,} req {'':>16} {_money(row.reply_dollars):>10}")
        for note in row.notes:
            click.echo(f"  note: {note}")
    platforms = sorted({row.platform for row in rows} & set(card))
    dated = ", ".join(f"{p} as of {card[p].as_of}" for p in platforms if card[p].as_of)
    click.echo(f"\nprice card: {card_path}" + (f" ({dated})" if dated else ""))


@click.command(name="budget")
@click.option("--brand", "brand_key", default=None, help="One brand (default: every brand in the brand file).")
@click.option(
    "--mentions-per-day",
    type=click.FloatRange(min=0),
    default=None,
    help="Assume this many posts a day per platform (mentions, and as many keyword matches) instead of the "
    "last 7 days stored.",
)
@click.option("--replies-per-day", type=click.FloatRange(min=0), default=None, help="Replies sent a day per platform.")
@click.option(
    "--price-card",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A price card TOML (default: MENTIONDESK_PRICE_CARD, else the shipped one).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the estimate per brand and platform.")
def command(
    brand_key: str | None,
    mentions_per_day: float | None,
    replies_per_day: float | None,
    price_card: Path | None,
    as_json: bool,
) -> None:
    """Estimate a month's requests, posts read, replies and dollars per brand and platform."""
    app = App.open()
    card, card_path = load_price_card(price_card or app.settings.price_card)
    keys = [pick_brand(app.brands, brand_key)] if brand_key else list(app.brands.brands)
    rows: list[PlatformEstimate] = []
    with transaction(app.engine) as session:
        stored_sources = list(session.exec(select(SourceState.name)).all())
        for key in keys:
            brand = app.brands.get(key)
            listings = brand_listings(brand, stored_sources)
            replies: dict[str, float] = {}
            if mentions_per_day is not None:
                volume = spread(listings, mentions_per_day)
            else:
                volume, replies = stored_volume(key, listings, session=session)
            if replies_per_day is not None:
                replies = {platform: replies_per_day for platform in dict.fromkeys(p for _, p, _ in listings)}
            rows += estimate(
                key,
                volume,
                replies_per_day=replies,
                card=card,
                poll_interval_seconds=app.settings.poll_interval_seconds,
                replies_carry_links=replies_carry_links(brand),
            )
    basis = (
        f"{mentions_per_day:g} mentions a day"
        if mentions_per_day is not None
        else f"the last {WINDOW_DAYS} days stored"
    )
    if as_json:
        emit_json(
            {
                "basis": basis,
                "poll_interval_seconds": app.settings.poll_interval_seconds,
                "price_card": {"path": str(card_path), **{p: str(r.as_of) for p, r in card.items() if r.as_of}},
                "estimates": [row.as_dict() for row in rows],
                "dollars": round(sum(row.dollars for row in rows), 2),
            }
        )
        return
    _print(rows, basis, card, card_path)
