"""The replay platform: mentions from JSONL or CSV exports, and an outbox that records replies locally.

Rows need `id`, `text` and `author`; TWCS-style exports (`tweet_id`, `author_id`, `inbound`) work too.
Every row is checked here, at the boundary, against what the database can store: a row that cannot be
stored is rejected alone, with its line number, the field and the reason (never the row's text), and every
valid row is kept. What is rejected and why is in docs/import.md."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from listener.base import Batch, FetchedMention, OutgoingReply, SentReply, SkippedItem, Source
from mentiondesk.core.brands import Brand
from mentiondesk.core.errors import InputError
from mentiondesk.core.platform import AutomatedReplies, Platform, ReplyRules
from storage.models import FoundVia, Mention

PLATFORM = "replay"
MAX_TEXT = 40_000
MAX_FOLLOWERS = 2**31 - 1  # follower counts are 32-bit integers on PostgreSQL; no account comes close


def _column_length(name: str) -> int:
    length: int = Mention.__table__.c[name].type.length  # type: ignore[attr-defined]
    return length


# Longest value each field may have: the columns' own limits, so a row that passes is a row that fits.
_LIMITS = {
    "id": _column_length("external_id"),
    "author": _column_length("author_handle"),
    "author_name": _column_length("author_name"),
    "lang": _column_length("language"),
    "conversation_id": _column_length("conversation_id"),
    "parent_id": _column_length("parent_id"),
    "platform": _column_length("platform"),
    "brand": _column_length("brand"),
    "url": MAX_TEXT,
    "text": MAX_TEXT,
}

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
_REQUIRED = ("id", "text", "author")

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as the surrogateescape decoder keeps it
_WHOLE_NUMBER = re.compile(r"([+-]?)0*([0-9]+)")
_BRAND_KEY = re.compile(r"[A-Za-z0-9_.-]+")


class RowRejected(ValueError):
    """Why one row cannot be stored: the field (None when the whole line is unreadable) and the reason.
    Never carries the row's values: an error line must not leak a mention's text."""

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


@dataclass(frozen=True)
class ParsedRow:
    line: int
    mention: FetchedMention | None
    error: str | None = None
    field: str | None = None


def parse_time(value: str) -> datetime:
    value = value.strip()
    try:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")  # Twitter v1 style
            except ValueError:
                parsed = parsedate_to_datetime(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        # OverflowError: a valid date at the edge of the calendar that UTC pushes past year 1 or 9999.
        raise ValueError("not a date (use ISO 8601)") from None


def _pick(row: dict[str, Any], field: str) -> Any:
    for name in _ALIASES[field]:
        value = row.get(name)
        if value not in (None, ""):
            return value
    return None


def _checked(field: str, value: str) -> str:
    """The value, if the database can store it: no NUL, no unpaired surrogate, not too long."""
    if "\x00" in value:
        raise RowRejected("contains a NUL character (U+0000)", field=field)
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise RowRejected(f"contains an unpaired surrogate (U+{ord(surrogate.group()):04X})", field=field)
    limit = _LIMITS[field]
    if len(value) > limit:
        raise RowRejected(f"longer than {limit:,} characters", field=field)
    return value


def _string(row: dict[str, Any], field: str, *, numbers: bool = False) -> str | None:
    """A text field (ids may be JSON numbers too); None when absent."""
    value = _pick(row, field)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise RowRejected("must be text" if not numbers else "must be text or a whole number", field=field)


def _identifier(row: dict[str, Any], field: str) -> str | None:
    value = _string(row, field, numbers=True)
    value = value.strip() if value is not None else None
    if field == "author" and value is not None:
        value = value.lstrip("@").strip()
    return _checked(field, value) if value else None


def _required(row: dict[str, Any], field: str) -> str:
    value = _identifier(row, field)
    if value is None:
        raise RowRejected("missing", field=field)
    return value


def _whole_number(text: str) -> int | None:
    match = _WHOLE_NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    # Too many digits is out of range anyway; int() of a 5,000-digit string would be refused (or slow).
    return sign * (int(match.group(2)) if len(match.group(2)) <= 12 else 10**13)


def _followers(row: dict[str, Any]) -> int:
    value = _pick(row, "followers")
    if value is None:
        return 0
    if isinstance(value, str):
        value = _whole_number(value)
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowRejected("must be a whole number", field="followers")
    if value < 0:
        raise RowRejected("must not be negative", field="followers")
    if value > MAX_FOLLOWERS:
        raise RowRejected(f"out of range (at most {MAX_FOLLOWERS:,})", field="followers")
    return value


def _created_at(row: dict[str, Any]) -> datetime:
    value = _string(row, "created_at", numbers=True)
    if value is None:
        return datetime.now(UTC)
    try:
        return parse_time(value)
    except ValueError as exc:
        raise RowRejected(str(exc), field="created_at") from None


def _brand(row: dict[str, Any], *, default: str | None, known: Collection[str] | None) -> str:
    named = _identifier(row, "brand")
    if named is None:
        if default:
            return default
        choices = f" ({', '.join(sorted(known))})" if known else ""
        raise RowRejected(f"missing, and no default brand was given; name one with --brand{choices}", field="brand")
    if known is not None and named not in known:
        # The key is shown only when it looks like one: a shifted CSV column could put text here.
        shown = f" {named!r}" if _BRAND_KEY.fullmatch(named) else ""
        raise RowRejected(f"unknown brand{shown}; the brand file has {', '.join(sorted(known))}", field="brand")
    return named


def row_to_mention(
    row: dict[str, Any],
    *,
    brand: str | None,
    brands: Collection[str] | None = None,
    default_platform: str = PLATFORM,
) -> FetchedMention:
    """Turn one exported row into a mention, or raise RowRejected naming the bad field.

    `brand` is for rows without a `brand` field; `brands`, when given, are the only brands a row may name."""
    external_id = _required(row, "id")
    text = _pick(row, "text")
    if text is None:
        raise RowRejected("missing", field="text")
    if not isinstance(text, str):
        raise RowRejected("must be text", field="text")
    text = _checked("text", text)
    author = _required(row, "author")
    # A display name is decoration: one longer than the column is shortened, not worth losing the mention for.
    author_name = _checked("author_name", (_string(row, "author_name", numbers=True) or "")[: _LIMITS["author_name"]])
    via_raw = _string(row, "found_via") or FoundVia.MENTION
    try:
        via = FoundVia(via_raw.strip())
    except ValueError:
        raise RowRejected("must be mention, reply or keyword", field="found_via") from None
    url = _string(row, "url")
    return FetchedMention(
        platform=_identifier(row, "platform") or default_platform,
        external_id=external_id,
        brand=_brand(row, default=brand, known=brands),
        text=text,
        author_handle=author,
        created_at=_created_at(row),
        author_name=author_name,
        author_followers=_followers(row),
        url=_checked("url", url) if url else "",
        language=_identifier(row, "lang"),
        conversation_id=_identifier(row, "conversation_id"),
        parent_id=_identifier(row, "parent_id"),
        found_via=via,
    )


def _not_utf8(line: str) -> str | None:
    """Why a line is not UTF-8 text, or None. Files are decoded with surrogateescape, so a bad byte reaches
    us as U+DC80..U+DCFF inside its own line instead of stopping the whole file."""
    if line.isascii() or not _ESCAPED_BYTE.search(line):
        return None
    raw = line.encode("utf-8", "surrogateescape")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line)"
    return None


def _not_utf8_record(taken: list[tuple[int, str]]) -> str | None:
    for number, text in taken:
        problem = _not_utf8(text)
        if problem:
            return problem if number == taken[0][0] else f"{problem} on line {number}"
    return None


Rows = Iterator[tuple[int, dict[str, Any] | None, RowRejected | None]]


def _rows_jsonl(stream: io.TextIOBase) -> Rows:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        undecodable = _not_utf8(line)
        if undecodable:
            yield number, None, RowRejected(undecodable)
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, RowRejected(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except (ValueError, RecursionError):  # a number of thousands of digits; nesting thousands deep
            yield number, None, RowRejected("not valid JSON (a number too long or nesting too deep)")
            continue
        if not isinstance(row, dict):
            yield number, None, RowRejected("expected a JSON object")
            continue
        yield number, row, None


class _Lines:
    """A stream's physical lines, numbered, with a way to put lines back. A broken CSV record gives back
    the lines after its first, so an unclosed quote costs its own line, not the rows it ran into."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._stream = iter(stream)
        self._number = 0
        self._back: list[tuple[int, str]] = []
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._back:
            item = self._back.pop()
        else:
            self._number += 1
            item = (self._number, next(self._stream))
        self.taken.append(item)
        return item[1]

    def give_back(self, items: list[tuple[int, str]]) -> None:
        self._back.extend(reversed(items))


