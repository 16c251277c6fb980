"""Mastodon through the real Mastodon.py client: recorded responses (tests/recorded/mastodon, via `responses`)
and the simulator (listener/simulator/mastodon_api.py) behind the real poller and sender."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.base import OutgoingReply
from listener.mastodon import (
    MastodonAccess,
    MastodonHashtagSource,
    MastodonMentionsSource,
    MastodonSearchSource,
    MastodonSender,
    make_client,
    sources_for,
)
from listener.poller import Poller
from listener.simulator import Simulator
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import AccessDenied, RateLimited, SendFailed
from mentiondesk.core.vocabulary import FoundVia
from storage.models import Mention

RECORDED = Path(__file__).parent / "recorded" / "mastodon"
BASE = "https://mastodon.example.test"
NOTIFICATIONS = f"{BASE}/api/v2/notifications"

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme coffee", "#acmebrew"]
handles = { mastodon = ["mastodonpy_test@localhost"] }
"""


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def rate_headers(remaining: int = 287, reset: str = "2022-12-01T21:00:00.668098Z") -> dict[str, str]:
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": reset}


def query_of(call: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


@pytest.fixture
def brand() -> Brand:
    return parse_brands(BRANDS).get("acme")


@pytest.fixture
def access() -> MastodonAccess:
    # The recorded instance called itself localhost: its local accounts are user@localhost to us.
    return MastodonAccess(base_url=BASE, access_token=SecretStr("recorded-token"), timeout_seconds=3)


@pytest.fixture
def mentions(brand: Brand) -> MastodonMentionsSource:
    access = MastodonAccess(base_url=BASE, access_token=SecretStr("recorded-token"), timeout_seconds=3)
    return MastodonMentionsSource(brand, *make_client(access), "localhost")


# --- recorded responses ---------------------------------------------------------------------------


@responses.activate
def test_mention_notifications_include_filtered_ones_and_parse_replies_and_hostile_text(
    mentions: MastodonMentionsSource,
) -> None:
    responses.get(NOTIFICATIONS, json=body("notifications_mentions"), headers=rate_headers(remaining=17))

    batch = mentions.fetch(None)

    sent = query_of(responses.calls[0])
    assert sent["types[]"] == ["mention"] and sent["include_filtered"] in (["1"], ["true"])
    assert sent["limit"] == ["40"] and "min_id" not in sent  # a first read takes the newest page only
    assert responses.calls[0].request.headers["Authorization"] == "Bearer recorded-token"
    reply, hostile = batch.mentions
    assert reply.external_id == "109440146060347484" and reply.found_via is FoundVia.REPLY
    assert reply.text == "@mastodonpy_test same!"
    assert reply.author_handle == "admin@localhost" and reply.author_external_id == "109440137501589086"
    assert reply.parent_id == "109440146056595641" and reply.conversation_id == "109440146056595641"
    assert reply.created_at == datetime(2022, 12, 1, 19, 48, 23, 705000, tzinfo=UTC)
    assert reply.url == "http://localhost:3000/@admin/109440146060347484" and reply.language == "en"
    assert hostile.found_via is FoundVia.MENTION
    assert "<script>alert(1)</script>" in hostile.text and "\u202e" in hostile.text and "\u200b" in hostile.text
    assert "please\nsecond line\n\n& a paragraph" in hostile.text
    assert [(s.where, s.reason) for s in batch.skipped] == [("notification 35", "no content")]
    assert batch.cursor == "35" and not batch.more
    assert batch.rate_remaining == 17 and batch.requests == 1


@responses.activate
def test_later_reads_walk_forward_from_the_stored_notification_id(mentions: MastodonMentionsSource) -> None:
    responses.get(NOTIFICATIONS, json=body("notifications_empty"), headers=rate_headers())

    batch = mentions.fetch("35")

    assert query_of(responses.calls[0])["min_id"] == ["35"]
    assert batch.mentions == [] and batch.cursor == "35" and not batch.more


@responses.activate
def test_before_4_3_the_v1_notifications_are_read(mentions: MastodonMentionsSource) -> None:
    responses.get(NOTIFICATIONS, status=404, json=body("error_404"))
    reply = body("status_created")
    responses.get(
        f"{BASE}/api/v1/notifications",
        json=[
            {
                "id": "33",
                "type": "mention",
                "created_at": reply["created_at"],
                "account": reply["account"],
                "status": reply,
            }
        ],
        headers=rate_headers(),
    )
    responses.get(f"{BASE}/api/v1/statuses/{reply['id']}/context", json=body("status_context"))  # its thread

    batch = mentions.fetch("30")

    assert [m.external_id for m in batch.mentions] == ["109440146060347484"] and batch.cursor == "33"
    assert query_of(responses.calls[1])["min_id"] == ["30"]
    mentions.fetch("33")
    assert str(responses.calls[-1].request.url).startswith(f"{BASE}/api/v1/notifications")  # remembered


@responses.activate
def test_a_429_says_when_the_window_resets_on_our_clock(mentions: MastodonMentionsSource) -> None:
    now = datetime.now(UTC)
    server_now = now - timedelta(seconds=30)  # the server's clock runs 30 s behind ours
    reset = server_now + timedelta(seconds=120)
    responses.get(
        NOTIFICATIONS,
        status=429,
        json=body("error_429"),
        headers={
            **rate_headers(remaining=0, reset=reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
            "Date": format_datetime(server_now.replace(microsecond=0), usegmt=True),
        },
    )

    with pytest.raises(RateLimited) as caught:
        mentions.fetch("35")

    waited = (caught.value.reset_at - now).total_seconds()
    assert 119 <= waited <= 122  # 120 s on the server's clock, not 90 s on ours
    assert caught.value.platform == "mastodon"


@responses.activate
def test_a_rejected_token_names_the_setting(mentions: MastodonMentionsSource) -> None:
    responses.get(NOTIFICATIONS, status=401, json=body("error_401"))

    with pytest.raises(AccessDenied) as caught:
        mentions.fetch(None)

    assert "MENTIONDESK_MASTODON_ACCESS_TOKEN" in str(caught.value) and "access token is invalid" in str(caught.value)


@responses.activate
def test_search_sends_the_query_and_keeps_a_backlog_walk_resumable(brand: Brand, access: MastodonAccess) -> None:
    source = MastodonSearchSource("mastodon:acme:search", brand, '"acme coffee"', *make_client(access), "localhost")
    page = body("search_statuses")
    page["statuses"] = page["statuses"] * 14  # a full page of 42 (ids repeat; only the cursor matters here)
    responses.get(f"{BASE}/api/v2/search", json=page, headers=rate_headers())

    batch = source.fetch("109440146000000000")

    sent = query_of(responses.calls[0])
    assert sent["q"] == ['"acme coffee"'] and sent["type"] == ["statuses"] and sent["min_id"] == ["109440146000000000"]
    assert "resolve" not in sent  # no remote lookups on a poll
    assert batch.more and batch.cursor == "109440146000000000|109440146056595641|109440146063000001"
    assert {m.found_via for m in batch.mentions} <= {FoundVia.MENTION, FoundVia.REPLY}
    assert "toot" not in {m.text.lower() for m in batch.mentions}  # our own post is not a mention

    source.fetch(batch.cursor)
    assert query_of(responses.calls[1])["max_id"] == ["109440146056595641"]


@responses.activate
def test_hashtag_timeline_is_read_since_the_newest_stored(brand: Brand, access: MastodonAccess) -> None:
    source = MastodonHashtagSource("mastodon:acme:tag:acmebrew", brand, "acmebrew", *make_client(access), "localhost")
    responses.get(f"{BASE}/api/v1/timelines/tag/acmebrew", json=[body("status_created")], headers=rate_headers())

    batch = source.fetch("109440146000000000")

    # Mastodon.py first asks the instance (once per client) whether hashtag feeds are open to us.
    [tag_call] = [c for c in responses.calls if "/timelines/tag/" in str(c.request.url)]
    assert query_of(tag_call)["since_id"] == ["109440146000000000"]
    assert [m.external_id for m in batch.mentions] == ["109440146060347484"]
    assert batch.cursor == "109440146060347484" and not batch.more


def test_sources_for_a_brand(brand: Brand, access: MastodonAccess) -> None:
    names = [s.name for s in sources_for(brand, access)]
    assert names == ["mastodon:acme:mentions", "mastodon:acme:search:acme coffee", "mastodon:acme:tag:acmebrew"]


def _reply(**changes: Any) -> OutgoingReply:
    values: dict[str, Any] = {
        "draft_id": 7,
        "platform": "mastodon",
        "brand": "acme",
        "in_reply_to": "109440146056595641",
        "author_handle": "mastodonpy_test@localhost",
        "text": "same!",
        "idempotency_key": "5f0c7d2e9b",
        "claimed_at": datetime(2022, 12, 1, 19, 48, tzinfo=UTC),
    }
    return OutgoingReply(**{**values, **changes})


@responses.activate
def test_send_replies_in_thread_with_the_idempotency_key(access: MastodonAccess) -> None:
    target = {**body("status_target"), "visibility": "private"}
    responses.get(f"{BASE}/api/v1/statuses/109440146056595641", json=target, headers=rate_headers())
    responses.post(f"{BASE}/api/v1/statuses", json=body("status_created"), headers=rate_headers())

    sent = MastodonSender.from_access(access).send(_reply())

    assert sent.external_id == "109440146060347484" and sent.url == "http://localhost:3000/@admin/109440146060347484"
    post = responses.calls[1].request
    form = parse_qs(str(post.body))
    assert form["in_reply_to_id"] == ["109440146056595641"]
    assert form["status"] == ["@mastodonpy_test@localhost same!"]  # the author is named, so notified
    assert form["visibility"] == ["private"]  # never more public than the post it answers
    assert post.headers["Idempotency-Key"] == "5f0c7d2e9b"


@responses.activate
def test_send_to_a_deleted_post_is_final_and_a_lost_answer_may_have_posted(access: MastodonAccess) -> None:
    responses.get(f"{BASE}/api/v1/statuses/109440146056595641", status=404, json=body("error_404"))
    with pytest.raises(SendFailed) as gone:
        MastodonSender.from_access(access).send(_reply())
    assert gone.value.target_gone and not gone.value.retryable

    responses.replace(responses.GET, f"{BASE}/api/v1/statuses/109440146056595641", json=body("status_target"))
    responses.post(f"{BASE}/api/v1/statuses", status=502, body="<html>502 Bad Gateway</html>")
    with pytest.raises(SendFailed) as lost:
        MastodonSender.from_access(access).send(_reply())
    assert lost.value.maybe_posted

    responses.replace(responses.POST, f"{BASE}/api/v1/statuses", status=422, json=body("error_422"))
    with pytest.raises(SendFailed) as refused:
        MastodonSender.from_access(access).send(_reply())
    assert not refused.value.retryable and "Text can't be blank" in str(refused.value)


@responses.activate
def test_find_reply_reads_our_statuses(access: MastodonAccess) -> None:
    responses.get(f"{BASE}/api/v1/accounts/verify_credentials", json=body("verify_credentials"))
    responses.get(f"{BASE}/api/v1/accounts/109440137501589086/statuses", json=body("account_statuses"))

    found = MastodonSender.from_access(access).find_reply(_reply())

    assert found is not None and found.external_id == "109440146060347484"
    assert MastodonSender.from_access(access).find_reply(_reply(in_reply_to="1")) is None


# --- the simulator --------------------------------------------------------------------------------


def _sim_access(sim: Simulator) -> MastodonAccess:
    return MastodonAccess(base_url=sim.mastodon_base_url, access_token=SecretStr("sim"), timeout_seconds=5)


def _stored(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Mention.external_id).where(col(Mention.platform) == "mastodon")))


