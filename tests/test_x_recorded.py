"""The X sources and sender through the real tweepy client, against recorded X API v2 bodies (`responses`)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from listener.base import OutgoingReply
from listener.x import XCursor, XMentionsSource, XSearchSource, XSender, build_queries, make_client
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import AccessDenied, ConfigError, RateLimited, SendFailed, SourceError, TransientError
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from storage.models import FoundVia

RECORDED = Path(__file__).parent / "recorded" / "x"
BASE = "https://x-api.example.test"  # not api.twitter.com: proves the host rewrite
MENTIONS_URL = f"{BASE}/2/users/2244994945/mentions"
SEARCH_URL = f"{BASE}/2/tweets/search/recent"

BRANDS = """
[brands.acme]
name = "Acme Coffee"
keywords = ["acme coffee", "#acmebrew"]
exclude = ["acme anvil"]
languages = ["en"]
handles = { x = ["AcmeCoffee"] }
"""


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def rate_headers(remaining: int = 449, reset: int = 1_715_610_000) -> dict[str, str]:
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": str(remaining), "x-rate-limit-reset": str(reset)}


@pytest.fixture
def brand() -> Brand:
    return parse_brands(BRANDS).get("acme")


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        x_api_base_url=BASE,
        x_bearer_token="bearer-token",
        x_api_key="k",
        x_api_secret="s",
        x_access_token="t",
        x_access_secret="ts",
        request_timeout_seconds=3,
    )


@pytest.fixture
def mentions(brand: Brand, settings: Settings) -> XMentionsSource:
    return XMentionsSource(brand, "AcmeCoffee", *make_client(access_of("x", settings)))


@pytest.fixture
def user_lookup() -> None:
    responses.get(f"{BASE}/2/users/by/username/AcmeCoffee", json=body("user_by_username"), headers=rate_headers())


def position(cursor: str | None) -> str | None:
    """Where a cursor stands, without the account's user id a mentions source keeps in it."""
    return replace(XCursor.parse(cursor), user_id=None).dump()


def query_of(call: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


@responses.activate
def test_mentions_page_parsed_oldest_first_with_author_and_rate_figures(
    mentions: XMentionsSource, user_lookup: None
) -> None:
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers(remaining=17))

    batch = mentions.fetch(None)

    assert [m.external_id for m in batch.mentions] == ["1790004403929075712", "1790011350471147520"]
    reply, mention = batch.mentions
    assert mention.author_handle == "ana_lima" and mention.author_name == "Ana Lima"
    assert mention.author_followers == 312 and mention.author_external_id == "1453245893"
    assert mention.created_at == datetime(2024, 5, 13, 14, 2, 11, tzinfo=UTC)
    assert mention.url == "https://x.com/ana_lima/status/1790011350471147520"
    assert mention.found_via is FoundVia.MENTION and mention.language == "en"
    assert reply.found_via is FoundVia.REPLY and reply.parent_id == "1789990000000000000"
    assert reply.conversation_id == "1789990000000000000"
    assert "\u202e" in reply.text and "<b>10/10</b>" in reply.text  # hostile text kept as data
    assert batch.requests == 2  # the handle lookup and one page
    assert batch.rate_remaining == 17
    assert batch.rate_reset_at == datetime.fromtimestamp(1_715_610_000, tz=UTC)
    sent = query_of(responses.calls[1])
    assert sent["max_results"] == "100"
    assert set(sent["expansions"].split(",")) == {"author_id", "in_reply_to_user_id"}
    assert {"created_at", "lang", "conversation_id", "in_reply_to_user_id", "referenced_tweets"} <= set(
        sent["tweet.fields"].split(",")
    )
    assert set(sent["user.fields"].split(",")) == {"username", "name", "public_metrics"}
    assert responses.calls[1].request.headers["Authorization"] == "Bearer bearer-token"


