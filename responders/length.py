"""Reply length as each platform counts it: the rule is the platform's (`ReplyRules` in its descriptor)."""

from __future__ import annotations

from mentiondesk.core.platform import reply_rules


def weighted_length(text: str, platform: str) -> int:
    return reply_rules(platform).length(text)


def limit(platform: str) -> int:
    return reply_rules(platform).max_length


def fits(text: str, platform: str) -> bool:
    return 0 < weighted_length(text, platform) <= limit(platform)
