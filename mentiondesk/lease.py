"""Which of several `mentiondesk run` on one PostgreSQL database schedules polling: the polling lease.

The lease is a PostgreSQL session advisory lock held on a connection of its own. PostgreSQL lets go of it the
moment that connection ends, however the holder ended: a clean stop, a crash, SIGKILL (the kernel closes the
socket and the server sees it at once), or a host that vanished (server-side TCP keepalives end the backend in
about half a minute). Nothing to go stale, no clock to trust: a standby that asks a moment later gets it.

SQLite keeps the one-service-per-file row lock (`ServiceLock` in mentiondesk/service.py)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# pg_advisory_lock(POLLING_LEASE_KEY, hashtext(current_schema())): one polling service per schema ("MDPL").
POLLING_LEASE_KEY = 0x4D44504C
APPLICATION_PREFIX = "mentiondesk run "
# The server ends a backend whose client stopped answering after idle + interval * count seconds.
SERVER_KEEPALIVE = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
# libpq, the other way: this process notices a dead server or network instead of hanging on the lease check.
CLIENT_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}

_SCHEMA_KEY = "hashtext(coalesce(current_schema(), ''))"


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class PollingLease:
    """The advisory lock on a dedicated connection (outside the engine's pool, so nothing else ever uses it).

    `try_acquire` never waits; `still_held` tells the holder whether its connection, and so the lock, is alive;
    `holder_elsewhere` names who holds it (their connection's application_name) for the standby's one line."""

    def __init__(self, engine: Engine, *, holder: str | None = None, key: int = POLLING_LEASE_KEY) -> None:
        self.holder = holder or new_holder()
        self.key = key
        application_name = (APPLICATION_PREFIX + self.holder)[:63]  # PostgreSQL keeps 63 bytes of it
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={"application_name": application_name, "connect_timeout": 10, **CLIENT_KEEPALIVE},
        )
        self._connection: Connection | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; False (and no wait) if someone does or the database is away."""
        if self.held:
            return self.still_held()
        try:
            connection = self._connect()
            got = connection.execute(
                text(f"SELECT pg_try_advisory_lock(:key, {_SCHEMA_KEY})"), {"key": self.key}
            ).scalar_one()
        except DBAPIError as exc:
            log.warning("polling lease: cannot reach the database (%s)", _first_line(exc))
            self._drop()
            return False
        self.held = bool(got)
        return self.held

    def still_held(self) -> bool:
        """Whether the lease is still ours: the lock lives exactly as long as its connection does."""
        if not self.held or self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            log.error("polling lease: its database connection ended (%s)", _first_line(exc))
            self._drop()
            return False
        return True

    def holder_elsewhere(self) -> str | None:
        """Who holds the lease, as their connection names itself (None if nobody, or if this process does)."""
        if self.held:
            return None
        try:
            connection = self._connect()
            name = connection.execute(
                text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid::bigint = :key "
                    f"AND l.objid::bigint = ({_SCHEMA_KEY}::bigint & 4294967295) LIMIT 1"
                ),
                {"key": self.key},
            ).scalar_one_or_none()
        except DBAPIError:
            return None
        if name is None:
            return None
        return str(name).removeprefix(APPLICATION_PREFIX) or "another instance"

    def release(self) -> None:
        """Let go (closing the connection ends the lock even if the unlock cannot be said)."""
        if self._connection is not None and self.held:
            with contextlib.suppress(DBAPIError):
                self._connection.execute(text(f"SELECT pg_advisory_unlock(:key, {_SCHEMA_KEY})"), {"key": self.key})
        self._drop()
        self._engine.dispose()

    def _connect(self) -> Connection:
        if self._connection is None:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            for name, value in SERVER_KEEPALIVE.items():
                connection.exec_driver_sql(f"SET {name} = {int(value)}")
            self._connection = connection
        return self._connection

    def _drop(self) -> None:
        self.held = False
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
