"""Data lifecycle: purging posts deleted on their platform, per-brand retention, erasing one author (`forget`),
and online backups of SQLite. Platform-agnostic: mentions are found by platform name and handle only.

Every function takes the session as a keyword argument and never commits. Deleting works in batches
(`limit` mentions per call): the caller commits each batch and calls again until nothing is left, so a
retention pass over a million old mentions never holds one huge transaction.

Aggregate trends outlive the rows: the rollup tables (storage/web_models.py) are topped up with the rows about
to go before their delete triggers take them off again, so the per-day counts, share of voice and reply times
stay as they were."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, bindparam, delete, func, or_, text, update
from sqlmodel import Session, SQLModel, col, select

from mentiondesk.core.errors import InputError
from storage import desk_models, web_models  # noqa: F401  (desk_models: its tables in the metadata)
from storage.models import (
    Alert,
    AlertMention,
    AuditEvent,
    Author,
    Case,
    Classification,
    Draft,
    DraftState,
    Mention,
    OptOutMarker,
    ReplyLedger,
    utcnow,
)

BATCH = 1000
# A send may be under way (or its outcome not yet known) for these: their rows wait for the next pass, so the
# reply-once ledger is never taken away from a sender in the middle of a post.
IN_FLIGHT = (DraftState.SENDING, DraftState.UNKNOWN)


@dataclass
class Erased:
    """What one call removed."""

    mentions: int = 0
    drafts: int = 0
    classifications: int = 0
    ledger: int = 0
    audit: int = 0
    cases: int = 0
    authors: int = 0
    other: int = 0  # rows of other tables that hang off the mentions (notes, tags, …)
    held: list[int] = field(default_factory=list)  # mentions left for the next pass (a send in flight)

    def add(self, other: Erased) -> None:
        for name in ("mentions", "drafts", "classifications", "ledger", "audit", "cases", "authors", "other"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.held = sorted(set(self.held) | set(other.held))

    def counts(self) -> dict[str, int]:
        return {
            "mentions": self.mentions,
            "drafts": self.drafts,
            "classifications": self.classifications,
            "ledger": self.ledger,
            "audit": self.audit,
            "cases": self.cases,
            "authors": self.authors,
            "other": self.other,
        }


Step = Callable[[Session], Erased]


def handle_sha256(handle: str) -> str:
    """The opt-out marker's key: a SHA-256 of the lower-cased handle without its @ or u/ prefix."""
    plain = handle.strip().lstrip("@").removeprefix("u/").lower()
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


# --- what to delete -------------------------------------------------------------------------------------------


def purge_deleted(*, session: Session, limit: int = BATCH) -> Erased:
    """Remove up to `limit` mentions their platform said are gone (`deleted_at` set), with everything about
    them. Run it until it returns no mentions; the service does so every hour, well within the 24 hours the
    networks' developer terms allow."""
    ids = _ids(select(col(Mention.id)).where(col(Mention.deleted_at).is_not(None)), session=session, limit=limit)
    return erase_mentions(ids, session=session)


def expire_brand(brand: str, retention_days: int, *, session: Session, now: datetime | None = None,
                 limit: int = BATCH) -> Erased:  # fmt: skip
    """Remove up to `limit` of a brand's mentions posted more than `retention_days` ago, with their drafts,
    classifications, ledger rows and audit trail; cases and authors left with no mention go too (an author
    who opted out is kept, so the opt-out holds)."""
    if retention_days < 1:
        raise InputError(f"retention_days must be at least 1, not {retention_days}")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    query = select(col(Mention.id)).where(col(Mention.brand) == brand, col(Mention.created_at) < cutoff)
    erased = erase_mentions(_ids(query, session=session, limit=limit), session=session)
    if erased.mentions:
        erased.add(_drop_orphans(cutoff, session=session))
    return erased


def forget_author(platform: str, handle: str, *, session: Session, actor: str, now: datetime | None = None) -> Erased:
    """Erase everything stored about one author on one platform: their mentions (and what hangs off them:
    drafts, classifications, ledger rows, audit entries), their cases and their author row; references to
    their posts in other rows are cleared. If they had opted out, an `OptOutMarker` (a hash, no handle) keeps
    the opt-out working. The erasure itself is audited with counts only, never the erased text or handle.

    All in the caller's transaction: an erasure is all or nothing (mentions still being sent are refused:
    the caller gets them in `held`, nothing is erased, and may try again in a few minutes)."""
    now = now or utcnow()
    key = handle.strip().lstrip("@").removeprefix("u/").lower()
    if not key:
        raise InputError("no handle given")
    authors = session.execute(
        select(col(Author.id), col(Author.opted_out_at)).where(
            col(Author.platform) == platform, func.lower(col(Author.handle)) == key
        )
    ).all()
    author_ids = [a for a, _ in authors]
    mine = or_(
        col(Mention.author_id).in_(author_ids),
        (col(Mention.platform) == platform) & (func.lower(col(Mention.author_handle)) == key),
    )
    ids = list(session.execute(select(col(Mention.id)).where(mine)).scalars())
    held = _in_flight(ids, session=session)
    if held:
        return Erased(held=held)
    posts = list(session.execute(select(col(Mention.external_id)).where(col(Mention.id).in_(ids))).scalars())
    case_ids = list(session.execute(select(col(Case.id)).where(col(Case.author_id).in_(author_ids))).scalars())
    erased = Erased()
    for start in range(0, len(ids), BATCH):
        erased.add(erase_mentions(ids[start : start + BATCH], session=session))
    erased.cases += _delete_cases(case_ids, session=session)
    _clear_references(platform, posts, session=session)
    opted_out = [at for _, at in authors if at is not None]
    if opted_out:
        _mark_opt_out(platform, key, min(opted_out), session=session)
    if author_ids:
        session.execute(delete(Author).where(col(Author.id).in_(author_ids)))
        erased.authors = len(author_ids)
    session.add(
        AuditEvent(
            at=now,
            actor=actor,
            action="forget",
            detail={"platform": platform, "opt_out_kept": bool(opted_out), **erased.counts()},
        )
    )
    session.flush()
    return erased


