"""Which sources and senders exist, from the brand file and the credentials in settings.

A platform without credentials is skipped with one line saying what to set; that is not an error."""

from __future__ import annotations

import logging
from typing import Any

from listener import reddit as reddit_platform
from listener import x as x_platform
from listener.base import Source
from mentiondesk.brands import BrandConfig
from mentiondesk.errors import NotConfigured
from mentiondesk.settings import Settings

log = logging.getLogger(__name__)

X_READ_HINT = "X: no MENTIONDESK_X_BEARER_TOKEN; X sources skipped"
X_WRITE_HINT = (
    "X: no user credentials (MENTIONDESK_X_API_KEY, _API_SECRET, _ACCESS_TOKEN, _ACCESS_SECRET); "
    "replies on X cannot be sent"
)
REDDIT_HINT = (
    "Reddit: no credentials (MENTIONDESK_REDDIT_CLIENT_ID, _CLIENT_SECRET, _USERNAME, _PASSWORD); "
    "Reddit sources and replies skipped"
)


def build_sources(
    brands: BrandConfig, settings: Settings, *, notices: list[str] | None = None
) -> list[Source]:
    """Every source for every brand. A skipped platform's line is logged, or appended to `notices` instead
    when the caller shows them itself."""
    notes: list[str] | None = notices
    sources: list[Source] = []
    wants_x = any(b.handles.get("x") or b.keywords for b in brands.brands.values())
    wants_reddit = any(
        b.handles.get("reddit") or b.keywords or b.reddit.subreddits for b in brands.brands.values()
    )
    if wants_x:
        if x_platform.has_read_credentials(settings):
            for brand in brands.brands.values():
                sources.extend(x_platform.sources_for(brand, settings))
        else:
            _notice(notes, X_READ_HINT)
    if wants_reddit:
        if reddit_platform.has_credentials(settings):
            for brand in brands.brands.values():
                sources.extend(reddit_platform.sources_for(brand, settings))
        else:
            _notice(notes, REDDIT_HINT)
    return sources


def build_senders(settings: Settings, *, notices: list[str] | None = None) -> dict[str, Any]:
    """One sender per platform that has user credentials; skipped platforms as in build_sources."""
    notes: list[str] | None = notices
    senders: dict[str, Any] = {}
    try:
        senders["x"] = x_platform.XSender.from_settings(settings)
    except NotConfigured:
        _notice(notes, X_WRITE_HINT)
    try:
        senders["reddit"] = reddit_platform.RedditSender.from_settings(settings)
    except NotConfigured:
        _notice(notes, REDDIT_HINT)
    return senders


def _notice(notes: list[str] | None, line: str) -> None:
    if notes is None:
        log.warning(line)
    else:
        notes.append(line)
