"""Bluesky (through the `atproto` SDK): mentions, replies and quotes from the account's notifications,
keyword search (app.bsky.feed.searchPosts, newest first), and replies as app.bsky.feed.post records.

The session: logging in is limited (30 a 5 minutes, 300 a day per account), so one session per account is
created once, refreshed by the SDK before its access token expires, shared by every source and the sender
of the process, and saved to a file (owner-only) for the next run. The SDK's raw `invoke_query` answers are
parsed here item by item, so one odd notification or post is a SkippedItem, never a failed page."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import regex
from atproto_client import Client, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from pydantic import BaseModel, ConfigDict, SecretStr

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem, Source
from listener.http_session import _brief
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import (
    AccessDenied,
    NotConfigured,
    RateLimited,
    SendFailed,
    SourceError,
    TransientError,
)
from mentiondesk.core.platform import AutomatedReplies, DemoPost, Platform, ReplyRules
from mentiondesk.core.vocabulary import FoundVia

log = logging.getLogger(__name__)

PLATFORM = "bluesky"
PAGE = 100
RATE_SCOPE = "bluesky"  # the PDS counts an account's (and an address's) requests together
SEND_SCOPE = "bluesky:send"  # writes have their own points budget
SEARCH_OVERLAP = timedelta(minutes=5)  # search indexes posts a little after they are made
MAX_SEEN = 500  # posts remembered from the overlap (a bounded seen-set, as praw's streams keep)
REASONS = {"mention": FoundVia.MENTION, "reply": FoundVia.REPLY, "quote": FoundVia.MENTION}
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"


class BlueskyAccess(BaseModel):
    """The PDS, the brand account's handle and app password, and where its session is kept between runs;
    the shell fills it from MENTIONDESK_BLUESKY_*."""

    model_config = ConfigDict(frozen=True)

    base_url: str = "https://bsky.social"
    handle: str | None = None
    app_password: SecretStr | None = None
    session_file: Path = Path("bluesky.session")
    timeout_seconds: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.handle) and self.app_password is not None and bool(self.app_password.get_secret_value())


# --- errors -----------------------------------------------------------------------------------------


def _xrpc_error(exc: RequestErrorBase) -> tuple[str, str]:
    content = exc.response.content if exc.response is not None else None
    error = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return str(error), str(message)


def _reset(exc: RequestErrorBase) -> datetime:
    headers = exc.response.headers if exc.response is not None else {}
    try:
        return datetime.fromtimestamp(int(str(headers.get("ratelimit-reset"))), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC) + timedelta(minutes=5)


def translate_error(exc: Exception, *, login: bool = False) -> SourceError:
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, RateLimitExceededError):
        what = "logins are" if login else "requests are"
        return RateLimited(_reset(exc), platform=PLATFORM, message=f"rate limited ({what} limited)")
    if isinstance(exc, InvokeTimeoutError):
        return TransientError("Bluesky did not answer in time", platform=PLATFORM)
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        status = exc.response.status_code
        error, message = _xrpc_error(exc)
        detail = ": ".join(p for p in (error, message) if p) or str(status)
        if login and status in (400, 401):
            return AccessDenied(
                f"Bluesky refused the login ({detail}); check MENTIONDESK_BLUESKY_HANDLE and _APP_PASSWORD",
                platform=PLATFORM,
                status=status,
            )
        if isinstance(exc, UnauthorizedError):
            return AccessDenied(f"Bluesky refused this call ({status} {detail})", platform=PLATFORM, status=status)
        if status >= 500 or status in (409, 413):
            return TransientError(f"Bluesky server error {status}: {detail}", platform=PLATFORM)
        return SourceError(f"Bluesky answered {status}: {detail}", platform=PLATFORM)
    if isinstance(exc, httpx.TransportError):  # the SDK wraps timeouts and network errors, not the rest
        return TransientError(f"Bluesky did not answer: {_brief(exc)}", platform=PLATFORM)
    if isinstance(exc, NetworkError):
        return TransientError(f"cannot reach Bluesky: {_brief(exc.__cause__ or exc)}", platform=PLATFORM)
    if isinstance(exc, AtProtocolError):
        return TransientError(f"Bluesky returned something unreadable: {_brief(exc)}", platform=PLATFORM)
    return SourceError(f"unexpected Bluesky failure: {type(exc).__name__}: {exc}", platform=PLATFORM)


def _token_problem(exc: Exception) -> bool:
    return isinstance(exc, BadRequestError | UnauthorizedError) and _xrpc_error(exc)[0] in _TOKEN_ERRORS


# --- the session ------------------------------------------------------------------------------------


class BlueskySession:
    """One logged-in atproto client for an account, shared in the process; its session saved to a file."""

    def __init__(self, access: BlueskyAccess, *, transport: httpx.BaseTransport | None = None) -> None:
        if not access.configured:
            raise NotConfigured("no Bluesky credentials (MENTIONDESK_BLUESKY_HANDLE, _APP_PASSWORD)", platform=PLATFORM)
        self.access = access
        self._lock = threading.RLock()
        self._local = threading.local()
        extra: dict[str, Any] = {"transport": transport} if transport is not None else {}
        request = Request(timeout=access.timeout_seconds, event_hooks={"response": [self._answered]}, **extra)
        self.client = Client(base_url=access.base_url, request=request)
        self.client.on_session_change(self._changed)
        self.did = ""
        self.logins = 0

    # requests are counted per thread: each source's fetch runs in one thread
    def _answered(self, response: httpx.Response) -> None:
        self._local.count = getattr(self._local, "count", 0) + 1
        self._local.headers = response.headers

    @property
    def requests_made(self) -> int:
        return int(getattr(self._local, "count", 0))

    @property
    def last_headers(self) -> Mapping[str, str]:
        return getattr(self._local, "headers", {}) or {}

    def _changed(self, event: SessionEvent, session: Session) -> None:
        self.did = session.did
        self._save(session.encode())

    def _save(self, text: str) -> None:
        path = self.access.session_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(path.name + ".tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps({"handle": (self.access.handle or "").lower(), "session": text}))
            os.replace(temp, path)
        except OSError as exc:  # the session still works in memory; the next run logs in again
            log.warning("bluesky: cannot keep the session in %s: %s", path, exc.strerror or exc)

    def _saved(self) -> str | None:
        try:
            data = json.loads(self.access.session_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("handle") != (self.access.handle or "").lower():
            return None  # another account's session
        session = data.get("session")
        return session if isinstance(session, str) and session else None

    def _start(self, *, fresh: bool = False) -> None:
        """The saved session if there is one (and not `fresh`), else a login with the app password."""
        saved = None if fresh else self._saved()
        if saved:
            try:
                self.client.login(session_string=saved, fetch_bsky_profile=False)
                self.did = Session.decode(saved).did
                return
            except Exception:  # an unreadable saved session: log in instead
                log.info("bluesky: the saved session cannot be used; logging in")
        assert self.access.handle and self.access.app_password
        try:
            self.logins += 1
            self.client.login(self.access.handle, self.access.app_password.get_secret_value(), fetch_bsky_profile=False)
        except Exception as exc:
            raise translate_error(exc, login=True) from None

    def call(self, fn: Callable[[Client], Any]) -> Any:
        """`fn(client)` with a live session: started on first use; when the server no longer takes our tokens
        (expired or revoked refresh token, another process rotated it), once more with a newer saved session
        or a new login. Every failure is a SourceError."""
        with self._lock:
            if not self.did:
                self._start()
        try:
            return fn(self.client)
        except Exception as exc:
            if not _token_problem(exc):
                raise translate_error(exc) from None
        with self._lock:
            self._recover()
        try:
            return fn(self.client)
        except Exception as exc:
            raise translate_error(exc) from None

    def _recover(self) -> None:
        """The server refused our access token: a newer session another process saved, else a refresh with
        our refresh token (the SDK's own; it rotates the token), and only then a new login."""
        saved = self._saved()
        current = self.client.export_session_string() if self.did else None
        if saved and saved != current:
            self._start()
            return
        try:
            self.client._refresh_and_set_session()  # no public call for it; logins are the scarce thing
        except Exception:
            log.info("bluesky: the session cannot be refreshed; logging in")
            self._start(fresh=True)


_SESSIONS: dict[tuple[str, str, str], BlueskySession] = {}
_SESSIONS_LOCK = threading.Lock()


def session_for(access: BlueskyAccess) -> BlueskySession:
    """The process's one session for this account."""
    key = (access.base_url.rstrip("/"), (access.handle or "").lower(), str(access.session_file))
    with _SESSIONS_LOCK:
        if key not in _SESSIONS:
            _SESSIONS[key] = BlueskySession(access)
        return _SESSIONS[key]


# --- parsing ----------------------------------------------------------------------------------------


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"no {key}")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("no createdAt")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _reply_refs(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(root uri, parent uri) of a reply record."""
    reply = record.get("reply")
    if not isinstance(reply, Mapping):
        return None, None
    root, parent = reply.get("root"), reply.get("parent")
    root_uri = root.get("uri") if isinstance(root, Mapping) else None
    parent_uri = parent.get("uri") if isinstance(parent, Mapping) else None
    return (root_uri if isinstance(root_uri, str) else None), (parent_uri if isinstance(parent_uri, str) else None)


def _mentions_did(record: Mapping[str, Any], did: str) -> bool:
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or [] if isinstance(facet, Mapping) else []:
            if isinstance(feature, Mapping) and feature.get("did") == did and "mention" in str(feature.get("$type")):
                return True
    return False


def found_via_for(record: Mapping[str, Any], our_did: str) -> FoundVia:
    _, parent = _reply_refs(record)
    if our_did and parent and parent.startswith(f"at://{our_did}/"):
        return FoundVia.REPLY
    if our_did and _mentions_did(record, our_did):
        return FoundVia.MENTION
    return FoundVia.KEYWORD


def parse_post(
    uri: Any, author: Any, record: Any, brand: Brand, found_via: FoundVia
) -> tuple[FetchedMention | None, str]:
    """A post (its at:// uri, author view and app.bsky.feed.post record) as a mention."""
    if not isinstance(uri, str) or not uri.startswith("at://") or "/app.bsky.feed.post/" not in uri:
        raise ValueError("no post uri")
    if not isinstance(author, Mapping) or not isinstance(record, Mapping):
        raise ValueError("no author or record")
    handle = _str(author, "handle")
    if handle.lower() in brand.own_handles(PLATFORM):
        return None, "our own post"
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError("no text")
    langs = record.get("langs")
    root, parent = _reply_refs(record)
    name = author.get("displayName")
    return (
        FetchedMention(
            platform=PLATFORM,
            external_id=uri,
            brand=brand.key,
            text=text,
            author_handle=handle,
            author_name=name if isinstance(name, str) else "",
            author_external_id=_str(author, "did"),
            created_at=_time(record.get("createdAt")),
            url=post_url(handle, uri),
            language=langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
            conversation_id=root or uri,
            parent_id=parent,
            found_via=found_via,
        ),
        "",
    )


# --- cursors and sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedCursor:
    """`since`: the newest time stored (notifications: indexedAt; search: indexedAt); while walking a backlog
    down, the API's `page` cursor and the walk's `newest`; `seen`: the posts already handed out that the next
    read can return again (at `since` itself, or inside search's overlap), uri -> time. Kept as JSON: API
    cursors are opaque."""

    since: str | None = None
    page: str | None = None
    newest: str | None = None
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> FeedCursor:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        since, page, newest = (
            data.get(k) if isinstance(data.get(k), str) else None for k in ("since", "page", "newest")
        )
        raw_seen = data.get("seen")
        seen = {k: v for k, v in raw_seen.items() if isinstance(v, str)} if isinstance(raw_seen, dict) else {}
        return cls(since, page, newest, seen)

    def dump(self) -> str:
        fields = {"since": self.since, "page": self.page, "newest": self.newest, "seen": self.seen}
        return json.dumps({k: v for k, v in fields.items() if v})


def _later(a: str | None, b: str | None) -> str | None:
    known = [v for v in (a, b) if v]
    return max(known, key=_time) if known else None


class _BlueskySource:
    platform = PLATFORM
    rate_scope = RATE_SCOPE
    # Notifications are read down to the newest time stored; search is bounded by `since` on the server and
    # walked to its end, so the overlap's late-indexed posts are read.
    stops_at_since = True
    overlap = timedelta(0)  # how far before `since` the next read looks again

    def __init__(self, name: str, brand: Brand, session: BlueskySession) -> None:
        self.name = name
        self.brand = brand.key
        self._brand = brand
        self._session = session

    def _page(self, state: FeedCursor) -> Mapping[str, Any]:
        raise NotImplementedError

    def _items(self, body: Mapping[str, Any]) -> list[tuple[str, Any, Any, Any, FoundVia | None, Any]]:
        """(where, uri, author, record, found_via or None to skip, sort time) of each item."""
        raise NotImplementedError

    def fetch(self, cursor: str | None) -> Batch:
        start = self._session.requests_made
        state = FeedCursor.parse(cursor)
        body = self._page(state)
        mentions: list[FetchedMention] = []
        skipped: list[SkippedItem] = []
        newest = state.newest
        reached = cursor is None  # a first read takes the newest page only
        seen = dict(state.seen)
        for where, uri, author, record, via, stamp in self._items(body):
            stamp = stamp if isinstance(stamp, str) else None
            try:
                if stamp is not None:
                    if self.stops_at_since and state.since and _time(stamp) < _time(state.since):
                        reached = True  # older than what is stored: the walk is done
                        continue
                    newest = _later(newest, stamp)
                    if isinstance(uri, str):
                        if uri in seen:
                            continue  # handed out by an earlier read
                        seen[uri] = stamp
                if via is None:
                    continue
                mention, reason = parse_post(uri, author, record, self._brand, via)
            except Exception as exc:  # any odd item is skipped; the rest of the page is kept
                skipped.append(SkippedItem(where=where, reason=str(exc) or type(exc).__name__))
                continue
            if mention is not None:
                mentions.append(mention)
        for item in skipped:
            log.info("%s: skipped %s: %s", self.name, item.where, item.reason)
        page = body.get("cursor") if isinstance(body.get("cursor"), str) else None
        if reached or not page:
            since = newest or state.since or _now_iso()
            next_state = FeedCursor(since=since, seen=self._kept(seen, since))
        else:
            next_state = FeedCursor(state.since, page, newest, self._kept(seen, state.since))
        mentions.sort(key=lambda m: m.created_at)
        headers = self._session.last_headers
        try:
            remaining: int | None = int(headers.get("ratelimit-remaining") or "")
            reset_at: datetime | None = datetime.fromtimestamp(int(headers.get("ratelimit-reset") or ""), tz=UTC)
        except (ValueError, OverflowError, OSError):
            remaining, reset_at = None, None
        return Batch(
            mentions=mentions,
            cursor=next_state.dump(),
            skipped=skipped,
            more=next_state.page is not None,
            requests=self._session.requests_made - start,
            rate_remaining=remaining,
            rate_reset_at=reset_at,
        )

    def _kept(self, seen: dict[str, str], since: str | None) -> dict[str, str]:
        """The handed-out posts the next read can still return: at or after since - overlap, newest 500."""
        if not since:
            return {}
        floor = _time(since) - self.overlap
        recent = sorted(((t, u) for u, t in seen.items() if _time(t) >= floor), reverse=True)[:MAX_SEEN]
        return {u: t for t, u in recent}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BlueskyNotificationsSource(_BlueskySource):
    """Mentions, replies and quotes of the account (app.bsky.notification.listNotifications), newest first,
    read down to the newest indexedAt stored; items at that same instant are read again (stored once)."""

    def __init__(self, brand: Brand, session: BlueskySession) -> None:
        super().__init__(f"bluesky:{brand.key}:notifications", brand, session)

    def _page(self, state: FeedCursor) -> Mapping[str, Any]:
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE, cursor=state.page, reasons=sorted(REASONS)
        )
        response = self._session.call(
            lambda c: c.invoke_query("app.bsky.notification.listNotifications", params=params)
        )
        return _body(response)

    def _items(self, body: Mapping[str, Any]) -> list[tuple[str, Any, Any, Any, FoundVia | None, Any]]:
        out: list[tuple[str, Any, Any, Any, FoundVia | None, Any]] = []
        for index, note in enumerate(body.get("notifications") or []):
            if not isinstance(note, Mapping):
                out.append((f"notification {index}", None, None, None, FoundVia.MENTION, None))
                continue
            via = REASONS.get(str(note.get("reason")))
            where = str(note.get("uri") or f"notification {index}")
            out.append((where, note.get("uri"), note.get("author"), note.get("record"), via, note.get("indexedAt")))
        return out


class BlueskySearchSource(_BlueskySource):
    """Posts matching a keyword (app.bsky.feed.searchPosts, sort=latest), since the newest stored minus a
    few minutes (search indexes posts late), walked with the API cursor."""

    stops_at_since = False
    overlap = SEARCH_OVERLAP

    def __init__(self, name: str, brand: Brand, query: str, session: BlueskySession) -> None:
        super().__init__(name, brand, session)
        self.query = query

    def _page(self, state: FeedCursor) -> Mapping[str, Any]:
        since = None
        if state.since:
            since = (_time(state.since) - SEARCH_OVERLAP).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        params = models.AppBskyFeedSearchPosts.Params(
            q=self.query, sort="latest", limit=PAGE, cursor=state.page, since=since
        )
        response = self._session.call(lambda c: c.invoke_query("app.bsky.feed.searchPosts", params=params))
        return _body(response)

    def _items(self, body: Mapping[str, Any]) -> list[tuple[str, Any, Any, Any, FoundVia | None, Any]]:
        out: list[tuple[str, Any, Any, Any, FoundVia | None, Any]] = []
        for index, post in enumerate(body.get("posts") or []):
            if not isinstance(post, Mapping):
                out.append((f"post {index}", None, None, None, FoundVia.KEYWORD, None))
                continue
            record = post.get("record")
            via = found_via_for(record, self._session.did) if isinstance(record, Mapping) else FoundVia.KEYWORD
            where = str(post.get("uri") or f"post {index}")
            out.append((where, post.get("uri"), post.get("author"), record, via, post.get("indexedAt")))
        return out


def _body(response: Any) -> Mapping[str, Any]:
    content = getattr(response, "content", None)
    if not isinstance(content, Mapping):
        raise TransientError("Bluesky returned a page that is not a JSON object", platform=PLATFORM)
    return content


def sources_for(brand: Brand, access: BlueskyAccess) -> list[_BlueskySource]:
    session = session_for(access)
    sources: list[_BlueskySource] = []
    if (access.handle or "").lower() in brand.own_handles(PLATFORM):
        sources.append(BlueskyNotificationsSource(brand, session))
    return sources + search_sources_for(brand, access)


def search_sources_for(brand: Brand, access: BlueskyAccess) -> list[_BlueskySource]:
    """A post search per keyword, on the process's one session for the account."""
    session = session_for(access)
    sources: list[_BlueskySource] = []
    seen: set[str] = set()
    for keyword in (k.strip() for k in brand.keywords):
        if keyword and keyword.lower() not in seen:
            seen.add(keyword.lower())
            query = f'"{keyword}"' if " " in keyword else keyword
            sources.append(BlueskySearchSource(f"bluesky:{brand.key}:search:{keyword.lower()}", brand, query, session))
    return sources


# --- sender -----------------------------------------------------------------------------------------


def tid_for(moment: datetime, key: str) -> str:
    """A record key in TID form (microseconds since 1970 and a 10-bit clock id, base32-sortable) made from
    the claim time and the idempotency key: every attempt of one reply writes the same record key, so the
    PDS cannot take it twice."""
    micros = int(moment.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    return "".join(_TID_CHARS[(value >> (5 * i)) & 31] for i in reversed(range(13)))


class BlueskySender:
    """Replies as the account: app.bsky.feed.post records with the root and parent refs of the thread."""

    platform = PLATFORM
    rate_scope = SEND_SCOPE

    def __init__(self, session: BlueskySession) -> None:
        self._session = session

    @classmethod
    def from_access(cls, access: BlueskyAccess) -> BlueskySender:
        return cls(session_for(access))

    def _rkey(self, reply: OutgoingReply) -> str:
        return tid_for(reply.claimed_at or datetime.now(UTC), reply.idempotency_key or f"draft-{reply.draft_id}")

    def send(self, reply: OutgoingReply) -> SentReply:
        target = self._post(reply.in_reply_to)
        if target is None:
            raise SendFailed("Bluesky: the post was deleted or is not visible", retryable=False, target_gone=True)
        parent = models.ComAtprotoRepoStrongRef.Main(uri=str(target["uri"]), cid=str(target["cid"]))
        record_reply = target.get("record", {}).get("reply") if isinstance(target.get("record"), Mapping) else None
        root_ref = record_reply.get("root") if isinstance(record_reply, Mapping) else None
        root = (
            models.ComAtprotoRepoStrongRef.Main(uri=str(root_ref["uri"]), cid=str(root_ref["cid"]))
            if isinstance(root_ref, Mapping) and root_ref.get("uri") and root_ref.get("cid")
            else parent
        )
        record = models.AppBskyFeedPost.Record(
            text=reply.text,
            created_at=_now_iso(),
            reply=models.AppBskyFeedPost.ReplyRef(root=root, parent=parent),
        )
        rkey = self._rkey(reply)
        data = models.ComAtprotoRepoCreateRecord.Data(
            repo=self._session.did or str(self._session.access.handle),
            collection="app.bsky.feed.post",
            record=record,
            rkey=rkey,
        )
        try:
            response = self._session.call(lambda c: c.invoke_procedure("com.atproto.repo.createRecord", data=data))
        except RateLimited:
            raise
        except TransientError as exc:
            raise SendFailed(f"Bluesky reply: {exc.message}", maybe_posted=True) from None
        except SourceError as exc:
            if "already exists" in exc.message.lower():  # an earlier attempt wrote it
                found = self.find_reply(reply)
                if found is not None:
                    return found
            retry = isinstance(exc, AccessDenied) and exc.status == 401
            raise SendFailed(f"Bluesky refused the reply: {exc.message}", retryable=retry) from None
        body = _body(response)
        uri = body.get("uri")
        if not isinstance(uri, str):
            raise SendFailed("Bluesky accepted the reply but did not say its uri", maybe_posted=True)
        return SentReply(external_id=uri, url=post_url(str(self._session.access.handle), uri))

    def find_reply(self, reply: OutgoingReply) -> SentReply | None:
        """Every attempt writes the same record key: the reply is there or it is not."""
        rkey = self._rkey(reply)
        params = models.ComAtprotoRepoGetRecord.Params(
            repo=self._session.did or str(self._session.access.handle), collection="app.bsky.feed.post", rkey=rkey
        )
        try:
            response = self._session.call(lambda c: c.invoke_query("com.atproto.repo.getRecord", params=params))
        except RateLimited:
            raise
        except SourceError as exc:
            if "RecordNotFound" in exc.message or "could not locate record" in exc.message.lower():
                return None
            raise SendFailed(f"Bluesky reply lookup failed: {exc.message}", maybe_posted=True) from None
        uri = _body(response).get("uri")
        if not isinstance(uri, str):
            raise SendFailed("Bluesky reply lookup: no uri in the record", maybe_posted=True)
        return SentReply(external_id=uri, url=post_url(str(self._session.access.handle), uri))

    def _post(self, uri: str) -> Mapping[str, Any] | None:
        params = models.AppBskyFeedGetPosts.Params(uris=[uri])
        try:
            response = self._session.call(lambda c: c.invoke_query("app.bsky.feed.getPosts", params=params))
        except RateLimited:
            raise
        except TransientError as exc:
            raise SendFailed(f"Bluesky: cannot read the post to answer: {exc.message}") from None
        except SourceError as exc:
            raise SendFailed(f"Bluesky: cannot read the post to answer: {exc.message}", retryable=False) from None
        posts = _body(response).get("posts")
        found = [p for p in posts if isinstance(p, Mapping) and p.get("uri") == uri] if isinstance(posts, list) else []
        return found[0] if found and found[0].get("cid") else None


# --- the descriptor ---------------------------------------------------------------------------------


def _post_demo(sim: Any, post: DemoPost) -> None:
    from listener.simulator import bluesky_api

    bluesky_api.post_demo(sim, post)


def _listens_for(brand: Brand) -> bool:
    return bool(brand.handles.get(PLATFORM) or brand.keywords)


def _sources(brand: Brand, access: BlueskyAccess) -> list[Source]:
    # Each is a notifications or search source; their shared base has no `fetch` of its own.
    return cast(list[Source], sources_for(brand, access))


def _search_sources(brand: Brand, access: BlueskyAccess) -> list[Source]:
    return cast(list[Source], search_sources_for(brand, access))


_GRAPHEME = regex.compile(r"\X")
MAX_POST_BYTES = 3000  # the post lexicon's maxLength beside its maxGraphemes (300)
POST_GRAPHEMES = 300


def post_length(text: str) -> int:
    """A post's length as Bluesky limits it: its grapheme clusters (what a reader sees as one character: an
    emoji ZWJ sequence, a flag, a letter with combining marks). Past the 3,000-byte limit, which 300 long
    clusters (family emoji, say) reach first, a tenth of its UTF-8 bytes: over 300 either way."""
    graphemes = sum(1 for _ in _GRAPHEME.finditer(text))
    size = len(text.encode("utf-8", "surrogatepass"))
    return graphemes if size <= MAX_POST_BYTES else max(graphemes, -(-size * POST_GRAPHEMES // MAX_POST_BYTES))


DESCRIPTOR: Platform[BlueskyAccess] = Platform(
    reports_followers=False,
    name=PLATFORM,
    title="Bluesky",
    access=BlueskyAccess,
    # A post holds 300 graphemes; answering strangers who only used a keyword is unwelcome there.
    replies=ReplyRules(
        max_length=POST_GRAPHEMES,
        length=post_length,
        keyword_replies=False,
        automated=AutomatedReplies.ADDRESSED,
        automated_by_default=False,
    ),
    listens_for=_listens_for,
    can_read=lambda access: access.configured,
    sources=_sources,
    search_sources=_search_sources,
    read_hint="Bluesky: no MENTIONDESK_BLUESKY_HANDLE and _APP_PASSWORD; Bluesky sources skipped",
    sender=BlueskySender.from_access,
    write_hint="Bluesky: no MENTIONDESK_BLUESKY_HANDLE and _APP_PASSWORD; replies on Bluesky cannot be sent",
    handle_prefix="@",
    handle_pattern=r"[A-Za-z0-9.-]{3,253}",
    mention_url=lambda handle, post_id: f"https://bsky.app/profile/{handle}/post/{post_id.rsplit('/', 1)[-1]}",
    color="#1185fe",
    settings_note="Bluesky (atproto): the PDS, the account's handle and app password. Without them Bluesky is skipped.",
    simulator_module="listener.simulator.bluesky_api",
    simulator_port=8704,
    simulator_address=lambda sim: str(sim.bluesky_base_url),
    post_demo=_post_demo,
)
