"""The team's JSON API: write a reply, assign, note, tag, search, saved replies. Same roles and authentication
as the rest of /api (mentiondesk/web/api.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from mentiondesk.core.errors import NotFound
from mentiondesk.core.local_time import in_zone, local_iso, local_label
from mentiondesk.web import actions, params, team_queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk
from mentiondesk.web.params import BadValue, ItemId
from mentiondesk.web.routes_search import search_filters
from mentiondesk.web.routes_team import brand_zone
from responders import saved_replies, team
from responders.compose import compose
from storage.models import Case, Mention
from storage.search import search

router = APIRouter(prefix="/api", dependencies=[Depends(csrf_protect)])


class ReplyBody(BaseModel):
    text: str = Field(min_length=1, max_length=params.MAX_TEXT_LENGTH)
    saved_reply_id: int | None = Field(default=None, ge=1, le=params.MAX_ID)

    _no_nul = field_validator("text")(params.no_nul)


class AssignBody(BaseModel):
    to: str | None = Field(default=None, max_length=64, description="A desk user's name; null for nobody.")
    follow_up_at: datetime | None = Field(
        default=None,
        description="For a case: when to get back to the customer. Without an offset, a clock time in the brand's "
        "time zone.",
    )

    _no_nul = field_validator("to")(params.no_nul)


class NoteBody(BaseModel):
    text: str = Field(min_length=1, max_length=team.MAX_NOTE)

    _no_nul = field_validator("text")(params.no_nul)


class TagBody(BaseModel):
    tag: str = Field(min_length=1, max_length=60)

    _no_nul = field_validator("tag")(params.no_nul)


class SavedReplyBody(BaseModel):
    brand: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=saved_replies.MAX_TITLE)
    body: str = Field(min_length=1, max_length=saved_replies.MAX_BODY)

    _no_nul = field_validator("title", "body")(params.no_nul)


def _ok(outcome: actions.Outcome, **extra: Any) -> dict[str, Any]:
    if not outcome.ok:
        raise HTTPException(status_code=outcome.status, detail=outcome.message)
    return {"ok": True, "message": outcome.message, **extra}


def mention_json(m: Mention, tags: list[str], *, in_reply: bool = False) -> dict[str, Any]:
    return {
        "mention_id": m.id,
        "brand": m.brand,
        "platform": m.platform,
        "url": m.url,
        "author_handle": m.author_handle,
        "author_name": m.author_name,
        "text": m.text,
        "created_at": m.created_at.isoformat(),
        "label": m.label,
        "assigned_to": m.assigned_to,
        "case_id": m.case_id,
        "tags": tags,
        "found_in_reply": in_reply,
    }


@router.post("/mentions/{mention_id}/reply", tags=["compose"])
def write_reply(*, request: Request, mention_id: ItemId, body: ReplyBody, user: Actor) -> dict[str, Any]:
    """Write a reply to any mention. It goes through the policy gate (422 with the reasons when no reply may be
    sent) and waits in the queue for approval, by someone else unless the brand allows self-approval."""
    state = desk(request)
    outcome = actions.run(
        state.engine,
        "Reply written; it waits for approval.",
        lambda s: compose(
            mention_id,
            session=s,
            actor=user.name,
            text=body.text,
            brands=state.brands,
            saved_reply_id=body.saved_reply_id,
        ),  # fmt: skip
    )
    draft = outcome.result
    return _ok(outcome, draft_id=getattr(draft, "id", None), state=getattr(draft, "state", None))


def _in_brand_zone(
    moment: datetime | None, session: Session, request: Request, *, mention_id: int | None = None,
    case_id: int | None = None,
) -> datetime | None:  # fmt: skip
    if moment is None:
        return None
    return in_zone(moment, brand_zone(session, desk(request).brands, mention_id=mention_id, case_id=case_id))


@router.post("/mentions/{mention_id}/assign", tags=["team"])
def assign_mention(*, request: Request, mention_id: ItemId, body: AssignBody, user: Actor) -> dict[str, Any]:
    """Give a mention (and its open case) to a desk user; `to: null` takes it back."""
    outcome = actions.run(
        desk(request).engine,
        "Assigned.",
        lambda s: team.assign_mention(
            mention_id,
            session=s,
            actor=user.name,
            to=body.to,
            follow_up_at=_in_brand_zone(body.follow_up_at, s, request, mention_id=mention_id),
        ),  # fmt: skip
    )
    return _ok(outcome, assigned_to=getattr(outcome.result, "assigned_to", None))


@router.post("/cases/{case_id}/assign", tags=["team"])
def assign_case(*, request: Request, case_id: ItemId, body: AssignBody, user: Actor) -> dict[str, Any]:
    outcome = actions.run(
        desk(request).engine,
        "Assigned.",
        lambda s: team.assign_case(
            case_id,
            session=s,
            actor=user.name,
            to=body.to,
            follow_up_at=_in_brand_zone(body.follow_up_at, s, request, case_id=case_id),
        ),  # fmt: skip
    )
    return _ok(outcome, assigned_to=getattr(outcome.result, "assigned_to", None))


@router.post("/mentions/{mention_id}/notes", tags=["team"])
def note(*, request: Request, mention_id: ItemId, body: NoteBody, user: Actor) -> dict[str, Any]:
    """An internal note: shown in the thread and the audit, never sent."""
    outcome = actions.run(
        desk(request).engine,
        "Note added.",
        lambda s: team.add_note(session=s, actor=user.name, text=body.text, mention_id=mention_id),
    )
    return _ok(outcome, note_id=getattr(outcome.result, "id", None))


@router.post("/cases/{case_id}/notes", tags=["team"])
def case_note(*, request: Request, case_id: ItemId, body: NoteBody, user: Actor) -> dict[str, Any]:
    """An internal note on a case: shown on the case page and its first mention's thread, never sent."""
    outcome = actions.run(
        desk(request).engine,
        "Note added.",
        lambda s: team.add_note(session=s, actor=user.name, text=body.text, case_id=case_id),
    )
    return _ok(outcome, note_id=getattr(outcome.result, "id", None))


