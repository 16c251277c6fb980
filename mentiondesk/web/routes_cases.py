"""Cases: complaint threads open until someone resolves them."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.core.errors import NotFound
from mentiondesk.web import actions, case_queries, params, queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import ItemId
from mentiondesk.web.routes_team import follow_up_time
from responders import team

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/cases")
def cases_page(
    *,
    request: Request,
    status: str = "open",
    brand: str = "",
    page: str = "1",
    user: SignedIn,
    session: DB,
) -> Response:
    state = desk(request)
    status = params.choice(status, "status", ("open", "resolved"), default="open") or "open"
    brand = params.choice(brand, "brand", state.brands)
    total = queries.count_cases(session, brand=brand, status=status)
    pages = max(1, -(-total // queries.PAGE_SIZE))
    number = min(params.whole_number(page, "page", low=1, high=params.MAX_PAGE, default=1), pages)
    rows = queries.open_cases(
        session, brand=brand, status=status, limit=queries.PAGE_SIZE, offset=(number - 1) * queries.PAGE_SIZE
    )

    def page_url(n: int) -> str:
        query = {"status": status, "brand": brand, "page": n if n > 1 else ""}
        return "/cases?" + urlencode({k: v for k, v in query.items() if v not in ("", None)})

    return state.templates.TemplateResponse(
        request,
        "cases.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "rows": rows,
            "total": total,
            "page": number,
            "pages": pages,
            "prev_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if number < pages else "",
            "status": status,
            "brand": brand,
            "brands": state.brands,
            "awaiting": sum(1 for r in rows if r.awaiting),
            "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "nav": "cases",
        },
    )


@router.post("/cases/{case_id}/resolve")
def resolve(*, request: Request, case_id: ItemId, back: str = Form("/cases"), user: Actor) -> Response:
    outcome = actions.resolve_case(desk(request).engine, case_id, actor=user.name)
    response = RedirectResponse(safe_next(back, "/cases"), status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


@router.get("/cases/{case_id}")
def case_page(*, request: Request, case_id: ItemId, user: SignedIn, session: DB) -> Response:
    state = desk(request)
    detail = case_queries.case_detail(session, case_id)
    if detail is None:
        raise NotFound(f"no case {case_id}")
    return state.templates.TemplateResponse(
        request,
        "case.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "d": detail,
            "brand": state.brands.get(detail.case.brand),
            "back": request.url.path,
            "nav": "cases",
        },
    )


def _done(path: str, outcome: actions.Outcome) -> Response:
    response = RedirectResponse(path, status_code=303)
    flash(response, outcome.message, "ok" if outcome.ok else "error")
    return response


@router.post("/cases/{case_id}/reopen")
def reopen(*, request: Request, case_id: ItemId, user: Actor) -> Response:
    return _done(f"/cases/{case_id}", actions.reopen_case(desk(request).engine, case_id, actor=user.name))


@router.post("/cases/{case_id}/notes")
def case_note(*, request: Request, case_id: ItemId, text: str = Form(""), user: Actor) -> Response:
    params.clean_text(text, "note")
    outcome = actions.run(
        desk(request).engine,
        "Note added (internal: never sent).",
        lambda s: team.add_note(session=s, actor=user.name, text=text, case_id=case_id),
    )
    return _done(f"/cases/{case_id}#timeline", outcome)


@router.post("/cases/{case_id}/assign")
def case_assign(
    *, request: Request, case_id: ItemId, to: str = Form(""), follow_up: str = Form(""), user: Actor
) -> Response:
    params.clean_text(to, "user", max_length=64)
    params.clean_text(follow_up, "follow_up", max_length=64)
    owner = to.strip() or None
    brands = desk(request).brands
    outcome = actions.run(
        desk(request).engine,
        f"Case {case_id} assigned to {owner}." if owner else f"Case {case_id} has no owner now.",
        lambda s: team.assign_case(
            case_id,
            session=s,
            actor=user.name,
            to=owner,
            follow_up_at=follow_up_time(follow_up, s, brands, case_id=case_id),
        ),  # fmt: skip
    )
    return _done(f"/cases/{case_id}", outcome)
