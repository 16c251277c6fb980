"""Reply length as each platform counts it. X counts weighted characters (twitter-text rules)."""

from __future__ import annotations

import re

from twitter_text import parse_tweet

LIMITS = {"x": 280, "reddit": 10_000, "replay": 10_000}
# twitter-text is exact but slow (~0.6 ms); plain ASCII with nothing URL-like counts one per character.
_URL_HINT = re.compile(r"https?:|www\.|\w\.[a-z]{2,}", re.IGNORECASE)


def weighted_length(text: str, platform: str) -> int:
    if platform != "x":
        return len(text)
    if text.isascii() and not _URL_HINT.search(text):
        return len(text)
    return int(parse_tweet(text).weightedLength)


def fits(text: str, platform: str) -> bool:
    return 0 < weighted_length(text, platform) <= LIMITS.get(platform, 10_000)
