"""Full-text search over mentions (the post, the author's handle and name) and our replies.

SQLite: two FTS5 tables with external content (`mention_fts` over `mention`, `draft_fts` over `draft`), kept in
step by triggers, so the transaction that stores a batch indexes it too. PostgreSQL: GIN indexes on
`to_tsvector('simple', ...)` (declared on the models), always current. Both match whole words, without stemming
(the 'simple' configuration, FTS5's unicode61 tokenizer), every word of the query.

Results are newest stored first (highest id): both engines walk their index in that order and stop at the page,
so a common word over a million mentions costs no sort."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, column, exists, func, literal_column, select, table
from sqlmodel import Session, col

from storage.desk_models import MentionTag
from storage.models import Draft, Mention

# The FTS5 tables and the shadow tables FTS5 makes for them: not compared by `db check` (Alembic does not know
# virtual tables); this module owns their SQL.
FTS_TABLES = frozenset(
    f"{base}{suffix}"
    for base in ("mention_fts", "draft_fts")
    for suffix in ("", "_data", "_idx", "_docsize", "_config", "_content")
)

_SQLITE = [
    "CREATE VIRTUAL TABLE mention_fts USING fts5(text, author_handle, author_name, content='mention', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE draft_fts USING fts5(text, content='draft', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_mention_ins AFTER INSERT ON mention BEGIN "
    "INSERT INTO mention_fts(rowid, text, author_handle, author_name) "
    "VALUES (NEW.id, NEW.text, NEW.author_handle, NEW.author_name); END",
    "CREATE TRIGGER search_mention_del AFTER DELETE ON mention BEGIN "
    "INSERT INTO mention_fts(mention_fts, rowid, text, author_handle, author_name) "
    "VALUES ('delete', OLD.id, OLD.text, OLD.author_handle, OLD.author_name); END",
    "CREATE TRIGGER search_mention_upd AFTER UPDATE OF text, author_handle, author_name ON mention BEGIN "
    "INSERT INTO mention_fts(mention_fts, rowid, text, author_handle, author_name) "
    "VALUES ('delete', OLD.id, OLD.text, OLD.author_handle, OLD.author_name); "
    "INSERT INTO mention_fts(rowid, text, author_handle, author_name) "
    "VALUES (NEW.id, NEW.text, NEW.author_handle, NEW.author_name); END",
    "CREATE TRIGGER search_draft_ins AFTER INSERT ON draft BEGIN "
    "INSERT INTO draft_fts(rowid, text) VALUES (NEW.id, NEW.text); END",
    "CREATE TRIGGER search_draft_del AFTER DELETE ON draft BEGIN "
    "INSERT INTO draft_fts(draft_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text); END",
    "CREATE TRIGGER search_draft_upd AFTER UPDATE OF text ON draft BEGIN "
    "INSERT INTO draft_fts(draft_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text); "
    "INSERT INTO draft_fts(rowid, text) VALUES (NEW.id, NEW.text); END",
    "INSERT INTO mention_fts(mention_fts) VALUES ('rebuild')",
    "INSERT INTO draft_fts(draft_fts) VALUES ('rebuild')",
]
_TRIGGERS = ("search_mention_ins", "search_mention_del", "search_mention_upd", "search_draft_ins",
             "search_draft_del", "search_draft_upd")  # fmt: skip

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12


def install(conn: Connection) -> None:
    """Migration 0012 on SQLite: the FTS5 tables, their triggers, and the index of every stored row."""
    for statement in _SQLITE:
        conn.exec_driver_sql(statement)


def uninstall(conn: Connection) -> None:
    for name in _TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    conn.exec_driver_sql("DROP TABLE IF EXISTS mention_fts")
    conn.exec_driver_sql("DROP TABLE IF EXISTS draft_fts")


@dataclass(frozen=True)
class SearchFilters:
    brand: str = ""
    platform: str = ""
    label: str = ""
    tag: str = ""
    since: datetime | None = None
    until: datetime | None = None
    # With no brand chosen: the brands searched (the brand file's); empty searches every brand stored.
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    mention: Mention
    in_reply: bool  # the words were found in one of our replies to it (not only in the post or author)


def words(query: str) -> list[str]:
    """The words of a query as both engines split them; punctuation and operators are not syntax here."""
    return [w.lower() for w in _WORD.findall(query)][:MAX_WORDS]


def search(query: str, filters: SearchFilters, *, session: Session, limit: int = 50, offset: int = 0) -> list[Hit]:
    """Mentions whose post, author or one of our replies holds every word of `query`, newest first. An empty
    query lists the newest mentions that pass the filters."""
    found = words(query)
    want = offset + limit
    window = _id_window(session, filters)
    if window is not None and window[0] is None:
        return []  # nothing was posted in the date range
    if not found:
        ids = _ids(session, filters, None, want, window)
        return _hits(session, ids[offset:], set())
    if session.get_bind().dialect.name == "sqlite":
        expression = " ".join('"' + w.replace('"', '""') + '"' for w in found)
        post_ids = _ids(session, filters, ("mention_fts", expression), want, window)
        reply_ids = _ids(session, filters, ("draft_fts", expression), want, window)
    else:
        phrase = " ".join(found)
        post_ids = _ids(session, filters, ("mention", phrase), want, window)
        reply_ids = _ids(session, filters, ("draft", phrase), want, window)
    merged = sorted(set(post_ids) | set(reply_ids), reverse=True)[offset:want]
    return _hits(session, merged, set(reply_ids) - set(post_ids))


def _id_window(session: Session, f: SearchFilters) -> tuple[int | None, int | None] | None:
    """The lowest and highest mention id posted in the date range, read from the (brand, created_at) index, so
    the newest-first walk of the full-text index starts inside the range instead of skipping every newer match.
    None when there is no date range or no brand to read the index by."""
    if f.since is None and f.until is None:
        return None
    brands = (f.brand,) if f.brand else f.within
    if not brands:
        return None
    stmt = select(func.min(col(Mention.id)), func.max(col(Mention.id))).where(col(Mention.brand).in_(brands))
    if f.since is not None:
        stmt = stmt.where(col(Mention.created_at) >= f.since)
    if f.until is not None:
        stmt = stmt.where(col(Mention.created_at) < f.until)
    low, high = session.execute(stmt).one()
    return (int(low), int(high)) if low is not None else (None, None)


def _ids(
    session: Session,
    f: SearchFilters,
    match: tuple[str, str] | None,
    limit: int,
    window: tuple[int | None, int | None] | None = None,
) -> list[int]:
    mention_id = col(Mention.id)
    stmt: Any = select(mention_id)
    dialect = session.get_bind().dialect.name
    if match is not None:
        where, phrase = match
        if dialect == "sqlite":
            fts = table(where, column("rowid"), column(where))
            rowid = fts.c.rowid
            found_in = fts.c[where].op("MATCH")(phrase)
            if where == "mention_fts":
                stmt = select(rowid.label("id")).join(Mention, mention_id == rowid)
                if window is not None:  # FTS5 seeks to a rowid range itself
                    stmt = stmt.where(rowid.between(window[0], window[1]))
            else:
                stmt = (
                    select(col(Draft.mention_id).label("id"))
                    .select_from(fts)
                    .join(Draft, col(Draft.id) == rowid)
                    .join(Mention, mention_id == col(Draft.mention_id))
                )
            stmt = stmt.where(found_in).order_by(rowid.desc())
        elif where == "mention":
            document = func.to_tsvector(
                literal_column("'simple'::regconfig"),
                col(Mention.text) + " " + col(Mention.author_handle) + " " + col(Mention.author_name),
            )
            stmt = (
                select(mention_id)
                .where(document.op("@@")(func.plainto_tsquery(literal_column("'simple'::regconfig"), phrase)))
                .order_by(mention_id.desc())
            )
        else:
            document = func.to_tsvector(literal_column("'simple'::regconfig"), col(Draft.text))
            stmt = (
                select(col(Draft.mention_id).label("id"))
                .join(Mention, mention_id == col(Draft.mention_id))
                .where(document.op("@@")(func.plainto_tsquery(literal_column("'simple'::regconfig"), phrase)))
                .order_by(col(Draft.id).desc())
            )
    else:
        stmt = stmt.order_by(mention_id.desc())
    if window is not None:
        stmt = stmt.where(mention_id.between(window[0], window[1]))
    stmt = _filtered(stmt, f).limit(limit)
    return [int(row[0]) for row in session.execute(stmt)]


def _filtered(stmt: Any, f: SearchFilters) -> Any:
    if f.brand:
        stmt = stmt.where(col(Mention.brand) == f.brand)
    elif f.within:
        stmt = stmt.where(col(Mention.brand).in_(f.within))
    if f.platform:
        stmt = stmt.where(col(Mention.platform) == f.platform)
    if f.label:
        stmt = stmt.where(col(Mention.label) == f.label)
    if f.since is not None:
        stmt = stmt.where(col(Mention.created_at) >= f.since)
    if f.until is not None:
        stmt = stmt.where(col(Mention.created_at) < f.until)
    if f.tag:
        stmt = stmt.where(
            exists().where(and_(col(MentionTag.mention_id) == col(Mention.id), col(MentionTag.tag) == f.tag))
        )
    return stmt


def _hits(session: Session, ids: list[int], reply_only: set[int]) -> list[Hit]:
    if not ids:
        return []
    rows = {m.id: m for m in session.execute(select(Mention).where(col(Mention.id).in_(ids))).scalars()}
    return [Hit(mention=rows[i], in_reply=i in reply_only) for i in ids if i in rows]
