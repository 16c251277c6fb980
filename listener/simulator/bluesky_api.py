"""The subset of a Bluesky PDS (with its AppView behind it) that Mention Desk uses, over XRPC: createSession
(30 logins per 5 minutes) and refreshSession (the refresh token rotates: an old one is refused), the
notifications list (reasons, cursor, newest first), searchPosts (sort=latest, since, cursor), getPosts,
createRecord (a record key taken twice is refused) and getRecord. Tokens are JWTs with an expiry; every
answer carries ratelimit-limit/-remaining/-reset (epoch seconds) and -policy; errors are
`{"error", "message"}` with the PDS's status codes."""

from __future__ import annotations

import base64
import json
import secrets
import time
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import regex

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.network import DemoShare, SimNetwork, WorldOptions
from listener.simulator.query import Post, compile_query
from listener.simulator.state import RateWindow, Reply, SimState

_GRAPHEME = regex.compile(r"\X")

PLATFORM = "bluesky"
ACCESS_SECONDS = 2 * 3600
_TID = "234567abcdefghijklmnopqrstuvwxyz"


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(moment * 1000) % 1000:03d}Z"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(did: str, scope: str, seconds: int) -> str:
    now = int(time.time())
    header = _b64({"typ": "at+jwt" if scope == "com.atproto.access" else "refresh+jwt", "alg": "HS256"})
    payload = {"scope": scope, "sub": did, "iat": now, "exp": now + seconds, "aud": "did:web:sim.invalid"}
    if scope == "com.atproto.refresh":
        payload["jti"] = secrets.token_urlsafe(16)
    return f"{header}.{_b64(payload)}.{secrets.token_urlsafe(32)}"


def _tid(moment: float, clock: int) -> str:
    value = (int(moment * 1_000_000) << 10) | (clock & 0x3FF)
    return "".join(_TID[(value >> (5 * i)) & 31] for i in reversed(range(13)))


@dataclass
class BlueskyWorld:
    handle: str
    password: str = "sim-app-password"
    keywords: list[str] = field(default_factory=list)
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)  # did -> profile view
    posts: list[dict[str, Any]] = field(default_factory=list)  # post views, by indexedAt ascending
    indexed_at: list[str] = field(default_factory=list)  # the posts' indexedAt, for a search's `since`
    indexed_in_order: bool = True  # False once the clock stepped back: then a search reads every post
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    logins: int = 0
    login_window: RateWindow = field(default_factory=lambda: RateWindow(limit=30, seconds=300))
    window: RateWindow = field(default_factory=lambda: RateWindow(limit=3000, seconds=300))
    me: str = ""
    brand_post: str = ""
    _clock: int = 0


def make_world(state: SimState, options: WorldOptions) -> BlueskyWorld:
    """The PDS for one simulator, with the brand's account (its first handle) and a first post."""
    world = BlueskyWorld(handle=next(iter(options.handles), "acme.bsky.social").lstrip("@"), keywords=state.keywords)
    world.me = actor(world, world.handle, name="Acme")
    world.brand_post = post(world, world.me, "Our spring menu is out. What do you think?")
    return world


def actor(world: BlueskyWorld, handle: str, *, name: str = "") -> str:
    for did, view in world.actors.items():
        if view["handle"] == handle:
            return did
    did = "did:plc:" + base64.b32encode(handle.encode()).decode().lower().rstrip("=")[:24].ljust(24, "a")
    world.actors[did] = {
        "did": did,
        "handle": handle,
        "displayName": name or handle.split(".")[0].title(),
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/sim@jpeg",
        "labels": [],
        "createdAt": "2024-02-06T00:00:00.000Z",
    }
    return did


