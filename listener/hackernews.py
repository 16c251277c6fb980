"""Hacker News through the Algolia HN Search API (GET /api/v1/search_by_date): stories and comments that
name one of the brand's keywords. Listen only: HN has no API for posting and its guidelines forbid
generated comments, so every HN mention is insight and the desk links to the item for a person to answer.

Reading: newest first, `numericFilters=created_at_i>…` from the newest time stored, minus an overlap:
Algolia indexes some items minutes after they were posted, and a strict cursor would lose them. The
overlap's repeats cost nothing more than bandwidth: the poller stores a (platform, id) once. A backlog
larger than a page is walked down with an upper time bound (pages by number shift while items arrive)."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import requests
from pydantic import BaseModel, ConfigDict

from listener.base import Batch, FetchedMention, SkippedItem, Source
from listener.html_text import html_to_text
from listener.http_session import MeteredSession, _brief
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import RateLimited, SourceError, TransientError
from mentiondesk.core.platform import AutomatedReplies, DemoPost, Platform, ReplyRules
from mentiondesk.core.vocabulary import FoundVia

log = logging.getLogger(__name__)

PLATFORM = "hackernews"
PAGE = 100
OVERLAP_SECONDS = 600  # how late Algolia may index an item and still be read
MAX_SEEN = 500  # items remembered from the overlap (a bounded seen-set, as praw's streams keep)
RATE_SCOPE = "hackernews"  # Algolia allows 10,000 requests an hour per IP address, all sources together
DEFAULT_PAUSE = timedelta(minutes=10)  # a 429 from Algolia says no reset time
ITEM_URL = "https://news.ycombinator.com/item?id={}"
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


class HackerNewsAccess(BaseModel):
    """Where the Algolia HN Search API is; it needs no credentials. The shell fills it from
    MENTIONDESK_HN_BASE_URL."""

    model_config = ConfigDict(frozen=True)

    base_url: str = "https://hn.algolia.com"
    timeout_seconds: float = 10.0


# --- errors and calls -------------------------------------------------------------------------------


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:160].strip()
    return str(body.get("message") or "") if isinstance(body, dict) else ""


def _reset(response: requests.Response, now: datetime) -> datetime:
    try:
        return now + timedelta(seconds=max(float(response.headers.get("Retry-After") or ""), 1))
    except ValueError:
        return now + DEFAULT_PAUSE


def search(session: MeteredSession, base_url: str, params: dict[str, str | int]) -> dict[str, Any]:
    """One search_by_date page; every failure is a SourceError."""
    url = f"{base_url.rstrip('/')}/api/v1/search_by_date"
    try:
        response = session.get(url, params=params)
    except requests.Timeout:
        raise TransientError("Hacker News search did not answer in time", platform=PLATFORM) from None
    except requests.RequestException as exc:
        raise TransientError(f"cannot reach Hacker News search: {_brief(exc)}", platform=PLATFORM) from None
    if response.status_code == 429:
        raise RateLimited(_reset(response, datetime.now(UTC)), platform=PLATFORM)
    if response.status_code >= 500:
        raise TransientError(f"Hacker News search error {response.status_code}", platform=PLATFORM)
    if response.status_code != 200:
        detail = _message(response) or response.reason
        raise SourceError(f"Hacker News search answered {response.status_code}: {detail}", platform=PLATFORM)
    try:
        body = response.json()
    except ValueError:
        raise TransientError("Hacker News search returned a body that is not JSON", platform=PLATFORM) from None
    if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
        raise TransientError("Hacker News search returned no list of hits", platform=PLATFORM)
    return body


# --- parsing ----------------------------------------------------------------------------------------


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term.strip()) + r"(?!\w)", re.IGNORECASE)


def parse_hit(hit: Any, brand: Brand, keyword: re.Pattern[str]) -> tuple[FetchedMention | None, str]:
    """A story or comment as a mention; (None, reason) when it does not really name the keyword (Algolia
    matches prefixes and typos) or is our own. Raises ValueError for malformed hits."""
    if not isinstance(hit, dict):
        raise ValueError("not an object")
    item_id = hit.get("objectID")
    if not isinstance(item_id, str) or not item_id.isdigit():
        raise ValueError("no numeric objectID")
    raw_tags = hit.get("_tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    author = hit.get("author")
    if not isinstance(author, str) or not author:
        raise ValueError("no author")
    if "comment" in tags:
        body = hit.get("comment_text")
        if not isinstance(body, str):
            raise ValueError("no comment_text")
        text = html_to_text(body)
        story = hit.get("story_id")
        parent = hit.get("parent_id")
        conversation = str(story) if isinstance(story, int) else None
        parent_id = str(parent) if isinstance(parent, int) else None
    elif "story" in tags:
        title = hit.get("title")
        if not isinstance(title, str):
            raise ValueError("no title")
        story_text = hit.get("story_text") if isinstance(hit.get("story_text"), str) else ""
        link = hit.get("url") if isinstance(hit.get("url"), str) else ""
        text = "\n\n".join(part for part in (title, html_to_text(story_text or ""), link) if part)
        conversation, parent_id = item_id, None
    else:
        raise ValueError(f"neither story nor comment ({', '.join(str(t) for t in tags[:3])})")
    created = hit.get("created_at_i")
    if not isinstance(created, int) or isinstance(created, bool):
        raise ValueError("no created_at_i")
    if author.lower() in brand.own_handles(PLATFORM):
        return None, "our own post"
    if not keyword.search(_INVISIBLE.sub("", text)):
        return None, "matched a prefix or typo, not the keyword"
    mention = FetchedMention(
        platform=PLATFORM,
        external_id=item_id,
        brand=brand.key,
        text=text,
        author_handle=author,
        author_external_id=author,  # HN user names are the accounts' ids
        created_at=datetime.fromtimestamp(created, tz=UTC),
        url=ITEM_URL.format(item_id),
        conversation_id=conversation,
        parent_id=parent_id,
        found_via=FoundVia.KEYWORD,  # HN has no @mentions
    )
    return mention, ""


# --- the source -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeCursor:
    """`since`: the newest created_at_i stored (epoch seconds); while walking a backlog down, `upper` (the
    oldest time of the last page), the walk's `newest`, and `page` within `upper`'s second when more than a
    page of hits share it; and `seen`, the items already handed out inside the overlap (id -> time), so the
    overlap's repeats are not handed out again: "since|upper|newest|page|id:time,id:time"."""

    since: int | None = None
    upper: int | None = None
    newest: int | None = None
    page: int = 0
    seen: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, raw: str | None) -> TimeCursor:
        if not raw:
            return cls()
        parts = (raw.split("|") + ["", "", "", ""])[:5]
        try:
            since, upper, newest, page = (int(p) if p else None for p in parts[:4])
            seen = tuple((i, int(t)) for i, _, t in (pair.partition(":") for pair in parts[4].split(",") if pair))
        except ValueError:
            return cls()  # a cursor we did not write: start afresh from the newest page
        return cls(since, upper, newest, page or 0, seen)

    def dump(self) -> str:
        seen = ",".join(f"{i}:{t}" for i, t in self.seen)
        if self.upper is not None or seen:
            upper = "" if self.upper is None else str(self.upper)
            return f"{self.since or 0}|{upper}|{self.newest or ''}|{self.page}|{seen}"
        return str(self.since or 0)


