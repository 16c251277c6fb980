"""A team's desk actions beyond replies: who owns a mention or case, internal notes, tags. Each writes an audit
event (who, when, before and after); none of them ever sends anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import InputError, InvalidTransition, NotFound
from rules.tagging import TagFacts, normal_tag, rule_tags
from storage.desk_models import MentionTag, Note
from storage.models import Case, CaseStatus, Mention, User, utcnow
from storage.queries import record_audit

MAX_NOTE = 5_000


class TaggedMention(Protocol):
    """What tagging reads of a new mention (storage.queries.NewMention has these fields)."""

    id: int | None
    brand: str
    text: str
    label: str | None
    language: str | None
    platform: str


def _mention(mention_id: int, *, session: Session) -> Mention:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise NotFound(f"no mention {mention_id}")
    return mention


def _case(case_id: int, *, session: Session) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def _desk_user(name: str, *, session: Session) -> str:
    wanted = name.strip()
    user = session.exec(select(User).where(col(User.name) == wanted)).first()
    if user is None:
        raise NotFound(f"no desk user {wanted[:64]!r}; `mentiondesk user list` shows them")
    if user.disabled:
        raise InputError(f"desk user {user.name!r} is disabled")
    return user.name


def brand_of(*, session: Session, mention_id: int | None = None, case_id: int | None = None) -> str:
    """The brand a mention or case belongs to (its time zone reads the times people give for it)."""
    if case_id is not None:
        return _case(case_id, session=session).brand
    return _mention(mention_id or 0, session=session).brand


# --- ownership ------------------------------------------------------------------------------------------


def assign_mention(
    mention_id: int, *, session: Session, actor: str, to: str | None, follow_up_at: datetime | None = None
) -> Mention:
    """Give a mention to a person (None: nobody). A mention in an open case takes the whole case with it, and the
    case keeps its owner until it is resolved: new mentions joining it are theirs too."""
    mention = _mention(mention_id, session=session)
    owner = _desk_user(to, session=session) if to else None
    case = session.get(Case, mention.case_id) if mention.case_id else None
    if case is not None and case.status == CaseStatus.OPEN:
        assign_case(case.id or 0, session=session, actor=actor, to=owner, follow_up_at=follow_up_at)
        session.refresh(mention)
        return mention
    before = mention.assigned_to
    mention.assigned_to = owner
    session.add(mention)
    record_audit(
        session=session,
        actor=actor,
        action="assign" if before is None else "reassign",
        mention_id=mention_id,
        before=before,
        after=owner,
    )
    return mention


def assign_case(
    case_id: int, *, session: Session, actor: str, to: str | None, follow_up_at: datetime | None = None
) -> Case:
    case = _case(case_id, session=session)
    if case.status != CaseStatus.OPEN:
        raise InvalidTransition(case_id, case.status, "assigned (the case is resolved)")
    owner = _desk_user(to, session=session) if to else None
    before = case.assigned_to
    case.assigned_to = owner
    if follow_up_at is not None:
        case.follow_up_at = follow_up_at
    session.add(case)
    session.execute(
        update(Mention)
        .where(col(Mention.case_id) == case_id)
        .values(assigned_to=owner)
        .execution_options(synchronize_session=False)
    )
    detail: dict[str, object] = {"case_id": case_id}
    if follow_up_at is not None:
        detail["follow_up_at"] = follow_up_at.isoformat(timespec="minutes")
    record_audit(
        session=session,
        actor=actor,
        action="assign" if before is None else "reassign",
        mention_id=case.first_mention_id,
        before=before,
        after=owner,
        detail=detail,
    )
    return case


# --- notes ------------------------------------------------------------------------------------------------


def add_note(
    *, session: Session, actor: str, text: str, mention_id: int | None = None, case_id: int | None = None
) -> Note:
    """An internal note on a mention (seen on its case too) or on a case. Kept as typed; shown only as text."""
    body = text.replace("\r\n", "\n").strip()
    if not body:
        raise InputError("the note is empty")
    if len(body) > MAX_NOTE:
        raise InputError(f"the note is {len(body):,} characters; at most {MAX_NOTE:,}")
    if mention_id is not None:
        mention = _mention(mention_id, session=session)
        case_id = mention.case_id
    elif case_id is not None:
        mention_id = _case(case_id, session=session).first_mention_id
    else:
        raise InputError("a note belongs to a mention or a case")
    note = Note(mention_id=mention_id, case_id=case_id, author=actor, text=body)
    session.add(note)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="note",
        mention_id=mention_id,
        after=body,
        detail={"note_id": note.id, **({"case_id": case_id} if case_id else {})},
    )
    return note


def notes_for(*, session: Session, mention_id: int, case_id: int | None) -> list[Note]:
    where = col(Note.mention_id) == mention_id
    if case_id is not None:
        where = where | (col(Note.case_id) == case_id)
    return list(session.exec(select(Note).where(where).order_by(col(Note.created_at), col(Note.id)).limit(500)))


def case_notes(*, session: Session, case_id: int, mention_ids: list[int]) -> list[Note]:
    """Notes on the case and on any of its mentions, oldest first."""
    where = col(Note.case_id) == case_id
    if mention_ids:
        where = where | col(Note.mention_id).in_(mention_ids)
    return list(session.exec(select(Note).where(where).order_by(col(Note.created_at), col(Note.id)).limit(500)))


# --- tags -------------------------------------------------------------------------------------------------


def add_tag(mention_id: int, *, session: Session, actor: str, tag: str) -> str:
    _mention(mention_id, session=session)
    name = normal_tag(tag)
    if session.get(MentionTag, (mention_id, name)) is not None:
        return name
    session.add(MentionTag(mention_id=mention_id, tag=name, origin="manual", added_by=actor))
    record_audit(session=session, actor=actor, action="tag", mention_id=mention_id, after=name)
    return name


def remove_tag(mention_id: int, *, session: Session, actor: str, tag: str) -> str:
    name = normal_tag(tag)
    gone = session.execute(
        delete(MentionTag).where(col(MentionTag.mention_id) == mention_id, col(MentionTag.tag) == name)
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"mention {mention_id} has no tag {name!r}")
    record_audit(session=session, actor=actor, action="untag", mention_id=mention_id, before=name)
    return name


def tags_of(mention_ids: Iterable[int], *, session: Session) -> dict[int, list[str]]:
    ids = list(mention_ids)
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    rows = session.exec(
        select(MentionTag.mention_id, MentionTag.tag)
        .where(col(MentionTag.mention_id).in_(ids))
        .order_by(col(MentionTag.tag))
    )
    for mention_id, tag in rows:
        found.setdefault(mention_id, []).append(tag)
    return found


def tag_new_mentions(mentions: Iterable[TaggedMention], brands: Mapping[str, Brand], *, session: Session) -> int:
    """The brand file's tag rules over a batch being stored (in its transaction); returns how many tags."""
    now = utcnow()
    rows = []
    for m in mentions:
        brand = brands.get(m.brand)
        if brand is None or not brand.tags or m.id is None:
            continue
        facts = TagFacts(text=m.text, label=m.label, language=m.language, platform=m.platform)
        rows += [
            {"mention_id": m.id, "tag": tag, "origin": "rule", "added_by": "rules", "added_at": now}
            for tag in rule_tags(facts, brand)
        ]
    if rows:
        session.execute(insert(MentionTag), rows)
    return len(rows)
