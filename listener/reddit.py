"""Reddit (praw 8): watched subreddits' new posts and comments matched against the brand's keywords, sitewide
post search, the account's username mentions, and the reply sender.

Listings are fetched as raw JSON through praw's `Reddit.request` and parsed here, item by item: deleted and
removed items (author null or "[deleted]", body "[removed]") and malformed ones become SkippedItems."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import praw
import prawcore
import requests
from praw.exceptions import PRAWException, RedditAPIException
from prawcore.auth import ScriptAuthorizer
from prawcore.rate_limit import RateLimiter
from prawcore.sessions import FiniteRetryStrategy
from pydantic import BaseModel, ConfigDict, SecretStr

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem, Source
from listener.http_session import MeteredSession, _brief
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import AccessDenied, NotConfigured, RateLimited, SendFailed, SourceError, TransientError
from mentiondesk.core.platform import AutomatedReplies, DemoPost, Platform, ReplyRules
from mentiondesk.core.values import ANONYMOUS
from mentiondesk.core.vocabulary import FoundVia

log = logging.getLogger(__name__)

PLATFORM = "reddit"
LIMIT = 100
# Reddit counts requests per OAuth client: every source and the sender of one app share one limit.
RATE_SCOPE = "reddit"
LOOKBACK_SKEW = timedelta(minutes=2)
MAX_LOOKUP_PAGES = 10  # a user's comment listing stops at 1,000 items
GONE_TEXTS = {"[removed]", "[deleted]"}
# Reddit marks a moderator's or an admin's notice (removal reasons, stickied rules) with `distinguished`.
MODERATOR_MARKS = {"moderator", "admin"}
# Reddit makes some items visible after newer ones: the same second with a lower id, or minutes to hours later
# (the spam filter, a moderator's approval, search indexing), at their own place in the listing. So every poll
# reads its boundary page whole (the newest items down to a page past the cursor, as praw's streams reread the
# newest 100), and a catch-up read walks further down now and then.
CATCH_UP_EVERY = timedelta(minutes=15)  # of listing time (the newest item's) between catch-up reads
CATCH_UP_WINDOW = timedelta(hours=1)  # how far below the newest item a catch-up read goes
CATCH_UP_PAGES = 5  # at most this many pages past the boundary page
# Fullnames already read, kept in the cursor so an item read again is not returned again: as many as a
# catch-up can reread. Below the oldest of them (`floor`) an item cannot be told from one already returned.
SEEN_LIMIT = (CATCH_UP_PAGES + 1) * LIMIT
CATCH_UP_EVERY_S = CATCH_UP_EVERY.total_seconds()
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


# --- client -----------------------------------------------------------------------------------------


class _NoRetry(FiniteRetryStrategy):
    """prawcore retries 5xx twice with 2-4 s sleeps; the poller owns retries and backoff, so we don't."""

    def __init__(self, retries: int = 0) -> None:
        super().__init__(retries=0)

    def _sleep_seconds(self) -> float | None:
        return None

    def should_retry_on_failure(self) -> bool:
        return False


class _NoPacing(RateLimiter):
    """prawcore sleeps between calls to spread a window's budget; the poller schedules us and reads the
    remaining budget from each Batch instead, so a job never blocks in a sleep."""

    def delay(self) -> None:
        return None


class _TokenBox:
    """The one access token of a script app and account, shared by every client of the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.access_token: str | None = None
        self.expires_ns = 0
        self.scopes: set[str] | None = None


_TOKENS: dict[tuple[str, str, str], _TokenBox] = {}
_TOKENS_LOCK = threading.Lock()


def forget_tokens() -> None:
    """Drop the process's Reddit tokens (a test's fresh process; credentials changed)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


class _SharedTokenAuthorizer(ScriptAuthorizer):
    """praw asks each client for its own password-grant token; every source and the sender have a client (so
    each counts its own requests), which cost four token requests per `poll --once`. This one takes a token
    another client of the process already holds while it is valid, and asks for one only when none is."""

    def __init__(self, *, box: _TokenBox, authenticator: Any, username: str, password: str) -> None:
        self._box = box
        super().__init__(authenticator=authenticator, username=username, password=password)

    def _clear_access_token(self) -> None:
        box: _TokenBox | None = getattr(self, "_box", None)
        token = getattr(self, "access_token", None)
        if box is not None and token is not None and box.access_token == token:
            box.access_token = None  # Reddit refused it: refused for every client, not just this one
        super()._clear_access_token()

    def refresh(self) -> None:
        with self._box.lock:
            box = self._box
            if box.access_token is not None and time.monotonic_ns() < box.expires_ns:
                self.access_token, self._expiration_timestamp_ns, self.scopes = (
                    box.access_token,
                    box.expires_ns,
                    box.scopes,
                )
                return
            super().refresh()
            box.access_token, box.expires_ns, box.scopes = self.access_token, self._expiration_timestamp_ns, self.scopes


