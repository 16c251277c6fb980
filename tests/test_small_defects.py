"""The small defects a new user hit (issue 12, item 10), each as that user would notice it."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from mentiondesk.cli import main
from mentiondesk.core.durations import minutes_label
from mentiondesk.demo import demo_brands
from mentiondesk.settings import get_settings
from responders.drafting import draft_reply
from storage.db import transaction
from storage.models import Case, Mention, utcnow
from tests.conftest import TEST_BRANDS
from tests.test_web_support import make_desk, signed_in

ROWS = [
    {
        "id": "d1",
        "text": "@AcmeCoffee my order is 2 hours late and nobody answers",
        "author": "late",
        "author_name": "Lee",
        "created_at": "2026-11-20T06:00:00Z",
    },
    {
        "id": "d2",
        "text": "@AcmeCoffee do you have oat milk at the airport store?",
        "author": "curious",
        "author_name": "Tom",
        "created_at": "2026-11-20T07:00:00Z",
    },
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS)
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(main, ["import", "m.jsonl"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_queue_list_shows_the_mention_id_relabel_takes(cli: CliRunner) -> None:
    listing = cli.invoke(main, ["queue"])
    assert listing.exit_code == 0, listing.output
    assert "DRAFT" in listing.output and "MENTION" in listing.output
    line = next(line for line in listing.output.splitlines() if "@late" in line)
    draft_id, mention_id = (int(v) for v in line.split()[:2])
    shown = cli.invoke(main, ["queue", "show", str(draft_id)])
    assert f"draft {draft_id} (mention {mention_id})" in shown.output
    relabel = cli.invoke(main, ["relabel", str(mention_id), "question"])
    assert relabel.exit_code == 0 and f"mention {mention_id} is now question" in relabel.output
    with Session(_engine()) as session:
        mention = session.get(Mention, mention_id)
        assert mention is not None and mention.author_handle == "late" and mention.label == "question"


def test_queue_ages_read_in_days_and_hours(cli: CliRunner) -> None:
    assert minutes_label(1921) == "1d 8h"
    assert minutes_label(90) == "1h 30m" and minutes_label(45) == "45m" and minutes_label(2880) == "2d"
    listing = cli.invoke(main, ["queue"]).output
    assert re.search(r"\b\d+d( \d+h)?\b", listing), listing
    assert not re.search(r"\b\d{3,}m\b", listing), listing


def test_queue_for_an_unknown_brand_names_it(cli: CliRunner) -> None:
    result = cli.invoke(main, ["queue", "--brand", "nope"])
    assert result.exit_code == 2
    assert "no brand 'nope'" in result.output and "acme" in result.output
    assert "queue is empty" not in result.output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres://someone@127.0.0.1/desk", "postgresql://"),
        ("postgresql://someone@127.0.0.1:1/desk", "cannot reach the database"),
    ],
)
def test_db_current_on_a_bad_url_is_one_line(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    monkeypatch.setenv("MENTIONDESK_DATABASE_URL", url)
    get_settings.cache_clear()
    result = cli.invoke(main, ["db", "current"])
    assert result.exit_code == 2, result.output
    assert says in result.output and "MENTIONDESK_DATABASE_URL" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1


def test_serve_with_a_broken_brand_file_prints_no_address(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "brands.toml").write_text(TEST_BRANDS.replace("daily_cap = 2", "daily_capp = 2"))
    result = cli.invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "daily_capp" in result.output and "Web desk" not in result.output


def test_serve_on_a_busy_port_prints_no_address(cli: CliRunner, busy_port: int) -> None:
    result = cli.invoke(main, ["serve", "--port", str(busy_port)])
    assert result.exit_code == 2
    assert f"127.0.0.1:{busy_port}" in result.output and "--port" in result.output
    assert "Web desk" not in result.output


def test_a_second_demo_prints_no_login_and_keeps_the_first_ones(cli: CliRunner, busy_port: int) -> None:
    result = cli.invoke(main, ["demo", "--port", str(busy_port)])
    assert result.exit_code == 2
    assert "Demo login" not in result.output and "Web desk" not in result.output
    assert "another desk running" in result.output
    from storage.models import User

    with Session(_engine()) as session:
        assert session.exec(select(User)).first() is None  # no demo account made or reset


def test_reddit_drafts_greet_without_an_at() -> None:
    brand = demo_brands().get("northwind")
    reddit = draft_reply(
        brand=brand, category="complaint", platform="reddit", author_name="", author_handle="ben_1398", seed="s"
    )
    assert "u/ben_1398" in reddit.text and "@ben_1398" not in reddit.text
    x = draft_reply(brand=brand, category="complaint", platform="x", author_name="", author_handle="ben_1398", seed="s")
    assert "@ben_1398" in x.text


def _engine() -> Any:
    from storage.db import make_engine

    return make_engine("sqlite:///mentiondesk.db")


# --- the web desk -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return make_desk(tmp_path_factory.mktemp("desk"))


def test_approve_selected_only_where_drafts_can_be_approved(desk: tuple[Any, Any]) -> None:
    app, _ = desk
    manager = signed_in(app, "maria")
    assert "Approve selected" in manager.get("/queue").text
    for state in ("approved", "sent", "rejected"):
        assert "Approve selected" not in manager.get(f"/queue?state={state}").text


def test_key_hints_are_for_those_who_can_use_them(desk: tuple[Any, Any]) -> None:
    app, _ = desk
    assert "<kbd>a</kbd> approve" in signed_in(app, "maria").get("/queue").text
    analyst = signed_in(app, "ana").get("/queue").text
    assert "<kbd>a</kbd> approve" not in analyst and "signed in as an analyst" in analyst


def test_cases_page_pages_and_dates_a_case_from_the_customers_first_post(desk: tuple[Any, Any]) -> None:
    app, engine = desk
    with transaction(engine) as session:
        mention = session.exec(select(Mention).where(Mention.is_own == False)).first()  # noqa: E712
        assert mention is not None
        now = utcnow()
        for _ in range(70):
            case = Case(brand=mention.brand, platform=mention.platform, author_id=mention.author_id, opened_at=now)
            session.add(case)
        session.flush()
        # The newest case: the customer wrote 13 hours ago; the desk only stored it now.
        newest = Case(
            brand=mention.brand,
            platform=mention.platform,
            author_id=mention.author_id,
            opened_at=now,
            last_activity_at=now + timedelta(seconds=5),
        )
        session.add(newest)
        session.flush()
        old = Mention(
            brand=mention.brand,
            platform=mention.platform,
            external_id="case-old-1",
            author_id=mention.author_id,
            author_handle="latecomer",
            text="@NorthwindCoffee still waiting",
            created_at=now - timedelta(hours=13),
            case_id=newest.id,
        )
        session.add(old)
        newest_id = newest.id
    client = signed_in(app, "maria")
    first = client.get("/cases").text
    assert first.count("/resolve") == 50
    assert "Page 1 of" in first and "Next page" in first
    row = first[first.index(f">#{newest_id}<") :].split("</tr>")[0]
    assert row.count("13h ago") == 2, row  # opened and last wrote: the same post
    assert "<1m ago" not in row
    second = client.get("/cases?page=2").text
    assert "Page 2 of" in second and "Previous page" in second and f">#{newest_id}<" not in second
