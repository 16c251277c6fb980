"""The subset of Reddit's API Mention Desk uses: the password-grant token endpoint, Listings with
before/after/limit, search, the mentions inbox, a user's comments and /api/comment, with Reddit's
x-ratelimit-* headers and error bodies."""

from __future__ import annotations

import base64
import copy
import re
import secrets
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast
from urllib.parse import parse_qs

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.network import DemoShare, SimNetwork, WorldOptions
from listener.simulator.query import Post, compile_query
from listener.simulator.state import MentionKind, RateWindow, Reply, SimState, _base36
from listener.simulator.store import IndexMap, OrderedIndex, newest_first, oldest_first, take

_LISTINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/r/([\w+]+)/new/?$"), "subreddit_new"),
    (re.compile(r"^/r/([\w+]+)/comments/?$"), "subreddit_comments"),
    (re.compile(r"^/search/?$"), "search"),
    (re.compile(r"^/r/([\w+]+)/search/?$"), "search"),
    (re.compile(r"^/message/mentions/?$"), "mentions"),
    (re.compile(r"^/user/([\w-]+)/comments/?$"), "user_comments"),
]
UNAUTHORIZED_HEADERS = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "error": status}


class RedditWorld:
    """Reddit as the simulator plays it: the account replies come from, things (submissions and comments) by
    fullname, the watched subreddits with a weekly thread each, the account's mentions inbox, issued tokens
    and one rate window."""

    def __init__(
        self,
        state: SimState,
        handles: list[str],
        subreddits: list[str],
        rate_limit: int | None = None,
        subreddit_keywords: list[str] | None = None,
    ) -> None:
        self.state = state
        self.lock = state.lock
        self.rng = state.rng
        self.reddit_handles = [h.removeprefix("u/") for h in handles]
        self.reddit_account = self.reddit_handles[0] if self.reddit_handles else "mentiondesk_bot"
        self.subreddits = subreddits or ["test"]
        # A comment is found only by listening to its subreddit (Reddit's search covers posts, not comments), so
        # a comment released as a mention names a brand that watches the subreddits, not any brand's keyword.
        self.subreddit_keywords = subreddit_keywords or state.keywords
        self.things: dict[str, dict[str, Any]] = {}
        self.submissions: list[str] = []  # fullnames, ascending
        self.comments: list[str] = []
        self.inbox: list[str] = []  # comments that mention the account
        # Things made but not listed yet (held by the spam filter, awaiting a moderator): when released they are
        # listed at their own place, below newer things, as Reddit lists an approved post.
        self.held: set[str] = set()
        # The listings' indexes (listener/simulator/store.py), of fullnames keyed by their base-36 id: by
        # subreddit, comments by author (lower case; a deleted one under "[deleted]" too). A held thing is in
        # them from the start, at its own place; the listings pass it over while it is held.
        self.submission_index: OrderedIndex[str] = OrderedIndex()
        self.comment_index: OrderedIndex[str] = OrderedIndex()
        self.inbox_index: OrderedIndex[str] = OrderedIndex()
        self.submissions_in: IndexMap[str] = IndexMap()
        self.comments_in: IndexMap[str] = IndexMap()
        self.comments_by: IndexMap[str] = IndexMap()
        self.tokens: set[str] = set()
        self.reddit_window = RateWindow(limit=rate_limit or 1000, seconds=600)
        self._next_t3 = 36**5
        self._next_t1 = 36**6
        self.anchor_posts = [
            self._submission(sub, "Weekly discussion thread", "Talk about anything.", "AutoModerator")
            for sub in self.subreddits
        ]

    def _permalink(self, sub: str, post_id: str, title: str, comment_id: str | None = None) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"
        return f"/r/{sub}/comments/{post_id}/{slug}/" + (f"{comment_id}/" if comment_id else "")

    def _submission(self, sub: str, title: str, body: str, author: str | None) -> str:
        with self.lock:
            self._next_t3 += self.rng.randint(1, 40)
            post_id = _base36(self._next_t3)
            now = time.time()
            data: dict[str, Any] = {
                "id": post_id,
                "name": f"t3_{post_id}",
                "title": title,
                "selftext": body,
                "author": author,
                "author_fullname": f"t2_{_base36(zlib.crc32(author.encode()) % 36**7)}" if author else None,
                "subreddit": sub,
                "subreddit_name_prefixed": f"r/{sub}",
                "subreddit_id": f"t5_{_base36(zlib.crc32(sub.encode()) % 36**6)}",
                "created_utc": float(int(now)),
                "created": float(int(now)),
                "permalink": self._permalink(sub, post_id, title),
                "url": "",
                "num_comments": 0,
                "score": 1,
                "ups": 1,
                "over_18": False,
                "is_self": True,
                "locked": False,
                "removed_by_category": None,
            }
            data["url"] = f"https://www.reddit.com{data['permalink']}"
            self.things[data["name"]] = {"kind": "t3", "data": data}
            self.submissions.append(data["name"])
            self.submission_index.add(_key(data["name"]), data["name"])
            self.submissions_in.add(sub, _key(data["name"]), data["name"])
            return str(data["name"])

    def _comment(self, parent: str, body: str, author: str | None) -> str:
        with self.lock:
            parent_thing = self.things[parent]["data"]
            link = parent if parent.startswith("t3_") else parent_thing["link_id"]
            post = self.things[link]["data"]
            self._next_t1 += self.rng.randint(1, 40)
            comment_id = _base36(self._next_t1)
            now = time.time()
            data: dict[str, Any] = {
                "id": comment_id,
                "name": f"t1_{comment_id}",
                "body": body,
                "body_html": "",
                "author": author,
                "author_fullname": f"t2_{_base36(zlib.crc32(author.encode()) % 36**7)}" if author else None,
                "link_id": link,
                "parent_id": parent,
                "link_title": post["title"],
                "subreddit": post["subreddit"],
                "subreddit_name_prefixed": f"r/{post['subreddit']}",
                "subreddit_id": post["subreddit_id"],
                "created_utc": float(int(now)),
                "created": float(int(now)),
                "permalink": self._permalink(post["subreddit"], post["id"], post["title"], comment_id),
                "score": 1,
                "ups": 1,
                "distinguished": None,
                "stickied": False,
                "is_submitter": False,
            }
            self.things[data["name"]] = {"kind": "t1", "data": data}
            self.comments.append(data["name"])
            key = _key(data["name"])
            self.comment_index.add(key, data["name"])
            self.comments_in.add(data["subreddit"], key, data["name"])
            self.comments_by.add((author or "").lower(), key, data["name"])
            post["num_comments"] += 1
            if re.search(r"(?<![\w/])/?u/" + re.escape(self.reddit_account) + r"(?!\w)", body, re.IGNORECASE):
                self.inbox.append(data["name"])
                self.inbox_index.add(key, data["name"])
            return str(data["name"])

    def post_reddit(
        self,
        text: str,
        *,
        author: str,
        as_comment: bool = False,
        mention_account: bool = False,
        created_at: datetime | None = None,
        held: bool = False,
    ) -> str:
        """A given submission (or comment, when mentioning the account or asked to) in a watched subreddit;
        `held`: not listed until `release_reddit`."""
        with self.lock:
            sub = self.subreddits[len(self.submissions) % len(self.subreddits)]
            if mention_account or as_comment:
                first = self.submissions_in.get(sub).first()
                assert first is not None  # every watched subreddit has its weekly thread
                body = f"u/{self.reddit_account} {text}" if mention_account else text
                name = self._comment(first, body, author)
            else:
                title = text.split("\n")[0][:120]
                name = self._submission(sub, title, text if len(text) > 120 else "", author)
            if created_at is not None:
                stamp = float(int(created_at.timestamp()))
                self.things[name]["data"]["created_utc"] = self.things[name]["data"]["created"] = stamp
            if held:
                self.held.add(name)
            return name

    def release_reddit(self, fullname: str) -> None:
        """A held thing is listed from now on, at its own (older) place."""
        with self.lock:
            self.held.discard(fullname)

    def add_reddit_mentions(self, n: int, kind: MentionKind = "mixed") -> list[str]:
        """Posts and comments in the watched subreddits: keyword posts, keyword comments, u/account mentions."""
        names: list[str] = []
        with self.lock:
            for _ in range(n):
                chosen = kind
                if kind == "mixed":
                    roll = self.rng.random()
                    chosen = "keyword" if roll < 0.7 else "mention"
                author, _ = self.state.author_name()
                sub = self.rng.choice(self.subreddits)
                body = self.state.corpus.text(self.state.keywords[0], "thread")
                if chosen == "mention" and self.reddit_handles:
                    parent = self.rng.choice(self.submissions)
                    names.append(self._comment(parent, f"u/{self.reddit_account} {body}", author))
                elif self.rng.random() < 0.4:
                    title = self.state.ensure_keyword(body[:120].split("\n")[0])
                    names.append(self._submission(sub, title, body if len(body) > 120 else "", author))
                else:
                    posts = self.submissions_in.get(sub)
                    comment = self.state.ensure_keyword(body, self.subreddit_keywords)
                    names.append(self._comment(self.rng.choice(posts.items), comment, author))
        return names

    def delete_reddit(self, fullname: str, *, removed: bool = False) -> None:
        """Deleted by its author (author null, body "[deleted]") or removed by a moderator ("[removed]")."""
        with self.lock:
            data = self.things[fullname]["data"]
            marker = "[removed]" if removed else "[deleted]"
            if not removed:
                data["author"] = None if fullname.startswith("t3_") else "[deleted]"
                data["author_fullname"] = None
                if fullname.startswith("t1_"):
                    self.comments_by.add("[deleted]", _key(fullname), fullname)
            key = "body" if fullname.startswith("t1_") else "selftext"
            data[key] = marker
            if fullname.startswith("t3_") and removed:
                data["removed_by_category"] = "moderator"

    def add_reddit_reply(self, thing_id: str, text: str) -> tuple[dict[str, Any] | None, str]:
        with self.lock:
            data = self.things[thing_id]["data"] if thing_id in self.things else None
            if data is None or data.get("body", data.get("selftext")) in ("[deleted]", "[removed]"):
                return None, "that comment is deleted"
            name = self._comment(thing_id, text, self.reddit_account)
            self.state.replies.append(Reply("reddit", name, thing_id, text, self.state.now_iso()))
            return self.things[name], ""

    def post_to_brand(self, author: str, text: str, in_reply_to: str = "") -> str:
        """`author` says "u/account text" to the brand, in the thread of `in_reply_to` when that thing exists."""
        with self.lock:
            parent = in_reply_to if in_reply_to in self.things else self.submissions[0]
            return self._comment(parent, f"u/{self.reddit_account} {text}", author)

    def delete_post(self, fullname: str, *, removed: bool = False) -> bool:
        """Its author deletes it ("[deleted]", the thread stays) or a moderator removes it; False if unknown."""
        with self.lock:
            if fullname not in self.things:
                return False
            self.delete_reddit(fullname, removed=removed)
            return True