def _token_box(access: RedditAccess) -> _TokenBox:
    assert access.client_id is not None
    key = (access.url.rstrip("/"), access.client_id.get_secret_value(), (access.username or "").lower())
    with _TOKENS_LOCK:
        return _TOKENS.setdefault(key, _TokenBox())


class RedditWatch(BaseModel):
    """A brand's [brands.KEY.reddit] table: the subreddits to watch and whether to search all of Reddit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subreddits: list[str] = []
    search_sitewide: bool = True


def watch_of(brand: Brand) -> RedditWatch:
    watch: RedditWatch = brand.table(PLATFORM)
    return watch


class RedditAccess(BaseModel):
    """A script app and the brand account it acts as; the shell fills it from MENTIONDESK_REDDIT_* settings."""

    model_config = ConfigDict(frozen=True)

    oauth_url: str = "https://oauth.reddit.com"
    url: str = "https://www.reddit.com"
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    user_agent: str = "mentiondesk/0.1 (brand listening desk)"
    timeout_seconds: float = 10.0

    @property
    def configured(self) -> bool:
        values = (self.client_id, self.client_secret, self.password)
        return bool(self.username) and all(v is not None and v.get_secret_value() for v in values)


def make_reddit(access: RedditAccess) -> tuple[praw.Reddit, MeteredSession]:
    """A script-app praw client (username + password grant) against the configured URLs."""
    if not access.configured:
        raise NotConfigured(
            "no Reddit credentials (MENTIONDESK_REDDIT_CLIENT_ID/SECRET, _USERNAME, _PASSWORD)", platform=PLATFORM
        )
    assert access.client_id and access.client_secret and access.password
    session = MeteredSession(timeout=access.timeout_seconds)
    reddit = praw.Reddit(
        client_id=access.client_id.get_secret_value(),
        client_secret=access.client_secret.get_secret_value(),
        username=access.username,
        password=access.password.get_secret_value(),
        user_agent=access.user_agent,
        oauth_url=access.oauth_url.rstrip("/"),
        reddit_url=access.url.rstrip("/"),
        check_for_updates=False,
        check_for_async=False,
        timeout=int(access.timeout_seconds) or 1,
        requestor_kwargs={"session": session},
    )
    core = reddit._core  # praw exposes no public hook for these three
    if core is not None:
        core._retry_strategy_class = _NoRetry
        core._rate_limiter = _NoPacing(window_size=core._rate_limiter.window_size)
        core._authorizer = _SharedTokenAuthorizer(
            box=_token_box(access),
            authenticator=core._authorizer._authenticator,
            username=access.username or "",
            password=access.password.get_secret_value(),
        )
    return reddit, session


# --- errors -----------------------------------------------------------------------------------------


def _reset_from(headers: Any, default_seconds: int = 60) -> datetime:
    try:
        seconds = float(headers.get("x-ratelimit-reset"))
    except (TypeError, ValueError, AttributeError):
        seconds = default_seconds
    return datetime.now(UTC) + timedelta(seconds=max(seconds, 1))


def _message(response: requests.Response | None) -> str:
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("message", "reason", "error_description", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return ""


def translate_error(exc: Exception) -> SourceError:
    """One praw/prawcore failure as the SourceError subclass that tells the poller what to do."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, prawcore.TooManyRequests):
        return RateLimited(_reset_from(exc.response.headers), platform=PLATFORM)
    if isinstance(exc, prawcore.OAuthException):
        return AccessDenied(
            f"Reddit refused the login ({exc.error}); check MENTIONDESK_REDDIT_USERNAME and _PASSWORD",
            platform=PLATFORM,
            status=exc.response.status_code,
        )
    if isinstance(exc, prawcore.InvalidToken | prawcore.InsufficientScope):
        return AccessDenied(
            f"Reddit rejected the access token ({exc.response.status_code})", platform=PLATFORM, status=401
        )
    if isinstance(exc, prawcore.Forbidden):
        detail = _message(exc.response) or "Forbidden"
        return AccessDenied(
            f"Reddit refused this call (403 {detail}): the subreddit may be private or banned, or the app lacks "
            "the scope",
            platform=PLATFORM,
            status=403,
        )
    if isinstance(exc, prawcore.BadJSON):
        return TransientError("Reddit returned a body that is not JSON", platform=PLATFORM)
    if isinstance(exc, prawcore.ResponseException):
        status = exc.response.status_code
        if status in (401, 403):
            return AccessDenied(
                f"Reddit rejected the app credentials ({status}); check MENTIONDESK_REDDIT_CLIENT_ID and _SECRET",
                platform=PLATFORM,
                status=status,
            )
        if status >= 500:
            return TransientError(f"Reddit server error {status}", platform=PLATFORM)
        return SourceError(f"Reddit answered {status}: {_message(exc.response)}", platform=PLATFORM)
    if isinstance(exc, prawcore.RequestException):
        original = exc.original_exception
        if isinstance(original, requests.Timeout):
            return TransientError("Reddit did not answer in time", platform=PLATFORM)
        return TransientError(f"cannot reach Reddit: {_brief(original)}", platform=PLATFORM)
    if isinstance(exc, requests.RequestException):
        return TransientError(f"cannot reach Reddit: {_brief(exc)}", platform=PLATFORM)
    return SourceError(f"unexpected Reddit failure: {type(exc).__name__}: {exc}", platform=PLATFORM)


