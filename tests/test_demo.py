"""`mentiondesk demo --once` in an empty directory, as a new user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from listener.demo_corpus import DEMO_MENTIONS
from mentiondesk.core.brands import load_brands
from mentiondesk.demo import demo_brands, leave_demo_brand_file
from mentiondesk.web.queries import queue_items
from storage.db import make_engine
from storage.models import Draft, DraftState, Mention, as_utc, utcnow
from tests.conftest import TEST_BRANDS


class KindOf:
    """What the demo corpus says a stored mention is, found by its text (ids come from the simulator)."""

    def __init__(self) -> None:
        self.texts = [(m.text.split("\n")[0][:100], m.kind) for m in DEMO_MENTIONS]
        self.stored: dict[str, str] = {}

    def add(self, mention: Mention) -> None:
        for prefix, kind in self.texts:
            if prefix in mention.text:
                self.stored[mention.external_id] = kind
                return
        raise AssertionError(f"not a demo mention: {mention.text[:80]!r}")

    def __getitem__(self, external_id: str) -> str:
        return self.stored[external_id]


def new_user_runs(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mentiondesk ARGS` in `directory` with none of our settings in the environment, as a new user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "mentiondesk.cli", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_demo_fills_the_queue_sorted_and_safe(tmp_path: Path):
    result = new_user_runs(tmp_path, "demo", "--once")
    assert result.returncode == 0, result.stderr
    assert "Queue:" in result.stdout and "Most urgent:" in result.stdout
    assert "sent to the simulated platforms" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'mentiondesk.db'}")
    kind = KindOf()
    with Session(engine) as session:
        mentions = session.exec(select(Mention)).all()
        for m in mentions:
            kind.add(m)
        queue = session.exec(
            select(Draft, Mention)
            .join(Mention, col(Mention.id) == Draft.mention_id)
            .where(Draft.state == DraftState.DRAFTED)
            .order_by(col(Draft.urgency).desc(), col(Draft.created_at))
        ).all()
        automated = session.exec(
            select(Mention).join(Draft, col(Draft.mention_id) == Mention.id).where(Draft.automated == True)  # noqa: E712
        ).all()
    assert len(DEMO_MENTIONS) >= 300
    # The brand's own posts are excluded by the search query (-from:) and keyword matches in languages the
    # brand does not handle by lang:en, so they are never fetched.
    assert len(mentions) >= 280
    # Every network is in the demo, read through its own client; Hacker News is listen-only: no drafts there.
    assert {m.platform for m in mentions} == {"x", "reddit", "mastodon", "bluesky", "hackernews"}
    with Session(engine) as session:
        hn_drafts = session.exec(
            select(Draft)
            .join(Mention, col(Mention.id) == Draft.mention_id)
            .where(col(Mention.platform) == "hackernews")
        ).all()
    assert hn_drafts == []
    assert {d.category for d, _ in queue} == {"complaint", "praise", "question", "other"}
    top = queue[0][0]
    assert top.category == "complaint" and top.escalated
    urgencies = [d.urgency for d, _ in queue]
    assert urgencies == sorted(urgencies, reverse=True)
    drafted_kinds = {kind[m.external_id] for _, m in queue}
    assert "own" not in drafted_kinds
    spam_drafts = [m.text for _, m in queue if kind[m.external_id] == "spam"]
    assert spam_drafts == []
    # Only real praise is thanked automatically: never sarcasm, a complaint, a question or an opt-out.
    unsafe = {"complaint", "urgent", "sarcasm", "question", "spam", "own", "opt_out"}
    assert [m.text for m in automated if kind[m.external_id] in unsafe] == []
    assert len(automated) >= 5
    # A new user's desk is fresh: the demo's mentions are recent, inside the 60-minute response target, and
    # the summary names drafts and mentions apart, with ids that match what the desk shows.
    assert all(utcnow() - as_utc(m.created_at) < timedelta(minutes=60) for m in mentions)
    with Session(engine) as session:
        items = queue_items(session, [(d, m) for d, m in queue], demo_brands().brands)
    assert [it.stale_reasons for it in items if it.breached] == []
    shown = re.findall(r"draft (\d+)\s+mention (\d+)", result.stdout)
    assert len(shown) == 5
    by_draft = {d.id: m.id for d, m in queue}
    assert all(by_draft[int(draft)] == int(mention) for draft, mention in shown)
    # The commands the summary suggests next work in the same directory: they read the demo brand it left.
    assert "Wrote brands.toml with the demo brand" in result.stdout
    listed = new_user_runs(tmp_path, "queue", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["id"] == int(shown[0][0])


def test_the_demo_leaves_a_users_own_brand_file_alone(tmp_path: Path) -> None:
    own = tmp_path / "brands.toml"
    own.write_text(TEST_BRANDS, encoding="utf-8")
    assert leave_demo_brand_file(own) == "other brands"
    assert own.read_text(encoding="utf-8") == TEST_BRANDS
    fresh = tmp_path / "empty" / "brands.toml"
    fresh.parent.mkdir()
    assert leave_demo_brand_file(fresh) == "wrote"
    assert "northwind" in load_brands(fresh).brands
    assert leave_demo_brand_file(fresh) == "has the demo brand"
    assert leave_demo_brand_file(tmp_path / "no such dir" / "brands.toml") == "unwritable"