def _kept(seen: dict[str, int], since: int | None, upper: int | None = None) -> tuple[tuple[str, int], ...]:
    """The handed-out items the next read can return again: those of a walk's boundary second (`upper`, read
    again by `<=`) first, then the newest inside the overlap (newer than since - overlap), MAX_SEEN at most.
    Past that, a repeat is stored once all the same (the poller's dedup); it only costs bandwidth."""
    floor = (since or 0) - OVERLAP_SECONDS
    boundary = [(t, i) for i, t in seen.items() if t == upper]
    recent = sorted(((t, i) for i, t in seen.items() if t > floor and t != upper), reverse=True)
    return tuple((i, t) for t, i in (boundary + recent)[:MAX_SEEN])


class HackerNewsSearchSource:
    """Stories and comments naming one keyword, newest first (tags=(story,comment))."""

    platform = PLATFORM
    rate_scope = RATE_SCOPE

    def __init__(self, name: str, brand: Brand, keyword: str, session: MeteredSession, base_url: str) -> None:
        self.name = name
        self.brand = brand.key
        self._brand = brand
        self.keyword = keyword
        self._pattern = _pattern(keyword)
        self._session = session
        self._base_url = base_url
        self.clock = time.time

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        state = TimeCursor.parse(cursor)
        filters = []
        if cursor is not None and state.since is not None:
            filters.append(f"created_at_i>{max(state.since - OVERLAP_SECONDS, 0)}")
        if state.upper is not None:
            filters.append(f"created_at_i<={state.upper}")
        params: dict[str, str | int] = {"query": self.keyword, "tags": "(story,comment)", "hitsPerPage": PAGE}
        if filters:
            params["numericFilters"] = ",".join(filters)
        if state.page:
            params["page"] = state.page
        body = search(self._session, self._base_url, params)
        hits: list[Any] = body["hits"]
        mentions: list[FetchedMention] = []
        skipped: list[SkippedItem] = []
        times: list[int] = []
        seen = dict(state.seen)
        for index, hit in enumerate(hits):
            where = f"item {hit.get('objectID')}" if isinstance(hit, dict) and hit.get("objectID") else f"hit {index}"
            item_id = hit.get("objectID") if isinstance(hit, dict) else None
            stamp = hit.get("created_at_i") if isinstance(hit, dict) else None
            if isinstance(stamp, int) and not isinstance(stamp, bool):
                times.append(stamp)
                if isinstance(item_id, str):
                    if item_id in seen:
                        continue  # handed out by an earlier read of the overlap
                    seen[item_id] = stamp
            try:
                mention, reason = parse_hit(hit, self._brand, self._pattern)
            except Exception as exc:  # any odd item is skipped; the rest of the page is kept
                skipped.append(SkippedItem(where=where, reason=str(exc) or type(exc).__name__))
                continue
            if mention is not None:
                mentions.append(mention)
            elif reason != "our own post":
                log.debug("%s: %s: %s", self.name, where, reason)
        for item in skipped:
            log.info("%s: skipped %s: %s", self.name, item.where, item.reason)
        mentions.sort(key=lambda m: (m.created_at, int(m.external_id)))
        newest = max([state.newest or 0, *times]) or None
        if cursor is None:
            # A first read takes the newest page only; with nothing found, "now" is where the next starts.
            since = newest or int(self.clock())
            next_state = TimeCursor(since=since, seen=_kept(seen, since))
        elif len(hits) >= PAGE and times and min(times) < (state.upper or max(times) + 1):
            walk_seen = _kept(seen, state.since, upper=min(times))
            # A page all within one second is that second's first page: the next one is its second.
            page = 1 if min(times) == max(times) else 0
            next_state = TimeCursor(state.since, min(times), newest, page, walk_seen)
        elif len(hits) >= PAGE and times:  # a whole page within one second: page through that second
            walk_seen = _kept(seen, state.since, upper=state.upper)
            next_state = TimeCursor(state.since, state.upper, newest, state.page + 1, walk_seen)
        else:
            since = max(newest or 0, state.since or 0)
            next_state = TimeCursor(since=since, seen=_kept(seen, since))
        return Batch(
            mentions=mentions,
            cursor=next_state.dump(),
            skipped=skipped,
            more=next_state.upper is not None,
            requests=self._session.requests_made - start,
        )


