"""Ownership, internal notes and tags from the mention page, and the "Mine" view."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.web import actions, params, team_queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import BadValue, ItemId
from responders import team

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _done(back: str, outcome: actions.Outcome) -> Response:
    response = RedirectResponse(safe_next(back), status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


def follow_up_time(raw: str) -> datetime | None:
    """A `datetime-local` value (taken as UTC), or empty."""
    value = raw.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue("follow_up must be a date and time like 2026-12-01T09:30") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
    when = follow_up_time(follow_up)
    owner = to.strip() or None
    outcome = actions.run(
        desk(request).engine,
        f"Mention {mention_id} assigned to {owner}." if owner else f"Mention {mention_id} has no owner now.",
        lambda s: team.assign_mention(mention_id, session=s, actor=user.name, to=owner, follow_up_at=when),
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
