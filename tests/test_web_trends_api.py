"""Trends figures against hand-computed ones, the CSV export, the JSON API and `mentiondesk user`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from mentiondesk.core.brands import Brand
from mentiondesk.web import trends
from mentiondesk.web.seed import bulk_authors, bulk_mentions
from storage.db import make_engine, transaction, upgrade
from storage.models import Draft, DraftState, Mention, User
from tests.test_web_support import TestClient, first_drafted, make_desk, signed_in

BRAND = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex", "Initech"])
END = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('trends') / 't.db'}")
    upgrade(engine)
    first = bulk_authors(engine, 50)
    bulk_mentions(
        engine, 2000, brand="acme", brand_name="Acme", days=20, authors=50, first_author_id=first,
        competitors=("Globex", "Initech"), drafts_every=5, end=END,
    )  # fmt: skip
    return engine


def test_counts_match_the_rows(engine: Any) -> None:
    start, end = date(2026, 6, 15), date(2026, 6, 30)
    with Session(engine) as session:
        report = trends.report(session, {"acme": BRAND}, "acme", start, end, rollups=False)
        rows = [m for m in session.exec(select(Mention)).all() if start <= m.created_at.astimezone(UTC).date() <= end]
    assert report.total == len(rows) > 0
    assert report.by_category.days[0] == "2026-06-15" and report.by_category.days[-1] == "2026-06-30"
    for label in ("complaint", "praise"):
        assert report.by_category.total(label) == sum(1 for m in rows if m.label == label)
    day = "2026-06-20"
    i = report.by_platform.days.index(day)
    assert report.by_platform.values["x"][i] == sum(
        1 for m in rows if m.platform == "x" and m.created_at.astimezone(UTC).date().isoformat() == day
    )
    share = report.sentiment_share()
    assert abs(sum(v[i] for v in share.values()) - 1.0) < 1e-9
    voice = dict(report.voice)
    assert voice["Globex"] == sum(1 for m in rows if m.found_via == "keyword" and "globex" in m.text.lower())
    assert voice["Acme"] == sum(1 for m in rows if m.found_via != "keyword" or "acme" in m.text.lower())
    assert report.themes and all(" " in phrase for phrase, _ in report.themes)
    per_author: dict[int, int] = {}
    for m in rows:
        per_author[m.author_id or 0] = per_author.get(m.author_id or 0, 0) + 1
    assert report.repeat_authors == sum(1 for n in per_author.values() if n >= 2)


def test_response_times_median_p90_and_breaches(engine: Any) -> None:
    start, end = date(2026, 6, 1), date(2026, 6, 30)
    with Session(engine) as session:
        report = trends.report(session, {"acme": BRAND}, "acme", start, end, rollups=False)
        pairs = session.exec(select(Draft, Mention).join(Mention, Mention.id == Draft.mention_id)).all()  # type: ignore[arg-type]
    human = sorted((d.sent_at - m.created_at).total_seconds() / 60 for d, m in pairs if d.sent_at and not d.automated)
    bot = [d for d, _ in pairs if d.sent_at and d.automated]
    r = report.response
    assert r.human_count == len(human) and r.automated_count == len(bot)
    assert r.human_median == pytest.approx(human[int((len(human) - 1) * 0.5)], abs=0.01)
    assert r.human_p90 == pytest.approx(human[int((len(human) - 1) * 0.9)], abs=0.01)
    assert r.human_breaches == sum(1 for x in human if x >= BRAND.response_target_minutes)


def _same(direct: trends.TrendReport, rolled: trends.TrendReport) -> None:
    assert rolled.total == direct.total
    for name in ("by_category", "by_platform", "sentiment"):
        assert getattr(rolled, name).values == getattr(direct, name).values, name
    assert rolled.voice == direct.voice
    assert (rolled.repeat_authors, rolled.repeat_mentions) == (direct.repeat_authors, direct.repeat_mentions)
    assert sorted(n for _, n in rolled.top_repeat) == sorted(n for _, n in direct.top_repeat)
    a, b = direct.response, rolled.response
    assert (a.human_count, a.human_breaches, a.automated_count) == (b.human_count, b.human_breaches, b.automated_count)
    for x, y in (
        (a.human_median, b.human_median),
        (a.human_p90, b.human_p90),
        (a.automated_median, b.automated_median),
    ):
        assert (x is None and y is None) or int(x or 0) == y


def test_rollups_match_direct_aggregation_and_follow_changes(tmp_path: Path) -> None:
    from storage import web_models as web_rollups

    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    first = bulk_authors(engine, 30)
    bulk_mentions(
        engine, 1500, brand="acme", brand_name="Acme", days=10, authors=30, first_author_id=first,
        competitors=("Globex", "Initech"), drafts_every=3, end=END,
    )  # fmt: skip
    with engine.begin() as conn:
        web_rollups.sync_terms(conn, [("acme", "Acme"), ("acme", "Globex"), ("acme", "Initech")])
    brands = {"acme": BRAND}
    span = (date(2026, 6, 18), date(2026, 6, 30))

    def both() -> None:
        with Session(engine) as session:
            _same(
                trends.report(session, brands, "acme", *span, rollups=False),
                trends.report(session, brands, "acme", *span),
            )

    both()
    span = (date(2026, 6, 1), date(2026, 6, 30))  # most of the brand: the streaming plan
    both()
    span = (date(2026, 6, 18), date(2026, 6, 30))
    with transaction(engine) as session:  # relabels, edits, deletions and a late reply all move the rollups
        mentions = session.exec(select(Mention).order_by(Mention.id).limit(40)).all()  # type: ignore[arg-type]
        for m in mentions[:10]:
            m.label, m.sentiment = "praise", "positive"
        mentions[10].text = "Globex and Initech both beat this"
        mentions[10].found_via = "keyword"
        mentions[11].created_at = mentions[11].created_at + timedelta(days=2)
        for d in session.exec(select(Draft).where(Draft.mention_id == mentions[12].id)).all():
            session.delete(d)
        session.flush()
        session.delete(mentions[12])
        pending = Draft(
            mention_id=mentions[13].id or 0, brand="acme", platform="x", category="complaint", text="t",
            original_text="t", created_at=END - timedelta(days=5),
        )  # fmt: skip
        session.add(pending)
    with transaction(engine) as session:
        draft = session.get(Draft, pending.id)
        assert draft is not None
        draft.state, draft.sent_at = DraftState.SENT, END - timedelta(days=4)
    both()
    with engine.begin() as conn:  # a competitor added to the brand file is counted over existing mentions
        web_rollups.sync_terms(conn, [("acme", "Acme"), ("acme", "Globex")])
    with Session(engine) as session:
        smaller = Brand(key="acme", name="Acme", keywords=["acme"], competitors=["Globex"])
        direct = trends.report(session, {"acme": smaller}, "acme", *span, rollups=False)
        rolled = trends.report(session, {"acme": smaller}, "acme", *span)
    _same(direct, rolled)


def test_trends_page_csv_and_api(tmp_path: Path) -> None:
    app, engine = make_desk(tmp_path, history=500)
    client = signed_in(app, "ana")
    today = datetime.now(UTC).date()
    start = (today - timedelta(days=13)).isoformat()
    page = client.get(f"/trends?start={start}&end={today}")
    assert page.status_code == 200 and page.text.count('<svg class="chart') >= 4
    exported = client.get(f"/trends.csv?start={start}&end={today}")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["section", "key", "day", "value"]
    sections = {r[0] for r in rows[1:]}
    assert {"category", "platform", "sentiment", "share_of_voice", "response", "repeat_customers"} <= sections
    api = client.get(f"/api/trends?start={start}&end={today}").json()
    category_rows = [r for r in rows if r[0] == "category"]
    assert api["total"] == sum(int(r[3]) for r in category_rows)
    assert len(api["days"]) == 14
    bad = client.get("/trends?start=not-a-date")
    assert bad.status_code == 200 and "Ignored the start date" in bad.text


def test_api_queue_and_actions(tmp_path: Path) -> None:
    from mentiondesk.web.users import issue_token

    app, engine = make_desk(tmp_path)
    with transaction(engine) as session:
        token = issue_token(session, "maria")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    page = client.get("/api/queue?limit=5").json()
    assert len(page["items"]) == 5 and page["total"] >= 5
    urgencies = [i["urgency"] for i in page["items"]]
    assert urgencies == sorted(urgencies, reverse=True)
    item = page["items"][0]
    assert {"author_mentions_30d", "confidence", "policy_ok", "stale", "target_minutes"} <= set(item)
    draft = first_drafted(engine)
    ok = client.post(f"/api/drafts/{draft.id}/approve", json={"expected_version": draft.version, "text": "Thanks!"})
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    again = client.post(f"/api/drafts/{draft.id}/approve", json={"expected_version": draft.version})
    assert again.status_code == 409
    other = first_drafted(engine)
    assert client.post(f"/api/drafts/{other.id}/reject", json={"reason": ""}).status_code == 422
    rejected = client.post(f"/api/drafts/{other.id}/reject", json={"reason": "duplicate"})
    assert rejected.json()["state"] == "rejected"
    assert client.post(f"/api/mentions/{other.mention_id}/relabel", json={"label": "x"}).status_code == 422
    assert client.post(f"/api/mentions/{other.mention_id}/relabel", json={"label": "praise"}).status_code == 200
    assert client.get("/api/cases").status_code == 200
    assert client.get("/api/sources").json()[0]["name"] == "demo:northwind"


def test_user_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentiondesk.cli import main
    from mentiondesk.settings import get_settings

    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        added = runner.invoke(main, ["user", "add", "kim", "--role", "admin", "--password", "long-password"])
        assert added.exit_code == 0, added.output
        generated = runner.invoke(main, ["user", "add", "lee", "--role", "analyst"])
        assert generated.exit_code == 0 and "Password: " in generated.output
        assert runner.invoke(main, ["user", "add", "kim"]).exit_code != 0
        listed = runner.invoke(main, ["user", "list"])
        assert "kim" in listed.output and "analyst" in listed.output
        token = runner.invoke(main, ["user", "token", "kim"]).output.strip()
        assert token.startswith("mdk_")
        engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
        with Session(engine) as session:
            kim = session.exec(select(User).where(User.name == "kim")).one()
        assert kim.password_hash.startswith("$argon2") and kim.api_token_hash and token not in kim.api_token_hash
    finally:
        get_settings.cache_clear()
