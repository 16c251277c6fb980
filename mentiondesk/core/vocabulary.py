"""Closed sets of words the packages share: what a mention is, where it goes, where a reply stands."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive time is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class FoundVia(StrEnum):
    MENTION = "mention"  # the post @mentions one of the brand's handles
    REPLY = "reply"  # the post replies to one of the brand's posts
    KEYWORD = "keyword"  # matched a keyword only
    # Found by searching for a competitor and naming none of ours: stored to count share of voice, never
    # drafted, queued, alerted on or read as an opt-out.
    COMPETITOR = "competitor"


class Route(StrEnum):
    DRAFT = "draft"
    ESCALATE = "escalate"
    INSIGHT = "insight"
    IGNORE = "ignore"


class DraftState(StrEnum):
    DRAFTED = "drafted"
    HELD = "held"  # an automated thank-you waiting out its hold window: a manager may still stop it
    APPROVED = "approved"
    SENDING = "sending"  # claimed by one sender; the platform call may be under way
    UNKNOWN = "unknown"  # the platform may or may not have posted it: reconciled before anything is posted again
    SENT = "sent"
    FAILED = "failed"  # the platform refused it: nothing was posted
    REJECTED = "rejected"


OPEN_DRAFT_STATES = (
    DraftState.DRAFTED,
    DraftState.HELD,
    DraftState.APPROVED,
    DraftState.SENDING,
    DraftState.UNKNOWN,
    DraftState.FAILED,
)


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    ANALYST = "analyst"


class Label(StrEnum):
    COMPLAINT = "complaint"
    PRAISE = "praise"
    QUESTION = "question"
    OTHER = "other"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


# The sentiment a label implies when a person sets the label by hand.
SENTIMENT_OF_LABEL = {
    Label.COMPLAINT: Sentiment.NEGATIVE,
    Label.PRAISE: Sentiment.POSITIVE,
    Label.QUESTION: Sentiment.NEUTRAL,
    Label.OTHER: Sentiment.NEUTRAL,
}


class CaseStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class SourceHealth(StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    ACCESS_DENIED = "access_denied"
    FAILING = "failing"
    BUDGET_REACHED = "budget_reached"  # the brand's monthly spend cap on this platform is spent