def _id_shape(value: str) -> str:
    """'1790…' -> '0', 't1_abc' -> 'a0_a': ids of one export share a shape; sentences rarely have it."""
    return re.sub("[A-Za-z]+", "a", re.sub("[0-9]+", "0", value.strip()))


class _CsvLayout:
    """What a line must look like to be a record of this file on its own."""

    def __init__(self, header: list[str]) -> None:
        self.width = len(header)
        columns = {
            field: next((header.index(n) for n in names if n in header), None) for field, names in _ALIASES.items()
        }
        missing = [field for field in _REQUIRED if columns[field] is None]
        if missing:
            names = "; ".join(f"{field} ({', '.join(_ALIASES[field])})" for field in missing)
            raise InputError(f"the CSV header has no column for {names}", line=1)
        self.required = [column for column in (columns[field] for field in _REQUIRED) if column is not None]
        self.id_column = self.required[0]
        self.created_column = columns["created_at"]

    def id_of(self, values: list[str]) -> str:
        return values[self.id_column] if len(values) > self.id_column else ""

    def starts_record(self, line: str, *, shapes: Collection[str] | None) -> bool:
        """Whether a line read alone is a complete record (with an id shaped like `shapes`, when given)."""
        if line.count('"') % 2:
            return False  # holds the closing quote of the field before it: a continuation, not a record
        try:
            values = next(csv.reader([line], strict=True))
        except (csv.Error, StopIteration):
            return False
        if len(values) != self.width or not all(values[i].strip() for i in self.required):
            return False
        identifier = values[self.id_column].strip()
        if any(c.isspace() for c in identifier) or (shapes and _id_shape(identifier) not in shapes):
            return False
        if self.created_column is not None and values[self.created_column].strip():
            try:
                parse_time(values[self.created_column])
            except ValueError:
                return False
        return True


