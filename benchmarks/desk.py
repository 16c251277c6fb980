"""Desk benchmark: the queue page with 100,000 pending drafts (goal p95 <= 100 ms) and the trends page over
1,000,000 mentions (goal <= 300 ms), on SQLite (default) or PostgreSQL (--database-url, seeded with COPY into a
throwaway schema that is dropped afterwards).

Run: python benchmarks/desk.py [--mentions N] [--pending N] [--database-url postgresql://user@host:5432/db]"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pg_seed
from pydantic import SecretStr
from sqlalchemy import Engine

from mentiondesk.core.brands import Brand
from mentiondesk.settings import Settings
from mentiondesk.web.app import create_app
from mentiondesk.web.seed import bulk_authors, bulk_mentions
from mentiondesk.web.users import add_user
from storage.db import open_database, transaction
from storage.models import utcnow

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


BRAND = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex", "Initech"])


def timed(client: TestClient, path: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--db", type=Path, default=None, help="reuse/keep this SQLite file")
    parser.add_argument("--database-url", default=None, help="PostgreSQL: postgresql://user@host:5432/db")
    parser.add_argument("--keep-schema", default=None, help="PostgreSQL: seed (once) and keep this schema")
    args = parser.parse_args()

    with database(args) as (engine, fresh):
        if fresh:
            start = time.perf_counter()
            seed(engine, args)
            with transaction(engine) as session:
                add_user(session, "bench", "manager", "bench-password")
            took = time.perf_counter() - start
            print(f"seeded {args.mentions:,} mentions, {args.pending:,} pending drafts in {took:.1f}s")
        measure(engine, args)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[Engine, bool]]:
    if args.database_url:
        with pg_seed.scratch_schema(args.database_url, keep=args.keep_schema) as engine:
            with engine.connect() as conn:
                fresh = conn.exec_driver_sql("SELECT count(*) FROM desk_user").scalar_one() == 0
            print(f"PostgreSQL {engine.url.host}/{engine.url.database}, {engine.url.query.get('options', '')}")
            yield engine, fresh
        return
    path = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    fresh = not path.exists()
    yield open_database(f"sqlite:///{path}"), fresh


def seed(engine: Engine, args: argparse.Namespace) -> None:
    if engine.dialect.name == "postgresql":
        pg_seed.authors(engine, 50_000)
        pg_seed.mentions(engine, args.mentions, brands=("acme",), competitors=("Globex", "Initech"),
                         pending=args.pending)  # fmt: skip
        return
    first = bulk_authors(engine, 50_000)
    bulk_mentions(
        engine, args.mentions, brand="acme", brand_name="Acme", days=365, first_author_id=first,
        pending_drafts=args.pending,
    )  # fmt: skip


def measure(engine: Engine, args: argparse.Namespace) -> None:
    app = create_app(engine, {"acme": BRAND}, Settings(secret_key=SecretStr("bench")))
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"name": "bench", "password": "bench-password", "csrf_token": token.group(1)})

    queue = timed(client, "/queue", 5) and timed(client, "/queue", args.runs)
    verdict = "meets" if pct(queue, 0.95) <= 100 else "MISSES"
    print(
        f"queue page  ({args.pending:,} pending): p50 {pct(queue, 0.5):6.1f} ms  p95 {pct(queue, 0.95):6.1f} ms"
        f"   ({verdict} the p95 <= 100 ms goal)"
    )
    filtered = timed(client, "/queue?category=complaint&min_urgency=50&page=3", args.runs)
    print(f"queue page  (filtered, page 3):     p50 {pct(filtered, 0.5):6.1f} ms  p95 {pct(filtered, 0.95):6.1f} ms")
    api = timed(client, "/api/queue?limit=50", args.runs)
    print(f"GET /api/queue:                     p50 {pct(api, 0.5):6.1f} ms  p95 {pct(api, 0.95):6.1f} ms")

    today = utcnow().date()
    for days in (30, 90, 365):
        first_day = today - timedelta(days=days - 1)
        url = f"/trends?brand=acme&start={first_day}&end={today}"
        runs = timed(client, url, 5)
        verdict = "meets" if statistics.median(runs) <= 300 else "MISSES"
        print(
            f"trends page ({days:>3} days of {args.mentions:,}): median {statistics.median(runs):7.1f} ms  "
            f"min {min(runs):7.1f} ms   ({verdict} the 300 ms goal)"
        )


if __name__ == "__main__":
    main()
