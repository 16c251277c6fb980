"""The subset of the Mastodon API Mention Desk uses, as Mastodon 4.3+ answers it: grouped mention
notifications (with the notification policy's filtered mentions only on `include_filtered`), status search
(only authors who opted in to search), hashtag timelines, posting a reply (Idempotency-Key honoured), a
status, the account's own statuses and verify_credentials. Ids are snowflakes; pages follow `min_id`,
`max_id`, `since_id` and `limit` with a Link header; every answer carries X-RateLimit-Limit/-Remaining and an
ISO 8601 X-RateLimit-Reset; errors are `{"error": "..."}` with Mastodon's status codes."""

from __future__ import annotations

import copy
import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qs, urlencode

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.network import DemoShare, SimNetwork, WorldOptions
from listener.simulator.query import Post, compile_query
from listener.simulator.state import RateWindow, Reply, SimState
from listener.simulator.store import IndexMap, OrderedIndex, take

PLATFORM = "mastodon"
READ_LIMIT = 300  # requests per account per 5 minutes
POST_LIMIT = 300  # statuses per account per 3 hours
MAX_CHARS = 500
IDEMPOTENCY_SECONDS = 3600


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(moment * 1000) % 1000:03d}Z"


@dataclass
class MastodonWorld:
    """One Mastodon instance: accounts, statuses, the brand account's notifications, idempotency keys."""

    handle: str
    keywords: list[str]
    base_url: str = "http://127.0.0.1"
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_acct: dict[str, str] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)  # ascending id
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)  # ascending id
    idempotency: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> (status id, when)
    window: RateWindow = field(default_factory=lambda: RateWindow(limit=READ_LIMIT, seconds=300))
    post_window: RateWindow = field(default_factory=lambda: RateWindow(limit=POST_LIMIT, seconds=10_800))
    me: str = ""
    brand_status: str = ""
    # What the timelines read (listener/simulator/store.py), by numeric id: every status, by account id and
    # by hashtag; the notifications; a status's replies, oldest first.
    timeline: OrderedIndex[dict[str, Any]] = field(default_factory=OrderedIndex)
    by_account: IndexMap[dict[str, Any]] = field(default_factory=IndexMap)
    by_tag: IndexMap[dict[str, Any]] = field(default_factory=IndexMap)
    notification_index: OrderedIndex[dict[str, Any]] = field(default_factory=OrderedIndex)
    replies_to: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _last_id: int = 0
    _last_notification: int = 0

    def next_id(self, at: float | None = None) -> str:
        candidate = int((at if at is not None else time.time()) * 1000) << 16
        self._last_id = max(self._last_id + 1, candidate)
        return str(self._last_id)


def make_world(state: SimState, options: WorldOptions) -> MastodonWorld:
    """The instance for one simulator, with the brand's account (its first handle) and a first post."""
    name = next(iter(options.handles), "acme").lstrip("@").split("@")[0]
    world = MastodonWorld(handle=name, keywords=state.keywords, base_url=options.base_url)
    world.me = account(world, world.handle, name=world.handle.title(), followers=12_000)
    world.brand_status = post_status(world, "Our spring menu is out. Tell us what you think!", world.me)
    return world


def account(world: MastodonWorld, username: str, *, name: str = "", followers: int = 10, indexable: bool = True) -> str:
    existing = world.by_acct.get(username.lower())
    if existing:
        return existing
    account_id = str(100_000 + len(world.accounts) * 7 + 1)
    world.accounts[account_id] = {
        "id": account_id,
        "username": username,
        "acct": username,
        "display_name": name or username.replace("_", " ").title(),
        "locked": False,
        "bot": False,
        "discoverable": indexable,
        "indexable": indexable,
        "group": False,
        "created_at": "2025-11-06T00:00:00.000Z",
        "note": "",
        "url": f"{world.base_url}/@{username}",
        "uri": f"{world.base_url}/users/{username}",
        "followers_count": followers,
        "following_count": 10,
        "statuses_count": 0,
        "emojis": [],
        "fields": [],
    }
    world.by_acct[username.lower()] = account_id
    return account_id


