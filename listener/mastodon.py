"""Mastodon (through Mastodon.py): the brand account's mention notifications, keyword search and hashtag
timelines, and the reply sender.

Mastodon.py hands back dict-like objects; each status is parsed here defensively, so one odd item is a
SkippedItem and never a failed page. Mastodon.py is told to throw on 429 ("throw" mode): the poller decides
when to come back, never a sleeping client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)
from pydantic import BaseModel, ConfigDict, SecretStr

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem, Source
from listener.html_text import html_to_text
from listener.http_session import MeteredSession, _brief
from listener.thread_roots import roots_for
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import AccessDenied, NotConfigured, RateLimited, SendFailed, SourceError, TransientError
from mentiondesk.core.platform import AutomatedReplies, DemoPost, Platform, ReplyRules
from mentiondesk.core.vocabulary import FoundVia

log = logging.getLogger(__name__)

PLATFORM = "mastodon"
# A status names only the post it answers (`in_reply_to_id`) and the REST API has no thread id for public posts,
# so a reply's thread is read from its context: a few reads a page at most, and none while the rate window has
# fewer requests left than the reserve (reading mentions comes first; a reply whose thread is not read keeps its
# parent as conversation).
CONTEXT_READS_PER_PAGE = 10
CONTEXT_RESERVE = 60
PAGE = 40  # the most Mastodon serves per page of notifications, search results or timeline
# Mastodon counts requests per account token (300 per 5 minutes): every source of one token shares it.
RATE_SCOPE = "mastodon"
# Posting has its own, longer window (300 statuses per 3 hours per account).
SEND_SCOPE = "mastodon:send"
ASSUMED_VERSION = "4.3.0"  # stops Mastodon.py asking the instance for its version before a call
LOOKBACK_SKEW = timedelta(minutes=2)
MAX_LOOKUP_PAGES = 20
# The narrowest first: a reply is never more public than the post it answers, and at most unlisted.
_VISIBILITY = ("direct", "private", "unlisted", "public")
REPLY_VISIBILITY = "unlisted"


# --- client -----------------------------------------------------------------------------------------


class MastodonAccess(BaseModel):
    """The instance and the brand account's access token; the shell fills it from MENTIONDESK_MASTODON_*."""

    model_config = ConfigDict(frozen=True)

    base_url: str = ""
    access_token: SecretStr | None = None
    timeout_seconds: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.base_url) and self.access_token is not None and bool(self.access_token.get_secret_value())

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()


def make_client(access: MastodonAccess) -> tuple[Mastodon, MeteredSession]:
    if not access.configured:
        raise NotConfigured("no Mastodon credentials (MENTIONDESK_MASTODON_BASE_URL, _ACCESS_TOKEN)", platform=PLATFORM)
    assert access.access_token is not None
    session = MeteredSession(timeout=access.timeout_seconds)
    client = Mastodon(
        access_token=access.access_token.get_secret_value(),
        api_base_url=access.base_url.rstrip("/"),
        ratelimit_method="throw",
        request_timeout=access.timeout_seconds,
        mastodon_version=ASSUMED_VERSION,
        version_check_mode="created",  # trusts ASSUMED_VERSION: no request to learn it
        session=session,
        user_agent="mentiondesk/0.1 (brand listening desk)",
    )
    return client, session


# --- errors -----------------------------------------------------------------------------------------


def _parse_instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reset_from(headers: Mapping[str, str], *, now: datetime | None = None) -> datetime:
    """When the window in X-RateLimit-Reset (an ISO 8601 instant on the server's clock) ends on ours: the
    server's Date header tells how far its clock is from ours. Unknown: five minutes, Mastodon's window."""
    now = now or datetime.now(UTC)
    reset = _parse_instant(headers.get("X-RateLimit-Reset") or headers.get("x-ratelimit-reset") or "")
    if reset is None:
        return now + timedelta(minutes=5)
    date = headers.get("Date") or headers.get("date")
    if date:
        try:
            server_now = parsedate_to_datetime(date)
            reset = now + (reset - server_now)
        except (TypeError, ValueError):
            pass
    return max(reset, now + timedelta(seconds=1))


