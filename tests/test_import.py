"""Replay files: every valid row stored, every broken row reported by line, a second import stores nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from listener.replay import ReplaySource, read_rows
from mentiondesk.cli import main
from mentiondesk.settings import get_settings
from storage.db import make_engine
from storage.models import Mention
from tests.conftest import TEST_BRANDS

JSONL_ROWS = [
    '{"id": "1", "text": "@AcmeCoffee my order is late again", "author": "ana", "created_at": "2026-11-20T10:00:00Z"}',
    '{"id": "2", "text": "@AcmeCoffee love the new roast!", "author": "ben", "followers": 12}',
    "{this is not json",
    '{"id": "3", "author": "cy"}',
    '["a", "list"]',
    '{"id": "4", "text": "@AcmeCoffee <script>alert(1)</script>", "author": "dee", "created_at": "yesterday"}',
    "",
    '{"id": "5", "text": "@AcmeCoffee do you ship to Canada?", "author": "eve", "followers": "many"}',
    '{"id": "6", "text": "@AcmeCoffee \\u202ereversed\\u200b", "author": "fay", "found_via": "keyword"}',
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def stored_ids(workdir: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{workdir / 'mentiondesk.db'}")
    with Session(engine) as session:
        return sorted(session.exec(select(Mention.external_id)))


def test_broken_rows_are_reported_by_line_and_the_rest_stored(workdir: Path):
    path = workdir / "export.jsonl"
    path.write_text("\n".join(JSONL_ROWS) + "\n")
    result = CliRunner().invoke(main, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stored"] == 3
    assert [s["line"] for s in report["skipped"]] == [3, 4, 5, 6, 8]
    reasons = {s["line"]: s["error"] for s in report["skipped"]}
    assert "not valid JSON" in reasons[3]
    assert "missing field 'text'" in reasons[4]
    assert "created_at" in reasons[6]
    assert "followers" in reasons[8]
    assert stored_ids(workdir) == ["1", "2", "6"]


def test_importing_twice_stores_nothing_new(workdir: Path):
    path = workdir / "export.jsonl"
    path.write_text("\n".join(JSONL_ROWS) + "\n")
    CliRunner().invoke(main, ["import", str(path)])
    again = CliRunner().invoke(main, ["import", str(path), "--json"])
    assert json.loads(again.output)["stored"] == 0
    assert stored_ids(workdir) == ["1", "2", "6"]


def test_csv_export_with_a_broken_row(workdir: Path):
    path = workdir / "export.csv"
    path.write_text(
        "id,text,author,created_at\n"
        '10,"@AcmeCoffee multi\nline, with comma",gil,2026-11-20T10:00:00+01:00\n'
        "11,only two columns\n"
        "12,@AcmeCoffee thanks!,hal,Tue Oct 31 22:10:47 +0000 2017\n"
    )
    result = CliRunner().invoke(main, ["import", str(path), "--json"])
    report = json.loads(result.output)
    assert report["stored"] == 2
    assert report["skipped"] == [{"line": 4, "error": "expected 4 columns, found 2"}]


def test_hostile_rows_are_kept_verbatim(tmp_path: Path):
    text = "@AcmeCoffee <img src=x onerror=alert(1)> \u202e\u200b" + "x" * 10_000
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"id": "h", "text": text, "author": "mal"}) + "\n")
    [row] = list(read_rows(path, brand="acme"))
    assert row.mention is not None and row.mention.text == text


def test_replay_resumes_from_its_cursor(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps({"id": str(i), "text": f"t{i}", "author": "a"}) for i in range(7)))
    source = ReplaySource(path, brand="acme", batch_size=3)
    first = source.fetch(None)
    resumed = ReplaySource(path, brand="acme", batch_size=3).fetch(first.cursor)  # a fresh process
    assert [m.external_id for m in first.mentions] == ["0", "1", "2"] and first.more
    assert [m.external_id for m in resumed.mentions] == ["3", "4", "5"]


def test_missing_file_is_one_clear_line(workdir: Path):
    result = CliRunner().invoke(main, ["import", "nope.jsonl"])
    assert result.exit_code == 2 and "nope.jsonl: no such file" in result.output
