"""Engines, sessions and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from mentiondesk.core.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# pg_advisory_lock(SCHEMA_LOCK_KEY, hashtext(current_schema())): one upgrader per schema ("MDSC").
# Advisory locks are per database already, so tests in different schemas do not wait for each other.
SCHEMA_LOCK_KEY = 0x4D445343
SCHEMA_LOCK_WAIT_SECONDS = 120
# pg_advisory_xact_lock(INGEST_LOCK_KEY, hashtext(schema/platform)): one transaction at a time decides which
# of a platform's mentions are new ("MDIN").
INGEST_LOCK_KEY = 0x4D44494E


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith(("postgres://", "postgres+")):
        raise ConfigError(
            "cannot use database URL: SQLAlchemy has no 'postgres' dialect; write postgresql:// instead of postgres://",
            key="MENTIONDESK_DATABASE_URL",
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, **kwargs)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(f"cannot use database URL: {exc}", key="MENTIONDESK_DATABASE_URL") from None
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the app does this on start; `mentiondesk db upgrade` by hand).

    Any number of processes may call this at once on a fresh database: one upgrades while the others wait
    (PostgreSQL: an advisory lock; SQLite: the write lock, taken before Alembic reads the version), then
    they find the schema at head and do nothing."""
    cfg = alembic_config(engine)
    try:
        if revision == "head" and _at_head(engine, cfg):
            return
        with engine.connect() as connection, _schema_lock(connection):
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available: lock_timeout ran out
            raise ConfigError(
                f"another process has been upgrading the database schema for over {SCHEMA_LOCK_WAIT_SECONDS} s; "
                "try again when it has finished",
                key="MENTIONDESK_DATABASE_URL",
            ) from None
        raise ConfigError(f"cannot reach the database: {exc.orig}", key="MENTIONDESK_DATABASE_URL") from None


def _at_head(engine: Engine, cfg: Config) -> bool:
    """Whether the schema is already current: most starts need no lock at all."""
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


@contextmanager
def _schema_lock(connection: Connection) -> Iterator[None]:
    """Hold the schema for this connection's upgrade; Alembic then runs on the same connection."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # Alembic reads the version and runs every migration inside this one write transaction (it sees the
        # transaction as the caller's and leaves it open; env.py commits). The busy timeout makes others wait.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield
        return
    if dialect != "postgresql":
        yield
        return
    key = text("SELECT pg_advisory_lock(:key, hashtext(coalesce(current_schema(), '')))")
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{SCHEMA_LOCK_WAIT_SECONDS}s'")
    connection.execute(key, {"key": SCHEMA_LOCK_KEY})
    connection.commit()  # a session lock: it outlives this transaction and is released below
    try:
        yield
    finally:
        try:
            connection.rollback()
            connection.execute(
                text("SELECT pg_advisory_unlock(:key, hashtext(coalesce(current_schema(), '')))"),
                {"key": SCHEMA_LOCK_KEY},
            )
            connection.commit()
        except Exception:
            connection.invalidate()  # never hand a connection still holding the lock back to the pool


def lock_for_ingest(platforms: Iterable[str], *, session: Session) -> None:
    """Until this transaction ends, no other one may decide which of these platforms' mentions are new.

    Dedup reads which mentions (and authors) are stored and inserts the rest; two processes doing that at
    once (`poll --once` beside `run`, or two sources that found one post) would both find a post new and
    one would fail on the unique key. Whoever waits here reads, once it may go on, what the other stored.
    PostgreSQL: a transaction advisory lock per platform; SQLite: the write lock, taken before the read."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        for platform in sorted(set(platforms)):  # one order everywhere: no deadlock between two batches
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '') || '/' || :name))"),
                {"key": INGEST_LOCK_KEY, "name": platform},
            )
    elif dialect == "sqlite" and not getattr(connection.connection.dbapi_connection, "in_transaction", True):
        # Not yet writing: begin as a writer, so the dedup read already holds the lock (a transaction that has
        # written holds it anyway).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_rows(model: type[SQLModel], rows: Sequence[Mapping[str, Any]], *, session: Session) -> None:
    """Insert many rows that all have the same keys, in as few statements as the driver allows.

    Core, not the ORM's bulk insert, which groups rows by which of their values are None (half a batch of
    mentions went one row per statement)."""
    if rows:
        session.execute(insert(model.__table__), list(rows))  # type: ignore[attr-defined]


def insert_if_absent(model: type[SQLModel], values: Mapping[str, Any], *, session: Session) -> None:
    """Insert a row unless one with its key exists (perhaps inserted a moment ago by another process)."""
    dialect = session.connection().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(model).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())
    else:
        session.add(model(**values))
        session.flush()


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether an insert lost a race to another transaction's row with the same unique key."""
    sqlstate = getattr(exc.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return getattr(exc.orig, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:
        reason = _first_line(exc.orig)
        raise ConfigError(f"cannot reach the database: {reason}", key="MENTIONDESK_DATABASE_URL") from None


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if error is not None and str(error).strip() else "no answer"


def open_database(url: str) -> Engine:
    """An engine with its schema upgraded: what every command starts from."""
    engine = make_engine(url)
    upgrade(engine)
    return engine
