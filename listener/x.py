"""X (API v2 through tweepy): a brand handle's mentions timeline, keyword search, and the reply sender.

tweepy is asked for raw `requests.Response` objects and the JSON is parsed here, item by item, so one
malformed tweet becomes a SkippedItem instead of failing its whole page."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from pydantic import BaseModel, ConfigDict, SecretStr
from twitter_text import parse_tweet

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem
from listener.http_session import MeteredSession, _brief
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import (
    AccessDenied,
    ConfigError,
    NotConfigured,
    RateLimited,
    SendFailed,
    SourceError,
    TransientError,
)
from mentiondesk.core.platform import AutomatedReplies, DemoPost, Platform, ReplyRules
from mentiondesk.core.vocabulary import FoundVia

log = logging.getLogger(__name__)

PLATFORM = "x"
TWEEPY_HOST = "https://api.twitter.com"
MAX_RESULTS = 100
MAX_QUERY_CHARS = 512  # self-serve tiers; Pro allows 4096 but 512 works everywhere
TWEET_FIELDS = [
    "author_id",
    "created_at",
    "lang",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "entities",
]
USER_FIELDS = ["username", "name", "public_metrics"]
EXPANSIONS = ["author_id", "in_reply_to_user_id"]
TIER_MESSAGE = "your X API access tier does not include this endpoint"


# --- client -----------------------------------------------------------------------------------------


class XAccess(BaseModel):
    """Where X's API is and the credentials to use there; the shell fills it from MENTIONDESK_X_* settings."""

    model_config = ConfigDict(frozen=True)

    api_base_url: str = "https://api.twitter.com"
    bearer_token: SecretStr | None = None  # app-only: reading
    api_key: SecretStr | None = None  # user context (OAuth 1.0a): replying
    api_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_secret: SecretStr | None = None
    timeout_seconds: float = 10.0

    @property
    def can_read(self) -> bool:
        return _given(self.bearer_token)

    @property
    def can_write(self) -> bool:
        return all(_given(s) for s in (self.api_key, self.api_secret, self.access_token, self.access_secret))


