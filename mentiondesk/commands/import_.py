"""`mentiondesk import PATH`: store every valid row of an export; reject each broken row alone, by line.

Rows are checked where they are read (listener/replay.py). Batches of 500 are stored the way the poller
stores a batch (dedup, classify, route, draft, insert, one transaction). Should the database still refuse a
batch, it is stored in smaller parts, down to row by row, so only the row at fault is rejected. No error
line ever carries a mention's text: SQLAlchemy's messages list every parameter of a statement, so they are
never shown."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import DBAPIError, InterfaceError, SQLAlchemyError, StatementError

from listener.base import FetchedMention
from listener.replay import ParsedRow, read_rows
from mentiondesk.app import App
from mentiondesk.commands._common import emit_json
from mentiondesk.core.brands import BrandConfig
from mentiondesk.core.errors import ConfigError, InputError, MentionDeskError
from storage.db import transaction
from storage.models import Mention
from storage.queries import insert_mentions, new_mentions

log = logging.getLogger(__name__)

BATCH_SIZE = 500
LISTED = 100  # rejected rows printed; --json lists them all
_SOURCE_LENGTH: int = Mention.__table__.c.source.type.length  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rejected:
    line: int
    error: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "error": self.error}


@dataclass
class ImportReport:
    valid: int = 0
    stored: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def known(self) -> int:
        refused = sum(1 for r in self.rejected if r.field == "database")
        return self.valid - refused - self.stored


@click.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--brand", help="Brand key for rows without a `brand` field (needed only when several brands exist).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(path: Path, brand: str | None, as_json: bool) -> None:
    """Import a JSONL or CSV export of mentions: valid rows are stored, broken rows reported by line."""
    if not path.exists():
        raise InputError("no such file", path=str(path))
    app = App.open()
    rows = read_rows(path, brand=default_brand(app.brands, brand), brands=set(app.brands.brands))
    report = import_rows(app, rows, source=source_name(path))
    rejected = sorted(report.rejected, key=lambda r: r.line)
    if as_json:
        emit_json(
            {
                "read": report.valid,
                "stored": report.stored,
                "already_known": report.known,
                "skipped": [r.as_dict() for r in rejected],
            }
        )
        return
    click.echo(
        f"{path}: {report.valid} valid rows, {report.stored} new stored, {report.known} already known, "
        f"{len(rejected)} rejected"
    )
    for item in rejected[:LISTED]:
        click.echo(f"  line {item.line}: {item.error}", err=True)
    if len(rejected) > LISTED:
        click.echo(f"  … and {len(rejected) - LISTED} more rejected rows (--json lists them all)", err=True)


def default_brand(brands: BrandConfig, key: str | None) -> str | None:
    """The brand for rows that name none: --brand, or the only brand. None: every row must name its own."""
    if key:
        return brands.get(key).key
    return next(iter(brands.brands)) if len(brands.brands) == 1 else None


def source_name(path: Path) -> str:
    name = f"import:{path.resolve()}"
    return name if len(name) <= _SOURCE_LENGTH else "import:…" + name[-(_SOURCE_LENGTH - len("import:…")) :]


def import_rows(app: App, rows: Iterable[ParsedRow], *, source: str) -> ImportReport:
    report = ImportReport()
    for chunk in _chunks(rows, BATCH_SIZE):
        valid: list[tuple[int, FetchedMention]] = []
        for row in chunk:
            if row.mention is None:
                report.rejected.append(Rejected(row.line, row.error or "unreadable", row.field))
            else:
                valid.append((row.line, row.mention))
        valid.sort(key=lambda item: item[1].created_at)  # oldest first, as every source hands them out
        report.valid += len(valid)
        _store(app, valid, source=source, report=report)
    return report


def _chunks(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _store(app: App, rows: list[tuple[int, FetchedMention]], *, source: str, report: ImportReport) -> None:
    """Store rows as one batch. Should the database refuse it, each half is stored the same way, down to
    the single row at fault: only that row is rejected, in some 2 x log2(500) = 18 tries instead of 500."""
    if not rows:
        return
    try:
        report.stored += _store_batch(app, [mention for _, mention in rows], source=source)
        return
    except MentionDeskError:
        raise  # a model that will not load, say: nothing to do with the rows
    except (SQLAlchemyError, ValueError, OverflowError) as exc:  # what a row's values can provoke; bugs propagate
        _stop_if_database_is_unusable(exc, rows)
        if len(rows) == 1:
            report.rejected.append(
                Rejected(rows[0][0], f"database: refused this row ({describe_failure(exc)})", "database")
            )
            return
        log.debug(
            "lines %d-%d refused together (%s); storing them in halves", rows[0][0], rows[-1][0], describe_failure(exc)
        )
    middle = len(rows) // 2
    _store(app, rows[:middle], source=source, report=report)
    _store(app, rows[middle:], source=source, report=report)


def _store_batch(app: App, mentions: list[FetchedMention], *, source: str) -> int:
    with transaction(app.engine) as session:
        new = new_mentions(mentions, source=source, session=session)
        app.pipeline.process(session, new)
        insert_mentions(new, session=session)
    return len(new)


def _stop_if_database_is_unusable(exc: Exception, rows: list[tuple[int, FetchedMention]]) -> None:
    """A database that is down, locked or on another schema refuses every row alike: stop, rather than
    reject them all."""
    if _database_unavailable(exc):
        raise ConfigError(
            f"the database failed while storing lines {rows[0][0]}-{rows[-1][0]} ({describe_failure(exc)}); "
            "rows before them are stored, and importing the file again stores the rest",
            key="MENTIONDESK_DATABASE_URL",
        ) from None


def _database_unavailable(exc: Exception) -> bool:
    if isinstance(exc, InterfaceError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return True
    orig = exc.orig if isinstance(exc, StatementError) else None
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        # Connection, missing table or column, resources, operator intervention, system: not the row's fault.
        return sqlstate[:2] in {"08", "42", "53", "57", "58"}
    if isinstance(orig, sqlite3.OperationalError):
        return any(word in str(orig) for word in ("locked", "disk", "unable to open", "readonly", "no such"))
    return False


def describe_failure(exc: BaseException) -> str:
    """What went wrong, in words that cannot carry the row: SQLAlchemy's message lists the statement's
    parameters and PostgreSQL's detail can quote the failing row, so only the kind of error is shown."""
    orig = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    kind = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type(orig).__name__).lower()
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return f"{kind}, SQLSTATE {sqlstate}"
    if isinstance(orig, sqlite3.Error) and str(orig):
        return str(orig).splitlines()[0]  # SQLite names columns and constraints, never the values
    return kind
