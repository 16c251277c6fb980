"""Bluesky through the real atproto client: recorded responses (tests/recorded/bluesky) served by an httpx
transport, and the simulator (listener/simulator/bluesky_api.py) behind the real poller and sender."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.base import OutgoingReply
from listener.bluesky import (
    BlueskyAccess,
    BlueskyNotificationsSource,
    BlueskySearchSource,
    BlueskySender,
    BlueskySession,
    FeedCursor,
)
from listener.poller import Poller
from listener.simulator import Simulator
from listener.simulator.bluesky_api import expire_access_tokens, jwt
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import AccessDenied, RateLimited, SendFailed
from mentiondesk.core.vocabulary import FoundVia
from storage.models import Mention

RECORDED = Path(__file__).parent / "recorded" / "bluesky"
DID = "did:plc:acmeacmeacmeacmeacmeacme"
BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { bluesky = ["acme.bsky.social"] }
"""
RATE = {
    "ratelimit-limit": "3000",
    "ratelimit-remaining": "2987",
    "ratelimit-reset": "1700000300",
    "ratelimit-policy": "3000;w=300",
}


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def session_body() -> dict[str, Any]:
    return {
        "did": DID,
        "handle": "acme.bsky.social",
        "accessJwt": jwt(DID, "com.atproto.access", 7200),
        "refreshJwt": jwt(DID, "com.atproto.refresh", 86400),
        "active": True,
    }


