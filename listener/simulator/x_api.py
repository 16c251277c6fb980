"""The subset of the X API v2 Mention Desk uses, with X's status codes, rate-limit headers, pagination tokens
and error bodies (RFC 7807-style "problems" for v2, the v1.1 `errors` list for the 453 access-level answer)."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.query import Post, compile_query
from listener.simulator.state import RateWindow, _base36

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


class XHandler(SimHandler):
    platform = "x"

    def _rate_headers(self, window: RateWindow) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(window.remaining),
            "x-rate-limit-reset": str(window.reset_epoch),
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            window = self.state.x_window(self.route)
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
        window = self.state.x_window(pattern.pattern)
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
        user_id = self.state.x_user_ids.get(username.lower())
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
        return 200, {"data": self._user(self.state.x_me)}

    def _mentions(self, user_id: str) -> tuple[int, dict[str, Any]]:
        user = self.state.x_users.get(user_id)
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
            lambda t: any(m["username"].lower() == handle for m in t.get("entities", {}).get("mentions", [])),
            token_param="pagination_token",
            min_results=5,
        )

    def _user_tweets(self, user_id: str) -> tuple[int, dict[str, Any]]:
        return self._timeline(lambda t: t["author_id"] == user_id, token_param="pagination_token", min_results=5)

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
        users = self.state.x_users

        def matches(tweet: dict[str, Any]) -> bool:
            post = Post(text=tweet["text"], author=users[tweet["author_id"]]["username"], lang=tweet["lang"])
            return predicate(post)

        return self._timeline(matches, token_param="next_token", min_results=10)

    def _create_tweet(self) -> tuple[int, dict[str, Any]]:
        body = self.json_body()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
            return 400, invalid_request("text", "text must be a non-empty string")
        reply = body.get("reply")
        in_reply_to = str(reply.get("in_reply_to_tweet_id") or "") if isinstance(reply, dict) else ""
        if not in_reply_to:
            return 400, invalid_request("reply", "Mention Desk's simulator only accepts replies")
        tweet_id, reason = self.state.add_x_reply(in_reply_to, body["text"])
        if tweet_id is None:
            return 403, problem(403, "Forbidden", reason, "about:blank")
        return 201, {
            "data": {
                "id": tweet_id,
                "text": self.state.tweet_index[tweet_id]["text"],
                "edit_history_tweet_ids": [tweet_id],
            }
        }

    # --- helpers --------------------------------------------------------------------------------------

    def _user(self, user_id: str, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
        user = self.state.x_users[user_id]
        wanted = fields or self._fields("user.fields", DEFAULT_USER_FIELDS)
        return {k: copy.deepcopy(v) for k, v in user.items() if k in wanted}

    def _fields(self, param: str, default: tuple[str, ...]) -> tuple[str, ...]:
        extra = tuple(f for f in self.query.get(param, "").split(",") if f)
        return default + extra

    def _timeline(self, keep: Any, *, token_param: str, min_results: int) -> tuple[int, dict[str, Any]]:
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
            matching = [
                t
                for t in reversed(self.state.tweets)  # newest first
                if int(t["id"]) > since_int
                and (upper is None or int(t["id"]) < upper)
                and (not start_time or t["created_at"][:19] >= start_time[:19])
                and keep(t)
            ]
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
