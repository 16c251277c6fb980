"""What the simulator saw and did, for fault campaigns (benchmarks/faults.py): the post ids it served in
timelines and listings, every rate-limit window it announced with a 429, the reply requests it was sent, the
opt-outs it posted for authors, the posts it deleted and when each client (an access token, a user agent) first
called; what counts as each is the network's to say (its `NETWORK`, listener/simulator/network.py). Read
through /_sim/served, /_sim/ratelimits, /_sim/attempts, /_sim/optouts, /_sim/deleted and /_sim/clients; GET
/_sim/faults lists the faults not yet used; POST /_sim/optout and /_sim/delete make opt-outs and deletions
happen, POST /_sim/limits sets the requests per window."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from listener.simulator.network import Headers, SimNetwork, networks, played
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


@dataclass(frozen=True)
class Request:
    headers: Headers
    body: bytes


@dataclass(frozen=True)
class ReplyAttempt:
    """A request to reply to `in_reply_to` and the status it was answered with (epoch seconds). `client`: who
    sent it as its network tells (an access token, a user agent), so a campaign can tell its processes apart."""

    platform: str
    in_reply_to: str
    at: float
    status: int
    client: str = ""


@dataclass
class Records:
    # Every network that reports what it served is listed, even before it served anything.
    served: dict[str, set[str]] = field(
        default_factory=lambda: {n.name: set() for n in networks() if n.served_ids is not None}
    )
    windows: list[RateLimitWindow] = field(default_factory=list)
    attempts: list[ReplyAttempt] = field(default_factory=list)
    opt_outs: list[Happening] = field(default_factory=list)
    deletions: list[Happening] = field(default_factory=list)
    clients: dict[str, float] = field(default_factory=dict)  # client -> when its first request was answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(
        self,
        network: SimNetwork,
        method: str,
        path: str,
        status: int,
        payload: Any,
        headers: Mapping[str, str],
        request: Request | None = None,
    ) -> None:
        """One answer the simulator has just written to a client, with the request it answered."""
        platform, client = network.name, ""
        if request is not None and not path.startswith("/_sim/"):
            client, target = network.client(request.headers), network.reply_target(method, path, request.body)
            now = time.time()
            with self.lock:
                self.clients.setdefault(client, now)
                if target:
                    self.attempts.append(ReplyAttempt(platform, target, now, status, client))
        if status == 429:
            now = time.time()
            until = network.rate_limited_until(headers, now)
            if until is not None:
                with self.lock:
                    self.windows.append(RateLimitWindow(platform, method, path, now, until, client))
        elif status == 200 and method == "GET" and network.served_ids is not None:
            ids = network.served_ids(payload)
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
        return _limits(state, body)
    return None


def _limits(state: SimState, body: dict[str, Any]) -> tuple[int, Any]:
    """{"<network>": requests per window, ...}: the networks that have a limit; answers every such limit."""
    limited = [n for n in played(state).values() if n.set_rate_limit and n.rate_limit]
    try:
        wanted = {n.name: int(body[n.name]) for n in limited if n.name in body}
    except (TypeError, ValueError):
        names = " and ".join(n.name for n in limited)
        return 400, {"error": f"{names} must be whole numbers of requests per window"}
    with state.lock:
        for network in limited:
            if network.name in wanted and network.set_rate_limit is not None:
                network.set_rate_limit(state.worlds[network.name], wanted[network.name])
        return 200, {n.name: n.rate_limit(state.worlds[n.name]) for n in limited if n.rate_limit is not None}


def _opt_out(state: SimState, records: Records, body: dict[str, Any]) -> tuple[int, Any]:
    """{"platform", "author", "in_reply_to"?, "text"?}: the author tells the brand to stop, in their thread."""
    platform, author = str(body.get("platform", "")), str(body.get("author", "")).lstrip("@")
    able = {n.name: n.post_to_brand for n in played(state).values() if n.post_to_brand is not None}
    post_to_brand = able.get(platform)
    if post_to_brand is None or not author:
        return 400, {"error": f"platform ({' or '.join(able)}) and author are needed"}
    text = str(body.get("text") or "stop replying to me")
    with state.lock:
        post_id = post_to_brand(state.worlds[platform], author, text, str(body.get("in_reply_to", "")))
    happening = Happening(platform=platform, id=post_id, at=time.time(), author=author)
    with records.lock:
        records.opt_outs.append(happening)
    return 200, asdict(happening)


def _delete(state: SimState, records: Records, body: dict[str, Any]) -> tuple[int, Any]:
    """{"platform", "id"}: the author deletes the post (as its network does it: gone, or "[deleted]")."""
    platform, post_id = str(body.get("platform", "")), str(body.get("id", ""))
    able = {n.name: n.delete_post for n in played(state).values() if n.delete_post is not None}
    delete_post = able.get(platform)
    if delete_post is None:
        return 400, {"error": f"platform must be {' or '.join(able)}"}
    with state.lock:
        found = delete_post(state.worlds[platform], post_id, False)
    if not found:
        return 404, {"error": f"no post {post_id!r} on {platform}"}
    happening = Happening(platform=platform, id=post_id, at=time.time())
    with records.lock:
        records.deletions.append(happening)
    return 200, asdict(happening)
