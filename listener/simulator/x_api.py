"""The subset of the X API v2 Mention Desk uses, with X's status codes, rate-limit headers, pagination tokens
and error bodies (RFC 7807-style "problems" for v2, the v1.1 `errors` list for the 453 access-level answer)."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import unquote

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.network import DemoShare, SimNetwork
from listener.simulator.query import Post, compile_query
from listener.simulator.state import LANGS, MentionKind, RateWindow, Reply, SimState, _base36
from listener.simulator.store import IndexMap, OrderedIndex, take

MAX_QUERY = 512
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_FIELDS = ("id", "name", "username")

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/2/users/by/username/(\w{1,15})$"), "user_by_username"),
    ("GET", re.compile(r"^/2/users/me$"), "me"),
    ("GET", re.compile(r"^/2/users/(\d+)/mentions$"), "mentions"),
    ("GET", re.compile(r"^/2/users/(\d+)/tweets$"), "user_tweets"),
    ("GET", re.compile(r"^/2/tweets/search/recent$"), "search"),
    ("POST", re.compile(r"^/2/tweets$"), "create_tweet"),
]


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": type_, "status": status, **extra}


def invalid_request(parameter: str, message: str) -> dict[str, Any]:
    return {
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def _token(tweet_id: str) -> str:
    return "7140dibdnow9c7btw" + _base36(int(tweet_id))


def _untoken(token: str) -> int:
    if not token.startswith("7140dibdnow9c7btw"):
        raise ValueError(token)
    return int(token[len("7140dibdnow9c7btw") :], 36)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class XWorld:
    """X as the simulator plays it: users, tweets (ascending id), the brand's accounts with a first tweet each
    (what replies answer), and a rate window per endpoint."""

    def __init__(self, state: SimState, handles: list[str], rate_limit: int | None = None) -> None:
        self.state = state
        self.lock = state.lock
        self.rng = state.rng
        self.x_users: dict[str, dict[str, Any]] = {}
        self.x_user_ids: dict[str, str] = {}  # lower-case username -> id
        self.tweets: list[dict[str, Any]] = []  # ascending id
        self.tweet_index: dict[str, dict[str, Any]] = {}
        # The timelines' indexes (listener/simulator/store.py): every tweet, by the names it mentions (lower
        # case), by author id; keyed by numeric id.
        self.timeline: OrderedIndex[dict[str, Any]] = OrderedIndex()
        self.mentioned: IndexMap[dict[str, Any]] = IndexMap()
        self.authored: IndexMap[dict[str, Any]] = IndexMap()
        self._next_user = 1_000_000
        self._next_tweet = 1_790_000_000_000_000_000
        self.x_windows: dict[str, RateWindow] = {}
        self.x_rate_limit = rate_limit or 450
        self.brand_x_ids = [self._x_user(h.lstrip("@"), followers=50_000) for h in handles]
        self.x_me = self.brand_x_ids[0] if self.brand_x_ids else self._x_user("mentiondesk_bot")
        self.brand_tweets: list[str] = []
        for brand_id in self.brand_x_ids:
            self.brand_tweets.append(self._tweet(brand_id, "Our spring update is live. Tell us what you think!"))

    def x_window(self, endpoint: str) -> RateWindow:
        with self.lock:
            if endpoint not in self.x_windows:
                self.x_windows[endpoint] = RateWindow(limit=self.x_rate_limit, seconds=900)
            return self.x_windows[endpoint]

    def _x_user(self, username: str, followers: int | None = None) -> str:
        with self.lock:
            existing = self.x_user_ids.get(username.lower())
            if existing:
                return existing
            self._next_user += self.rng.randint(1, 997)
            user_id = str(self._next_user)
            self.x_users[user_id] = {
                "id": user_id,
                "username": username,
                "name": username.replace("_", " ").title(),
                "public_metrics": {
                    "followers_count": followers if followers is not None else int(self.rng.paretovariate(1.2) * 40),
                    "following_count": self.rng.randint(0, 900),
                    "tweet_count": self.rng.randint(1, 40_000),
                    "listed_count": self.rng.randint(0, 30),
                    "like_count": self.rng.randint(0, 9000),
                    "media_count": self.rng.randint(0, 300),
                },
            }
            self.x_user_ids[username.lower()] = user_id
            return user_id

    def _tweet(
        self,
        author_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        lang: str = "en",
    ) -> str:
        with self.lock:
            self._next_tweet += self.rng.randint(1, 4_000_000) << 22
            tweet_id = str(self._next_tweet)
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": text,
                "edit_history_tweet_ids": [tweet_id],
                "author_id": author_id,
                "created_at": self.state.now_iso(),
                "lang": lang,
                "conversation_id": tweet_id,
                "possibly_sensitive": False,
                "reply_settings": "everyone",
            }
            mentioned = re.findall(r"(?<![\w@])@(\w{1,15})", text)
            if mentioned:
                tweet["entities"] = {"mentions": []}
                for name in mentioned:
                    start = text.find("@" + name)
                    user_id = self.x_user_ids.get(name.lower())
                    entry: dict[str, Any] = {"start": start, "end": start + len(name) + 1, "username": name}
                    if user_id:
                        entry["id"] = user_id
                    tweet["entities"]["mentions"].append(entry)
            if reply_to and reply_to in self.tweet_index:
                parent = self.tweet_index[reply_to]
                tweet["in_reply_to_user_id"] = parent["author_id"]
                tweet["conversation_id"] = parent["conversation_id"]
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
            self.tweets.append(tweet)
            self.tweet_index[tweet_id] = tweet
            self._index(tweet)
            return tweet_id

    def _mentioned_names(self, tweet: dict[str, Any]) -> set[str]:
        return {m["username"].lower() for m in tweet.get("entities", {}).get("mentions", [])}

    def _index(self, tweet: dict[str, Any]) -> None:
        key = int(tweet["id"])
        self.timeline.add(key, tweet)
        self.authored.add(tweet["author_id"], key, tweet)
        for name in self._mentioned_names(tweet):
            self.mentioned.add(name, key, tweet)

    def add_x_mentions(self, n: int, kind: MentionKind = "mixed") -> list[str]:
        ids: list[str] = []
        with self.lock:
            for _ in range(n):
                chosen = kind
                if kind == "mixed":
                    roll = self.rng.random()
                    chosen = "mention" if roll < 0.6 else "reply" if roll < 0.75 else "keyword"
                if chosen != "keyword" and not self.brand_x_ids:
                    chosen = "keyword"
                username, _ = self.state.author_name()
                author = self._x_user(username)
                product = self.state.keywords[0]
                body = self.state.corpus.text(product, "post")
                lang = self.rng.choice(LANGS)
                if chosen == "keyword":
                    ids.append(self._tweet(author, self.state.ensure_keyword(body), lang=lang))
                    continue
                brand_index = self.rng.randrange(len(self.brand_x_ids))
                handle = self.x_users[self.brand_x_ids[brand_index]]["username"]
                reply_to = self.brand_tweets[brand_index] if chosen == "reply" else None
                ids.append(self._tweet(author, f"@{handle} {body}", reply_to=reply_to, lang=lang))
        return ids

    def post_tweet(
        self,
        text: str,
        *,
        username: str,
        name: str = "",
        followers: int | None = None,
        lang: str = "en",
        reply_to_brand: bool = False,
        created_at: datetime | None = None,
    ) -> str:
        """A given tweet by a given person (the demo's scripted mentions); returns its id."""
        with self.lock:
            author = self._x_user(username, followers)
            if name:
                self.x_users[author]["name"] = name
            reply_to = self.brand_tweets[0] if reply_to_brand and self.brand_tweets else None
            tweet_id = self._tweet(author, text, reply_to=reply_to, lang=lang)
            if created_at is not None:
                self.tweet_index[tweet_id]["created_at"] = _iso(created_at)
            return tweet_id

    def add_x_reply(self, in_reply_to: str, text: str) -> tuple[str | None, str]:
        """Our bot's reply; returns (tweet id, "") or (None, reason)."""
        with self.lock:
            if in_reply_to not in self.tweet_index:
                return None, "You attempted to reply to a Tweet that is deleted or not visible to you."
            for reply in self.state.replies:
                if reply.platform == "x" and reply.in_reply_to == in_reply_to and reply.text == text:
                    return None, "You are not allowed to create a Tweet with duplicate content."
            parent_author = self.x_users[self.tweet_index[in_reply_to]["author_id"]]["username"]
            full = text if text.startswith("@") else f"@{parent_author} {text}"
            tweet_id = self._tweet(self.x_me, full, reply_to=in_reply_to)
            self.state.replies.append(Reply("x", tweet_id, in_reply_to, text, self.state.now_iso()))
            return tweet_id, ""

    # --- fault campaigns (benchmarks/faults.py) ---------------------------------------------------------

    def post_to_brand(self, author: str, text: str, in_reply_to: str = "") -> str:
        """`author` says "@handle text" to the brand, in the thread of `in_reply_to` when that tweet exists."""
        with self.lock:
            handle = self.x_users[self.brand_x_ids[0]]["username"] if self.brand_x_ids else "mentiondesk_bot"
            parent = in_reply_to if in_reply_to in self.tweet_index else None
            if parent is None and self.brand_tweets:
                parent = self.brand_tweets[0]
            return self._tweet(self._x_user(author), f"@{handle} {text}", reply_to=parent)

    def delete_x_post(self, tweet_id: str) -> bool:
        """The author deletes a tweet: it leaves every timeline and X refuses replies to it."""
        with self.lock:
            tweet = self.tweet_index.pop(tweet_id, None)
            if tweet is None:
                return False
            del self.tweets[next(i for i, t in enumerate(self.tweets) if t is tweet)]
            key = int(tweet_id)
            self.timeline.remove(key)
            self.authored.remove(tweet["author_id"], key)
            for name in self._mentioned_names(tweet):
                self.mentioned.remove(name, key)
            return True

    def set_rate_limit(self, limit: int) -> None:
        """Requests per window per endpoint, existing windows too."""
        with self.lock:
            self.x_rate_limit = limit
            for window in self.x_windows.values():
                window.limit = limit


class XHandler(SimHandler):
    platform = "x"

    @property
    def world(self) -> XWorld:
        return cast(XWorld, self.state.worlds[self.platform])

    def _rate_headers(self, window: RateWindow) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(window.remaining),
            "x-rate-limit-reset": str(window.reset_epoch),
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            window = self.world.x_window(self.route)
            headers = {
                "x-rate-limit-limit": str(window.limit),
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(time.time()) + fault.reset_in),
            }
            self.send_json(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)
        elif fault.kind == "unavailable":
            self.send_json(503, problem(503, "Service Unavailable", "Service Unavailable"))
        elif fault.kind == "unauthorized":
            self.send_json(401, problem(401, "Unauthorized", "Unauthorized"))
        elif fault.kind == "forbidden":
            self.send_json(
                403,
                problem(
                    403,
                    "Forbidden",
                    "You are not permitted to perform this action.",
                    "https://api.twitter.com/2/problems/not-authorized-for-resource",
                ),
            )
        elif fault.kind == "tier":
            self.send_json(
                403,
                {
                    "errors": [
                        {
                            "message": "You currently have access to a subset of X API V2 endpoints and limited "
                            "v1.1 endpoints (e.g. media post, oauth) only. If you need access to this endpoint, "
                            "you may need a different access level. You can learn more here: "
                            "https://developer.x.com/en/portal/product",
                            "code": 453,
                        }
                    ]
                },
            )
        else:
            return False
        return True

    # --- dispatch -------------------------------------------------------------------------------------

    def handle_api(self, method: str, fault: Fault | None) -> None:
        found = [
            (pattern, name, match)
            for route_method, pattern, name in _ROUTES
            if route_method == method and (match := pattern.match(self.route))
        ]
        if not found:
            self.send_json(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
            return
        pattern, name, match = found[0]
        auth = self.headers.get("Authorization", "")
        user_context = auth.startswith("OAuth ")
        if not (auth.startswith("Bearer ") and len(auth) > 7) and not user_context:
            self.send_json(401, problem(401, "Unauthorized", "Unauthorized"))
            return
        if name in ("me", "create_tweet") and not user_context:
            self.send_json(
                403,
                problem(
                    403,
                    "Unsupported Authentication",
                    "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                    "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                    "https://api.twitter.com/2/problems/unsupported-authentication",
                ),
            )
            return
        window = self.world.x_window(pattern.pattern)
        if not window.hit():
            self.send_json(429, problem(429, "Too Many Requests", "Too Many Requests"), self._rate_headers(window))
            return
        headers = self._rate_headers(window)
        status, payload = getattr(self, f"_{name}")(*match.groups())
        if fault and fault.kind == "malformed" and isinstance(payload.get("data"), list) and payload["data"]:
            broken = payload["data"][len(payload["data"]) // 2]
            broken.pop("text", None)
        self.send_json(status, payload, headers)

    # --- endpoints ------------------------------------------------------------------------------------

    def _user_by_username(self, username: str) -> tuple[int, dict[str, Any]]:
        user_id = self.world.x_user_ids.get(username.lower())
        if user_id is None:
            return 200, {
                "errors": [
                    {
                        "value": username,
                        "detail": f"Could not find user with username: [{username}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "username",
                        "resource_id": username,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            }
        return 200, {"data": self._user(user_id)}

    def _me(self) -> tuple[int, dict[str, Any]]:
        return 200, {"data": self._user(self.world.x_me)}

    def _mentions(self, user_id: str) -> tuple[int, dict[str, Any]]:
        user = self.world.x_users.get(user_id)
        if user is None:
            return 200, {
                "errors": [
                    {
                        "detail": f"Could not find user with id: [{user_id}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "value": user_id,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            }
        handle = user["username"].lower()
        return self._timeline(
            self.world.mentioned.get(handle),
            lambda t: any(m["username"].lower() == handle for m in t.get("entities", {}).get("mentions", [])),
            token_param="pagination_token",
            min_results=5,
        )

    def _user_tweets(self, user_id: str) -> tuple[int, dict[str, Any]]:
        return self._timeline(
            self.world.authored.get(user_id),
            lambda t: t["author_id"] == user_id,
            token_param="pagination_token",
            min_results=5,
        )

    def _search(self) -> tuple[int, dict[str, Any]]:
        query = self.query.get("query", "")
        if not query:
            return 400, invalid_request("query", "The `query` query parameter can not be empty")
        if len(query) > MAX_QUERY:
            return 400, invalid_request(
                "query",
                f"There were errors processing your request: Query exceeds maximum length of {MAX_QUERY} "
                f"characters (at position {MAX_QUERY + 1})",
            )
        try:
            predicate = compile_query(query)
        except ValueError as exc:
            return 400, invalid_request("query", f"There were errors processing your request: {exc}")
        users = self.world.x_users

        def matches(tweet: dict[str, Any]) -> bool:
            post = Post(text=tweet["text"], author=users[tweet["author_id"]]["username"], lang=tweet["lang"])
            return predicate(post)

        return self._timeline(self.world.timeline, matches, token_param="next_token", min_results=10)

    def _create_tweet(self) -> tuple[int, dict[str, Any]]:
        body = self.json_body()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
            return 400, invalid_request("text", "text must be a non-empty string")
        reply = body.get("reply")
        in_reply_to = str(reply.get("in_reply_to_tweet_id") or "") if isinstance(reply, dict) else ""
        if not in_reply_to:
            return 400, invalid_request("reply", "Mention Desk's simulator only accepts replies")
        tweet_id, reason = self.world.add_x_reply(in_reply_to, body["text"])
        if tweet_id is None:
            return 403, problem(403, "Forbidden", reason, "about:blank")
        return 201, {
            "data": {
                "id": tweet_id,
                "text": self.world.tweet_index[tweet_id]["text"],
                "edit_history_tweet_ids": [tweet_id],
            }
        }

    # --- helpers --------------------------------------------------------------------------------------

    def _user(self, user_id: str, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        user = self.world.x_users[user_id]
        wanted = fields or self._fields("user.fields", DEFAULT_USER_FIELDS)
        return {k: copy.deepcopy(v) for k, v in user.items() if k in wanted}

    def _fields(self, param: str, default: tuple[str, ...]) -> tuple[str, ...]:
        extra = tuple(f for f in self.query.get(param, "").split(",") if f)
        return default + extra

    def _timeline(
        self, tweets: OrderedIndex[dict[str, Any]], keep: Any, *, token_param: str, min_results: int
    ) -> tuple[int, dict[str, Any]]:
        """A page of `tweets` that `keep` accepts, newest first, between since_id and the page token."""
        try:
            max_results = int(self.query.get("max_results", "10"))
        except ValueError:
            return 400, invalid_request("max_results", "max_results must be a number")
        if not min_results <= max_results <= 100:
            return 400, invalid_request(
                "max_results",
                f"The `max_results` query parameter value [{max_results}] is not between {min_results} and 100",
            )
        since = self.query.get("since_id")
        token = self.query.get(token_param)
        start_time = self.query.get("start_time", "")
        try:
            since_int = int(since) if since else 0
            upper = _untoken(token) if token else None
        except ValueError:
            return 400, invalid_request(token_param if token else "since_id", "Invalid pagination or since_id")
        if start_time and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", start_time):
            return 400, invalid_request("start_time", f"Invalid start_time [{start_time}]; use YYYY-MM-DDTHH:mm:ssZ")
        with self.state.lock:
            # One more than the page tells whether there is a next page.
            matching = take(
                tweets.newest_first(below=upper, above=since_int),
                lambda t: (not start_time or t["created_at"][:19] >= start_time[:19]) and keep(t),
                max_results + 1,
            )
            page = matching[:max_results]
            tweet_fields = self._fields("tweet.fields", DEFAULT_TWEET_FIELDS)
            data = [{k: copy.deepcopy(v) for k, v in t.items() if k in tweet_fields} for t in page]
            payload: dict[str, Any] = {}
            if data:
                payload["data"] = data
                expansions = self.query.get("expansions", "").split(",")
                user_ids: list[str] = []
                for tweet in page:
                    for key in ("author_id", "in_reply_to_user_id"):
                        if key in expansions and tweet.get(key) and tweet[key] not in user_ids:
                            user_ids.append(tweet[key])
                if user_ids:
                    payload["includes"] = {"users": [self._user(u) for u in user_ids]}
            meta: dict[str, Any] = {"result_count": len(page)}
            if page:
                meta["newest_id"] = page[0]["id"]
                meta["oldest_id"] = page[-1]["id"]
            if len(matching) > len(page):
                meta["next_token"] = _token(page[-1]["id"])
            if token:
                meta["previous_token"] = _token(str(upper))
            payload["meta"] = meta
        return 200, payload


# --- the plug: what the shared simulator needs of X ----------------------------------------------------


def _reply_target(method: str, path: str, body: bytes) -> str:
    """The tweet a POST /2/tweets reply answers, else ""."""
    if method != "POST" or path != "/2/tweets":
        return ""
    try:
        reply = json.loads(body or b"{}").get("reply") or {}
        return str(reply.get("in_reply_to_tweet_id") or "")
    except (ValueError, AttributeError):
        return ""


def _client(headers: Any) -> str:
    """The user access token (OAuth 1.0a) or the app's bearer token."""
    auth = headers.get("Authorization") or ""
    match = re.search(r'oauth_token="([^"]*)"', auth)
    return unquote(match.group(1)) if match else str(auth).removeprefix("Bearer ")


def _rate_limited_until(headers: Mapping[str, str], now: float) -> float | None:
    try:
        return float(headers["x-rate-limit-reset"])  # X announces the reset as an epoch second
    except (KeyError, ValueError):
        return None


def _served_ids(payload: Any) -> list[str]:
    """Tweet ids of a timeline page ({"data": [...]})."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, list):
        return [str(item["id"]) for item in data if isinstance(item, dict) and "id" in item]
    return []


def _env(world: XWorld, base_url: str, scratch: Any) -> dict[str, str]:
    return {
        "MENTIONDESK_X_API_BASE_URL": base_url,
        "MENTIONDESK_X_BEARER_TOKEN": "sim",
        "MENTIONDESK_X_API_KEY": "sim",
        "MENTIONDESK_X_API_SECRET": "sim",
        "MENTIONDESK_X_ACCESS_TOKEN": "sim",
        "MENTIONDESK_X_ACCESS_SECRET": "sim",
    }


def _add_mentions(state: SimState, world: XWorld, n: int, kind: str) -> list[str]:
    return world.add_x_mentions(n, cast(MentionKind, kind))


NETWORK = SimNetwork(
    name="x",
    handler=XHandler,
    make_world=lambda state, options: XWorld(state, options.handles, options.rate_limit),
    add_mentions=_add_mentions,
    env=_env,
    mix_weight=3,
    default_handle="acme",
    served_ids=_served_ids,
    reply_target=_reply_target,
    client=_client,
    rate_limited_until=_rate_limited_until,
    post_to_brand=lambda world, author, text, in_reply_to: world.post_to_brand(author, text, in_reply_to),
    delete_post=lambda world, post_id, removed: world.delete_x_post(post_id),
    rate_limit=lambda world: world.x_rate_limit,
    set_rate_limit=lambda world, limit: world.set_rate_limit(limit),
    demo_share=DemoShare(style="post"),
    stats=lambda world: {"tweets": len(world.tweets)},
)
