"""Writing replies on the desk, and the brand's saved replies."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.core.errors import NotFound
from mentiondesk.web import actions, params, team_queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import ItemId
from responders import saved_replies
from responders.compose import compose

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _done(back: str, outcome: actions.Outcome, default: str) -> Response:
    response = RedirectResponse(safe_next(back, default), status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


@router.post("/mentions/{mention_id}/reply")
def write_reply(
    *,
    request: Request,
    mention_id: ItemId,
    text: str = Form(""),
    saved_reply_id: str = Form(""),
    user: Actor,
) -> Response:
    params.clean_text(text, "reply")
    saved = params.whole_number(saved_reply_id, "saved reply", low=1, high=params.MAX_ID, default=0) or None
    state = desk(request)
    outcome = actions.run(
        state.engine,
        "",
        lambda s: compose(mention_id, session=s, actor=user.name, text=text, brands=state.brands, saved_reply_id=saved),
    )
    if outcome.ok:
        outcome.message = f"Reply written (draft #{outcome.result.id}); it waits for approval in the queue" + (
            "." if state.brands[outcome.result.brand].reply_policy.allow_self_approval else " by someone else."
        )
    return _done(f"/mentions/{mention_id}", outcome, "/queue")


@router.get("/saved-replies")
def saved_page(*, request: Request, brand: str = "", q: str = "", user: SignedIn, session: DB) -> Response:
    state = desk(request)
    key = params.choice(brand, "brand", state.brands) or next(iter(state.brands), "")
    params.clean_text(q, "search", max_length=params.MAX_FILTER_LENGTH)
    return state.templates.TemplateResponse(
        request,
        "saved_replies.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "brand": key,
            "brands": state.brands,
            "q": q,
            "replies": team_queries.saved_for_brand(session, key, q) if key else [],
            "placeholders": saved_replies.PLACEHOLDERS,
            "nav": "saved",
        },
    )


@router.post("/saved-replies")
def add_saved(
    *, request: Request, brand: str = Form(""), title: str = Form(""), body: str = Form(""), user: Actor
) -> Response:
    state = desk(request)
    key = params.choice(brand, "brand", state.brands)
    params.clean_text(title, "title", max_length=params.MAX_FILTER_LENGTH)
    params.clean_text(body, "saved reply")
    if not key:
        raise NotFound("choose a brand for the saved reply")
    outcome = actions.run(
        state.engine,
        "Saved reply added.",
        lambda s: saved_replies.create(session=s, brand=state.brands[key], title=title, body=body, actor=user.name),
    )
    return _done(f"/saved-replies?brand={key}", outcome, "/saved-replies")


@router.post("/saved-replies/{reply_id}/delete")
def delete_saved(*, request: Request, reply_id: ItemId, back: str = Form("/saved-replies"), user: Actor) -> Response:
    outcome = actions.run(
        desk(request).engine,
        "Saved reply deleted.",
        lambda s: saved_replies.delete(reply_id, session=s, actor=user.name),
    )
    return _done(back, outcome, "/saved-replies")