def _get(reddit: praw.Reddit, path: str, params: dict[str, str | int]) -> dict[str, Any]:
    try:
        body = reddit.request(method="GET", path=path, params=params)
    except Exception as exc:  # the boundary: nothing but SourceError leaves a source
        raise translate_error(exc) from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise TransientError(f"Reddit returned something other than a Listing for {path}", platform=PLATFORM)
    return body


# --- matching and parsing ---------------------------------------------------------------------------


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term.strip()) + r"(?!\w)", re.IGNORECASE)


class Matcher:
    """The brand's keywords, exclusions and u/handles, matched on text with invisible characters removed."""

    def __init__(self, brand: Brand) -> None:
        self.keywords = [_pattern(k) for k in brand.keywords if k.strip()]
        self.exclude = [_pattern(e) for e in brand.exclude if e.strip()]
        self.handles = [
            re.compile(r"(?<![\w/])/?u/" + re.escape(h) + r"(?!\w)", re.IGNORECASE)
            for h in brand.handles.get("reddit", [])
        ]

    def found_via(self, text: str) -> FoundVia | None:
        """MENTION for a u/handle, KEYWORD for a keyword, None when neither or when an exclusion matches."""
        clean = _INVISIBLE.sub("", text)
        if any(p.search(clean) for p in self.exclude):
            return None
        if any(p.search(clean) for p in self.handles):
            return FoundVia.MENTION
        if any(p.search(clean) for p in self.keywords):
            return FoundVia.KEYWORD
        return None


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"no {key}")
    return value


def parse_item(child: Any, brand: Brand, reddit_url: str) -> tuple[FetchedMention | None, str]:
    """A listing child as a mention. Returns (None, reason) for deleted/removed items; raises ValueError (or
    KeyError/TypeError) for malformed ones."""
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        raise ValueError("not a thing")
    kind, data = child.get("kind"), child["data"]
    name = _str(data, "name")
    author = data.get("author")
    handle = author if isinstance(author, str) and author else ANONYMOUS
    if kind == "t3":
        title = _str(data, "title")
        body = data.get("selftext") if isinstance(data.get("selftext"), str) else ""
        if body in GONE_TEXTS and handle == ANONYMOUS:
            return None, f"post {body.strip('[]')}"
        if data.get("removed_by_category"):
            return None, f"post removed ({data['removed_by_category']})"
        text = title if not body or body in GONE_TEXTS else f"{title}\n\n{body}"
        conversation: str | None = name
        parent: str | None = None
    elif kind == "t1":
        text = _str(data, "body")
        if text in GONE_TEXTS:
            return None, f"comment {text.strip('[]')}"
        conversation = _thread_of(data)
        parent = data.get("parent_id") if isinstance(data.get("parent_id"), str) else None
    else:
        raise ValueError(f"unexpected kind {kind!r}")
    created = data.get("created_utc")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise ValueError("no created_utc")
    fullname_author = data.get("author_fullname")
    mention = FetchedMention(
        platform=PLATFORM,
        external_id=name,
        brand=brand.key,
        text=text,
        author_handle=handle,
        created_at=datetime.fromtimestamp(float(created), tz=UTC),
        author_external_id=fullname_author if isinstance(fullname_author, str) and handle != ANONYMOUS else None,
        url=_url_of(data, name, conversation, reddit_url),
        conversation_id=conversation,
        parent_id=parent,
    )
    return mention, ""