def _content(world: MastodonWorld, text: str) -> tuple[str, list[dict[str, Any]], list[dict[str, str]]]:
    """The text as Mastodon's HTML (escaped, mentions and hashtags linked) with its mentions and tags."""
    mentions: list[dict[str, Any]] = []
    tags: list[dict[str, str]] = []

    def link(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("@"):
            # A local account may be named with this instance's domain too: @user@host.
            target = world.by_acct.get(token[1:].split("@")[0].lower())
            if target is None:
                return token
            acct = world.accounts[target]
            if all(m["id"] != target for m in mentions):
                mentions.append({"id": target, "username": acct["username"], "url": acct["url"], "acct": acct["acct"]})
            return (
                f'<span class="h-card"><a href="{acct["url"]}" class="u-url mention">@<span>{acct["username"]}'
                "</span></a></span>"
            )
        tag = token[1:]
        tags.append({"name": tag.lower(), "url": f"{world.base_url}/tags/{tag.lower()}"})
        return (
            f'<a href="{world.base_url}/tags/{tag.lower()}" class="mention hashtag" rel="tag">#<span>{tag}</span></a>'
        )

    escaped = html.escape(text, quote=False)
    linked = re.sub(r"(?<![\w@])(?:@\w+(?:@[\w.:-]*\w)?|#\w+)", link, escaped)
    paragraphs = [p.replace("\n", "<br />") for p in linked.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs), mentions, tags


def post_status(
    world: MastodonWorld,
    text: str,
    author: str,
    *,
    reply_to: str | None = None,
    visibility: str = "public",
    language: str = "en",
    at: float | None = None,
    filtered: bool = False,
) -> str:
    """A status by account `author`; a notification for the brand account when it names or answers it."""
    moment = at if at is not None else time.time()
    status_id = world.next_id(moment)
    content, mentions, tags = _content(world, text)
    parent = world.index.get(reply_to or "")
    user = world.accounts[author]
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": _iso(moment),
        "in_reply_to_id": parent["id"] if parent else None,
        "in_reply_to_account_id": parent["account"]["id"] if parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility,
        "language": language,
        "uri": f"{world.base_url}/users/{user['username']}/statuses/{status_id}",
        "url": f"{world.base_url}/@{user['username']}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": content,
        "reblog": None,
        "account": user,
        "media_attachments": [],
        "mentions": mentions,
        "tags": tags,
        "emojis": [],
        "card": None,
        "poll": None,
    }
    if parent and all(m["id"] != parent["account"]["id"] for m in mentions):
        replied = parent["account"]
        mentions.append(
            {"id": replied["id"], "username": replied["username"], "url": replied["url"], "acct": replied["acct"]}
        )
    world.statuses.append(status)
    world.index[status_id] = status
    key = int(status_id)
    world.timeline.add(key, status)
    world.by_account.add(author, key, status)
    for tag in {t["name"] for t in tags}:
        world.by_tag.add(tag, key, status)
    if parent:
        world.replies_to.setdefault(parent["id"], []).append(status)
    user["statuses_count"] += 1
    if author != world.me and any(m["id"] == world.me for m in mentions):
        world._last_notification += 1
        notification = {
            "id": world._last_notification,
            "type": "mention",
            "status_id": status_id,
            "account_id": author,
            "created_at": status["created_at"],
            "filtered": filtered,
        }
        world.notifications.append(notification)
        world.notification_index.add(notification["id"], notification)
    return status_id


def add_mentions(state: SimState, world: MastodonWorld, n: int, kind: str = "mixed") -> list[str]:
    """`n` statuses: mentions of the brand (a fifth from new accounts, which the notification policy filters),
    replies to its post, and keyword posts (some by authors not opted in to search)."""
    ids: list[str] = []
    rng = state.rng
    for _ in range(n):
        chosen = kind
        if kind == "mixed":
            roll = rng.random()
            chosen = "mention" if roll < 0.55 else "reply" if roll < 0.7 else "keyword"
        first = rng.choice(["ana", "ben", "chidi", "dana", "eli", "fatima", "goran", "hana", "jia", "kofi"])
        author = account(
            world, f"{first}{rng.randint(1, 9999)}", followers=rng.randint(0, 3000), indexable=rng.random() < 0.8
        )
        body = state.corpus.text(world.keywords[0] if world.keywords else world.handle, "post")
        if chosen == "keyword":
            keyword = rng.choice(world.keywords) if world.keywords else world.handle
            ids.append(post_status(world, f"{body} {keyword}" if keyword.lower() not in body.lower() else body, author))
        elif chosen == "reply":
            ids.append(post_status(world, f"@{world.handle} {body}", author, reply_to=world.brand_status))
        else:
            ids.append(post_status(world, f"@{world.handle} {body}", author, filtered=rng.random() < 0.2))
    return ids


