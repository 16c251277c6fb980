"""Queries. Every function takes the session as a keyword argument and never commits: the caller's
transaction decides, so a batch of mentions and its cursor are saved together."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from mentiondesk.core.values import FetchedMention, is_anonymous
from storage.db import insert_if_absent, insert_rows, lock_for_ingest
from storage.desk_models import MentionTag
from storage.lifecycle import handle_sha256
from storage.models import (
    OPEN_DRAFT_STATES,
    AuditEvent,
    Author,
    Case,
    CaseStatus,
    Classification,
    Draft,
    DraftState,
    Mention,
    OptOutMarker,
    RatePause,
    ReplyLedger,
    SourceState,
    as_utc,
    utcnow,
)


@dataclass(slots=True)
class AuthorRef:
    """What the pipeline needs of an author: who, and whether they asked us to stop replying."""

    id: int
    opted_out_at: datetime | None = None


@dataclass(slots=True)
class NewMention:
    """A mention not stored yet. Plain data, so a batch of thousands is built and inserted in one statement
    (ORM objects cost ~0.1 ms each to build, which alone would cap ingest near 3,000 a second)."""

    brand: str
    platform: str
    external_id: str
    source: str
    url: str
    author_id: int | None  # None: the author is gone or hidden ("[deleted]"), never one shared author
    author_handle: str
    author_name: str
    author_followers: int
    text: str
    language: str | None
    created_at: datetime
    fetched_at: datetime
    conversation_id: str | None
    parent_id: str | None
    found_via: str
    id: int | None = None
    label: str | None = None
    sentiment: str | None = None
    confidence: float | None = None
    needs_review: bool = False
    review_reason: str | None = None
    urgency_reason: str | None = None
    needs_reply: float | None = None
    urgency: int = 0
    route: str | None = None
    route_reason: str = ""
    is_own: bool = False
    case_id: int | None = None
    assigned_to: str | None = None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _MENTION_COLUMNS}


_MENTION_COLUMNS = tuple(name for name in NewMention.__dataclass_fields__ if name != "id")


def author_refs(
    fetched: Sequence[FetchedMention], *, session: Session, now: datetime
) -> dict[tuple[str, str], AuthorRef]:
    """Get or create the authors of a batch, keyed by (platform, lowercased handle), counting their mentions."""
    latest: dict[tuple[str, str], FetchedMention] = {}
    counts: dict[tuple[str, str], int] = {}
    for m in fetched:
        key = (m.platform, m.author_handle.lower())
        latest[key] = m
        counts[key] = counts.get(key, 0) + 1
    found: dict[tuple[str, str], AuthorRef] = {}
    by_platform: dict[str, list[str]] = {}
    for platform, handle in latest:
        by_platform.setdefault(platform, []).append(handle)
    for platform, handles in by_platform.items():
        for start in range(0, len(handles), 500):
            rows = session.execute(
                select(Author.id, Author.handle, Author.opted_out_at).where(
                    Author.platform == platform, col(Author.handle).in_(handles[start : start + 500])
                )
            )
            for author_id, handle, opted_out_at in rows:
                found[(platform, handle)] = AuthorRef(author_id, as_utc(opted_out_at) if opted_out_at else None)
    if found:
        session.execute(
            update(Author),
            [
                {
                    "id": ref.id,
                    "last_seen": now,
                    "display_name": latest[key].author_name,
                    "followers": latest[key].author_followers,
                }
                for key, ref in found.items()
            ],
        )
        table: Table = Author.__table__  # type: ignore[attr-defined]  # core: the ORM's bulk form takes no WHERE
        session.execute(
            update(table)
            .where(table.c.id == bindparam("author_id"))
            .values(mention_count=table.c.mention_count + bindparam("n")),
            [{"author_id": ref.id, "n": counts[key]} for key, ref in found.items()],
        )
    missing = [key for key in latest if key not in found]
    if missing:
        new_rows = [
            {
                "platform": key[0],
                "handle": key[1],
                "external_id": latest[key].author_external_id,
                "display_name": latest[key].author_name,
                "followers": latest[key].author_followers,
                "first_seen": now,
                "last_seen": now,
                "mention_count": counts[key],
            }
            for key in missing
        ]
        markers = opt_out_markers(missing, session=session)
        for row, key in zip(new_rows, missing, strict=True):
            row["opted_out_at"] = markers.get(key)
        insert_rows(Author, new_rows, session=session)
        for platform, handle, author_id in _ids_by_key(Author, "handle", missing, session=session):
            found[(platform, handle)] = AuthorRef(author_id, markers.get((platform, handle)))
    return found


def opt_out_markers(keys: Sequence[tuple[str, str]], *, session: Session) -> dict[tuple[str, str], datetime]:
    """Opt-outs of authors erased by `forget` (storage/lifecycle.py), for these (platform, handle) keys."""
    digests = {(platform, handle_sha256(handle)): (platform, handle) for platform, handle in keys}
    found: dict[tuple[str, str], datetime] = {}
    for platform in {p for p, _ in digests}:
        wanted = [d for p, d in digests if p == platform]
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(OptOutMarker.handle_sha256, OptOutMarker.opted_out_at).where(
                    OptOutMarker.platform == platform, col(OptOutMarker.handle_sha256).in_(wanted[start : start + 500])
                )
            )
            for digest, at in rows:
                found[digests[(platform, digest)]] = as_utc(at)
    return found


def _ids_by_key(
    model: type[Author] | type[Mention], column: str, keys: Sequence[tuple[str, str]], *, session: Session
) -> list[tuple[str, str, int]]:
    """Ids of rows just inserted, looked up by their unique (platform, column) key.

    Bulk inserts do not ask for RETURNING: SQLAlchemy can only keep RETURNING rows in input order on SQLite
    by inserting one row per statement, which made a 50,000-mention import quadratic."""
    by_platform: dict[str, list[str]] = {}
    for platform, value in keys:
        by_platform.setdefault(platform, []).append(value)
    found: list[tuple[str, str, int]] = []
    key_column = getattr(model, column)
    for platform, values in by_platform.items():
        for start in range(0, len(values), 500):
            rows = session.execute(
                select(key_column, model.id).where(
                    model.platform == platform, col(key_column).in_(values[start : start + 500])
                )
            )
            found.extend((platform, value, row_id) for value, row_id in rows)
    return found


def new_mentions(
    fetched: Sequence[FetchedMention], *, source: str, session: Session, now: datetime | None = None
) -> list[NewMention]:
    """The mentions of a batch not stored yet (unique on platform + external id), in order, with their
    authors stored. Nothing is inserted for the mentions themselves: see `insert_mentions`."""
    now = now or utcnow()
    keys = [(m.platform, m.external_id) for m in fetched]
    if keys:
        lock_for_ingest({platform for platform, _ in keys}, session=session)
    seen = {
        (platform, external_id)
        for platform, external_id, _ in _ids_by_key(Mention, "external_id", keys, session=session)
    }
    fresh: list[FetchedMention] = []
    for m, key in zip(fetched, keys, strict=True):
        if key in seen:
            continue
        seen.add(key)
        fresh.append(m)
    if not fresh:
        return []
    authors = author_refs([m for m in fresh if not is_anonymous(m.author_handle)], session=session, now=now)
    return [
        NewMention(
            brand=m.brand,
            platform=m.platform,
            external_id=m.external_id,
            source=source,
            url=m.url,
            author_id=None if is_anonymous(m.author_handle) else authors[(m.platform, m.author_handle.lower())].id,
            author_handle=m.author_handle,
            author_name=m.author_name,
            author_followers=m.author_followers,
            text=m.text,
            language=m.language,
            created_at=as_utc(m.created_at),
            fetched_at=now,
            conversation_id=m.conversation_id,
            parent_id=m.parent_id,
            found_via=str(m.found_via),
        )
        for m in fresh
    ]


def insert_mentions(rows: Sequence[NewMention], *, session: Session) -> None:
    """Insert the rows not inserted yet and give each its id: a few multi-row statements per batch.

    Core, not the ORM's bulk insert: the ORM groups rows by which values are None and sent about half of a
    batch one row per statement. RETURNING carries the key, so ids are matched by key, not by row order."""
    pending = [row for row in rows if row.id is None]
    if not pending:
        return
    table: Table = Mention.__table__  # type: ignore[attr-defined]
    returned = session.execute(
        insert(table).returning(table.c.platform, table.c.external_id, table.c.id), [row.values() for row in pending]
    )
    ids = {(platform, external_id): row_id for platform, external_id, row_id in returned}
    for row in pending:
        row.id = ids[(row.platform, row.external_id)]


@dataclass(slots=True)
class CaseRef:
    """An open case as the pipeline needs it: which, and whose it is (new mentions joining it are theirs)."""

    id: int
    assigned_to: str | None = None


def open_cases_of(author_ids: Collection[int], *, session: Session) -> dict[tuple[str, int], CaseRef]:
    """The open case of each (brand, author) among these authors."""
    rows = session.execute(
        select(Case.id, Case.brand, Case.author_id, Case.assigned_to).where(
            Case.status == CaseStatus.OPEN, col(Case.author_id).in_(author_ids)
        )
    )
    return {(brand, author_id): CaseRef(case_id, owner) for case_id, brand, author_id, owner in rows}


def open_cases(new: Sequence[dict[str, Any]], *, session: Session) -> list[int]:
    """Insert new open cases (brand, platform, author_id, opened_at, last_activity_at) and return their ids in
    order. Cases of known authors go in one statement, matched back by (brand, author): an author has one open
    case per brand. A case of a hidden author ("[deleted]") has no such key and is inserted on its own."""
    table: Table = Case.__table__  # type: ignore[attr-defined]
    rows = [{"status": CaseStatus.OPEN, "assigned_to": None, **values} for values in new]
    keyed = [row for row in rows if row["author_id"] is not None]
    by_key: dict[tuple[str, int], int] = {}
    if keyed:
        returned = session.execute(insert(table).returning(table.c.brand, table.c.author_id, table.c.id), keyed)
        by_key = {(brand, author_id): case_id for brand, author_id, case_id in returned}
    ids = []
    for row in rows:
        if row["author_id"] is None:
            ids.append(session.execute(insert(table).returning(table.c.id), row).scalar_one())
        else:
            ids.append(by_key[(row["brand"], row["author_id"])])
    return ids


def touch_cases(case_ids: Collection[int], *, now: datetime, session: Session) -> None:
    """A customer wrote again on these cases."""
    if case_ids:
        session.execute(update(Case).where(col(Case.id).in_(case_ids)).values(last_activity_at=now))


def set_first_mentions(first: Sequence[tuple[int, int]], *, session: Session) -> None:
    """(case id, mention id) of the mention that opened each case."""
    if first:
        session.execute(
            update(Case), [{"id": case_id, "first_mention_id": mention_id} for case_id, mention_id in first]
        )


def source_state(name: str, *, session: Session, platform: str = "", brand: str = "") -> SourceState:
    state = session.get(SourceState, name)
    if state is None:  # two processes may poll a new source at once: the second insert does nothing
        insert_if_absent(
            SourceState, SourceState(name=name, platform=platform, brand=brand).model_dump(), session=session
        )
        state = session.get_one(SourceState, name)
    return state


def month_spend(brand: str, platform: str, month: str, *, session: Session) -> float:
    """What a brand's sources on a platform spent in `month` ("2026-11")."""
    total = session.exec(
        select(func.coalesce(func.sum(SourceState.spend_usd), 0.0)).where(
            SourceState.brand == brand, SourceState.platform == platform, SourceState.spend_month == month
        )
    ).one()
    return float(total)


