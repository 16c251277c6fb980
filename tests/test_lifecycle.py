"""The data lifecycle on real databases: `forget` erases an author from every table (walked generically, so a
table added later is covered too), retention deletes old mentions but keeps the trends, posts deleted on their
platform are purged by the service, backups of a live SQLite file."""

from __future__ import annotations

import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, Engine, MetaData, String, Text, cast, func, inspect, select, update
from sqlalchemy import Table as SATable
from sqlalchemy.exc import SAWarning
from sqlmodel import Session, col

from listener.base import FetchedMention
from listener.replay import OutboxSender
from mentiondesk.cli import main
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.core.vocabulary import utcnow
from mentiondesk.lifecycle import purge
from mentiondesk.pipeline import Pipeline
from mentiondesk.service import Intervals, Service
from mentiondesk.settings import get_settings
from mentiondesk.web import trends
from responders import queue as desk
from responders import team
from responders.sending import send_approved
from rules.classifier import Classifier
from storage import web_models
from storage.db import transaction
from storage.lifecycle import expire_brand, forget_author
from storage.models import AuditEvent, Author, Draft, DraftState, FoundVia, Mention, OptOutMarker, ReplyLedger
from tests.conftest import TEST_BRANDS
from tests.factories import BASE_TIME, ListSource, mention
from tests.test_service import wait_for

ZOE = "Zoe_Erase"
ZOE_NAME = "Zoë Qwertyuiop"
# Needles that are Zoe's alone: her handle, display name, a phrase only she wrote, and her posts' ids.
ZOE_NEEDLES = ["zoe_erase", "qwertyuiop", "glimmerwick", "zoe-post-"]