# --- HTTP ---------------------------------------------------------------------------------------------

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/api/v1/accounts/verify_credentials$"), "verify_credentials"),
    ("GET", re.compile(r"^/api/v2/instance$"), "instance"),
    ("GET", re.compile(r"^/api/v2/notifications$"), "notifications"),
    ("GET", re.compile(r"^/api/v2/search$"), "search"),
    ("GET", re.compile(r"^/api/v1/timelines/tag/([^/]+)$"), "hashtag"),
    ("GET", re.compile(r"^/api/v1/statuses/(\d+)$"), "status"),
    ("GET", re.compile(r"^/api/v1/statuses/(\d+)/context$"), "context"),
    ("GET", re.compile(r"^/api/v1/accounts/(\d+)/statuses$"), "account_statuses"),
    ("POST", re.compile(r"^/api/v1/statuses$"), "post"),
]
PUBLIC = {"hashtag", "status", "context", "instance"}


class MastodonHandler(SimHandler):
    platform = PLATFORM

    @property
    def world(self) -> MastodonWorld:
        return cast(MastodonWorld, self.state.worlds[self.platform])

    def _rate_headers(self, window: RateWindow) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": _iso(window.started + window.seconds),
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            window = self.world.window
            headers = {
                "X-RateLimit-Limit": str(window.limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": _iso(time.time() + fault.reset_in),
            }
            self.send_json(429, {"error": "Too many requests"}, headers)
        elif fault.kind == "unavailable":
            self.send_json(503, {"error": "Service Unavailable"})
        elif fault.kind == "unauthorized":
            self.send_json(401, {"error": "The access token is invalid"})
        elif fault.kind in ("forbidden", "tier"):
            self.send_json(403, {"error": "This action is outside the authorized scopes"})
        else:
            return False
        return True

    def handle_api(self, method: str, fault: Fault | None) -> None:
        found = [(name, m) for verb, pattern, name in _ROUTES if verb == method and (m := pattern.match(self.route))]
        if not found:
            self.send_json(404, {"error": "Not Found"})
            return
        name, match = found[0]
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token and name not in PUBLIC:
            self.send_json(401, {"error": "The access token is invalid"})
            return
        self.params = {k: v for k, v in parse_qs(self._raw_query(), keep_blank_values=True).items()}
        with self.state.lock:
            window = self.world.window
            if not window.hit():
                self.send_json(429, {"error": "Too many requests"}, self._rate_headers(window))
                return
            if name == "post" and not self.world.post_window.hit():
                self.send_json(429, {"error": "Too many requests"}, self._rate_headers(self.world.post_window))
                return
            headers = self._rate_headers(self.world.post_window if name == "post" else window)
            status, payload, extra = getattr(self, f"_{name}")(*match.groups())
            payload = copy.deepcopy(payload)
        if fault and fault.kind == "malformed":
            _break_one(payload)
        self.send_json(status, payload, {**headers, **extra})

    def _raw_query(self) -> str:
        return self.path.partition("?")[2]

    def _param(self, name: str, default: str = "") -> str:
        values = self.params.get(name) or self.params.get(f"{name}[]")
        return values[-1] if values else default

    def _limit(self, default: int, most: int) -> int:
        try:
            return min(max(int(self._param("limit", str(default))), 1), most)
        except ValueError:
            return default

    # --- endpoints ------------------------------------------------------------------------------------

    def _verify_credentials(self) -> tuple[int, Any, dict[str, str]]:
        me = dict(self.world.accounts[self.world.me])
        me["source"] = {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": []}
        return 200, me, {}

    def _instance(self) -> tuple[int, Any, dict[str, str]]:
        feeds = {"local": "public", "remote": "public"}
        return (
            200,
            {
                "domain": "127.0.0.1",
                "title": "Mention Desk simulator",
                "version": "4.5.0",
                "configuration": {
                    "statuses": {"max_characters": MAX_CHARS},
                    "timelines_access": {"live_feeds": feeds, "hashtag_feeds": feeds, "trending_link_feeds": feeds},
                },
            },
            {},
        )

    def _notifications(self) -> tuple[int, Any, dict[str, str]]:
        types = self.params.get("types[]") or self.params.get("types") or []
        include_filtered = self._param("include_filtered").lower() in ("1", "true")
        page, links = self._paginate(
            self.world.notification_index,
            lambda n: (not types or n["type"] in types) and (include_filtered or not n["filtered"]),
            default=40,
            most=80,
        )
        statuses = [self.world.index[n["status_id"]] for n in page]
        accounts = {n["account_id"]: self.world.accounts[n["account_id"]] for n in page}
        groups = [
            {
                "group_key": f"ungrouped-{n['id']}",
                "notifications_count": 1,
                "type": n["type"],
                "most_recent_notification_id": n["id"],  # a number, as Mastodon sends it
                "page_min_id": str(n["id"]),
                "page_max_id": str(n["id"]),
                "latest_page_notification_at": n["created_at"],
                "sample_account_ids": [n["account_id"]],
                "status_id": n["status_id"],
            }
            for n in page
        ]
        body = {"accounts": list(accounts.values()), "statuses": statuses, "notification_groups": groups}
        return 200, body, links

    def _search(self) -> tuple[int, Any, dict[str, str]]:
        query = self._param("q")
        if not query.strip():
            return 400, {"error": "Validation failed: q is missing"}, {}
        if self._param("type", "statuses") != "statuses":
            return 200, {"accounts": [], "statuses": [], "hashtags": []}, {}
        try:
            predicate = compile_query(query)
        except ValueError:
            return 200, {"accounts": [], "statuses": [], "hashtags": []}, {}

        def found(s: dict[str, Any]) -> bool:
            if not (s["account"].get("indexable") and s["visibility"] == "public"):
                return False
            return predicate(Post(text=re.sub(r"<[^>]+>", " ", html.unescape(s["content"]))))

        page, _ = self._paginate(self.world.timeline, found, default=20, most=40)
        return 200, {"accounts": [], "statuses": page, "hashtags": []}, {}

    def _hashtag(self, tag: str) -> tuple[int, Any, dict[str, str]]:
        wanted = tag.lower()
        page, links = self._paginate(
            self.world.by_tag.get(wanted),
            lambda s: s["visibility"] == "public" and any(t["name"] == wanted for t in s["tags"]),
            default=20,
            most=40,
        )
        return 200, page, links

    def _status(self, status_id: str) -> tuple[int, Any, dict[str, str]]:
        status = self.world.index.get(status_id)
        return (200, status, {}) if status else (404, {"error": "Record not found"}, {})

    def _context(self, status_id: str) -> tuple[int, Any, dict[str, str]]:
        """The thread around a status: its ancestors from the first post down, and every reply below it
        (depth first, oldest first), as Mastodon answers it."""
        index = self.world.index
        status = index.get(status_id)
        if status is None:
            return 404, {"error": "Record not found"}, {}
        ancestors: list[dict[str, Any]] = []
        parent = index.get(status["in_reply_to_id"] or "")
        while parent is not None:
            ancestors.insert(0, parent)
            parent = index.get(parent["in_reply_to_id"] or "")
        children = self.world.replies_to
        descendants: list[dict[str, Any]] = []
        stack = list(reversed(children.get(status_id, [])))
        while stack:
            item = stack.pop()
            descendants.append(item)
            stack.extend(reversed(children.get(item["id"], [])))
        return 200, {"ancestors": ancestors, "descendants": descendants}, {}

    def _account_statuses(self, account_id: str) -> tuple[int, Any, dict[str, str]]:
        if account_id not in self.world.accounts:
            return 404, {"error": "Record not found"}, {}
        page, links = self._paginate(
            self.world.by_account.get(account_id), lambda s: s["account"]["id"] == account_id, default=20, most=40
        )
        return 200, page, links

    def _post(self) -> tuple[int, Any, dict[str, str]]:
        form = self.form()
        world = self.world
        key = self.headers.get("Idempotency-Key", "")
        now = time.time()
        if key and key in world.idempotency and now - world.idempotency[key][1] < IDEMPOTENCY_SECONDS:
            return 200, world.index[world.idempotency[key][0]], {}
        text = form.get("status", "")
        if not text.strip():
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if len(text) > MAX_CHARS:
            return 422, {"error": f"Validation failed: Text character limit of {MAX_CHARS} exceeded"}, {}
        reply_to = form.get("in_reply_to_id") or None
        if reply_to and reply_to not in world.index:
            return 404, {"error": "Record not found"}, {}
        visibility = form.get("visibility") or "public"
        status_id = post_status(world, text, world.me, reply_to=reply_to, visibility=visibility)
        if key:
            world.idempotency[key] = (status_id, now)
        self.state.replies.append(
            Reply(PLATFORM, status_id, reply_to or "", text, world.index[status_id]["created_at"])
        )
        return 200, world.index[status_id], {}

    # --- pages ----------------------------------------------------------------------------------------

    def _paginate(
        self, items: OrderedIndex[dict[str, Any]], keep: Callable[[dict[str, Any]], bool], *, default: int, most: int
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Mastodon's id pagination over the items `keep` accepts: newest first below `max_id` and above
        `since_id`; with `min_id`, the page right after it (still newest first). A Link header to both ends."""
        limit = self._limit(default, most)
        try:
            max_id = int(self._param("max_id") or 0) or None
            since_id = int(self._param("since_id") or 0)
            min_id = self._param("min_id")
            min_int = int(min_id) if min_id else None
        except ValueError:
            return [], {}
        if min_int is not None:
            page = take(items.oldest_first(above=max(since_id, min_int), below=max_id), keep, limit)[::-1]
        else:
            page = take(items.newest_first(below=max_id, above=since_id), keep, limit)

        def key(item: dict[str, Any]) -> int:
            return int(item["id"])

        links: dict[str, str] = {}
        if page:
            base = f"{self.world.base_url}{self.route}"
            kept = {k: v for k, v in self.params.items() if k not in ("max_id", "min_id", "since_id")}
            older = urlencode({**{k: v[-1] for k, v in kept.items()}, "max_id": key(page[-1])})
            newer = urlencode({**{k: v[-1] for k, v in kept.items()}, "min_id": key(page[0])})
            links["Link"] = f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
        return page, links


def _break_one(payload: Any) -> None:
    """The "malformed" fault: one status of the page loses its content."""
    statuses = payload if isinstance(payload, list) else payload.get("statuses") if isinstance(payload, dict) else None
    if statuses:
        statuses[len(statuses) // 2].pop("content", None)


def post_demo(sim: Any, item: Any) -> str:
    """One built-in demo mention (text, author, name, followers, lang, via, created_at) on the simulated
    instance: "@brand text" for a mention, an answer to the brand's post for a reply, the text for a keyword."""
    world: MastodonWorld = sim.mastodon
    with sim.state.lock:
        author = account(world, item.author, name=item.name, followers=item.followers)
        at = item.created_at.timestamp()
        if item.via == "keyword":
            return post_status(world, item.text, author, language=item.lang, at=at)
        text = item.text if f"@{world.handle}".lower() in item.text.lower() else f"@{world.handle} {item.text}"
        reply_to = world.brand_status if item.via == "reply" else None
        return post_status(world, text, author, reply_to=reply_to, language=item.lang, at=at)


def _env(world: MastodonWorld, base_url: str, scratch: Any) -> dict[str, str]:
    return {"MENTIONDESK_MASTODON_BASE_URL": base_url, "MENTIONDESK_MASTODON_ACCESS_TOKEN": "sim"}


NETWORK = SimNetwork(
    name=PLATFORM,
    handler=MastodonHandler,
    make_world=make_world,
    add_mentions=add_mentions,
    env=_env,
    # In the demo: every eighth of the short posts.
    demo_share=DemoShare(style="post", slots=frozenset({3})),
)
