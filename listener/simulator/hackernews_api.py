"""The Algolia HN Search API as Mention Desk uses it: GET /api/v1/search_by_date with `query` (every word must
match, the last as a prefix, as Algolia does), `tags` (`story`, `comment`, `(story,comment)`),
`numericFilters` on `created_at_i`, `hitsPerPage` and `page`; newest first; at most 1,000 hits per query
(Algolia's error beyond); a 429 after 10,000 requests an hour; errors as `{"message", "status"}`. Items can
be posted with a time in the past, as Algolia indexes some items late."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

from listener.simulator.faults import Fault
from listener.simulator.http import SimHandler
from listener.simulator.network import DemoShare, SimNetwork, WorldOptions
from listener.simulator.state import RateWindow, SimState
from listener.simulator.store import OrderedIndex

PLATFORM = "hackernews"
MAX_HITS = 1000
# An item's place in the index: newest first is by time, then id, as search_by_date orders its hits.
_ID_SPAN = 10**12
_FILTER = re.compile(r"^\s*created_at_i\s*(>=|<=|>|<|=)\s*(\d+)\s*$")


@dataclass
class HackerNewsWorld:
    keywords: list[str]
    items: list[dict[str, Any]] = field(default_factory=list)
    window: RateWindow = field(default_factory=lambda: RateWindow(limit=10_000, seconds=3600))
    stories: list[int] = field(default_factory=list)
    _next_id: int = 46_100_000
    # By objectID, and in the order search_by_date lists them (listener/simulator/store.py).
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_time: OrderedIndex[dict[str, Any]] = field(default_factory=OrderedIndex)


def _add(world: HackerNewsWorld, item: dict[str, Any]) -> None:
    world.items.append(item)
    world.by_id[item["objectID"]] = item
    world.by_time.add(_place(item["created_at_i"], int(item["objectID"])), item)


def _place(created_at_i: int, item_id: int) -> int:
    return created_at_i * _ID_SPAN + item_id


def _time_range(bounds: list[tuple[str, int]]) -> tuple[int | None, int | None]:
    """The places (exclusive) between which items meet every created_at_i bound: (above, below)."""
    above: int | None = None
    below: int | None = None
    for op, value in bounds:
        if op in (">", ">=", "="):
            low = _place(value + 1 if op == ">" else value, 0) - 1
            above = low if above is None else max(above, low)
        if op in ("<", "<=", "="):
            high = _place(value + 1 if op in ("<=", "=") else value, 0)
            below = high if below is None else min(below, high)
    return above, below


def make_world(state: SimState, options: WorldOptions) -> HackerNewsWorld:
    """The index for one simulator, with a story to comment on."""
    world = HackerNewsWorld(keywords=state.keywords)
    post_story(world, "Show HN: A tiny text editor in one file", author="dang_fan", at=time.time() - 3600)
    return world


def _iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_id(world: HackerNewsWorld) -> str:
    world._next_id += 1 + len(world.items) % 7
    return str(world._next_id)


def post_story(
    world: HackerNewsWorld, title: str, *, author: str, text: str = "", url: str = "", at: float | None = None
) -> str:
    moment = int(at if at is not None else time.time())
    item_id = _new_id(world)
    item: dict[str, Any] = {
        "_tags": ["story", f"author_{author}", f"story_{item_id}"],
        "author": author,
        "children": [],
        "created_at": _iso(moment),
        "created_at_i": moment,
        "num_comments": 0,
        "objectID": item_id,
        "points": 1,
        "story_id": int(item_id),
        "title": title,
        "updated_at": _iso(moment),
    }
    if url:
        item["url"] = url
    else:
        item["_tags"].insert(1, "ask_hn" if title.startswith("Ask HN") else "show_hn")
        item["story_text"] = _html(text)
    _add(world, item)
    world.stories.append(int(item_id))
    return item_id


def post_comment(
    world: HackerNewsWorld, text: str, *, author: str, story: int | None = None, at: float | None = None
) -> str:
    moment = int(at if at is not None else time.time())
    story_id = story or world.stories[-1]
    parent = world.by_id[str(story_id)]
    item_id = _new_id(world)
    _add(
        world,
        {
            "_tags": ["comment", f"author_{author}", f"story_{story_id}"],
            "author": author,
            "children": [],
            "comment_text": _html(text),
            "created_at": _iso(moment),
            "created_at_i": moment,
            "objectID": item_id,
            "parent_id": story_id,
            "points": None,
            "story_id": story_id,
            "story_title": parent["title"],
            "story_url": parent.get("url"),
            "updated_at": _iso(moment),
        },
    )
    parent["num_comments"] += 1
    parent["children"].append(int(item_id))
    return item_id


def _html(text: str) -> str:
    """HN's comment HTML: entities escaped, paragraphs joined by <p> (never closed)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
    escaped = escaped.replace('"', "&quot;")
    return "<p>".join(p.replace("\n", " ") for p in escaped.split("\n\n"))


