"""Issue 8's acceptance check: an import of 20,000 rows with one bad line of each kind stores every valid row,
on SQLite and PostgreSQL, through the CLI in its own process: no traceback, no mention text in the output,
each bad line reported once, each row stored under the brand it names (two brands, no --brand)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from storage.models import Mention
from tests.conftest import TEST_BRANDS
from tests.test_import import MARK, SECOND_BRAND, Desk, assert_clean, make_desk

ROWS = 20_000
WHEN = "2026-11-20T10:00:00Z"


def _text(i: int) -> str:
    return f"@AcmeCoffee order {i} never came {MARK}"


def _jsonl_line(i: int, **extra: object) -> bytes:
    row = {
        "id": str(i),
        "text": _text(i),
        "author": f"user{i % 997}",
        "created_at": WHEN,
        "brand": "acme" if i % 2 else "bolt",
        "followers": i,
        **extra,
    }
    return json.dumps(row).encode()


def _csv_line(
    i: int, *, id: str | None = None, text: bytes | None = None, author: str | None = None, followers: str | None = None
) -> bytes:
    fields = [
        (id or str(i)).encode(),
        text if text is not None else _text(i).encode(),
        (author or f"user{i % 997}").encode(),
        WHEN.encode(),
        b"acme" if i % 2 else b"bolt",
        (followers or str(i)).encode(),
    ]
    return b",".join(fields)


# line number -> (the bad line, the start of the reason reported for it)
JSONL_BAD = {
    1_500: (
        b'{"id": "1500", "text": "@AcmeCoffee caf\xe9 ' + MARK.encode() + b'", "author": "ana", "brand": "acme"}',
        "not UTF-8 text (byte 0xe9",
    ),
    4_000: (_jsonl_line(4_000, text=f"@AcmeCoffee nul \u0000 {MARK}"), "text: contains a NUL character"),
    7_000: (
        _jsonl_line(7_000, text=f"@AcmeCoffee half an emoji \ud800 {MARK}"),
        "text: contains an unpaired surrogate",
    ),
    10_000: (_jsonl_line(10_000, id="1" * 65), "id: longer than 64 characters"),
    13_000: (_jsonl_line(13_000, author="a" * 256), "author: longer than 255 characters"),
    16_000: (_jsonl_line(16_000, followers=10**30), "followers: out of range"),
}

CSV_BAD = {
    1_500: (_csv_line(1_500, text=b"@AcmeCoffee caf\xe9 " + MARK.encode()), "not UTF-8 text (byte 0xe9"),
    4_000: (_csv_line(4_000, text=b"@AcmeCoffee nul \x00 " + MARK.encode()), "text: contains a NUL character"),
    # A lone surrogate cannot be UTF-8; written anyway (as WTF-8 does), its bytes are not UTF-8 text.
    7_000: (
        _csv_line(7_000, text=b"@AcmeCoffee half an emoji \xed\xa0\x80 " + MARK.encode()),
        "not UTF-8 text (byte 0xed",
    ),
    10_000: (_csv_line(10_000, id="1" * 65), "id: longer than 64 characters"),
    13_000: (_csv_line(13_000, author="a" * 256), "author: longer than 255 characters"),
    16_000: (_csv_line(16_000, followers=str(10**30)), "followers: out of range"),
    # Runs on over ~1,500 rows until the field grows past the csv module's limit.
    17_000: (_csv_line(17_000, text=b'"@AcmeCoffee unclosed quote ' + MARK.encode()), "broken CSV row"),
}


def _export(fmt: str) -> tuple[bytes, dict[int, tuple[bytes, str]]]:
    """The file, and its bad lines by line number. Line numbers count the CSV header."""
    if fmt == "jsonl":
        lines = [_jsonl_line(i) for i in range(1, ROWS + 1)]
        bad = JSONL_BAD
    else:
        lines = [b"id,text,author,created_at,brand,followers"] + [_csv_line(i) for i in range(1, ROWS + 1)]
        bad = {line + 1: value for line, value in CSV_BAD.items()}  # row i is on line i + 1
    for line, (content, _) in bad.items():
        lines[line - 1] = content
    return b"\n".join(lines) + b"\n", bad


@pytest.fixture
def two_brand_desk(any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    yield from make_desk(tmp_path, any_engine, monkeypatch, TEST_BRANDS + SECOND_BRAND)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_twenty_thousand_rows_with_one_bad_line_of_each_kind(two_brand_desk: Desk, fmt: str):
    content, bad = _export(fmt)
    path = two_brand_desk.write(f"export.{fmt}", content)
    done = two_brand_desk.run_process("import", str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout + done.stderr
    assert_clean(output)
    reported = [ln.strip() for ln in done.stderr.splitlines() if ln.strip().startswith("line ")]
    assert [int(ln.split(":")[0].removeprefix("line ")) for ln in reported] == sorted(bad)  # each once, in order
    for line, (_, reason) in sorted(bad.items()):
        assert any(ln.startswith(f"line {line}: {reason}") for ln in reported), (line, reported)
    valid = ROWS - len(bad)
    assert f"{valid} valid rows, {valid} new stored, 0 already known, {len(bad)} rejected" in done.stdout
    with Session(two_brand_desk.engine) as session:
        assert session.exec(select(func.count()).select_from(Mention)).one() == valid
        by_brand = dict(session.exec(select(Mention.brand, func.count()).group_by(Mention.brand)).all())
        bad_ids = {str(line - (1 if fmt == "csv" else 0)) for line in bad}
        stored_ids = set(session.exec(select(Mention.external_id)).all())
    assert stored_ids == {str(i) for i in range(1, ROWS + 1)} - bad_ids
    assert by_brand == {
        "acme": sum(1 for i in stored_ids if int(i) % 2),
        "bolt": sum(1 for i in stored_ids if not int(i) % 2),
    }