@router.post("/mentions/{mention_id}/tags", tags=["team"])
def tag(*, request: Request, mention_id: ItemId, body: TagBody, user: Actor) -> dict[str, Any]:
    outcome = actions.run(
        desk(request).engine, "Tagged.", lambda s: team.add_tag(mention_id, session=s, actor=user.name, tag=body.tag)
    )
    return _ok(outcome, tag=outcome.result)


@router.delete("/mentions/{mention_id}/tags/{tag}", tags=["team"])
def untag(*, request: Request, mention_id: ItemId, tag: str, user: Actor) -> dict[str, Any]:
    outcome = actions.run(
        desk(request).engine, "Tag removed.", lambda s: team.remove_tag(mention_id, session=s, actor=user.name, tag=tag)
    )
    return _ok(outcome, tag=outcome.result)


@router.get("/search", tags=["search"])
def search_json(
    *,
    request: Request,
    q: str = Query("", max_length=params.MAX_FILTER_LENGTH, description="Every word must match."),
    brand: str = "",
    platform: str = "",
    label: str = "",
    tag: str = "",
    start: str = Query("", description="YYYY-MM-DD"),
    end: str = Query("", description="YYYY-MM-DD, inclusive"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000),
    user: SignedIn,
    session: DB,
) -> dict[str, Any]:
    """Full text over mentions, their authors and our replies, newest first."""
    params.clean_text(q, "q", max_length=params.MAX_FILTER_LENGTH)
    f = search_filters(desk(request).brands, brand=brand, platform=platform, label=label, tag=tag, start=start, end=end)
    hits = search(q, f, session=session, limit=limit, offset=offset)
    tags = team.tags_of([h.mention.id for h in hits if h.mention.id is not None], session=session)
    return {
        "query": q,
        "items": [mention_json(h.mention, tags.get(h.mention.id or 0, []), in_reply=h.in_reply) for h in hits],
    }


@router.get("/mine", tags=["team"])
def mine(*, request: Request, user: SignedIn, session: DB) -> dict[str, Any]:
    """Your open cases (follow-ups due first) and the mentions assigned to you outside a case."""
    view = team_queries.mine(session, user.name)
    brands = desk(request).brands

    def follow_up(case: Case) -> dict[str, Any]:
        """The promised time in the brand's time zone, its offset in the ISO value and the zone named."""
        brand = brands.get(case.brand)
        zone = brand.time_zone if brand else "UTC"
        if case.follow_up_at is None:
            return {"follow_up_at": None, "follow_up_zone": zone, "follow_up_local": None}
        return {
            "follow_up_at": local_iso(case.follow_up_at, zone),
            "follow_up_zone": zone,
            "follow_up_local": local_label(case.follow_up_at, zone),
        }

    return {
        "follow_ups_due": [
            {"case_id": r.case.id, "author": r.author, "awaiting": r.awaiting, **follow_up(r.case)} for r in view["due"]
        ],
        "cases": [{"case_id": r.case.id, "author": r.author, "brand": r.case.brand} for r in view["cases"]],
        "mentions": [mention_json(row.mention, row.tags) for row in view["mentions"]],
    }


@router.get("/saved-replies", tags=["compose"])
def saved(
    *,
    request: Request,
    brand: str = "",
    q: str = Query("", max_length=params.MAX_FILTER_LENGTH),
    mention_id: int | None = Query(None, ge=1, le=params.MAX_ID, description="Fill the placeholders for it."),
    user: SignedIn,
    session: DB,
) -> list[dict[str, Any]]:
    state = desk(request)
    mention = session.get(Mention, mention_id) if mention_id else None
    if mention_id and mention is None:
        raise NotFound(f"no mention {mention_id}")
    key = mention.brand if mention else params.choice(brand, "brand", state.brands)
    if not key or key not in state.brands:
        raise BadValue("give a brand or a mention_id")
    out = []
    for r in saved_replies.find(session=session, brand=key, query=q, limit=100):
        item: dict[str, Any] = {"id": r.id, "title": r.title, "body": r.body, "uses": r.uses}
        if mention is not None:
            item["text"] = saved_replies.fill(r.body, mention=mention, brand=state.brands[key], agent=user.name)
        out.append(item)
    return out


@router.post("/saved-replies", tags=["compose"])
def add_saved(*, request: Request, body: SavedReplyBody, user: Actor) -> dict[str, Any]:
    state = desk(request)
    key = params.choice(body.brand, "brand", state.brands)
    if not key:
        raise BadValue("brand is required")
    outcome = actions.run(
        state.engine,
        "Saved reply added.",
        lambda s: saved_replies.create(
            session=s, brand=state.brands[key], title=body.title, body=body.body, actor=user.name
        ),
    )
    return _ok(outcome, id=getattr(outcome.result, "id", None))
