"""Filtering by tag, as a manager sees it, on SQLite and PostgreSQL: the queue page, `mentiondesk queue --tag`,
the API's queue, the trends page, its CSV export and the trends API."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mentiondesk.core.brands import BrandConfig
from responders import team
from storage.db import transaction
from storage.desk_models import MentionTag
from storage.models import Draft, DraftState, FoundVia, Mention
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
