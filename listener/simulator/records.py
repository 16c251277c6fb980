"""What the simulator saw and did, for fault campaigns (benchmarks/faults.py): the post ids it served in
timelines and listings, every rate-limit window it announced with a 429, the reply requests it was sent, the
opt-outs it posted for authors, the posts it deleted and when each client (X token, Reddit user agent) first
called. Read through /_sim/served, /_sim/ratelimits, /_sim/attempts, /_sim/optouts, /_sim/deleted and
/_sim/clients; GET /_sim/faults lists the faults not yet used; POST /_sim/optout and /_sim/delete make opt-outs
and deletions happen."""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

from listener.simulator.state import SimState


@dataclass(frozen=True)
class RateLimitWindow:
    """A 429 as the client heard it: from `at` until `until` (epoch seconds) it was told to hold off."""

    platform: str
    method: str
    path: str
    at: float
    until: float
    client: str = ""


@dataclass(frozen=True)
class Happening:
    """An opt-out posted by an author, or a post deleted by its author (epoch seconds)."""

    platform: str
    id: str
    at: float
    author: str = ""


class Headers(Protocol):
    def get(self, name: str, /) -> str | None: ...


@dataclass(frozen=True)
class Request:
    headers: Headers
    body: bytes


@dataclass(frozen=True)
class ReplyAttempt:
    """A request to reply to `in_reply_to` and the status it was answered with (epoch seconds). `client`: the
    X access token or the Reddit user agent it came with, so a campaign can tell its processes apart."""

    platform: str
    in_reply_to: str
    at: float
    status: int
    client: str = ""


@dataclass
class Records:
    served: dict[str, set[str]] = field(default_factory=lambda: {"x": set(), "reddit": set()})
    windows: list[RateLimitWindow] = field(default_factory=list)
    attempts: list[ReplyAttempt] = field(default_factory=list)
    opt_outs: list[Happening] = field(default_factory=list)
    deletions: list[Happening] = field(default_factory=list)
    clients: dict[str, float] = field(default_factory=dict)  # client -> when its first request was answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(
        self,
        platform: str,
        method: str,
        path: str,
        status: int,
        payload: Any,
        headers: Mapping[str, str],
        request: Request | None = None,
    ) -> None:
        """One answer the simulator has just written to a client, with the request it answered."""
        client = ""
        if request is not None and not path.startswith("/_sim/"):
            client, target = _client(platform, request.headers), _reply_target(platform, method, path, request.body)
            now = time.time()
            with self.lock:
                self.clients.setdefault(client, now)
                if target:
                    self.attempts.append(ReplyAttempt(platform, target, now, status, client))
        if status == 429:
            window = _window(platform, method, path, headers, client)
            if window is not None:
                with self.lock:
                    self.windows.append(window)
        elif status == 200 and method == "GET":
            ids = _listed_ids(payload)
            if ids:
                with self.lock:
                    self.served.setdefault(platform, set()).update(ids)


_RECORDS: weakref.WeakKeyDictionary[SimState, Records] = weakref.WeakKeyDictionary()
_RECORDS_LOCK = threading.Lock()


def records_for(state: SimState) -> Records:
    with _RECORDS_LOCK:
        if state not in _RECORDS:
            _RECORDS[state] = Records()
        return _RECORDS[state]


def _window(platform: str, method: str, path: str, headers: Mapping[str, str], client: str) -> RateLimitWindow | None:
    now = time.time()
    try:
        # X announces the reset as an epoch second, Reddit as seconds from now.
        until = float(headers["x-rate-limit-reset"]) if platform == "x" else now + float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    return RateLimitWindow(platform=platform, method=method, path=path, at=now, until=until, client=client)


def _reply_target(platform: str, method: str, path: str, body: bytes) -> str:
    """The post a reply request answers (X: POST /2/tweets JSON; Reddit: POST /api/comment form), else ""."""
    if method != "POST":
        return ""
    try:
        if platform == "x" and path == "/2/tweets":
            reply = json.loads(body or b"{}").get("reply") or {}
            return str(reply.get("in_reply_to_tweet_id") or "")
        if platform == "reddit" and path.rstrip("/") == "/api/comment":
            return parse_qs(body.decode("utf-8", "replace")).get("thing_id", [""])[-1]
    except (ValueError, AttributeError):
        return ""
    return ""


