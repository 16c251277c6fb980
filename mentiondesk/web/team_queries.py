"""What the team's pages read: the reply panel, owner, notes and tags of a mention; the "Mine" view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.web.queries import MentionDetail, ThreadEntry, open_cases
from responders import saved_replies
from responders.compose import why_no_reply
from responders.team import notes_for, tags_of
from storage.desk_models import SavedReply
from storage.models import CaseStatus, Draft, DraftState, Mention, User, as_utc, utcnow


def mention_context(session: Session, detail: MentionDetail, brands: dict[str, Brand], *, agent: str) -> dict[str, Any]:
    """The reply panel (why no reply is possible, the open draft, saved replies) and the owner, notes and tags."""
    m = detail.mention
    assert m.id is not None
    brand = brands.get(m.brand)
    notes = notes_for(session=session, mention_id=m.id, case_id=m.case_id)
    thread = list(detail.thread) + [
        ThreadEntry(at=as_utc(n.created_at), who=f"note by {n.author}", text=n.text, kind="note") for n in notes
    ]
    thread.sort(key=lambda e: e.at)
    detail.thread = thread
    open_draft = next((d for d in detail.drafts if d.state in (DraftState.DRAFTED, DraftState.FAILED)), None)
    any_open = next(
        (d for d in detail.drafts if d.state in (DraftState.APPROVED, DraftState.SENDING, DraftState.UNKNOWN)), None
    )
    replies: list[dict[str, Any]] = []
    if brand is not None:
        for r in saved_replies.find(session=session, brand=brand.key, limit=200):
            replies.append(
                {"id": r.id, "title": r.title, "text": saved_replies.fill(r.body, mention=m, brand=brand, agent=agent)}
            )
    return {
        "blockers": why_no_reply(m, session=session),
        "reply_draft": open_draft,
        "reply_pending": any_open,
        "notes": notes,
        "tags": tags_of([m.id], session=session).get(m.id, []),
        "desk_users": list(
            session.exec(select(User.name).where(col(User.disabled).is_(False)).order_by(col(User.name)))
        ),
        "saved": replies,
        "self_approval": bool(brand and brand.reply_policy.allow_self_approval),
    }


@dataclass
class MineRow:
    mention: Mention
    tags: list[str]
    open_reply: Draft | None


def mine(session: Session, user: str, *, limit: int = 100) -> dict[str, Any]:
    """A person's open cases (follow-ups due first) and the mentions assigned to them outside a case."""
    cases = [row for row in open_cases(session, status=CaseStatus.OPEN, limit=500) if row.case.assigned_to == user]
    now = utcnow()
    cases.sort(key=lambda r: (not follow_up_due(r, now), as_utc(r.case.follow_up_at or r.case.last_activity_at)))
    mentions = list(
        session.exec(
            select(Mention)
            .where(Mention.assigned_to == user, col(Mention.case_id).is_(None))
            .order_by(col(Mention.created_at).desc())
            .limit(limit)
        )
    )
    ids = [m.id for m in mentions if m.id is not None]
    tags = tags_of(ids, session=session)
    drafts: dict[int, Draft] = {}
    if ids:
        for d in session.exec(
            select(Draft).where(
                col(Draft.mention_id).in_(ids),
                col(Draft.state).in_([DraftState.DRAFTED, DraftState.APPROVED, DraftState.FAILED]),
            )
        ):
            drafts[d.mention_id] = d
    total = int(session.exec(select(func.count()).select_from(Mention).where(Mention.assigned_to == user)).one())
    return {
        "cases": cases,
        "due": [r for r in cases if follow_up_due(r, now)],
        "mentions": [MineRow(m, tags.get(m.id or 0, []), drafts.get(m.id or 0)) for m in mentions],
        "assigned_total": total,
    }


def follow_up_due(row: Any, now: datetime | None = None) -> bool:
    promised = row.case.follow_up_at
    return bool(row.awaiting) or (promised is not None and as_utc(promised) <= (now or utcnow()))


def saved_for_brand(session: Session, brand: str, query: str = "") -> list[SavedReply]:
    return saved_replies.find(session=session, brand=brand, query=query, limit=200)