def post(
    world: BlueskyWorld,
    author: str,
    text: str,
    *,
    reply_to: str | None = None,
    quote: str | None = None,
    at: float | None = None,
    rkey: str | None = None,
) -> str:
    """A post by `author` (a did); a notification for the brand when it mentions, answers or quotes it."""
    moment = at if at is not None else time.time()
    world._clock += 1
    key = rkey or _tid(moment, world._clock)
    uri = f"at://{author}/app.bsky.feed.post/{key}"
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": _iso(moment), "langs": ["en"]}
    mention = f"@{world.handle}"
    start = text.encode().find(mention.encode())
    if start >= 0:
        record["facets"] = [
            {
                "index": {"byteStart": start, "byteEnd": start + len(mention.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": world.me}],
            }
        ]
    parent = world.index.get(reply_to or "")
    if parent is not None:
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root_ref = parent["record"].get("reply", {}).get("root", parent_ref)
        record["reply"] = {"root": root_ref, "parent": parent_ref}
    quoted = world.index.get(quote or "")
    if quoted is not None:
        record["embed"] = {"$type": "app.bsky.embed.record", "record": {"uri": quoted["uri"], "cid": quoted["cid"]}}
    view = {
        "uri": uri,
        "cid": "bafyrei" + secrets.token_hex(26)[:52],
        "author": world.actors[author],
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": _iso(time.time()),
        "labels": [],
    }
    world.posts.append(view)
    stamp = str(view["indexedAt"])
    if world.indexed_at and stamp < world.indexed_at[-1]:
        world.indexed_in_order = False
    world.indexed_at.append(stamp)
    world.index[uri] = view
    if author != world.me:
        reason = (
            "reply"
            if parent is not None and parent["author"]["did"] == world.me
            else "quote"
            if quoted is not None and quoted["author"]["did"] == world.me
            else "mention"
            if start >= 0
            else None
        )
        if reason:
            world.notifications.append(
                {
                    "uri": uri,
                    "cid": view["cid"],
                    "author": world.actors[author],
                    "reason": reason,
                    "record": record,
                    "isRead": False,
                    "indexedAt": view["indexedAt"],
                    "labels": [],
                }
            )
    return uri


def expire_access_tokens(world: BlueskyWorld) -> None:
    """Every access token handed out so far stops working (as after two hours)."""
    world.access_tokens.clear()


def add_mentions(state: SimState, world: BlueskyWorld, n: int, kind: str = "mixed") -> list[str]:
    uris: list[str] = []
    rng = state.rng
    for _ in range(n):
        name = rng.choice(["ana", "ben", "chidi", "dana", "eli", "hana", "jia", "kofi"])
        author = actor(world, f"{name}{rng.randint(1, 9999)}.bsky.social")
        body = state.corpus.text(world.keywords[0] if world.keywords else "acme", "post")[:250]
        roll = rng.random()
        if roll < 0.45:
            uris.append(post(world, author, f"@{world.handle} {body}"))
        elif roll < 0.6:
            uris.append(post(world, author, body, reply_to=world.brand_post))
        elif roll < 0.7:
            uris.append(post(world, author, body, quote=world.brand_post))
        else:
            keyword = rng.choice(world.keywords) if world.keywords else "acme"
            uris.append(post(world, author, body if keyword.lower() in body.lower() else f"{body} {keyword}"))
    return uris


# --- HTTP ---------------------------------------------------------------------------------------------


def _error(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message}


class BlueskyHandler(SimHandler):
    platform = PLATFORM

    @property
    def world(self) -> BlueskyWorld:
        return cast(BlueskyWorld, self.state.worlds[self.platform])

    def _headers(self, window: RateWindow, policy: str) -> dict[str, str]:
        return {
            "ratelimit-limit": str(window.limit),
            "ratelimit-remaining": str(window.remaining),
            "ratelimit-reset": str(window.reset_epoch),
            "ratelimit-policy": policy,
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            headers = {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(time.time()) + fault.reset_in),
                "ratelimit-policy": "3000;w=300",
            }
            self.send_json(429, _error("RateLimitExceeded", "Rate Limit Exceeded"), headers)
        elif fault.kind == "unavailable":
            self.send_json(503, _error("InternalServerError", "Service Unavailable"))
        elif fault.kind == "unauthorized":
            self.send_json(400, _error("ExpiredToken", "Token has expired"))
        elif fault.kind in ("forbidden", "tier"):
            self.send_json(403, _error("Forbidden", "Forbidden"))
        else:
            return False
        return True

    def handle_api(self, method: str, fault: Fault | None) -> None:
        if not self.route.startswith("/xrpc/"):
            self.send_json(404, _error("NotFound", "Not Found"))
            return
        nsid = self.route.removeprefix("/xrpc/")
        world = self.world
        with self.state.lock:
            if nsid == "com.atproto.server.createSession" and method == "POST":
                self._create_session()
                return
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if nsid == "com.atproto.server.refreshSession" and method == "POST":
                self._refresh_session(token)
                return
            if token not in world.access_tokens:
                expired = token.count(".") == 2
                self.send_json(
                    400 if expired else 401,
                    _error("ExpiredToken", "Token has expired")
                    if expired
                    else _error("AuthMissing", "Authentication Required"),
                )
                return
            if not world.window.hit():
                self.send_json(
                    429, _error("RateLimitExceeded", "Rate Limit Exceeded"), self._headers(world.window, "3000;w=300")
                )
                return
            handler = {
                ("GET", "app.bsky.notification.listNotifications"): self._notifications,
                ("GET", "app.bsky.feed.searchPosts"): self._search,
                ("GET", "app.bsky.feed.getPosts"): self._get_posts,
                ("POST", "com.atproto.repo.createRecord"): self._create_record,
                ("GET", "com.atproto.repo.getRecord"): self._get_record,
            }.get((method, nsid))
            if handler is None:
                self.send_json(501, _error("MethodNotImplemented", f"Method Not Implemented: {nsid}"))
                return
            status, payload = handler()
        if fault and fault.kind == "malformed":
            items = payload.get("notifications") or payload.get("posts")
            if items:
                items[len(items) // 2].get("record", {}).pop("text", None)
        self.send_json(status, payload, self._headers(world.window, "3000;w=300"))

    # --- sessions ---------------------------------------------------------------------------------------

    def _tokens(self) -> dict[str, Any]:
        world = self.world
        access, refresh = (
            jwt(world.me, "com.atproto.access", ACCESS_SECONDS),
            jwt(world.me, "com.atproto.refresh", 90 * 86400),
        )
        world.access_tokens.add(access)
        world.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": world.handle, "did": world.me, "active": True}

    def _create_session(self) -> None:
        world = self.world
        headers = self._headers(world.login_window, "30;w=300")
        if not world.login_window.hit():
            self.send_json(
                429, _error("RateLimitExceeded", "Rate Limit Exceeded"), self._headers(world.login_window, "30;w=300")
            )
            return
        body = self.json_body() or {}
        if body.get("identifier") not in (world.handle, world.me) or body.get("password") != world.password:
            self.send_json(401, _error("AuthenticationRequired", "Invalid identifier or password"), headers)
            return
        world.logins += 1
        self.send_json(200, {**self._tokens(), "email": "brand@example.com", "emailConfirmed": True}, headers)

    def _refresh_session(self, token: str) -> None:
        world = self.world
        if token not in world.refresh_tokens:
            self.send_json(400, _error("ExpiredToken", "Token has been revoked"))
            return
        world.refresh_tokens.discard(token)  # rotation: a refresh token is good once
        self.send_json(200, self._tokens())

    # --- reading ----------------------------------------------------------------------------------------

    def _limit(self) -> int:
        try:
            return min(max(int(self.query.get("limit", "50")), 1), 100)
        except ValueError:
            return 50

    def _page(self, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first from an opaque cursor (here the position, as base64)."""
        return self._page_of(iter(list(reversed(items))))

    def _page_of(self, newest_first: Iterator[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
        """`_page` over items already newest first, read only as far as the page (and one more)."""
        try:
            start = int(base64.urlsafe_b64decode(self.query.get("cursor", "") or "MA==").decode() or 0)
        except ValueError:
            start = 0
        limit = self._limit()
        if start < 0:  # a position counted from the end, as a list slice takes it
            everything = list(newest_first)
            page, more = everything[start : start + limit], start + limit < len(everything)
        else:
            window = list(islice(newest_first, start, start + limit + 1))
            page, more = window[:limit], len(window) > limit
        return page, base64.urlsafe_b64encode(str(start + limit).encode()).decode() if more else None

    def _notifications(self) -> tuple[int, dict[str, Any]]:
        reasons = set(self.params("reasons")) or None
        page, cursor = self._page_of(
            n for n in reversed(self.world.notifications) if reasons is None or n["reason"] in reasons
        )
        body: dict[str, Any] = {"notifications": json.loads(json.dumps(page)), "priority": False}
        if cursor:
            body["cursor"] = cursor
        return 200, body

    def _search(self) -> tuple[int, dict[str, Any]]:
        query = self.query.get("q", "")
        if not query.strip():
            return 400, _error("InvalidRequest", 'Error: Params must have the property "q"')
        try:
            predicate = compile_query(query)
        except ValueError:
            return 400, _error("BadQueryString", "Error: could not parse query")
        since = self.query.get("since", "")
        posts = self.world.posts
        # Posts are listed as indexed, so those since `since` are the last ones: every match among them is
        # counted (hitsTotal), the older ones are not read.
        first = bisect_left(self.world.indexed_at, since[:23]) if since and self.world.indexed_in_order else 0
        items = [
            p
            for p in posts[first:]
            if predicate(Post(text=p["record"]["text"])) and (not since or p["indexedAt"] >= since[:23])
        ]
        page, cursor = self._page(items)
        body: dict[str, Any] = {"posts": json.loads(json.dumps(page)), "hitsTotal": len(items)}
        if cursor:
            body["cursor"] = cursor
        return 200, body

    def _get_posts(self) -> tuple[int, dict[str, Any]]:
        uris = self.params("uris")
        return 200, {"posts": [json.loads(json.dumps(self.world.index[u])) for u in uris if u in self.world.index]}

    def _create_record(self) -> tuple[int, dict[str, Any]]:
        body = self.json_body() or {}
        world = self.world
        record = body.get("record")
        if body.get("collection") != "app.bsky.feed.post" or not isinstance(record, dict):
            return 400, _error("InvalidRequest", "Invalid collection or record")
        text = str(record.get("text", ""))
        # The post lexicon's two limits on text, as the PDS checks them: UTF-8 bytes, then grapheme clusters.
        if len(text.encode("utf-8", "surrogatepass")) > 3000:
            return 400, _error(
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 3000 characters",
            )
        if sum(1 for _ in _GRAPHEME.finditer(text)) > 300:
            return 400, _error(
                "InvalidRequest", "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
            )
        rkey = str(body.get("rkey") or _tid(time.time(), 0))
        uri = f"at://{world.me}/app.bsky.feed.post/{rkey}"
        if uri in world.index:
            return 400, _error("InvalidRequest", f"Record already exists: {uri}")
        reply = record.get("reply")
        parent_ref = reply.get("parent") if isinstance(reply, dict) else None
        parent = str(parent_ref.get("uri") or "") if isinstance(parent_ref, dict) else ""
        if parent and parent not in world.index:
            return 400, _error("InvalidRequest", "Parent post not found")
        post(world, world.me, str(record.get("text", "")), reply_to=parent or None, rkey=rkey)
        self.state.replies.append(Reply(PLATFORM, uri, parent, str(record.get("text", "")), _iso(time.time())))
        return 200, {"uri": uri, "cid": world.index[uri]["cid"], "validationStatus": "valid"}

    def _get_record(self) -> tuple[int, dict[str, Any]]:
        world = self.world
        uri = f"at://{self.query.get('repo', '')}/{self.query.get('collection', '')}/{self.query.get('rkey', '')}"
        found = world.index.get(uri) or world.index.get(uri.replace(f"at://{world.handle}/", f"at://{world.me}/"))
        if found is None:
            return 400, _error("RecordNotFound", f"Could not locate record: {uri}")
        return 200, {"uri": found["uri"], "cid": found["cid"], "value": found["record"]}

    def params(self, name: str) -> list[str]:
        return parse_qs(self.path.partition("?")[2]).get(name, [])


def post_demo(sim: Any, item: Any) -> str:
    """One built-in demo mention on the simulated PDS: a mention names the brand's handle, a reply answers its
    post, a keyword post is the text as written (at most 300 characters, as Bluesky allows)."""
    world: BlueskyWorld = sim.bluesky
    with sim.state.lock:
        author = actor(world, f"{item.author.lower().replace('_', '-')}.bsky.social", name=item.name)
        text = item.text[:300]
        at = item.created_at.timestamp()
        if item.via == "keyword":
            return post(world, author, text, at=at)
        if item.via == "reply":
            return post(world, author, text, reply_to=world.brand_post, at=at)
        return post(world, author, f"@{world.handle} {text}"[:300], at=at)


def _env(world: BlueskyWorld, base_url: str, scratch: Path) -> dict[str, str]:
    return {
        "MENTIONDESK_BLUESKY_BASE_URL": base_url,
        "MENTIONDESK_BLUESKY_HANDLE": world.handle,
        "MENTIONDESK_BLUESKY_APP_PASSWORD": world.password,
        # The client keeps its session between runs: in the simulator's scratch folder, not the caller's.
        "MENTIONDESK_BLUESKY_SESSION_FILE": str(scratch / "bluesky.session"),
    }


NETWORK = SimNetwork(
    name=PLATFORM,
    handler=BlueskyHandler,
    make_world=make_world,
    add_mentions=add_mentions,
    env=_env,
    # In the demo: every eighth of the short posts.
    demo_share=DemoShare(style="post", slots=frozenset({5})),
)
