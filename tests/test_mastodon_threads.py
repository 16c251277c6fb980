"""A Mastodon mention's conversation is its thread's first post, not just the post it answers: learnt from
statuses seen, or read from the status context (GET /api/v1/statuses/:id/context) once per thread, a few per
page and not when the rate window runs low. Through the real Mastodon.py client against recorded responses
(tests/recorded/mastodon, source in its README) and the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from listener.mastodon import (
    CONTEXT_RESERVE,
    MastodonAccess,
    MastodonMentionsSource,
    MastodonSearchSource,
    make_client,
    search_sources_for,
)
from listener.poller import Poller
from listener.simulator import Simulator
from listener.simulator.mastodon_api import account, post_status
from listener.thread_roots import forget_roots
from mentiondesk.core.brands import Brand, parse_brands
from storage.models import Mention

RECORDED = Path(__file__).parent / "recorded" / "mastodon"
BASE = "https://mastodon.example.test"
NOTIFICATIONS = f"{BASE}/api/v2/notifications"
REPLY, TARGET = "109440146060347484", "109440146056595641"  # @admin's reply and the post it answers
CONTEXT = f"{BASE}/api/v1/statuses/{REPLY}/context"


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def rate_headers(remaining: int) -> dict[str, str]:
    reset = "2022-12-01T21:00:00.668098Z"
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": reset}


@pytest.fixture(autouse=True)
def fresh_roots() -> Iterator[None]:
    forget_roots()
    yield
    forget_roots()


def recorded_source() -> MastodonMentionsSource:
    brand = parse_brands(
        '[brands.acme]\nname = "Acme"\nkeywords = ["acme"]\nhandles = { mastodon = ["mastodonpy_test@localhost"] }\n'
    ).get("acme")
    access = MastodonAccess(base_url=BASE, access_token=SecretStr("recorded-token"), timeout_seconds=3)
    return MastodonMentionsSource(brand, *make_client(access), "localhost")


def another_reply_to_the_same_post() -> dict[str, Any]:
    page = body("notifications_mentions")
    reply = next(s for s in page["statuses"] if s["id"] == REPLY)
    again = json.loads(json.dumps(reply)) | {"id": "109440146070000003"}
    group = dict(page["notification_groups"][-1]) | {
        "group_key": "ungrouped-36",
        "most_recent_notification_id": 36,
        "page_min_id": "36",
        "page_max_id": "36",
        "status_id": again["id"],
    }
    return {"accounts": page["accounts"], "statuses": [again], "notification_groups": [group]}


@responses.activate
def test_a_reply_gets_its_threads_first_post_and_the_thread_is_read_once() -> None:
    source = recorded_source()
    responses.get(NOTIFICATIONS, json=body("notifications_mentions"), headers=rate_headers(287))
    responses.get(CONTEXT, json=body("status_context"), headers=rate_headers(286))
    responses.get(NOTIFICATIONS, json=another_reply_to_the_same_post(), headers=rate_headers(285))

    first = source.fetch(None)
    second = source.fetch(first.cursor)

    reply = next(m for m in first.mentions if m.external_id == REPLY)
    assert reply.parent_id == TARGET and reply.conversation_id == TARGET
    assert [c.request.url for c in responses.calls].count(CONTEXT) == 1 and first.requests == 2
    [again] = second.mentions
    assert again.conversation_id == TARGET and second.requests == 1  # the same thread: known, not read again


@responses.activate
def test_no_thread_is_read_when_the_rate_window_runs_low() -> None:
    source = recorded_source()
    responses.get(NOTIFICATIONS, json=body("notifications_mentions"), headers=rate_headers(CONTEXT_RESERVE))

    batch = source.fetch(None)

    reply = next(m for m in batch.mentions if m.external_id == REPLY)
    assert reply.conversation_id == TARGET == reply.parent_id  # the answered post, as before
    assert batch.requests == 1 and len(responses.calls) == 1


@responses.activate
def test_a_thread_that_cannot_be_read_keeps_the_page() -> None:
    source = recorded_source()
    responses.get(NOTIFICATIONS, json=body("notifications_mentions"), headers=rate_headers(287))
    responses.get(CONTEXT, status=404, json=body("error_404"), headers=rate_headers(286))

    batch = source.fetch(None)

    assert {m.external_id for m in batch.mentions} == {REPLY, "109440146063000001"}
    assert next(m for m in batch.mentions if m.external_id == REPLY).conversation_id == TARGET


# --- the simulator ------------------------------------------------------------------------------------


def _access(sim: Simulator) -> MastodonAccess:
    return MastodonAccess(base_url=sim.mastodon_base_url, access_token=SecretStr("sim"), timeout_seconds=5)


def _brand() -> Brand:
    return parse_brands('[brands.acme]\nname = "Acme"\nkeywords = ["acme"]\nhandles = { mastodon = ["acme"] }\n').get(
        "acme"
    )


def test_replies_deep_in_a_thread_share_its_first_post_through_the_simulator(engine: Engine) -> None:
    with Simulator.start(brand_handles={"mastodon": ["acme"]}, keywords=["acme"], seed=7) as sim:
        world = sim.state.worlds["mastodon"]
        source = MastodonMentionsSource(_brand(), *make_client(_access(sim)), "127.0.0.1")
        searches = [s for s in search_sources_for(_brand(), _access(sim)) if isinstance(s, MastodonSearchSource)]
        poller = Poller(engine)
        poller.poll(source)  # the first read sets each cursor
        for search in searches:
            poller.poll(search)
        dave, carol, bob, eve = (account(world, name) for name in ("dave", "carol", "bob", "eve"))
        with sim.state.lock:
            root = post_status(world, "Which grinder should I buy?", dave)
            middle = post_status(world, "Not that one, the burrs wear out", carol, reply_to=root)
            deep = post_status(world, "@acme is this true of yours? acme", bob, reply_to=middle)
            other = post_status(world, "@acme mine is fine after two years", eve, reply_to=middle)
            below = post_status(world, "@acme and a reply to that one", carol, reply_to=other)
        before = len(sim.requests("mastodon"))

        assert poller.poll(source).stored == 3
        for search in searches:
            poller.poll(search)
        contexts = [path for _, _, path in sim.requests("mastodon")[before:] if path.endswith("/context")]

    with Session(engine) as session:
        stored = {m.external_id: m for m in session.exec(select(Mention))}
    assert {stored[i].parent_id for i in (deep, other)} == {middle} and stored[below].parent_id == other
    assert {stored[i].conversation_id for i in (deep, other, below)} == {root}  # the thread's first post
    assert contexts == [f"/api/v1/statuses/{deep}/context"]  # one read for the whole thread, none by search
