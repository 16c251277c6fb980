"""The subset of Reddit's API Mention Desk uses: the password-grant token endpoint, Listings with
before/after/limit, search, the mentions inbox, a user's comments and /api/comment, with Reddit's
x-ratelimit-* headers and error bodies."""

from __future__ import annotations

import base64
import copy
import re
import secrets
from collections.abc import Callable
from typing import Any

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.query import Post, compile_query

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


class RedditHandler(SimHandler):
    platform = "reddit"

    def _rate_headers(self) -> dict[str, str]:
        window = self.state.reddit_window
        return {
            "x-ratelimit-used": str(window.used),
            "x-ratelimit-remaining": f"{float(window.remaining):.1f}",
            "x-ratelimit-reset": str(window.reset_seconds),
        }

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            window = self.state.reddit_window
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
        if token not in self.state.tokens:
            self.send_json(401, error_body(401, "Unauthorized"), UNAUTHORIZED_HEADERS)
            return
        if not self.state.reddit_window.hit():
            self.send_json(429, error_body(429, "Too Many Requests"), self._rate_headers())
            return
        headers = self._rate_headers()
        if self.route.rstrip("/") == "/api/comment" and method == "POST":
            self.send_json(200, self._comment(), headers)
            return
        if self.route.rstrip("/") == "/api/v1/me" and method == "GET":
            self.send_json(200, {"name": self.state.reddit_account, "id": "sim0001"}, headers)
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
            self.state.tokens.add(token)
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def _comment(self) -> dict[str, Any]:
        form = self.form()
        thing_id, text = form.get("thing_id", ""), form.get("text", "")
        if not text.strip():
            return {"json": {"errors": [["NO_TEXT", "we need something here", "text"]]}}
        thing, reason = self.state.add_reddit_reply(thing_id, text)
        if thing is None:
            return {"json": {"errors": [["DELETED_COMMENT", reason, "parent"]]}}
        return {"json": {"errors": [], "data": {"things": [copy.deepcopy(thing)]}}}

    def _subreddit_new(self, subs: str) -> dict[str, Any]:
        wanted = {s.lower() for s in subs.split("+")}
        return self._listing(self.state.submissions, lambda d: d["subreddit"].lower() in wanted)

    def _subreddit_comments(self, subs: str) -> dict[str, Any]:
        wanted = {s.lower() for s in subs.split("+")}
        return self._listing(self.state.comments, lambda d: d["subreddit"].lower() in wanted)

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

        return self._listing(self.state.submissions, keep)

    def _mentions(self) -> dict[str, Any]:
        return self._listing(self.state.inbox, lambda d: True, as_message=True)

    def _user_comments(self, name: str) -> dict[str, Any]:
        return self._listing(self.state.comments, lambda d: (d["author"] or "").lower() == name.lower())

    # --- Listings -------------------------------------------------------------------------------------

    def _empty(self) -> dict[str, Any]:
        return {
            "kind": "Listing",
            "data": {"after": None, "dist": 0, "modhash": None, "geo_filter": "", "children": [], "before": None},
        }

    def _listing(
        self, names: list[str], keep: Callable[[dict[str, Any]], bool], *, as_message: bool = False
    ) -> dict[str, Any]:
        try:
            limit = min(max(int(self.query.get("limit", "25")), 1), 100)
        except ValueError:
            limit = 25
        before, after = self.query.get("before"), self.query.get("after")
        with self.state.lock:
            things = self.state.things
            items = [n for n in names if keep(things[n]["data"])]  # oldest first
            if before:
                if before not in items:
                    return self._empty()
                start = items.index(before) + 1
                page = items[start : start + limit]
                newer_left, older_left = start + limit < len(items), True
            elif after:
                if after not in items:
                    return self._empty()
                end = items.index(after)
                page = items[max(end - limit, 0) : end]
                newer_left, older_left = True, end - limit > 0
            else:
                page = items[-limit:]
                newer_left, older_left = False, len(items) > limit
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
                    "dest": self.state.reddit_account,
                    "first_message": None,
                    "first_message_name": None,
                    "replies": "",
                    "num_comments": None,
                }
            )
        return child