def test_restart_mid_poll_loses_nothing_and_stores_nothing_twice(engine: Engine) -> None:
    brand = parse_brands(BRANDS.replace("mastodonpy_test@localhost", "acme")).get("acme")
    with Simulator.start(brand_handles={"mastodon": ["acme"]}, keywords=["acme"], seed=4) as sim:
        source = MastodonMentionsSource(brand, *make_client(_sim_access(sim)), "127.0.0.1")
        assert Poller(engine).poll(source).status == "ok"  # the first read sets the cursor
        posted = sim.add_mentions(150, platform="mastodon", kind="mention")

        first = Poller(engine).poll(source, max_pages=2)  # the process dies after two pages
        assert first.pages == 2 and first.stored == 80
        restarted = MastodonMentionsSource(brand, *make_client(_sim_access(sim)), "127.0.0.1")
        rest = Poller(engine).poll(restarted)

        assert rest.status == "ok" and rest.stored == 70
        stored = _stored(engine)
        assert sorted(stored) == sorted(posted) and len(stored) == len(set(stored))
        filtered = [n for n in sim.mastodon.notifications if n["filtered"]]
        assert filtered and {n["status_id"] for n in filtered} <= set(stored)  # held back by policy, still read


def test_no_request_before_an_announced_reset(engine: Engine) -> None:
    brand = parse_brands(BRANDS.replace("mastodonpy_test@localhost", "acme")).get("acme")
    with Simulator.start(brand_handles={"mastodon": ["acme"]}, keywords=["acme"], seed=5) as sim:
        source = MastodonMentionsSource(brand, *make_client(_sim_access(sim)), "127.0.0.1")
        sim.inject("rate_limit", platform="mastodon", reset_in=90)

        limited = Poller(engine).poll(source)
        asked = len(sim.requests("mastodon"))
        clock = datetime.now(UTC)
        again = Poller(engine, clock=lambda: clock + timedelta(seconds=80)).poll(source)
        after = Poller(engine, clock=lambda: clock + timedelta(seconds=95)).poll(source)

        assert limited.status == "rate_limited" and again.status == "waiting"
        assert len(sim.requests("mastodon")) - asked == 1  # nothing at +80 s, one request at +95 s
        assert after.status == "ok"


def test_a_retried_send_with_the_same_key_makes_one_reply() -> None:
    with Simulator.start(brand_handles={"mastodon": ["acme"]}, keywords=["acme"], seed=6) as sim:
        [mention] = sim.add_mentions(1, platform="mastodon", kind="mention")
        author = sim.mastodon.index[mention]["account"]["acct"]
        sender = MastodonSender.from_access(_sim_access(sim))
        reply = _reply(in_reply_to=mention, author_handle=f"{author}@127.0.0.1", text="Sorry about that!")
        sim.inject("answer_lost", platform="mastodon", path="/api/v1/statuses", method="POST", delay=0.1)

        with pytest.raises(SendFailed) as lost:
            sender.send(reply)
        assert lost.value.maybe_posted
        retried = sender.send(reply)

        posted = sim.replies("mastodon")
        assert len(posted) == 1 and posted[0]["id"] == retried.external_id
        assert posted[0]["in_reply_to"] == mention
        other = sender.send(_reply(in_reply_to=mention, author_handle=author, idempotency_key="another-draft"))
        assert other.external_id != retried.external_id and len(sim.replies("mastodon")) == 2