def _status_of(exc: MastodonAPIError) -> int:
    args = exc.args
    return args[1] if len(args) > 1 and isinstance(args[1], int) else 0


def _detail(exc: MastodonAPIError) -> str:
    args = exc.args
    detail = args[3] if len(args) > 3 and isinstance(args[3], str) else ""
    reason = args[2] if len(args) > 2 and isinstance(args[2], str) else ""
    return detail or reason or "error"


def translate_error(exc: Exception, session: MeteredSession) -> SourceError:
    """One Mastodon.py failure as the SourceError subclass that tells the poller what to do."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, MastodonRatelimitError):
        return RateLimited(reset_from(session.last_headers), platform=PLATFORM)
    if isinstance(exc, MastodonUnauthorizedError):
        return AccessDenied(
            f"Mastodon rejected the access token (401 {_detail(exc)}); check MENTIONDESK_MASTODON_ACCESS_TOKEN",
            platform=PLATFORM,
            status=401,
        )
    if isinstance(exc, MastodonServerError):
        return TransientError(f"Mastodon server error {_status_of(exc)}: {_detail(exc)}", platform=PLATFORM)
    if isinstance(exc, MastodonAPIError):
        status = _status_of(exc)
        if status == 403:
            return AccessDenied(
                f"Mastodon refused this call (403 {_detail(exc)}): the token may lack the read or write scope",
                platform=PLATFORM,
                status=403,
            )
        if status == 0:
            return TransientError(f"Mastodon returned something unreadable: {_brief(exc)}", platform=PLATFORM)
        return SourceError(f"Mastodon answered {status}: {_detail(exc)}", platform=PLATFORM)
    if isinstance(exc, MastodonNetworkError):
        text = str(exc).lower()
        if "timed out" in text or "timeout" in text:
            return TransientError("Mastodon did not answer in time", platform=PLATFORM)
        return TransientError(f"cannot reach Mastodon: {_brief(exc)}", platform=PLATFORM)
    return SourceError(f"unexpected Mastodon failure: {type(exc).__name__}: {exc}", platform=PLATFORM)


def _call(session: MeteredSession, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except MastodonNotFoundError:
        raise
    except Exception as exc:  # the boundary: nothing but SourceError leaves a source
        raise translate_error(exc, session) from None


# --- parsing ----------------------------------------------------------------------------------------


class Identity:
    """The brand's accounts as full addresses (user@instance): a local account's `acct` has no instance."""

    def __init__(self, brand: Brand, instance_host: str) -> None:
        self.host = instance_host
        self.own = {self.full(h) for h in brand.handles.get("mastodon", [])}

    def full(self, acct: str) -> str:
        acct = acct.strip().lstrip("@").lower()
        return acct if "@" in acct else f"{acct}@{self.host}"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"no {what}")
    return value


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):  # Mastodon.py hands back local-time datetimes
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and (parsed := _parse_instant(value)) is not None:
        return parsed
    raise ValueError("no created_at")


def _id(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value).isdigit() else None


def found_via_for(status: Mapping[str, Any], identity: Identity, *, keyword_source: bool) -> FoundVia:
    """REPLY when it answers one of the brand's accounts, MENTION when it names one, else KEYWORD (or MENTION
    when a notification said so). Replies on Mastodon carry the answered account among their mentions."""
    ours = {
        str(m.get("id"))
        for m in status.get("mentions") or []
        if isinstance(m, Mapping) and isinstance(m.get("acct"), str) and identity.full(m["acct"]) in identity.own
    }
    if ours and str(status.get("in_reply_to_account_id")) in ours:
        return FoundVia.REPLY
    if ours:
        return FoundVia.MENTION
    return FoundVia.KEYWORD if keyword_source else FoundVia.MENTION


def parse_status(
    status: Any, brand: Brand, identity: Identity, *, keyword_source: bool
) -> tuple[FetchedMention | None, str]:
    """A status as a mention; (None, reason) for ones the desk does not take (boosts, direct messages, our
    own posts). Raises ValueError for malformed ones."""
    if not isinstance(status, Mapping):
        raise ValueError("not an object")
    status_id = _id(status.get("id"))
    if status_id is None:
        raise ValueError("no numeric id")
    if status.get("reblog"):
        return None, "a boost"
    if status.get("visibility") == "direct":
        return None, "a direct message"
    account = status.get("account")
    if not isinstance(account, Mapping):
        raise ValueError("no account")
    acct = identity.full(_text(account.get("acct"), "account acct"))
    if acct in identity.own:
        return None, "our own post"
    spoiler = status.get("spoiler_text") if isinstance(status.get("spoiler_text"), str) else ""
    text = html_to_text(_text(status.get("content"), "content"))
    if spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler
    if not text:
        raise ValueError("empty content")
    followers = account.get("followers_count")
    language = status.get("language")
    parent = _id(status.get("in_reply_to_id"))
    url = status.get("url") or status.get("uri") or ""
    mention = FetchedMention(
        platform=PLATFORM,
        external_id=status_id,
        brand=brand.key,
        text=text,
        author_handle=acct,
        author_name=str(account.get("display_name") or ""),
        author_followers=followers if isinstance(followers, int) and not isinstance(followers, bool) else 0,
        author_external_id=_id(account.get("id")),
        created_at=_time(status.get("created_at")),
        url=str(url),
        language=language if isinstance(language, str) and language else None,
        # Mastodon names no thread root: the answered post until the source learns the thread's first post.
        conversation_id=parent or status_id,
        parent_id=parent,
        found_via=found_via_for(status, identity, keyword_source=keyword_source),
    )
    return mention, ""


def parse_statuses(
    items: Iterable[tuple[str, Any]], brand: Brand, identity: Identity, *, keyword_source: bool
) -> tuple[list[FetchedMention], list[SkippedItem]]:
    """(where, status) pairs as mentions oldest first; odd items skipped, the rest kept."""
    mentions: list[FetchedMention] = []
    skipped: list[SkippedItem] = []
    for where, status in items:
        try:
            mention, reason = parse_status(status, brand, identity, keyword_source=keyword_source)
        except Exception as exc:  # any odd item is skipped; the rest of the page is kept
            skipped.append(SkippedItem(where=where, reason=str(exc) or type(exc).__name__))
            continue
        if mention is None:
            if reason != "our own post":
                skipped.append(SkippedItem(where=where, reason=reason))
            continue
        mentions.append(mention)
    mentions.sort(key=lambda m: int(m.external_id))
    return mentions, skipped


def _rate_figures(session: MeteredSession) -> tuple[int | None, datetime | None]:
    headers = session.last_headers
    try:
        remaining = int(headers.get("X-RateLimit-Remaining") or "")
    except ValueError:
        return None, None
    return remaining, reset_from(headers)


# --- sources ----------------------------------------------------------------------------------------


class _MastodonSource:
    platform = PLATFORM
    rate_scope = RATE_SCOPE

    def __init__(self, name: str, brand: Brand, client: Mastodon, session: MeteredSession, host: str) -> None:
        self.name = name
        self.brand = brand.key
        self._brand = brand
        self._client = client
        self._session = session
        self._identity = Identity(brand, host)
        self._roots = roots_for(str(getattr(client, "api_base_url", host)))

    def _threaded(self, mentions: list[FetchedMention], *, read_context: bool) -> list[FetchedMention]:
        """Each reply's conversation id set to its thread's first post where the instance's table knows it, or,
        with `read_context` (mentions: the posts the desk answers), from the status's context, a few per page
        and not when the rate window runs low; otherwise it stays the answered post."""
        reads = 0
        out: list[FetchedMention] = []
        for mention in mentions:  # oldest first: a parent earlier on the page is learnt before its replies
            self._roots.learn(mention.external_id, mention.parent_id)
            if mention.parent_id is None:
                out.append(mention)
                continue
            root = self._roots.root_of(mention.external_id)
            if root is None and read_context and reads < CONTEXT_READS_PER_PAGE and self._window_allows():
                reads += 1
                root = self._context_root(mention.external_id)
            out.append(replace(mention, conversation_id=root) if root else mention)
        return out

    def _window_allows(self) -> bool:
        remaining, _ = _rate_figures(self._session)
        return remaining is None or remaining > CONTEXT_RESERVE

    def _context_root(self, status_id: str) -> str | None:
        """The first of the status's ancestors (GET /api/v1/statuses/:id/context), remembered for all of them.
        None when the context cannot be read (the post was deleted, an error): the page is kept regardless."""
        try:
            context = self._client.status_context(status_id)
        except Exception as exc:
            reason = "not found" if isinstance(exc, MastodonNotFoundError) else translate_error(exc, self._session)
            log.info("%s: no thread for status %s: %s", self.name, status_id, reason)
            return None
        ancestors = context.get("ancestors") if isinstance(context, Mapping) else None
        ids = [i for i in (_id(a.get("id")) for a in ancestors or [] if isinstance(a, Mapping)) if i]
        if not ids:
            return None  # its parent is gone or hidden from us
        self._roots.remember([*ids, status_id], ids[0])
        return ids[0]

    def _batch(
        self, mentions: list[FetchedMention], skipped: list[SkippedItem], cursor: str | None, more: bool, start: int
    ) -> Batch:
        for item in skipped:
            log.info("%s: skipped %s: %s", self.name, item.where, item.reason)
        remaining, reset_at = _rate_figures(self._session)
        return Batch(
            mentions=mentions,
            cursor=cursor,
            skipped=skipped,
            more=more,
            requests=self._session.requests_made - start,
            rate_remaining=remaining,
            rate_reset_at=reset_at,
        )


class MastodonMentionsSource(_MastodonSource):
    """Mention notifications of the token's account (GET /api/v2/notifications?types[]=mention), read forward
    from the newest notification id stored: `min_id` pages are the ones right after it, oldest page first, so
    a restart resumes exactly where the last stored page ended. `include_filtered`: since Mastodon 4.3 an
    account's notification policy may hold back mentions (from new accounts, people it doesn't follow);
    the desk wants those too. Instances before 4.3 (no v2 notifications, no filtering) are read on v1."""

    def __init__(self, brand: Brand, client: Mastodon, session: MeteredSession, host: str) -> None:
        super().__init__(f"mastodon:{brand.key}:mentions", brand, client, session, host)
        self._v1 = False

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        items = self._page(cursor)  # "0" (nothing stored yet) reads from the very first
        ids = [nid for nid, _, _ in items]
        mentions, skipped = parse_statuses(
            ((where, status) for _, where, status in items), self._brand, self._identity, keyword_source=False
        )
        mentions = self._threaded(mentions, read_context=True)
        newest = max([int(cursor or 0), *ids])
        next_cursor = str(newest) if newest else "0"
        more = cursor is not None and len(items) >= PAGE
        return self._batch(mentions, skipped, next_cursor, more, start)

    def _page(self, min_id: str | None) -> list[tuple[int, str, Any]]:
        """(notification id, where, status) of one page of mention notifications."""
        if not self._v1:
            try:
                body = _call(
                    self._session,
                    self._client.grouped_notifications,
                    types=["mention"],
                    include_filtered=True,
                    expand_accounts="full",
                    min_id=min_id,
                    limit=PAGE,
                )
                return self._groups(body)
            except MastodonNotFoundError:
                log.info("%s: no grouped notifications (Mastodon before 4.3); reading v1", self.name)
                self._v1 = True
        try:
            page = _call(self._session, self._client.notifications, types=["mention"], min_id=min_id, limit=PAGE)
        except MastodonNotFoundError as exc:
            raise SourceError(f"Mastodon has no notifications endpoint: {_detail(exc)}", platform=PLATFORM) from None
        out: list[tuple[int, str, Any]] = []
        for index, note in enumerate(page or []):
            nid = _id(note.get("id")) if isinstance(note, Mapping) else None
            if nid is None:
                out.append((0, f"notification {index}", None))
                continue
            out.append((int(nid), f"notification {nid}", note.get("status")))
        return out

    @staticmethod
    def _groups(body: Any) -> list[tuple[int, str, Any]]:
        if not isinstance(body, Mapping):
            raise TransientError("Mastodon returned notifications that are not an object", platform=PLATFORM)
        statuses = {str(s.get("id")): s for s in body.get("statuses") or [] if isinstance(s, Mapping)}
        out: list[tuple[int, str, Any]] = []
        for index, group in enumerate(body.get("notification_groups") or []):
            if not isinstance(group, Mapping):
                out.append((0, f"group {index}", None))
                continue
            # Mastodon has sent most_recent_notification_id as a number and page_max_id as a string.
            nid = _id(group.get("page_max_id")) or _id(group.get("most_recent_notification_id"))
            where = f"notification {nid or index}"
            if group.get("type") != "mention":
                continue
            out.append((int(nid or 0), where, statuses.get(str(group.get("status_id")))))
        return out


@dataclass(frozen=True)
class WalkCursor:
    """For newest-first listings: `since` (newest id stored; "0": nothing yet) and, while walking a backlog
    down page by page, the `max_id` reached and the walk's `newest`: "since|max_id|newest"."""

    since: str | None = None
    max_id: str | None = None
    newest: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> WalkCursor:
        if not raw:
            return cls()
        since, _, rest = raw.partition("|")
        max_id, _, newest = rest.partition("|")
        return cls(since or None, max_id or None, newest or None)

    def dump(self) -> str | None:
        if self.max_id:
            return f"{self.since or '0'}|{self.max_id}|{self.newest or ''}"
        return self.since

    @property
    def api_since(self) -> str | None:
        return self.since if self.since and self.since != "0" else None


