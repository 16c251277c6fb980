"""The replay platform: mentions from JSONL or CSV exports, and an outbox that records replies locally.

Rows need `id`, `text` and `author`; TWCS-style exports (`tweet_id`, `author_id`, `inbound`) work too.
A malformed row is skipped and reported with its line number; every valid row is kept."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem
from mentiondesk.errors import InputError
from storage.models import FoundVia

PLATFORM = "replay"
MAX_TEXT = 40_000

_ALIASES = {
    "id": ("id", "external_id", "tweet_id"),
    "text": ("text", "body", "content"),
    "author": ("author", "author_handle", "handle", "author_id", "username"),
    "author_name": ("author_name", "name", "display_name"),
    "followers": ("followers", "author_followers", "follower_count"),
    "created_at": ("created_at", "created", "date", "timestamp"),
    "url": ("url", "permalink"),
    "lang": ("lang", "language"),
    "conversation_id": ("conversation_id", "thread_id"),
    "parent_id": ("parent_id", "in_reply_to", "in_response_to_tweet_id"),
    "found_via": ("found_via", "via"),
    "platform": ("platform",),
    "brand": ("brand",),
}


@dataclass(frozen=True)
class ParsedRow:
    line: int
    mention: FetchedMention | None
    error: str | None = None


def parse_time(value: str) -> datetime:
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")  # Twitter v1 style
        except ValueError:
            try:
                parsed = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                raise ValueError(f"created_at {value[:40]!r} is not a date (use ISO 8601)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _pick(row: dict[str, Any], field: str) -> Any:
    for name in _ALIASES[field]:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def row_to_mention(row: dict[str, Any], *, brand: str, default_platform: str = PLATFORM) -> FetchedMention:
    """Turn one exported row into a mention, or raise ValueError naming the bad field."""
    external_id = _pick(row, "id")
    text = _pick(row, "text")
    author = _pick(row, "author")
    for name, value in (("id", external_id), ("text", text), ("author", author)):
        if value is None:
            raise ValueError(f"missing field {name!r}")
    if not isinstance(text, str):
        raise ValueError("field 'text' must be a string")
    if len(text) > MAX_TEXT:
        raise ValueError(f"field 'text' is longer than {MAX_TEXT} characters")
    created_raw = _pick(row, "created_at")
    created = parse_time(str(created_raw)) if created_raw is not None else datetime.now(UTC)
    followers_raw = _pick(row, "followers")
    try:
        followers = int(followers_raw) if followers_raw is not None else 0
    except (TypeError, ValueError):
        raise ValueError(f"field 'followers' must be a whole number, got {followers_raw!r}") from None
    if followers < 0:
        raise ValueError("field 'followers' must not be negative")
    via_raw = _pick(row, "found_via") or FoundVia.MENTION
    try:
        via = FoundVia(str(via_raw))
    except ValueError:
        raise ValueError(f"field 'found_via' must be mention, reply or keyword, got {via_raw!r}") from None
    parent = _pick(row, "parent_id")
    return FetchedMention(
        platform=str(_pick(row, "platform") or default_platform),
        external_id=str(external_id).strip(),
        brand=str(_pick(row, "brand") or brand),
        text=text,
        author_handle=str(author).lstrip("@").strip(),
        created_at=created,
        author_name=str(_pick(row, "author_name") or ""),
        author_followers=followers,
        url=str(_pick(row, "url") or ""),
        language=str(_pick(row, "lang")) if _pick(row, "lang") else None,
        conversation_id=str(_pick(row, "conversation_id")) if _pick(row, "conversation_id") else None,
        parent_id=str(parent) if parent is not None else None,
        found_via=via,
    )


def _rows_jsonl(stream: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(row, dict):
            yield number, None, "expected a JSON object"
            continue
        yield number, row, None


def _rows_csv(stream: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV header: {exc}", line=1) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, f"broken CSV row: {exc}"
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield start, None, f"expected {len(header)} columns, found {len(values)}"
            continue
        yield start, dict(zip(header, values, strict=True)), None


def read_rows(path: Path | str, *, brand: str, text_stream: io.TextIOBase | None = None) -> Iterator[ParsedRow]:
    """Every row of a JSONL or CSV file in order, parsed or with its error."""
    name = str(path)
    is_csv = name.lower().endswith(".csv")
    stream: io.TextIOBase
    if text_stream is not None:
        stream = text_stream
    else:
        try:
            stream = open(path, encoding="utf-8", newline="" if is_csv else None)  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", path=name) from None
    try:
        rows = _rows_csv(stream) if is_csv else _rows_jsonl(stream)
        for line, row, error in rows:
            if row is None:
                yield ParsedRow(line=line, mention=None, error=error)
                continue
            try:
                yield ParsedRow(line=line, mention=row_to_mention(row, brand=brand))
            except ValueError as exc:
                yield ParsedRow(line=line, mention=None, error=str(exc))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=name) from None
    finally:
        if text_stream is None:
            stream.close()


class ReplaySource:
    """Replays a file; the cursor is the last line handed out, so a re-run resumes where it stopped."""

    platform = PLATFORM

    def __init__(self, path: Path | str, *, brand: str, batch_size: int = 500, name: str | None = None) -> None:
        self.path = Path(path)
        self.brand = brand
        self.batch_size = batch_size
        self.name = name or f"replay:{brand}:{self.path.name}"
        # Reading on from where the last batch stopped keeps a long file linear, not quadratic.
        self._rows: Iterator[ParsedRow] | None = None
        self._pending: ParsedRow | None = None
        self._position = -1

    def fetch(self, cursor: str | None) -> Batch:
        after = int(cursor) if cursor else 0
        if self._rows is None or self._position != after:
            self._rows = (row for row in read_rows(self.path, brand=self.brand) if row.line > after)
            self._pending = None
        mentions: list[FetchedMention] = []
        skipped: list[SkippedItem] = []
        last = after
        more = False
        while True:
            row = self._pending or next(self._rows, None)
            self._pending = None
            if row is None:
                break
            if len(mentions) + len(skipped) >= self.batch_size:
                self._pending = row
                more = True
                break
            last = row.line
            if row.mention is not None:
                mentions.append(row.mention)
            else:
                skipped.append(SkippedItem(where=f"{self.path}:{row.line}", reason=row.error or "unreadable"))
        self._position = last
        mentions.sort(key=lambda m: m.created_at)
        return Batch(mentions=mentions, cursor=str(last), skipped=skipped, more=more)


class MemorySource:
    """A source over mentions already in memory (the built-in demo set); cursor = how many were handed out."""

    def __init__(self, mentions: list[FetchedMention], *, brand: str, name: str, batch_size: int = 100) -> None:
        self.mentions = mentions
        self.brand = brand
        self.name = name
        self.platform = mentions[0].platform if mentions else PLATFORM
        self.batch_size = batch_size

    def fetch(self, cursor: str | None) -> Batch:
        start = int(cursor) if cursor else 0
        end = min(len(self.mentions), start + self.batch_size)
        return Batch(mentions=self.mentions[start:end], cursor=str(end), more=end < len(self.mentions))


class OutboxSender:
    """Posts replies to a local JSONL outbox: the replay platform's 'timeline'."""

    platform = PLATFORM

    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / "replies.jsonl"
        self._lock = threading.Lock()

    def send(self, reply: OutgoingReply) -> SentReply:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        reply_id = f"outbox-{reply.draft_id}"
        record = {
            "id": reply_id,
            "in_reply_to": reply.in_reply_to,
            "to": reply.author_handle,
            "brand": reply.brand,
            "text": reply.text,
            "at": datetime.now(UTC).isoformat(),
        }
        with self._lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        return SentReply(external_id=reply_id, url=f"outbox://{reply_id}")

    def find_reply(self, reply: OutgoingReply) -> SentReply | None:
        for record in self.replies():
            if record.get("in_reply_to") == reply.in_reply_to:
                return SentReply(external_id=str(record["id"]), url=f"outbox://{record['id']}")
        return None

    def replies(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]