def ignored(child: Any, brand: Brand) -> str | None:
    """Why an item is not a mention worth storing at all: a moderator's or admin's notice (removal reasons,
    rules), or a bot of the brand's list (AutoModerator by default). None for everything else."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict):
        return None
    mark = data.get("distinguished")
    if mark in MODERATOR_MARKS and brand.routing.ignore_moderator_notices:
        return f"{mark} notice"
    author = data.get("author")
    if isinstance(author, str) and author.lower() in {a.lower() for a in brand.routing.bots}:
        return f"bot {author}"
    return None


_THREAD_IN_PATH = re.compile(r"/comments/([0-9a-z]+)(?:/|$)")


def _thread_of(data: dict[str, Any]) -> str | None:
    """The post a comment belongs to: `link_id`, or (inbox items carry none) the post id in its `context`
    or `permalink` path, or a parent that is the post itself."""
    link_id = data.get("link_id")
    if isinstance(link_id, str) and link_id.startswith("t3_"):
        return link_id
    for key in ("permalink", "context"):
        path = data.get(key)
        match = _THREAD_IN_PATH.search(path) if isinstance(path, str) else None
        if match:
            return f"t3_{match.group(1)}"
    parent = data.get("parent_id")
    return parent if isinstance(parent, str) and parent.startswith("t3_") else None


def _url_of(data: dict[str, Any], name: str, thread: str | None, reddit_url: str) -> str:
    """`permalink`, or the inbox's `context` link; when the payload has neither (comment listings before
    2017, some API mirrors), built from the thread and the item's id: Reddit serves
    /comments/<post>/_/<comment>/ as the comment's page."""
    for key in ("permalink", "context"):
        link = data.get(key)
        if isinstance(link, str) and link.startswith("/"):
            return f"{reddit_url}{link}"
        if isinstance(link, str) and link.startswith("https://"):
            return link
    kind, _, item_id = name.partition("_")
    if kind == "t3":
        return f"{reddit_url}/comments/{item_id}/"
    return f"{reddit_url}/comments/{thread.removeprefix('t3_')}/_/{item_id}/" if thread else ""


def _created(mention: FetchedMention) -> tuple[datetime, int]:
    return mention.created_at, _serial(mention.external_id)


# --- sources ----------------------------------------------------------------------------------------


class RedditListingSource:
    """One Reddit listing (newest first) read down to the cursor: the newest fullname already seen.

    Pages are walked with `after=` until an item at or below the cursor appears (the boundary page), comparing
    base-36 ids. Ids are not in the order items become visible: an item can appear after newer ones, at its
    own place in the listing, a second late (same second, lower id) or an hour late (the spam filter, a
    moderator's approval). So the boundary page is read whole, and once every CATCH_UP_EVERY of listing time a
    catch-up read walks on below it, down to CATCH_UP_WINDOW before the newest item (CATCH_UP_PAGES pages at
    most). The fullnames already read (the SEEN_LIMIT newest, kept in the cursor and saved with the batch) are
    left out, and so is anything older than the oldest of them (the cursor's `floor`), which could not be told
    from an item already returned: a late item is returned once, nothing twice. `before=<cursor>` would avoid
    reading the boundary page, but Reddit answers it with an empty listing forever once the anchor item is
    deleted or removed, which would stall the source silently. While walking a backlog or a catch-up the cursor
    also holds the page position, so a crash resumes the walk.

    With no cursor yet only the newest page is read (history before the desk is not a backlog, nor late), and
    its oldest item is the floor; an empty listing sets the cursor to "0", so everything posted later is new."""

    platform = PLATFORM
    rate_scope = RATE_SCOPE

    def __init__(
        self,
        name: str,
        brand: Brand,
        reddit: praw.Reddit,
        session: MeteredSession,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        match: bool = True,
        reddit_url: str = "https://www.reddit.com",
    ) -> None:
        self.name = name
        self.brand = brand.key
        self._brand = brand
        self._reddit = reddit
        self._session = session
        self.path = path
        self._params = dict(params or {})
        self._matcher: Matcher | None = Matcher(brand) if match else None
        self._reddit_url = reddit_url.rstrip("/")
        self._own = brand.own_handles(PLATFORM)

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        state = ListingCursor.parse(cursor)
        params: dict[str, str | int] = {**self._params, "limit": LIMIT}
        position = state.below or state.after
        if position:
            params["after"] = position
        body = _get(self._reddit, self.path, params)
        children = body["data"].get("children")
        if not isinstance(children, list):
            children = []
        mentions: list[FetchedMention] = []
        skipped: list[SkippedItem] = []
        seen = {*state.seen, state.since}  # the cursor's own item was read, whatever the cursor's age
        read: list[str] = []
        newest, newest_at = state.newest, state.newest_at
        reached = state.since is None or len(children) < LIMIT  # first read, or the listing's end
        for index, child in enumerate(children):
            name = _child_name(child)
            older = name is not None and state.since is not None and _serial(name) <= _serial(state.since)
            reached = reached or older
            if name in seen or (older and name is not None and not state.covers(name)):
                continue  # read before, or older than the seen-set reaches (returned long ago, or history)
            created = _child_created(child)
            if name:
                read.append(name)
                if newest is None or _serial(name) > _serial(newest):
                    newest = name
            if created is not None and (newest_at is None or created > newest_at):
                newest_at = created
            where = name or f"item {index}"
            why_not = ignored(child, self._brand)
            if why_not:
                log.debug("%s: ignored %s: %s", self.name, where, why_not)
                continue
            try:
                mention, reason = parse_item(child, self._brand, self._reddit_url)
            except Exception as exc:  # any odd item is skipped; the rest of the page is kept
                skipped.append(SkippedItem(where=where, reason=str(exc) or type(exc).__name__))
                continue
            if mention is None:
                skipped.append(SkippedItem(where=where, reason=reason))
                continue
            if mention.author_handle.lower() in self._own:
                continue  # our own posts and replies are not mentions
            via = self._matcher.found_via(mention.text) if self._matcher else FoundVia.MENTION
            if via is not None:
                mentions.append(replace(mention, found_via=via))
        for item in skipped:
            log.info("%s: skipped %s: %s", self.name, item.where, item.reason)
        mentions.sort(key=_created)
        remembered, floor = _bounded([*read, *state.seen], state.floor)
        next_cursor = self._next_cursor(state, children, reached, newest, newest_at, remembered, floor)
        remaining, reset_at = _rate_figures(self._session)
        return Batch(
            mentions=mentions,
            cursor=next_cursor.dump(),
            skipped=skipped,
            more=next_cursor.after is not None or next_cursor.below is not None,
            requests=self._session.requests_made - start,
            rate_remaining=remaining,
            rate_reset_at=reset_at,
        )

    def _next_cursor(
        self,
        state: ListingCursor,
        children: list[Any],
        reached: bool,
        newest: str | None,
        newest_at: float | None,
        seen: tuple[str, ...],
        floor: str | None,
    ) -> ListingCursor:
        last = _child_name(children[-1]) if children else None
        if state.below is not None:  # a page of a catch-up read: go on down, or back to the top
            done = replace(state, seen=seen, floor=floor, below=None, below_pages=0)
            if state.below_pages + 1 < CATCH_UP_PAGES and _goes_deeper(children, last, state.since_at, floor):
                return replace(done, below=last, below_pages=state.below_pages + 1)
            return done
        if not reached and last is not None:  # a backlog walk goes on
            return replace(state, after=last, newest=newest, newest_at=newest_at, seen=seen, floor=floor)
        since = _newest_name(newest, state.since) or "0"
        since_at = max((t for t in (newest_at, state.since_at) if t is not None), default=None)
        if state.since is None and len(children) >= LIMIT:
            floor = _newest_name(floor, last)  # the first read: older items are history, not late
        caught_up_at = state.caught_up_at if state.caught_up_at is not None else since_at
        top = ListingCursor(since=since, since_at=since_at, seen=seen, floor=floor, caught_up_at=caught_up_at)
        due = since_at is not None and caught_up_at is not None and since_at - caught_up_at >= CATCH_UP_EVERY_S
        if not due or state.since is None:
            return top
        top = replace(top, caught_up_at=since_at)
        return replace(top, below=last) if _goes_deeper(children, last, since_at, floor) else top


