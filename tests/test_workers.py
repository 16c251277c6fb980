"""The desk on several processes: two `mentiondesk serve --workers 2` on one database (PostgreSQL when
MENTIONDESK_TEST_POSTGRES_URL is set, else a SQLite file). Login throttling counts across them, a session made on
one is good on the other, and two managers approving the same draft on different ones make one reply.
Real processes, real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from listener.replay import OutboxSender
from mentiondesk.core.brands import parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.web.users import add_user
from responders.sending import send_approved
from storage.db import make_engine, transaction, upgrade
from storage.models import AuditEvent, Draft, DraftState
from tests.conftest import TEST_BRANDS
from tests.factories import ListSource, mention
from tests.processes import postgres_schema

POSTGRES_URL = os.environ.get("MENTIONDESK_TEST_POSTGRES_URL")
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "s3cret-pass"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        return
    with postgres_schema(POSTGRES_URL) as url:
        yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Desk:
    """One `mentiondesk serve --workers 2` process."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mentiondesk.cli", "serve", "--workers", "2", "--port", str(self.port)],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w", encoding="utf-8"),
        )

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail(f"{self.url} never became ready: {self.stderr()[-3000:]}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def csrf(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf(client, "/login")})


def flash_after(client: httpx.Client, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    match = re.search(r'<div class="flash flash-(\w+)" role="status">(.*?)</div>', page.text, re.S)
    assert match, "no flash message"
    return f"{match.group(1)}: {match.group(2)}"


def prepare(database_url: str, tmp_path: Path, classifier: Any) -> int:
    """The schema, two managers and one drafted reply; returns the draft's id."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        brands = parse_brands(TEST_BRANDS)
        Pipeline(engine=engine, brands=brands, classifier=classifier).poll(
            ListSource([[mention("@AcmeCoffee my latte was cold again, not happy", external_id="w-1")]])
        )
        with transaction(engine) as session:
            add_user(session, "maria", "manager", PASSWORD)
            add_user(session, "omar", "manager", PASSWORD)
            add_user(session, "ana", "analyst", PASSWORD)
            draft = session.exec(select(Draft)).one()
            assert draft.state == DraftState.DRAFTED and draft.id is not None
            return draft.id
    finally:
        engine.dispose()


def test_two_desks_of_two_workers_share_throttling_sessions_and_one_reply(
    database_url: str, tmp_path: Path, classifier: Any
) -> None:
    draft_id = prepare(database_url, tmp_path, classifier)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(
        MENTIONDESK_DATABASE_URL=database_url,
        MENTIONDESK_BRANDS_FILE=str(tmp_path / "brands.toml"),
        MENTIONDESK_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    desks = [Desk(env, tmp_path, "a"), Desk(env, tmp_path, "b")]
    try:
        for desk in desks:
            desk.wait_ready()
        a, b = (desk.client() for desk in desks)

        # Five wrong passwords for one account, spread over both desks (and so over their workers) ...
        for attempt in range(5):
            assert log_in((a, b)[attempt % 2], "ana", "wrong-guess").status_code == 401
        # ... and the sixth try is refused on both, even with the right password.
        for client in (a, b):
            refused = log_in(client, "ana", PASSWORD)
            assert refused.status_code == 429 and "Too many failed attempts" in refused.text

        # Another manager's session, made on desk A, is good on desk B (sessions live in the database).
        assert log_in(a, "omar", PASSWORD).status_code == 303
        b_as_omar = desks[1].client()
        b_as_omar.cookies.update(a.cookies)
        assert b_as_omar.get("/queue").status_code == 200

        # Two managers approve the same draft at the same moment, one on each desk.
        maria = desks[1].client()
        assert log_in(maria, "maria", PASSWORD).status_code == 303
        forms = [(a, csrf(a, "/queue")), (maria, csrf(maria, "/queue"))]
        start = threading.Barrier(2)
        results: list[str] = []

        def approve(client: httpx.Client, token: str) -> None:
            start.wait()
            response = client.post(f"/drafts/{draft_id}/approve", data={"csrf_token": token, "version": 1})
            results.append(flash_after(client, response))

        threads = [threading.Thread(target=approve, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        codes = [desk.stop() for desk in desks]

    assert sorted(r.split(":")[0] for r in results) == ["error", "ok"], results
    assert any("Someone else acted first" in r for r in results), results
    assert codes == [0, 0], [desk.stderr()[-2000:] for desk in desks]
    assert all("Traceback" not in desk.stderr() for desk in desks), [desk.stderr()[-2000:] for desk in desks]

    engine = make_engine(database_url)
    try:
        outbox = OutboxSender(tmp_path / "outbox")
        for _ in range(2):  # two send rounds, as from two `run` instances
            send_approved(engine=engine, senders={"replay": outbox})
        with Session(engine) as session:
            approvals = session.exec(
                select(AuditEvent).where(col(AuditEvent.draft_id) == draft_id, col(AuditEvent.action) == "approve")
            ).all()
            draft = session.get(Draft, draft_id)
    finally:
        engine.dispose()
    assert len(approvals) == 1
    assert draft is not None and draft.state == DraftState.SENT
    assert [r["in_reply_to"] for r in outbox.replies()] == ["w-1"]