def _given(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


def make_client(access: XAccess) -> tuple[tweepy.Client, MeteredSession]:
    """A tweepy client whose requests go to access.api_base_url with our timeout."""
    # tweepy logs every request's headers at DEBUG, bearer token included; `mentiondesk -v` must not leak it.
    logging.getLogger("tweepy.client").setLevel(max(logging.INFO, logging.getLogger("tweepy.client").level))

    def secret(value: Any) -> str | None:
        return value.get_secret_value() if value is not None else None

    client = tweepy.Client(
        bearer_token=secret(access.bearer_token),
        consumer_key=secret(access.api_key),
        consumer_secret=secret(access.api_secret),
        access_token=secret(access.access_token),
        access_token_secret=secret(access.access_secret),
        return_type=requests.Response,
        wait_on_rate_limit=False,  # the poller decides when to come back, not a sleeping thread
    )
    session = MeteredSession(
        timeout=access.timeout_seconds,
        rewrite=(TWEEPY_HOST, access.api_base_url.rstrip("/")),
    )
    client.session = session
    return client, session


# --- errors -----------------------------------------------------------------------------------------


def _error_detail(response: requests.Response | None) -> tuple[str, set[int]]:
    """The platform's own words from an error body (v2 problem or v1.1 errors list) and any error codes."""
    if response is None:
        return "", set()
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip(), set()
    if not isinstance(body, dict):
        return "", set()
    codes: set[int] = set()
    messages: list[str] = []
    for item in body.get("errors") or []:
        if isinstance(item, dict):
            if isinstance(item.get("code"), int):
                codes.add(item["code"])
            if isinstance(item.get("message"), str):
                messages.append(item["message"])
    for key in ("detail", "title"):
        if isinstance(body.get(key), str):
            messages.insert(0, body[key])
            break
    if body.get("reason") == "client-not-enrolled":
        codes.add(453)
    return (messages[0] if messages else ""), codes


def _reset_from(headers: Any, *, default_minutes: int = 15) -> datetime:
    raw = headers.get("x-rate-limit-reset") if headers is not None else None
    try:
        return datetime.fromtimestamp(int(str(raw)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC) + timedelta(minutes=default_minutes)


def translate_error(exc: Exception) -> SourceError:
    """One tweepy/requests failure as the SourceError subclass that tells the poller what to do."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, tweepy.TooManyRequests):
        return RateLimited(_reset_from(exc.response.headers), platform=PLATFORM)
    if isinstance(exc, tweepy.HTTPException):
        status = exc.response.status_code
        detail, codes = _error_detail(exc.response)
        if status == 453 or 453 in codes:
            return AccessDenied(f"{TIER_MESSAGE} ({detail or 'X error 453'})", platform=PLATFORM, status=status)
        if status == 401:
            return AccessDenied(
                f"X rejected the credentials (401 {detail or 'Unauthorized'}); check MENTIONDESK_X_* keys",
                platform=PLATFORM,
                status=401,
            )
        if status == 403:
            hint = "" if detail else ": the app's permissions or access tier may not allow it"
            message = f"X refused this call (403) {detail or 'Forbidden'}{hint}"
            return AccessDenied(message, platform=PLATFORM, status=403)
        if status >= 500:
            return TransientError(f"X server error {status}: {detail or exc.response.reason}", platform=PLATFORM)
        return SourceError(f"X answered {status}: {detail or exc.response.reason}", platform=PLATFORM)
    if isinstance(exc, requests.Timeout):
        return TransientError("X did not answer in time", platform=PLATFORM)
    if isinstance(exc, requests.RequestException):
        return TransientError(f"cannot reach X: {_brief(exc)}", platform=PLATFORM)
    if isinstance(exc, ValueError):
        return TransientError("X returned a body that is not JSON", platform=PLATFORM)
    return SourceError(f"unexpected X failure: {type(exc).__name__}: {exc}", platform=PLATFORM)


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call tweepy, return the JSON object; every failure becomes a SourceError."""
    try:
        response: requests.Response = fn(*args, **kwargs)
        body = response.json()
    except Exception as exc:  # the boundary: nothing but SourceError leaves a source
        raise translate_error(exc) from None
    if not isinstance(body, dict):
        raise TransientError("X returned a page that is not a JSON object", platform=PLATFORM)
    return body


# --- parsing ----------------------------------------------------------------------------------------


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("created_at missing")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _users_by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    includes = body.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    out: dict[str, dict[str, Any]] = {}
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict) and isinstance(user.get("id"), str) and isinstance(user.get("username"), str):
            out[user["id"]] = user
    return out


def _mentioned_usernames(tweet: dict[str, Any]) -> set[str]:
    entities = tweet.get("entities")
    found = {
        m["username"].lower()
        for m in (entities.get("mentions") or [] if isinstance(entities, dict) else [])
        if isinstance(m, dict) and isinstance(m.get("username"), str)
    }
    found.update(h.lower() for h in re.findall(r"(?<![\w@])@(\w{1,15})", tweet.get("text", "")))
    return found


def _replied_to(tweet: dict[str, Any]) -> str | None:
    for ref in tweet.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to" and isinstance(ref.get("id"), str):
            return str(ref["id"])
    return None


def found_via_for(
    tweet: dict[str, Any], users: dict[str, dict[str, Any]], own_handles: set[str], *, keyword_source: bool
) -> FoundVia:
    """REPLY if it replies to the brand's account, MENTION if it @mentions a brand handle, else KEYWORD.

    Both sources use this, so whichever sees a tweet first stores the same found_via."""
    reply_to = tweet.get("in_reply_to_user_id")
    reply_user = users.get(reply_to) if isinstance(reply_to, str) else None
    if reply_user and reply_user["username"].lower() in own_handles:
        return FoundVia.REPLY
    if _mentioned_usernames(tweet) & own_handles:
        return FoundVia.MENTION
    return FoundVia.KEYWORD if keyword_source else FoundVia.MENTION


def parse_page(
    body: dict[str, Any], brand: Brand, *, keyword_source: bool
) -> tuple[list[FetchedMention], list[SkippedItem]]:
    """Tweets of one page, oldest first; malformed items are skipped, the rest kept."""
    users = _users_by_id(body)
    own = brand.own_handles(PLATFORM)
    mentions: list[FetchedMention] = []
    skipped: list[SkippedItem] = []
    data = body.get("data", [])
    if not isinstance(data, list):
        return [], [SkippedItem(where="page", reason="`data` is not a list")]
    for index, tweet in enumerate(data):
        where = f"item {index}"
        try:
            if not isinstance(tweet, dict):
                raise ValueError("not an object")
            tweet_id = tweet.get("id")
            if not isinstance(tweet_id, str) or not tweet_id.isdigit():
                raise ValueError("no numeric id")
            where = f"tweet {tweet_id}"
            text = tweet.get("text")
            if not isinstance(text, str):
                raise ValueError("no text")
            author = users.get(str(tweet.get("author_id")))
            if author is None:
                raise ValueError("author not in includes")
            metrics = author.get("public_metrics")
            followers = metrics.get("followers_count", 0) if isinstance(metrics, dict) else 0
            lang = tweet.get("lang")
            conversation = tweet.get("conversation_id")
            mentions.append(
                FetchedMention(
                    platform=PLATFORM,
                    external_id=tweet_id,
                    brand=brand.key,
                    text=text,
                    author_handle=author["username"],
                    author_name=str(author.get("name") or ""),
                    author_followers=followers if isinstance(followers, int) else 0,
                    author_external_id=author["id"],
                    created_at=_parse_time(tweet.get("created_at")),
                    url=f"https://x.com/{author['username']}/status/{tweet_id}",
                    language=lang if isinstance(lang, str) and lang != "und" else None,
                    conversation_id=conversation if isinstance(conversation, str) else None,
                    parent_id=_replied_to(tweet),
                    found_via=found_via_for(tweet, users, own, keyword_source=keyword_source),
                )
            )
        except Exception as exc:  # any odd item is skipped; the rest of the page is kept
            skipped.append(SkippedItem(where=where, reason=str(exc) or type(exc).__name__))
    mentions.sort(key=lambda m: int(m.external_id))
    return mentions, skipped


# --- cursors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XCursor:
    """`since_id` once settled; while paging back through a backlog also the page token and the newest id
    seen, so the backlog's older pages are not skipped: "since|token|newest". "0" means "everything is new"
    (a first read found nothing), sent as no since_id at all. A mentions source also keeps its account's user
    id: "since|token|newest|user_id", so a handle is looked up once, not on every run (X bills user reads)."""

    since_id: str | None = None
    token: str | None = None
    newest_id: str | None = None
    user_id: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> XCursor:
        if not raw:
            return cls()
        if "|" not in raw:
            return cls(since_id=raw)
        since, token, newest, user = (raw.split("|", 3) + ["", "", ""])[:4]
        return cls(since_id=since or None, token=token or None, newest_id=newest or None, user_id=user or None)

    @property
    def api_since_id(self) -> str | None:
        return self.since_id if self.since_id and self.since_id != "0" else None

    def dump(self) -> str | None:
        user = f"|{self.user_id}" if self.user_id else ""
        if self.token:
            return f"{self.since_id or ''}|{self.token}|{self.newest_id or ''}{user}"
        settled = self.newest_id or self.since_id
        return f"{settled or ''}||{user}" if user else settled


def _newest(*ids: str | None) -> str | None:
    numeric = [i for i in ids if i and i.isdigit()]
    return max(numeric, key=int) if numeric else None


def _rate_figures(session: MeteredSession) -> tuple[int | None, datetime | None]:
    headers = session.last_headers
    remaining = headers.get("x-rate-limit-remaining")
    reset = headers.get("x-rate-limit-reset")
    try:
        remaining_int = int(remaining) if remaining is not None else None
    except ValueError:
        remaining_int = None
    return remaining_int, (_reset_from(headers) if reset is not None else None)


# --- sources ----------------------------------------------------------------------------------------


class _XPagedSource:
    platform = PLATFORM

    def __init__(self, name: str, brand: Brand, client: tweepy.Client, session: MeteredSession) -> None:
        self.name = name
        self.brand = brand.key
        self._brand = brand
        self._client = client
        self._session = session

    def _page(self, cursor: XCursor) -> dict[str, Any]:
        raise NotImplementedError

    def _keyword_source(self) -> bool:
        return False

    def _user_id_to_keep(self) -> str | None:
        return None

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        state = XCursor.parse(cursor)
        body = self._page(state)
        mentions, skipped = parse_page(body, self._brand, keyword_source=self._keyword_source())
        for item in skipped:
            log.warning("%s: skipped %s: %s", self.name, item.where, item.reason)
        meta = body.get("meta")
        if not isinstance(meta, dict):
            meta = {}
        page_ids = [m.external_id for m in mentions]
        newest = _newest(state.newest_id, meta.get("newest_id"), *page_ids)
        token = meta.get("next_token") if isinstance(meta.get("next_token"), str) else None
        if cursor is None:
            # A source's first read takes the newest page only: history before the desk is not a backlog,
            # and walking a week of search results could spend a whole rate window.
            token, newest = None, newest or "0"
        next_state = XCursor(since_id=state.since_id, token=token, newest_id=newest, user_id=self._user_id_to_keep())
        remaining, reset_at = _rate_figures(self._session)
        return Batch(
            mentions=mentions,
            cursor=next_state.dump(),
            skipped=skipped,
            more=token is not None,
            requests=self._session.requests_made - start,
            rate_remaining=remaining,
            rate_reset_at=reset_at,
        )


class XMentionsSource(_XPagedSource):
    """The mentions timeline of one brand handle (GET /2/users/:id/mentions)."""

    def __init__(self, brand: Brand, handle: str, client: tweepy.Client, session: MeteredSession) -> None:
        super().__init__(f"x:{brand.key}:mentions:{handle.lower()}", brand, client, session)
        self.handle = handle
        self._user_id: str | None = None

    def _user_id_to_keep(self) -> str | None:
        return self._user_id

    def _resolve_user_id(self, known: str | None = None) -> str:
        if self._user_id is None and known:
            self._user_id = known
        if self._user_id is None:
            body = _call(self._client.get_user, username=self.handle)
            data = body.get("data")
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                detail = _not_found_detail(body)
                raise SourceError(f"X has no user @{self.handle}: {detail}", platform=PLATFORM)
            self._user_id = data["id"]
        return self._user_id

    def _page(self, cursor: XCursor) -> dict[str, Any]:
        user_id = self._resolve_user_id(cursor.user_id)
        return _call(
            self._client.get_users_mentions,
            user_id,
            since_id=cursor.api_since_id,
            pagination_token=cursor.token,
            max_results=MAX_RESULTS,
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
            expansions=EXPANSIONS,
        )


class XSearchSource(_XPagedSource):
    """Recent search for one of the brand's keyword queries (GET /2/tweets/search/recent)."""

    def __init__(self, name: str, brand: Brand, query: str, client: tweepy.Client, session: MeteredSession) -> None:
        super().__init__(name, brand, client, session)
        self.query = query

    def _keyword_source(self) -> bool:
        return True

    def _page(self, cursor: XCursor) -> dict[str, Any]:
        return _call(
            self._client.search_recent_tweets,
            self.query,
            since_id=cursor.api_since_id,
            next_token=cursor.token,
            max_results=MAX_RESULTS,
            tweet_fields=TWEET_FIELDS,
            user_fields=USER_FIELDS,
            expansions=EXPANSIONS,
        )


def _not_found_detail(body: dict[str, Any]) -> str:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("detail") or errors[0].get("title") or "not found")
    return "not found"


