"""The trend rollups on each database (SQLite row triggers, PostgreSQL statement triggers): the trends page read
from them equals the figures aggregated from the rows, after inserts in bulk, relabels, edits, moves, deletions
and late replies, and after retention deleted old rows (whose counts stay)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, delete, text, update
from sqlmodel import Session, col, select

from mentiondesk.core.brands import Brand
from mentiondesk.web import trend_rollups, trends
from storage import web_models
from storage.db import transaction
from storage.lifecycle import expire_brand
from storage.models import Author, Draft, DraftState, Mention
from tests.test_web_trends_api import _same

BRAND = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex", "Initech"])
END = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
SPAN = (date(2026, 6, 18), date(2026, 6, 30))
LABELS = [("complaint", "negative"), ("praise", "positive"), ("question", "neutral"), (None, None)]
TEXTS = ["acme is late again", "Globex beats acme", "initech and GLOBEX", "love it", "ACME refund please"]


def seed(engine: Engine, n: int = 540) -> None:
    rng = random.Random(5)
    with transaction(engine) as session:
        authors = [Author(platform="x", handle=f"a{i}") for i in range(12)]
        session.add_all(authors)
        session.flush()
        mentions = []
        for i in range(n):
            label, sentiment = rng.choice(LABELS)
            mentions.append(
                Mention(
                    brand="acme", platform=rng.choice(["x", "reddit"]), external_id=f"t{i}",
                    author_id=authors[i % 12].id, author_handle=f"a{i % 12}", text=rng.choice(TEXTS),
                    created_at=END - timedelta(days=rng.uniform(0, 14)),
                    found_via=rng.choice(["keyword", "mention", "competitor"]),
                    label=label, sentiment=sentiment,
                )
            )  # fmt: skip
        session.add_all(mentions)
        session.flush()
        for m in mentions[::3]:
            session.add(
                Draft(
                    mention_id=m.id or 0, brand="acme", platform=m.platform, category="complaint", text="t",
                    original_text="t", state=DraftState.SENT, automated=rng.random() < 0.3,
                    sent_at=m.created_at + timedelta(minutes=rng.choice([1, 59.99999, 60, 61, 300, 1441])),
                )
            )  # fmt: skip


def compare(engine: Engine, brand: Brand = BRAND) -> trends.TrendReport:
    with Session(engine) as session:
        direct = trends.report(session, {"acme": brand}, "acme", *SPAN, rollups=False)
        rolled = trends.report(session, {"acme": brand}, "acme", *SPAN, rollups=True)
    _same(direct, rolled)
    return rolled


def test_rollups_match_the_rows_through_every_kind_of_change(any_engine: Engine) -> None:
    with any_engine.connect() as conn:
        assert web_models.installed(conn)
    with any_engine.begin() as conn:  # terms known before the rows: counted by the insert triggers
        web_models.sync_terms(conn, [("acme", "Acme"), ("acme", "Globex")])
    seed(any_engine)
    with any_engine.begin() as conn:  # a term added later: counted over the stored rows once
        web_models.sync_terms(conn, [("acme", "Acme"), ("acme", "Globex"), ("acme", "Initech")])
    first = compare(any_engine)
    assert first.total > 300 and first.response.human_count > 0 and dict(first.voice)["Initech"] > 0

    with transaction(any_engine) as session:
        ids = list(session.exec(select(Mention.id).order_by(col(Mention.id))).all())
        # One statement over many rows (PostgreSQL's statement trigger sees them all at once) ...
        session.execute(
            update(Mention).where(col(Mention.id).in_(ids[:40])).values(label="praise", sentiment="positive")
        )
        # ... and one row at a time.
        edited = session.get(Mention, ids[50])
        assert edited is not None
        edited.text, edited.found_via = "Globex and Initech both beat this", "keyword"
        moved = session.get(Mention, ids[51])
        assert moved is not None
        moved.created_at = moved.created_at - timedelta(days=3)
        gone = session.get(Mention, ids[52])
        for old in session.exec(select(Draft).where(Draft.mention_id == ids[52])).all():
            session.delete(old)
        session.flush()
        session.delete(gone)
        late = Draft(mention_id=ids[53] or 0, brand="acme", platform="x", category="complaint", text="t",
                     original_text="t")  # fmt: skip
        session.add(late)
        session.execute(update(Mention).where(col(Mention.id) == ids[54]).values(case_id=None))  # changes no trend
    with transaction(any_engine) as session:
        sent = session.get(Draft, late.id)
        assert sent is not None
        sent.state, sent.sent_at = DraftState.SENT, END - timedelta(days=1)
    compare(any_engine)

    # Retention deletes the older half; the page's counts stay as they were.
    before = compare(any_engine)
    with transaction(any_engine) as session:
        erased = expire_brand("acme", 7, session=session, now=END)
    assert erased.mentions > 100
    with Session(any_engine) as session:
        after = trends.report(session, {"acme": BRAND}, "acme", *SPAN)
    assert (after.total, after.by_category.values, after.voice) == (
        before.total,
        before.by_category.values,
        before.voice,
    )
    assert (after.response.human_count, after.response.automated_count, after.response.human_median) == (
        before.response.human_count, before.response.automated_count, before.response.human_median
    )  # fmt: skip


def _repeat(engine: Engine, span: tuple[date, date], *, rollups: bool) -> tuple[int, int, list[tuple[str, int]]]:
    with Session(engine) as session:
        return trends.repeat_customers(session, "acme", *span, rollups=rollups, range_rows=_rows(session, span))


def _rows(session: Session, span: tuple[date, date]) -> int:
    return sum(row[-1] for row in trend_rollups.counts(session, "acme", *span))


def _same_repeat_customers(engine: Engine) -> None:
    """Exactly the direct figures, top ten and its order included, for a range holding most of the brand (read
    as totals less the days outside), a short one (summed day by day), and one with nothing in it."""
    for span in (SPAN, (date(2026, 6, 28), date(2026, 6, 30)), (date(2026, 5, 1), date(2026, 5, 9))):
        with Session(engine) as session:
            assert trend_rollups.repeat_customers(session, "acme", *span, _rows(session, span)) is not None
        assert _repeat(engine, span, rollups=True) == _repeat(engine, span, rollups=False), span


def test_repeat_customers_from_the_author_rollup_equal_the_rows(any_engine: Engine) -> None:
    seed(any_engine)
    first = _repeat(any_engine, SPAN, rollups=False)
    assert first[0] == 12 and first[1] > 300
    _same_repeat_customers(any_engine)

    with transaction(any_engine) as session:
        ids = list(session.exec(select(Mention.id).order_by(col(Mention.id))).all())
        authors = list(session.exec(select(Author.id).order_by(col(Author.id))).all())
        # Whole statements (PostgreSQL's statement trigger sees every row at once): another day, another author,
        # no author at all.
        session.execute(update(Mention).where(col(Mention.id).in_(ids[:30])).values(created_at=END - timedelta(days=9)))
        session.execute(update(Mention).where(col(Mention.id).in_(ids[30:60])).values(author_id=authors[0]))
        session.execute(update(Mention).where(col(Mention.id).in_(ids[60:70])).values(author_id=None))
        session.add(Mention(brand="acme", platform="x", external_id="new", author_id=authors[1], author_handle="a1",
                            text="acme again", created_at=END - timedelta(hours=1)))  # fmt: skip
    _same_repeat_customers(any_engine)

    with transaction(any_engine) as session:  # retention: repeat customers follow the rows that are left
        assert expire_brand("acme", 7, session=session, now=END).mentions > 100
    _same_repeat_customers(any_engine)

    with transaction(any_engine) as session:  # an author's mentions all gone: no row of theirs is left behind
        gone = list(session.exec(select(Mention.id).where(Mention.author_id == authors[2])).all())
        for draft in session.exec(select(Draft).where(col(Draft.mention_id).in_(gone))).all():
            session.delete(draft)
        session.flush()
        session.execute(delete(Mention).where(col(Mention.author_id) == authors[2]))
    with any_engine.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM trend_author WHERE author_id = :a"), {"a": authors[2]})
        assert left.scalar_one() == 0
    _same_repeat_customers(any_engine)


def test_author_pieces_take_whole_months_less_the_days_outside() -> None:
    today = date(2026, 11, 30)
    ninety = trend_rollups.author_pieces(date(2026, 9, 2), today, today)
    assert ninety.months == ["2026-09", "2026-10", "2026-11"]
    assert ninety.less_days == [(date(2026, 9, 1), date(2026, 9, 1))] and ninety.days == []
    short = trend_rollups.author_pieces(date(2026, 10, 20), date(2026, 11, 3), today)
    assert short.months == [] and short.days == [
        (date(2026, 10, 20), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 3)),
    ]
    # The month so far: nothing after today to take away.
    current = trend_rollups.author_pieces(date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 20))
    assert current.months == ["2026-10"] and current.less_days == []


def test_repeat_customers_from_month_rows_equal_the_rows(any_engine: Engine) -> None:
    """Ranges of weeks and months (a third of six months of mentions), read from whole months less the days outside
    (trend_author_month) and from days, equal the direct count after moves, new authors, competitor searches,
    deletions and retention."""
    rng = random.Random(11)
    end = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    with transaction(any_engine) as session:
        authors = [Author(platform="x", handle=f"m{i}") for i in range(30)]
        session.add_all(authors)
        session.flush()
        session.add_all(
            Mention(
                brand="acme", platform="x", external_id=f"m{i}", author_id=authors[rng.randrange(30)].id,
                author_handle="m", text="acme", created_at=end - timedelta(days=rng.uniform(0, 180)),
                found_via=rng.choice(["keyword", "mention", "mention", "competitor"]),
            )
            for i in range(1500)
        )  # fmt: skip
    spans = [(date(2026, 4, 3), date(2026, 5, 31)), (date(2026, 3, 2), date(2026, 4, 30)), (SPAN[0], SPAN[1])]
    for span in spans[:2]:
        assert trend_rollups.author_pieces(*span, end.date()).months, span

    def same() -> None:
        for span in spans:
            with Session(any_engine) as session:
                assert trend_rollups.repeat_customers(session, "acme", *span, _rows(session, span)) is not None
            assert _repeat(any_engine, span, rollups=True) == _repeat(any_engine, span, rollups=False), span

    same()
    with transaction(any_engine) as session:
        ids = list(session.exec(select(Mention.id).order_by(col(Mention.id))).all())
        session.execute(
            update(Mention).where(col(Mention.id).in_(ids[:80])).values(created_at=end - timedelta(days=70))
        )
        session.execute(update(Mention).where(col(Mention.id).in_(ids[80:160])).values(author_id=authors[0].id))
        session.execute(update(Mention).where(col(Mention.id).in_(ids[160:240])).values(found_via="competitor"))
        session.execute(update(Mention).where(col(Mention.id).in_(ids[240:260])).values(author_id=None))
        session.execute(delete(Mention).where(col(Mention.id).in_(ids[260:400])))
    same()
    with transaction(any_engine) as session:
        expire_brand("acme", 75, session=session, now=end)
    same()
    with any_engine.connect() as conn:  # rows that reach zero are deleted, not kept as zeros
        assert conn.execute(text("SELECT count(*) FROM trend_author_month WHERE n <= 0")).scalar_one() == 0
