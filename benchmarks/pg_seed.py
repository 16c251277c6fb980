"""Synthetic desk data written to PostgreSQL with COPY (psycopg): a million mentions in about a minute, where
row-by-row inserts would take most of an hour. The same shape as mentiondesk/web/seed.py writes on SQLite:
mentions spread over `days`, a sent reply for every tenth, `pending` drafted replies on the newest.

Also a throwaway schema per run, so a benchmark never touches anyone else's tables."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from mentiondesk.web.seed import LABELS, PLATFORMS, REPLIES, SENTIMENT_OF, TEXTS
from storage.db import make_engine, upgrade

MENTION_COLUMNS = (
    "id, brand, platform, external_id, source, url, author_id, author_handle, author_name, author_followers, text, "
    "language, created_at, fetched_at, conversation_id, parent_id, found_via, is_own, label, sentiment, "
    "confidence, needs_review, urgency, route, route_reason"
)
DRAFT_COLUMNS = (
    "mention_id, open_mention_id, brand, platform, state, category, urgency, escalated, automated, text, "
    "original_text, template_key, policy_ok, policy_reasons, created_at, updated_at, approved_by, approved_at, "
    "sent_at, attempts, version"
)


@contextmanager
def scratch_schema(url: str, *, keep: str | None = None) -> Iterator[Engine]:
    """An engine whose search_path is a new schema (migrated), dropped afterwards; `keep` names a schema to
    reuse and leave in place instead."""
    admin = make_engine(url)
    schema = keep or f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    sep = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{sep}options=-csearch_path%3D{schema}", pool_size=10)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        if keep is None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _copy(engine: Engine, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> int:
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert isinstance(conn, psycopg.Connection)
        written = 0
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        conn.commit()
        return written
    finally:
        raw.close()


def authors(engine: Engine, n: int) -> None:
    now = datetime.now(UTC)
    rows = ((i, PLATFORMS[i % 2], f"user{i}", f"User {i}", (i * 37) % 50_000, now, now, 0) for i in range(1, n + 1))
    _copy(engine, "author", "id, platform, handle, display_name, followers, first_seen, last_seen, mention_count", rows)
    _resync(engine, "author")


def mentions(
    engine: Engine,
    n: int,
    *,
    brands: tuple[str, ...] = ("acme",),
    days: int = 365,
    authors: int = 50_000,
    competitors: tuple[str, ...] = ("globex", "initech"),
    pending: int = 0,
    drafts_every: int = 10,
    seed: int = 7,
) -> None:
    rng = random.Random(seed)
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()

    def mention_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(n):
            label = rng.choices(LABELS, weights=(30, 25, 25, 20))[0]
            author = rng.randrange(1, authors + 1)
            brand = brands[i % len(brands)]
            platform = PLATFORMS[author % 2]
            via = "keyword" if i % 5 == 0 else "mention"
            body = rng.choice(TEXTS[label])
            if via == "keyword":
                body = f"{rng.choice((brand, *competitors))} {body}"
            yield (
                i + 1, brand, platform, f"{brand}-b{i}", f"{platform}:{brand}", "", author, f"user{author}",
                f"User {author}", (author * 37) % 50_000, body, "en", start + timedelta(seconds=span * i / n), end,
                f"c{i // 3}", None, via, False, label, SENTIMENT_OF[label], round(rng.uniform(0.55, 0.99), 2), False,
                rng.randrange(0, 100), "draft", "",
            )  # fmt: skip

    def draft_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(n):
            is_pending = i >= n - pending
            if not is_pending and i % drafts_every:
                continue
            label = LABELS[i % 4]
            created = start + timedelta(seconds=span * i / n)
            body = REPLIES[label].format(name=f"@user{i}")
            brand = brands[i % len(brands)]
            if is_pending:
                at = created + timedelta(minutes=1)
                yield (
                    i + 1, i + 1, brand, PLATFORMS[i % 2], "drafted", label, rng.randrange(0, 100), False, False,
                    body, body, label, True, "[]", at, at, None, None, None, 0, 1,
                )  # fmt: skip
                continue
            automated = i % 3 == 0
            sent = created + timedelta(minutes=rng.randrange(1, 5) if automated else rng.randrange(5, 240))
            yield (
                i + 1, None, brand, PLATFORMS[i % 2], "sent", label, rng.randrange(0, 100), False, automated, body,
                body, label, True, "[]", created, sent, None if automated else "manager",
                None if automated else sent, sent, 1, 2,
            )  # fmt: skip

    _copy(engine, "mention", MENTION_COLUMNS, mention_rows())
    _resync(engine, "mention")
    _copy(engine, "draft", DRAFT_COLUMNS, draft_rows())
    settle(engine)


def _resync(engine: Engine, table: str) -> None:
    """Explicit ids leave the id sequence behind: move it past them."""
    with engine.begin() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def settle(engine: Engine) -> None:
    """What autovacuum would do a while after a bulk load: statistics, and the visibility map that lets
    PostgreSQL answer counts from an index alone."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM (ANALYZE) mention"))
        conn.execute(text("VACUUM (ANALYZE) draft"))
        conn.execute(text("VACUUM (ANALYZE) author"))
        # Filled by the COPY's triggers.
        for rollup in ("trend_day", "trend_reply", "trend_voice", "trend_author", "trend_author_month"):
            conn.execute(text(f"VACUUM (ANALYZE) {rollup}"))
