"""How long the platform simulator takes to answer the requests `mentiondesk run` sends, once it holds a crisis's
worth of posts (100,000 by default, split between X and Reddit as benchmarks/crisis.py releases them).

    python benchmarks/simulator.py [--posts 100000] [--x-share 0.6] [--requests 20]

Per request kind it prints p50/p95/max in milliseconds over `--requests` calls over HTTP: a settled poll (since
the newest id but a few hundred), a first read (no cursor), paging back through the backlog (page tokens,
`after=`), and the keyword searches. Each timing includes the HTTP round trip and the JSON of a full page."""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from listener.simulator import Simulator

HANDLES = {"x": ["acme", "globex", "initech"], "reddit": ["acme_support"]}
KEYWORDS = ["acme", "globex", "initech"]


def call(url: str, headers: dict[str, str], data: bytes | None = None) -> Any:
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def timed(name: str, requests: int, send: Callable[[int], Any]) -> None:
    times: list[float] = []
    for turn in range(requests):
        begin = time.perf_counter()
        send(turn)
        times.append((time.perf_counter() - begin) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"  {name:<44} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  max {max(times):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--x-share", type=float, default=0.6)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    with Simulator.start(
        brand_handles=HANDLES,
        keywords=KEYWORDS,
        seed=args.seed,
        subreddits=["acme"],
        x_rate_limit=10**9,
        reddit_rate_limit=10**9,
    ) as sim:
        x_posts = round(args.posts * args.x_share)
        begin = time.perf_counter()
        x_ids = sim.add_mentions(x_posts, platform="x")
        reddit_ids = sim.add_mentions(args.posts - x_posts, platform="reddit")
        took = time.perf_counter() - begin
        print(
            f"posted {len(x_ids):,} tweets and {len(reddit_ids):,} Reddit things in {took:.1f} s "
            f"({len(x_ids) + len(reddit_ids):,.0f} posts, {(len(x_ids) + len(reddit_ids)) / took:,.0f}/s)"
        )
        x_requests(sim, x_ids, args.requests)
        reddit_requests(sim, reddit_ids, args.requests)


def walk_back(older: Callable[[str], str], first: str, pages: int) -> list[str]:
    """The page tokens (or `after=` names) of the first `pages` pages going back from `first`."""
    found = [first]
    while len(found) < pages:
        found.append(older(found[-1]))
    return found


def x_requests(sim: Simulator, ids: list[str], requests: int) -> None:
    base, auth = sim.base_url("x"), {"Authorization": "Bearer sim"}
    user = call(f"{base}/2/users/by/username/acme", auth)["data"]["id"]
    settled = ids[-300]  # a poll ten seconds after the last, at crisis rate
    fields = {"tweet.fields": "created_at,lang,entities,referenced_tweets", "expansions": "author_id"}
    print(f"X ({len(ids):,} tweets):")

    def get(path: str, **query: str) -> Any:
        return call(f"{base}{path}?{urlencode({**fields, 'max_results': '100', **query})}", auth)

    timed("mentions, since the newest but 300", requests, lambda _: get(f"/2/users/{user}/mentions", since_id=settled))
    timed("mentions, first read", requests, lambda _: get(f"/2/users/{user}/mentions"))
    tokens = walk_back(
        lambda token: get(f"/2/users/{user}/mentions", pagination_token=token)["meta"]["next_token"],
        get(f"/2/users/{user}/mentions")["meta"]["next_token"],
        requests,
    )
    timed(
        "mentions, paging back", requests, lambda turn: get(f"/2/users/{user}/mentions", pagination_token=tokens[turn])
    )
    query = "(acme OR globex OR initech) -is:retweet"
    timed(
        "search, since the newest but 300",
        requests,
        lambda _: get("/2/tweets/search/recent", query=query, since_id=settled),
    )
    timed("search, first read", requests, lambda _: get("/2/tweets/search/recent", query=query))
    timed(
        "search, a word no tweet has, since newest-300",
        requests,
        lambda _: get("/2/tweets/search/recent", query="zyzzyva", since_id=settled),
    )
    # No index narrows a search: with no cursor it reads every tweet (X's own bound is seven days).
    timed(
        "search, a word no tweet has, first read", requests, lambda _: get("/2/tweets/search/recent", query="zyzzyva")
    )


def reddit_requests(sim: Simulator, names: list[str], requests: int) -> None:
    base = sim.base_url("reddit")
    token = call(
        f"{base}/api/v1/access_token",
        {"Authorization": "Basic c2ltOnNpbQ==", "Content-Type": "application/x-www-form-urlencoded"},
        b"grant_type=password&username=acme_support&password=sim",
    )["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    print(f"Reddit ({len(names):,} posts and comments):")

    def get(path: str, **query: str) -> Any:
        return call(f"{base}{path}?{urlencode({'limit': '100', 'raw_json': '1', **query})}", auth)

    def listing(path: str) -> None:
        timed(f"{path}, newest page", requests, lambda _: get(path))
        afters = walk_back(lambda after: get(path, after=after)["data"]["after"], get(path)["data"]["after"], requests)
        timed(f"{path}, paging back (after=)", requests, lambda turn: get(path, after=afters[turn]))

    for path in ("/r/acme/new", "/r/acme/comments", "/message/mentions"):
        listing(path)
    timed(
        "/r/acme/search?q=acme, newest page",
        requests,
        lambda _: get("/r/acme/search", q="acme", sort="new", restrict_sr="on"),
    )


if __name__ == "__main__":
    main()
