"""Defects found by replaying Reddit responses recorded by praw's test suite (tests/recorded/reddit/praw_*.json,
source and license in each file's `_source`), through the real praw client and the real poller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy import Engine
from sqlmodel import Session, select

from listener.poller import Poller
from listener.reddit import SEEN_LIMIT, ListingCursor, RedditListingSource, forget_tokens, sources_for
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from storage.models import Mention, SourceState

RECORDED = Path(__file__).parent / "recorded" / "reddit"
OAUTH = "https://oauth.reddit.example.test"
WWW = "https://www.reddit.example.test"

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["the", "seriously", "bboe"]
handles = { reddit = ["pyapitestuser2"] }
reddit = { subreddits = ["all"], search_sitewide = false }
"""


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def without(listing: dict[str, Any], *names: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(listing))
    copy["data"]["children"] = [c for c in copy["data"]["children"] if c["data"]["name"] not in names]
    return copy


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        reddit_oauth_url=OAUTH,
        reddit_url=WWW,
        reddit_client_id="client-id",
        reddit_client_secret="client-secret",
        reddit_username="pyapitestuser2",
        reddit_password="hunter2",
        request_timeout_seconds=3,
    )


def source_named(name: str, settings: Settings, brand_toml: str = BRANDS) -> RedditListingSource:
    brand: Brand = parse_brands(brand_toml).get("acme")
    return {s.name: s for s in sources_for(brand, access_of("reddit", settings))}[name]


@pytest.fixture(autouse=True)
def token() -> None:
    forget_tokens()
    responses.post(f"{WWW}/api/v1/access_token", json=recorded("access_token"))


@responses.activate
def test_a_comment_visible_after_a_newer_one_is_stored_once(settings: Settings, engine: Engine) -> None:
    # praw's r/all recording: five comments of one second, consecutive ids. dbhn11b shows up one poll late.
    source = source_named("reddit:acme:comments", settings)
    url = f"{OAUTH}/r/all/comments"
    full = recorded("praw_all_comments")
    responses.get(url, json=without(full, "t1_dbhn11b"))
    responses.get(url, json=full)
    responses.get(url, json=full)
    poller = Poller(engine)

    first, late, again = poller.poll(source), poller.poll(source), poller.poll(source)

    assert (first.stored, late.stored, again.stored) == (4, 1, 0)
    with Session(engine) as session:
        stored = [m.external_id for m in session.exec(select(Mention).order_by(Mention.id))]  # type: ignore[arg-type]
        cursor = ListingCursor.parse(session.get_one(SourceState, source.name).cursor)
    assert stored[-1] == "t1_dbhn11b" and len(stored) == len(set(stored)) == 5
    assert cursor.since == "t1_dbhn11d" and "t1_dbhn11b" in cursor.seen


@responses.activate
def test_an_item_an_hour_late_on_the_reread_page_is_returned_once_and_the_seen_set_is_bounded(
    settings: Settings,
) -> None:
    source = source_named("reddit:acme:comments", settings)
    url = f"{OAUTH}/r/all/comments"
    full = recorded("praw_all_comments")
    old = json.loads(json.dumps(full))
    for child in old["data"]["children"][2:]:
        child["data"]["created_utc"] -= 3600  # an hour older than the newest
    responses.get(url, json=without(full, "t1_dbhn11b", "t1_dbhn11a"))
    responses.get(url, json=old)
    responses.get(url, json=old)

    first = source.fetch(None)
    second = source.fetch(first.cursor)
    third = source.fetch(second.cursor)

    # the whole newest page is reread, whatever the items' age: both show up an hour late, once
    assert sorted(m.external_id for m in second.mentions) == ["t1_dbhn11a", "t1_dbhn11b"]
    assert third.mentions == []
    crowded = ListingCursor(since="t1_dbhn11d", seen=tuple(f"t1_a{n:05d}" for n in range(1000)))
    assert len(ListingCursor.parse(crowded.dump()).seen) == 1000
    kept = ListingCursor.parse(source.fetch(crowded.dump()).cursor)
    assert len(kept.seen) == SEEN_LIMIT and kept.seen[0] == "t1_dbhn11c"  # the newest are the ones reread
    assert kept.floor == kept.seen[-1]  # older than the oldest kept: cannot tell, so not returned


