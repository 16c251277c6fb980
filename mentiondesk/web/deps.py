"""Per-request plumbing: the desk's shared state, database sessions, the signed-in user and CSRF checks."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlmodel import Session

from mentiondesk.core.brands import Brand
from mentiondesk.web.auth import Identity, Signer, identity_of, user_for_token
from mentiondesk.web.sessions import SESSION_LIFETIME, LoginThrottle, user_for_session

SESSION_COOKIE = "md_session"
CSRF_COOKIE = "md_csrf"
FLASH_COOKIE = "md_flash"
SESSION_MAX_AGE = int(SESSION_LIFETIME.total_seconds())


class LoginRequired(Exception):
    """No valid session or token: pages redirect to the login page, the API answers 401."""


class CsrfFailed(Exception):
    """A state-changing request without the form's CSRF token."""


class RoleRequired(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class Desk:
    engine: Engine
    brands: dict[str, Brand]
    csrf: Signer
    templates: Jinja2Templates
    throttle: LoginThrottle
    # Mark cookies Secure even when the request reached us over plain HTTP (behind a TLS-terminating proxy).
    always_secure: bool = False

    def secure_cookies(self, request: Request) -> bool:
        return self.always_secure or request.url.scheme == "https"


def desk(request: Request) -> Desk:
    state: Desk = request.app.state.desk
    return state


def db(request: Request) -> Iterator[Session]:
    with Session(desk(request).engine, expire_on_commit=False) as session:
        yield session


def csrf_token(request: Request) -> str:
    # Worked out once per request: a queue page puts it in four forms on each of its fifty cards.
    token: str | None = getattr(request.state, "csrf_token", None)
    if token is None:
        seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE, "")
        token = request.state.csrf_token = desk(request).csrf.digest(seed)
    return token


def check_csrf(request: Request, token: str | None) -> None:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not token or not hmac.compare_digest(token, desk(request).csrf.digest(seed)):
        raise CsrfFailed()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_identity(request: Request) -> Identity | None:
    """The user behind the session cookie or the bearer token (looked up once per request)."""
    if hasattr(request.state, "identity"):
        cached: Identity | None = request.state.identity
        return cached
    found: Identity | None = None
    with Session(desk(request).engine) as session:
        token = _bearer(request)
        if token is not None:
            user = user_for_token(session, token)
            found = identity_of(user) if user else None
            request.state.via_token = found is not None
        else:
            cookie = request.cookies.get(SESSION_COOKIE)
            user = user_for_session(session, cookie) if cookie else None
            found = identity_of(user) if user else None
    request.state.identity = found
    return found


def signed_in(request: Request) -> Identity:
    identity = current_identity(request)
    if identity is None:
        raise LoginRequired()
    return identity


def actor(request: Request) -> Identity:
    """A manager or admin: the roles that approve, edit, reject, relabel and resolve."""
    identity = signed_in(request)
    if not identity.can_act:
        raise RoleRequired("analysts can read the desk but not act on it; ask a manager")
    return identity


def admin(request: Request) -> Identity:
    identity = signed_in(request)
    if not identity.is_admin:
        raise RoleRequired("only admins manage accounts")
    return identity


async def csrf_protect(request: Request) -> None:
    """Router dependency: every unsafe form request carries the CSRF token (token-authenticated API calls
    are exempt: a browser never attaches a bearer token on its own)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if _bearer(request) is not None:
        return
    token = request.headers.get("x-csrf-token")
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            token = value if isinstance(value, str) else None
    check_csrf(request, token)


def flash(response: Any, message: str, kind: str = "ok") -> None:
    import base64
    import json

    raw = json.dumps({"m": message[:500], "k": kind}).encode()
    response.set_cookie(FLASH_COOKIE, base64.urlsafe_b64encode(raw).decode(), max_age=60, httponly=True, samesite="lax")


def pop_flash(request: Request) -> dict[str, str] | None:
    import base64
    import json

    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value))
    except ValueError:
        return None
    request.state.flash_consumed = True
    if isinstance(data, dict) and isinstance(data.get("m"), str):
        return {"message": data["m"], "kind": str(data.get("k", "ok"))}
    return None


def safe_next(target: str | None, default: str = "/queue") -> str:
    """Only same-site paths: never `//evil.example` or `https://...`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


# Dependency aliases, so route signatures stay short and defaults stay free of calls.
DB = Annotated[Session, Depends(db)]
SignedIn = Annotated[Identity, Depends(signed_in)]
Actor = Annotated[Identity, Depends(actor)]
Admin = Annotated[Identity, Depends(admin)]
