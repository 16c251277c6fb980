"""The demo: a fictional brand and its built-in mentions, through the whole pipeline, no keys needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from listener.base import FetchedMention
from listener.demo_corpus import DEMO_MENTIONS, DemoMention
from mentiondesk.brands import BrandConfig, parse_brands
from storage.models import Draft, DraftState, FoundVia, Mention

DEMO_BRAND_KEY = "northwind"

DEMO_BRANDS_TOML = """\
[brands.northwind]
name = "Northwind Coffee"
keywords = ["northwind coffee", "northwind"]
exclude = ["northwind traders database"]
languages = ["en"]
competitors = ["BeanCo", "Brewster's"]
response_target_minutes = 60

[brands.northwind.handles]
x = ["NorthwindCoffee"]
reddit = ["NorthwindCoffee"]
replay = ["NorthwindCoffee"]

[brands.northwind.reddit]
subreddits = ["coffee", "northwind"]

[brands.northwind.reply_policy]
auto_thank = true
daily_cap = 25
timezone = "UTC"
disclosure = "(automated reply)"
auto_reply_platforms = ["x"]
"""


def demo_brands() -> BrandConfig:
    return parse_brands(DEMO_BRANDS_TOML, path="<demo brands>")


def demo_mentions(*, now: datetime | None = None, platform: str | None = None) -> list[FetchedMention]:
    """The built-in set as fetched mentions, spread over the last two days, oldest first."""
    now = now or datetime.now(UTC)
    total = len(DEMO_MENTIONS)
    return [
        _fetched(item, index, created=now - timedelta(minutes=7 * (total - index)), platform=platform)
        for index, item in enumerate(DEMO_MENTIONS)
    ]


def _fetched(item: DemoMention, index: int, *, created: datetime, platform: str | None) -> FetchedMention:
    return FetchedMention(
        platform=platform or item.platform,
        external_id=f"demo-{index:04d}",
        brand=DEMO_BRAND_KEY,
        text=item.text,
        author_handle=item.author,
        author_name=item.name,
        author_followers=item.followers,
        created_at=created,
        language=item.lang,
        found_via=FoundVia(item.via),
        url=f"https://example.invalid/demo/{index}",
    )


@dataclass
class Summary:
    mentions: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    by_route: dict[str, int] = field(default_factory=dict)
    queue: int = 0
    queue_by_category: dict[str, int] = field(default_factory=dict)
    auto_approved: int = 0
    top_urgent: list[tuple[int, int, str, str]] = field(default_factory=list)  # draft id, urgency, author, text


def summarize(session: Session) -> Summary:
    summary = Summary()
    summary.mentions = int(session.exec(select(func.count()).select_from(Mention)).one())
    for label, count in session.exec(select(Mention.label, func.count()).group_by(Mention.label)):
        summary.by_label[label or "unclassified"] = int(count)
    for route, count in session.exec(select(Mention.route, func.count()).group_by(Mention.route)):
        summary.by_route[route or "none"] = int(count)
    for category, count in session.exec(
        select(Draft.category, func.count()).where(Draft.state == DraftState.DRAFTED).group_by(Draft.category)
    ):
        summary.queue_by_category[category] = int(count)
    summary.queue = sum(summary.queue_by_category.values())
    summary.auto_approved = int(
        session.exec(select(func.count()).select_from(Draft).where(Draft.automated == True)).one()  # noqa: E712
    )
    top = session.exec(
        select(Draft, Mention)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(Draft.state == DraftState.DRAFTED)
        .order_by(col(Draft.urgency).desc(), col(Draft.created_at))
        .limit(5)
    )
    summary.top_urgent = [(d.id or 0, d.urgency, m.author_handle, m.text) for d, m in top]
    return summary