# --- how -------------------------------------------------------------------------------------------------------


def erase_mentions(ids: Sequence[int], *, session: Session) -> Erased:
    """Delete these mentions and every row that hangs off them, except those with a send in flight (returned
    in `held`). Trend rollups keep their counts."""
    held = set(_in_flight(ids, session=session))
    ids = [i for i in ids if i not in held]
    erased = Erased(held=sorted(held))
    if not ids:
        return erased
    draft_ids = list(session.execute(select(col(Draft.id)).where(col(Draft.mention_id).in_(ids))).scalars())
    _keep_trends(ids, session=session)
    erased.audit = _rowcount(
        session.execute(
            delete(AuditEvent).where(
                or_(col(AuditEvent.mention_id).in_(ids), col(AuditEvent.draft_id).in_(draft_ids or [-1]))
            )
        )
    )
    if draft_ids:
        erased.ledger = _rowcount(session.execute(delete(ReplyLedger).where(col(ReplyLedger.draft_id).in_(draft_ids))))
        erased.drafts = _rowcount(session.execute(delete(Draft).where(col(Draft.id).in_(draft_ids))))
    erased.classifications = _rowcount(
        session.execute(delete(Classification).where(col(Classification.mention_id).in_(ids)))
    )
    _scrub_alerts(ids, session=session)
    for column in referencing("mention.id"):  # notes, tags, and whatever a later table hangs off a mention
        erased.other += _rowcount(session.execute(delete(column.table).where(column.in_(ids))))
    erased.mentions = _rowcount(session.execute(delete(Mention).where(col(Mention.id).in_(ids))))
    return erased


def referencing(target: str) -> list[Column[Any]]:
    """Every model column with a foreign key to `target` (e.g. "mention.id"), so rows of tables added later are
    found without naming them here."""
    return [
        fk.parent
        for table in SQLModel.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.target_fullname == target
    ]


ERASED_FROM_ALERT = "(the mentions this alert quoted have since been erased)"


def _scrub_alerts(ids: Sequence[int], *, session: Session) -> None:
    """Alerts quote the mentions they name (handle and text): those alerts keep their title and counts only."""
    naming = select(col(AlertMention.alert_id)).where(col(AlertMention.mention_id).in_(ids))
    session.execute(update(Alert).where(col(Alert.id).in_(naming)).values(body=ERASED_FROM_ALERT))
    session.execute(delete(AlertMention).where(col(AlertMention.mention_id).in_(ids)))


def _ids(query: Any, *, session: Session, limit: int) -> list[int]:
    """Up to `limit` ids of the query, skipping those held back by a send in flight."""
    flying = select(col(Draft.mention_id)).where(col(Draft.state).in_(IN_FLIGHT))
    query = query.where(col(Mention.id).not_in(flying)).order_by(col(Mention.id)).limit(limit)
    return [int(i) for i in session.execute(query).scalars()]


def _in_flight(ids: Collection[int], *, session: Session) -> list[int]:
    if not ids:
        return []
    rows = session.execute(
        select(col(Draft.mention_id)).where(col(Draft.mention_id).in_(list(ids)), col(Draft.state).in_(IN_FLIGHT))
    )
    return sorted({int(i) for i in rows.scalars()})


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def _delete_cases(case_ids: Sequence[int], *, session: Session) -> int:
    """Delete cases; other people's mentions in them stay (out of the case), notes on them go."""
    if not case_ids:
        return 0
    for column in referencing("case.id"):
        if column.table.name == Mention.__tablename__:
            session.execute(update(Mention).where(col(Mention.case_id).in_(case_ids)).values(case_id=None))
        else:
            session.execute(delete(column.table).where(column.in_(case_ids)))
    return _rowcount(session.execute(delete(Case).where(col(Case.id).in_(case_ids))))


