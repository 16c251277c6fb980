"""Sources (everyone) and accounts (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.core.errors import MentionDeskError
from mentiondesk.web import queries, users
from mentiondesk.web.deps import DB, Admin, SignedIn, csrf_protect, desk, flash, pop_flash
from storage.db import transaction
from storage.models import Role, utcnow

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/sources")
def sources_page(*, request: Request, user: SignedIn, session: DB) -> Response:
    return desk(request).templates.TemplateResponse(
        request,
        "sources.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "rows": queries.sources(session),
            "now": utcnow(),
            "nav": "sources",
        },
    )


@router.get("/users")
def users_page(*, request: Request, user: Admin, session: DB) -> Response:
    return desk(request).templates.TemplateResponse(
        request,
        "users.html",
        {
            "user": user,
            "flash": pop_flash(request),
            "rows": users.list_users(session),
            "roles": [r.value for r in Role],
            "nav": "users",
        },
    )


def _after(message: str, ok: bool = True) -> Response:
    response = RedirectResponse("/users", status_code=303)
    flash(response, message, "ok" if ok else "error")
    return response


@router.post("/users")
def add_user(
    *,
    request: Request,
    name: str = Form(""),
    role: str = Form("analyst"),
    password: str = Form(""),
    user: Admin,
) -> Response:
    try:
        with transaction(desk(request).engine) as session:
            users.add_user(session, name.strip(), role, password, actor=user.name)
    except MentionDeskError as exc:
        return _after(str(exc), ok=False)
    return _after(f"Added {name.strip()} ({role}).")


@router.post("/users/{name}/update")
def update_user(
    *,
    request: Request,
    name: str,
    role: str = Form(""),
    disabled: str = Form(""),
    password: str = Form(""),
    user: Admin,
) -> Response:
    try:
        with transaction(desk(request).engine) as session:
            if role:
                users.set_role(session, name, role, actor=user.name)
            if disabled in ("0", "1"):
                users.set_disabled(session, name, disabled == "1", actor=user.name)
            if password:
                users.set_password(session, name, password, actor=user.name)
    except MentionDeskError as exc:
        return _after(str(exc), ok=False)
    return _after(f"Updated {name}.")
