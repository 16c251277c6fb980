"""The queue, its actions, and the mention detail page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from mentiondesk.core.errors import NotFound
from mentiondesk.platforms import NAMES as PLATFORMS
from mentiondesk.web import actions, params, queries, team_queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import ItemId
from responders.holding import held_replies
from responders.queue import LABELS
from storage.models import DraftState, utcnow

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

STATES = [s.value for s in DraftState]


def filters_from(request: Request, session: Session) -> tuple[queries.QueueFilters, str]:
    """The queue's filters from the address, and a note on the tag filter; a value outside its menu or range is a
    400, not a guess. A tag is free text: one nobody uses filters to nothing and the note says so."""
    q = request.query_params
    raw_tag = params.clean_text(q.get("tag", ""), "tag", max_length=params.MAX_FILTER_LENGTH)
    tag, tag_note = queries.tag_filter(session, raw_tag)
    f = queries.QueueFilters(
        brand=params.choice(q.get("brand"), "brand", desk(request).brands),
        platform=params.choice(q.get("platform"), "platform", PLATFORMS),
        category=params.choice(q.get("category"), "category", LABELS),
        state=params.choice(q.get("state"), "state", STATES, default=DraftState.DRAFTED),
        min_urgency=params.whole_number(q.get("min_urgency"), "min_urgency", low=0, high=100, default=0),
        tag=tag,
        page=params.whole_number(q.get("page"), "page", low=1, high=params.MAX_PAGE, default=1),
    )
    return f, tag_note


@router.get("/queue")
def queue_page(*, request: Request, user: SignedIn, session: DB) -> Response:
    f, tag_note = filters_from(request, session)
    state = desk(request)
    rows = queries.queue_rows(session, f)
    items = queries.queue_items(session, rows, state.brands)
    going_out = held_replies(session=session, brands=state.brands, now=utcnow()) if f.page == 1 else []
    cap = max(queries.COUNT_CAP, f.page * queries.PAGE_SIZE)
    total = queries.queue_count(session, f, cap=cap)
    more = total > cap  # counted up to the cap only: the page shows "10,000+" and a next page
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    pages = max(1, -(-min(total, cap) // queries.PAGE_SIZE))
    return state.templates.TemplateResponse(
        request,
        "queue.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "items": items,
            "going_out": going_out,
            "total": min(total, cap),
            "more": more,
            "filters": f,
            "tag_note": tag_note,
            "facets": queries.queue_facets(state.brands),
            "brands": state.brands,
            "states": STATES,
            "labels": LABELS,
            "attention": queries.sends_needing_attention(session),
            "back": back,
            "page": f.page,
            "pages": pages,
            "prev_url": "/queue?" + urlencode(f.as_query(page=f.page - 1)) if f.page > 1 else None,
            "next_url": "/queue?" + urlencode(f.as_query(page=f.page + 1)) if f.page < pages or more else None,
            "nav": "queue",
        },
    )


def _done(request: Request, back: str, outcome: actions.Outcome, anchor: str = "") -> Response:
    response = RedirectResponse(safe_next(back) + anchor, status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@router.post("/drafts/{draft_id}/approve")
def approve(
    *,
    request: Request,
    draft_id: ItemId,
    version: int | None = Form(None, ge=0, le=params.MAX_ID),
    text: str | None = Form(None),
    original: str | None = Form(None),
    back: str = Form("/queue"),
    user: Actor,
) -> Response:
    if text is not None:
        params.clean_text(text, "reply")
    edited = None
    if text is not None and original is not None and _clean(text).strip() != _clean(original).strip():
        edited = _clean(text).strip()
    state = desk(request)
    outcome = actions.approve(
        state.engine, draft_id, actor=user.name, text=edited, expected_version=version, brands=state.brands
    )
    return _done(request, back, outcome)


@router.post("/drafts/{draft_id}/reject")
def reject(
    *,
    request: Request,
    draft_id: ItemId,
    reason: str = Form(""),
    version: int | None = Form(None, ge=0, le=params.MAX_ID),
    wrong_category: str = Form(""),
    back: str = Form("/queue"),
    user: Actor,
) -> Response:
    params.clean_text(reason, "reason")
    params.choice(wrong_category, "category", LABELS)
    outcome = actions.reject(
        desk(request).engine,
        draft_id,
        actor=user.name,
        reason=reason,
        expected_version=version,
        correct_label=wrong_category or None,
    )
    return _done(request, back, outcome)


def _picked(values: list[object]) -> list[tuple[int, int | None]]:
    items: list[tuple[int, int | None]] = []
    for raw in values:
        draft_id, _, version = str(raw).partition(":")
        if draft_id.strip():
            items.append(
                (
                    params.whole_number(draft_id, "draft id", low=1, high=params.MAX_ID, default=0),
                    params.whole_number(version, "version", low=0, high=params.MAX_ID, default=-1) if version else None,
                )
            )
    return items


@router.post("/drafts/bulk-approve")
async def bulk_approve(*, request: Request, user: Actor) -> Response:
    """ "Approve selected": the drafts ticked with the page's boxes, except those that need review and
    escalations, which are approved only when ticked one by one (their own box, which "Select all" never
    ticks)."""
    form = await request.form()
    picked = _picked(list(form.getlist("item")))
    reviewed = _picked(list(form.getlist("reviewed")))
    back = str(form.get("back") or "/queue")
    if not picked and not reviewed:
        return _done(request, back, actions.Outcome(False, "Select drafts to approve first."))
    from starlette.concurrency import run_in_threadpool

    engine = desk(request).engine
    held = await run_in_threadpool(actions.held_from_bulk, engine, [i for i, _ in picked])
    items = [item for item in picked if item[0] not in held] + reviewed
    if not items:
        return _done(request, back, actions.Outcome(False, _left_out(held)))
    outcome = await run_in_threadpool(actions.bulk_approve, engine, items, actor=user.name, brands=desk(request).brands)
    if held:
        outcome = actions.Outcome(outcome.ok, f"{outcome.message} {_left_out(held)}", outcome.status)
    return _done(request, back, outcome)


def _left_out(held: dict[int, str]) -> str:
    review = sorted(i for i, why in held.items() if why == "review")
    case = sorted(i for i, why in held.items() if why == "case")
    parts = []
    if review:
        parts.append(
            f"Left out {len(review)} that need review or are escalated ({_ids(review)}): tick each one to approve it."
        )
    if case:
        parts.append(
            f"Left out {len(case)} that answer a customer's earlier post while their newer post has its own reply "
            f"({_ids(case)}): tick each one to answer it too."
        )
    return " ".join(parts)


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


@router.post("/drafts/{draft_id}/stop")
def stop(
    *,
    request: Request,
    draft_id: ItemId,
    version: int | None = Form(None, ge=0, le=params.MAX_ID),
    back: str = Form("/queue"),
    user: Actor,
) -> Response:
    """Stop an automated thank-you in the "Going out" lane: it is rejected and never sent."""
    outcome = actions.stop(desk(request).engine, draft_id, actor=user.name, expected_version=version)
    return _done(request, back, outcome, "#going-out")


@router.post("/mentions/{mention_id}/relabel")
def relabel(
    *,
    request: Request,
    mention_id: ItemId,
    label: str = Form(""),
    keep_edit: bool = Form(False),
    back: str = Form("/queue"),
    user: Actor,
) -> Response:
    if label not in LABELS:
        return _done(request, back, actions.Outcome(False, f"Unknown category {label!r}."))
    state = desk(request)
    outcome = actions.relabel(
        state.engine, mention_id, actor=user.name, label=label, brands=state.brands, keep_edit=keep_edit
    )
    return _done(request, back, outcome)


@router.post("/authors/{author_id}/opt-out")
def opt_out(
    *,
    request: Request,
    author_id: ItemId,
    opted_out: bool = Form(...),
    mention_id: int | None = Form(None),
    back: str = Form("/queue"),
    user: Actor,
) -> Response:
    outcome = actions.set_opt_out(
        desk(request).engine, author_id, actor=user.name, opted_out=opted_out, mention_id=mention_id
    )
    return _done(request, back, outcome)


@router.get("/mentions/{mention_id}")
def mention_page(*, request: Request, mention_id: ItemId, user: SignedIn, session: DB) -> Response:
    state = desk(request)
    detail = queries.mention_detail(session, mention_id, state.brands)
    if detail is None:
        raise NotFound(f"no mention {mention_id}")
    open_draft = next((d for d in detail.drafts if d.state == DraftState.DRAFTED), None)
    team = team_queries.mention_context(session, detail, state.brands, agent=user.name)
    return state.templates.TemplateResponse(
        request,
        "mention.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "d": detail,
            "open_draft": open_draft,
            "labels": LABELS,
            "back": request.url.path,
            "nav": "queue",
            **team,
        },
    )