class _WalkedSource(_MastodonSource):
    """Search results and hashtag timelines: newest first, read down to the newest id stored."""

    def _page(self, since: str | None, max_id: str | None) -> Any:
        raise NotImplementedError

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        state = WalkCursor.parse(cursor)
        page = self._page(state.api_since, state.max_id)
        items = list(page or [])
        ids = [int(i) for i in (_id(s.get("id")) for s in items if isinstance(s, Mapping)) if i]
        if state.api_since:  # a server that ignores the lower bound must not make us store old posts again
            items = [
                s for s in items if not isinstance(s, Mapping) or int(_id(s.get("id")) or 0) > int(state.since or 0)
            ]
        mentions, skipped = parse_statuses(
            ((f"status {_id(s.get('id')) if isinstance(s, Mapping) else i}", s) for i, s in enumerate(items)),
            self._brand,
            self._identity,
            keyword_source=True,
        )
        mentions = self._threaded(mentions, read_context=False)  # insight only: no request for a thread
        newest = str(max([int(state.newest or 0), *ids])) if (ids or state.newest) else None
        if cursor is None:
            # A first read takes the newest page only: history before the desk is not a backlog.
            next_state = WalkCursor(since=newest or "0")
        elif len(items) >= PAGE and ids:
            next_state = WalkCursor(since=state.since or "0", max_id=str(min(ids)), newest=newest)
        else:
            next_state = WalkCursor(since=newest or state.since or "0")
        return self._batch(mentions, skipped, next_state.dump(), next_state.max_id is not None, start)


