"""The queue page counts its backlog only up to a cap: past it, "N+" and a next page, never an exact count of
every pending draft on each view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from mentiondesk.web import queries
from tests.test_web_support import make_desk, signed_in


def _header(html: str) -> str:
    found = re.search(r'<h1>Queue <span class="count">([^<]*)</span>', html)
    assert found
    return found.group(1)


def test_a_backlog_past_the_cap_shows_a_plus_and_pages_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, engine = make_desk(tmp_path)
    with Session(engine) as session:
        exact = queries.queue_count(session, queries.QueueFilters())
        assert queries.queue_count(session, queries.QueueFilters(), cap=exact - 1) == exact
        assert queries.queue_count(session, queries.QueueFilters(), cap=exact + 5) == exact
    assert exact > queries.PAGE_SIZE + 2
    client = signed_in(app, "maria")
    assert _header(client.get("/queue").text) == f"{exact:,}"

    monkeypatch.setattr(queries, "COUNT_CAP", queries.PAGE_SIZE + 1)
    first = client.get("/queue").text
    assert _header(first) == f"{queries.PAGE_SIZE + 1}+"
    assert "Page 1 of 2+" in first and "Next page" in first
    # Deeper than the cap: each page counts up to one page past itself, so paging never runs dry early.
    pages = -(-exact // queries.PAGE_SIZE)
    last = client.get(f"/queue?page={pages}").text
    assert "Next page" not in last and last.count('<article class="card') == exact - (pages - 1) * queries.PAGE_SIZE
