"""Helpers for the web tests (no tests here): a seeded desk and signed-in test clients."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.settings import Settings
from storage.db import make_engine, transaction, upgrade
from storage.models import Draft, DraftState

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "s3cret-pass"


def make_desk(tmp_path: Path, *, extra: list[str] | None = None, history: int = 0) -> tuple[Any, Engine]:
    from mentiondesk.web.app import create_app
    from mentiondesk.web.seed import seed_demo
    from mentiondesk.web.users import add_user

    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine)
    brands = seed_demo(engine, extra=extra, history=history)
    with transaction(engine) as session:
        add_user(session, "maria", "manager", PASSWORD)
        add_user(session, "omar", "manager", PASSWORD)
        add_user(session, "ana", "analyst", PASSWORD)
        add_user(session, "root", "admin", PASSWORD)
    return create_app(engine, brands, Settings(secret_key=SecretStr(""))), engine


def csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def signed_in(app: Any, name: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 303, response.text
    return client


def flash_of(client: TestClient, response: Any) -> str:
    """Follow an action's redirect and read the message the desk shows."""
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    match = re.search(r'<div class="flash flash-(\w+)" role="status">(.*?)</div>', page.text, re.S)
    assert match, "no flash message"
    return f"{match.group(1)}: {match.group(2)}"


def first_drafted(engine: Engine) -> Draft:
    with Session(engine) as session:
        draft = session.exec(
            select(Draft)
            .where(Draft.state == DraftState.DRAFTED, col(Draft.policy_ok).is_(True))
            .order_by(col(Draft.urgency).desc(), col(Draft.id))
        ).first()
        assert draft is not None
        return draft
