"""The Reddit sources and sender through the real praw client, against recorded Reddit API bodies (`responses`)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from listener.base import Batch, OutgoingReply
from listener.reddit import (
    ListingCursor,
    RedditListingSource,
    RedditSender,
    forget_tokens,
    make_reddit,
    sources_for,
)
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import AccessDenied, RateLimited, SendFailed, TransientError
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from storage.models import FoundVia

RECORDED = Path(__file__).parent / "recorded" / "reddit"
OAUTH = "https://oauth.reddit.example.test"
WWW = "https://www.reddit.example.test"
COMMENTS_URL = f"{OAUTH}/r/coffee+espresso/comments"

BRANDS = """
[brands.acme]
name = "Acme Coffee"
keywords = ["acme coffee"]
exclude = ["acme anvil"]
handles = { reddit = ["AcmeCoffee"] }
reddit = { subreddits = ["coffee", "r/espresso"], search_sitewide = true }
"""


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def rate_headers(used: int = 2, remaining: float = 598.0, reset: int = 412) -> dict[str, str]:
    return {"x-ratelimit-used": str(used), "x-ratelimit-remaining": f"{remaining:.1f}", "x-ratelimit-reset": str(reset)}


@pytest.fixture(autouse=True)
def fresh_process() -> None:
    forget_tokens()  # each test is a new process: no token held yet


@pytest.fixture
def brand() -> Brand:
    return parse_brands(BRANDS).get("acme")


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        reddit_oauth_url=OAUTH,
        reddit_url=WWW,
        reddit_client_id="client-id",
        reddit_client_secret="client-secret",
        reddit_username="AcmeCoffee",
        reddit_password="hunter2",
        request_timeout_seconds=3,
    )


@pytest.fixture
def token() -> None:
    responses.post(f"{WWW}/api/v1/access_token", json=body("access_token"))


def since(batch: Batch) -> str | None:
    return ListingCursor.parse(batch.cursor).since


def by_name(sources: list[RedditListingSource]) -> dict[str, RedditListingSource]:
    return {s.name: s for s in sources}


@pytest.fixture
def comments(brand: Brand, settings: Settings) -> RedditListingSource:
    return by_name(sources_for(brand, access_of("reddit", settings)))["reddit:acme:comments"]


def query_of(call: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def test_sources_for_a_brand(brand: Brand, settings: Settings) -> None:
    sources = by_name(sources_for(brand, access_of("reddit", settings)))
    assert set(sources) == {
        "reddit:acme:mentions:acmecoffee",
        "reddit:acme:posts",
        "reddit:acme:comments",
        "reddit:acme:search",
    }
    assert sources["reddit:acme:posts"].path == "r/coffee+espresso/new"
    assert sources["reddit:acme:search"].path == "search"


@responses.activate
def test_comments_matched_deleted_and_removed_skipped(comments: RedditListingSource, token: None) -> None:
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())

    batch = comments.fetch("t1_l3aa999")

    assert [m.external_id for m in batch.mentions] == ["t1_l3ab003", "t1_l3ab006"]  # oldest first
    mention, keyword = batch.mentions
    assert mention.found_via is FoundVia.MENTION and mention.author_handle == "[deleted]"  # author null
    assert "\u200b" in mention.text
    assert keyword.found_via is FoundVia.KEYWORD and keyword.author_handle == "quiet_lurker"
    assert keyword.author_external_id == "t2_9zx8y"
    assert keyword.conversation_id == "t3_1cq9x0a" and keyword.parent_id == "t3_1cq9x0a"
    assert keyword.url == f"{WWW}/r/coffee/comments/1cq9x0a/daily_question_thread/l3ab006/"
    assert keyword.created_at == datetime.fromtimestamp(1715610300, tz=UTC)
    assert {(s.where, s.reason) for s in batch.skipped} == {
        ("t1_l3ab005", "comment deleted"),
        ("t1_l3ab004", "comment removed"),
        ("t1_l3ab002", "no created_utc"),
    }
    assert since(batch) == "t1_l3ab006" and batch.more is False
    assert batch.requests == 2  # the password-grant token and the listing
    assert batch.rate_remaining == 598
    assert batch.rate_reset_at is not None
    assert abs((batch.rate_reset_at - datetime.now(UTC)).total_seconds() - 412) < 5
    sent = query_of(responses.calls[1])
    assert sent == {"limit": "100", "raw_json": "1"}
    assert responses.calls[1].request.headers["Authorization"].startswith("bearer eyJ")
    assert "mentiondesk" in responses.calls[1].request.headers["User-Agent"]


@responses.activate
def test_a_backlog_is_walked_with_after_down_to_the_cursor(comments: RedditListingSource, token: None) -> None:
    listing = body("comments_listing")
    template = listing["data"]["children"][0]
    children = []
    for n in range(100, 0, -1):  # newest first, like Reddit
        child = json.loads(json.dumps(template))
        child["data"]["name"] = f"t1_m{n:06d}"
        children.append(child)
    full_page = {"kind": "Listing", "data": {**listing["data"], "children": children, "after": "t1_m000001"}}
    responses.get(COMMENTS_URL, json=full_page, headers=rate_headers())
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())

    first = comments.fetch("t1_l3ab003")
    assert first.more is True and len(first.mentions) == 100
    walk = ListingCursor.parse(first.cursor)
    assert (walk.since, walk.after, walk.newest) == ("t1_l3ab003", "t1_m000001", "t1_m000100")
    second = comments.fetch(first.cursor)

    # The second page reaches the cursor (t1_l3ab003): only what is newer counts, and the walk settles.
    assert [m.external_id for m in second.mentions] == ["t1_l3ab006"]
    assert {s.where for s in second.skipped} == {"t1_l3ab005", "t1_l3ab004"}
    assert second.more is False and since(second) == "t1_m000100"
    assert "after" not in query_of(responses.calls[1])
    assert query_of(responses.calls[2])["after"] == "t1_m000001"


@responses.activate
def test_a_deleted_cursor_item_does_not_stall_the_source(comments: RedditListingSource, token: None) -> None:
    # t1_l3aa999 is no longer in the listing (deleted): ids, not positions, decide what is new.
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())
    batch = comments.fetch("t1_l3aa999")
    assert [m.external_id for m in batch.mentions] == ["t1_l3ab003", "t1_l3ab006"]


@responses.activate
def test_an_empty_first_read_makes_everything_later_new(comments: RedditListingSource, token: None) -> None:
    responses.get(
        COMMENTS_URL,
        json={
            "kind": "Listing",
            "data": {"after": None, "dist": 0, "modhash": None, "geo_filter": "", "children": [], "before": None},
        },
    )
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())
    first = comments.fetch(None)
    assert since(first) == "0" and first.mentions == []
    second = comments.fetch(first.cursor)
    assert len(second.mentions) == 2 and since(second) == "t1_l3ab006"


@responses.activate
def test_without_a_cursor_only_the_newest_page_is_read(comments: RedditListingSource, token: None) -> None:
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())
    batch = comments.fetch(None)
    assert "after" not in query_of(responses.calls[1])
    assert batch.more is False and since(batch) == "t1_l3ab006"


@responses.activate
def test_mentions_inbox(brand: Brand, settings: Settings, token: None) -> None:
    source = by_name(sources_for(brand, access_of("reddit", settings)))["reddit:acme:mentions:acmecoffee"]
    responses.get(f"{OAUTH}/message/mentions", json=body("mentions_listing"), headers=rate_headers())

    (mention,) = source.fetch(None).mentions

    assert mention.external_id == "t1_l3cd111" and mention.found_via is FoundVia.MENTION
    assert mention.author_handle == "shot_puller"
    thread = "/r/espresso/comments/1cqb222/where_to_get_a_decent_flat_white_downtown"
    assert mention.url == f"{WWW}{thread}/l3cd111/?context=3"


@responses.activate
def test_sitewide_search(brand: Brand, settings: Settings, token: None) -> None:
    source = by_name(sources_for(brand, access_of("reddit", settings)))["reddit:acme:search"]
    responses.get(f"{OAUTH}/search", json=body("search_listing"), headers=rate_headers())

    batch = source.fetch(None)

    (post,) = batch.mentions
    assert post.external_id == "t3_1cqc333" and post.found_via is FoundVia.KEYWORD
    assert post.text.startswith("Acme Coffee subscription: cancel or keep?\n\nThree late deliveries")
    assert [s.where for s in batch.skipped] == ["t3_1cqc222"]
    sent = query_of(responses.calls[1])
    assert sent["q"] == '("acme coffee") NOT "acme anvil"' and sent["sort"] == "new" and sent["type"] == "link"


@responses.activate
def test_429_is_rate_limited_until_the_reset(comments: RedditListingSource, token: None) -> None:
    responses.get(COMMENTS_URL, json=body("error_429"), status=429, headers=rate_headers(600, 0.0, 37))

    with pytest.raises(RateLimited) as raised:
        comments.fetch("t1_x")

    expected = datetime.now(UTC) + timedelta(seconds=37)
    assert abs((raised.value.reset_at - expected).total_seconds()) < 5


@responses.activate
def test_server_errors_and_timeouts_are_transient_and_not_retried_inside(
    comments: RedditListingSource, token: None
) -> None:
    responses.get(COMMENTS_URL, body="<html>all of our servers are busy</html>", status=503)
    responses.get(COMMENTS_URL, body=requests.ReadTimeout("read timed out"))
    responses.get(COMMENTS_URL, body=requests.ConnectionError("refused"))

    for _ in range(3):
        with pytest.raises(TransientError):
            comments.fetch("t1_x")
    listing_calls = [c for c in responses.calls if "/comments" in str(c.request.url)]
    assert len(listing_calls) == 3  # the poller retries, not prawcore


@responses.activate
def test_forbidden_and_bad_tokens_are_access_denied(comments: RedditListingSource, token: None) -> None:
    responses.get(COMMENTS_URL, json=body("error_403"), status=403)
    responses.get(
        COMMENTS_URL,
        json=body("error_401"),
        status=401,
        headers={"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
    )
    with pytest.raises(AccessDenied, match="403"):
        comments.fetch("t1_x")
    with pytest.raises(AccessDenied):
        comments.fetch("t1_x")


@responses.activate
def test_one_token_serves_every_source_and_the_sender(brand: Brand, settings: Settings, token: None) -> None:
    access = access_of("reddit", settings)
    sources = sources_for(brand, access)
    sender = RedditSender.from_access(access_of("reddit", settings))
    for source in sources:
        responses.get(f"{OAUTH}/{source.path}", json=body("search_listing"), headers=rate_headers())
    responses.get(f"{OAUTH}/user/AcmeCoffee/comments", json=body("user_comments"))

    batches = [source.fetch(None) for source in sources]
    sender.find_reply(OutgoingReply(1, "reddit", "acme", "t1_none", "someone", "hi"))

    token_requests = [c for c in responses.calls if str(c.request.url).endswith("/api/v1/access_token")]
    assert len(sources) == 4 and len(token_requests) == 1  # not one per client
    assert [b.requests for b in batches] == [2, 1, 1, 1]  # the token is counted by the source that fetched it


@responses.activate
def test_a_refused_token_is_replaced_for_every_client(brand: Brand, settings: Settings, token: None) -> None:
    first, second = sources_for(brand, access_of("reddit", settings))[:2]
    invalid = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
    responses.get(f"{OAUTH}/{first.path}", json=body("error_401"), status=401, headers=invalid)
    responses.get(f"{OAUTH}/{second.path}", json=body("search_listing"))

    with pytest.raises(AccessDenied):
        first.fetch(None)
    second.fetch(None)

    token_requests = [c for c in responses.calls if str(c.request.url).endswith("/api/v1/access_token")]
    assert len(token_requests) == 2  # the refused token was not handed to the second client


@responses.activate
def test_wrong_app_credentials_or_password(comments: RedditListingSource) -> None:
    responses.post(f"{WWW}/api/v1/access_token", json=body("error_401"), status=401)
    responses.post(f"{WWW}/api/v1/access_token", json={"error": "invalid_grant"})
    with pytest.raises(AccessDenied, match="CLIENT_ID"):
        comments.fetch(None)
    with pytest.raises(AccessDenied, match="invalid_grant"):
        comments.fetch(None)


# --- sender -------------------------------------------------------------------------------------------

REPLY = OutgoingReply(
    draft_id=3,
    platform="reddit",
    brand="acme",
    in_reply_to="t1_l3cd111",
    author_handle="shot_puller",
    text="Sorry about that! We've messaged you. (automated reply)",
)


@responses.activate
def test_sender_replies_to_the_comment(settings: Settings, token: None) -> None:
    responses.post(f"{OAUTH}/api/comment/", json=body("comment_created"), headers=rate_headers())

    sent = RedditSender.from_access(access_of("reddit", settings)).send(REPLY)

    assert sent.external_id == "t1_l3ee999"
    assert sent.url == f"{WWW}/r/espresso/comments/1cqb222/where_to_get_a_decent_flat_white_downtown/l3ee999/"
    form = parse_qs(str(responses.calls[1].request.body))
    assert form["thing_id"] == ["t1_l3cd111"] and form["text"] == [REPLY.text]


@responses.activate
def test_reply_to_a_locked_thread_is_not_retryable(settings: Settings, token: None) -> None:
    responses.post(f"{OAUTH}/api/comment/", json=body("comment_thread_locked"))
    with pytest.raises(SendFailed) as raised:
        RedditSender.from_access(access_of("reddit", settings)).send(REPLY)
    assert raised.value.retryable is False and "THREAD_LOCKED" in str(raised.value)


@responses.activate
def test_find_reply_reads_our_recent_comments(settings: Settings, token: None) -> None:
    responses.get(f"{OAUTH}/user/AcmeCoffee/comments", json=body("user_comments"), headers=rate_headers())
    sender = RedditSender.from_access(access_of("reddit", settings))

    found = sender.find_reply(REPLY)
    missing = sender.find_reply(OutgoingReply(4, "reddit", "acme", "t3_other", "x", "hi"))

    assert found is not None and found.external_id == "t1_l3ee999"
    assert missing is None


def test_make_reddit_uses_the_configured_urls(settings: Settings) -> None:
    reddit, _ = make_reddit(access_of("reddit", settings))
    assert reddit.config.oauth_url == OAUTH and reddit.config.reddit_url == WWW


@responses.activate
def test_absurd_values_are_skipped_items_not_crashes(comments: RedditListingSource, token: None) -> None:
    listing = body("comments_listing")
    listing["data"]["children"][0]["data"]["created_utc"] = 1e30  # beyond any datetime
    listing["data"]["children"][1] = ["not", "a", "thing"]
    listing["data"]["children"].insert(2, None)
    responses.get(COMMENTS_URL, json=listing, headers=rate_headers())

    batch = comments.fetch("t1_l3aa999")

    assert [m.external_id for m in batch.mentions] == ["t1_l3ab003"]
    assert "t1_l3ab006" in {s.where for s in batch.skipped}


@responses.activate
def test_debug_logging_never_shows_credentials(
    comments: RedditListingSource, token: None, caplog: pytest.LogCaptureFixture
) -> None:
    responses.get(COMMENTS_URL, json=body("comments_listing"), headers=rate_headers())
    with caplog.at_level(logging.DEBUG):
        comments.fetch(None)
    assert caplog.text  # prawcore did log the request
    for secret in ("hunter2", "client-secret", body("access_token")["access_token"]):
        assert secret not in caplog.text
