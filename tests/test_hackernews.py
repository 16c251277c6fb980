"""Hacker News (Algolia HN Search API) through requests: recorded responses (tests/recorded/hackernews) and the
simulator (listener/simulator/hackernews_api.py) behind the real poller."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.hackernews import HackerNewsAccess, HackerNewsSearchSource, TimeCursor, sources_for
from listener.poller import Poller
from listener.simulator import Simulator
from listener.simulator.hackernews_api import post_comment
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import RateLimited, SourceError
from mentiondesk.core.vocabulary import FoundVia
from storage.models import Mention

RECORDED = Path(__file__).parent / "recorded" / "hackernews"
BASE = "https://hn-search.example.test"
SEARCH = f"{BASE}/api/v1/search_by_date"

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme", "#acme"]
handles = { hackernews = ["acme_team"] }
"""


def body(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def brand() -> Brand:
    return parse_brands(BRANDS).get("acme")


def source(brand: Brand, base: str = BASE) -> HackerNewsSearchSource:
    [only] = sources_for(brand, HackerNewsAccess(base_url=base, timeout_seconds=3))
    return only


@responses.activate
def test_stories_and_comments_naming_the_keyword_link_to_the_item(brand: Brand) -> None:
    responses.get(SEARCH, json=body("search_by_date"))

    batch = source(brand).fetch("1438637000")

    sent = parse_qs(urlsplit(str(responses.calls[0].request.url)).query)
    assert sent["query"] == ["acme"] and sent["tags"] == ["(story,comment)"] and sent["hitsPerPage"] == ["100"]
    assert sent["numericFilters"] == ["created_at_i>1438636400"]  # ten minutes of overlap for late indexing
    comment, story = batch.mentions
    assert comment.external_id == "9999999" and comment.author_handle == "tcas"
    assert comment.url == "https://news.ycombinator.com/item?id=9999999"
    assert comment.conversation_id == "9998227" and comment.parent_id == "9999826"
    assert comment.created_at == datetime(2015, 8, 3, 21, 32, 1, tzinfo=UTC)
    assert comment.text.startswith('We moved our build to Acme Cloud last year and it\'s been "fine" <script>')
    assert "\n\nThe debugger in Acme is what I miss most: https://example.com/acme" in comment.text
    assert {m.found_via for m in batch.mentions} == {FoundVia.KEYWORD}  # HN has no @mentions
    assert story.text.startswith("Why Discord is switching from Go to Rust, and what Acme learned\n\nhttps://discord")
    assert story.conversation_id == "22238335" and story.parent_id is None
    assert "9999998" not in {m.external_id for m in batch.mentions}  # "acmes" only matched as a prefix
    assert [(s.where, s.reason) for s in batch.skipped] == [("item 9999997", "no created_at_i")]
    cursor = TimeCursor.parse(batch.cursor)
    assert cursor.since == 1580862169 and not batch.more
    assert dict(cursor.seen) == {"22238335": 1580862169}  # older ones are below the next read's overlap


@responses.activate
def test_the_1000_hit_ceiling_is_a_clear_error(brand: Brand) -> None:
    responses.get(SEARCH, status=400, json=body("error_1000_hits"))

    with pytest.raises(SourceError) as caught:
        source(brand).fetch("0")

    assert "only fetch the 1000 hits" in str(caught.value) and caught.value.platform == "hackernews"


@responses.activate
def test_a_429_pauses_for_retry_after_or_ten_minutes(brand: Brand) -> None:
    responses.get(SEARCH, status=429, json={"message": "Too Many Requests", "status": 429})
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as plain:
        source(brand).fetch("0")
    assert timedelta(minutes=9) < plain.value.reset_at - before <= timedelta(minutes=10, seconds=5)

    responses.replace(responses.GET, SEARCH, status=429, json={}, headers={"Retry-After": "30"})
    with pytest.raises(RateLimited) as told:
        source(brand).fetch("0")
    assert told.value.reset_at - before <= timedelta(seconds=35)


@responses.activate
def test_our_own_posts_are_not_mentions_and_a_first_read_starts_now(brand: Brand) -> None:
    page = body("search_by_date")
    page["hits"][0]["author"] = "acme_team"
    responses.get(SEARCH, json=page)
    first = source(brand).fetch(None)
    assert "numericFilters" not in parse_qs(urlsplit(str(responses.calls[0].request.url)).query)
    assert "9999999" not in {m.external_id for m in first.mentions}

    responses.replace(responses.GET, SEARCH, json=body("empty"))
    empty = source(brand).fetch(None)
    since = TimeCursor.parse(empty.cursor).since or 0
    assert abs(since - time.time()) < 5  # nothing yet: later reads start from now, not 1970


def _stored(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Mention.external_id).where(col(Mention.platform) == "hackernews")))


def test_late_indexed_items_are_read_and_a_restart_mid_walk_loses_nothing(engine: Engine, brand: Brand) -> None:
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"], seed=3) as sim:
        poller = Poller(engine)
        first = source(brand, sim.hackernews_base_url)
        assert poller.poll(first).status == "ok"
        posted = sim.add_mentions(260, platform="hackernews")  # some posted minutes ago: indexed late
        late = post_comment(sim.hackernews, "acme lost my order", author="late_one", at=time.time() - 420)

        partial = Poller(engine).poll(first, max_pages=2)  # the process dies after two pages of a backlog
        assert partial.pages == 2 and partial.stored < 261
        rest = Poller(engine).poll(source(brand, sim.hackernews_base_url))

        assert rest.status == "ok"
        stored = _stored(engine)
        assert sorted(stored) == sorted([*posted, late]) and len(stored) == len(set(stored))
        again = Poller(engine).poll(source(brand, sim.hackernews_base_url))
        # The overlap reads the last ten minutes again; what was handed out then is not handed out again.
        assert again.status == "ok" and again.fetched == 0 and again.stored == 0


def test_no_request_before_the_pause_a_429_sets(engine: Engine, brand: Brand) -> None:
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"], seed=5) as sim:
        hn = source(brand, sim.hackernews_base_url)
        assert Poller(engine).poll(hn).status == "ok"
        sim.inject("rate_limit", platform="hackernews")  # Algolia says no reset: ten minutes

        limited = Poller(engine).poll(hn)
        asked = len(sim.requests("hackernews"))
        now = datetime.now(UTC)
        early = Poller(engine, clock=lambda: now + timedelta(minutes=9)).poll(hn)
        late = Poller(engine, clock=lambda: now + timedelta(minutes=11)).poll(hn)

        assert (limited.status, early.status, late.status) == ("rate_limited", "waiting", "ok")
        assert len(sim.requests("hackernews")) - asked == 1
