"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.web.auth import authenticate
from mentiondesk.web.deps import (
    DB,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    csrf_protect,
    current_identity,
    desk,
    safe_next,
)
from mentiondesk.web.sessions import end_session, start_session
from storage.db import transaction

router = APIRouter(dependencies=[Depends(csrf_protect)])


@router.get("/", include_in_schema=False)
def home(*, request: Request) -> Response:
    return RedirectResponse("/queue" if current_identity(request) else "/login", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(*, request: Request, next: str = "") -> Response:
    if current_identity(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next, "")


def _login_form(request: Request, next_url: str, error: str, status: int = 200, name: str = "") -> Response:
    return desk(request).templates.TemplateResponse(
        request,
        "login.html",
        {"next": safe_next(next_url), "error": error, "name": name, "user": None},
        status_code=status,
    )


@router.post("/login", include_in_schema=False)
def login(
    *,
    request: Request,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
    session: DB,
) -> Response:
    state = desk(request)
    address = request.client.host if request.client else "?"
    wait = state.throttle.attempt(name, address)
    if wait:
        return _login_form(request, next, f"Too many failed attempts. Try again in {wait} seconds.", 429, name)
    user = authenticate(session, name, password)
    if user is None:
        return _login_form(request, next, "Wrong name or password.", 401, name)
    state.throttle.succeeded(name, address)
    with transaction(state.engine) as writer:
        cookie = start_session(writer, user)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=state.secure_cookies(request),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(*, request: Request) -> Response:
    """Ends the session in the database, so a copy of the cookie stops working too."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with transaction(desk(request).engine) as session:
            end_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
