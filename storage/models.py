"""Tables. Times are timezone-aware UTC on both SQLite and PostgreSQL (SQLModel's UTCDateTime)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, column, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from mentiondesk.core.vocabulary import (  # noqa: F401  (storage.models.X keeps working for callers)
    OPEN_DRAFT_STATES,
    CaseStatus,
    DraftState,
    FoundVia,
    Role,
    Route,
    SourceHealth,
    as_utc,
    utcnow,
)

# PostgreSQL's full-text documents, written as PostgreSQL prints them back (so `db check` compares equal); the
# search queries use these exact expressions, so the planner takes the GIN indexes.
MENTION_DOCUMENT = (
    "to_tsvector('simple'::regconfig, (((text || ' '::text) || author_handle::text) || ' '::text) || author_name::text)"
)
DRAFT_DOCUMENT = "to_tsvector('simple'::regconfig, text)"


class Author(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "handle", name="uq_author_platform_handle"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    handle: str = Field(max_length=255)
    external_id: str | None = Field(default=None, max_length=64)
    display_name: str = Field(default="", max_length=255)
    followers: int = 0
    first_seen: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    mention_count: int = 0
    opted_out_at: datetime | None = None


class Mention(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_mention_platform_external_id"),
        Index("ix_mention_brand_created", "brand", "created_at"),
        Index("ix_mention_author_created", "author_id", "created_at"),
        # Migration 0002, for the desk: threads, case timelines, and trends read from the index alone.
        Index("ix_mention_conversation", "conversation_id", "created_at"),
        Index("ix_mention_case", "case_id", "created_at"),
        Index("ix_mention_trends", "brand", "created_at", "label", "sentiment", "platform", "found_via", "author_id"),
        # SQLite only (info "dialect", see storage/schema_check.py): trends GROUP BY this exact day expression,
        # and repeat customers GROUP BY author, in index order.
        Index(
            "ix_mention_day",
            "brand",
            text("substr(created_at, 1, 10)"),
            "label",
            "sentiment",
            "platform",
            "found_via",
            info={"dialect": "sqlite"},
        ),
        Index("ix_mention_brand_author", "brand", "author_id", "created_at", info={"dialect": "sqlite"}),
        # Migration 0012: the "Mine" view.
        Index("ix_mention_assigned", "assigned_to", "created_at"),
        # PostgreSQL only: full-text search over the post and its author (SQLite uses FTS5, storage/search.py).
        Index(
            "ix_mention_search",
            text(MENTION_DOCUMENT),
            postgresql_using="gin",
            info={"dialect": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64, index=True)
    platform: str = Field(max_length=32)
    external_id: str = Field(max_length=64)
    source: str = Field(default="", max_length=128)
    url: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(default=None, foreign_key="author.id")
    author_handle: str = Field(max_length=255)
    author_name: str = Field(default="", max_length=255)
    author_followers: int = 0
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=16)
    created_at: datetime
    fetched_at: datetime = Field(default_factory=utcnow)
    conversation_id: str | None = Field(default=None, max_length=64)
    parent_id: str | None = Field(default=None, max_length=64, index=True)
    found_via: str = Field(default=FoundVia.MENTION, max_length=16)
    is_own: bool = False
    # Current verdicts, copied from the latest classification and routing so queues need no joins.
    label: str | None = Field(default=None, max_length=16, index=True)
    sentiment: str | None = Field(default=None, max_length=16)
    confidence: float | None = None
    needs_review: bool = False
    # Migration 0008: why a person must review it ("low confidence", "possible complaint"...), why it is urgent
    # ("injury", "legal threat"...), and the probability that it asks for or deserves a reply at all.
    review_reason: str | None = Field(default=None, max_length=64)
    urgency_reason: str | None = Field(default=None, max_length=64)
    needs_reply: float | None = None
    urgency: int = Field(default=0, index=True)
    route: str | None = Field(default=None, max_length=16)
    route_reason: str = Field(default="", max_length=255)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    # When the platform told us the post is gone (deleted or removed): no reply is sent to it.
    deleted_at: datetime | None = None
    # The desk user who owns it (a mention in a case follows the case's owner).
    assigned_to: str | None = Field(default=None, max_length=64)


class Classification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True)
    label: str = Field(max_length=16)
    sentiment: str = Field(max_length=16)
    confidence: float
    scores: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cues: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    model_version: str = Field(max_length=128)
    # "model" for the classifier; "human:<user>" when a manager relabelled it.
    origin: str = Field(default="model", max_length=128)
    created_at: datetime = Field(default_factory=utcnow)


class Draft(SQLModel, table=True):
    __table_args__ = (
        # NULL when the draft is closed: so at most one open draft per mention, on every database.
        UniqueConstraint("open_mention_id", name="uq_draft_one_open_per_mention"),
        Index("ix_draft_state_urgency", "state", "urgency", "created_at"),
        Index("ix_draft_brand_automated_created", "brand", "automated", "created_at"),
        # Migration 0002, for the desk: the queue (urgent first, then oldest) without a sort, filter counts
        # from the index alone, and sent replies by time.
        Index("ix_draft_queue", "state", column("urgency").desc(), "created_at"),
        Index("ix_draft_filters", "state", "category", "platform", "brand", "urgency"),
        Index("ix_draft_sent", "state", "sent_at"),
        # PostgreSQL only: full-text search over our replies (SQLite uses FTS5, storage/search.py).
        Index(
            "ix_draft_search",
            text(DRAFT_DOCUMENT),
            postgresql_using="gin",
            info={"dialect": "postgresql"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True)
    open_mention_id: int | None = None
    brand: str = Field(max_length=64)
    platform: str = Field(max_length=32)
    state: DraftState = Field(
        default=DraftState.DRAFTED,
        sa_column=Column(
            SAEnum(
                DraftState,
                native_enum=False,
                length=16,
                values_callable=lambda e: [m.value for m in e],
                validate_strings=True,
            ),
            nullable=False,
        ),
    )
    category: str = Field(max_length=16)
    urgency: int = 0
    escalated: bool = False
    automated: bool = False
    text: str = Field(sa_column=Column(Text, nullable=False))
    original_text: str = Field(sa_column=Column(Text, nullable=False))
    template_key: str = Field(default="", max_length=128)
    policy_ok: bool = True
    policy_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    approved_by: str | None = Field(default=None, max_length=128)
    approved_at: datetime | None = None
    rejected_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = None
    reply_external_id: str | None = Field(default=None, max_length=64)
    reply_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = 0
    version: int = 1
    # The desk user who wrote this reply by hand (None: drafted from a template). They may approve it only
    # where the brand allows (reply_policy.allow_self_approval).
    composed_by: str | None = Field(default=None, max_length=128)


class ReplyLedger(SQLModel, table=True):
    """One row per replied-to mention. Claimed before posting; the unique key makes a second reply impossible."""

    __tablename__ = "reply_ledger"
    __table_args__ = (UniqueConstraint("platform", "in_reply_to", name="uq_ledger_platform_in_reply_to"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    in_reply_to: str = Field(max_length=64)
    draft_id: int = Field(foreign_key="draft.id")
    # The first claim: reconciliation reads our posts back to this moment, however many we made since.
    claimed_at: datetime = Field(default_factory=utcnow)
    posted_at: datetime | None = None
    reply_external_id: str | None = Field(default=None, max_length=64)
    # Sent with every attempt where the platform honours one (an Idempotency-Key header): one reply per key.
    idempotency_key: str | None = Field(default=None, max_length=64)


class RatePause(SQLModel, table=True):
    """A platform said "no more requests before `until`" for everything that shares `scope` (e.g. one OAuth
    client, or one reply endpoint of one account). Every source and sender of that scope waits it out."""

    __tablename__ = "rate_pause"

    scope: str = Field(primary_key=True, max_length=128)
    until: datetime
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class SourceState(SQLModel, table=True):
    __tablename__ = "source_state"

    name: str = Field(primary_key=True, max_length=128)
    platform: str = Field(default="", max_length=32)
    brand: str = Field(default="", max_length=64)
    # Text: a listing's cursor may carry the ids already read in its overlap (see the platform's module).
    cursor: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    health: str = Field(default="ok", max_length=32)  # ok | rate_limited | access_denied | failing
    health_message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    rate_limited_until: datetime | None = None
    failing_since: datetime | None = None
    consecutive_failures: int = 0
    last_fetch_at: datetime | None = None
    last_ok_at: datetime | None = None
    requests_used: int = 0
    requests_remaining: int | None = None
    window_reset_at: datetime | None = None
    fetched_total: int = 0
    # What this source's reads cost in `spend_month` ("2026-11", UTC), priced with the price card: a brand's
    # monthly spend cap on a platform pauses its sources once their sum reaches it.
    spend_month: str | None = Field(default=None, max_length=7)
    spend_usd: float = 0.0


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=128)
    action: str = Field(max_length=64)
    draft_id: int | None = Field(default=None, index=True)
    mention_id: int | None = Field(default=None, index=True)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Case(SQLModel, table=True):
    """A customer's problem, open from the first complaint until someone marks it resolved."""

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64, index=True)
    platform: str = Field(max_length=32)
    author_id: int | None = Field(default=None, foreign_key="author.id", index=True)
    first_mention_id: int | None = None
    status: str = Field(default=CaseStatus.OPEN, max_length=16, index=True)
    opened_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=128)
    # The owner until it is resolved; new mentions joining the case are theirs too.
    assigned_to: str | None = Field(default=None, max_length=64, index=True)
    # When the owner promised to get back to the customer.
    follow_up_at: datetime | None = None


