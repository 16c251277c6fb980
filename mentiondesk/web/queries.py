"""Read queries the pages need beyond storage.queries. Every query is bounded (a page, a thread, a case list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.core.business_hours import hours_label, working_minutes
from mentiondesk.core.errors import InputError
from rules.tagging import normal_tag
from storage.models import (
    AuditEvent,
    Author,
    Case,
    Classification,
    Draft,
    DraftState,
    Mention,
    SourceState,
    as_utc,
    utcnow,
)
from storage.queries import audit_for, drafts_answered_later_in_case, has_tag, list_queue, tag_in_use

PAGE_SIZE = 50
# The queue page counts at most this many drafts past its own page: an exact count of a 100,000-draft backlog
# reads every row on each view, and "10,000+" tells a manager as much.
COUNT_CAP = 10_000
REPEAT_WINDOW = timedelta(days=30)


@dataclass
class QueueFilters:
    brand: str = ""
    platform: str = ""
    category: str = ""
    state: str = DraftState.DRAFTED
    min_urgency: int = 0
    tag: str = ""
    page: int = 1

    def as_query(self, **changes: Any) -> dict[str, Any]:
        values = {
            "brand": self.brand,
            "platform": self.platform,
            "category": self.category,
            "state": self.state,
            "min_urgency": self.min_urgency or "",
            "tag": self.tag,
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class QueueItem:
    draft: Draft
    mention: Mention
    target_minutes: int
    age_minutes: float
    repeat_mentions: int = 0
    newer_in_thread: bool = False
    # A newer post of this mention's case has its own reply (drafted, on its way or sent): answer that one.
    answered_later_in_case: bool = False
    # The brand's business hours, e.g. "Mon-Fri 09:00-17:00 Europe/London"; empty: the clock always runs.
    hours_label: str = ""

    @property
    def breached(self) -> bool:
        return self.age_minutes > self.target_minutes

    @property
    def stale(self) -> bool:
        return self.newer_in_thread or self.breached

    @property
    def stale_reasons(self) -> list[str]:
        reasons = []
        if self.newer_in_thread:
            reasons.append("the thread moved on: a newer message exists")
        if self.breached:
            reasons.append("older than the response target")
        return reasons

    @property
    def target_share(self) -> float:
        return min(1.0, self.age_minutes / self.target_minutes) if self.target_minutes else 1.0


def _queue_filter(stmt: Any, f: QueueFilters) -> Any:
    if f.state:
        stmt = stmt.where(Draft.state == f.state)
    if f.brand:
        stmt = stmt.where(Draft.brand == f.brand)
    if f.platform:
        stmt = stmt.where(Draft.platform == f.platform)
    if f.category:
        stmt = stmt.where(Draft.category == f.category)
    if f.min_urgency:
        stmt = stmt.where(Draft.urgency >= f.min_urgency)
    if f.tag:
        stmt = stmt.where(has_tag(col(Draft.mention_id), f.tag))
    return stmt


def tag_filter(session: Session, raw: str | None) -> tuple[str, str]:
    """(the tag to filter by, a note for the person) from a `tag` value in an address. A tag no mention carries,
    or text that cannot be a tag, filters to nothing and says why: an empty list alone reads as "all done"."""
    text = (raw or "").strip()
    if not text:
        return "", ""
    try:
        tag = normal_tag(text)
    except InputError:  # nobody could have made this tag, so nothing carries it
        return text, f"{text[:60]!r} is not a tag (1 to 40 of a-z, 0-9, '-' and '_'): nothing is tagged with it."
    if not tag_in_use(tag, session=session):
        return tag, f"No mention is tagged {tag!r}."
    return tag, ""


def queue_rows(
    session: Session, f: QueueFilters, *, limit: int = PAGE_SIZE, offset: int | None = None
) -> list[tuple[Draft, Mention]]:
    """Drafts with their mentions: most urgent first, then oldest first."""
    if offset is None:
        offset = (max(1, f.page) - 1) * limit
    rows = list_queue(
        session=session,
        brand=f.brand or None,
        platform=f.platform or None,
        category=f.category or None,
        state=f.state or None,
        min_urgency=f.min_urgency or None,
        tag=f.tag or None,
        limit=limit,
        offset=offset,
    )
    return [(row.draft, row.mention) for row in rows]


def queue_count(session: Session, f: QueueFilters, *, cap: int | None = None) -> int:
    """Drafts matching the filters; with `cap`, at most cap + 1 (more than `cap`), reading no more rows."""
    if cap is None:
        return int(session.exec(_queue_filter(select(func.count()).select_from(Draft), f)).one())
    capped = _queue_filter(select(literal_column("1")).select_from(Draft), f).limit(cap + 1).subquery()
    return int(session.exec(select(func.count()).select_from(capped)).one())


def queue_items(
    session: Session, rows: list[tuple[Draft, Mention]], brands: dict[str, Brand], now: datetime | None = None
) -> list[QueueItem]:
    now = now or utcnow()
    author_ids = {m.author_id for _, m in rows if m.author_id is not None}
    repeat: dict[int, int] = {}
    if author_ids:
        stmt = (
            select(Mention.author_id, func.count())
            .where(col(Mention.author_id).in_(author_ids), Mention.created_at >= now - REPEAT_WINDOW)
            .group_by(col(Mention.author_id))
        )
        repeat = {int(a): int(n) for a, n in session.exec(stmt) if a is not None}
    conversations = {m.conversation_id for _, m in rows if m.conversation_id}
    latest: dict[str, datetime] = {}
    if conversations:
        stmt2 = (
            select(Mention.conversation_id, func.max(Mention.created_at))
            .where(col(Mention.conversation_id).in_(conversations), col(Mention.is_own).is_(False))
            .group_by(col(Mention.conversation_id))
        )
        latest = {str(c): as_utc(t) for c, t in session.exec(stmt2) if c and t}
    answered_later = drafts_answered_later_in_case(
        [d.id for d, m in rows if d.id is not None and m.case_id is not None], session=session
    )
    items = []
    for draft, mention in rows:
        brand = brands.get(draft.brand)
        created = as_utc(mention.created_at)
        newest = latest.get(mention.conversation_id or "")
        items.append(
            QueueItem(
                draft=draft,
                mention=mention,
                target_minutes=brand.response_target_minutes if brand else 60,
                age_minutes=working_minutes(created, now, brand.business_hours if brand else None),
                repeat_mentions=repeat.get(mention.author_id or -1, 0),
                newer_in_thread=newest is not None and newest > created,
                answered_later_in_case=draft.id in answered_later,
                hours_label=hours_label(brand.business_hours) if brand and brand.business_hours else "",
            )
        )
    return items


def sends_needing_attention(session: Session) -> dict[str, int]:
    """How many replies have an unknown outcome (being reconciled) or were refused by the platform."""
    rows = session.exec(
        select(Draft.state, func.count())
        .where(col(Draft.state).in_([DraftState.UNKNOWN, DraftState.FAILED]))
        .group_by(Draft.state)
    )
    return {str(state): int(n) for state, n in rows}


def queue_facets(brands: dict[str, Brand]) -> dict[str, list[str]]:
    """Values for the filter menus, from configuration: a DISTINCT over the draft table costs a full scan."""
    from mentiondesk.platforms import NAMES as PLATFORMS
    from responders.queue import LABELS

    platforms: set[str] = {p for b in brands.values() for p, handles in b.handles.items() if handles}
    platforms = platforms or set(PLATFORMS)
    # Tags offered are the brand files' rule tags; a tag typed by hand is filtered on as well.
    tags = sorted({rule.tag for b in brands.values() for rule in b.tags})
    return {"platforms": sorted(platforms), "categories": list(LABELS), "tags": tags}


# --- one mention ----------------------------------------------------------------------------------


@dataclass
class ThreadEntry:
    at: datetime
    who: str
    text: str
    kind: str  # "customer" | "ours" | "current"
    mention_id: int | None = None


@dataclass
class MentionDetail:
    mention: Mention
    author: Author | None
    classifications: list[Classification]
    drafts: list[Draft]
    audit: list[AuditEvent]
    thread: list[ThreadEntry]
    history: list[Mention]
    history_30d: int
    case: Case | None
    target_minutes: int
    extra: dict[str, Any] = field(default_factory=dict)


def mention_detail(session: Session, mention_id: int, brands: dict[str, Brand]) -> MentionDetail | None:
    mention = session.get(Mention, mention_id)
    if mention is None:
        return None
    author = session.get(Author, mention.author_id) if mention.author_id else None
    classifications = list(
        session.exec(
            select(Classification)
            .where(Classification.mention_id == mention_id)
            .order_by(col(Classification.created_at), col(Classification.id))
        )
    )
    drafts = list(session.exec(select(Draft).where(Draft.mention_id == mention_id).order_by(col(Draft.id))))
    audit = audit_for(session=session, mention_id=mention_id)
    history: list[Mention] = []
    history_30d = 0
    if mention.author_id is not None:
        history = list(
            session.exec(
                select(Mention)
                .where(Mention.author_id == mention.author_id, Mention.id != mention_id)
                .order_by(col(Mention.created_at).desc())
                .limit(20)
            )
        )
        history_30d = int(
            session.exec(
                select(func.count())
                .select_from(Mention)
                .where(Mention.author_id == mention.author_id, Mention.created_at >= utcnow() - REPEAT_WINDOW)
            ).one()
        )
    case = session.get(Case, mention.case_id) if mention.case_id else None
    brand = brands.get(mention.brand)
    return MentionDetail(
        mention=mention,
        author=author,
        classifications=classifications,
        drafts=drafts,
        audit=audit,
        thread=_thread(session, mention),
        history=history,
        history_30d=history_30d,
        case=case,
        target_minutes=brand.response_target_minutes if brand else 60,
    )


def _thread(session: Session, mention: Mention) -> list[ThreadEntry]:
    """The parent, the rest of the conversation, and the replies we sent in it, oldest first."""
    conds: list[Any] = []
    if mention.conversation_id:
        conds.append(
            and_(col(Mention.platform) == mention.platform, col(Mention.conversation_id) == mention.conversation_id)
        )
    if mention.parent_id:
        conds.append(and_(col(Mention.platform) == mention.platform, col(Mention.external_id) == mention.parent_id))
    related: dict[int, Mention] = {}
    if conds:
        stmt = select(Mention).where(or_(*conds)).order_by(col(Mention.created_at)).limit(100)
        related = {m.id: m for m in session.exec(stmt) if m.id is not None}
    assert mention.id is not None
    related[mention.id] = mention
    entries = [
        ThreadEntry(
            at=as_utc(m.created_at),
            who=("@" + m.author_handle) if not m.is_own else "us",
            text=m.text,
            kind="current" if m.id == mention.id else ("ours" if m.is_own else "customer"),
            mention_id=m.id,
        )
        for m in related.values()
    ]
    sent = session.exec(
        select(Draft).where(
            col(Draft.mention_id).in_(list(related)), Draft.state == DraftState.SENT, col(Draft.sent_at).is_not(None)
        )
    )
    own_ids = {m.external_id for m in related.values() if m.is_own}
    for draft in sent:
        if draft.reply_external_id and draft.reply_external_id in own_ids:
            continue  # already in the thread as our own post
        entries.append(
            ThreadEntry(
                at=as_utc(draft.sent_at or draft.updated_at),
                who="us" + (" (automated)" if draft.automated else f" ({draft.approved_by or 'desk'})"),
                text=draft.text,
                kind="ours",
                mention_id=draft.mention_id,
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries


# --- cases ------------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    author: str
    mentions: int
    last_customer_at: datetime | None
    last_reply_at: datetime | None
    first_mention_id: int | None
    first_customer_at: datetime | None = None

    @property
    def opened_at(self) -> datetime:
        """When the customer first wrote: the case row itself is made when the desk stored that mention,
        which for an import or a backlog is long after."""
        return self.first_customer_at or as_utc(self.case.opened_at)

    @property
    def awaiting(self) -> str:
        """'reply' when we never answered, 'follow-up' when the customer wrote after our last reply."""
        if self.last_reply_at is None:
            return "reply"
        if self.last_customer_at and self.last_customer_at > self.last_reply_at:
            return "follow-up"
        return ""


def count_cases(session: Session, *, brand: str = "", status: str = "open") -> int:
    stmt = select(func.count()).select_from(Case).where(Case.status == status)
    if brand:
        stmt = stmt.where(Case.brand == brand)
    return int(session.exec(stmt).one())


def open_cases(
    session: Session, *, brand: str = "", status: str = "open", limit: int = PAGE_SIZE, offset: int = 0
) -> list[CaseRow]:
    stmt = select(Case).where(Case.status == status)
    if brand:
        stmt = stmt.where(Case.brand == brand)
    order = col(Case.last_activity_at).desc() if status == "open" else col(Case.resolved_at).desc()
    return _case_rows(
        session, list(session.exec(stmt.order_by(order, col(Case.id).desc()).offset(offset).limit(limit)))
    )


def open_cases_by_id(session: Session, ids: list[int]) -> list[CaseRow]:
    """The rows of these cases, open or resolved, with the same figures as the cases list."""
    return _case_rows(session, list(session.exec(select(Case).where(col(Case.id).in_(ids)).order_by(col(Case.id)))))


def _case_rows(session: Session, cases: list[Case]) -> list[CaseRow]:
    ids = [c.id for c in cases if c.id is not None]
    if not ids:
        return []
    customer: dict[int, tuple[int, datetime | None, str | None, datetime | None]] = {}
    rows: Any = session.execute(
        sa_select(
            col(Mention.case_id),
            func.count(),
            func.max(Mention.created_at),
            func.max(Mention.author_handle),
            func.min(Mention.created_at),
        )
        .where(col(Mention.case_id).in_(ids), col(Mention.is_own).is_(False))
        .group_by(col(Mention.case_id))
    )
    for case_id, n, last, handle, first in rows:
        customer[int(case_id)] = (int(n), as_utc(last) if last else None, handle, as_utc(first) if first else None)
    replies: dict[int, datetime] = {}
    reply_rows: Any = session.exec(
        select(Mention.case_id, func.max(Draft.sent_at))
        .join(Draft, col(Draft.mention_id) == Mention.id)
        .where(col(Mention.case_id).in_(ids), Draft.state == DraftState.SENT)
        .group_by(col(Mention.case_id))
    )
    for case_id, last in reply_rows:
        if last is not None:
            replies[int(case_id)] = as_utc(last)
    own_rows: Any = session.exec(
        select(Mention.case_id, func.max(Mention.created_at))
        .where(col(Mention.case_id).in_(ids), col(Mention.is_own).is_(True))
        .group_by(col(Mention.case_id))
    )
    for case_id, last in own_rows:
        if last is not None:
            prev = replies.get(int(case_id))
            replies[int(case_id)] = max(prev, as_utc(last)) if prev else as_utc(last)
    result = []
    for case in cases:
        assert case.id is not None
        n, last_customer, handle, first_customer = customer.get(case.id, (0, None, None, None))
        result.append(
            CaseRow(
                case=case,
                author=handle or "",
                mentions=n,
                last_customer_at=last_customer,
                last_reply_at=replies.get(case.id),
                first_mention_id=case.first_mention_id,
                first_customer_at=first_customer,
            )
        )
    return result


def sources(session: Session) -> list[SourceState]:
    return list(session.exec(select(SourceState).order_by(col(SourceState.brand), col(SourceState.name))))
