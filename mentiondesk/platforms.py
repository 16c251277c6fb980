"""Which sources and senders exist: the shell builds each platform's adapters from the brand file and the
credentials in settings, and hands them to the poller and the sender (listener/ and responders/ read no
settings themselves).

A platform without credentials is skipped with one line saying what to set; that is not an error."""

from __future__ import annotations

import logging

from listener import reddit as reddit_platform
from listener import x as x_platform
from listener.base import Source
from listener.replay import OutboxSender
from mentiondesk.core.brands import BrandConfig
from mentiondesk.core.errors import NotConfigured
from mentiondesk.settings import Settings
from responders.sending import Sender

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


def x_access(settings: Settings) -> x_platform.XAccess:
    return x_platform.XAccess(
        api_base_url=settings.x_api_base_url,
        bearer_token=settings.x_bearer_token,
        api_key=settings.x_api_key,
        api_secret=settings.x_api_secret,
        access_token=settings.x_access_token,
        access_secret=settings.x_access_secret,
        timeout_seconds=settings.request_timeout_seconds,
    )


def reddit_access(settings: Settings) -> reddit_platform.RedditAccess:
    return reddit_platform.RedditAccess(
        client_id=settings.reddit_client_id,
        client_secret=settings.reddit_client_secret,
        username=settings.reddit_username,
        password=settings.reddit_password,
        user_agent=settings.reddit_user_agent,
        oauth_url=settings.reddit_oauth_url,
        url=settings.reddit_url,
        timeout_seconds=settings.request_timeout_seconds,
    )


def build_sources(brands: BrandConfig, settings: Settings, *, notices: list[str] | None = None) -> list[Source]:
    """Every source for every brand. A skipped platform's line is logged, or appended to `notices` instead
    when the caller shows them itself."""
    sources: list[Source] = []
    wants_x = any(b.handles.get("x") or b.keywords for b in brands.brands.values())
    wants_reddit = any(b.handles.get("reddit") or b.keywords or b.reddit.subreddits for b in brands.brands.values())
    if wants_x:
        x = x_access(settings)
        if x.can_read:
            for brand in brands.brands.values():
                sources.extend(x_platform.sources_for(brand, x))
        else:
            _notice(notices, X_READ_HINT)
    if wants_reddit:
        reddit = reddit_access(settings)
        if reddit.configured:
            for brand in brands.brands.values():
                sources.extend(reddit_platform.sources_for(brand, reddit))
        else:
            _notice(notices, REDDIT_HINT)
    return sources


def build_senders(settings: Settings, *, notices: list[str] | None = None) -> dict[str, Sender]:
    """One sender per platform that has user credentials, and the replay outbox; skipped platforms as in
    build_sources."""
    senders: dict[str, Sender] = {"replay": OutboxSender(settings.outbox_dir)}
    try:
        senders["x"] = x_platform.XSender.from_access(x_access(settings))
    except NotConfigured:
        _notice(notices, X_WRITE_HINT)
    try:
        senders["reddit"] = reddit_platform.RedditSender.from_access(reddit_access(settings))
    except NotConfigured:
        _notice(notices, REDDIT_HINT)
    return senders


def _notice(notes: list[str] | None, line: str) -> None:
    if notes is None:
        log.warning(line)
    else:
        notes.append(line)
