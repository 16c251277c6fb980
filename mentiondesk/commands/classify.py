"""`mentiondesk classify PATH`: one JSON object per input row, in order, on stdout."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from mentiondesk.core.errors import InputError

BATCH = 1000
# Below this many rows a progress bar is noise.
LONG_INPUT = 5000
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@click.command(name="classify")
@click.argument("path")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Trained model directory (default: MENTIONDESK_MODEL, else the shipped model).",
)
def command(path: str, model_dir: Path | None) -> None:
    """Classify texts from a CSV (`text` column), JSONL (`text` field), a .txt file (one text per line) or `-`
    (stdin: JSONL, CSV with a `text` header, or plain lines).

    Prints {"label", "sentiment", "confidence", "scores", "sentiment_scores", "language", "needs_reply",
    "needs_review", "review_reason", "urgency", "urgency_tier", "urgency_reason", "auto_thank"} per row.
    """
    from mentiondesk.settings import get_settings
    from rules.classifier import load_classifier, thank_you_eligible, urgency_score

    texts = read_texts(path)
    classifier = load_classifier(model_dir if model_dir is not None else get_settings().model)
    out = sys.stdout
    with _progress(len(texts)) as bar:
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            for c in classifier.classify(chunk):
                row = {
                    "label": c.label,
                    "sentiment": c.sentiment,
                    "confidence": round(c.confidence, 4),
                    "scores": c.scores,
                    "sentiment_scores": c.sentiment_scores,
                    "language": c.language,
                    "needs_reply": round(c.needs_reply, 4),
                    "needs_review": c.needs_review,
                    "review_reason": c.review_reason,
                    "urgency": urgency_score(c, followers=0),
                    "urgency_tier": c.urgency,
                    "urgency_reason": c.urgency_reason,
                    "auto_thank": thank_you_eligible(c),
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            bar.update(len(chunk))
    out.flush()


def _progress(total: int) -> _Bar:
    show = total >= LONG_INPUT and sys.stderr.isatty()
    return _Bar(total, show)


class _Bar:
    """tqdm on stderr when wanted; a no-op otherwise."""

    def __init__(self, total: int, show: bool) -> None:
        self.bar = None
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=" mentions", file=sys.stderr)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)


# --- reading input --------------------------------------------------------------------------------------


def read_texts(path: str) -> list[str]:
    """All texts, in order. Any unusable row raises InputError naming the file and line."""
    if path == "-":
        data = sys.stdin.read()
        if not _sniff_jsonl(data) and not _has_text_header(data):
            return _plain_lines(data)
        return _parse(io.StringIO(data), "<stdin>", _sniff_jsonl(data))
    file = Path(path)
    if not file.is_file():
        raise InputError("no such file", path=path)
    try:
        if file.suffix.lower() == ".txt":
            return _plain_lines(file.read_text(encoding="utf-8"))
        with file.open(encoding="utf-8", newline="") as handle:
            jsonl = file.suffix.lower() in JSONL_SUFFIXES or (
                file.suffix.lower() != ".csv" and _sniff_jsonl(handle.read(4096))
            )
            handle.seek(0)
            return _parse(handle, path, jsonl)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None


def _sniff_jsonl(head: str) -> bool:
    return head.lstrip("\ufeff \t\r\n").startswith("{")


def _has_text_header(data: str) -> bool:
    """A CSV whose first line names a `text` column; anything else on stdin is one text per line."""
    first = data.lstrip("\ufeff").split("\n", 1)[0]
    try:
        header = next(csv.reader([first]), [])
    except csv.Error:
        return False
    return "text" in [h.strip().lower() for h in header]


def _plain_lines(data: str) -> list[str]:
    return [line.rstrip("\r") for line in data.lstrip("\ufeff").split("\n") if line.strip()]


def _parse(handle: IO[str], name: str, jsonl: bool) -> list[str]:
    return list(_jsonl_texts(handle, name) if jsonl else _csv_texts(handle, name))


def _jsonl_texts(handle: IO[str], name: str) -> Iterator[str]:
    for line_no, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON ({exc.msg})", path=name, line=line_no) from None
        if not isinstance(row, dict):
            raise InputError("each line must be a JSON object with a 'text' field", path=name, line=line_no)
        text = row.get("text")
        if not isinstance(text, str):
            raise InputError("'text' is missing or not a string", path=name, line=line_no)
        yield text


def _csv_texts(handle: IO[str], name: str) -> Iterator[str]:
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
        if header is None:
            return
        columns = [h.strip().lstrip("\ufeff").lower() for h in header]
        if "text" not in columns:
            raise InputError("CSV header has no 'text' column", path=name, line=1)
        index = columns.index("text")
        for row in reader:
            if not row:
                continue
            if len(row) <= index:
                raise InputError(f"row has {len(row)} fields, no 'text'", path=name, line=reader.line_num)
            yield row[index]
    except csv.Error as exc:
        raise InputError(f"bad CSV ({exc})", path=name, line=reader.line_num) from None
