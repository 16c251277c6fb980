"""Logins, sessions, CSRF, throttling, roles and API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from mentiondesk.web.auth import hash_password
from storage.db import transaction
from storage.models import User
from tests.test_web_support import PASSWORD, TestClient, csrf, first_drafted, make_desk, signed_in


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return make_desk(tmp_path_factory.mktemp("auth"))


def test_nothing_without_login(desk: tuple[Any, Any]) -> None:
    app, _ = desk
    client = TestClient(app, follow_redirects=False)
    for path in ("/queue", "/cases", "/trends", "/trends.csv", "/sources", "/users", "/mentions/1", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path
    for path in ("/api/queue", "/api/trends", "/api/me", "/api/openapi.json", "/api/cases", "/api/sources"):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/drafts/1/approve", json={}).status_code in (401, 403)


def test_login_sets_a_hardened_session_cookie_and_returns_to_next(desk: tuple[Any, Any]) -> None:
    app, _ = desk
    client = TestClient(app, follow_redirects=False)
    token = csrf(client)
    response = client.post(
        "/login", data={"name": "maria", "password": PASSWORD, "csrf_token": token, "next": "/trends"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/trends"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("md_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert PASSWORD not in cookie
    assert client.get("/queue").status_code == 200


def test_next_cannot_leave_the_site(desk: tuple[Any, Any]) -> None:
    app, _ = desk
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        client = TestClient(app, follow_redirects=False)
        response = client.post(
            "/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf(client), "next": target}
        )
        assert response.headers["location"] == "/queue"


def test_wrong_password_then_throttled(tmp_path: Path) -> None:
    app, _ = make_desk(tmp_path)
    client = TestClient(app, follow_redirects=False)
    for _ in range(5):
        response = client.post("/login", data={"name": "maria", "password": "nope", "csrf_token": csrf(client)})
        assert response.status_code == 401 and "Wrong name or password" in response.text
    response = client.post("/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 429 and "Too many failed attempts" in response.text


def test_forms_without_csrf_token_are_refused(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    client = signed_in(app, "maria")
    draft = first_drafted(engine)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/drafts/{draft.id}/approve", data={"version": str(draft.version), **data})
        assert response.status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.post("/login", data={"name": "maria", "password": PASSWORD}).status_code == 403
    assert first_drafted(engine).id == draft.id  # nothing changed


def test_tampered_or_stale_sessions_are_rejected(tmp_path: Path) -> None:
    app, engine = make_desk(tmp_path)
    client = signed_in(app, "maria")
    good = client.cookies.get("md_session")
    assert good
    client.cookies.set("md_session", good[:-3] + "abc")
    assert client.get("/queue").status_code == 303
    client.cookies.set("md_session", good)
    assert client.get("/queue").status_code == 200
    with transaction(engine) as session:
        user = session.exec(select(User).where(User.name == "maria")).one()
        user.password_hash = hash_password("another-password")
    assert client.get("/queue").status_code == 303  # a new password signs out old sessions
    other = signed_in(app, "omar")
    with transaction(engine) as session:
        session.exec(select(User).where(User.name == "omar")).one().disabled = True
    assert other.get("/queue").status_code == 303


def test_roles(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    analyst = signed_in(app, "ana")
    draft = first_drafted(engine)
    assert analyst.get("/queue").status_code == 200
    assert analyst.get("/trends").status_code == 200
    token = csrf(analyst, "/queue")
    for path, data in (
        (f"/drafts/{draft.id}/approve", {"version": str(draft.version)}),
        (f"/drafts/{draft.id}/reject", {"reason": "no"}),
        (f"/mentions/{draft.mention_id}/relabel", {"label": "praise"}),
        ("/drafts/bulk-approve", {"item": f"{draft.id}:{draft.version}"}),
        ("/cases/1/resolve", {}),
    ):
        assert analyst.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    assert analyst.get("/users").status_code == 403
    manager = signed_in(app, "maria")
    assert manager.get("/users").status_code == 403
    admin = signed_in(app, "root")
    page = admin.get("/users")
    assert page.status_code == 200 and "ana" in page.text
    response = admin.post(
        "/users",
        data={"name": "lee", "role": "analyst", "password": "long-enough-1", "csrf_token": csrf(admin, "/users")},
    )
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.exec(select(User).where(User.name == "lee")).one().role == "analyst"


def test_api_tokens_are_stored_hashed_and_carry_the_role(desk: tuple[Any, Any]) -> None:
    from mentiondesk.web.users import issue_token

    app, engine = desk
    with transaction(engine) as session:
        manager_token = issue_token(session, "maria")
        analyst_token = issue_token(session, "ana")
    with Session(engine) as session:
        stored = session.exec(select(User.api_token_hash).where(User.name == "maria")).one()
    assert stored and manager_token not in stored
    client = TestClient(app)
    me = client.get("/api/me", headers={"Authorization": f"Bearer {manager_token}"})
    assert me.json() == {"name": "maria", "role": "manager", "can_act": True}
    assert client.get("/api/me", headers={"Authorization": "Bearer mdk_wrong"}).status_code == 401
    draft = first_drafted(engine)
    refused = client.post(
        f"/api/drafts/{draft.id}/approve", json={}, headers={"Authorization": f"Bearer {analyst_token}"}
    )
    assert refused.status_code == 403
    docs = client.get("/api/openapi.json", headers={"Authorization": f"Bearer {analyst_token}"})
    assert docs.status_code == 200 and "/api/queue" in docs.json()["paths"]


def test_api_calls_with_the_session_need_the_csrf_header(tmp_path: Path) -> None:
    app, engine = make_desk(tmp_path)
    client = signed_in(app, "maria")
    draft = first_drafted(engine)
    refused = client.post(f"/api/drafts/{draft.id}/approve", json={"expected_version": draft.version})
    assert refused.status_code == 403
    allowed = client.post(
        f"/api/drafts/{draft.id}/approve",
        json={"expected_version": draft.version},
        headers={"X-CSRF-Token": csrf(client, "/queue")},
    )
    assert allowed.status_code == 200 and allowed.json()["state"] == "approved"


def test_cookies_are_secure_behind_a_tls_proxy_when_configured(desk: tuple[Any, Any]) -> None:
    from pydantic import SecretStr

    from mentiondesk.settings import Settings
    from mentiondesk.web.app import create_app

    _, engine = desk
    plain = signed_in_cookie(desk[0])
    assert "Secure" not in plain  # plain HTTP on localhost: a Secure cookie would never come back
    proxied = create_app(engine, {}, Settings(secret_key=SecretStr(""), secure_cookies=True))
    # The proxy speaks HTTP to us while the browser speaks HTTPS to it: cookies must say Secure anyway.
    first_visit = TestClient(proxied, follow_redirects=False).get("/login")
    assert all("Secure" in c for c in first_visit.headers.get_list("set-cookie"))


def signed_in_cookie(app: Any) -> str:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf(client)})
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith("md_session="))
