"""The registry: every platform Mention Desk knows, one line each, and building their adapters.

A platform is one module exporting a `Platform` descriptor (mentiondesk/core/platform.py) plus its simulator
module; adding one is a line in `PLATFORMS`. The shell fills each platform's access value from settings
(MENTIONDESK_<NAME>_<FIELD>) and hands the sources and senders it builds to the poller and the sender
(listener/ and responders/ read no settings themselves).

A platform without credentials is skipped with one line saying what to set; that is not an error."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from listener import bluesky, hackernews, mastodon, reddit, replay, x
from mentiondesk.core.brands import Brand, BrandConfig
from mentiondesk.core.errors import NotConfigured
from mentiondesk.core.platform import Platform, Sender, Source, platform_named, register
from mentiondesk.core.values import Batch
from mentiondesk.core.vocabulary import FoundVia

if TYPE_CHECKING:
    from mentiondesk.settings import Settings

log = logging.getLogger(__name__)

PLATFORMS: tuple[Platform[Any], ...] = (
    x.DESCRIPTOR,
    reddit.DESCRIPTOR,
    mastodon.DESCRIPTOR,
    bluesky.DESCRIPTOR,
    hackernews.DESCRIPTOR,
    replay.DESCRIPTOR,
)
register(*PLATFORMS)
NAMES = tuple(platform.name for platform in PLATFORMS)

# Access fields filled from a setting every platform shares rather than from MENTIONDESK_<NAME>_<FIELD>.
SHARED_ACCESS_FIELDS = {"timeout_seconds": "request_timeout_seconds", "outbox_dir": "outbox_dir"}


def setting_name(platform: Platform[Any], field: str) -> str:
    """The Settings attribute an access field is read from: `x_bearer_token` (MENTIONDESK_X_BEARER_TOKEN)."""
    return SHARED_ACCESS_FIELDS.get(field) or f"{platform.settings_key}_{field}"


def access_of(platform: Platform[Any] | str, settings: Settings) -> Any:
    """The platform's access value, filled from settings."""
    if isinstance(platform, str):
        platform = platform_named(platform)
    access: type[BaseModel] = platform.access
    values = {field: getattr(settings, setting_name(platform, field)) for field in access.model_fields}
    return access.model_validate(values)


def build_sources(brands: BrandConfig, settings: Settings, *, notices: list[str] | None = None) -> list[Source]:
    """Every source for every brand. A skipped platform's line is logged, or appended to `notices` instead
    when the caller shows them itself."""
    sources: list[Source] = []
    for platform in PLATFORMS:
        if not any(platform.listens_for(brand) for brand in brands.brands.values()):
            continue
        access = access_of(platform, settings)
        if not platform.can_read(access):
            _notice(notices, platform.read_hint)
            continue
        for brand in brands.brands.values():
            sources.extend(platform.sources(brand, access))
            sources.extend(competitor_sources(platform, brand, access))
    return sources


def competitor_sources(platform: Platform[Any], brand: Brand, access: Any) -> list[Source]:
    """Searches for the brand's competitors, on a network that can search and that the brand listens on."""
    competitors = brand.competitor_search()
    if platform.search_sources is None or competitors is None or not platform.listens_for(brand):
        return []
    return [CompetitorSearch(source, brand) for source in platform.search_sources(competitors, access)]


class CompetitorSearch:
    """A keyword search for competitor names. A post it finds that names none of ours is stored as found via
    `competitor` (counted in share of voice, never answered); one that names us, or addresses us, keeps what
    the platform found it as, so it is handled as if our own sources had found it."""

    def __init__(self, search: Source, brand: Brand) -> None:
        self._search = search
        self._brand = brand
        self.name = f"{search.name}:competitors"
        self.platform = search.platform
        self.brand = search.brand
        self.rate_scope = str(getattr(search, "rate_scope", "") or self.name)  # the search's client's limit

    def fetch(self, cursor: str | None) -> Batch:
        batch = self._search.fetch(cursor)
        mentions = [
            m
            if m.found_via != FoundVia.KEYWORD or self._brand.names_us(m.text, m.platform)
            else replace(m, found_via=FoundVia.COMPETITOR)
            for m in batch.mentions
        ]
        return replace(batch, mentions=mentions)


def build_senders(settings: Settings, *, notices: list[str] | None = None) -> dict[str, Sender]:
    """One sender per platform that has user credentials (listen-only platforms have none); skipped platforms
    as in build_sources."""
    senders: dict[str, Sender] = {}
    for platform in PLATFORMS:
        if platform.listen_only:
            continue
        try:
            senders[platform.name] = platform.sender(access_of(platform, settings))
        except NotConfigured:
            _notice(notices, platform.write_hint)
    return senders


def _notice(notes: list[str] | None, line: str) -> None:
    if notes is None:
        log.warning(line)
    else:
        notes.append(line)