class Recorded:
    """An httpx transport answering XRPC calls from the recorded bodies; it keeps every request."""

    def __init__(self, answers: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.answers = {
            "com.atproto.server.createSession": lambda r: httpx.Response(200, json=session_body()),
            **answers,
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.removeprefix("/xrpc/")
        answer = self.answers.get(nsid)
        return answer(request) if answer else httpx.Response(501, json={"error": "MethodNotImplemented"})

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{nsid}"]


def json_answer(
    name: str, status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body(name), headers={**RATE, **(headers or {})})


@pytest.fixture
def brand() -> Brand:
    return parse_brands(BRANDS).get("acme")


@pytest.fixture
def access(tmp_path: Path) -> BlueskyAccess:
    return BlueskyAccess(
        base_url="https://pds.example.test",
        handle="acme.bsky.social",
        app_password=SecretStr("xxxx-xxxx-xxxx-xxxx"),
        session_file=tmp_path / "state" / "bluesky.session",
        timeout_seconds=3,
    )


def session(access: BlueskyAccess, recorded: Recorded) -> BlueskySession:
    return BlueskySession(access, transport=httpx.MockTransport(recorded))


# --- recorded responses ---------------------------------------------------------------------------


def test_notifications_give_mentions_replies_and_quotes_and_skip_odd_items(brand: Brand, access: BlueskyAccess) -> None:
    recorded = Recorded({"app.bsky.notification.listNotifications": json_answer("list_notifications")})
    source = BlueskyNotificationsSource(brand, session(access, recorded))

    batch = source.fetch(None)

    [listed] = recorded.calls("app.bsky.notification.listNotifications")
    assert sorted(listed.url.params.get_list("reasons")) == ["mention", "quote", "reply"]
    assert listed.url.params["limit"] == "100" and listed.headers["Authorization"].startswith("Bearer ")
    quote, reply = batch.mentions
    assert quote.external_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert quote.text == "" and quote.found_via is FoundVia.MENTION  # a quote with only an image
    assert quote.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert quote.author_handle == "test.marshal.dev" and quote.author_external_id == "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    assert quote.created_at == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC) and quote.language == "en"
    assert reply.found_via is FoundVia.REPLY and reply.parent_id == quote.external_id
    assert reply.conversation_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
    assert "<b>refund</b>" in reply.text and "\u202e" in reply.text and "\u200b" in reply.text
    assert [(s.where, s.reason) for s in batch.skipped] == [
        ("at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahf3hxkbc2b", "no text")
    ]
    cursor = FeedCursor.parse(batch.cursor)
    assert cursor.since == "2023-09-28T12:52:00.310Z"  # the like's time counts
    assert list(cursor.seen) == ["at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.like/3kahf4abcde2x"]
    assert not batch.more and batch.rate_remaining == 2987
    assert batch.rate_reset_at == datetime.fromtimestamp(1700000300, tz=UTC)
    assert batch.requests == 2  # the one login and the page


def test_a_backlog_is_walked_down_to_the_newest_stored(brand: Brand, access: BlueskyAccess) -> None:
    recorded = Recorded({"app.bsky.notification.listNotifications": json_answer("list_notifications")})
    source = BlueskyNotificationsSource(brand, session(access, recorded))

    walking = source.fetch(FeedCursor(since="2023-09-28T12:40:00.000Z").dump())
    assert walking.more and FeedCursor.parse(walking.cursor).page == "2023-09-28T12:49:36.735Z"
    assert len(walking.mentions) == 2

    done = source.fetch(FeedCursor(since="2023-09-28T12:50:00.000Z").dump())
    assert not done.more and [m.found_via for m in done.mentions] == [FoundVia.REPLY]  # the quote is older
    assert FeedCursor.parse(done.cursor).since == "2023-09-28T12:52:00.310Z"


def test_search_is_latest_first_since_the_newest_stored_with_an_overlap(brand: Brand, access: BlueskyAccess) -> None:
    recorded = Recorded({"app.bsky.feed.searchPosts": json_answer("search_posts")})
    bluesky = session(access, recorded)
    source = BlueskySearchSource("bluesky:acme:search:acme", brand, "acme", bluesky)

    batch = source.fetch(FeedCursor(since="2023-09-28T12:50:00.000Z").dump())

    [searched] = recorded.calls("app.bsky.feed.searchPosts")
    assert searched.url.params["q"] == "acme" and searched.url.params["sort"] == "latest"
    assert searched.url.params["since"] == "2023-09-28T12:45:00.000Z"
    assert {m.found_via for m in batch.mentions} == {FoundVia.MENTION, FoundVia.KEYWORD}  # names our did; an image
    assert batch.more and FeedCursor.parse(batch.cursor).page == "2"


def test_the_session_is_saved_owner_only_and_reused_by_the_next_run(brand: Brand, access: BlueskyAccess) -> None:
    first = Recorded({"app.bsky.notification.listNotifications": json_answer("list_notifications")})
    BlueskyNotificationsSource(brand, session(access, first)).fetch(None)
    saved = access.session_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(access.session_file.stat().st_mode) == 0o600
    assert "xxxx-xxxx" not in saved and DID in saved  # tokens, never the app password

    second = Recorded({"app.bsky.notification.listNotifications": json_answer("list_notifications")})
    BlueskyNotificationsSource(brand, session(access, second)).fetch(None)
    assert len(first.calls("com.atproto.server.createSession")) == 1
    assert second.calls("com.atproto.server.createSession") == []  # logins are limited: none needed


def test_a_refused_login_names_the_settings_and_a_limited_one_says_when(brand: Brand, access: BlueskyAccess) -> None:
    refused = Recorded({"com.atproto.server.createSession": json_answer("error_login", 401)})
    with pytest.raises(AccessDenied) as caught:
        BlueskyNotificationsSource(brand, session(access, refused)).fetch(None)
    assert "MENTIONDESK_BLUESKY_HANDLE" in str(caught.value) and "Invalid identifier or password" in str(caught.value)

    reset = int((datetime.now(UTC) + timedelta(minutes=4)).timestamp())
    limited = Recorded(
        {"com.atproto.server.createSession": json_answer("error_429", 429, {"ratelimit-reset": str(reset)})}
    )
    with pytest.raises(RateLimited) as waited:
        BlueskyNotificationsSource(brand, session(access, limited)).fetch(None)
    assert waited.value.reset_at == datetime.fromtimestamp(reset, tz=UTC) and "logins" in str(waited.value)


def test_send_writes_a_reply_record_with_root_and_parent(access: BlueskyAccess) -> None:
    recorded = Recorded(
        {
            "app.bsky.feed.getPosts": json_answer("get_posts"),
            "com.atproto.repo.createRecord": json_answer("create_record"),
        }
    )
    sender = BlueskySender(session(access, recorded))
    target = "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahf3hxkbc2a"
    reply = OutgoingReply(
        draft_id=3,
        platform="bluesky",
        brand="acme",
        in_reply_to=target,
        author_handle="test.marshal.dev",
        text="Sorry! A refund is on its way.",
        idempotency_key="c0ffee",
        claimed_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
    )

    sent = sender.send(reply)

    assert sent.external_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3k2yihcrp6f2c"
    [created] = recorded.calls("com.atproto.repo.createRecord")
    data = json.loads(created.content)
    assert data["repo"] == DID and data["collection"] == "app.bsky.feed.post" and len(data["rkey"]) == 13
    record = data["record"]
    assert record["text"] == "Sorry! A refund is on its way."
    assert record["reply"]["parent"] == {
        "$type": "com.atproto.repo.strongRef",
        "uri": target,
        "cid": "bafyreihs5xbc4ir4qpqzq6kmbsazrqnp6zh5ls6dpahybyxnjjuwpqw3le",
    }
    assert record["reply"]["root"]["uri"].endswith("/3kahesw26il2z")  # the thread's root, not the parent
    again = Recorded(
        {
            "app.bsky.feed.getPosts": json_answer("get_posts"),
            "com.atproto.repo.createRecord": json_answer("create_record"),
        }
    )
    BlueskySender(session(access, again)).send(reply)
    assert json.loads(again.calls("com.atproto.repo.createRecord")[0].content)["rkey"] == data["rkey"]  # same key

    gone = Recorded({"app.bsky.feed.getPosts": lambda r: httpx.Response(200, json={"posts": []})})
    with pytest.raises(SendFailed) as deleted:
        BlueskySender(session(access, gone)).send(reply)
    assert deleted.value.target_gone


# --- the simulator --------------------------------------------------------------------------------


def _access(sim: Simulator, tmp_path: Path, name: str = "s") -> BlueskyAccess:
    return BlueskyAccess(
        base_url=sim.bluesky_base_url,
        handle=sim.bluesky.handle,
        app_password=SecretStr(sim.bluesky.password),
        session_file=tmp_path / name,
        timeout_seconds=5,
    )


def _stored(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(Mention.external_id).where(col(Mention.platform) == "bluesky")))


def test_restart_mid_poll_no_gap_no_duplicate_and_the_session_survives_expiry(
    engine: Engine, brand: Brand, tmp_path: Path
) -> None:
    with Simulator.start(brand_handles={"bluesky": ["acme.bsky.social"]}, keywords=["acme"], seed=8) as sim:
        first = BlueskyNotificationsSource(brand, BlueskySession(_access(sim, tmp_path)))
        assert Poller(engine).poll(first).status == "ok"
        sim.add_mentions(260, platform="bluesky")
        expected = {n["uri"] for n in sim.bluesky.notifications}

        partial = Poller(engine).poll(first, max_pages=1)  # the process dies after one page
        assert partial.stored == 100
        expire_access_tokens(sim.bluesky)  # meanwhile the access token stops working
        restarted = BlueskyNotificationsSource(brand, BlueskySession(_access(sim, tmp_path)))
        rest = Poller(engine).poll(restarted)

        assert rest.status == "ok", rest.message
        stored = _stored(engine)
        assert set(stored) == expected and len(stored) == len(set(stored))
        assert sim.bluesky.logins == 1  # refused access tokens are refreshed, never a new login
        again = Poller(engine).poll(restarted)
        assert again.status == "ok" and again.fetched == 0  # the newest one, at `since`, is not handed out again


def test_no_request_before_an_announced_reset(engine: Engine, brand: Brand, tmp_path: Path) -> None:
    with Simulator.start(brand_handles={"bluesky": ["acme.bsky.social"]}, keywords=["acme"], seed=9) as sim:
        source = BlueskyNotificationsSource(brand, BlueskySession(_access(sim, tmp_path)))
        assert Poller(engine).poll(source).status == "ok"
        sim.inject("rate_limit", platform="bluesky", reset_in=120)

        limited = Poller(engine).poll(source)
        asked = len(sim.requests("bluesky"))
        now = datetime.now(UTC)
        early = Poller(engine, clock=lambda: now + timedelta(seconds=100)).poll(source)
        late = Poller(engine, clock=lambda: now + timedelta(seconds=125)).poll(source)

        assert (limited.status, early.status, late.status) == ("rate_limited", "waiting", "ok")
        assert len(sim.requests("bluesky")) - asked == 1


def test_a_retried_send_makes_one_reply(tmp_path: Path) -> None:
    with Simulator.start(brand_handles={"bluesky": ["acme.bsky.social"]}, keywords=["acme"], seed=10) as sim:
        [target] = [n["uri"] for n in sim.bluesky.notifications] or sim.add_mentions(1, platform="bluesky")[:1]
        sender = BlueskySender(BlueskySession(_access(sim, tmp_path)))
        reply = OutgoingReply(
            draft_id=1,
            platform="bluesky",
            brand="acme",
            in_reply_to=target,
            author_handle="someone",
            text="Thanks!",
            idempotency_key="k-1",
            claimed_at=datetime.now(UTC),
        )
        sim.inject("answer_lost", platform="bluesky", path="createRecord", delay=0.1)

        with pytest.raises(SendFailed) as lost:
            sender.send(reply)
        assert lost.value.maybe_posted
        found = sender.find_reply(reply)
        retried = sender.send(reply)

        assert found is not None and retried.external_id == found.external_id
        assert [r["in_reply_to"] for r in sim.replies("bluesky")] == [target]