def _drop_orphans(cutoff: datetime, *, session: Session) -> Erased:
    """Cases and authors with no mention left and no activity since the cutoff; opted-out authors stay."""
    has_mention = select(col(Mention.id)).where(col(Mention.case_id) == col(Case.id)).exists()
    case_ids = list(
        session.execute(
            select(col(Case.id)).where(~has_mention, col(Case.last_activity_at) < cutoff).limit(BATCH)
        ).scalars()
    )
    erased = Erased(cases=_delete_cases(case_ids, session=session))
    wrote = select(col(Mention.id)).where(col(Mention.author_id) == col(Author.id)).exists()
    in_case = select(col(Case.id)).where(col(Case.author_id) == col(Author.id)).exists()
    author_ids = list(
        session.execute(
            select(col(Author.id))
            .where(~wrote, ~in_case, col(Author.opted_out_at).is_(None), col(Author.last_seen) < cutoff)
            .limit(BATCH)
        ).scalars()
    )
    if author_ids:
        erased.authors = _rowcount(session.execute(delete(Author).where(col(Author.id).in_(author_ids))))
    return erased


def _clear_references(platform: str, posts: Sequence[str], *, session: Session) -> None:
    """Other people's mentions may point at an erased post (a reply to it, a thread it started)."""
    for start in range(0, len(posts), BATCH):
        chunk = posts[start : start + BATCH]
        for name in ("parent_id", "conversation_id"):
            column = getattr(Mention, name)
            session.execute(
                update(Mention).where(col(Mention.platform) == platform, col(column).in_(chunk)).values({name: None})
            )


def _mark_opt_out(platform: str, key: str, at: datetime, *, session: Session) -> None:
    digest = handle_sha256(key)
    if session.get(OptOutMarker, (platform, digest)) is None:
        session.add(OptOutMarker(platform=platform, handle_sha256=digest, opted_out_at=at))


# --- trends outlive the rows ------------------------------------------------------------------------------------

_TOP_UP = [
    """INSERT INTO trend_day (brand, day, label, sentiment, platform, found_via, n)
       SELECT brand, substr(created_at, 1, 10), coalesce(label, ''), coalesce(sentiment, ''), platform, found_via,
              count(*)
       FROM mention WHERE id IN :ids GROUP BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (brand, day, label, sentiment, platform, found_via) DO UPDATE SET n = n + excluded.n""",
    """INSERT INTO trend_voice (brand, day, term, found_via, n)
       SELECT m.brand, substr(m.created_at, 1, 10), t.term, m.found_via, count(*) FROM mention AS m
       JOIN trend_term AS t ON t.brand = m.brand
       WHERE m.id IN :ids AND instr(lower(m.text), t.term) > 0 GROUP BY 1, 2, 3, 4
       ON CONFLICT (brand, day, term, found_via) DO UPDATE SET n = n + excluded.n""",
    """INSERT INTO trend_reply (brand, day, automated, minutes, n)
       SELECT m.brand, substr(m.created_at, 1, 10), d.automated,
              CAST(round((julianday(d.sent_at) - julianday(m.created_at)) * 1440, 3) AS INTEGER), count(*)
       FROM draft AS d JOIN mention AS m ON m.id = d.mention_id
       WHERE d.mention_id IN :ids AND d.state = 'sent' AND d.sent_at IS NOT NULL GROUP BY 1, 2, 3, 4
       ON CONFLICT (brand, day, automated, minutes) DO UPDATE SET n = n + excluded.n""",
]


_PG_TOP_UP = [
    web_models.pg_mention_upserts(web_models.pg_mention_deltas("(SELECT * FROM mention WHERE id IN :ids)")),
    web_models.pg_reply_upserts(web_models.pg_draft_deltas("(SELECT * FROM draft WHERE mention_id IN :ids)")),
]


def _keep_trends(ids: Sequence[int], *, session: Session) -> None:
    """Count the rows about to go once more, so the delete triggers' decrements leave the rollups as they
    were. Drafts must then be deleted before their mentions (the reply trigger reads the mention)."""
    connection = session.connection()
    if not web_models.installed(connection):
        return
    statements = _PG_TOP_UP if connection.dialect.name == "postgresql" else _TOP_UP
    for statement in statements:
        for part in filter(str.strip, statement.split(";")):
            session.execute(text(part).bindparams(bindparam("ids", expanding=True)), {"ids": list(ids)})


# --- backups -------------------------------------------------------------------------------------------------


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy a live SQLite database to `target` with SQLite's online backup API: a consistent copy while the
    service and desk keep writing. Returns the pages copied. Refuses to overwrite a file."""
    if engine.dialect.name != "sqlite":
        raise InputError(f"online backup is for SQLite; this database is {engine.dialect.name}")
    if target.exists():
        raise InputError("already exists; choose a new file name", path=str(target))
    if not target.parent.is_dir():
        raise InputError("no such directory", path=str(target.parent))
    partial = target.with_name(target.name + ".partial")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(partial) as copy:
            source.backup(copy, pages=1024)
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        raw.close()
    partial.rename(target)
    return pages