def _goes_deeper(children: list[Any], last: str | None, since_at: float | None, floor: str | None) -> bool:
    """Whether a catch-up read has more to read below this page: it was full, its oldest item is inside the
    window and above the floor."""
    if last is None or len(children) < LIMIT:
        return False
    if floor is not None and _serial(last) <= _serial(floor):
        return False
    times = [t for t in map(_child_created, children) if t is not None]
    return since_at is None or not times or min(times) >= since_at - CATCH_UP_WINDOW.total_seconds()


@dataclass(frozen=True)
class ListingCursor:
    """Where a listing was read to, saved as JSON with each batch. An older cursor (JSON without a floor,
    "since|after|newest" or a bare fullname) is still read."""

    since: str | None = None  # newest fullname stored ("0": nothing yet)
    since_at: float | None = None  # its time (Unix seconds)
    after: str | None = None  # while walking a backlog: the oldest fullname of the last page
    newest: str | None = None  # while walking a backlog: the newest fullname of the walk
    newest_at: float | None = None  # and its time
    seen: tuple[str, ...] = ()  # fullnames already read, newest first, at most SEEN_LIMIT
    floor: str | None = None  # below this fullname nothing is returned (None: the seen-set holds all read)
    caught_up_at: float | None = None  # since_at of the last catch-up read
    below: str | None = None  # during a catch-up read: the oldest fullname of its last page
    below_pages: int = 0  # and how many pages past the boundary page it has read

    def covers(self, name: str) -> bool:
        """Whether an item no newer than `since` can be told apart from one already returned."""
        return self.floor is None or _serial(name) >= _serial(self.floor)

    @classmethod
    def parse(cls, raw: str | None) -> ListingCursor:
        if not raw:
            return cls()
        if raw.startswith("{"):
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            if isinstance(data, dict):
                since = _opt_str(data.get("since"))
                seen = tuple(n for n in data.get("seen") or () if isinstance(n, str))
                pages = data.get("below_pages")
                return cls(
                    since=since,
                    since_at=_opt_float(data.get("since_at")),
                    after=_opt_str(data.get("after")),
                    newest=_opt_str(data.get("newest")),
                    newest_at=_opt_float(data.get("newest_at")),
                    seen=seen,
                    floor=_opt_str(data.get("floor")) if data.get("v") == 2 else _legacy_floor(since, seen),
                    caught_up_at=_opt_float(data.get("caught_up_at")),
                    below=_opt_str(data.get("below")),
                    below_pages=pages if isinstance(pages, int) and not isinstance(pages, bool) else 0,
                )
            return cls()
        since, _, rest = raw.partition("|")
        after, _, newest = rest.partition("|")
        return cls(since=since or None, after=after or None, newest=newest or None, floor=since or None)

    def dump(self) -> str | None:
        if self.since is None and self.after is None:
            return None
        fields = {
            "v": 2,
            "since": self.since or "0",
            "since_at": self.since_at,
            "after": self.after,
            "newest": self.newest,
            "newest_at": self.newest_at,
            "floor": self.floor,
            "caught_up_at": self.caught_up_at,
            "below": self.below,
            "below_pages": self.below_pages or None,
            "seen": list(self.seen),
        }
        return json.dumps({k: v for k, v in fields.items() if v not in (None, [])}, separators=(",", ":"))