class MastodonSearchSource(_WalkedSource):
    """Authenticated full-text status search (GET /api/v2/search?type=statuses). Mastodon searches only posts
    whose authors opted in to search (4.2+), and only where the instance runs a search index."""

    def __init__(self, name: str, brand: Brand, query: str, client: Mastodon, session: MeteredSession, host: str):
        super().__init__(name, brand, client, session, host)
        self.query = query

    def _page(self, since: str | None, max_id: str | None) -> Any:
        try:
            body = _call(
                self._session,
                self._client.search_v2,
                self.query,
                resolve=False,
                result_type="statuses",
                min_id=since,
                max_id=max_id,
                limit=PAGE,
            )
        except MastodonNotFoundError as exc:
            raise SourceError(f"Mastodon search is not available: {_detail(exc)}", platform=PLATFORM) from None
        return body.get("statuses") if isinstance(body, Mapping) else None


class MastodonHashtagSource(_WalkedSource):
    """A hashtag's timeline (GET /api/v1/timelines/tag/:hashtag): every public post with the tag that the
    instance knows, opted in to search or not."""

    def __init__(self, name: str, brand: Brand, tag: str, client: Mastodon, session: MeteredSession, host: str):
        super().__init__(name, brand, client, session, host)
        self.tag = tag

    def _page(self, since: str | None, max_id: str | None) -> Any:
        try:
            return _call(
                self._session, self._client.timeline_hashtag, self.tag, since_id=since, max_id=max_id, limit=PAGE
            )
        except MastodonNotFoundError as exc:
            raise SourceError(f"Mastodon has no timeline for #{self.tag}: {_detail(exc)}", platform=PLATFORM) from None