@responses.activate
def test_the_handle_is_looked_up_once_not_on_every_run(brand: Brand, settings: Settings, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("empty"), headers=rate_headers())

    first = XMentionsSource(brand, "AcmeCoffee", *make_client(access_of("x", settings))).fetch(None)
    # `poll --once` again: a new process, a new source, the cursor saved by the last one.
    second = XMentionsSource(brand, "AcmeCoffee", *make_client(access_of("x", settings))).fetch(first.cursor)

    lookups = [c for c in responses.calls if "/2/users/by/username/" in str(c.request.url)]
    assert len(lookups) == 1 and (first.requests, second.requests) == (2, 1)
    assert XCursor.parse(second.cursor).user_id == "2244994945"
    assert "/2/users/2244994945/mentions" in str(responses.calls[-1].request.url)


@responses.activate
def test_malformed_item_is_skipped_and_the_rest_of_the_page_kept(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers())

    batch = mentions.fetch(None)

    assert len(batch.mentions) == 2
    assert [(s.where, s.reason) for s in batch.skipped] == [("tweet 1790009876543212544", "no text")]


@responses.activate
def test_pagination_keeps_since_id_until_the_backlog_is_read(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("mentions_page2"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("empty"), headers=rate_headers())

    first = mentions.fetch("1789000000000000000")
    assert first.more is True
    assert (
        position(first.cursor)
        == "1789000000000000000|7140dibdnow9c7btw4539n4tv4uyyxvq2jkkl7ocrsb0i|1790011350471147520"
    )
    second = mentions.fetch(first.cursor)
    assert second.more is False
    assert position(second.cursor) == "1790011350471147520"  # the newest id of the whole backlog
    assert second.requests == 1
    third = mentions.fetch(second.cursor)
    assert third.mentions == [] and position(third.cursor) == "1790011350471147520"

    calls = [query_of(c) for c in responses.calls if "/mentions" in str(c.request.url)]
    assert calls[0]["since_id"] == "1789000000000000000" and "pagination_token" not in calls[0]
    assert calls[1]["since_id"] == "1789000000000000000"
    assert calls[1]["pagination_token"] == "7140dibdnow9c7btw4539n4tv4uyyxvq2jkkl7ocrsb0i"
    assert calls[2]["since_id"] == "1790011350471147520" and "pagination_token" not in calls[2]


@responses.activate
def test_429_is_rate_limited_until_the_reset_header(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("error_429"), status=429, headers=rate_headers(0, 1_715_611_111))

    with pytest.raises(RateLimited) as raised:
        mentions.fetch(None)
    assert raised.value.reset_at == datetime.fromtimestamp(1_715_611_111, tz=UTC)
    assert raised.value.platform == "x"


@responses.activate
def test_503_and_timeouts_are_transient(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("error_503"), status=503)
    responses.get(MENTIONS_URL, body=requests.ReadTimeout("read timed out"))
    responses.get(MENTIONS_URL, body=requests.ConnectionError("connection refused"))

    for _ in range(3):
        with pytest.raises(TransientError):
            mentions.fetch(None)


@responses.activate
def test_access_tier_answers_are_access_denied_in_plain_words(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("error_453"), status=403)
    responses.get(MENTIONS_URL, json=body("error_403_client_not_enrolled"), status=403)
    responses.get(MENTIONS_URL, json=body("error_401"), status=401)

    with pytest.raises(AccessDenied) as tier:
        mentions.fetch(None)
    assert "your X API access tier does not include this endpoint" in str(tier.value)
    assert tier.value.status == 403
    with pytest.raises(AccessDenied) as enrolled:
        mentions.fetch(None)
    assert "access tier does not include this endpoint" in str(enrolled.value)
    with pytest.raises(AccessDenied) as unauthorized:
        mentions.fetch(None)
    assert unauthorized.value.status == 401 and "credentials" in str(unauthorized.value)


@responses.activate
def test_unknown_handle_is_a_source_error(brand: Brand, settings: Settings) -> None:
    source = XMentionsSource(brand, "nobody_here", *make_client(access_of("x", settings)))
    responses.get(
        f"{BASE}/2/users/by/username/nobody_here",
        json={
            "errors": [
                {
                    "value": "nobody_here",
                    "detail": "Could not find user with username: [nobody_here].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": "username",
                    "resource_id": "nobody_here",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        },
    )
    with pytest.raises(SourceError, match="nobody_here"):
        source.fetch(None)


@responses.activate
def test_not_json_is_transient(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, body="<html>bad gateway</html>", status=200, content_type="text/html")
    with pytest.raises(TransientError):
        mentions.fetch(None)


@responses.activate
def test_search_marks_keyword_only_mention_and_reply(brand: Brand, settings: Settings) -> None:
    (query,) = build_queries(brand)
    source = XSearchSource("x:acme:search", brand, query, *make_client(access_of("x", settings)))
    responses.get(SEARCH_URL, json=body("search_page"), headers=rate_headers())

    batch = source.fetch("1790000000000000000")

    via = {m.external_id: m.found_via for m in batch.mentions}
    assert via == {
        "1790020000000000001": FoundVia.KEYWORD,
        "1790020000000000002": FoundVia.MENTION,
        "1790020000000000003": FoundVia.REPLY,
    }
    sent = query_of(responses.calls[0])
    assert sent["query"] == query and sent["since_id"] == "1790000000000000000"
    assert position(batch.cursor) == "1790020000000000003" and not batch.more


def test_query_has_keywords_exclusions_language_and_no_retweets(brand: Brand) -> None:
    assert build_queries(brand) == ['("acme coffee" OR #acmebrew) -"acme anvil" -is:retweet -from:AcmeCoffee lang:en']


def test_long_keyword_lists_are_split_under_512_characters() -> None:
    keywords = ", ".join(f'"blend number {i}"' for i in range(60))
    brand = parse_brands(f'[brands.big]\nname = "Big"\nkeywords = [{keywords}]\nlanguages = ["en", "es"]\n').get("big")

    queries = build_queries(brand)

    assert len(queries) > 1
    assert all(len(q) <= 512 for q in queries)
    assert all(q.endswith("-is:retweet (lang:en OR lang:es)") for q in queries)
    joined = " ".join(queries)
    assert all(f'"blend number {i}"' in joined for i in range(60))


def test_a_keyword_that_cannot_fit_is_a_config_error() -> None:
    brand = parse_brands(f'[brands.b]\nname = "B"\nkeywords = ["{"x" * 600}"]\n').get("b")
    with pytest.raises(ConfigError, match="512"):
        build_queries(brand)


# --- sender -------------------------------------------------------------------------------------------

REPLY = OutgoingReply(
    draft_id=7,
    platform="x",
    brand="acme",
    in_reply_to="1790011350471147520",
    author_handle="ana_lima",
    text="Sorry about that, Ana! DM us your order number and we'll chase it. (automated reply)",
)


@responses.activate
def test_sender_posts_an_oauth1_reply(settings: Settings) -> None:
    responses.post(f"{BASE}/2/tweets", json=body("create_tweet"), status=201)

    sent = XSender.from_access(access_of("x", settings)).send(REPLY)

    assert sent.external_id == "1790030000000000000"
    assert sent.url == "https://x.com/i/web/status/1790030000000000000"
    request = responses.calls[0].request
    assert request.headers["Authorization"].startswith("OAuth ")
    assert json.loads(request.body or b"{}") == {
        "text": REPLY.text,
        "reply": {"in_reply_to_tweet_id": "1790011350471147520"},
    }


@responses.activate
def test_find_reply_reconciles_a_reply_already_posted(settings: Settings) -> None:
    responses.get(f"{BASE}/2/users/me", json=body("me"))
    responses.get(f"{BASE}/2/users/2244994945/tweets", json=body("user_tweets"))

    sender = XSender.from_access(access_of("x", settings))
    found = sender.find_reply(REPLY)
    missing = sender.find_reply(OutgoingReply(7, "x", "acme", "123", "someone", "hi"))

    assert found is not None and found.external_id == "1790030000000000000"
    assert missing is None


@responses.activate
def test_send_failures_say_whether_a_retry_can_help(settings: Settings) -> None:
    responses.post(f"{BASE}/2/tweets", json=body("error_503"), status=503)
    responses.post(
        f"{BASE}/2/tweets",
        json={
            "detail": "You are not allowed to create a Tweet with duplicate content.",
            "type": "about:blank",
            "title": "Forbidden",
            "status": 403,
        },
        status=403,
    )
    sender = XSender.from_access(access_of("x", settings))
    with pytest.raises(SendFailed) as transient:
        sender.send(REPLY)
    assert transient.value.retryable is True
    with pytest.raises(SendFailed) as duplicate:
        sender.send(REPLY)
    assert duplicate.value.retryable is False and "duplicate content" in str(duplicate.value)


def test_secrets_stay_out_of_the_settings_repr(settings: Settings) -> None:
    assert "bearer-token" not in repr(settings)


@responses.activate
def test_odd_pages_and_items_never_escape_as_other_errors(mentions: XMentionsSource, user_lookup: None) -> None:
    page = body("mentions_page1")
    page["data"][0]["created_at"] = "yesterday"
    page["data"].append("not a tweet")
    page["includes"]["users"] = {"not": "a list"}
    responses.get(MENTIONS_URL, json=page, headers=rate_headers())
    responses.get(MENTIONS_URL, json=["a", "list"], headers=rate_headers())
    responses.get(MENTIONS_URL, json={"data": {"id": "1"}}, headers=rate_headers())

    batch = mentions.fetch("1789000000000000000")
    assert batch.mentions == [] and len(batch.skipped) == 4  # no authors in includes: every item skipped
    # The cursor still moves past the skipped items: they are not fetched again.
    assert batch.more
    assert (
        position(batch.cursor)
        == "1789000000000000000|7140dibdnow9c7btw4539n4tv4uyyxvq2jkkl7ocrsb0i|1790011350471147520"
    )
    with pytest.raises(TransientError):
        mentions.fetch(None)
    odd = mentions.fetch(None)
    assert odd.mentions == [] and odd.skipped[0].where == "page"


@responses.activate
def test_a_first_read_takes_the_newest_page_only(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("empty"), headers=rate_headers())

    first = mentions.fetch(None)
    assert first.more is False and position(first.cursor) == "1790011350471147520"
    assert "since_id" not in query_of(responses.calls[1])


@responses.activate
def test_an_empty_first_read_makes_everything_later_new(mentions: XMentionsSource, user_lookup: None) -> None:
    responses.get(MENTIONS_URL, json=body("empty"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("mentions_page1"), headers=rate_headers())
    responses.get(MENTIONS_URL, json=body("mentions_page2"), headers=rate_headers())

    empty = mentions.fetch(None)
    assert position(empty.cursor) == "0"
    first = mentions.fetch(empty.cursor)
    second = mentions.fetch(first.cursor)

    assert first.more and not second.more and position(second.cursor) == "1790011350471147520"
    assert [query_of(c).get("since_id") for c in responses.calls if "/mentions" in str(c.request.url)] == [
        None,
        None,
        None,
    ]
    assert len(first.mentions) + len(second.mentions) == 3


@responses.activate
def test_debug_logging_never_shows_the_bearer_token(
    mentions: XMentionsSource, user_lookup: None, caplog: pytest.LogCaptureFixture
) -> None:
    responses.get(MENTIONS_URL, json=body("empty"), headers=rate_headers())
    with caplog.at_level(logging.DEBUG):
        mentions.fetch(None)
    assert "bearer-token" not in caplog.text
