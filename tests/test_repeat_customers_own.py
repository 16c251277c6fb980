"""Repeat customers count the brand's own mentions only: a post found by a competitor search belongs to someone
else's customer. On both databases the trends figure (from the trend_author rollup and from the rows) equals a
count made here over the own mentions, after a competitor post turns out to name the brand and back; and a
database that counted them before migration 0016 is corrected by it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.web import trends
from storage.db import alembic_config, transaction, upgrade
from storage.models import Author, Mention
from tests.conftest import migrated_engine

BRAND = Brand(key="acme", name="Acme", keywords=["acme"])
END = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
SPAN = (date(2026, 6, 20), date(2026, 6, 30))


@pytest.fixture(params=["sqlite", "postgres"])
def engine_at_0015(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database as migration 0015 left it: trend_author still counting competitor-search posts."""
    with migrated_engine(request.param, tmp_path, "0015") as engine:
        yield engine


def seed(engine: Engine) -> dict[str, int]:
    """Three people. Ann wrote to us three times. Bob wrote to us once and twice about a competitor (found by
    its search): not a repeat customer. Cy only ever posted about the competitor."""
    with transaction(engine) as session:
        people = {h: Author(platform="x", handle=h) for h in ("ann", "bob", "cy")}
        session.add_all(people.values())
        session.flush()
        posts = [("ann", "mention"), ("ann", "keyword"), ("ann", "reply"), ("bob", "mention"),
                 ("bob", "competitor"), ("bob", "competitor"), ("cy", "competitor"), ("cy", "competitor"),
                 ("cy", "competitor")]  # fmt: skip
        for i, (handle, found_via) in enumerate(posts):
            session.add(
                Mention(
                    brand="acme", platform="x", external_id=f"p{i}", author_id=people[handle].id,
                    author_handle=handle, text="acme or globex?", created_at=END - timedelta(days=1, hours=i),
                    found_via=found_via,
                )
            )  # fmt: skip
        return {h: a.id or 0 for h, a in people.items()}


def own_count(engine: Engine) -> tuple[int, int, list[tuple[str, int]]]:
    """Repeat customers counted here, from the rows: authors with 2+ own mentions in the range."""
    lo = datetime.combine(SPAN[0], datetime.min.time(), UTC)
    hi = datetime.combine(SPAN[1] + timedelta(days=1), datetime.min.time(), UTC)
    with Session(engine) as session:
        rows = session.exec(
            select(Mention.author_handle, Mention.found_via).where(
                Mention.brand == "acme", col(Mention.created_at) >= lo, col(Mention.created_at) < hi
            )
        ).all()
    per = Counter(h for h, f in rows if f != "competitor")
    repeat = sorted(((h, n) for h, n in per.items() if n >= 2), key=lambda hn: (-hn[1], hn[0]))
    return len(repeat), sum(n for _, n in repeat), repeat


def shown(engine: Engine, *, rollups: bool) -> tuple[int, int, list[tuple[str, int]]]:
    with Session(engine) as session:
        r = trends.report(session, {"acme": BRAND}, "acme", *SPAN, rollups=rollups)
    return r.repeat_authors, r.repeat_mentions, r.top_repeat


def test_migration_0016_corrects_repeat_customers_and_they_stay_own_mentions(engine_at_0015: Engine) -> None:
    engine = engine_at_0015
    people = seed(engine)
    # As 0014 counted: Bob (3) and Cy (3) look like repeat customers.
    assert shown(engine, rollups=True)[0] == 3

    upgrade(engine)
    assert own_count(engine) == (1, 3, [("ann", 3)])
    assert shown(engine, rollups=True) == own_count(engine) == shown(engine, rollups=False)

    with transaction(engine) as session:  # a competitor-search post turns out to be addressed to us
        session.execute(
            update(Mention)
            .where(col(Mention.author_id) == people["bob"], col(Mention.found_via) == "competitor")
            .values(found_via="keyword")
        )
    assert own_count(engine) == (2, 6, [("ann", 3), ("bob", 3)])
    assert shown(engine, rollups=True) == own_count(engine) == shown(engine, rollups=False)

    with transaction(engine) as session:  # and one row at a time back (SQLite's row trigger, PostgreSQL's statement)
        for m in session.exec(select(Mention).where(Mention.author_id == people["bob"])).all():
            if m.found_via == "keyword":
                m.found_via = "competitor"
                break
        session.add(Mention(brand="acme", platform="x", external_id="late", author_id=people["cy"],
                            author_handle="cy", text="acme?", created_at=END - timedelta(hours=2),
                            found_via="competitor"))  # fmt: skip
    assert own_count(engine) == (2, 5, [("ann", 3), ("bob", 2)])
    assert shown(engine, rollups=True) == own_count(engine) == shown(engine, rollups=False)

    command.downgrade(alembic_config(engine), "0015")  # restores the old count, rebuilt from the rows
    assert shown(engine, rollups=True)[0] == 3
