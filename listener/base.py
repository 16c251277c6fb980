"""The read seam every platform implements: `Source` fetches a batch since a cursor. Both seams, `Source` and
`Sender`, are declared with the platform descriptor in mentiondesk/core/platform.py."""

from __future__ import annotations

from mentiondesk.core.platform import Source  # noqa: F401
from mentiondesk.core.values import (  # noqa: F401  (listener.base.X keeps working for callers)
    Batch,
    FetchedMention,
    OutgoingReply,
    SentReply,
    SkippedItem,
)


def rate_scope(source: Source) -> str:
    """The rate limit a source shares with others (every source of one OAuth client, say); by default its own."""
    return str(getattr(source, "rate_scope", "") or source.name)