def _client(platform: str, headers: Headers) -> str:
    """X: the user access token (OAuth 1.0a) or the app's bearer token; Reddit: the user agent."""
    if platform == "x":
        auth = headers.get("Authorization") or ""
        match = re.search(r'oauth_token="([^"]*)"', auth)
        return unquote(match.group(1)) if match else auth.removeprefix("Bearer ")
    return headers.get("User-Agent") or ""


def _listed_ids(payload: Any) -> list[str]:
    """Post ids of an X timeline page ({"data": [...]}) or a Reddit Listing ({"data": {"children": [...]}})."""
    if not isinstance(payload, dict):
        return []
    data = payload.get("data")
    if isinstance(data, list):
        return [str(item["id"]) for item in data if isinstance(item, dict) and "id" in item]
    if isinstance(data, dict) and isinstance(data.get("children"), list):
        names = [child.get("data", {}).get("name") for child in data["children"] if isinstance(child, dict)]
        return [str(name) for name in names if name]
    return []


# --- control endpoints ------------------------------------------------------------------------------


def handle_control(
    state: SimState, method: str, route: str, query: Mapping[str, str], body: Any
) -> tuple[int, Any] | None:
    """The answer to a /_sim/ request this module serves, or None when the route is not one of its own.
    GET /_sim/clients?contains=TEXT: only the clients whose name contains TEXT."""
    records = records_for(state)
    body = body if isinstance(body, dict) else {}
    if method == "GET":
        with records.lock:
            if route == "/_sim/served":
                return 200, {platform: sorted(ids) for platform, ids in records.served.items()}
            if route == "/_sim/attempts":
                return 200, {"attempts": [asdict(a) for a in records.attempts]}
            if route == "/_sim/faults":
                with state.lock:
                    return 200, {"faults": [asdict(f) for f in state.faults if f.times > 0]}
            if route == "/_sim/clients":
                part = query.get("contains", "")
                return 200, {"clients": {c: at for c, at in records.clients.items() if part in c}}
            if route == "/_sim/ratelimits":
                return 200, {"windows": [asdict(w) for w in records.windows]}
            if route == "/_sim/optouts":
                return 200, {"optouts": [asdict(h) for h in records.opt_outs]}
            if route == "/_sim/deleted":
                return 200, {"deleted": [asdict(h) for h in records.deletions]}
        return None
    if method != "POST":
        return None
    if route == "/_sim/optout":
        return _opt_out(state, records, body)
    if route == "/_sim/delete":
        return _delete(state, records, body)
    if route == "/_sim/faults/clear":
        with state.lock:
            cleared = len(state.faults)
            state.faults.clear()
        return 200, {"cleared": cleared}
    if route == "/_sim/limits":
        try:
            x = int(body["x"]) if "x" in body else None
            reddit = int(body["reddit"]) if "reddit" in body else None
        except (TypeError, ValueError):
            return 400, {"error": "x and reddit must be whole numbers of requests per window"}
        state.set_rate_limits(x=x, reddit=reddit)
        return 200, {"x": state.x_rate_limit, "reddit": state.reddit_window.limit}
    return None


def _opt_out(state: SimState, records: Records, body: dict[str, Any]) -> tuple[int, Any]:
    """{"platform", "author", "in_reply_to"?, "text"?}: the author tells the brand to stop, in their thread."""
    platform, author = str(body.get("platform", "")), str(body.get("author", "")).lstrip("@")
    if platform not in ("x", "reddit") or not author:
        return 400, {"error": "platform (x or reddit) and author are needed"}
    text = str(body.get("text") or "stop replying to me")
    post_id = state.post_to_brand(platform, author=author, text=text, in_reply_to=str(body.get("in_reply_to", "")))
    happening = Happening(platform=platform, id=post_id, at=time.time(), author=author)
    with records.lock:
        records.opt_outs.append(happening)
    return 200, asdict(happening)


def _delete(state: SimState, records: Records, body: dict[str, Any]) -> tuple[int, Any]:
    """{"platform", "id"}: the author deletes the post (X: it is gone; Reddit: "[deleted]", the thread stays)."""
    platform, post_id = str(body.get("platform", "")), str(body.get("id", ""))
    if platform == "x":
        found = state.delete_x_post(post_id)
    elif platform == "reddit":
        with state.lock:
            found = post_id in state.things
        if found:
            state.delete_reddit(post_id)
    else:
        return 400, {"error": "platform must be x or reddit"}
    if not found:
        return 404, {"error": f"no post {post_id!r} on {platform}"}
    happening = Happening(platform=platform, id=post_id, at=time.time())
    with records.lock:
        records.deletions.append(happening)
    return 200, asdict(happening)