def _legacy_floor(since: str | None, seen: tuple[str, ...]) -> str | None:
    """A cursor saved before floors: it kept every name it read, up to 300 of them, and none with no overlap."""
    if not seen:
        return since
    return min(seen, key=_serial) if len(seen) >= 300 else None


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _opt_float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bounded(names: list[str], floor: str | None) -> tuple[tuple[str, ...], str | None]:
    """The SEEN_LIMIT newest distinct fullnames (the rereads only ever reach the newest items), and the floor:
    raised to the oldest kept when older ones are let go."""
    ordered = sorted(set(names), key=_serial, reverse=True)
    kept = tuple(ordered[:SEEN_LIMIT])
    if len(ordered) > SEEN_LIMIT:
        floor = _newest_name(floor, kept[-1])
    return kept, floor


def _newest_name(*names: str | None) -> str | None:
    given = [n for n in names if n and n != "0"]
    return max(given, key=_serial) if given else None


def _child_created(child: Any) -> float | None:
    data = child.get("data") if isinstance(child, dict) else None
    created = data.get("created_utc") if isinstance(data, dict) else None
    return float(created) if isinstance(created, int | float) and not isinstance(created, bool) else None


def _serial(fullname: str) -> int:
    try:
        return int(fullname.rpartition("_")[2], 36)
    except ValueError:
        return 0


def _child_name(child: Any) -> str | None:
    if isinstance(child, dict) and isinstance(child.get("data"), dict):
        name = child["data"].get("name")
        if isinstance(name, str) and re.fullmatch(r"t[0-9]_[0-9a-z]+", name):
            return name
    return None


def _rate_figures(session: MeteredSession) -> tuple[int | None, datetime | None]:
    headers = session.last_headers
    try:
        remaining = int(float(headers["x-ratelimit-remaining"]))
    except (KeyError, TypeError, ValueError):
        return None, None
    return remaining, _reset_from(headers)


def search_query(brand: Brand) -> str:
    terms = " OR ".join(f'"{k.replace(chr(34), "")}"' for k in brand.keywords if k.strip())
    excluded = " ".join(f'NOT "{e.replace(chr(34), "")}"' for e in brand.exclude if e.strip())
    return f"({terms}) {excluded}".strip() if excluded else terms


def sources_for(brand: Brand, access: RedditAccess) -> list[RedditListingSource]:
    """Mentions inbox (if the account is one of the brand's handles), watched subreddits' posts and comments,
    sitewide post search. Each source has its own client, so its request count is its own."""
    specs: list[tuple[str, str, dict[str, str | int], bool]] = []  # name, path, params, match
    account = (access.username or "").lower()
    if account and account in brand.own_handles(PLATFORM):
        specs.append((f"reddit:{brand.key}:mentions:{account}", "message/mentions", {}, False))
    has_terms = bool(brand.keywords or brand.handles.get("reddit"))
    subs = sorted({s.removeprefix("r/").strip() for s in watch_of(brand).subreddits if s.strip()})
    if subs and has_terms:
        joined = "+".join(subs)
        specs.append((f"reddit:{brand.key}:posts", f"r/{joined}/new", {}, True))
        specs.append((f"reddit:{brand.key}:comments", f"r/{joined}/comments", {}, True))
    if watch_of(brand).search_sitewide and brand.keywords:
        params: dict[str, str | int] = {"q": search_query(brand), "sort": "new", "type": "link"}
        specs.append((f"reddit:{brand.key}:search", "search", params, True))
    return _built(specs, brand, access)


