"""The sources and senders end to end against the local platform simulator (real tweepy and praw, real HTTP
on 127.0.0.1), including the simulator's fault injection and reply recording."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from listener.base import Batch, OutgoingReply, Source
from listener.reddit import RedditSender
from listener.simulator import Fault, Simulator
from listener.x import XCursor, XSender
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.core.errors import AccessDenied, RateLimited, TransientError
from mentiondesk.platforms import build_senders, build_sources
from mentiondesk.settings import Settings
from storage.models import FoundVia

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme", "gadgets"] }
"""


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]},
        keywords=["acme"],
        subreddits=["acme", "gadgets"],
        seed=7,
    ) as running:
        yield running


@pytest.fixture
def brands() -> BrandConfig:
    return parse_brands(BRANDS)


def settings_for(sim: Simulator, **overrides: object) -> Settings:
    values: dict[str, object] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    values["request_timeout_seconds"] = 2
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def sources(sim: Simulator, brands: BrandConfig) -> dict[str, Source]:
    return {s.name: s for s in build_sources(brands, settings_for(sim))}


def drain(source: Source, cursor: str | None) -> tuple[list[Batch], str | None]:
    batches = [source.fetch(cursor)]
    while batches[-1].more:
        batches.append(source.fetch(batches[-1].cursor))
    return batches, batches[-1].cursor


def test_registry_builds_every_source(sim: Simulator, brands: BrandConfig) -> None:
    assert set(sources(sim, brands)) == {
        "x:acme:mentions:acme",
        "x:acme:search",
        "reddit:acme:mentions:acme_support",
        "reddit:acme:posts",
        "reddit:acme:comments",
        "reddit:acme:search",
        "mastodon:acme:search:acme",
        "bluesky:acme:search:acme",
    }


def test_platforms_without_credentials_are_skipped_with_one_line(brands: BrandConfig) -> None:
    notices: list[str] = []
    built = build_sources(brands, Settings(_env_file=None), notices=notices)  # type: ignore[call-arg]
    assert built == []
    assert len(notices) == 4
    assert notices[0].startswith("X: no MENTIONDESK_X_BEARER_TOKEN")
    assert notices[1].startswith("Reddit: no credentials")
    assert notices[2].startswith("Mastodon: no MENTIONDESK_MASTODON_BASE_URL")
    assert notices[3].startswith("Bluesky: no MENTIONDESK_BLUESKY_HANDLE")
    sender_notices: list[str] = []
    assert set(build_senders(Settings(_env_file=None), notices=sender_notices)) == {"replay"}  # type: ignore[call-arg]
    assert len(sender_notices) == 4  # Hacker News is listen-only: no sender, no line


def test_x_backlog_read_once_in_pages(sim: Simulator, brands: BrandConfig) -> None:
    source = sources(sim, brands)["x:acme:mentions:acme"]
    _, cursor = drain(source, None)
    added = sim.add_mentions(250, platform="x", kind="mention")

    batches, cursor = drain(source, cursor)

    ids = [m.external_id for b in batches for m in b.mentions]
    assert sorted(ids, key=int) == added  # every one, none twice
    assert len(ids) == len(set(ids))
    assert [len(b.mentions) for b in batches] == [100, 100, 50]
    assert sum(b.requests for b in batches) == 3
    assert all(b.mentions == sorted(b.mentions, key=lambda m: int(m.external_id)) for b in batches)
    assert XCursor.parse(cursor).since_id == added[-1]
    assert batches[-1].rate_remaining is not None and batches[-1].rate_reset_at is not None
    again, _ = drain(source, cursor)
    assert again[0].mentions == [] and again[0].requests == 1


def test_x_search_and_mentions_agree_on_found_via(sim: Simulator, brands: BrandConfig) -> None:
    built = sources(sim, brands)
    mentions, search = built["x:acme:mentions:acme"], built["x:acme:search"]
    sim.add_mentions(120, platform="x", kind="mixed")

    via_mentions = {m.external_id: m.found_via for b in drain(mentions, None)[0] for m in b.mentions}
    via_search = {m.external_id: m.found_via for b in drain(search, None)[0] for m in b.mentions}

    both = set(via_mentions) & set(via_search)
    assert both, "some tweets are found both ways"
    assert all(via_mentions[i] == via_search[i] for i in both)
    assert FoundVia.KEYWORD in via_search.values() and FoundVia.REPLY in via_mentions.values()
    assert FoundVia.KEYWORD not in via_mentions.values()


def test_reddit_backlog_read_forward_once(sim: Simulator, brands: BrandConfig) -> None:
    built = sources(sim, brands)
    cursors = {name: drain(s, None)[1] for name, s in built.items() if name.startswith("reddit:")}
    added = set(sim.add_mentions(400, platform="reddit"))

    seen: list[str] = []
    for name, cursor in cursors.items():
        batches, _ = drain(built[name], cursor)
        seen += [m.external_id for b in batches for m in b.mentions]
        assert all(b.requests <= 1 for b in batches)

    assert set(seen) >= added  # every new post and comment was matched by at least one source
    inbox = [m for m in seen if m.startswith("t1_")]
    assert inbox


