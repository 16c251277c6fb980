"""What listening and replying cost a month, per brand and platform: requests, posts read, replies, dollars.
Pure: the price card and the volumes come in as values (`mentiondesk budget` reads them from the card file and
the database), the estimate goes out.

A source is polled every `poll_interval_seconds`; each poll costs one request, plus one per further page of
`page_size` posts. X bills every post a read returns (an owned mentions timeline and a search at different
prices) and every post it creates; the other networks bill nothing for this use, and what bounds them is
their rate limit, so their share of it is reported instead."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from mentiondesk.core.errors import ConfigError

ListingKind = Literal["owned", "search"]
DAYS_A_MONTH = 30
_PRICES = ("owned_read", "search_read", "summoned_reply", "post", "post_with_url")


@dataclass(frozen=True)
class Rates:
    """One platform's line of the price card: dollars per post read or created, the page size, and the caps."""

    platform: str
    as_of: date | None = None
    source: str = ""
    page_size: int = 100
    owned_read: float = 0.0
    search_read: float = 0.0
    summoned_reply: float = 0.0
    post: float = 0.0
    post_with_url: float = 0.0
    monthly_read_cap: int | None = None
    requests_per_minute: float | None = None


def parse_price_card(data: Mapping[str, Any], *, path: str = "<price card>") -> dict[str, Rates]:
    """The card's tables, one per platform; a wrong value is refused with its key."""
    card: dict[str, Rates] = {}
    for platform, table in data.items():
        if not isinstance(table, Mapping):
            raise ConfigError("expected a table per platform, e.g. [x]", path=path, key=platform)
        unknown = sorted(set(table) - set(Rates.__dataclass_fields__) - {"platform"})
        if unknown:
            raise ConfigError(f"unknown price {unknown[0]!r}", path=path, key=f"{platform}.{unknown[0]}")
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key == "as_of":
                if not isinstance(value, date):
                    raise ConfigError("expected a date such as 2026-02-06", path=path, key=f"{platform}.as_of")
            elif key == "source":
                value = str(value)
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError("expected a number, 0 or more", path=path, key=f"{platform}.{key}")
            values[key] = value
        if values.get("page_size", 100) < 1:
            raise ConfigError("expected a page size of 1 or more", path=path, key=f"{platform}.page_size")
        card[platform] = Rates(platform=platform, **values)
    return card


@dataclass(frozen=True)
class Listing:
    """One source of a brand: how it reads (the account's own mentions, or a search) and posts a day."""

    source: str
    platform: str
    kind: ListingKind
    posts_per_day: float


@dataclass(frozen=True)
class SourceEstimate:
    source: str
    kind: ListingKind
    requests: int
    posts_read: int
    dollars: float


@dataclass
class PlatformEstimate:
    """A month of one brand on one platform."""

    brand: str
    platform: str
    sources: list[SourceEstimate] = field(default_factory=list)
    replies: int = 0
    reply_dollars: float = 0.0
    read_cap: int | None = None
    requests_per_minute: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.sources) + self.replies

    @property
    def posts_read(self) -> int:
        return sum(s.posts_read for s in self.sources)

    @property
    def read_dollars(self) -> float:
        return round(sum(s.dollars for s in self.sources), 2)

    @property
    def dollars(self) -> float:
        return round(self.read_dollars + self.reply_dollars, 2)

    @property
    def rate_limit_share(self) -> float | None:
        """The share of the platform's request rate this brand's polling and replies take on average."""
        if not self.requests_per_minute:
            return None
        return self.requests / (DAYS_A_MONTH * 24 * 60 * self.requests_per_minute)

    def as_dict(self) -> dict[str, Any]:
        share = self.rate_limit_share
        return {
            "brand": self.brand,
            "platform": self.platform,
            "requests": self.requests,
            "posts_read": self.posts_read,
            "replies": self.replies,
            "dollars": {"reads": self.read_dollars, "replies": round(self.reply_dollars, 2), "total": self.dollars},
            "read_cap": self.read_cap,
            "rate_limit_share": round(share, 4) if share is not None else None,
            "sources": [
                {
                    "source": s.source,
                    "kind": s.kind,
                    "requests": s.requests,
                    "posts_read": s.posts_read,
                    "dollars": round(s.dollars, 2),
                }
                for s in self.sources
            ],
            "notes": list(self.notes),
        }


def estimate(
    brand: str,
    listings: Sequence[Listing],
    *,
    replies_per_day: Mapping[str, float],
    card: Mapping[str, Rates],
    poll_interval_seconds: int,
    replies_carry_links: bool = False,
    days: int = DAYS_A_MONTH,
) -> list[PlatformEstimate]:
    """A month (`days`) of one brand, per platform, in the order the platforms first appear."""
    if poll_interval_seconds < 1:
        raise ConfigError("the poll interval must be at least one second", key="MENTIONDESK_POLL_INTERVAL_SECONDS")
    polls = days * 86_400 / poll_interval_seconds
    out: dict[str, PlatformEstimate] = {}
    for platform in _in_order([*(item.platform for item in listings), *replies_per_day]):
        rates = card.get(platform, Rates(platform=platform))
        out[platform] = PlatformEstimate(
            brand=brand,
            platform=platform,
            read_cap=rates.monthly_read_cap,
            requests_per_minute=rates.requests_per_minute,
        )
        if platform not in card:
            out[platform].notes.append(f"no line for {platform} in the price card: requests counted, no dollars")
    for item in listings:
        rates = card.get(item.platform, Rates(platform=item.platform))
        posts = round(item.posts_per_day * days)
        pages_a_poll = max(1, math.ceil(item.posts_per_day / (polls / days) / rates.page_size))
        price = rates.owned_read if item.kind == "owned" else rates.search_read
        out[item.platform].sources.append(
            SourceEstimate(item.source, item.kind, round(polls * pages_a_poll), posts, posts * price)
        )
    for platform, per_day in replies_per_day.items():
        rates = card.get(platform, Rates(platform=platform))
        row = out[platform]
        row.replies = round(per_day * days)
        row.reply_dollars = row.replies * (rates.post_with_url if replies_carry_links else rates.summoned_reply)
        if replies_carry_links and rates.post_with_url:
            row.notes.append("the brand's replies carry a link: each is priced as a post with a URL")
    for row in out.values():
        if row.read_cap is not None and row.posts_read > row.read_cap:
            row.notes.append(f"{row.posts_read:,} posts read a month is over the {row.read_cap:,} cap")
        share = row.rate_limit_share
        if share is not None and share > 1:
            row.notes.append(f"needs {share:.0%} of the rate limit: poll less often or watch fewer listings")
    return list(out.values())


def _in_order(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def listing_kind(source_name: str) -> ListingKind:
    """Whether a source reads the account's own mentions (inbox, notifications) or searches."""
    return "owned" if any(part in source_name for part in (":mentions", ":notifications")) else "search"


class SpendMeter:
    """What a batch of reads cost and each brand's monthly cap per platform, for the poller: the cap on spend
    is kept where the spending happens."""

    def __init__(self, card: Mapping[str, Rates], caps: Mapping[str, Mapping[str, float]]) -> None:
        self._card = dict(card)
        self._caps = {brand: dict(per_platform) for brand, per_platform in caps.items()}

    def cost(self, *, source: str, platform: str, posts: int) -> float:
        rates = self._card.get(platform)
        if rates is None or posts <= 0:
            return 0.0
        return posts * (rates.owned_read if listing_kind(source) == "owned" else rates.search_read)

    def cap(self, *, brand: str, platform: str) -> float | None:
        return self._caps.get(brand, {}).get(platform)
