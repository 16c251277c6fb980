"""Posts whose author is gone ("[deleted]", a null author) are never one author: no shared case, no shared
opt-out. Read through the real praw client from a recorded comment listing (tests/recorded/reddit), stored and
processed by the real pipeline on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import responses
from sqlalchemy import Engine
from sqlmodel import Session, select

from listener.reddit import sources_for
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from rules.classifier import Classifier
from storage.models import Author, Case, Draft, Mention

RECORDED = Path(__file__).parent / "recorded" / "reddit"
OAUTH = "https://oauth.reddit.example.test"
WWW = "https://www.reddit.example.test"
BRANDS = """
[brands.acme]
name = "Acme Coffee"
keywords = ["acme coffee"]
handles = { reddit = ["AcmeCoffee"] }
reddit = { subreddits = ["coffee"], search_sitewide = false }
"""
# Four people whose accounts are gone, each writing to u/AcmeCoffee (the recorded null-author comment, t1_l3ab003,
# is the first; the other two take its shape with their own words and ids).
WORDS = {
    "l3ab003": None,  # as recorded: "u/AcmeCoffee my beans arrived stale and the bag was open"
    "l3ab007": "u/AcmeCoffee stop replying to me",
    "l3ab008": "u/AcmeCoffee my order never arrived and nobody answers. I want a refund",
    "l3ab009": "u/AcmeCoffee I was charged twice and nobody answers. I want my money back",
}


def listing() -> dict[str, Any]:
    recorded = json.loads((RECORDED / "comments_listing.json").read_text(encoding="utf-8"))
    template = next(c for c in recorded["data"]["children"] if c["data"]["name"] == "t1_l3ab003")
    children = []
    for offset, (item_id, text) in enumerate(sorted(WORDS.items(), reverse=True)):
        child = json.loads(json.dumps(template))
        child["data"].update(id=item_id, name=f"t1_{item_id}", created_utc=1715610050.0 + 10 * (len(WORDS) - offset))
        if text:
            child["data"]["body"] = text
        children.append(child)
    return {"kind": "Listing", "data": {**recorded["data"], "after": None, "children": children}}


@responses.activate
def test_deleted_authors_share_no_case_and_no_opt_out(any_engine: Engine, classifier: Classifier) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        reddit_oauth_url=OAUTH,
        reddit_url=WWW,
        reddit_client_id="id",
        reddit_client_secret="secret",
        reddit_username="someone_else",
        reddit_password="pw",
    )
    brands: BrandConfig = parse_brands(BRANDS)
    responses.post(f"{WWW}/api/v1/access_token", json=json.loads((RECORDED / "access_token.json").read_text()))
    responses.get(f"{OAUTH}/r/coffee/comments", json=listing())
    (source,) = [
        s for s in sources_for(brands.get("acme"), access_of("reddit", settings)) if s.name.endswith("comments")
    ]

    outcome = Pipeline(engine=any_engine, brands=brands, classifier=classifier).poll(source)

    assert outcome.stored == len(WORDS)
    with Session(any_engine) as session:
        mentions = {m.external_id: m for m in session.exec(select(Mention))}
        assert all(m.author_handle == "[deleted]" and m.author_id is None for m in mentions.values())
        assert session.exec(select(Author)).all() == []  # no "[deleted]" author to pile history or an opt-out on
        complaints = [m for m in mentions.values() if m.label == "complaint"]
        assert {m.external_id for m in complaints} >= {"t1_l3ab008", "t1_l3ab009"}
        cases = session.exec(select(Case)).all()
        assert len(cases) == len(complaints) == len({m.case_id for m in complaints})  # a case each
        drafted = {session.get_one(Mention, d.mention_id).external_id for d in session.exec(select(Draft))}
    # One of them asked to be left alone; the others still get their answers.
    assert "t1_l3ab007" not in drafted
    assert {"t1_l3ab003", "t1_l3ab008", "t1_l3ab009"} <= drafted


def test_a_database_with_one_shared_deleted_author_is_split_by_the_migration(any_engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config

    config = alembic_config(any_engine)
    command.downgrade(config, "0010")
    with any_engine.begin() as conn:  # as an older version stored them: two strangers, one author row
        conn.execute(
            text(
                "INSERT INTO author (id, platform, handle, display_name, followers, first_seen, last_seen, "
                "mention_count, opted_out_at) VALUES (7, 'reddit', '[deleted]', '', 0, :t, :t, 2, :t)"
            ),
            {"t": "2026-11-01 00:00:00"},
        )
        for n, words in ((1, "stop replying to me"), (2, "my order never arrived")):
            conn.execute(
                text(
                    "INSERT INTO mention (id, brand, platform, external_id, source, url, author_id, author_handle, "
                    "author_name, author_followers, text, created_at, fetched_at, found_via, is_own, route_reason, "
                    "needs_review, urgency) VALUES (:n, 'acme', 'reddit', :ext, 's', '', 7, '[deleted]', '', 0, "
                    ":words, :t, :t, 'mention', false, '', false, 0)"
                ),
                {"n": n, "ext": f"t1_x{n}", "words": words, "t": "2026-11-01 00:00:00"},
            )
        conn.execute(
            text(
                'INSERT INTO "case" (id, brand, platform, author_id, status, opened_at, last_activity_at) '
                "VALUES (3, 'acme', 'reddit', 7, 'open', :t, :t)"
            ),
            {"t": "2026-11-01 00:00:00"},
        )

    command.upgrade(config, "head")

    with Session(any_engine) as session:
        assert [m.author_id for m in session.exec(select(Mention))] == [None, None]
        assert session.get_one(Case, 3).author_id is None
        assert session.get_one(Author, 7).opted_out_at is None  # the other stranger is not muted any more
    command.downgrade(config, "0010")
    with any_engine.connect() as conn:
        assert [row[0] for row in conn.execute(text("SELECT author_id FROM mention ORDER BY id"))] == [7, 7]