# --- query building ---------------------------------------------------------------------------------


def _term(value: str) -> str:
    value = value.replace('"', "").strip()
    if re.fullmatch(r"[#@$]?[\w.'-]+", value):
        return value
    return f'"{value}"'


def build_queries(brand: Brand, *, limit: int = MAX_QUERY_CHARS) -> list[str]:
    """Search queries for the brand's keywords, each within `limit` characters: keywords OR'd, then the
    exclusions, -is:retweet, the languages and -from: the brand's own handles."""
    keywords = [k for k in (_term(k) for k in brand.keywords) if k and k != '""']
    if not keywords:
        return []
    suffix: list[str] = [f"-{_term(e)}" for e in brand.exclude if e.strip()]
    suffix.append("-is:retweet")
    suffix += [f"-from:{h}" for h in brand.handles.get("x", [])]
    langs = [f"lang:{lang}" for lang in brand.languages]
    if len(langs) == 1:
        suffix.append(langs[0])
    elif langs:
        suffix.append("(" + " OR ".join(langs) + ")")
    tail = " " + " ".join(suffix)

    def render(group: list[str]) -> str:
        head = group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")"
        return head + tail

    queries: list[str] = []
    group: list[str] = []
    for keyword in keywords:
        if len(render([keyword])) > limit:
            raise ConfigError(
                f"X search query for keyword {keyword!r} with the exclusions exceeds {limit} characters",
                key=f"brands.{brand.key}.keywords",
            )
        if group and len(render([*group, keyword])) > limit:
            queries.append(render(group))
            group = []
        group.append(keyword)
    if group:
        queries.append(render(group))
    return queries


