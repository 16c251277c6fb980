"""Cases: complaint threads open until someone resolves them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.web import actions, params, queries
from mentiondesk.web.deps import DB, Actor, SignedIn, csrf_protect, desk, flash, pop_flash, safe_next
from mentiondesk.web.params import ItemId

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/cases")
def cases_page(
    *,
    request: Request,
    status: str = "open",
    brand: str = "",
    user: SignedIn,
    session: DB,
) -> Response:
    state = desk(request)
    status = params.choice(status, "status", ("open", "resolved"), default="open") or "open"
    brand = params.choice(brand, "brand", state.brands)
    rows = queries.open_cases(session, brand=brand, status=status)
    return state.templates.TemplateResponse(
        request,
        "cases.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "rows": rows,
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
