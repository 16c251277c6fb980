"""Requests per poll against the platform simulator for a backlog of mentions, through the real poller.

    python benchmarks/polling.py [--backlog 1000] [--seed 1]

Every source is polled once to set its cursor, the backlog is posted on every platform (X, Reddit, Mastodon,
Bluesky, Hacker News), then every source is polled again. Per source it prints the mentions fetched, the HTTP
requests that cost (counted by the source and by the simulator) and the bound ceil(new/page)+1 (a page is 100
items, 40 on Mastodon), and checks that no mention was fetched twice. Exit status 1 when a bound or the
no-duplicates rule is broken."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from listener.base import Batch, Source
from listener.poller import Poller
from listener.simulator import Simulator
from mentiondesk.core.brands import parse_brands
from mentiondesk.platforms import build_sources
from mentiondesk.settings import Settings
from storage.db import open_database

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]
reddit = { subreddits = ["acme", "gadgets"], search_sitewide = true }

[brands.acme.handles]
x = ["acme"]
reddit = ["acme_support"]
mastodon = ["acme"]
bluesky = ["acme.bsky.social"]
hackernews = []
"""


NETWORKS = ("x", "reddit", "mastodon", "bluesky", "hackernews")
PAGE = {"mastodon": 40}  # items per page where a platform serves fewer than 100


class Watched:
    """Passes fetches through to a source and remembers every id it handed out (to find duplicates)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.name, self.platform, self.brand = source.name, source.platform, source.brand
        self.ids: Counter[str] = Counter()
        self.listed = 0  # items seen on the platform's pages, matched or not

    def fetch(self, cursor: str | None) -> Batch:
        batch = self.source.fetch(cursor)
        self.ids.update(m.external_id for m in batch.mentions)
        return batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backlog", type=int, default=1000, help="mentions posted on each platform")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        Simulator.start(
            brand_handles={
                "x": ["acme"],
                "reddit": ["acme_support"],
                "mastodon": ["acme"],
                "bluesky": ["acme.bsky.social"],
            },
            keywords=["acme"],
            subreddits=["acme", "gadgets"],
            seed=args.seed,
            x_rate_limit=10_000,
            reddit_rate_limit=10_000,
        ) as sim,
    ):
        env = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
        settings = Settings(_env_file=None, database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", **env)  # type: ignore[call-arg, arg-type]
        engine = open_database(settings.database_url)
        poller = Poller(engine)
        sources = [Watched(s) for s in build_sources(parse_brands(BRANDS), settings)]

        for source in sources:  # first poll: cursors (and the X handle lookup)
            poller.poll(source)
        before = len(sim.requests())
        for platform in NETWORKS:
            sim.add_mentions(args.backlog, platform=platform)
        for source in sources:
            source.ids.clear()

        print(f"Backlog: {args.backlog} new mentions on each of {', '.join(NETWORKS)} (mixed kinds)\n")
        print(f"{'source':36} {'fetched':>8} {'stored':>7} {'requests':>9} {'bound':>6} {'dupes':>6}  seconds")
        failures = 0
        total_requests = 0
        for source in sources:
            started = time.perf_counter()
            outcome = poller.poll(source, max_pages=1000)
            seconds = time.perf_counter() - started
            fetched = sum(source.ids.values())
            bound = math.ceil(fetched / PAGE.get(source.platform, 100)) + 1
            dupes = sum(n - 1 for n in source.ids.values() if n > 1)
            ok = outcome.status == "ok" and outcome.requests <= bound and dupes == 0
            failures += not ok
            total_requests += outcome.requests
            flag = "" if ok else "  <-- FAIL"
            print(
                f"{source.name:36} {fetched:>8} {outcome.stored:>7} {outcome.requests:>9} {bound:>6} {dupes:>6}"
                f"  {seconds:6.2f}{flag}"
            )
        served = len(sim.requests()) - before
        print(f"\nRequests counted by the sources: {total_requests}; answered by the simulator: {served}")
        print("OK" if failures == 0 and served == total_requests else "FAILED")
        engine.dispose()
        return 0 if failures == 0 and served == total_requests else 1


if __name__ == "__main__":
    sys.exit(main())
