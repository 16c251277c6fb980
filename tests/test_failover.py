"""Several `mentiondesk run` on one PostgreSQL database: one polls (the polling lease), the others stand by and
take over when it dies, even by SIGKILL; every service sends, and a draft is claimed by one sender only.
Real processes, the platform simulator, a fresh PostgreSQL schema (skipped without MENTIONDESK_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import col

from listener.replay import OutboxSender
from listener.simulator import Simulator
from mentiondesk.lease import PollingLease
from mentiondesk.pipeline import Pipeline
from responders import queue as desk
from responders.sending import send_approved
from storage.db import make_engine, transaction
from storage.models import Draft
from tests.conftest import migrated_engine
from tests.factories import ListSource, mention
from tests.processes import BRANDS, MENTIONDESK, postgres_schema, stored_counts, stored_ids

POSTGRES_URL = os.environ.get("MENTIONDESK_TEST_POSTGRES_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="MENTIONDESK_TEST_POSTGRES_URL is not set"),
]


@pytest.fixture
def database_url() -> Iterator[str]:
    """A new, empty PostgreSQL schema (via search_path), dropped afterwards."""
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        yield url


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


# --- the lease ------------------------------------------------------------------------------------------


@pytest.fixture
def pg_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty PostgreSQL schema."""
    with migrated_engine("postgres", tmp_path) as engine:
        yield engine


def test_one_service_holds_the_lease_and_it_passes_on_the_moment_its_connection_ends(pg_engine: Engine) -> None:
    any_engine = pg_engine
    first, second = PollingLease(any_engine, holder="host-a:101"), PollingLease(any_engine, holder="host-b:202")
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert second.holder_elsewhere() == "host-a:101"
        # What SIGKILL or a lost host amounts to for PostgreSQL: the holder's connection ends.
        with any_engine.begin() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": "mentiondesk run host-a:101"},
            )
        assert first.still_held() is False
        assert second.try_acquire() is True and second.still_held() is True
        assert first.try_acquire() is False and first.holder_elsewhere() == "host-b:202"
    finally:
        first.release()
        second.release()


# --- sending on every instance ----------------------------------------------------------------------------


def test_a_draft_another_sender_is_claiming_is_passed_over_not_waited_for(
    pg_engine: Engine, brands, classifier, tmp_path: Path
) -> None:
    any_engine = pg_engine
    pipeline = Pipeline(engine=any_engine, brands=brands, classifier=classifier)
    pipeline.poll(
        ListSource([[mention("@AcmeCoffee my latte was cold again"), mention("@AcmeCoffee the app lost my order")]])
    )
    with transaction(any_engine) as session:
        ids = list(session.execute(select(col(Draft.id)).order_by(col(Draft.id))).scalars())
        for draft_id in ids:
            desk.approve(draft_id, session=session, actor="a")
    held_id, free_id = ids
    outbox = OutboxSender(tmp_path / "outbox")
    with any_engine.connect() as other:  # another instance's sender, in the middle of claiming `held_id`
        other.execute(text("SELECT id FROM draft WHERE id = :id FOR UPDATE"), {"id": held_id})
        started = time.monotonic()
        report = send_approved(engine=any_engine, senders={"replay": outbox})
        took = time.monotonic() - started
        other.rollback()
    assert report.sent == [free_id] and held_id in report.skipped, report
    assert took < 10, "the locked draft was waited for"
    again = send_approved(engine=any_engine, senders={"replay": outbox})
    assert again.sent == [held_id]
    assert sorted(r["id"] for r in outbox.replies()) == sorted(f"outbox-{i}" for i in ids)


# --- two `run` processes, the active one killed ------------------------------------------------------------


def environment(tmp_path: Path, database_url: str, sim: Simulator) -> dict[str, str]:
    (tmp_path / "brands.toml").write_text(BRANDS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(
        MENTIONDESK_DATABASE_URL=database_url,
        MENTIONDESK_BRANDS_FILE=str(tmp_path / "brands.toml"),
        MENTIONDESK_OUTBOX_DIR=str(tmp_path / "outbox"),
        MENTIONDESK_REQUEST_TIMEOUT_SECONDS="10",
        **sim.env(),
    )
    return env


class Run:
    """One `mentiondesk run` process, its stderr in a file so a test can read it while it runs."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.log = cwd / f"{name}.log"
        self.process = subprocess.Popen(
            [*MENTIONDESK, "run", "--poll-interval", "1", "--send-interval", "2"],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("w", encoding="utf-8"),
            text=True,
        )

    def said(self, words: str) -> bool:
        return words in self.stderr()

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Traffic:
    """New mentions on both platforms every fraction of a second, until stopped: polling never runs out of work,
    so the kill lands on a service that is polling and storing."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.served: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.served += self.sim.add_mentions(1)

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join()
        return self.served


def test_the_standby_takes_over_polling_when_the_active_service_is_killed(database_url: str, tmp_path: Path) -> None:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=13
    ) as sim:
        served = sim.add_mentions(20)
        env = environment(tmp_path, database_url, sim)
        engine = make_engine(database_url)
        active = Run("active", env, tmp_path)
        standby: Run | None = None
        try:
            assert wait_for(lambda: active.said("Mention Desk service:"), 180), active.stderr()[-3000:]
            standby = Run("standby", env, tmp_path)
            assert wait_for(lambda: standby.said("on standby"), 180), standby.stderr()[-3000:]
            assert wait_for(lambda: set(served) <= stored_ids(engine), 120), "the active service polled"

            traffic = Traffic(sim)
            time.sleep(4)  # the active service polls and stores under a steady stream of new mentions
            os.kill(active.process.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            active.process.wait(timeout=30)
            after_kill = sim.add_mentions(2)  # posted once nobody polls: found only if the standby takes over
            assert wait_for(lambda: standby.said("took over polling"), 60), standby.stderr()[-3000:]
            lease_seconds = time.monotonic() - killed_at
            assert wait_for(lambda: set(after_kill) <= stored_ids(engine), 60), standby.stderr()[-3000:]
            takeover_seconds = time.monotonic() - killed_at
            served += traffic.stop() + after_kill
            assert wait_for(lambda: set(served) <= stored_ids(engine), 120)
            time.sleep(3)  # a few more polling rounds: anything stored twice would show now
            mentions, distinct, drafts, drafted = stored_counts(engine)
            stored = stored_ids(engine)
        finally:
            active.stop()
            if standby is not None:
                standby.stop()
            engine.dispose()

    print(
        f"takeover: the standby held the lease {lease_seconds:.1f} s after the SIGKILL and had stored the mentions "
        f"posted after it {takeover_seconds:.1f} s after it"
    )
    assert standby is not None and standby.process.returncode == 0, standby.stderr()[-3000:]
    assert "took over polling" in standby.stderr()
    assert "Traceback" not in standby.stderr(), standby.stderr()[-3000:]
    assert takeover_seconds < 60
    assert set(served) <= stored, f"{len(set(served) - stored)} served mentions not stored"
    assert mentions == distinct, "a mention stored twice"
    assert drafts == drafted, "a mention drafted twice"