def sources_for(brand: Brand, access: MastodonAccess) -> list[_MastodonSource]:
    """The mentions of the token's account when the brand names a Mastodon account, a hashtag timeline per
    #keyword and a status search per other keyword. Each source has its own client and request count."""
    host = access.host
    sources: list[_MastodonSource] = []
    if brand.handles.get("mastodon"):
        sources.append(MastodonMentionsSource(brand, *make_client(access), host))
    return sources + search_sources_for(brand, access)


def search_sources_for(brand: Brand, access: MastodonAccess) -> list[_MastodonSource]:
    """A hashtag timeline per #keyword and a status search per other keyword."""
    host = access.host
    sources: list[_MastodonSource] = []
    seen: set[str] = set()
    for keyword in (k.strip() for k in brand.keywords):
        if not keyword or keyword.lower() in seen:
            continue
        seen.add(keyword.lower())
        if keyword.startswith("#") and len(keyword) > 1:
            tag = keyword[1:]
            sources.append(
                MastodonHashtagSource(f"mastodon:{brand.key}:tag:{tag.lower()}", brand, tag, *make_client(access), host)
            )
        else:
            query = f'"{keyword}"' if " " in keyword else keyword
            name = f"mastodon:{brand.key}:search:{keyword.lower()}"
            sources.append(MastodonSearchSource(name, brand, query, *make_client(access), host))
    return sources


