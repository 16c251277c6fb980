"""The desk's FastAPI application. Everything is built inside `create_app`: nothing at import time."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import NotFound
from mentiondesk.core.local_time import local_label
from mentiondesk.core.platform import reports_followers
from mentiondesk.web import filters
from mentiondesk.web.auth import Signer, secret_key
from mentiondesk.web.deps import (
    CSRF_COOKIE,
    FLASH_COOKIE,
    CsrfFailed,
    Desk,
    LoginRequired,
    RoleRequired,
    csrf_token,
    current_identity,
    pop_flash,
)
from mentiondesk.web.params import BadValue
from mentiondesk.web.sessions import LoginThrottle

HERE = Path(__file__).parent

# Mentions are hostile input: even if an escape were missed, the browser runs no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI is served from the files the fastapi-offline package ships (no CDN: the desk works offline);
# its page starts the UI with one inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)


def brand_map(brands: Any) -> dict[str, Brand]:
    """Accepts a BrandConfig, a mapping of key to Brand, or an iterable of Brand."""
    inner = getattr(brands, "brands", brands)
    if isinstance(inner, Mapping):
        return dict(inner)
    items: Iterable[Brand] = inner or []
    return {b.key: b for b in items}


def _brand_times(templates: Jinja2Templates, brands: Mapping[str, Brand]) -> None:
    """`{{ moment|brand_time(brand_key) }}` shows a time in the brand's time zone with the zone named (follow-ups
    are promised in the team's own hours); `brand_zone(key)` names the zone for a form's label."""

    def zone(key: str) -> str:
        brand = brands.get(key)
        return brand.time_zone if brand else "UTC"

    def brand_time(value: datetime | str | None, key: str) -> str:
        if not value:
            return "–"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return local_label(moment, zone(key))

    templates.env.filters["brand_time"] = brand_time
    templates.env.globals["brand_zone"] = zone


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)  # sets the finalize step: every rendered value shows invisible characters as [U+…]
    env.globals["csrf_token"] = csrf_token
    env.globals["reports_followers"] = reports_followers
    return Jinja2Templates(env=env)


def create_app(engine: Engine, brands: Any, settings: Any) -> FastAPI:
    from mentiondesk.web import (
        api,
        api_team,
        routes_admin,
        routes_alerts,
        routes_auth,
        routes_cases,
        routes_compose,
        routes_queue,
        routes_search,
        routes_team,
        routes_trends,
    )
    from mentiondesk.web.routes_ops import router as ops_router

    configured = settings.secret_key.get_secret_value() if settings is not None else ""
    key = secret_key(engine, configured)
    desk_brands = brand_map(brands)
    _track_voice_terms(engine, desk_brands)
    app = FastAPI(
        title="Mention Desk API",
        version="1",
        description="The desk's JSON API. Authenticate with `Authorization: Bearer <token>` "
        "(`mentiondesk user token NAME`).",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.desk = Desk(
        engine=engine,
        brands=desk_brands,
        csrf=Signer(key, "csrf"),
        templates=_templates(),
        throttle=LoginThrottle(engine),
        always_secure=bool(getattr(settings, "secure_cookies", False)),
    )
    _brand_times(app.state.desk.templates, desk_brands)
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_dir()), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (routes_auth, routes_queue, routes_cases, routes_trends, routes_admin, routes_alerts):
        app.include_router(module.router)
    app.include_router(ops_router)  # /healthz, /readyz, /metrics: no login
    for module in (routes_compose, routes_team, routes_search):
        app.include_router(module.router)
    api.install(app)
    app.include_router(api_team.router)
    _install_handlers(app)

    @app.middleware("http")
    async def security(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if CSRF_COOKIE not in request.cookies:
            request.state.csrf_seed = secrets.token_urlsafe(24)
        response = await call_next(request)
        seed = getattr(request.state, "csrf_seed", None)
        if seed:
            response.set_cookie(
                CSRF_COOKIE, seed, httponly=True, samesite="lax", secure=request.app.state.desk.secure_cookies(request)
            )
        new_flash = any(c.startswith(FLASH_COOKIE + "=") for c in response.headers.getlist("set-cookie"))
        if getattr(request.state, "flash_consumed", False) and not new_flash:
            response.delete_cookie(FLASH_COOKIE)
        path = request.url.path
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if path == "/api/docs" else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _track_voice_terms(engine: Engine, brands: dict[str, Brand]) -> None:
    from storage import web_models as web_rollups

    with engine.begin() as conn:
        if web_rollups.installed(conn):
            terms = [(key, name) for key, b in brands.items() for name in (b.name, *b.competitors)]
            web_rollups.sync_terms(conn, terms)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") and request.url.path != "/api/docs"


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": "authentication required"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)
        return _error_page(request, 403, "This form has expired or was not sent from the desk. Reload and retry.")

    @app.exception_handler(RoleRequired)
    async def role_required(request: Request, exc: RoleRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return _error_page(request, 403, exc.message)

    @app.exception_handler(BadValue)
    async def bad_value(request: Request, exc: BadValue) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=422)
        return _error_page(request, 400, f"This address or form has a value the desk cannot use: {exc.message}.")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ["", "value"])[-1])
        return _error_page(
            request,
            400,
            f"This address or form has a value the desk cannot use: {where}: "
            f"{str(first.get('msg', 'invalid')).lower()}.",
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return _error_page(request, 404, str(exc))


def _error_page(request: Request, status: int, message: str) -> Response:
    templates: Jinja2Templates = request.app.state.desk.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "user": current_identity(request), "flash": pop_flash(request)},
        status_code=status,
    )


def swagger_ui_dir() -> str:
    import fastapi_offline

    return str(Path(fastapi_offline.__file__).parent / "static")