def _search_spec(brand: Brand) -> tuple[str, str, dict[str, str | int], bool] | None:
    """The keyword search alone: sitewide, or within the watched subreddits when the brand does not search
    sitewide (Reddit searches posts only; `restrict_sr` keeps it to them). None with nowhere to search."""
    watch = watch_of(brand)
    subs = sorted({s.removeprefix("r/").strip() for s in watch.subreddits if s.strip()})
    if not brand.keywords or not (watch.search_sitewide or subs):
        return None
    params: dict[str, str | int] = {"q": search_query(brand), "sort": "new", "type": "link"}
    if watch.search_sitewide:
        return f"reddit:{brand.key}:search", "search", params, True
    return f"reddit:{brand.key}:search", f"r/{'+'.join(subs)}/search", {**params, "restrict_sr": "on"}, True


def search_sources_for(brand: Brand, access: RedditAccess) -> list[RedditListingSource]:
    """The keyword search of `_search_spec`: what the shell builds the brand's competitor searches with."""
    spec = _search_spec(brand)
    return _built([spec] if spec else [], brand, access)


def _built(
    specs: list[tuple[str, str, dict[str, str | int], bool]], brand: Brand, access: RedditAccess
) -> list[RedditListingSource]:
    out: list[RedditListingSource] = []
    for name, path, extra, match in specs:
        reddit, session = make_reddit(access)
        out.append(
            RedditListingSource(name, brand, reddit, session, path, params=extra, match=match, reddit_url=access.url)
        )
    return out


# --- sender -----------------------------------------------------------------------------------------

_GONE = {"DELETED_COMMENT", "DELETED_LINK", "TOO_OLD", "THREAD_LOCKED", "SUBREDDIT_NOTALLOWED"}
_RATELIMIT_WAIT = re.compile(r"(\d+)\s*(second|minute|hour)", re.IGNORECASE)


def _api_refusal(exc: RedditAPIException) -> SendFailed | RateLimited:
    """Reddit's `json.errors` items: RATELIMIT is a rate limit, a deleted or locked parent is gone for good."""
    kinds = {item.error_type for item in exc.items}
    if "RATELIMIT" in kinds:
        match = _RATELIMIT_WAIT.search(str(exc))
        unit = {"second": 1, "minute": 60, "hour": 3600}[match.group(2).lower()] if match else 60
        seconds = int(match.group(1)) * unit if match else 600
        return RateLimited(datetime.now(UTC) + timedelta(seconds=seconds), platform=PLATFORM)
    gone = bool(kinds & _GONE)
    return SendFailed(f"Reddit refused the reply: {exc}", retryable=False, target_gone=gone)


class RedditSender:
    """Replies as the script app's account; `find_reply` reads that account's comments back to the claim."""

    platform = PLATFORM
    rate_scope = RATE_SCOPE

    def __init__(self, reddit: praw.Reddit, session: MeteredSession, username: str, reddit_url: str) -> None:
        self._reddit = reddit
        self._session = session
        self._username = username
        self._reddit_url = reddit_url.rstrip("/")

    @classmethod
    def from_access(cls, access: RedditAccess) -> RedditSender:
        reddit, session = make_reddit(access)
        assert access.username
        return cls(reddit, session, access.username, access.url)

    def send(self, reply: OutgoingReply) -> SentReply:
        target = reply.in_reply_to
        if target.startswith("t1_"):
            thing: Any = self._reddit.comment(id=target[3:])
        elif target.startswith("t3_"):
            thing = self._reddit.submission(id=target[3:])
        else:
            raise SendFailed(f"Reddit cannot reply to {target!r}: not a post or comment", retryable=False)
        try:
            created = thing.reply(reply.text)
        except RedditAPIException as exc:
            raise _api_refusal(exc) from None
        except Exception as exc:
            error = translate_error(exc) if not isinstance(exc, PRAWException) else None
            if isinstance(error, RateLimited):
                raise error from None
            if error is None or isinstance(error, TransientError):
                raise SendFailed(f"Reddit reply: {error or exc}", maybe_posted=True) from None
            raise SendFailed(f"Reddit refused the reply: {error}", retryable=False) from None
        if created is None:
            raise SendFailed("Reddit accepted the reply but did not say which comment it is", maybe_posted=True)
        return SentReply(external_id=created.fullname, url=f"{self._reddit_url}{created.permalink}")

    def find_reply(self, reply: OutgoingReply) -> SentReply | None:
        """Our comments, newest first, down to the claim time, looking for one whose parent is the mention."""
        since = (reply.claimed_at - LOOKBACK_SKEW).timestamp() if reply.claimed_at else None
        params: dict[str, str | int] = {"limit": LIMIT, "sort": "new"}
        for _ in range(MAX_LOOKUP_PAGES):
            body = self._lookup(f"user/{self._username}/comments", params)
            oldest: float | None = None
            for child in body["data"].get("children") or []:
                data = child.get("data") if isinstance(child, dict) else None
                if not isinstance(data, dict):
                    continue
                if data.get("parent_id") == reply.in_reply_to and data.get("name"):
                    link = data.get("permalink") if isinstance(data.get("permalink"), str) else ""
                    return SentReply(external_id=str(data["name"]), url=f"{self._reddit_url}{link}" if link else "")
                if isinstance(data.get("created_utc"), int | float):
                    oldest = float(data["created_utc"])
            after = body["data"].get("after")
            if not after or (since is not None and oldest is not None and oldest < since):
                return None
            params["after"] = str(after)
        raise SendFailed("Reddit reply lookup: our comments are too many to read back to the claim", maybe_posted=True)

    def _lookup(self, path: str, params: dict[str, str | int]) -> dict[str, Any]:
        try:
            return _get(self._reddit, path, dict(params))
        except RateLimited:
            raise
        except SourceError as exc:
            raise SendFailed(f"Reddit reply lookup failed: {exc.message}", maybe_posted=True) from None


