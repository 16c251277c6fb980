"""The values that cross seams: a mention as a platform gave it, a batch of them, a reply going out and the
platform's answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mentiondesk.core.vocabulary import FoundVia

# The handle of a post whose author is gone or hidden ("[deleted]", a null author). Such posts are
# never one author: each stands alone, with no shared history, case or opt-out.
ANONYMOUS = "[deleted]"
_ANONYMOUS_HANDLES = frozenset({"", ANONYMOUS, "[removed]", "[unknown]"})


def is_anonymous(handle: str) -> bool:
    return handle.strip().lstrip("@").lower() in _ANONYMOUS_HANDLES


@dataclass(frozen=True)
class FetchedMention:
    """A mention as a platform gave it, already parsed defensively at the boundary."""

    platform: str
    external_id: str
    brand: str
    text: str
    author_handle: str
    created_at: datetime  # aware UTC
    author_name: str = ""
    author_followers: int = 0
    author_external_id: str | None = None
    url: str = ""
    language: str | None = None
    conversation_id: str | None = None
    parent_id: str | None = None
    found_via: FoundVia = FoundVia.MENTION


@dataclass(frozen=True)
class SkippedItem:
    """An item the source could not parse: where it was, and why. The rest of its batch is kept."""

    where: str  # "line 12", "tweet 1790…", "t1_abc"
    reason: str


@dataclass(frozen=True)
class Batch:
    mentions: list[FetchedMention]  # oldest first
    cursor: str | None  # the cursor to save together with these mentions
    skipped: list[SkippedItem] = field(default_factory=list)
    more: bool = False  # another page is ready right now
    requests: int = 1  # HTTP requests this batch cost
    rate_remaining: int | None = None
    rate_reset_at: datetime | None = None


@dataclass(frozen=True)
class OutgoingReply:
    draft_id: int
    platform: str
    brand: str
    in_reply_to: str  # the mention's external id
    author_handle: str
    text: str
    conversation_id: str | None = None
    # When this reply was first claimed: `find_reply` reads our posts back to this moment.
    claimed_at: datetime | None = None
    # The same key on every attempt; platforms that honour one post at most one reply per key.
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SentReply:
    external_id: str
    url: str = ""
