"""Ownership, internal notes and tags from the mention page, and the "Mine" view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from mentiondesk.core.brands import Brand
from mentiondesk.core.local_time import parse_local
from mentiondesk.web import actions, params, team_queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import ItemId
from responders import team

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _done(back: str, outcome: actions.Outcome) -> Response:
    response = RedirectResponse(safe_next(back), status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


def brand_zone(session: Session, brands: Mapping[str, Brand], *, mention_id: int | None = None,
               case_id: int | None = None) -> str:  # fmt: skip
    """The time zone of the brand a mention or case belongs to (UTC for a brand no longer configured)."""
    brand = brands.get(team.brand_of(session=session, mention_id=mention_id, case_id=case_id))
    return brand.time_zone if brand else "UTC"


def follow_up_time(
    raw: str, session: Session, brands: Mapping[str, Brand], *, mention_id: int | None = None,
    case_id: int | None = None,
) -> datetime | None:  # fmt: skip
    """A `datetime-local` value, a clock time in the brand's time zone (or with an offset of its own); empty:
    none."""
    if not raw.strip():
        return None
    zone = brand_zone(session, brands, mention_id=mention_id, case_id=case_id)
    return parse_local(raw, zone, what="follow_up")


@router.post("/mentions/{mention_id}/assign")
def assign(
    *,
    request: Request,
    mention_id: ItemId,
    to: str = Form(""),
    follow_up: str = Form(""),
    user: Actor,
) -> Response:
    params.clean_text(to, "user", max_length=64)
    params.clean_text(follow_up, "follow_up", max_length=64)
    owner = to.strip() or None
    brands = desk(request).brands
    outcome = actions.run(
        desk(request).engine,
        f"Mention {mention_id} assigned to {owner}." if owner else f"Mention {mention_id} has no owner now.",
        lambda s: team.assign_mention(
            mention_id,
            session=s,
            actor=user.name,
            to=owner,
            follow_up_at=follow_up_time(follow_up, s, brands, mention_id=mention_id),
        ),  # fmt: skip
    )
    return _done(f"/mentions/{mention_id}", outcome)


@router.post("/mentions/{mention_id}/notes")
def note(*, request: Request, mention_id: ItemId, text: str = Form(""), user: Actor) -> Response:
    params.clean_text(text, "note")
    outcome = actions.run(
        desk(request).engine,
        "Note added (internal: never sent).",
        lambda s: team.add_note(session=s, actor=user.name, text=text, mention_id=mention_id),
    )
    return _done(f"/mentions/{mention_id}#notes", outcome)


@router.post("/mentions/{mention_id}/tags")
def tag(*, request: Request, mention_id: ItemId, tag: str = Form(""), user: Actor) -> Response:
    params.clean_text(tag, "tag", max_length=params.MAX_FILTER_LENGTH)
    outcome = actions.run(
        desk(request).engine,
        "",
        lambda s: team.add_tag(mention_id, session=s, actor=user.name, tag=tag),
    )
    if outcome.ok:
        outcome.message = f"Tagged {outcome.result}."
    return _done(f"/mentions/{mention_id}", outcome)


@router.post("/mentions/{mention_id}/tags/remove")
def untag(*, request: Request, mention_id: ItemId, tag: str = Form(""), user: Actor) -> Response:
    params.clean_text(tag, "tag", max_length=params.MAX_FILTER_LENGTH)
    outcome = actions.run(
        desk(request).engine,
        "Tag removed.",
        lambda s: team.remove_tag(mention_id, session=s, actor=user.name, tag=tag),
    )
    return _done(f"/mentions/{mention_id}", outcome)


@router.get("/mine")
def mine_page(*, request: Request, user: SignedIn, session: DB) -> Response:
    state = desk(request)
    return state.templates.TemplateResponse(
        request,
        "mine.html",
        {"user": user, "flash": pop_flash(request), "nav": "mine", **team_queries.mine(session, user.name)},
    )
