"""Replies a person writes on the desk, for any mention, drafted or not. A written reply is a draft like any
other: the policy gate checks it now and again at approval and at sending, and it waits in the queue for
approval (by someone else, unless the brand allows self-approval)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlmodel import Session, col

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import Conflict, InputError, NotFound, PolicyBlocked
from responders.drafting import clean
from responders.policy import check_reply
from storage.desk_models import SavedReply
from storage.models import Author, Draft, DraftState, Mention, utcnow
from storage.queries import open_draft_for, record_audit

# The reasons that depend on what the reply says, not on whether a reply is possible at all.
_TEXT_REASONS = ("the reply is",)


def why_no_reply(mention: Mention, *, session: Session) -> list[str]:
    """Why no reply to this mention can be sent (empty when one can): the author opted out, the post is gone,
    we already answered, or the platform allows no reply to it (e.g. a keyword match on X)."""
    author = session.get(Author, mention.author_id) if mention.author_id else None
    verdict = check_reply(session=session, mention=mention, author=author, text="ok")
    return [r for r in verdict.blocked if not r.startswith(_TEXT_REASONS)]


def compose(
    mention_id: int,
    *,
    session: Session,
    actor: str,
    text: str,
    brands: Mapping[str, Brand],
    saved_reply_id: int | None = None,
) -> Draft:
    """Write a reply to a mention; it waits for approval in the queue. Refused with the gate's reasons when no
    reply may be sent, and when the mention already has an open draft (edit that one instead)."""
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise NotFound(f"no mention {mention_id}")
    if mention.brand not in brands:
        raise InputError(f"mention {mention_id} belongs to brand {mention.brand!r}, which is not in the brand file")
    body = text.replace("\r\n", "\n").strip()
    open_draft = open_draft_for(mention_id, session=session)
    if open_draft is not None:
        raise Conflict(
            f"mention {mention_id} already has reply #{open_draft.id} ({open_draft.state}); edit or reject that one"
        )
    author = session.get(Author, mention.author_id) if mention.author_id else None
    verdict = check_reply(session=session, mention=mention, author=author, text=body)
    if not verdict.may_send:
        raise PolicyBlocked(verdict.blocked)
    now = utcnow()
    draft = Draft(
        mention_id=mention_id,
        open_mention_id=mention_id,
        brand=mention.brand,
        platform=mention.platform,
        state=DraftState.DRAFTED,
        category=mention.label or "other",
        urgency=mention.urgency,
        text=body,
        original_text=body,
        template_key=f"saved:{saved_reply_id}" if saved_reply_id else "written",
        policy_ok=True,
        policy_reasons=verdict.reasons(),
        created_at=now,
        updated_at=now,
        composed_by=actor,
    )
    session.add(draft)
    session.flush()
    if saved_reply_id is not None:
        count_use(saved_reply_id, brand=mention.brand, session=session)
    record_audit(
        session=session,
        actor=actor,
        action="compose",
        draft_id=draft.id,
        mention_id=mention_id,
        after=body,
        detail={"saved_reply": saved_reply_id} if saved_reply_id else {},
    )
    return draft


def count_use(saved_reply_id: int, *, brand: str, session: Session) -> None:
    changed = session.execute(
        update(SavedReply)
        .where(col(SavedReply.id) == saved_reply_id, col(SavedReply.brand) == brand)
        .values(uses=SavedReply.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise InputError(f"saved reply {saved_reply_id} is not one of brand {brand!r}'s")


def self_approval_refused(draft: Draft, *, actor: str, brands: Mapping[str, Brand] | None) -> str | None:
    """Why `actor` may not approve this draft they wrote themselves (None when they may)."""
    if draft.composed_by is None or draft.composed_by != actor:
        return None
    brand = (brands or {}).get(draft.brand)
    if brand is not None and brand.reply_policy.allow_self_approval:
        return None
    return (
        f"{clean(actor)} wrote reply #{draft.id}; another person must approve it "
        f"(brand {draft.brand!r} has reply_policy.allow_self_approval off)"
    )
