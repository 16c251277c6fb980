"""The service: its database lock, clean stop after the batch in hand, and polling + sending on a schedule
against the platform simulator (real tweepy, praw, HTTP, SQLite)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from listener.simulator import Simulator
from listener.x import XCursor
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import build_senders, build_sources
from mentiondesk.service import Intervals, Service, ServiceAlreadyRunning, ServiceLock, StopAfterBatch
from mentiondesk.settings import Settings
from responders.queue import approve
from rules.classifier import Classifier
from storage.db import transaction
from storage.models import Draft, DraftState, Lock, Mention, SourceState, utcnow

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme"] }
"""


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=11
    ) as running:
        yield running


@pytest.fixture
def acme() -> BrandConfig:
    return parse_brands(BRANDS)


def settings_for(sim: Simulator) -> Settings:
    values: dict[str, object] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    return Settings(_env_file=None, request_timeout_seconds=3, **values)  # type: ignore[call-arg, arg-type]


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


# --- the lock -----------------------------------------------------------------------------------------


def test_a_second_service_refuses_while_the_first_holds_the_lock(any_engine: Engine) -> None:
    engine = any_engine  # SQLite and PostgreSQL
    first, second = ServiceLock(engine, holder="one"), ServiceLock(engine, holder="two")
    first.acquire()
    with pytest.raises(ServiceAlreadyRunning, match="one"):
        second.acquire()
    first.release()
    second.acquire()
    with transaction(engine) as session:
        assert session.get(Lock, "service").holder == "two"  # type: ignore[union-attr]


def test_a_stale_lock_is_taken_over_and_the_old_holder_notices(any_engine: Engine) -> None:
    engine = any_engine
    dead = ServiceLock(engine, holder="dead")
    dead.acquire()
    later = ServiceLock(engine, holder="new", clock=lambda: utcnow() + timedelta(minutes=5))
    later.acquire()
    assert dead.heartbeat() is False
    assert later.heartbeat() is True


# --- stopping after the batch in hand -----------------------------------------------------------------


def test_stopping_stores_the_batch_in_hand_and_the_next_poll_resumes(
    engine: Engine, sim: Simulator, acme: BrandConfig, classifier: Classifier
) -> None:
    source = {s.name: s for s in build_sources(acme, settings_for(sim))}["x:acme:mentions:acme"]
    pipeline = Pipeline(engine=engine, brands=acme, classifier=classifier)
    pipeline.poll(source)
    added = sim.add_mentions(250, platform="x", kind="mention")
    stopping = threading.Event()
    stopping.set()

    first = pipeline.poll(StopAfterBatch(source, stopping))
    rest = pipeline.poll(source)

    assert (first.pages, first.stored) == (1, 100)
    assert rest.stored == 150
    with transaction(engine) as session:
        stored = list(session.exec(select(Mention.external_id).where(Mention.platform == "x")))
        state = session.get(SourceState, source.name)
    assert sorted(stored, key=int) == added
    assert state is not None and XCursor.parse(state.cursor).since_id == added[-1]


# --- the service end to end ---------------------------------------------------------------------------


def test_service_polls_sends_approved_replies_and_stops_cleanly(
    engine: Engine, sim: Simulator, acme: BrandConfig, classifier: Classifier
) -> None:
    settings = settings_for(sim)
    service = Service(
        engine=engine,
        pipeline=Pipeline(engine=engine, brands=acme, classifier=classifier),
        sources=build_sources(acme, settings),
        senders=build_senders(settings),
        intervals=Intervals(poll_seconds=1, send_seconds=1, housekeeping_seconds=1),
    )
    sim.add_mentions(30, platform="x", kind="mention")
    runner = threading.Thread(target=service.run, kwargs={"install_signals": False})
    runner.start()
    try:

        def drafted() -> list[int]:
            with transaction(engine) as session:
                return [
                    d for d in session.exec(select(Draft.id).where(Draft.state == DraftState.DRAFTED)) if d is not None
                ]

        assert wait_for(lambda: bool(drafted())), "the service polled and drafted replies"
        draft_id = drafted()[0]
        with transaction(engine) as session:
            approve(draft_id, session=session, actor="test")
            in_reply_to = session.get(Mention, session.get(Draft, draft_id).mention_id).external_id  # type: ignore[union-attr]
        with pytest.raises(ServiceAlreadyRunning):
            ServiceLock(engine).acquire()

        assert wait_for(lambda: any(r["in_reply_to"] == in_reply_to for r in sim.replies())), "reply sent"
        assert wait_for(lambda: _state(engine, draft_id) == DraftState.SENT)
        assert wait_for(lambda: _polled(engine) == {s.name for s in service.sources}), "every source polled"
    finally:
        service.stop()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert [r["in_reply_to"] for r in sim.replies()].count(in_reply_to) == 1
    with transaction(engine) as session:
        assert session.get(Lock, "service") is None  # released
        states = {s.name: s for s in session.exec(select(SourceState))}
    assert set(states) == {s.name for s in service.sources}
    assert all(s.health == "ok" and s.last_ok_at is not None for s in states.values())


def _state(engine: Engine, draft_id: int) -> str | None:
    with transaction(engine) as session:
        draft = session.get(Draft, draft_id)
        return draft.state if draft else None


def _polled(engine: Engine) -> set[str]:
    with transaction(engine) as session:
        return {s.name for s in session.exec(select(SourceState)) if s.last_ok_at is not None}
