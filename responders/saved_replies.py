"""Saved replies: a brand's canned answers with placeholders, filled in for the mention being answered.

Placeholders are `{name}` (the customer's first name, else their @handle), `{handle}`, `{brand}`, `{platform}`
and `{agent}` (the person writing). Anything else in braces is refused when the reply is saved, so a typo never
reaches a customer. Filling in is plain substitution: no template language, nothing to evaluate."""

from __future__ import annotations

import re

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import InputError, NotFound
from responders.drafting import clean, greeting_name
from storage.desk_models import SavedReply
from storage.models import Mention
from storage.queries import record_audit

PLACEHOLDERS = ("name", "handle", "brand", "platform", "agent")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_TITLE = 120
MAX_BODY = 5_000


def check_body(body: str) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InputError("the saved reply is empty")
    if len(text) > MAX_BODY:
        raise InputError(f"the saved reply is {len(text):,} characters; at most {MAX_BODY:,}")
    unknown = sorted({p for p in _PLACEHOLDER.findall(text) if p not in PLACEHOLDERS})
    if unknown:
        raise InputError(
            f"unknown placeholder {{{unknown[0][:40]}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
        )
    return text


def create(*, session: Session, brand: Brand, title: str, body: str, actor: str) -> SavedReply:
    name = " ".join(title.split())
    if not name or len(name) > MAX_TITLE:
        raise InputError(f"a saved reply needs a title of 1 to {MAX_TITLE} characters")
    taken = session.exec(select(SavedReply).where(SavedReply.brand == brand.key, SavedReply.title == name)).first()
    if taken is not None:
        raise InputError(f"brand {brand.key!r} already has a saved reply titled {name!r}")
    reply = SavedReply(brand=brand.key, title=name, body=check_body(body), created_by=actor)
    session.add(reply)
    session.flush()
    record_audit(session=session, actor=actor, action="saved_reply_add", after=reply.body, detail={"title": name})
    return reply


def delete(reply_id: int, *, session: Session, actor: str) -> SavedReply:
    reply = session.get(SavedReply, reply_id)
    if reply is None:
        raise NotFound(f"no saved reply {reply_id}")
    session.delete(reply)
    record_audit(
        session=session, actor=actor, action="saved_reply_delete", before=reply.body, detail={"title": reply.title}
    )
    return reply


def find(*, session: Session, brand: str, query: str = "", limit: int = 20) -> list[SavedReply]:
    """A brand's saved replies whose title or text holds every word of `query`; most used first."""
    stmt = select(SavedReply).where(SavedReply.brand == brand)
    for word in query.split()[:8]:
        pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(col(SavedReply.title)).like(pattern, escape="\\"),
                func.lower(col(SavedReply.body)).like(pattern, escape="\\"),
            )
        )
    return list(session.exec(stmt.order_by(col(SavedReply.uses).desc(), col(SavedReply.title)).limit(limit)))


def fill(body: str, *, mention: Mention, brand: Brand, agent: str) -> str:
    """The saved reply's text for this mention. Customer-supplied values lose invisible characters first."""
    values = {
        "name": greeting_name(mention.author_name, mention.author_handle),
        "handle": "@" + clean(mention.author_handle).lstrip("@"),
        "brand": brand.name,
        "platform": mention.platform,
        "agent": clean(agent),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