def test_reddit_deleted_items_are_skipped(sim: Simulator, brands: BrandConfig) -> None:
    source = sources(sim, brands)["reddit:acme:comments"]
    _, cursor = drain(source, None)
    names = sim.add_mentions(30, platform="reddit", kind="keyword")
    comment_names = [n for n in names if n.startswith("t1_")]
    sim.delete(comment_names[0])
    sim.delete(comment_names[1], removed=True)

    batches, _ = drain(source, cursor)

    got = {m.external_id for b in batches for m in b.mentions}
    skipped = {s.where: s.reason for b in batches for s in b.skipped}
    assert comment_names[0] not in got and skipped[comment_names[0]] == "comment deleted"
    assert skipped[comment_names[1]] == "comment removed"
    assert set(comment_names[2:]) <= got


@pytest.mark.parametrize("platform,name", [("x", "x:acme:mentions:acme"), ("reddit", "reddit:acme:comments")])
def test_injected_faults(sim: Simulator, brands: BrandConfig, platform: str, name: str) -> None:
    source = sources(sim, brands)[name]
    _, cursor = drain(source, None)
    sim.add_mentions(20, platform=platform, kind="mention" if platform == "x" else "keyword")

    sim.inject("rate_limit", platform=platform, reset_in=90)
    with pytest.raises(RateLimited) as limited:
        source.fetch(cursor)
    sim.inject("unavailable", platform=platform)
    with pytest.raises(TransientError):
        source.fetch(cursor)
    sim.inject(Fault("slow", platform=platform, delay=3.0))  # the client's timeout is 2 s
    with pytest.raises(TransientError):
        source.fetch(cursor)
    sim.inject("disconnect", platform=platform)
    with pytest.raises(TransientError):
        source.fetch(cursor)
    sim.inject("tier", platform=platform)
    with pytest.raises(AccessDenied):
        source.fetch(cursor)
    sim.inject("malformed", platform=platform)
    batch = source.fetch(cursor)

    assert limited.value.reset_at.timestamp() == pytest.approx(time.time() + 90, abs=30)
    assert len(batch.skipped) == 1 and batch.mentions


def test_x_tier_message_is_plain(sim: Simulator, brands: BrandConfig) -> None:
    source = sources(sim, brands)["x:acme:search"]
    sim.inject("tier", platform="x", path="/search")
    with pytest.raises(AccessDenied, match="your X API access tier does not include this endpoint"):
        source.fetch(None)


def test_x_real_rate_window_runs_out(brands: BrandConfig) -> None:
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"], x_rate_limit=3) as sim:
        source = sources(sim, brands)["x:acme:search"]
        for _ in range(3):
            batch = source.fetch(None)
        assert batch.rate_remaining == 0
        with pytest.raises(RateLimited) as raised:
            source.fetch(None)
        assert raised.value.reset_at == batch.rate_reset_at


def test_reply_posted_once_recorded_and_found(sim: Simulator, brands: BrandConfig) -> None:
    senders = build_senders(settings_for(sim))
    assert isinstance(senders["x"], XSender) and isinstance(senders["reddit"], RedditSender)
    tweet_id = sim.add_mentions(1, platform="x", kind="mention")[0]
    comment = sim.add_mentions(1, platform="reddit", kind="mention")[0]

    for platform, target in (("x", tweet_id), ("reddit", comment)):
        reply = OutgoingReply(1, platform, "acme", target, "someone", f"Thanks for reaching out! ({platform})")
        sender = senders[platform]
        assert sender.find_reply(reply) is None
        sent = sender.send(reply)
        found = sender.find_reply(reply)
        assert found is not None and found.external_id == sent.external_id

    recorded = sim.replies()
    assert [(r["platform"], r["in_reply_to"]) for r in recorded] == [("x", tweet_id), ("reddit", comment)]
    with urllib.request.urlopen(f"{sim.x_base_url}/_sim/replies") as response:  # noqa: S310 - 127.0.0.1
        assert json.load(response)["replies"] == recorded


def test_replies_from_the_brand_are_not_mentions(sim: Simulator, brands: BrandConfig) -> None:
    built = sources(sim, brands)
    comments = built["reddit:acme:comments"]
    _, cursor = drain(comments, None)
    target = sim.add_mentions(1, platform="reddit", kind="keyword")[0]
    build_senders(settings_for(sim))["reddit"].send(OutgoingReply(1, "reddit", "acme", target, "x", "acme says hi"))

    batches, _ = drain(comments, cursor)

    assert all(m.author_handle != "acme_support" for b in batches for m in b.mentions)


def test_hostile_text_is_data(brands: BrandConfig) -> None:
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"], seed=3) as sim:
        sim.state.corpus.hostile_share = 1.0
        source = sources(sim, brands)["x:acme:mentions:acme"]
        sim.add_mentions(40, platform="x", kind="mention")
        texts = [m.text for b in drain(source, None)[0] for m in b.mentions]
    assert len(texts) == 40
    assert any(len(t) > 10_000 for t in texts)
    assert any("<script>" in t for t in texts) and any("\u202e" in t for t in texts)