class User(SQLModel, table=True):
    __tablename__ = "desk_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(default=Role.MANAGER, max_length=16)
    password_hash: str = Field(max_length=255)
    api_token_hash: str | None = Field(default=None, max_length=128, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    disabled: bool = False


class Lock(SQLModel, table=True):
    """Named service locks, so a second `mentiondesk run` on one database refuses to start."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=255)
    heartbeat_at: datetime = Field(default_factory=utcnow)


class OptOutMarker(SQLModel, table=True):
    """An author erased by `mentiondesk forget` had asked us to stop replying. Only a SHA-256 of the lower-cased
    handle is kept (no handle, name or text), so a new post from them starts out opted out again."""

    __tablename__ = "optout_marker"

    platform: str = Field(primary_key=True, max_length=32)
    handle_sha256: str = Field(primary_key=True, max_length=64)
    opted_out_at: datetime


class Alert(SQLModel, table=True):
    """One alert raised for a brand (escalation, spike, source health, response breach, test), with what
    triggered it and how each target took it. Stored whether or not any target was reachable."""

    __table_args__ = (Index("ix_alert_brand_at", "brand", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    brand: str = Field(max_length=64)
    rule: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow, index=True)
    title: str = Field(max_length=255)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    trigger: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # One entry per target: {"target": "webhook", "ok": bool, "attempts": n, "error": "..."}.
    deliveries: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class AlertState(SQLModel, table=True):
    """Per brand and rule key: when an alert last went out (cooldowns), whether a condition is still going on
    (a failing source is reported once, not every check), and how far the rule has looked (new escalations)."""

    __tablename__ = "alert_state"

    brand: str = Field(primary_key=True, max_length=64)
    rule: str = Field(primary_key=True, max_length=160)
    active: bool = False
    last_sent_at: datetime | None = None
    watermark: datetime | None = None


class AlertMention(SQLModel, table=True):
    """Which mentions an alert names (in its body, sent to the team): erasing a mention (`forget`, retention,
    a post deleted on its platform) erases it from the stored alert too."""

    __tablename__ = "alert_mention"

    alert_id: int = Field(foreign_key="alert.id", primary_key=True, ondelete="CASCADE")
    mention_id: int = Field(primary_key=True, index=True)
