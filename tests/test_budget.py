"""`mentiondesk budget`: a month's requests, posts read, replies and dollars per brand and platform, from the
brand file and the last 7 days stored or `--mentions-per-day`, priced with the dated card (or the user's own)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from mentiondesk.core.values import FetchedMention
from mentiondesk.settings import get_settings
from storage.db import open_database, transaction
from storage.models import utcnow
from storage.queries import insert_mentions, new_mentions

BRANDS = """
[brands.handle]
name = "Handle Only"
handles = { x = ["handleco"] }

[brands.search]
name = "Search Only"
keywords = ["search coffee"]
reddit = { search_sitewide = false }

[brands.linked]
name = "Linked"
handles = { x = ["linkedco"] }
signature = "More at https://linked.example"
"""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(BRANDS)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def budget(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(main, ["budget", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def x_row(report: dict[str, Any]) -> dict[str, Any]:
    (row,) = [e for e in report["estimates"] if e["platform"] == "x"]
    return row


def test_owned_mentions_cost_thirty_dollars_and_search_five_times_that(desk: CliRunner) -> None:
    owned = x_row(budget(desk, "--brand", "handle", "--mentions-per-day", "1000"))
    search = x_row(budget(desk, "--brand", "search", "--mentions-per-day", "1000"))

    assert owned["posts_read"] == 30_000 and owned["dollars"]["reads"] == pytest.approx(30.0)
    assert search["posts_read"] == 30_000 and search["dollars"]["reads"] == pytest.approx(150.0)
    assert owned["requests"] == 43_200  # one request a minute for 30 days: every poll, even an empty one
    assert owned["read_cap"] == 3_000_000 and owned["notes"] == []


def test_replies_with_a_link_are_priced_as_posts_with_a_url(desk: CliRunner) -> None:
    plain = x_row(budget(desk, "--brand", "handle", "--mentions-per-day", "10", "--replies-per-day", "10"))
    linked = x_row(budget(desk, "--brand", "linked", "--mentions-per-day", "10", "--replies-per-day", "10"))

    assert plain["replies"] == 300 and plain["dollars"]["replies"] == pytest.approx(3.0)
    assert linked["dollars"]["replies"] == pytest.approx(60.0)
    assert any("link" in note for note in linked["notes"])


def test_over_the_monthly_read_cap_is_said(desk: CliRunner) -> None:
    row = x_row(budget(desk, "--brand", "search", "--mentions-per-day", "150000"))
    assert row["posts_read"] == 4_500_000
    assert any("over the 3,000,000 cap" in note for note in row["notes"])
    assert row["requests"] == 43_200 * 2  # 104 posts a poll: two pages of 100


def test_the_last_seven_days_stored_are_the_default_volume(desk: CliRunner, tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'mentiondesk.db'}")
    now = utcnow()
    fetched = [
        FetchedMention(
            platform="x",
            external_id=str(1000 + n),
            brand="handle",
            text="@handleco hello",
            author_handle=f"user{n % 7}",
            created_at=now - timedelta(hours=n % 160),
        )
        for n in range(700)
    ]
    with transaction(engine) as session:
        insert_mentions(new_mentions(fetched, source="x:handle:mentions:handleco", session=session), session=session)
    engine.dispose()

    report = budget(desk, "--brand", "handle")

    assert report["basis"] == "the last 7 days stored"
    assert x_row(report)["posts_read"] == 3_000 and x_row(report)["dollars"]["total"] == pytest.approx(3.0)


def test_a_price_card_of_ones_own(desk: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "card.toml").write_text('[x]\nas_of = 2026-12-01\nsource = "our contract"\nowned_read = 0.0005\n')
    report = budget(desk, "--brand", "handle", "--mentions-per-day", "1000", "--price-card", "card.toml")
    assert x_row(report)["dollars"]["reads"] == pytest.approx(15.0) and report["price_card"]["x"] == "2026-12-01"

    (tmp_path / "card.toml").write_text("[x]\nowned_read = -1\n")
    result = desk.invoke(main, ["budget", "--price-card", "card.toml"])
    assert result.exit_code != 0 and "x.owned_read" in result.output and "Traceback" not in result.output


def test_the_plain_report_names_each_source_and_the_card_date(desk: CliRunner) -> None:
    result = desk.invoke(main, ["budget", "--mentions-per-day", "1000"])
    assert result.exit_code == 0, result.output
    assert "x:handle:mentions:handleco" in result.output and "$30.00" in result.output
    assert "$150.00" in result.output and "x as of 2026-02-06" in result.output
