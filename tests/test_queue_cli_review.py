"""The command line when the classifier is unsure and when thank-yous go out on their own: `queue --json`
carries needs_review and the urgency reason, the table marks review with `?`, `relabel` writes the draft
again, and `queue stop` keeps a held thank-you from ever being sent."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from mentiondesk.settings import get_settings
from tests.conftest import TEST_BRANDS

ROWS = [
    ("unsure", "@AcmeCoffee the new cup lids leak all over my hands every single morning"),
    ("sure", "@AcmeCoffee my order is two hours late and nobody answers the phone"),
    ("fan", "@AcmeCoffee thank you so much, best latte I've had all year!"),
    ("hurt", "@AcmeCoffee the lid came off in the drive-thru and I have second-degree burns on my hand"),
]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS)
    rows = [
        {"id": f"r{i}", "text": text, "author": author, "created_at": f"2026-11-20T0{i}:00:00Z"}
        for i, (author, text) in enumerate(ROWS)
    ]
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(main, ["import", "m.jsonl"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


def run_json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_queue_json_carries_needs_review_and_the_urgency_reason(desk: CliRunner):
    items = {i["author"]: i for i in run_json(desk, "queue")}
    assert items["unsure"]["needs_review"] is True and items["unsure"]["review_reason"] == "low confidence"
    assert "thank" not in items["unsure"]["reply"].lower()
    assert items["sure"]["needs_review"] is False and items["sure"]["review_reason"] is None
    assert items["hurt"]["urgency_reason"] == "injury" and items["hurt"]["escalated"]
    assert all(isinstance(i["needs_reply"], float) for i in items.values())
    table = desk.invoke(main, ["queue"]).output
    [unsure_line] = [line for line in table.splitlines() if "@unsure" in line]
    [sure_line] = [line for line in table.splitlines() if "@sure" in line]
    assert "?complaint" in unsure_line and "?" not in sure_line.split("@")[0]
    shown = desk.invoke(main, ["queue", "show", str(items["unsure"]["id"])]).output
    assert "NEEDS REVIEW: low confidence" in shown and "policy: ok" not in shown
    assert "urgent because: injury" in desk.invoke(main, ["queue", "show", str(items["hurt"]["id"])]).output


def test_relabel_writes_the_draft_again(desk: CliRunner):
    items = {i["author"]: i for i in run_json(desk, "queue")}
    before = items["sure"]
    after = run_json(desk, "relabel", str(before["mention_id"]), "question")
    assert after["label"] == "question" and after["sentiment"] == "neutral"
    assert after["draft"]["text"] != before["reply"] and "sorry" not in after["draft"]["text"].lower()
    assert after["urgency"] < before["urgency"]


def test_a_held_thank_you_stopped_from_the_cli_is_never_sent(desk: CliRunner, tmp_path: Path):
    [held] = run_json(desk, "queue", "--state", "held")
    assert held["author"] == "fan" and held["automated"]
    assert run_json(desk, "queue", "stop", str(held["id"]))["state"] == "rejected"
    again = desk.invoke(main, ["queue", "stop", str(held["id"])])
    assert again.exit_code == 2 and "cannot be stopped" in again.output
    run_json(desk, "queue", "send")
    outbox = tmp_path / "outbox" / "replies.jsonl"
    replies = [json.loads(line) for line in outbox.read_text().splitlines()] if outbox.exists() else []
    assert [r for r in replies if r["to"] == "fan"] == []
