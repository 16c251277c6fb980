"""`mentiondesk classify`: one JSON object per row, in order; a bad file is one line naming file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from mentiondesk.cli import main

KEYS = {
    "label",
    "sentiment",
    "confidence",
    "scores",
    "sentiment_scores",
    "language",
    "needs_reply",
    "needs_review",
    "review_reason",
    "urgency",
    "urgency_tier",
    "urgency_reason",
    "auto_thank",
}
TEXTS = [
    "Thank you @AlaskaAir, amazing crew and a smooth flight!",
    "@delta lost my bag, third time this year. I want a refund",
    'He said "hi, there", then left',
    "@AppleSupport how do I reset my password?",
]


def _run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["classify", *args], input=stdin)


def _rows(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_csv_rows_come_out_in_order(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    body = "id,text\n" + "".join(f'{i},"{t.replace(chr(34), chr(34) * 2)}"\n' for i, t in enumerate(TEXTS))
    path.write_text(body, encoding="utf-8")
    result = _run(str(path))
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert len(rows) == len(TEXTS)
    assert all(set(r) == KEYS for r in rows)
    assert [r["label"] for r in rows][:2] == ["praise", "complaint"]
    assert rows[0]["auto_thank"] is True and rows[1]["auto_thank"] is False
    assert isinstance(rows[1]["urgency"], int) and rows[1]["urgency"] > rows[0]["urgency"]


def test_jsonl_and_stdin_agree(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": t, "id": i}) + "\n" for i, t in enumerate(TEXTS))
    path = tmp_path / "in.jsonl"
    path.write_text(lines, encoding="utf-8")
    from_file = _rows(_run(str(path)).stdout)
    from_stdin = _rows(_run("-", stdin=lines).stdout)
    assert from_file == from_stdin
    assert len(from_file) == len(TEXTS)


def test_plain_text_lines_on_stdin() -> None:
    lines = "@acme me cobraron dos veces y nadie responde\n\n@acme I'm calling my lawyer about this charge\n"
    result = _run("-", stdin=lines)
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert len(rows) == 2
    assert rows[0]["language"] == "es"
    assert rows[1]["language"] == "en"
    assert rows[1]["urgency_tier"] == "critical" and rows[1]["urgency_reason"] == "legal threat"
    assert isinstance(rows[1]["needs_review"], bool) and 0 <= rows[1]["needs_reply"] <= 1


def test_txt_file_is_one_text_per_line(tmp_path: Path) -> None:
    path = tmp_path / "mentions.txt"
    path.write_text("text\n@delta lost my bag\n", encoding="utf-8")
    rows = _rows(_run(str(path)).stdout)
    assert len(rows) == 2  # a .txt file has no header: "text" is a mention too


def test_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n{"text": "also fine"}\n{"txt": "oops"}\n', encoding="utf-8")
    result = _run(str(path))
    assert result.exit_code == 2
    assert f"{path}:3:" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""


def test_broken_json_and_missing_column_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8")
    result = _run(str(broken))
    assert result.exit_code == 2 and f"{broken}:2:" in result.stderr
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("body\nhello\n", encoding="utf-8")
    result = _run(str(no_text))
    assert result.exit_code == 2 and f"{no_text}:1:" in result.stderr and "'text'" in result.stderr


def test_missing_file_and_missing_model_are_one_line(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "absent.csv"))
    assert result.exit_code == 2 and "absent.csv" in result.stderr
    good = tmp_path / "in.csv"
    good.write_text("text\nhi\n", encoding="utf-8")
    result = _run(str(good), "--model", str(tmp_path / "no_model"))
    assert result.exit_code == 2
    assert "no_model" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("text\ncaf\xe9 is great\n".encode("latin-1"))
    result = _run(str(path))
    assert result.exit_code == 2 and "UTF-8" in result.stderr
