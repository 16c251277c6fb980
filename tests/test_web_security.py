"""The desk under hostile use: sessions that end when they should (for every worker), a login throttle that
counts per account however the name is typed, addresses and forms full of hostile values, and invisible
characters in every field the desk shows."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import transaction
from storage.models import Author, Case, Draft, Mention
from storage.web_models import DeskSession
from tests.factories import must
from tests.test_web_support import PASSWORD, TestClient, csrf, first_drafted, make_desk, signed_in


def second_worker(app: Any, engine: Engine) -> Any:
    """Another desk process on the same database (what `serve --workers 2` runs)."""
    from mentiondesk.web.app import create_app

    return create_app(engine, app.state.desk.brands, Settings(secret_key=SecretStr("")))


def with_cookie(app: Any, cookie: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("md_session", cookie)
    return client


@pytest.fixture
def desk(any_engine: Engine) -> tuple[Any, Engine]:
    """The desk's accounts on each database kind, without demo data (sign-in does not need any)."""
    from mentiondesk.web.app import create_app
    from mentiondesk.web.users import add_user

    with transaction(any_engine) as session:
        for name, role in (("maria", "manager"), ("omar", "manager"), ("ana", "analyst"), ("root", "admin")):
            add_user(session, name, role, PASSWORD)
    return create_app(any_engine, {}, Settings(secret_key=SecretStr(""))), any_engine


# --- sessions -------------------------------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_logout_on_every_worker(desk: tuple[Any, Engine]) -> None:
    app, engine = desk
    other = second_worker(app, engine)
    client = signed_in(app, "omar")
    cookie = client.cookies.get("md_session")
    assert cookie
    copy_here, copy_there = with_cookie(app, cookie), with_cookie(other, cookie)
    assert copy_here.get("/queue").status_code == 200 and copy_there.get("/queue").status_code == 200
    with Session(engine) as session:  # only a digest is stored: the database does not hold usable cookies
        assert all(cookie not in row.id for row in session.exec(select(DeskSession)))

    assert client.post("/logout", data={"csrf_token": csrf(client, "/queue")}).status_code == 303
    for copy in (copy_here, copy_there):
        assert copy.get("/queue").status_code == 303
        assert copy.get("/api/me").status_code == 401


def test_a_new_password_or_a_disabled_account_ends_every_session(desk: tuple[Any, Engine]) -> None:
    app, engine = desk
    admin = signed_in(app, "root")
    laptop, phone = signed_in(app, "ana"), signed_in(second_worker(app, engine), "ana")
    response = admin.post(
        "/users/ana/update",
        data={
            "csrf_token": csrf(admin, "/users"),
            "role": "analyst",
            "disabled": "0",
            "password": "brand-new-password",
        },
    )
    assert response.status_code == 303
    assert laptop.get("/queue").status_code == 303 and phone.get("/queue").status_code == 303
    fresh = TestClient(app, follow_redirects=False)
    response = fresh.post("/login", data={"name": "ana", "password": "brand-new-password", "csrf_token": csrf(fresh)})
    assert response.status_code == 303 and fresh.get("/queue").status_code == 200

    # Disabled, then enabled again: the sessions from before stay ended.
    admin.post("/users/ana/update", data={"csrf_token": csrf(admin, "/users"), "disabled": "1"})
    admin.post("/users/ana/update", data={"csrf_token": csrf(admin, "/users"), "disabled": "0"})
    assert fresh.get("/queue").status_code == 303