def all_source_states(*, session: Session) -> list[SourceState]:
    return list(session.exec(select(SourceState).order_by(col(SourceState.name))))


def record_audit(
    *,
    session: Session,
    actor: str,
    action: str,
    draft_id: int | None = None,
    mention_id: int | None = None,
    before: str | None = None,
    after: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        draft_id=draft_id,
        mention_id=mention_id,
        before=before,
        after=after,
        detail=detail or {},
    )
    session.add(event)
    return event


def audit_for(*, session: Session, mention_id: int) -> list[AuditEvent]:
    draft_ids = select(Draft.id).where(Draft.mention_id == mention_id)
    stmt = (
        select(AuditEvent)
        .where((col(AuditEvent.mention_id) == mention_id) | col(AuditEvent.draft_id).in_(draft_ids))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return list(session.exec(stmt))


@dataclass(frozen=True)
class QueueRow:
    draft: Draft
    mention: Mention


def list_queue(
    *,
    session: Session,
    brand: str | None = None,
    platform: str | None = None,
    category: str | None = None,
    state: str | Iterable[str] | None = DraftState.DRAFTED,
    min_urgency: int | None = None,
    tag: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[QueueRow]:
    """Drafts with their mentions, most urgent first, then oldest first; with `tag`, of mentions carrying it."""
    stmt = select(Draft, Mention).join(Mention, col(Mention.id) == Draft.mention_id)
    if state is not None:
        states = [state] if isinstance(state, str) else list(state)
        stmt = stmt.where(col(Draft.state).in_(states))
    if brand:
        stmt = stmt.where(Draft.brand == brand)
    if platform:
        stmt = stmt.where(Draft.platform == platform)
    if category:
        stmt = stmt.where(Draft.category == category)
    if min_urgency is not None:
        stmt = stmt.where(Draft.urgency >= min_urgency)
    if tag:
        stmt = stmt.where(has_tag(col(Draft.mention_id), tag))
    stmt = stmt.order_by(col(Draft.urgency).desc(), col(Draft.created_at), col(Draft.id)).offset(offset).limit(limit)
    return [QueueRow(draft=d, mention=m) for d, m in session.exec(stmt)]


def has_tag(mention_id: Any, tag: str) -> ColumnElement[bool]:
    """A condition for any query over mentions or drafts: the mention `mention_id` names carries `tag`. An IN over
    the (tag, mention_id) index rather than a correlated EXISTS: SQLite can then start from the tagged ids instead
    of probing once per mention in the range; PostgreSQL plans either as the same semi-join."""
    return col(mention_id).in_(select(MentionTag.mention_id).where(MentionTag.tag == tag))


def tag_in_use(tag: str, *, session: Session) -> bool:
    """Whether any mention carries `tag`: a filter by a tag nobody used says so instead of showing nothing."""
    return session.exec(select(MentionTag.mention_id).where(MentionTag.tag == tag).limit(1)).first() is not None


def count_queue(*, session: Session, state: str = DraftState.DRAFTED) -> int:
    return int(session.exec(select(func.count()).select_from(Draft).where(Draft.state == state)).one())


def open_draft_for(mention_id: int, *, session: Session) -> Draft | None:
    return session.exec(
        select(Draft).where(Draft.mention_id == mention_id, col(Draft.state).in_(OPEN_DRAFT_STATES))
    ).first()


def ledger_entry(platform: str, in_reply_to: str, *, session: Session) -> ReplyLedger | None:
    return session.exec(
        select(ReplyLedger).where(ReplyLedger.platform == platform, ReplyLedger.in_reply_to == in_reply_to)
    ).first()


def recent_mention_count(author_id: int, *, session: Session, days: int = 30, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(days=days)
    return int(
        session.exec(
            select(func.count()).select_from(Mention).where(Mention.author_id == author_id, Mention.created_at >= since)
        ).one()
    )


def automated_replies_since(brand: str, since: datetime, *, session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Draft)
            .where(
                Draft.brand == brand,
                Draft.automated == True,  # noqa: E712
                col(Draft.state).in_([DraftState.HELD, DraftState.APPROVED, DraftState.SENDING, DraftState.SENT]),
                col(Draft.created_at) >= since,
            )
        ).one()
    )


def last_automated_reply_to(author_id: int, *, session: Session, sent_only: bool = False) -> datetime | None:
    """When we last thanked this author automatically (planned or on its way; with `sent_only`, posted)."""
    states = (
        [DraftState.SENT] if sent_only else [DraftState.HELD, DraftState.APPROVED, DraftState.SENDING, DraftState.SENT]
    )
    moment = Draft.sent_at if sent_only else Draft.created_at
    stmt = (
        select(func.max(moment))
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(
            Mention.author_id == author_id,
            Draft.automated == True,  # noqa: E712
            col(Draft.state).in_(states),
        )
    )
    value = session.exec(stmt).one()
    return as_utc(value) if value is not None else None


def automated_sent_since(brand: str, since: datetime, *, session: Session) -> int:
    """Automated replies of a brand posted since `since`."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Draft)
            .where(
                Draft.brand == brand,
                Draft.automated == True,  # noqa: E712
                Draft.state == DraftState.SENT,
                col(Draft.sent_at) >= since,
            )
        ).one()
    )


def newer_mentions_by_author(author_id: int, *, after: datetime, session: Session) -> bool:
    """Whether the author has posted to or about us after `after` (their story may have changed)."""
    stmt = select(Mention.id).where(Mention.author_id == author_id, col(Mention.created_at) > after).limit(1)
    return session.exec(stmt).first() is not None


def our_reply_in_thread(platform: str, external_id: str, *, session: Session) -> bool:
    """Whether one of our own posts (seen while polling) answers this post: someone replied outside the desk."""
    stmt = select(Mention.id).where(
        Mention.platform == platform,
        Mention.parent_id == external_id,
        Mention.is_own == True,  # noqa: E712
    )
    return session.exec(stmt.limit(1)).first() is not None


def drafts_answered_later_in_case(draft_ids: Collection[int], *, session: Session) -> set[int]:
    """Those of `draft_ids` whose mention's case has a newer post with a reply drafted, on its way or sent: one
    reply answers a customer who wrote three times, and it is the reply to the newest post."""
    if not draft_ids:
        return set()
    older = aliased(Mention)
    newer = aliased(Mention)
    later = aliased(Draft)
    answering = [*OPEN_DRAFT_STATES, DraftState.SENT]
    # Two nested EXISTS, so both databases walk the case's newer posts by ix_mention_case and their drafts by
    # ix_draft_mention_id (1 ms for a 50-card page). As a join SQLite scanned every draft for each card (4.4 s
    # with 500,000 mentions in cases); as "mention_id IN (...)" PostgreSQL did (1.5 s with 38,000 drafts).
    replied = select(later.id).where(col(later.mention_id) == newer.id, col(later.state).in_(answering))
    newer_reply = select(newer.id).where(
        col(newer.case_id) == older.case_id, col(newer.created_at) > older.created_at, exists(replied)
    )
    stmt = (
        select(Draft.id)
        .join(older, col(older.id) == Draft.mention_id)
        .where(col(Draft.id).in_(list(draft_ids)), col(older.case_id).is_not(None), exists(newer_reply))
    )
    return {int(i) for i in session.exec(stmt) if i is not None}


def open_case_for(brand: str, author_id: int, *, session: Session) -> Case | None:
    return session.exec(
        select(Case).where(Case.brand == brand, Case.author_id == author_id, Case.status == CaseStatus.OPEN)
    ).first()


def pause_scope(scope: str, *, until: datetime, reason: str, session: Session) -> None:
    """Everything sharing a rate-limit `scope` waits until `until` (a later pause never shortens one)."""
    pause = session.get(RatePause, scope)
    if pause is None:  # another process may be pausing the same scope at this moment
        insert_if_absent(RatePause, {"scope": scope, "until": until, "reason": reason}, session=session)
        pause = session.get_one(RatePause, scope)
    if as_utc(pause.until) < until:
        pause.until, pause.reason = until, reason
        session.add(pause)


def paused_until(scope: str, *, now: datetime, session: Session) -> datetime | None:
    """When a rate-limit pause on `scope` ends, if one is in force at `now`."""
    pause = session.get(RatePause, scope)
    if pause is None or as_utc(pause.until) <= now:
        return None
    return as_utc(pause.until)


def reply_texts_to_authors(
    author_ids: Collection[int | None], *, since: datetime, session: Session
) -> dict[int, set[str]]:
    """The texts of replies drafted to these authors since `since` (rejected ones aside), by author."""
    author_ids = [a for a in author_ids if a is not None]
    if not author_ids:
        return {}
    rows = session.execute(
        select(Mention.author_id, Draft.text)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(
            col(Mention.author_id).in_(list(author_ids)),
            col(Draft.created_at) >= since,
            Draft.state != DraftState.REJECTED,
        )
    )
    texts: dict[int, set[str]] = {}
    for author_id, text in rows:
        texts.setdefault(author_id, set()).add(text)
    return texts


def desk_corrections(*, session: Session) -> list[tuple[str, str, str]]:
    """(text, label, sentiment) of every mention a manager relabelled (classification origin 'human:<user>');
    the newest correction of a mention wins."""
    query = (
        select(Classification.mention_id, Classification.label, Classification.sentiment, Mention.text)
        .join(Mention, col(Mention.id) == col(Classification.mention_id))
        .where(col(Classification.origin).startswith("human:"))
        .order_by(col(Classification.created_at), col(Classification.id))
    )
    latest: dict[int, tuple[str, str, str]] = {}
    for mention_id, label, sentiment, text in session.exec(query):
        latest[mention_id] = (text, label, sentiment)
    return list(latest.values())