class RedditHandler(SimHandler):
    platform = "reddit"

    @property
    def world(self) -> RedditWorld:
        return cast(RedditWorld, self.state.worlds[self.platform])

    def _rate_headers(self) -> dict[str, str]:
        window = self.world.reddit_window
        return {
            "x-ratelimit-used": str(window.used),
            "x-ratelimit-remaining": f"{float(window.remaining):.1f}",
            "x-ratelimit-reset": str(window.reset_seconds),
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            window = self.world.reddit_window
            headers = {
                "x-ratelimit-used": str(window.limit),
                "x-ratelimit-remaining": "0.0",
                "x-ratelimit-reset": str(fault.reset_in),
            }
            self.send_json(429, error_body(429, "Too Many Requests"), headers)
        elif fault.kind == "unavailable":
            html = b"<html><body><h1>503 Service Unavailable</h1>all of our servers are busy right now</body></html>"
            self.send_response(503)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)
        elif fault.kind == "unauthorized":
            self.send_json(401, error_body(401, "Unauthorized"), UNAUTHORIZED_HEADERS)
        elif fault.kind in ("forbidden", "tier"):
            self.send_json(403, error_body(403, "Forbidden"))
        else:
            return False
        return True

    # --- dispatch -------------------------------------------------------------------------------------

    def handle_api(self, method: str, fault: Fault | None) -> None:
        if self.route == "/api/v1/access_token" and method == "POST":
            self._access_token()
            return
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        if token not in self.world.tokens:
            self.send_json(401, error_body(401, "Unauthorized"), UNAUTHORIZED_HEADERS)
            return
        if not self.world.reddit_window.hit():
            self.send_json(429, error_body(429, "Too Many Requests"), self._rate_headers())
            return
        headers = self._rate_headers()
        if self.route.rstrip("/") == "/api/comment" and method == "POST":
            self.send_json(200, self._comment(), headers)
            return
        if self.route.rstrip("/") == "/api/v1/me" and method == "GET":
            self.send_json(200, {"name": self.world.reddit_account, "id": "sim0001"}, headers)
            return
        for pattern, name in _LISTINGS:
            match = pattern.match(self.route)
            if match and method == "GET":
                payload = getattr(self, f"_{name}")(*match.groups())
                children = payload["data"]["children"]
                if fault and fault.kind == "malformed" and children:
                    children[len(children) // 2]["data"].pop("created_utc", None)
                self.send_json(200, payload, headers)
                return
        self.send_json(404, error_body(404, "Not Found"), headers)

    # --- endpoints ------------------------------------------------------------------------------------

    def _access_token(self) -> None:
        auth = self.headers.get("Authorization", "")
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            client_id = secret = ""
        if not auth.startswith("Basic ") or not client_id or not secret:
            self.send_json(401, error_body(401, "Unauthorized"))
            return
        form = self.form()
        if form.get("grant_type") != "password" or not form.get("username") or not form.get("password"):
            self.send_json(200, {"error": "invalid_grant"})
            return
        token = "sim-" + secrets.token_urlsafe(24)
        with self.state.lock:
            self.world.tokens.add(token)
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def _comment(self) -> dict[str, Any]:
        form = self.form()
        thing_id, text = form.get("thing_id", ""), form.get("text", "")
        if not text.strip():
            return {"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}}
        thing, reason = self.world.add_reddit_reply(thing_id, text)
        if thing is None:
            return {"json": {"errors": [["DELETED_COMMENT", reason, "parent"]]}}
        return {"json": {"errors": [], "data": {"things": [copy.deepcopy(thing)]}}}

    def _subreddit_new(self, subs: str) -> dict[str, Any]:
        wanted = {s.lower() for s in subs.split("+")}
        listing = self.world.submissions_in.where(lambda sub: sub.lower() in wanted)
        return self._listing(listing, lambda d: d["subreddit"].lower() in wanted)

    def _subreddit_comments(self, subs: str) -> dict[str, Any]:
        wanted = {s.lower() for s in subs.split("+")}
        listing = self.world.comments_in.where(lambda sub: sub.lower() in wanted)
        return self._listing(listing, lambda d: d["subreddit"].lower() in wanted)

    def _search(self, subs: str | None = None) -> dict[str, Any]:
        try:
            predicate = compile_query(self.query.get("q", ""))
        except ValueError:
            return self._empty()
        wanted = {s.lower() for s in subs.split("+")} if subs and subs != "all" else None

        def keep(d: dict[str, Any]) -> bool:
            if wanted is not None and d["subreddit"].lower() not in wanted:
                return False
            return predicate(Post(text=f"{d['title']}\n{d['selftext']}", author=d["author"] or ""))

        world = self.world
        listing = (
            [world.submission_index]
            if wanted is None
            else world.submissions_in.where(lambda sub: sub.lower() in wanted)
        )
        return self._listing(listing, keep)

    def _mentions(self) -> dict[str, Any]:
        return self._listing([self.world.inbox_index], lambda d: True, as_message=True)

    def _user_comments(self, name: str) -> dict[str, Any]:
        listing = self.world.comments_by.where(lambda author: author.lower() == name.lower())
        return self._listing(listing, lambda d: (d["author"] or "").lower() == name.lower())

    # --- Listings -------------------------------------------------------------------------------------

    def _empty(self) -> dict[str, Any]:
        return {
            "kind": "Listing",
            "data": {"after": None, "dist": 0, "modhash": None, "geo_filter": "", "children": [], "before": None},
        }

    def _listing(
        self, listing: list[OrderedIndex[str]], keep: Callable[[dict[str, Any]], bool], *, as_message: bool = False
    ) -> dict[str, Any]:
        """A Listing of the things in `listing` (indexes whose keys do not overlap) that `keep` accepts."""
        try:
            limit = min(max(int(self.query.get("limit", "25")), 1), 100)
        except ValueError:
            limit = 25
        before, after = self.query.get("before"), self.query.get("after")
        with self.state.lock:
            things = self.world.things
            held = self.world.held

            def kept(name: str) -> bool:
                return name not in held and keep(things[name]["data"])

            def listed(name: str) -> bool:
                key = thing_key(name)
                return key is not None and any(index.get(key) == name for index in listing)

            # Each read takes one more than the page: it tells whether there is more that way.
            if before:
                if not (listed(before) and kept(before)):
                    return self._empty()
                newer = take(oldest_first(listing, above=thing_key(before)), kept, limit + 1)
                page = newer[:limit]  # oldest first
                newer_left, older_left = len(newer) > limit, True
            elif after:
                if not (listed(after) and kept(after)):
                    return self._empty()
                older = take(newest_first(listing, below=thing_key(after)), kept, limit + 1)
                page = list(reversed(older[:limit]))
                newer_left, older_left = True, len(older) > limit
            else:
                latest = take(newest_first(listing), kept, limit + 1)
                page = list(reversed(latest[:limit]))
                newer_left, older_left = False, len(latest) > limit
            children = [self._child(things[n], as_message) for n in reversed(page)]
        return {
            "kind": "Listing",
            "data": {
                "after": children[-1]["data"]["name"] if children and older_left else None,
                "dist": len(children),
                "modhash": None,
                "geo_filter": "",
                "children": children,
                "before": children[0]["data"]["name"] if children and newer_left else None,
            },
        }

    def _child(self, thing: dict[str, Any], as_message: bool) -> dict[str, Any]:
        child = copy.deepcopy(thing)
        if as_message:
            data = child["data"]
            permalink = data.pop("permalink")
            for key in ("link_id", "stickied", "is_submitter", "ups"):
                data.pop(key, None)
            data.update(
                {
                    "context": f"{permalink}?context=3",
                    "subject": "username mention",
                    "type": "username_mention",
                    "was_comment": True,
                    "new": True,
                    "dest": self.world.reddit_account,
                    "first_message": None,
                    "first_message_name": None,
                    "replies": "",
                    "num_comments": None,
                }
            )
        return child


def _key(fullname: str) -> int:
    return int(fullname.partition("_")[2], 36)


def thing_key(fullname: str) -> int | None:
    """A thing's place in its listings: its base-36 id as a number (None when the name is not a fullname)."""
    kind, _, thing_id = fullname.partition("_")
    if not kind or not thing_id:
        return None
    try:
        return int(thing_id, 36)
    except ValueError:
        return None


# --- the plug: what the shared simulator needs of Reddit -----------------------------------------------


def _reply_target(method: str, path: str, body: bytes) -> str:
    """The thing a POST /api/comment form answers, else ""."""
    if method != "POST" or path.rstrip("/") != "/api/comment":
        return ""
    return parse_qs(body.decode("utf-8", "replace")).get("thing_id", [""])[-1]


def _rate_limited_until(headers: Mapping[str, str], now: float) -> float | None:
    try:
        return now + float(headers["x-ratelimit-reset"])  # Reddit announces seconds from now
    except (KeyError, ValueError):
        return None


def _served_ids(payload: Any) -> list[str]:
    """Fullnames of a Listing ({"data": {"children": [...]}})."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, dict) and isinstance(data.get("children"), list):
        names = [child.get("data", {}).get("name") for child in data["children"] if isinstance(child, dict)]
        return [str(name) for name in names if name]
    return []


def _env(world: RedditWorld, base_url: str, scratch: Any) -> dict[str, str]:
    return {
        "MENTIONDESK_REDDIT_OAUTH_URL": base_url,
        "MENTIONDESK_REDDIT_URL": base_url,
        "MENTIONDESK_REDDIT_CLIENT_ID": "sim",
        "MENTIONDESK_REDDIT_CLIENT_SECRET": "sim",
        "MENTIONDESK_REDDIT_USERNAME": world.reddit_account,
        "MENTIONDESK_REDDIT_PASSWORD": "sim",
    }


def _make_world(state: SimState, options: WorldOptions) -> RedditWorld:
    return RedditWorld(
        state,
        options.handles,
        list(options.extra.get("subreddits") or []),
        options.rate_limit,
        list(options.extra.get("subreddit_keywords") or []),
    )


def _set_rate_limit(world: RedditWorld, limit: int) -> None:
    with world.lock:
        world.reddit_window.limit = limit


def _add_mentions(state: SimState, world: RedditWorld, n: int, kind: str) -> list[str]:
    return world.add_reddit_mentions(n, cast(MentionKind, kind))


NETWORK = SimNetwork(
    name="reddit",
    handler=RedditHandler,
    make_world=_make_world,
    add_mentions=_add_mentions,
    env=_env,
    mix_weight=2,
    default_handle="acme_support",
    handle_prefix="u/",
    extra_options=("subreddits", "subreddit_keywords"),
    aliases=("reddit_url", "reddit_oauth_url"),
    served_ids=_served_ids,
    reply_target=_reply_target,
    rate_limited_until=_rate_limited_until,
    post_to_brand=lambda world, author, text, in_reply_to: world.post_to_brand(author, text, in_reply_to),
    delete_post=lambda world, post_id, removed: world.delete_post(post_id, removed=removed),
    rate_limit=lambda world: world.reddit_window.limit,
    set_rate_limit=_set_rate_limit,
    demo_share=DemoShare(style="thread"),
    stats=lambda world: {"reddit_things": len(world.things)},
)
