"""Synthetic desk data for tests, screenshots and the benchmark. Bulk rows go in through executemany on a
core connection, which is what makes a million mentions take seconds rather than minutes."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from mentiondesk.platforms import PLATFORMS as REGISTERED

LABELS = ("complaint", "question", "praise", "other")
SENTIMENT_OF = {"complaint": "negative", "question": "neutral", "praise": "positive", "other": "neutral"}
# The first two registered platforms that can reply: what the desk benchmark has always measured.
PLATFORMS = tuple(platform.name for platform in REGISTERED if not platform.listen_only)[:2]
TEXTS = {
    "complaint": [
        "my order is late again and customer service never answers",
        "the app keeps crashing when I try to pay, really frustrating",
        "still waiting for my refund after two weeks",
        "delivery was late and the package arrived damaged",
        "customer service put me on hold for an hour",
        "the refund never arrived and support stopped replying",
    ],
    "question": [
        "does anyone know if the store is open on sunday?",
        "how do I change the delivery address on my order?",
        "is there a student discount?",
    ],
    "praise": [
        "love the new app update, checkout is so fast now",
        "thank you for the quick help with my order!",
        "best coffee in town, great service as always",
    ],
    "other": ["saw an ad on the train this morning", "their new logo looks different", "anyone at the expo?"],
}
REPLIES = {
    "complaint": "Sorry about that, {name}. Could you DM us your order number so we can sort it out today?",
    "question": "Hi {name}, good question! You can change it under Orders > Delivery before it ships.",
    "praise": "Thanks so much, {name}! We'll pass that on to the team.",
    "other": "Thanks for the mention, {name}!",
}

_MENTION_COLS = (
    "brand, platform, external_id, source, url, author_id, author_handle, author_name, author_followers, text, "
    "language, created_at, fetched_at, conversation_id, parent_id, found_via, is_own, label, sentiment, "
    "confidence, needs_review, urgency, route, route_reason, case_id"
)
_DRAFT_COLS = (
    "mention_id, open_mention_id, brand, platform, state, category, urgency, escalated, automated, text, "
    "original_text, template_key, policy_ok, policy_reasons, created_at, updated_at, approved_by, approved_at, "
    "sent_at, attempts, version"
)


def ts(value: datetime) -> str:
    """The text form SQLAlchemy stores for a UTC datetime on SQLite."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _batches(rows: Iterator[tuple[object, ...]], size: int = 20_000) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_authors(engine: Engine, n: int, *, platform_of: int = 2) -> int:
    """`n` authors user1..userN; returns the id of the first."""
    now = ts(datetime.now(UTC))
    rows = (
        (PLATFORMS[i % platform_of], f"user{i}", f"User {i}", (i * 37) % 50_000, now, now, 0) for i in range(1, n + 1)
    )
    with engine.begin() as conn:
        first = int(conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM author").scalar_one()) + 1
        for batch in _batches(rows):
            conn.exec_driver_sql(
                "INSERT INTO author (platform, handle, display_name, followers, first_seen, last_seen, "
                "mention_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
    return first


def bulk_mentions(
    engine: Engine,
    n: int,
    *,
    brand: str = "acme",
    days: int = 365,
    authors: int = 50_000,
    competitors: tuple[str, ...] = ("globex", "initech"),
    drafts_every: int = 10,
    pending_drafts: int = 0,
    seed: int = 7,
    end: datetime | None = None,
    first_author_id: int = 1,
    brand_name: str = "",
) -> None:
    """`n` mentions spread over `days` days, a sent reply for every `drafts_every`-th one, and
    `pending_drafts` drafted replies on the newest mentions. Expects `bulk_authors(engine, authors)` first."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()
    now = ts(end)

    def mention_rows() -> Iterator[tuple[object, ...]]:
        for i in range(n):
            label = rng.choices(LABELS, weights=(30, 25, 25, 20))[0]
            created = start + timedelta(seconds=span * i / n)
            author = rng.randrange(first_author_id, first_author_id + authors)
            platform = PLATFORMS[author % 2]
            via = "keyword" if i % 5 == 0 else "mention"
            text = rng.choice(TEXTS[label])
            if via == "keyword":
                text = f"{rng.choice((brand_name or brand,) + competitors)} {text}"
            yield (
                brand, platform, f"{brand}-b{i}", f"{platform}:{brand}", "", author, f"user{author}", f"User {author}",
                (author * 37) % 50_000, text, "en", ts(created), now, f"c{i // 3}", None, via, 0, label,
                SENTIMENT_OF[label], round(rng.uniform(0.55, 0.99), 2), 0,
                rng.randrange(0, 100), "draft", "", None,
            )  # fmt: skip

    placeholders = ", ".join("?" * 25)
    with engine.begin() as conn:
        first = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM mention").scalar_one()
        for batch in _batches(mention_rows()):
            conn.exec_driver_sql(f"INSERT INTO mention ({_MENTION_COLS}) VALUES ({placeholders})", batch)

    pending_from = n - pending_drafts

    def draft_rows() -> Iterator[tuple[object, ...]]:
        for i in range(n):
            pending = i >= pending_from
            if not pending and i % drafts_every:
                continue
            mention_id = first + 1 + i
            label = LABELS[i % 4]
            created = start + timedelta(seconds=span * i / n)
            text = REPLIES[label].format(name=f"@user{i}")
            if pending:
                yield (
                    mention_id, mention_id, brand, PLATFORMS[i % 2], "drafted", label, rng.randrange(0, 100),
                    0, 0, text, text, label, 1, "[]", ts(created + timedelta(minutes=1)),
                    ts(created + timedelta(minutes=1)), None, None, None, 0, 1,
                )  # fmt: skip
                continue
            automated = i % 3 == 0
            delay = timedelta(minutes=rng.randrange(1, 5) if automated else rng.randrange(5, 240))
            yield (
                mention_id, None, brand, PLATFORMS[i % 2], "sent", label, rng.randrange(0, 100), 0,
                int(automated), text, text, label, 1, "[]", ts(created), ts(created + delay),
                None if automated else "manager", None if automated else ts(created + delay),
                ts(created + delay), 1, 2,
            )  # fmt: skip

    placeholders = ", ".join("?" * 21)
    with engine.begin() as conn:
        for batch in _batches(draft_rows()):
            conn.exec_driver_sql(f"INSERT INTO draft ({_DRAFT_COLS}) VALUES ({placeholders})", batch)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def policy_reasons(reasons: list[str]) -> str:
    return json.dumps(reasons)


def seed_demo(engine: Engine, *, extra: list[str] | None = None, history: int = 0) -> object:
    """The built-in demo mentions (plus `extra` texts) through the real pipeline; returns the demo brands.
    `history` adds that many older synthetic mentions (with sent replies) so trends have a month to show."""
    from listener.replay import MemorySource
    from mentiondesk.demo import DEMO_BRAND_KEY, demo_brands, demo_mentions
    from mentiondesk.pipeline import Pipeline
    from rules.classifier import load_classifier

    brands = demo_brands()
    mentions = demo_mentions()
    if extra:
        import dataclasses

        template = mentions[0]
        now = datetime.now(UTC)
        for i, text in enumerate(extra):
            mentions.append(
                dataclasses.replace(
                    template,
                    external_id=f"extra{i}",
                    text=text,
                    author_handle=f"extra_{i}",
                    author_name=text[:40],
                    created_at=now - timedelta(minutes=5 + i),
                )
            )
    if history:
        first_author = bulk_authors(engine, 400)
        bulk_mentions(
            engine,
            history,
            brand=DEMO_BRAND_KEY,
            days=30,
            authors=400,
            competitors=("BeanCo", "Brewster's"),
            brand_name="Northwind Coffee",
            drafts_every=4,
            first_author_id=first_author,
            end=datetime.now(UTC) - timedelta(days=2),
        )
    pipeline = Pipeline(engine=engine, brands=brands, classifier=load_classifier(None))
    source = MemorySource(mentions, brand=DEMO_BRAND_KEY, name="demo:northwind", batch_size=100)
    while pipeline.poll(source, max_pages=10).fetched:
        pass
    return brands
