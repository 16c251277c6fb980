"""The read seam every platform implements: `Source` fetches a batch since a cursor. (Its write seam, `Sender`,
lives with sending in responders/sending.py.)"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from mentiondesk.core.values import (  # noqa: F401  (listener.base.X keeps working for callers)
    Batch,
    FetchedMention,
    OutgoingReply,
    SentReply,
    SkippedItem,
)


@runtime_checkable
class Source(Protocol):
    """Fetches mentions since a cursor, oldest first. Raises SourceError subclasses, never anything else."""

    name: str  # unique and stable, e.g. "x:acme:mentions"; its cursor is saved under this name
    platform: str
    brand: str

    def fetch(self, cursor: str | None) -> Batch: ...


def rate_scope(source: Source) -> str:
    """The rate limit a source shares with others (all of one Reddit client, say); by default its own."""
    return str(getattr(source, "rate_scope", "") or source.name)
