"""Login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from mentiondesk.web.auth import authenticate, password_version
from mentiondesk.web.deps import (
    DB,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    csrf_protect,
    current_identity,
    desk,
    safe_next,
)

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
    throttle = desk(request).throttle
    client = request.client.host if request.client else "?"
    keys = (f"ip:{client}", f"user:{name.lower()}")
    wait = throttle.retry_after(*keys)
    if wait:
        return _login_form(request, next, f"Too many failed attempts. Try again in {wait} seconds.", 429, name)
    user = authenticate(session, name.strip(), password)
    if user is None:
        throttle.failed(*keys)
        return _login_form(request, next, "Wrong name or password.", 401, name)
    throttle.succeeded(keys[1])
    response = RedirectResponse(safe_next(next), status_code=303)
    cookie = desk(request).sessions.sign({"uid": user.id, "pv": password_version(user.password_hash)})
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=desk(request).secure_cookies(request),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(*, request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
