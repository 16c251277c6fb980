"""Search benchmark: the desk's /search page over 1,000,000 mentions (goal p95 <= 200 ms) on SQLite (FTS5).

The seeded texts come from a few dozen sentences, so every word of them matches a large share of the corpus:
the hard case for "newest first", not the easy one. Queries mix common words, two words, an author, words only
our replies hold, and each filter (brand, platform, label, tag, a recent and an old date range).

Run: python benchmarks/search.py [--mentions N] [--runs N] [--db FILE]"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from pydantic import SecretStr
from sqlalchemy import Engine, text

from mentiondesk.core.brands import Brand
from mentiondesk.settings import Settings
from mentiondesk.web.app import create_app
from mentiondesk.web.seed import bulk_authors, bulk_mentions
from mentiondesk.web.users import add_user
from storage.db import open_database, transaction

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BRAND = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex", "Initech"])


def queries(now: datetime) -> list[dict[str, str]]:
    recent = (now - timedelta(days=30)).date().isoformat()
    old_start, old_end = (now - timedelta(days=300)).date().isoformat(), (now - timedelta(days=290)).date().isoformat()
    return [
        {"q": "refund"},
        {"q": "order late"},
        {"q": "user4242"},
        {"q": "DM order number"},  # words of our replies
        {"q": "refund", "brand": "acme", "platform": "x"},
        {"q": "crashing", "label": "complaint"},
        {"q": "refund", "start": recent},
        {"q": "delivery", "start": old_start, "end": old_end},
        {"q": "", "tag": "vip"},
        {"q": "refund", "tag": "vip"},
        {"q": "nothing-matches-this"},
    ]


def seed(engine: Engine, mentions: int) -> None:
    first = bulk_authors(engine, 50_000)
    bulk_mentions(engine, mentions, first_author_id=first, brand_name="Acme", pending_drafts=1_000)
    tag_one_in_a_hundred(engine)


def tag_one_in_a_hundred(engine: Engine) -> None:
    """The tag the query mix filters on, on one mention in a hundred, spread over the year."""
    with engine.begin() as conn:
        # Through text(), which escapes the % for PostgreSQL's driver (exec_driver_sql passed it raw and psycopg
        # refused it as a placeholder).
        conn.execute(
            text(
                "INSERT INTO mention_tag (mention_id, tag, origin, added_by, added_at) "
                "SELECT id, 'vip', 'manual', 'bench', '2026-01-01 00:00:00' FROM mention WHERE id % 100 = 0"
            )
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="rounds over the query mix")
    parser.add_argument("--db", type=Path, default=None, help="reuse/keep this SQLite file")
    args = parser.parse_args()

    path = args.db or Path(tempfile.mkdtemp()) / "search-bench.db"
    fresh = not path.exists()
    engine = open_database(f"sqlite:///{path}")
    if fresh:
        start = time.perf_counter()
        seed(engine, args.mentions)
        with transaction(engine) as session:
            add_user(session, "bench", "manager", "bench-password")
        print(
            f"seeded {args.mentions:,} mentions (FTS5 kept by the insert triggers) "
            f"in {time.perf_counter() - start:.1f}s"
        )
    app = create_app(engine, {"acme": BRAND}, Settings(secret_key=SecretStr("bench")))
    client = TestClient(app)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"name": "bench", "password": "bench-password", "csrf_token": token})

    every = measure(client, args.runs, show_each=True)
    print(
        f"search page over {args.mentions:,} mentions: p50 {pct(every, 0.5):.1f} ms, p95 {pct(every, 0.95):.1f} ms "
        f"({len(every)} requests; goal p95 <= 200 ms)"
    )


def measure(client: TestClient, runs: int, *, show_each: bool = False) -> list[float]:
    """Milliseconds of every request of `runs` rounds over the query mix."""
    mix = queries(datetime.now(UTC))
    by_query: dict[str, list[float]] = {}
    for _ in range(runs):
        for params in mix:
            address = "/search?" + urlencode(params)
            began = time.perf_counter()
            response = client.get(address)
            took = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, (address, response.status_code)
            by_query.setdefault(urlencode(params), []).append(took)
    if show_each:
        for query, times in by_query.items():
            print(f"  {query or '(no words)':<50} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms")
    return [t for times in by_query.values() for t in times]


if __name__ == "__main__":
    main()