def sources_for(brand: Brand, access: XAccess) -> list[_XPagedSource]:
    """A mentions source per X handle and a search source per query; each has its own client, so its
    request count and rate-limit figures are its own even when sources are polled in parallel."""
    sources: list[_XPagedSource] = [XMentionsSource(brand, h, *make_client(access)) for h in brand.handles.get("x", [])]
    return sources + search_sources_for(brand, access)


def search_sources_for(brand: Brand, access: XAccess) -> list[_XPagedSource]:
    """A recent-search source per query of the brand's keywords."""
    queries = build_queries(brand)
    numbered = len(queries) > 1
    return [
        XSearchSource(f"x:{brand.key}:search" + (f":{i + 1}" if numbered else ""), brand, q, *make_client(access))
        for i, q in enumerate(queries)
    ]


# --- sender -----------------------------------------------------------------------------------------

SEND_SCOPE = "x:send"  # X limits POST /2/tweets per user account; sending pauses as one
LOOKBACK_SKEW = timedelta(minutes=2)  # our clock and X's may differ a little
MAX_LOOKUP_PAGES = 32  # the user timeline serves at most 3,200 posts


def _send_error(exc: Exception) -> SendFailed | RateLimited:
    error = translate_error(exc)
    if isinstance(error, RateLimited):
        return error  # a 429 means X did not take the reply
    if isinstance(error, TransientError):
        return SendFailed(f"X reply: {error.message}", maybe_posted=True)
    message = f"X refused the reply: {error.message}"
    if "deleted or not visible" in error.message or getattr(error, "status", None) == 404:
        return SendFailed(message, retryable=False, target_gone=True)
    if isinstance(error, AccessDenied) and error.status == 401:
        return SendFailed(message, retryable=True)  # credentials fixed later: the reply can still go
    return SendFailed(message, retryable=False)


