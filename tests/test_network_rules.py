"""What each open network allows, as routing and the brand's automation switch read it from the registry:
keyword matches are insight on Mastodon, Bluesky and Hacker News; Hacker News never gets an automated reply
and has no sender; Mastodon and Bluesky automate only what a brand opts in to, and only addressed posts."""

from __future__ import annotations

import pytest

import mentiondesk.platforms  # noqa: F401  (registers every platform)
from mentiondesk.core.brands import parse_brands
from mentiondesk.core.platform import platform_named
from mentiondesk.core.vocabulary import FoundVia, Route
from rules.routing import MentionFacts, decide

BRAND = parse_brands(
    """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { mastodon = ["acme"], bluesky = ["acme.bsky.social"], hackernews = [] }
reply_policy = { auto_thank = true, auto_reply_platforms = ["mastodon", "bluesky", "hackernews"] }
"""
).get("acme")


def facts(platform: str, via: FoundVia) -> MentionFacts:
    return MentionFacts(
        platform=platform,
        text="acme lost my order again",
        author_handle="ana",
        found_via=via,
        language="en",
        label="complaint",
        urgency=40,
    )


@pytest.mark.parametrize("platform", ["mastodon", "bluesky", "hackernews"])
def test_keyword_matches_are_insight(platform: str) -> None:
    assert decide(facts(platform, FoundVia.KEYWORD), BRAND).route == Route.INSIGHT


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_posts_addressed_to_the_brand_get_a_draft(platform: str) -> None:
    assert decide(facts(platform, FoundVia.MENTION), BRAND).route == Route.DRAFT
    assert BRAND.reply_policy.automates(platform)  # opted in above; off unless a brand lists it
    assert not parse_brands('[brands.b]\nname = "B"\nkeywords = ["b"]\n').get("b").reply_policy.automates(platform)


def test_hacker_news_is_listen_only() -> None:
    hn = platform_named("hackernews")
    assert hn.listen_only and not hn.replies.keyword_replies
    assert not BRAND.reply_policy.automates("hackernews")  # even when a brand file lists it