def _rows_csv(stream: io.TextIOBase) -> Rows:
    lines = _Lines(stream)
    # strict: a closing quote followed by anything but a comma or line end is an error, not more text.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV header: {exc}", line=1) from None
    if any(_not_utf8(text) for _, text in lines.taken):
        raise InputError("the CSV header is not UTF-8 text", line=1)
    header = [h.strip().lstrip("\ufeff") for h in header]
    layout = _CsvLayout(header)
    last_shape: str | None = None
    while True:
        lines.taken = []
        values: list[str] | None
        try:
            values, problem = next(reader), None
        except StopIteration:
            return
        except csv.Error as exc:
            values, problem = None, f"broken CSV row: {exc}"
        taken = lines.taken
        start = taken[0][0]
        if values is not None and not any(v.strip() for v in values):
            continue
        if values is not None and len(values) != layout.width:
            problem = f"expected {layout.width} columns, found {len(values)}"
        if len(taken) > 1:
            problem = _runaway(taken, values, problem, layout=layout, lines=lines, last_shape=last_shape)
        if problem is None:
            problem = _not_utf8_record(taken)
        if problem is not None or values is None:
            yield start, None, RowRejected(problem or "broken CSV row")
            continue
        last_shape = _id_shape(layout.id_of(values))
        yield start, dict(zip(header, values, strict=True)), None