def test_password_change_from_the_command_line_ends_sessions(
    desk: tuple[Any, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from mentiondesk.cli import main
    from mentiondesk.settings import get_settings

    app, engine = desk
    client = signed_in(app, "maria")
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["user", "password", "maria", "--password", "fresh-password-1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0 and "sessions have ended" in result.output
    assert client.get("/queue").status_code == 303 and client.get("/api/me").status_code == 401
    fresh = TestClient(app, follow_redirects=False)
    response = fresh.post("/login", data={"name": "maria", "password": "fresh-password-1", "csrf_token": csrf(fresh)})
    assert response.status_code == 303


# --- login throttle -------------------------------------------------------------------------------------------


def attempt(app: Any, name: str, password: str, address: str) -> int:
    client = TestClient(app, follow_redirects=False, client=(address, 40000))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf(client)}).status_code


def test_throttle_counts_one_account_however_the_name_is_typed_from_any_address(desk: tuple[Any, Engine]) -> None:
    app, engine = desk
    variants = [" maria", "MARIA ", "maria", "\uff4d\uff41\uff52\uff49\uff41", "ma\u200bria"]  # full-width, zero-width
    statuses = [attempt(app, name, "wrong-password", f"10.0.0.{i}") for i, name in enumerate(variants)]
    assert statuses == [401] * 5
    # Limit reached: the right password is refused too, from a new address, on another worker, after a restart.
    assert attempt(app, "maria", PASSWORD, "10.0.1.1") == 429
    assert attempt(second_worker(app, engine), " Maria", PASSWORD, "10.0.1.2") == 429
    assert attempt(app, "omar", PASSWORD, "10.0.1.3") == 303  # other accounts are not locked

    from mentiondesk.web.sessions import LoginThrottle

    app.state.desk.throttle = LoginThrottle(engine, window=1.0)  # the window passes
    time.sleep(1.2)
    assert attempt(app, "maria", PASSWORD, "10.0.1.4") == 303


def test_parallel_guesses_on_two_workers_check_at_most_the_limit(desk: tuple[Any, Engine]) -> None:
    app, engine = desk
    workers = [app, second_worker(app, engine)]
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def guess(i: int) -> None:
        barrier.wait()
        statuses.append(attempt(workers[i % 2], "omar", f"guess-{i}", f"10.1.0.{i}"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(401) == 5 and statuses.count(429) == 7


# --- hostile values in addresses and forms --------------------------------------------------------------------

HOSTILE = ["9" * 31, "-1", "abc", "\x00", "a\x00b", "x" * 10_000, "\u0663", "<script>alert(1)</script>\u202e"]
# Parameters that accept free text or fall back with a note (trend dates, where to go after login).
LENIENT = {
    "/trends": {"brand", "start", "end", "tag"},
    "/trends.csv": {"brand", "start", "end", "tag"},
    "/api/trends": {"brand", "start", "end", "tag"},
    "/api/queue": {"tag"},
    "/login": {"next", "name", "password"},
    "/": set(),
    # Free text: any words may be searched for, any tag may be asked about (an unused one gives an empty
    # result with a note; tests/test_tag_filters.py checks the note and the escaping).
    "/saved-replies": {"q"},
    "/api/search": {"q", "tag"},
    "/api/saved-replies": {"q"},
}
# Parameters the queue page reads itself (filters kept in the address).
QUEUE_PARAMS = ["brand", "platform", "category", "state", "min_urgency", "page"]


def desk_routes(app: Any) -> list[tuple[str, APIRoute]]:
    """Every route of the app, included routers' too (FastAPI keeps those behind a wrapper)."""
    found: list[tuple[str, APIRoute]] = []
    pending = list(app.routes)
    while pending:
        route = pending.pop(0)
        if isinstance(route, APIRoute):
            found += [(method, route) for method in sorted(must(route.methods))]
        elif hasattr(route, "original_router"):
            pending += route.original_router.routes
    assert len(found) > 20
    return found


def route_params(route: APIRoute) -> tuple[list[str], list[str], list[str]]:
    """(path, query, form) parameter names of a route and the dependencies it uses."""
    found: dict[str, list[str]] = {"path": [], "query": [], "body": []}
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        for kind in found:
            found[kind] += [p.alias for p in getattr(dependant, f"{kind}_params") if p.alias not in found[kind]]
        pending += dependant.dependencies
    query = found["query"] + (QUEUE_PARAMS if route.path == "/queue" else [])
    forms = ["item", "back"] if route.path == "/drafts/bulk-approve" else found["body"]
    return found["path"], query, [f for f in forms if f not in ("csrf_token", "body")]


def valid_path(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


@pytest.fixture
def hostile_desk(any_engine: Engine) -> Iterator[tuple[Any, Engine]]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.seed import seed_demo
    from mentiondesk.web.users import add_user

    brands = seed_demo(any_engine)
    with transaction(any_engine) as session:
        add_user(session, "root", "admin", PASSWORD)
        add_user(session, "ana", "analyst", PASSWORD)
    yield create_app(any_engine, brands, Settings(secret_key=SecretStr(""))), any_engine


def test_every_route_answers_hostile_values_with_400_or_422_never_500(hostile_desk: tuple[Any, Engine]) -> None:
    app, engine = hostile_desk
    client = signed_in(app, "root")
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False, cookies=dict(client.cookies))
    token = csrf(client, "/queue")
    draft = first_drafted(engine)
    with Session(engine) as session:
        case_id = session.exec(select(Case.id)).first()
        author_id = session.exec(select(Author.id)).first()
    ids = {
        "draft_id": str(draft.id),
        "mention_id": str(draft.mention_id),
        "case_id": str(case_id or 1),
        "author_id": str(author_id or 1),
        "name": "ana",
        "reply_id": "1",
        "tag": "refund",
    }
    problems: list[str] = []
    tested: set[tuple[str, str]] = set()

    def check(method: str, path: str, strict: bool | str, what: str, **kwargs: Any) -> None:
        if method == "GET":
            response = client.get(path, **kwargs)
        else:
            response = client.request(method, path, headers={"X-CSRF-Token": token}, **kwargs)
        allowed = (400, 404, 422) if strict == "path" else (400, 422) if strict else range(200, 500)
        if response.status_code >= 500 or response.status_code not in allowed:
            problems.append(f"{method} {path[:60]} {what}: {response.status_code}")

    for method, route in desk_routes(app):
        if route.path == "/logout":
            continue  # would end the session the rest of the test uses; it takes no values
        tested.add((method, route.path))
        path_names, query, forms = route_params(route)
        for value in HOSTILE:
            for name in path_names:
                if name == "name":
                    continue  # a user name in the path is matched, not parsed: checked below
                hostile_path = valid_path(route.path, {**ids, name: quote(value, safe="")})
                check(method, hostile_path, "path", f"path {name}={value[:12]!r}")  # "/" in a value: no such page
            base = valid_path(route.path, ids)
            lenient = LENIENT.get(route.path, set())
            for name in query:
                check(
                    method, base, name not in lenient and value != "", f"?{name}={value[:12]!r}", params={name: value}
                )
            if method == "POST" and route.path.startswith("/api/"):
                for field in ("text", "reason", "expected_version", "label", "wrong_category"):
                    body = {"reason": "r", "label": "praise", field: value}
                    check(method, base, False, f"json {field}={value[:12]!r}", json=body)
                    if field == "expected_version" and route.path.endswith(("/approve", "/reject")):
                        check(method, base, True, "json expected_version=10**30", json={**body, field: 10**30})
            elif method == "POST":
                for name in forms:
                    check(
                        method,
                        base,
                        False,
                        f"form {name}={value[:12]!r}",
                        data={"csrf_token": token, name: value},
                        params={},
                    )
    # A user name in the path: unknown names are refused without reaching the database as NUL bytes.
    for value in HOSTILE:
        response = client.post(f"/users/{quote(value, safe='')}/update", data={"csrf_token": token, "role": "x"})
        if response.status_code >= 500:
            problems.append(f"POST /users/{{name}}/update name={value[:12]!r}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert {(m, r.path) for m, r in desk_routes(app) if r.path != "/logout"} == tested
    # The strict answers are the documented ones
    assert client.get("/queue", params={"page": "9" * 31}).status_code == 400
    assert "page must be a whole number" in client.get("/queue", params={"page": "9" * 31}).text
    assert client.get("/api/queue", params={"offset": "9" * 31}).status_code == 422
    assert client.get("/queue", params={"min_urgency": "abc"}).status_code == 400
    assert client.get("/queue", params={"page": "99999"}).status_code == 200  # past the end: an empty page
    with Session(engine) as session:
        assert session.get(Draft, draft.id) is not None


# --- invisible characters -------------------------------------------------------------------------------------

INVISIBLE = "\u202e\u200b\u2066\u2069\u200f\ufeff\x07"
HOSTILE_NAME = "Eve\u202eevil\u200b\u2066 <script>window.__pwned=1</script>"
HOSTILE_HANDLE = "eve\u202e_\u200bx"


@pytest.fixture(scope="module")
def invisible_desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Engine, Mention]:
    import dataclasses
    from datetime import UTC, datetime

    from listener.replay import MemorySource
    from mentiondesk.demo import DEMO_BRAND_KEY, demo_brands, demo_mentions
    from mentiondesk.pipeline import Pipeline
    from rules.classifier import load_classifier

    app, engine = make_desk(tmp_path_factory.mktemp("invisible"))
    template = next(m for m in demo_mentions() if "late" in m.text)
    fetched = dataclasses.replace(
        template,
        external_id="invisible-1",
        author_handle=HOSTILE_HANDLE,
        author_name=HOSTILE_NAME,
        text=template.text + " ‮is late​, terrible ⁦service⁩",
        created_at=datetime.now(UTC),
    )
    pipeline = Pipeline(engine=engine, brands=demo_brands(), classifier=load_classifier(None))
    pipeline.poll(MemorySource([fetched], brand=DEMO_BRAND_KEY, name="hostile:names"))
    with Session(engine) as session:
        stored = session.exec(select(Mention).where(col(Mention.external_id) == "invisible-1")).one()
    return app, engine, stored


def test_invisible_characters_are_shown_as_code_points_in_every_field(
    invisible_desk: tuple[Any, Engine, Mention],
) -> None:
    app, _, stored = invisible_desk
    assert "\u202e" in stored.author_name and "\u202e" in stored.author_handle  # stored as data, as posted
    client = signed_in(app, "maria")
    for path in ("/queue", "/queue?state=", f"/mentions/{stored.id}", "/cases", "/trends", "/sources"):
        html = client.get(path).text
        raw = sorted({f"U+{ord(c):04X}" for c in html if c in INVISIBLE or unicodedata.category(c) == "Cf"})
        assert raw == [], f"{path}: raw {raw}"
        assert "<script>window.__pwned" not in html, path
    detail = client.get(f"/mentions/{stored.id}").text
    assert "Eve[U+202E]evil[U+200B][U+2066] &lt;script&gt;" in detail  # the display name
    assert "eve[U+202E]_[U+200B]x" in detail  # the handle
    assert "[U+202E]is late[U+200B]" in detail  # the text
    queue = client.get("/queue?state=").text
    assert "Eve[U+202E]evil" in queue and "eve[U+202E]_[U+200B]x" in queue


def test_the_templates_cannot_forget(invisible_desk: tuple[Any, Engine, Mention]) -> None:
    """Any value a template prints goes through the environment's finalize step, |e included."""
    app, _, _ = invisible_desk
    env = app.state.desk.templates.env
    rendered = env.from_string("{{ a }}|{{ b|e }}|{{ c|join(',') }}|<p title=\"{{ a }}\">").render(
        a="x\u202ey", b="\u200b<b>", c=["\u2066", "ok"]
    )
    assert rendered == 'x[U+202E]y|[U+200B]&lt;b&gt;|[U+2066],ok|<p title="x[U+202E]y">'
    # Joiners inside emoji and scripts stay; between Latin letters they are shown.
    assert env.from_string("{{ a }}").render(a="\U0001f468\u200d\U0001f469 ma\u200dria") == (
        "\U0001f468\u200d\U0001f469 ma[U+200D]ria"
    )
