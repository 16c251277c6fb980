"""Alerts: every alert raised, newest first, with what triggered it and whether each target took it."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import func
from sqlmodel import col, select

from mentiondesk.web import params
from mentiondesk.web.deps import DB, SignedIn, csrf_protect, desk, pop_flash
from storage.models import Alert

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

PAGE_SIZE = 50
RULES = ("escalation", "spike", "source", "breach", "test")


@router.get("/alerts")
def alerts_page(
    *, request: Request, brand: str = "", rule: str = "", page: str = "1", user: SignedIn, session: DB
) -> Response:
    state = desk(request)
    brand = params.choice(brand, "brand", state.brands)
    rule = params.choice(rule, "rule", RULES)
    where = []
    if brand:
        where.append(col(Alert.brand) == brand)
    if rule:
        where.append(col(Alert.rule) == rule)
    total = int(session.exec(select(func.count()).select_from(Alert).where(*where)).one())
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(params.whole_number(page, "page", low=1, high=params.MAX_PAGE, default=1), pages)
    rows = list(
        session.exec(
            select(Alert)
            .where(*where)
            .order_by(col(Alert.at).desc(), col(Alert.id).desc())
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )

    def page_url(n: int) -> str:
        query = {"brand": brand, "rule": rule, "page": n if n > 1 else ""}
        return "/alerts?" + urlencode({k: v for k, v in query.items() if v})

    return state.templates.TemplateResponse(
        request,
        "alerts.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "rows": rows,
            "total": total,
            "brand": brand,
            "rule": rule,
            "rules": RULES,
            "brands": state.brands,
            "page": number,
            "pages": pages,
            "prev_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if number < pages else "",
            "nav": "alerts",
        },
    )