def text_cells(engine: Engine) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) for every text-like column of every table the database has, whatever its model
    (reflected from the database itself, so tables added later are walked too)."""
    inspector = inspect(engine)
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # SQLite's expression indexes are not reflected: not needed here
        for name in inspector.get_table_names():
            table = SATable(name, MetaData(), autoload_with=conn)
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in conn.execute(select(*[cast(c, Text) for c in columns])):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        yield name, column.name, str(value)


def traces(engine: Engine, needles: list[str]) -> list[tuple[str, str, str]]:
    return [
        (table, column, value[:80])
        for table, column, value in text_cells(engine)
        if any(n in value.lower() for n in needles)
    ]


def poll(
    engine: Engine, brands: BrandConfig, classifier: Classifier, mentions: list[FetchedMention], name: str
) -> None:
    Pipeline(engine=engine, brands=brands, classifier=classifier).poll(ListSource([mentions], name=name))


def zoe(text: str, number: int, **kwargs: Any) -> FetchedMention:
    return mention(text, author=ZOE, name=ZOE_NAME, external_id=f"zoe-post-{number}", **kwargs)


def test_forget_leaves_nothing_of_the_author_in_any_table_and_keeps_her_opt_out(
    any_engine: Engine, brands: BrandConfig, classifier: Classifier, tmp_path: Path
) -> None:
    poll(
        any_engine,
        brands,
        classifier,
        [
            zoe("@AcmeCoffee my glimmerwick latte was cold again, still waiting for a refund", 1),
            zoe("@AcmeCoffee the glimmerwick order never arrived, this is the third time", 2),
            mention("@AcmeCoffee my latte was cold too, not happy", author="bob_keep", name="Bob"),
            mention("@AcmeCoffee same problem here", author="cy_keep", name="Cy", external_id="cy-1"),
        ],
        "first",
    )
    with transaction(any_engine) as session:
        drafts = session.execute(select(col(Draft.id), col(Mention.author_handle)).join(Mention)).all()
        zoe_drafts = [d for d, handle in drafts if handle == ZOE]
        zoe_mentions = list(session.execute(select(col(Mention.id)).where(col(Mention.author_handle) == ZOE)).scalars())
        desk.approve(zoe_drafts[0], session=session, actor="maria", text=f"Hi {ZOE_NAME}, sorry about the glimmerwick")
        desk.relabel(zoe_mentions[1], session=session, actor="maria", label="question")
        team.add_note(session=session, actor="maria", text="Qwertyuiop called about the glimmerwick",
                      mention_id=zoe_mentions[0])  # fmt: skip
        case_id = session.get(Mention, zoe_mentions[0]).case_id  # type: ignore[union-attr]
        assert case_id is not None
        team.add_note(session=session, actor="maria", text="glimmerwick refund owed", case_id=case_id)
        team.add_tag(zoe_mentions[1], session=session, actor="maria", tag="glimmerwick")
    send_approved(engine=any_engine, senders={"replay": OutboxSender(tmp_path / "outbox")})
    # Her opt-out, and a reply by someone else to her post.
    poll(
        any_engine,
        brands,
        classifier,
        [
            zoe("@AcmeCoffee please stop replying to me", 3),
            mention("@AcmeCoffee @Zoe_erase agreed", author="dee_keep", name="Dee", external_id="dee-1"),
        ],
        "second",
    )
    with transaction(any_engine) as session:
        session.execute(update(Mention).where(col(Mention.external_id) == "dee-1").values(parent_id="zoe-post-1"))
        ledger_before = session.execute(select(func.count()).select_from(ReplyLedger)).scalar()
        assert (
            session.execute(select(col(Author.opted_out_at)).where(col(Author.handle) == ZOE.lower())).scalar()
            is not None
        )
    assert ledger_before == 1 and traces(any_engine, ZOE_NEEDLES), "the scenario stored Zoe's data"

    with transaction(any_engine) as session:
        erased = forget_author("replay", "@ZOE_ERASE", session=session, actor="dpo")
    assert (erased.mentions, erased.drafts, erased.ledger, erased.authors) == (3, 2, 1, 1)
    assert erased.cases >= 1 and erased.audit >= 2

    # The mention by Dee quoting her handle in its own text is Dee's; everything else of Zoe is gone.
    left = [
        t for t in traces(any_engine, ZOE_NEEDLES) if not (t[0] == "mention" and t[2].startswith("@AcmeCoffee @Zoe"))
    ]
    assert left == []
    with Session(any_engine) as session:
        handles = sorted(session.execute(select(col(Mention.author_handle))).scalars())
        event = session.execute(select(AuditEvent).where(col(AuditEvent.action) == "forget")).scalar_one()
    assert handles == ["bob_keep", "cy_keep", "dee_keep"]
    assert event.actor == "dpo" and event.detail["mentions"] == 3 and event.detail["opt_out_kept"] is True
    assert event.before is None and event.after is None

    # She writes again: still opted out (from the marker), so no automated thank-you and the gate blocks.
    poll(any_engine, brands, classifier, [zoe("@AcmeCoffee thanks, love the new cups!", 4)], "third")
    with Session(any_engine) as session:
        author = session.execute(select(Author).where(col(Author.handle) == ZOE.lower())).scalar_one()
        markers = session.execute(select(OptOutMarker)).scalars().all()
    assert author.opted_out_at is not None
    assert len(markers) == 1 and markers[0].platform == "replay"


def test_forget_of_an_unknown_author_erases_nothing_and_is_still_audited(any_engine: Engine) -> None:
    with transaction(any_engine) as session:
        erased = forget_author("x", "nobody_here", session=session, actor="dpo")
    assert erased.counts() == dict.fromkeys(erased.counts(), 0)
    with Session(any_engine) as session:
        assert session.execute(select(func.count()).select_from(AuditEvent)).scalar() == 1


def test_forget_refuses_while_one_of_the_authors_replies_is_being_sent(
    any_engine: Engine, brands: BrandConfig, classifier: Classifier
) -> None:
    poll(any_engine, brands, classifier, [zoe("@AcmeCoffee cold glimmerwick latte again", 10)], "s")
    with transaction(any_engine) as session:
        session.execute(update(Draft).values(state=DraftState.SENDING))
    with transaction(any_engine) as session:
        erased = forget_author("replay", ZOE, session=session, actor="dpo")
    assert erased.held and erased.mentions == 0
    assert traces(any_engine, ["glimmerwick"])


RETENTION_BRANDS = TEST_BRANDS.replace('competitors = ["BeanCo"]', 'competitors = ["BeanCo"]\nretention_days = 30')


def test_retention_deletes_old_mentions_and_drafts_but_keeps_trend_counts(
    any_engine: Engine, classifier: Classifier, tmp_path: Path
) -> None:
    brands = parse_brands(RETENTION_BRANDS)
    assert brands.get("acme").retention_days == 30
    old = [
        mention(
            f"@AcmeCoffee my latte was cold again, order {i}",
            author="old_timer",
            name="Olga Oldname",
            external_id=f"old-{i}",
            minutes=i,
        )
        for i in range(5)
    ]
    old.append(
        mention("acme coffee beats BeanCo", author="old_fan", via=FoundVia.KEYWORD, external_id="old-k", minutes=9)
    )
    # Sending stamps the case with the wall clock, so the retention cutoff (41 - 30 days on) is counted from
    # whichever is later, the fixed test time or today; counted from the test time alone, it fell before the
    # send from 2026-12-01 09:00 UTC on, and the old author's case (and so the author) was kept.
    anchor = max(BASE_TIME, utcnow())
    later = int((anchor - BASE_TIME).total_seconds() // 60)
    recent = [
        mention(
            f"@AcmeCoffee loving the new menu {i}",
            author="new_one",
            external_id=f"new-{i}",
            minutes=later + 60 * 24 * 40 + i,
        )
        for i in range(3)
    ]
    with any_engine.begin() as conn:  # what the desk does on start: share of voice from the rollups
        web_models.sync_terms(conn, [("acme", "Acme Coffee"), ("acme", "BeanCo")])
    poll(any_engine, brands, classifier, old + recent, "all")
    with transaction(any_engine) as session:
        old_draft = session.execute(
            select(col(Draft.id)).join(Mention).where(col(Mention.external_id) == "old-0")
        ).scalar_one()
        desk.approve(old_draft, session=session, actor="maria")
    send_approved(engine=any_engine, senders={"replay": OutboxSender(tmp_path / "outbox")})
    span = (BASE_TIME.date() - timedelta(days=1), anchor.date() + timedelta(days=45))
    before = _trend_figures(any_engine, brands, *span)
    assert before["total"] == 9

    now = anchor + timedelta(days=41)
    with transaction(any_engine) as session:
        erased = expire_brand("acme", 30, session=session, now=now)
    assert erased.mentions == 6 and erased.drafts >= 5 and erased.ledger == 1

    assert traces(any_engine, ["olga oldname", "old_timer", "old_fan", "order 3", "beats beanco"]) == []
    with Session(any_engine) as session:
        left = sorted(session.execute(select(col(Mention.external_id))).scalars())
    assert left == ["new-0", "new-1", "new-2"]
    assert _trend_figures(any_engine, brands, *span) == before


def _trend_figures(engine: Engine, brands: BrandConfig, start: date, end: date) -> dict[str, object]:
    with Session(engine) as session:
        report = trends.report(session, brands.brands, "acme", start, end)
    return {
        "total": report.total,
        "category": report.by_category.values,
        "platform": report.by_platform.values,
        "voice": report.voice,
        "replies": (report.response.human_count, report.response.automated_count),
    }


def test_the_service_purges_posts_deleted_on_their_platform(
    any_engine: Engine, brands: BrandConfig, classifier: Classifier
) -> None:
    poll(
        any_engine,
        brands,
        classifier,
        [zoe("@AcmeCoffee glimmerwick cup leaked", 20), mention("@AcmeCoffee cup leaked too", external_id="kept-1")],
        "p",
    )
    with transaction(any_engine) as session:
        session.execute(update(Mention).where(col(Mention.external_id) == "zoe-post-20").values(deleted_at=BASE_TIME))
    pipeline = Pipeline(engine=any_engine, brands=brands, classifier=classifier)
    service = Service(
        engine=any_engine, pipeline=pipeline, sources=[], senders={}, intervals=Intervals(purge_seconds=1)
    )
    runner = threading.Thread(target=service.run, kwargs={"install_signals": False})
    runner.start()
    try:
        assert wait_for(lambda: not traces(any_engine, ["glimmerwick", "zoe-post-20"]), timeout=30)
    finally:
        service.stop()
        runner.join(timeout=30)
    with Session(any_engine) as session:
        left = list(session.execute(select(col(Mention.external_id))).scalars())
    assert left == ["kept-1"]


def test_purge_waits_for_a_send_in_flight_then_removes_the_post(
    engine: Engine, brands: BrandConfig, classifier: Classifier
) -> None:
    poll(engine, brands, classifier, [zoe("@AcmeCoffee glimmerwick cup leaked", 30)], "p")
    with transaction(engine) as session:
        session.execute(update(Mention).values(deleted_at=BASE_TIME))
        session.execute(update(Draft).values(state=DraftState.SENDING))
    assert purge(engine, brands)["deleted"].mentions == 0
    with transaction(engine) as session:
        session.execute(update(Draft).values(state=DraftState.FAILED))
    assert purge(engine, brands)["deleted"].mentions == 1
    assert traces(engine, ["glimmerwick"]) == []


# --- the commands ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(RETENTION_BRANDS)
    (tmp_path / "m.jsonl").write_text(
        '{"id": "z1", "text": "@AcmeCoffee glimmerwick latte was cold", "author": "Zoe_Erase",'
        ' "author_name": "Zo\\u00eb Qwertyuiop", "created_at": "2026-09-01T08:00:00Z"}\n'
        '{"id": "b1", "text": "@AcmeCoffee my order is late", "author": "bob", "created_at": "2026-09-01T09:00:00Z"}\n'
    )
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(main, ["import", "m.jsonl"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


def test_forget_command_prints_what_it_erased_without_the_text(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(main, ["forget", "--platform", "replay", "--author", "@zoe_erase", "--as", "dpo"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("erased from replay: 1 mentions") and "glimmerwick" not in result.output
    again = cli.invoke(main, ["forget", "--platform", "replay", "--author", "zoe_erase"])
    assert again.output.strip() == "nothing stored for that author on replay"
    from storage.db import make_engine

    assert traces(make_engine(f"sqlite:///{tmp_path / 'mentiondesk.db'}"), ZOE_NEEDLES) == []


def test_db_purge_command_applies_retention(cli: CliRunner) -> None:
    result = cli.invoke(main, ["db", "purge"])  # the imported posts are from September: past 30 days
    assert result.exit_code == 0, result.output
    assert "deleted on their platform: nothing" in result.output
    assert "past retention, acme: 2 mentions" in result.output


def test_db_backup_copies_a_live_sqlite_database_and_never_overwrites(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    source = sqlite3.connect(tmp_path / "mentiondesk.db")
    source.execute("BEGIN IMMEDIATE")  # a writer in the middle of a transaction
    source.execute("UPDATE mention SET text = 'uncommitted' WHERE external_id = 'b1'")
    try:
        result = cli.invoke(main, ["db", "backup", str(target)])
    finally:
        source.rollback()
        source.close()
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"backed up mentiondesk.db to {target}")
    copy = sqlite3.connect(target)
    assert sorted(r[0] for r in copy.execute("SELECT text FROM mention")) == [
        "@AcmeCoffee glimmerwick latte was cold",
        "@AcmeCoffee my order is late",
    ]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    again = cli.invoke(main, ["db", "backup", str(target)])
    assert again.exit_code == 2 and again.output.strip() == f"error: {target}: already exists; choose a new file name"


def test_db_backup_on_postgresql_names_the_pg_dump_command_without_the_password(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", "postgresql://desk:s3cret@db.example:5432/desk")
    get_settings.cache_clear()
    result = cli.invoke(main, ["db", "backup", "desk.dump"])
    assert result.exit_code == 2
    assert "pg_dump --format=custom --file desk.dump 'postgresql://desk:***@db.example:5432/desk'" in result.output
    assert "s3cret" not in result.output


def test_retention_days_must_be_positive() -> None:
    from mentiondesk.core.errors import ConfigError

    with pytest.raises(ConfigError, match="retention_days"):
        parse_brands(TEST_BRANDS.replace('competitors = ["BeanCo"]', "retention_days = 0"))