def add_mentions(state: SimState, world: HackerNewsWorld, n: int, kind: str = "mixed") -> list[str]:
    """Stories and comments naming a keyword; about one in six posted as if indexed late (minutes old)."""
    ids: list[str] = []
    rng = state.rng
    for _ in range(n):
        keyword = rng.choice(world.keywords) if world.keywords else "acme"
        body = state.corpus.text(keyword.lstrip("#"), "thread")
        if keyword.lstrip("#").lower() not in body.lower():
            body = f"{body} ({keyword.lstrip('#')})"
        author = f"{rng.choice(['tptacek', 'pg_fan', 'throwaway', 'jsmith', 'kqr', 'nl'])}{rng.randint(1, 999)}"
        at = time.time() - (rng.randint(60, 400) if rng.random() < 0.16 else 0)
        if rng.random() < 0.25:
            ids.append(post_story(world, body[:80].split("\n")[0], author=author, text=body, at=at))
        else:
            ids.append(post_comment(world, body, author=author, at=at))
    return ids


# --- HTTP ---------------------------------------------------------------------------------------------


def _error(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "status": status}


def _matches_query(item: dict[str, Any], words: list[str]) -> bool:
    text = " ".join(str(item.get(k) or "") for k in ("title", "story_text", "comment_text", "url", "author"))
    tokens = re.findall(r"\w+", text.lower())
    for index, word in enumerate(words):
        last = index == len(words) - 1
        if not any(t == word or (last and t.startswith(word)) for t in tokens):
            return False
    return True


def _matches_tags(item: dict[str, Any], tags: str) -> bool:
    for part in (p for p in re.split(r",(?![^(]*\))", tags) if p):
        options = part.strip("()").split(",")
        if not any(o in item["_tags"] for o in options):
            return False
    return True


class HackerNewsHandler(SimHandler):
    platform = PLATFORM

    @property
    def world(self) -> HackerNewsWorld:
        return cast(HackerNewsWorld, self.state.worlds[self.platform])

    def fault_response(self, fault: Fault) -> bool:
        if fault.kind == "rate_limit":
            self.send_json(429, _error(429, "Too Many Requests"))
        elif fault.kind == "unavailable":
            self.send_json(503, _error(503, "Service Unavailable"))
        elif fault.kind in ("forbidden", "tier", "unauthorized"):
            self.send_json(403, _error(403, "Method not allowed with this API key"))
        else:
            return False
        return True

    def handle_api(self, method: str, fault: Fault | None) -> None:
        if method != "GET" or self.route.rstrip("/") != "/api/v1/search_by_date":
            self.send_json(404, _error(404, "Not Found"))
            return
        with self.state.lock:
            if not self.world.window.hit():
                self.send_json(429, _error(429, "Too Many Requests"))
                return
            status, payload = self._search()
        if fault and fault.kind == "malformed" and payload.get("hits"):
            payload["hits"][len(payload["hits"]) // 2].pop("created_at_i", None)
        self.send_json(status, payload)

    def _search(self) -> tuple[int, dict[str, Any]]:
        query = self.query.get("query", "")
        tags = self.query.get("tags", "")
        try:
            per_page = min(max(int(self.query.get("hitsPerPage", "20")), 0), 1000)
            page_no = max(int(self.query.get("page", "0")), 0)
        except ValueError:
            return 400, _error(400, "Invalid value for hitsPerPage or page")
        bounds: list[tuple[str, int]] = []
        for part in (p for p in self.query.get("numericFilters", "").split(",") if p.strip()):
            match = _FILTER.match(part)
            if not match:
                return 400, _error(400, f"invalid numeric filter: {part}")
            bounds.append((match.group(1), int(match.group(2))))
        if per_page and page_no * per_page >= MAX_HITS:
            return 400, _error(
                400,
                "you can only fetch the 1000 hits for this query. You can extend the number of hits returned via "
                "the paginationLimitedTo index parameter or use the browse method.",
            )
        words = re.findall(r"\w+", query.lower())
        above, below = _time_range(bounds)
        # Every hit inside the time bounds is counted (nbHits), so a request costs the items in its bounds.
        found = [
            item
            for _, item in self.world.by_time.newest_first(below=below, above=above)
            if _matches_tags(item, tags) and _matches_query(item, words)
        ]
        reachable = found[:MAX_HITS]
        hits = [dict(i) for i in reachable[page_no * per_page : (page_no + 1) * per_page]] if per_page else []
        pages = -(-len(reachable) // per_page) if per_page else 0
        return 200, {
            "exhaustive": {"nbHits": True, "typo": True},
            "exhaustiveNbHits": True,
            "exhaustiveTypo": True,
            "hits": hits,
            "hitsPerPage": per_page,
            "nbHits": len(found),
            "nbPages": pages,
            "page": page_no,
            "params": urlencode(self.query),
            "processingTimeMS": 1,
            "query": query,
            "serverTimeMS": 2,
        }


def post_demo(sim: Any, item: Any) -> str:
    """One built-in demo mention as an HN comment (a story for a long one), indexed now: HN has no @mentions,
    every item is read by keyword."""
    world: HackerNewsWorld = sim.hackernews
    with sim.state.lock:
        author = item.author.replace(".", "_")[:15]
        if len(item.text) > 200:
            return post_story(world, item.text.split("\n")[0][:80], author=author, text=item.text)
        return post_comment(world, item.text, author=author)


NETWORK = SimNetwork(
    name=PLATFORM,
    handler=HackerNewsHandler,
    make_world=make_world,
    add_mentions=add_mentions,
    env=lambda world, base_url, scratch: {"MENTIONDESK_HN_BASE_URL": base_url},
    # In the demo: some of the short posts found by keyword (HN has no @mentions).
    demo_share=DemoShare(style="post", slots=frozenset({1, 7}), via=frozenset({"keyword"})),
)