# --- the descriptor ---------------------------------------------------------------------------------

_HINT = (
    "Reddit: no credentials (MENTIONDESK_REDDIT_CLIENT_ID, _CLIENT_SECRET, _USERNAME, _PASSWORD); "
    "Reddit sources and replies skipped"
)


def _post_demo(sim: Any, post: DemoPost) -> None:
    sim.state.post_reddit(
        post.text,
        author=post.author,
        mention_account=post.via == "mention",
        as_comment=post.via == "reply",
        created_at=post.created_at,
    )


def _planned_listings(brand: Brand) -> list[tuple[str, str]]:
    key, watch = brand.key, watch_of(brand)
    out = [(f"reddit:{key}:mentions:{h.lower()}", "owned") for h in brand.handles.get(PLATFORM, [])]
    if watch.subreddits and (brand.keywords or brand.handles.get(PLATFORM)):
        out += [(f"reddit:{key}:posts", "search"), (f"reddit:{key}:comments", "search")]
    if watch.search_sitewide and brand.keywords:
        out.append((f"reddit:{key}:search", "search"))
    return out


def _planned_searches(brand: Brand) -> list[tuple[str, str]]:
    spec = _search_spec(brand)
    return [(spec[0], "search")] if spec else []


def _search_sources(brand: Brand, access: RedditAccess) -> list[Source]:
    return cast(list[Source], search_sources_for(brand, access))


def _simulator_options(brand: Brand) -> dict[str, list[str]]:
    """The subreddits to play, and the keywords their comments may name: those of the brands watching them."""
    subreddits = [s.removeprefix("r/") for s in watch_of(brand).subreddits]
    return {"subreddits": subreddits, "subreddit_keywords": list(brand.keywords) if subreddits else []}


def _listens_for(brand: Brand) -> bool:
    return bool(brand.handles.get(PLATFORM) or brand.keywords or watch_of(brand).subreddits)


DESCRIPTOR: Platform[RedditAccess] = Platform(
    reports_followers=False,
    name=PLATFORM,
    title="Reddit",
    access=RedditAccess,
    # Reddit's rules allow a reply (written by a person) to a post that only matched a keyword.
    replies=ReplyRules(
        max_length=10_000, keyword_replies=True, automated=AutomatedReplies.ADDRESSED, automated_by_default=False
    ),
    listens_for=_listens_for,
    can_read=lambda access: access.configured,
    sources=sources_for,
    search_sources=_search_sources,
    planned_listings=_planned_listings,
    planned_searches=_planned_searches,
    read_hint=_HINT,
    sender=RedditSender.from_access,
    write_hint=_HINT,
    handle_prefix="u/",
    handle_chars=r"\w-",
    brand_table=RedditWatch,
    handle_pattern=r"[A-Za-z0-9_-]{3,20}",
    mention_url=lambda handle, post_id: f"https://www.reddit.com/comments/{post_id.split('_')[-1]}",
    color="#e8590c",
    settings_note="Reddit (praw). Without credentials Reddit is skipped.",
    starter_handle="AcmeCoffee",
    starter_table='subreddits = ["coffee"]\nsearch_sitewide = true\n',
    simulator_module="listener.simulator.reddit_api",
    simulator_port=8702,
    simulator_address=lambda sim: str(sim.reddit_url),
    post_demo=_post_demo,
    simulator_options=_simulator_options,
)