def _runaway(
    taken: list[tuple[int, str]],
    values: list[str] | None,
    problem: str | None,
    *,
    layout: _CsvLayout,
    lines: _Lines,
    last_shape: str | None,
) -> str | None:
    """Check a record that spans lines. A quoted field may hold line breaks, but an unclosed quote also
    runs on over the next rows until some later quote ends it. When a line inside the record is clearly a
    record of its own, or the record is broken anyway, the record ends before that line and the lines from
    there on are read again: only the line with the unclosed quote is lost."""
    first_line = next(csv.reader([taken[0][1]]), [])
    shapes = {s for s in (last_shape, _id_shape(layout.id_of(first_line))) if s}
    if values is not None and problem is None:
        shapes.add(_id_shape(layout.id_of(values)))
        # A well-formed record: only a line with this export's id shape is evidence of a runaway quote.
        restart = next(
            (i for i, (_, text) in enumerate(taken[1:], 1) if layout.starts_record(text, shapes=shapes)), None
        )
        if restart is None:
            return None
        problem = "broken CSV row"
    else:
        problem = problem or "broken CSV row"
        # Broken anyway: any line that stands alone as a record starts the next one.
        restart = next((i for i, (_, text) in enumerate(taken[1:], 1) if layout.starts_record(text, shapes=None)), None)
    if restart is not None:
        lines.give_back(taken[restart:])
        return (
            f"{problem}; probably an unclosed quote: the lines from {taken[restart][0]} on are read again "
            "as rows of their own"
        )
    return f"{problem} (lines {taken[0][0]}-{taken[-1][0]})"


def read_rows(
    path: Path | str,
    *,
    brand: str | None,
    brands: Collection[str] | None = None,
    text_stream: io.TextIOBase | None = None,
) -> Iterator[ParsedRow]:
    """Every row of a JSONL or CSV file in order, parsed or with the reason it was rejected.

    `brand` is for rows that name none; `brands`, when given, are the brands a row may name."""
    name = str(path)
    is_csv = name.lower().endswith(".csv")
    stream: io.TextIOBase
    if text_stream is not None:
        stream = text_stream
    else:
        try:
            stream = open(  # noqa: SIM115
                path, encoding="utf-8-sig", errors="surrogateescape", newline="" if is_csv else None
            )
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", path=name) from None
    try:
        rows = _rows_csv(stream) if is_csv else _rows_jsonl(stream)
        for line, row, rejected in rows:
            try:
                if rejected is not None:
                    raise rejected
                assert row is not None
                yield ParsedRow(line=line, mention=row_to_mention(row, brand=brand, brands=brands))
            except RowRejected as exc:
                yield ParsedRow(line=line, mention=None, error=str(exc), field=exc.field)
    except InputError as exc:
        raise InputError(exc.message, path=name, line=exc.line) from None
    finally:
        if text_stream is None:
            stream.close()


class ReplaySource:
    """Replays a file; the cursor is the last line handed out, so a re-run resumes where it stopped."""

    platform = PLATFORM

    def __init__(
        self,
        path: Path | str,
        *,
        brand: str,
        batch_size: int = 500,
        name: str | None = None,
        brands: Collection[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.brand = brand
        self.brands = brands
        self.batch_size = batch_size
        self.name = name or f"replay:{brand}:{self.path.name}"
        # Reading on from where the last batch stopped keeps a long file linear, not quadratic.
        self._rows: Iterator[ParsedRow] | None = None
        self._pending: ParsedRow | None = None
        self._position = -1

    def fetch(self, cursor: str | None) -> Batch:
        after = int(cursor) if cursor else 0
        if self._rows is None or self._position != after:
            rows = read_rows(self.path, brand=self.brand, brands=self.brands)
            self._rows = (row for row in rows if row.line > after)
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
    rate_scope = PLATFORM

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


# --- the descriptor ---------------------------------------------------------------------------------


class ReplayAccess(BaseModel):
    """Where the outbox is (MENTIONDESK_OUTBOX_DIR, a setting shared with the rest of the desk)."""

    model_config = ConfigDict(frozen=True)

    outbox_dir: Path = Path("outbox")


def _no_sources(brand: Brand, access: ReplayAccess) -> list[Source]:
    return []  # replay files come in through `mentiondesk import`, not by polling


DESCRIPTOR: Platform[ReplayAccess] = Platform(
    name=PLATFORM,
    title="Replay",
    access=ReplayAccess,
    replies=ReplyRules(
        max_length=10_000, keyword_replies=True, automated=AutomatedReplies.ADDRESSED, automated_by_default=True
    ),
    listens_for=lambda brand: False,
    can_read=lambda access: True,
    sources=_no_sources,
    read_hint="",
    sender=lambda access: OutboxSender(access.outbox_dir),
    handle_prefix="@",
    handle_pattern=r"\S{1,64}",
    mention_url=lambda handle, post_id: "",
    color="#7c5cc4",
)