class XSender:
    """Posts replies as the account of MENTIONDESK_X_ACCESS_TOKEN (OAuth 1.0a user context)."""

    platform = PLATFORM
    rate_scope = SEND_SCOPE

    def __init__(self, client: tweepy.Client, session: MeteredSession) -> None:
        self._client = client
        self._session = session
        self._me: str | None = None

    @classmethod
    def from_access(cls, access: XAccess) -> XSender:
        if not access.can_write:
            raise NotConfigured(
                "no X user credentials (MENTIONDESK_X_API_KEY/SECRET, _ACCESS_TOKEN/SECRET)", platform=PLATFORM
            )
        return cls(*make_client(access))

    def send(self, reply: OutgoingReply) -> SentReply:
        try:
            response = self._client.create_tweet(
                text=reply.text, in_reply_to_tweet_id=reply.in_reply_to, user_auth=True
            )
        except Exception as exc:
            raise _send_error(exc) from None
        try:
            tweet_id = str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError):
            raise SendFailed("X accepted the reply but did not say its id", maybe_posted=True) from None
        return SentReply(external_id=tweet_id, url=f"https://x.com/i/web/status/{tweet_id}")

    def find_reply(self, reply: OutgoingReply) -> SentReply | None:
        """Our tweets since the claim (GET /2/users/:id/tweets, every page), looking for our reply to the mention."""
        params: dict[str, Any] = {
            "max_results": MAX_RESULTS,
            "tweet_fields": ["referenced_tweets", "conversation_id", "in_reply_to_user_id", "created_at"],
            "user_auth": True,
        }
        if reply.claimed_at is not None:
            params["start_time"] = (reply.claimed_at - LOOKBACK_SKEW).strftime("%Y-%m-%dT%H:%M:%SZ")
        me = self._my_id()
        for _ in range(MAX_LOOKUP_PAGES):
            body = self._lookup(self._client.get_users_tweets, me, **params)
            for tweet in _tweets(body):
                if _replied_to(tweet) == reply.in_reply_to and isinstance(tweet.get("id"), str):
                    return SentReply(external_id=tweet["id"], url=f"https://x.com/i/web/status/{tweet['id']}")
            token = (body.get("meta") or {}).get("next_token")
            if not isinstance(token, str) or not token:
                return None
            params["pagination_token"] = token
        raise SendFailed("X reply lookup: our timeline is too long to read back to the claim", maybe_posted=True)

    def _my_id(self) -> str:
        if self._me is None:
            me = self._lookup(self._client.get_me, user_auth=True).get("data")
            if not isinstance(me, dict) or not isinstance(me.get("id"), str | int):
                raise SendFailed("X reply lookup failed: unexpected /2/users/me body", maybe_posted=True)
            self._me = str(me["id"])
        return self._me

    @staticmethod
    def _lookup(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return _call(fn, *args, **kwargs)
        except RateLimited:
            raise
        except SourceError as exc:
            raise SendFailed(f"X reply lookup failed: {exc.message}", maybe_posted=True) from None


def _tweets(body: dict[str, Any]) -> Iterable[dict[str, Any]]:
    data = body.get("data")
    return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []


# --- the descriptor ---------------------------------------------------------------------------------

# twitter-text is exact but slow (~0.6 ms); plain ASCII with nothing URL-like counts one per character.
_URL_HINT = re.compile(r"https?:|www\.|\w\.[a-z]{2,}", re.IGNORECASE)


def weighted_length(text: str) -> int:
    """A reply's length as X counts it (twitter-text's weighted characters)."""
    if text.isascii() and not _URL_HINT.search(text):
        return len(text)
    return int(parse_tweet(text).weightedLength)


def _listens_for(brand: Brand) -> bool:
    return bool(brand.handles.get(PLATFORM) or brand.keywords)


def _planned_listings(brand: Brand) -> list[tuple[str, str]]:
    owned = [(f"x:{brand.key}:mentions:{h.lower()}", "owned") for h in brand.handles.get(PLATFORM, [])]
    queries = build_queries(brand)
    numbered = len(queries) > 1
    return owned + [
        (f"x:{brand.key}:search" + (f":{i + 1}" if numbered else ""), "search") for i in range(len(queries))
    ]


def _post_demo(sim: Any, post: DemoPost) -> None:
    sim.state.post_tweet(
        post.text,
        username=post.author,
        name=post.name,
        followers=post.followers,
        lang=post.lang,
        reply_to_brand=post.via == "reply",
        created_at=post.created_at,
    )


DESCRIPTOR: Platform[XAccess] = Platform(
    name=PLATFORM,
    title="X",
    access=XAccess,
    replies=ReplyRules(
        max_length=280,
        length=weighted_length,
        # X refuses replies to authors who did not mention or quote the account (since 24 Feb 2026).
        keyword_replies=False,
        automated=AutomatedReplies.ADDRESSED,
        automated_by_default=True,
    ),
    listens_for=_listens_for,
    can_read=lambda access: access.can_read,
    sources=sources_for,
    search_sources=search_sources_for,
    planned_listings=_planned_listings,
    read_hint="X: no MENTIONDESK_X_BEARER_TOKEN; X sources skipped",
    sender=lambda access: XSender.from_access(access),
    write_hint=(
        "X: no user credentials (MENTIONDESK_X_API_KEY, _API_SECRET, _ACCESS_TOKEN, _ACCESS_SECRET); "
        "replies on X cannot be sent"
    ),
    handle_prefix="@",
    handle_pattern=r"[A-Za-z0-9_]{1,15}",
    mention_url=lambda handle, post_id: f"https://x.com/{handle}/status/{post_id}",
    color="#1f2933",
    settings_note="X (API v2 through tweepy). Without credentials X is skipped.",
    starter_handle="AcmeCoffee",
    simulator_module="listener.simulator.x_api",
    simulator_port=8701,
    simulator_address=lambda sim: str(sim.x_base_url),
    post_demo=_post_demo,
)