# --- sender -----------------------------------------------------------------------------------------


def _send_error(exc: Exception, session: MeteredSession) -> SendFailed | RateLimited:
    if isinstance(exc, MastodonNotFoundError):
        return SendFailed("Mastodon: the post was deleted or is not visible to us", retryable=False, target_gone=True)
    error = translate_error(exc, session)
    if isinstance(error, RateLimited):
        return error  # a 429 means Mastodon did not take the reply
    if isinstance(error, TransientError):
        return SendFailed(f"Mastodon reply: {error.message}", maybe_posted=True)
    message = f"Mastodon refused the reply: {error.message}"
    if isinstance(error, AccessDenied) and error.status == 401:
        return SendFailed(message, retryable=True)  # a fixed token later can still send it
    return SendFailed(message, retryable=False)


def reply_text(text: str, author: str) -> str:
    """Mastodon notifies only the accounts a post names: a reply starts with its author's address."""
    handle = "@" + author.lstrip("@")
    return text if handle.lower() in text.lower() else f"{handle} {text}"


class MastodonSender:
    """Replies as the token's account. Every attempt of one draft carries the same Idempotency-Key, so
    Mastodon posts one status however often a lost answer makes us try again (it keeps keys for an hour);
    `find_reply` reads the account's statuses back to the claim for anything older."""

    platform = PLATFORM
    rate_scope = SEND_SCOPE

    def __init__(self, client: Mastodon, session: MeteredSession) -> None:
        self._client = client
        self._session = session
        self._me: str | None = None

    @classmethod
    def from_access(cls, access: MastodonAccess) -> MastodonSender:
        return cls(*make_client(access))

    def send(self, reply: OutgoingReply) -> SentReply:
        try:
            target = self._client.status(reply.in_reply_to)
            visibility = _narrowest(REPLY_VISIBILITY, str(target.get("visibility") or REPLY_VISIBILITY))
            created = self._client.status_post(
                reply_text(reply.text, reply.author_handle),
                in_reply_to_id=reply.in_reply_to,
                visibility=visibility,
                idempotency_key=reply.idempotency_key or f"mentiondesk-draft-{reply.draft_id}",
            )
        except Exception as exc:
            raise _send_error(exc, self._session) from None
        status_id = _id(created.get("id")) if isinstance(created, Mapping) else None
        if status_id is None:
            raise SendFailed("Mastodon accepted the reply but did not say its id", maybe_posted=True)
        return SentReply(external_id=status_id, url=str(created.get("url") or created.get("uri") or ""))

    def find_reply(self, reply: OutgoingReply) -> SentReply | None:
        """Our statuses, newest first, down to the claim, looking for one that answers the mention."""
        since = reply.claimed_at - LOOKBACK_SKEW if reply.claimed_at else None
        me = self._my_id()
        max_id: str | None = None
        for _ in range(MAX_LOOKUP_PAGES):
            page = self._lookup(self._client.account_statuses, me, exclude_reblogs=True, max_id=max_id, limit=PAGE)
            statuses = [s for s in page or [] if isinstance(s, Mapping)]
            for status in statuses:
                if str(status.get("in_reply_to_id")) == reply.in_reply_to and _id(status.get("id")):
                    return SentReply(external_id=str(status["id"]), url=str(status.get("url") or ""))
            ids = [int(i) for i in (_id(s.get("id")) for s in statuses) if i]
            if len(statuses) < PAGE or not ids:
                return None
            oldest = min(statuses, key=lambda s: int(_id(s.get("id")) or 0))
            try:
                if since is not None and _time(oldest.get("created_at")) < since:
                    return None
            except ValueError:
                pass
            max_id = str(min(ids))
        raise SendFailed(
            "Mastodon reply lookup: our statuses are too many to read back to the claim", maybe_posted=True
        )

    def _my_id(self) -> str:
        if self._me is None:
            me = self._lookup(self._client.account_verify_credentials)
            found = _id(me.get("id")) if isinstance(me, Mapping) else None
            if found is None:
                raise SendFailed(
                    "Mastodon reply lookup failed: no account id from verify_credentials", maybe_posted=True
                )
            self._me = found
        return self._me

    def _lookup(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            error = translate_error(exc, self._session)
            if isinstance(error, RateLimited):
                raise error from None
            raise SendFailed(f"Mastodon reply lookup failed: {error.message}", maybe_posted=True) from None


def _narrowest(a: str, b: str) -> str:
    known = [v for v in (a, b) if v in _VISIBILITY]
    return min(known, key=_VISIBILITY.index) if known else REPLY_VISIBILITY


# --- the descriptor ---------------------------------------------------------------------------------


def _post_demo(sim: Any, post: DemoPost) -> None:
    from listener.simulator import mastodon_api

    mastodon_api.post_demo(sim, post)


def _listens_for(brand: Brand) -> bool:
    return bool(brand.handles.get(PLATFORM) or brand.keywords)


def _sources(brand: Brand, access: MastodonAccess) -> list[Source]:
    # Each is a mentions, search or hashtag source; their shared base has no `fetch` of its own.
    return cast(list[Source], sources_for(brand, access))


def _search_sources(brand: Brand, access: MastodonAccess) -> list[Source]:
    return cast(list[Source], search_sources_for(brand, access))


DESCRIPTOR: Platform[MastodonAccess] = Platform(
    name=PLATFORM,
    title="Mastodon",
    access=MastodonAccess,
    # 500 characters is Mastodon's default; unsolicited replies to keyword matches are unwelcome there.
    replies=ReplyRules(
        max_length=500, keyword_replies=False, automated=AutomatedReplies.ADDRESSED, automated_by_default=False
    ),
    listens_for=_listens_for,
    can_read=lambda access: access.configured,
    sources=_sources,
    search_sources=_search_sources,
    read_hint="Mastodon: no MENTIONDESK_MASTODON_BASE_URL and _ACCESS_TOKEN; Mastodon sources skipped",
    sender=MastodonSender.from_access,
    write_hint="Mastodon: no MENTIONDESK_MASTODON_BASE_URL and _ACCESS_TOKEN; replies on Mastodon cannot be sent",
    handle_prefix="@",
    handle_pattern=r"[A-Za-z0-9_]{1,30}(@[A-Za-z0-9.-]+)?",
    color="#6364ff",
    settings_note="Mastodon (Mastodon.py): the instance and the account's token. Without them Mastodon is skipped.",
    simulator_module="listener.simulator.mastodon_api",
    simulator_port=8703,
    simulator_address=lambda sim: str(sim.mastodon_base_url),
    post_demo=_post_demo,
)
