"""What a case's own page reads: the case, its customer, every mention and draft of it and its notes, as one
timeline in the order things happened. Bounded: a case holds one customer's conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from mentiondesk.web.queries import CaseRow, open_cases_by_id
from responders.team import case_notes
from storage.desk_models import Note
from storage.models import Case, CaseStatus, Draft, DraftState, Mention, User, as_utc

MAX_MENTIONS = 500


@dataclass
class CaseEvent:
    at: datetime
    kind: str  # "customer" | "ours" | "draft" | "note"
    who: str
    text: str
    mention: Mention | None = None
    draft: Draft | None = None
    note: Note | None = None


@dataclass
class CaseDetail:
    row: CaseRow
    timeline: list[CaseEvent]
    mentions: list[Mention]
    desk_users: list[str] = field(default_factory=list)
    # Another open case of the same customer and brand: reopening this one would make two.
    other_open: int | None = None

    @property
    def case(self) -> Case:
        return self.row.case


def case_detail(session: Session, case_id: int) -> CaseDetail | None:
    rows = open_cases_by_id(session, [case_id])
    if not rows:
        return None
    row = rows[0]
    mentions = list(
        session.exec(
            select(Mention)
            .where(Mention.case_id == case_id)
            .order_by(col(Mention.created_at), col(Mention.id))
            .limit(MAX_MENTIONS)
        )
    )
    ids = [m.id for m in mentions if m.id is not None]
    drafts = list(session.exec(select(Draft).where(col(Draft.mention_id).in_(ids)))) if ids else []
    timeline = [
        CaseEvent(
            at=as_utc(m.created_at),
            kind="ours" if m.is_own else "customer",
            who=f"{m.author_name or m.author_handle} @{m.author_handle}",
            text=m.text,
            mention=m,
        )
        for m in mentions
    ]
    for d in drafts:
        sent = d.state == DraftState.SENT and d.sent_at is not None
        timeline.append(
            CaseEvent(
                at=as_utc(d.sent_at if sent and d.sent_at else d.created_at),
                kind="draft",
                who=f"reply {d.state}" + (f" by {d.approved_by}" if d.approved_by else ""),
                text=d.text,
                draft=d,
            )
        )
    for n in case_notes(session=session, case_id=case_id, mention_ids=ids):
        timeline.append(CaseEvent(at=as_utc(n.created_at), kind="note", who=f"note by {n.author}", text=n.text, note=n))
    order = {"customer": 0, "ours": 1, "draft": 2, "note": 3}
    timeline.sort(key=lambda e: (e.at, order[e.kind]))
    case = row.case
    other = None
    if case.status == CaseStatus.RESOLVED and case.author_id is not None:
        other = session.exec(
            select(Case.id).where(
                Case.brand == case.brand,
                Case.author_id == case.author_id,
                Case.status == CaseStatus.OPEN,
                col(Case.id) != case_id,
            )
        ).first()
    users = list(session.exec(select(User.name).where(col(User.disabled).is_(False)).order_by(col(User.name))))
    return CaseDetail(row=row, timeline=timeline, mentions=mentions, desk_users=users, other_open=other)
