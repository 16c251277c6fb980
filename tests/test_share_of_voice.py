"""Share of voice against the simulator: competitors are searched for themselves, so a competitor named in posts
that never mention us is counted; those posts are stored for counting only (no draft, no queue, no case)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.simulator import Simulator
from mentiondesk.alerts.rules import window_counts
from mentiondesk.commands.budget import brand_listings
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import build_sources
from mentiondesk.settings import Settings
from mentiondesk.web import trends
from rules.classifier import Classifier
from storage import web_models
from storage.db import alembic_config, transaction
from storage.models import Case, Draft, FoundVia, Mention, Route
from storage.queries import list_queue

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { x = ["acme"] }
competitors = ["Globex", "Initech"]
"""


def _poll_all(engine: Engine, sim: Simulator, classifier: Classifier) -> None:
    config = parse_brands(BRANDS)
    values = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]
    pipeline = Pipeline(engine=engine, brands=config, classifier=classifier)
    for source in build_sources(config, settings):
        outcome = pipeline.poll(source)
        assert outcome.status == "ok", (source.name, outcome.message)


def test_a_competitor_named_without_us_is_counted_and_never_answered(
    any_engine: Engine, classifier: Classifier
) -> None:
    engine = any_engine
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"], seed=3) as sim:
        state = sim.state
        about_globex = [
            state.post_tweet("Globex lost my parcel again, worst delivery ever. Anyone help?", username="gina"),
            state.post_tweet("Switched to Globex last week and I love it", username="omar"),
            state.post_tweet("Initech support never answers, I want a refund", username="ivy"),
        ]
        state.post_tweet("@acme my order never arrived, can you check?", username="ana")
        state.post_tweet("acme beats Globex for coffee any day", username="lee")
        _poll_all(engine, sim, classifier)

    with transaction(engine) as session:
        competitor_only = session.exec(select(Mention).where(col(Mention.external_id).in_(about_globex))).all()
        assert len(competitor_only) == 3
        assert {m.found_via for m in competitor_only} == {FoundVia.COMPETITOR}
        assert {m.route for m in competitor_only} == {Route.IGNORE}
        ids = {m.id for m in competitor_only}
        assert not session.exec(select(Draft).where(col(Draft.mention_id).in_(ids))).all()
        assert not session.exec(select(Case).where(col(Case.first_mention_id).in_(ids))).all()
        queued = {row.mention.id for row in list_queue(session=session, limit=100)}
        assert queued and not queued & ids
        ours = session.exec(select(Mention).where(Mention.author_handle == "ana")).one()
        assert ours.found_via == FoundVia.MENTION and ours.id in queued
        both = session.exec(select(Mention).where(Mention.author_handle == "lee")).one()
        assert both.found_via == FoundVia.KEYWORD  # names us: handled as our keyword search would
        now = datetime.now(UTC)
        assert window_counts(session, "acme", now - timedelta(days=1), now + timedelta(days=1)).total == 2  # spikes

    today = datetime.now(UTC).date()
    config = parse_brands(BRANDS)
    with Session(engine) as session:
        for rollups in (False, True):
            report = trends.report(
                session, config.brands, "acme", today - timedelta(days=2), today + timedelta(days=1), rollups=rollups
            )
            # Acme: the @mention and the keyword match naming it; Globex: its two posts and the shared one.
            assert dict(report.voice) == {"Acme": 2, "Globex": 3, "Initech": 1}, rollups
            assert report.total == 2  # the volume charts are ours: posts about competitors alone are not in them


def test_migration_0015_keeps_the_keyword_counts_and_counts_competitors_everywhere(any_engine: Engine) -> None:
    """A database at 0014 whose retention already deleted a keyword match: upgraded, the deleted match still
    counts and Globex named in a post addressed to us counts now; after the upgrade the triggers keep the new
    counting, and the rollups agree with the rows."""
    with any_engine.begin() as conn:
        web_models.sync_terms(conn, [("acme", "Acme"), ("acme", "Globex")])
    config = alembic_config(any_engine)
    command.downgrade(config, "0014")
    day = datetime(2026, 6, 20, 12, tzinfo=UTC)
    with transaction(any_engine) as session:
        for i, (text, via) in enumerate(
            [("acme vs globex", "keyword"), ("@acme better than Globex", "mention"), ("acme again", "keyword")]
        ):
            session.add(
                Mention(brand="acme", platform="x", external_id=f"m{i}", author_handle=f"a{i}", text=text,
                        created_at=day, found_via=via)
            )  # fmt: skip
    with any_engine.begin() as conn:  # what 0014 kept of a keyword match naming Acme that retention deleted
        conn.exec_driver_sql("UPDATE trend_voice SET n = n + 1 WHERE term = 'acme'")
    command.upgrade(config, "head")
    brand = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex"])
    with Session(any_engine) as session:
        voice = trends.report(session, {"acme": brand}, "acme", day.date(), day.date(), rollups=True).voice
    assert dict(voice) == {"Acme": 4, "Globex": 2}
    with transaction(any_engine) as session:
        session.add(
            Mention(brand="acme", platform="x", external_id="c1", author_handle="c", text="GLOBEX is slow",
                    created_at=day, found_via=FoundVia.COMPETITOR)
        )  # fmt: skip
    with Session(any_engine) as session:
        direct = trends.report(session, {"acme": brand}, "acme", day.date(), day.date(), rollups=False)
        rolled = trends.report(session, {"acme": brand}, "acme", day.date(), day.date(), rollups=True)
    assert dict(rolled.voice) == {"Acme": 4, "Globex": 3}
    assert dict(direct.voice) == {"Acme": 3, "Globex": 3}  # the rows: the deleted match is not among them


def test_the_budget_plans_the_competitor_searches_the_service_builds() -> None:
    """`mentiondesk budget` prices every X listing by name: the competitor searches are among them."""
    config = parse_brands(BRANDS)
    with Simulator.start(brand_handles={"x": ["acme"]}, keywords=["acme"]) as sim:
        values = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]
        built = {s.name for s in build_sources(config, settings) if s.platform == "x"}
    planned = {name: kind for name, platform, kind in brand_listings(config.brands["acme"]) if platform == "x"}
    assert built == set(planned) and "x:acme:search:competitors" in built
    assert planned["x:acme:search:competitors"] == "search"
