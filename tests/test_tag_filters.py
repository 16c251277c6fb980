"""Filtering by tag, as a manager sees it, on SQLite and PostgreSQL: the queue page, `mentiondesk queue --tag`,
the API's queue, the trends page, its CSV export and the trends API."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.core.brands import BrandConfig
from mentiondesk.web import trends
from responders import team
from storage.db import transaction
from storage.desk_models import MentionTag
from storage.models import Draft, DraftState, FoundVia, Mention, as_utc
from tests.factories import mention, must
from tests.test_team_desk import TEAM_BRANDS, add_users, by_text, client_for, fill, team_brands

HOSTILE = '<script>window.__pwned=1</script>\u202e"refund'


@pytest.fixture
def desk(any_engine: Engine, classifier: Any) -> tuple[Engine, BrandConfig]:
    """Complaints, some about a refund (tagged `refund` by the brand file's rule), one tagged by hand."""
    brands = team_brands()
    fill(
        any_engine,
        brands,
        classifier,
        [
            [
                mention("@AcmeCoffee still waiting for my refund, three weeks now", author="ben_r", name="Ben"),
                mention("@AcmeCoffee I want my money back, the cup leaked all over me", author="cara", name="Cara"),
                mention("@AcmeCoffee my order is two hours late and cold", author="dev_k", name="Dev"),
                mention("@AcmeCoffee the app charged me twice and support never answers", author="eli", name="Eli"),
                mention("@AcmeCoffee terrible service at the airport store today", author="fay", name="Fay"),
                mention("@AcmeCoffee is the store on Main Street open on sunday?", author="qa_person", name="Quinn"),
                mention("@AcmeCoffee my refund never arrived, waiting weeks for it", author="ben_r", name="Ben"),
                mention("@AcmeCoffee two hours late again, my order is lost", author="dev_k", name="Dev"),
                mention("acme coffee was better than BeanCo until the refund mess", author="gus", via=FoundVia.KEYWORD),
                mention(
                    "acme coffee refund desk was rude and slow, never again",
                    author="kw_only",
                    platform="x",
                    via=FoundVia.KEYWORD,
                ),
            ]
        ],
    )
    with transaction(any_engine) as session:  # a person tags one more: manual tags filter like rule tags
        team.add_tag(must(by_text(any_engine, "charged me twice").id), session=session, actor="maria", tag="refund")
    add_users(any_engine)
    return any_engine, brands


def tagged_ids(engine: Engine, tag: str) -> set[int]:
    with Session(engine) as session:
        return set(session.exec(select(MentionTag.mention_id).where(MentionTag.tag == tag)))


def open_drafts(engine: Engine) -> dict[int, int]:
    """draft id -> mention id of every draft waiting in the queue."""
    with Session(engine) as session:
        rows = session.exec(select(Draft).where(Draft.state == DraftState.DRAFTED))
        return {must(d.id): d.mention_id for d in rows}


def drafts_on_page(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="draft-(\d+)"', html)}


# --- the queue -----------------------------------------------------------------------------------------------


def test_the_queue_page_filtered_by_tag_lists_only_drafts_of_tagged_mentions(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    refund = tagged_ids(engine, "refund")
    drafts = open_drafts(engine)
    expected = {d for d, m in drafts.items() if m in refund}
    assert expected and set(drafts) - expected  # the test has drafts on both sides of the filter
    maria = client_for(engine, brands, "maria")

    page = maria.get("/queue", params={"tag": "refund"}).text
    assert drafts_on_page(page) == expected
    assert f'<span class="count">{len(expected)}</span>' in page
    assert 'name="tag" value="refund"' in page  # the filter bar shows the filter in force
    assert '<option value="refund">' in page  # and offers the brand file's tags
    assert 'id="tag-note"' not in page

    # As people type it, and kept with the other filters.
    both = maria.get("/queue", params={"tag": " Refund ", "platform": "replay", "min_urgency": "1"}).text
    assert 'name="tag" value="refund"' in both and "<option selected>replay</option>" in both
    on_replay = {d for d in expected if _platform_of(engine, d) == "replay"}
    assert drafts_on_page(both) == {d for d in on_replay if _urgency_of(engine, d) >= 1}
    assert drafts_on_page(maria.get("/queue").text) == set(drafts)  # no tag: everything


def _platform_of(engine: Engine, draft_id: int) -> str:
    with Session(engine) as session:
        return must(session.get(Draft, draft_id)).platform


def _urgency_of(engine: Engine, draft_id: int) -> int:
    with Session(engine) as session:
        return must(session.get(Draft, draft_id)).urgency


def test_a_tag_nobody_uses_shows_an_empty_queue_and_says_why(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    maria = client_for(engine, brands, "maria")
    page = maria.get("/queue", params={"tag": "vip"}).text
    assert drafts_on_page(page) == set()
    assert "No mention is tagged &#39;vip&#39;." in page

    hostile = maria.get("/queue", params={"tag": HOSTILE})
    assert hostile.status_code == 200
    assert drafts_on_page(hostile.text) == set()
    assert "<script>window.__pwned" not in hostile.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;[U+202E]" in hostile.text
    assert "is not a tag" in hostile.text
    assert maria.get("/queue", params={"tag": "a\x00b"}).status_code == 400  # PostgreSQL refuses NUL: a 400


def test_the_api_queue_filters_by_tag_and_notes_an_unused_one(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    refund = tagged_ids(engine, "refund")
    expected = {d for d, m in open_drafts(engine).items() if m in refund}
    maria = client_for(engine, brands, "maria")
    body = maria.get("/api/queue", params={"tag": "refund"}).json()
    assert {i["draft_id"] for i in body["items"]} == expected and body["total"] == len(expected)
    assert {i["mention_id"] for i in body["items"]} <= refund and body["note"] == ""
    unused = maria.get("/api/queue", params={"tag": "vip"}).json()
    assert unused == {"total": 0, "items": [], "note": "No mention is tagged 'vip'."}


def test_the_cli_queue_filters_by_tag(
    desk: tuple[Engine, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentiondesk.cli import main
    from mentiondesk.settings import get_settings

    engine, _ = desk
    refund = tagged_ids(engine, "refund")
    expected = {d for d, m in open_drafts(engine).items() if m in refund}
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEAM_BRANDS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listed = runner.invoke(main, ["queue", "--tag", "Refund", "--json"])
        assert listed.exit_code == 0, listed.output
        assert {i["id"] for i in json.loads(listed.output)} == expected
        table = runner.invoke(main, ["queue", "--tag", "refund"]).output
        assert all(f"{d:>6}  " in table for d in expected)
        unused = runner.invoke(main, ["queue", "--tag", "vip"])
        assert unused.exit_code == 0 and "no mention is tagged 'vip'" in unused.output
        bad = runner.invoke(main, ["queue", "--tag", "no/slash"])
        assert bad.exit_code != 0 and "tag 'no/slash' is not usable" in bad.output
        assert "Traceback" not in bad.output
    finally:
        get_settings.cache_clear()


def test_tagged_mentions_are_the_ones_the_filter_counts(desk: tuple[Engine, Any]) -> None:
    engine, _ = desk
    with Session(engine) as session:
        texts = {m.text for m in session.exec(select(Mention).where(col(Mention.id).in_(tagged_ids(engine, "refund"))))}
    assert any("money back" in t for t in texts) and any("charged me twice" in t for t in texts)
    assert not any("two hours late" in t for t in texts)


# --- trends and their exports ----------------------------------------------------------------------------------

START, END = date(2026, 11, 1), date(2026, 12, 31)
RANGE = {"brand": "acme", "start": START.isoformat(), "end": END.isoformat()}


def _replied(engine: Engine) -> None:
    """Every open draft sent, the nth one n * 7 minutes after its mention: response times to count."""
    with transaction(engine) as session:
        drafts = session.exec(select(Draft).where(Draft.state == DraftState.DRAFTED).order_by(col(Draft.id)))
        for n, draft in enumerate(drafts, start=1):
            posted = as_utc(must(session.get(Mention, draft.mention_id)).created_at)
            draft.state, draft.sent_at = DraftState.SENT, posted + timedelta(minutes=7 * n)


def _direct(engine: Engine, tag: str) -> dict[str, Any]:
    """The figures counted by hand from the tagged mentions' rows."""
    with Session(engine) as session:
        rows = list(session.exec(select(Mention).where(col(Mention.id).in_(tagged_ids(engine, tag)))))
        sent = [
            d
            for d in session.exec(select(Draft).where(Draft.state == DraftState.SENT))
            if d.mention_id in {m.id for m in rows} and not d.automated
        ]
    authors: dict[str, int] = {}
    for m in rows:
        authors[m.author_handle] = authors.get(m.author_handle, 0) + 1
    return {
        "total": len(rows),
        "category": {lb: sum(1 for m in rows if (m.label or "unlabelled") == lb) for lb in {m.label for m in rows}},
        "platform": {p: sum(1 for m in rows if m.platform == p) for p in {m.platform for m in rows}},
        "sentiment": {s: sum(1 for m in rows if (m.sentiment or "unknown") == s) for s in {m.sentiment for m in rows}},
        "human_replies": len(sent),
        "voice": sum(1 for m in rows if m.found_via != FoundVia.KEYWORD or "acme coffee" in m.text.lower()),
        "repeat": {h: n for h, n in authors.items() if n >= 2},
    }


def test_trends_filtered_by_tag_equal_the_direct_counts_of_tagged_mentions(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    _replied(engine)
    want = _direct(engine, "refund")
    assert want["total"] >= 4 and want["human_replies"] >= 2 and want["repeat"] == {"ben_r": 2}
    with Session(engine) as session:  # rollups (None: used when installed) know no tags: the same figures
        for rollups in (None, False):
            r = trends.report(session, brands.brands, "acme", START, END, rollups=rollups, tag="refund")
            assert r.total == want["total"] and r.tag == "refund"
            assert {k: sum(v) for k, v in r.by_category.values.items()} == want["category"]
            assert {k: sum(v) for k, v in r.by_platform.values.items()} == want["platform"]
            assert {k: sum(v) for k, v in r.sentiment.values.items()} == want["sentiment"]
            assert r.response.human_count == want["human_replies"]
            assert dict(r.voice)["Acme Coffee"] == want["voice"]
            assert (r.repeat_authors, r.top_repeat) == (1, [("ben_r", 2)])
            assert "hours late" not in dict(r.themes)
        everything = trends.report(session, brands.brands, "acme", START, END, rollups=False)
    assert everything.total > want["total"] and everything.repeat_authors == 2  # dev_k complained twice too
    assert "hours late" in dict(everything.themes)

    maria = client_for(engine, brands, "maria")
    page = maria.get("/trends", params={**RANGE, "tag": "Refund"}).text
    assert f'<span class="kpi-value">{want["total"]}</span><span class="kpi-label">mentions</span>' in page
    assert "Every figure counts only mentions tagged <strong>refund</strong>" in page
    assert 'name="tag" value="refund"' in page and "tag=Refund" in page  # the export link keeps the filter

    api = maria.get("/api/trends", params={**RANGE, "tag": "refund"}).json()
    assert (api["tag"], api["total"], api["note"]) == ("refund", want["total"], "")
    assert {k: sum(v) for k, v in api["by_category"].items()} == want["category"]
    assert api["response"]["human_count"] == want["human_replies"]


def test_the_trends_export_holds_only_tagged_mentions(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    want = _direct(engine, "refund")
    maria = client_for(engine, brands, "maria")
    exported = maria.get("/trends.csv", params={**RANGE, "tag": "refund"})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1] == ["filter", "tag", "", "refund"]
    per_label: dict[str, int] = {}
    for section, key, _, value in rows[2:]:
        if section == "category":
            per_label[key] = per_label.get(key, 0) + int(value)
    assert per_label == want["category"]
    assert ["repeat_customer", "ben_r", "", "2"] in rows and not any(r[1] == "dev_k" for r in rows)

    everything = list(csv.reader(io.StringIO(maria.get("/trends.csv", params=RANGE).text)))
    assert everything[1][0] == "category"  # no filter row without a tag
    assert sum(int(r[3]) for r in everything if r[0] == "category") > want["total"]


def test_trends_for_a_tag_nobody_uses_are_zero_with_a_note(desk: tuple[Engine, Any]) -> None:
    engine, brands = desk
    maria = client_for(engine, brands, "maria")
    api = maria.get("/api/trends", params={**RANGE, "tag": "vip"}).json()
    assert (api["total"], api["repeat_customers"]["authors"], api["note"]) == (0, 0, "No mention is tagged 'vip'.")
    page = maria.get("/trends", params={**RANGE, "tag": HOSTILE})
    assert page.status_code == 200 and "<script>window.__pwned" not in page.text
    assert "is not a tag" in page.text
    assert '<span class="kpi-value">0</span><span class="kpi-label">mentions</span>' in page.text
    exported = maria.get("/trends.csv", params={**RANGE, "tag": HOSTILE}).text
    assert "<script>" in exported  # data in a CSV, not markup; the formula guard still applies to cells
    assert all(int(r[3]) == 0 for r in csv.reader(io.StringIO(exported)) if r[0] == "category")
