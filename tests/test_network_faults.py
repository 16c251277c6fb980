"""Faults from the Mastodon, Bluesky and Hacker News simulators through the real clients and the poller: a 503
is retried and nothing is lost; one broken item is skipped with its reason and the rest of its page kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from listener.base import Source
from listener.bluesky import BlueskyAccess, BlueskyNotificationsSource, BlueskySession
from listener.hackernews import HackerNewsAccess
from listener.hackernews import sources_for as hackernews_sources
from listener.mastodon import MastodonAccess, MastodonMentionsSource, make_client
from listener.poller import Backoff, Poller
from listener.simulator import Simulator
from mentiondesk.core.brands import Brand, parse_brands

BRAND = parse_brands(
    """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { mastodon = ["acme"], bluesky = ["acme.bsky.social"], hackernews = [] }
"""
).get("acme")


def mastodon(sim: Simulator, brand: Brand, tmp: Path) -> Source:
    access = MastodonAccess(base_url=sim.mastodon_base_url, access_token=SecretStr("sim"), timeout_seconds=5)
    return MastodonMentionsSource(brand, *make_client(access), "127.0.0.1")


def bluesky(sim: Simulator, brand: Brand, tmp: Path) -> Source:
    access = BlueskyAccess(
        base_url=sim.bluesky_base_url,
        handle=sim.bluesky.handle,
        app_password=SecretStr(sim.bluesky.password),
        session_file=tmp / "bluesky.session",
        timeout_seconds=5,
    )
    return BlueskyNotificationsSource(brand, BlueskySession(access))


def hackernews(sim: Simulator, brand: Brand, tmp: Path) -> Source:
    [source] = hackernews_sources(brand, HackerNewsAccess(base_url=sim.hackernews_base_url, timeout_seconds=5))
    return source


NETWORKS: dict[str, Callable[[Simulator, Brand, Path], Source]] = {
    "mastodon": mastodon,
    "bluesky": bluesky,
    "hackernews": hackernews,
}


def _new_items(sim: Simulator, network: str, n: int) -> int:
    """Post `n` items the source will read; how many of them it should hand out."""
    if network == "mastodon":
        return len(sim.add_mentions(n, platform="mastodon", kind="mention"))
    before = len(sim.bluesky.notifications) if network == "bluesky" else 0
    added = sim.add_mentions(n, platform=network)
    return len(sim.bluesky.notifications) - before if network == "bluesky" else len(added)


@pytest.mark.parametrize("network", NETWORKS)
def test_a_503_is_retried_and_nothing_is_lost(engine: Engine, tmp_path: Path, network: str) -> None:
    with Simulator.start(
        brand_handles={"mastodon": ["acme"], "bluesky": ["acme.bsky.social"]}, keywords=["acme"]
    ) as sim:
        source = NETWORKS[network](sim, BRAND, tmp_path)
        poller = Poller(engine, backoff=Backoff(retries=3), sleep=lambda seconds: None)
        assert poller.poll(source).status == "ok"
        expected = _new_items(sim, network, 12)
        sim.inject("unavailable", platform=network)

        outcome = poller.poll(source)

        assert outcome.status == "ok" and outcome.stored == expected > 0


@pytest.mark.parametrize("network", NETWORKS)
def test_one_broken_item_is_skipped_and_the_rest_kept(engine: Engine, tmp_path: Path, network: str) -> None:
    with Simulator.start(
        brand_handles={"mastodon": ["acme"], "bluesky": ["acme.bsky.social"]}, keywords=["acme"]
    ) as sim:
        source = NETWORKS[network](sim, BRAND, tmp_path)
        poller = Poller(engine)
        assert poller.poll(source).status == "ok"
        expected = _new_items(sim, network, 12)
        sim.inject("malformed", platform=network)

        outcome = poller.poll(source)

        assert outcome.status == "ok"
        assert len(outcome.skipped) == 1 and outcome.skipped[0].reason.startswith("no ")
        assert outcome.stored == expected - 1
