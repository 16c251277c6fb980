"""The "Going out" lane: automated thank-yous wait out the brand's hold window in state `held`, where a manager
can stop any of them; only then are they approved for a sender to take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand, BrandConfig, ReplyPolicy
from mentiondesk.core.errors import Conflict, InvalidTransition, NotFound
from responders.states import transition
from storage.models import Draft, DraftState, Mention, ReplyLedger, as_utc
from storage.queries import record_audit

DEFAULT_HOLD = timedelta(minutes=ReplyPolicy().thank_hold_minutes)


def hold_window(brand: Brand | None) -> timedelta:
    return timedelta(minutes=brand.reply_policy.thank_hold_minutes) if brand is not None else DEFAULT_HOLD


def goes_out_at(draft: Draft, brand: Brand | None) -> datetime:
    """When a held thank-you may be approved for sending: its hold began when it was drafted and auto-approved."""
    return as_utc(draft.approved_at or draft.created_at) + hold_window(brand)


@dataclass(frozen=True)
class HeldReply:
    draft: Draft
    mention: Mention
    goes_out_at: datetime
    minutes_left: float


def held_replies(
    *, session: Session, brands: BrandConfig | dict[str, Brand] | None, now: datetime, limit: int = 100
) -> list[HeldReply]:
    """The lane, soonest first."""
    known = _brand_map(brands)
    rows = session.exec(
        select(Draft, Mention)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(Draft.state == DraftState.HELD)
        .order_by(col(Draft.approved_at), col(Draft.id))
        .limit(limit)
    )
    lane = []
    for draft, mention in rows:
        at = goes_out_at(draft, known.get(draft.brand))
        lane.append(HeldReply(draft, mention, at, max(0.0, (at - now).total_seconds() / 60)))
    return lane


def release_due(
    *, session: Session, brands: BrandConfig | dict[str, Brand] | None, now: datetime, actor: str = "sender"
) -> list[int]:
    """held -> approved for every thank-you whose hold window is over; returns their ids. A manager who stops
    one at the same moment wins or loses by compare-and-set, never both."""
    known = _brand_map(brands)
    released: list[int] = []
    for draft in list(session.exec(select(Draft).where(Draft.state == DraftState.HELD))):
        if goes_out_at(draft, known.get(draft.brand)) > now:
            continue
        if transition(draft, DraftState.APPROVED, session=session):
            record_audit(
                session=session, actor=actor, action="release_held", draft_id=draft.id, mention_id=draft.mention_id
            )
            released.append(draft.id or 0)
    return released


def stop(draft_id: int, *, session: Session, actor: str, expected_version: int | None = None) -> Draft:
    """A manager stops an automated thank-you before it is sent: held, or released but not yet claimed."""
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    if not draft.automated or draft.state not in (DraftState.HELD, DraftState.APPROVED):
        raise InvalidTransition(draft_id, draft.state, "stopped")
    if not transition(
        draft,
        DraftState.REJECTED,
        session=session,
        expected_version=expected_version,
        rejected_reason=f"stopped before sending by {actor}",
    ):
        raise Conflict(f"draft {draft_id} was changed meanwhile (it is now {draft.state}); it may be on its way")
    session.execute(
        delete(ReplyLedger).where(col(ReplyLedger.draft_id) == draft.id, col(ReplyLedger.posted_at).is_(None))
    )
    record_audit(session=session, actor=actor, action="stop", draft_id=draft.id, mention_id=draft.mention_id)
    return draft


def _brand_map(brands: BrandConfig | dict[str, Brand] | None) -> dict[str, Brand]:
    if brands is None:
        return {}
    return brands.brands if isinstance(brands, BrandConfig) else brands