def sources_for(brand: Brand, access: HackerNewsAccess) -> list[HackerNewsSearchSource]:
    """A search per keyword (Algolia has no OR across phrases), each with its own session and count, for a
    brand that opts in by listing `hackernews` under its handles (its own HN user names, or none)."""
    sources: list[HackerNewsSearchSource] = []
    if PLATFORM not in brand.handles:
        return sources
    seen: set[str] = set()
    for keyword in (k.strip().lstrip("#") for k in brand.keywords):
        if not keyword or keyword.lower() in seen:
            continue
        seen.add(keyword.lower())
        session = MeteredSession(timeout=access.timeout_seconds)
        session.headers["User-Agent"] = "mentiondesk/0.1 (brand listening desk)"
        name = f"hackernews:{brand.key}:search:{keyword.lower()}"
        sources.append(HackerNewsSearchSource(name, brand, keyword, session, access.base_url))
    return sources


# --- the descriptor ---------------------------------------------------------------------------------


def _post_demo(sim: Any, post: DemoPost) -> None:
    from listener.simulator import hackernews_api

    hackernews_api.post_demo(sim, post)


def _sources(brand: Brand, access: HackerNewsAccess) -> list[Source]:
    return cast(list[Source], sources_for(brand, access))


DESCRIPTOR: Platform[HackerNewsAccess] = Platform(
    reports_followers=False,
    name=PLATFORM,
    title="Hacker News",
    settings_name="hn",
    access=HackerNewsAccess,
    # Hacker News has no reply API: mentions are read, answers are written by a person on the site.
    replies=ReplyRules(max_length=10_000, keyword_replies=False, automated=AutomatedReplies.NEVER),
    listen_only=True,
    # Opt-in: a brand that lists `hackernews` under its handles has its keywords searched there.
    listens_for=lambda brand: PLATFORM in brand.handles,
    can_read=lambda access: bool(access.base_url),
    sources=_sources,
    search_sources=_sources,
    read_hint="Hacker News: no MENTIONDESK_HN_BASE_URL; Hacker News sources skipped",
    handle_prefix="",
    handle_pattern=r"[A-Za-z0-9_-]{2,15}",
    mention_url=lambda handle, post_id: ITEM_URL.format(post_id),
    color="#ff6600",
    settings_note="Hacker News (Algolia HN Search API): no credentials needed.",
    simulator_module="listener.simulator.hackernews_api",
    simulator_port=8705,
    simulator_address=lambda sim: str(sim.hackernews_base_url),
    post_demo=_post_demo,
)