@responses.activate
def test_below_the_floor_nothing_is_returned_however_late(settings: Settings) -> None:
    source = source_named("reddit:acme:comments", settings)
    responses.get(f"{OAUTH}/r/all/comments", json=recorded("praw_all_comments"))
    # a cursor whose seen-set has let go of everything older than dbhn11c
    cursor = ListingCursor(since="t1_dbhn11d", seen=("t1_dbhn11d", "t1_dbhn11c"), floor="t1_dbhn11c")

    batch = source.fetch(cursor.dump())

    assert batch.mentions == []  # dbhn11b and dbhn11a may have been returned before the set let them go


@responses.activate
def test_a_cursor_saved_before_the_overlap_is_still_read(settings: Settings) -> None:
    source = source_named("reddit:acme:comments", settings)
    responses.get(f"{OAUTH}/r/all/comments", json=recorded("praw_all_comments"))

    batch = source.fetch("t1_dbhn11b")  # the plain form of before: the newest fullname stored

    got = {m.external_id for m in batch.mentions}
    assert {"t1_dbhn11d", "t1_dbhn11c"} <= got and "t1_dbhn11b" not in got
    assert ListingCursor.parse(batch.cursor).since == "t1_dbhn11d"


@responses.activate
def test_comments_without_permalink_get_a_url_from_link_id_and_id(settings: Settings) -> None:
    source = source_named("reddit:acme:comments", settings)
    responses.get(f"{OAUTH}/r/all/comments", json=recorded("praw_all_comments"))

    by_id = {m.external_id: m for m in source.fetch(None).mentions}

    assert by_id["t1_dbhn11d"].url == f"{WWW}/comments/5jffj1/_/dbhn11d/"
    assert by_id["t1_dbhn11c"].conversation_id == "t3_5jfjzu" and by_id["t1_dbhn11c"].parent_id == "t1_dbhl9sx"
    assert all(m.url for m in by_id.values())


@responses.activate
def test_an_inbox_mention_without_link_id_gets_its_thread(settings: Settings) -> None:
    source = source_named("reddit:acme:mentions:pyapitestuser2", settings)
    responses.get(f"{OAUTH}/message/mentions", json=recorded("praw_inbox_mentions"))

    (mention,) = source.fetch(None).mentions

    assert mention.external_id == "t1_da2g9oh" and mention.author_handle == "PyAPITestUser3"
    assert mention.conversation_id == "t3_5d7tk7"  # from `context`: the thread view has its thread
    assert mention.url == f"{WWW}/r/PRAW_73oy54eo3a/comments/5d7tk7/calling_test/da2g9oh/?context=3"


@responses.activate
def test_moderator_notices_are_not_mentions(settings: Settings) -> None:
    source = source_named("reddit:acme:comments", settings)
    url = f"{OAUTH}/r/all/comments"
    responses.get(url, json=recorded("praw_moderator_comment"))
    responses.get(url, json=recorded("praw_moderator_comment"))
    keep = 'name = "Acme"\nrouting = { ignore_moderator_notices = false }'
    kept = source_named("reddit:acme:comments", settings, BRANDS.replace('name = "Acme"', keep))

    ignored = source.fetch(None)

    assert ignored.mentions == [] and ignored.skipped == []  # distinguished "moderator": dropped, not an error
    assert [m.external_id for m in kept.fetch(None).mentions] == ["t1_da2g5y6"]


@responses.activate
def test_the_brand_file_lists_more_bots(settings: Settings) -> None:
    toml = BRANDS.replace(
        'name = "Acme"', 'name = "Acme"\nrouting = { bots = ["AutoModerator", "PoliticsModeratorBot"] }'
    )
    default, listed = (
        source_named("reddit:acme:comments", settings),
        source_named("reddit:acme:comments", settings, toml),
    )
    responses.get(f"{OAUTH}/r/all/comments", json=recorded("praw_all_comments"))

    assert "t1_dbhn119" in {m.external_id for m in default.fetch(None).mentions}
    assert "t1_dbhn119" not in {m.external_id for m in listed.fetch(None).mentions}
