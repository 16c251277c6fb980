"""The queue from the command line, as a manager uses it: list, show, approve (edited), reject, send."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mentiondesk.cli import main
from mentiondesk.settings import get_settings
from tests.conftest import TEST_BRANDS

ROWS = [
    {
        "id": "q1",
        "text": "@AcmeCoffee I want a refund NOW, I found a bug in my coffee, calling my lawyer",
        "author": "angry",
        "author_name": "Rita Moreno",
        "followers": 90000,
        "created_at": "2026-11-20T08:00:00Z",
    },
    {
        "id": "q2",
        "text": "@AcmeCoffee do you have oat milk at the airport store?",
        "author": "curious",
        "author_name": "Tom",
        "created_at": "2026-11-20T07:00:00Z",
    },
    {
        "id": "q3",
        "text": "@AcmeCoffee my order is 2 hours late",
        "author": "late",
        "author_name": "Lee",
        "created_at": "2026-11-20T06:00:00Z",
    },
]


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("MENTIONDESK_"):
            monkeypatch.delenv(key)
    (tmp_path / "brands.toml").write_text(TEST_BRANDS.replace("auto_thank = true", "auto_thank = false"))
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(main, ["import", "m.jsonl"]).exit_code == 0
    yield runner
    get_settings.cache_clear()


def run_json(runner: CliRunner, *args: str):
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_queue_lists_most_urgent_first_with_filters(desk: CliRunner):
    items = run_json(desk, "queue")
    assert [i["author"] for i in items][0] == "angry"
    assert items[0]["escalated"] and items[0]["urgency"] >= items[1]["urgency"] >= items[2]["urgency"]
    questions = run_json(desk, "queue", "--category", "question")
    assert [i["author"] for i in questions] == ["curious"]
    text = desk.invoke(main, ["queue"]).output
    assert "@angry" in text and "!" in text  # escalation marker in the table


def test_show_approve_edit_reject_and_send(desk: CliRunner, tmp_path: Path):
    items = {i["author"]: i for i in run_json(desk, "queue")}
    shown = run_json(desk, "queue", "show", str(items["curious"]["id"]))
    assert shown["classification"]["label"] and shown["mention"].startswith("@AcmeCoffee do you")
    approved = run_json(
        desk,
        "queue",
        "approve",
        str(items["curious"]["id"]),
        "--text",
        "Hi Tom! Yes, oat milk at every airport store.",
        "--as",
        "maria",
    )
    assert approved["state"] == "approved"
    again = desk.invoke(main, ["queue", "approve", str(items["curious"]["id"])])
    assert again.exit_code == 2 and "it cannot be approved" in again.output
    rejected = run_json(
        desk, "queue", "reject", str(items["late"]["id"]), "--reason", "not a complaint", "--wrong-category", "other"
    )
    assert rejected["state"] == "rejected"
    late = run_json(desk, "queue", "show", str(items["late"]["id"]))
    assert late["classification"]["label"] == "other" and late["classification"]["origin"].startswith("human:")
    sent = run_json(desk, "queue", "send")
    assert sent["sent"] == [items["curious"]["id"]]
    assert run_json(desk, "queue", "send")["sent"] == []
    outbox = (tmp_path / "outbox" / "replies.jsonl").read_text().splitlines()
    assert [json.loads(line)["text"] for line in outbox] == ["Hi Tom! Yes, oat milk at every airport store."]
    audit = run_json(desk, "queue", "show", str(items["curious"]["id"]))["audit"]
    assert [e["action"] for e in audit] == ["edit_approve", "sent"]
    assert audit[0]["actor"] == "maria" and audit[0]["after"].startswith("Hi Tom!")


def test_unknown_draft_is_one_line(desk: CliRunner):
    result = desk.invoke(main, ["queue", "show", "999"])
    assert result.exit_code == 2 and result.output.strip() == "error: no draft 999"


def test_relabel_from_the_cli(desk: CliRunner):
    items = {i["author"]: i for i in run_json(desk, "queue")}
    shown = run_json(desk, "queue", "show", str(items["late"]["id"]))
    mention_id = shown.get("mention_id")
    assert mention_id is not None
    assert run_json(desk, "relabel", str(mention_id), "question")["label"] == "question"
