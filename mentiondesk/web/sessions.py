"""Desk sessions and the login throttle, both in the database: a session ends for every worker the moment it is
revoked, and failed logins count across workers and restarts."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, delete, or_, update
from sqlmodel import Session, col

from mentiondesk.web.auth import password_version
from storage.db import transaction
from storage.models import User, as_utc, utcnow
from storage.web_models import DeskSession, LoginFailures

SESSION_LIFETIME = timedelta(hours=12)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, user: User, *, now: datetime | None = None) -> str:
    """A new session for `user`; returns the cookie value (only its digest is stored)."""
    assert user.id is not None
    now = now or utcnow()
    value = secrets.token_urlsafe(32)
    session.execute(delete(DeskSession).where(col(DeskSession.expires_at) <= now))  # housekeeping
    session.add(
        DeskSession(
            id=_digest(value),
            user_id=user.id,
            password_version=password_version(user.password_hash),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return value


def user_for_session(session: Session, value: str, *, now: datetime | None = None) -> User | None:
    """The user a session cookie belongs to, if the session exists, has not expired, and the account is enabled
    and still has the password the session was made with."""
    if not value or len(value) > 128:
        return None
    row = session.get(DeskSession, _digest(value))
    if row is None or as_utc(row.expires_at) <= (now or utcnow()):
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled or row.password_version != password_version(user.password_hash):
        return None
    return user


def end_session(session: Session, value: str) -> None:
    """Log out: the cookie's session is gone for every worker, whoever kept a copy of the cookie."""
    if value:
        session.execute(delete(DeskSession).where(col(DeskSession.id) == _digest(value)))


def end_sessions_of(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (new password, disabled account)."""
    session.execute(delete(DeskSession).where(col(DeskSession.user_id) == user_id))


# --- login throttle ------------------------------------------------------------------------------------------


def account_key(typed_name: str) -> str:
    """The throttle's key for a typed name: NFKC, trimmed, case-folded and without invisible characters, so
    " maria", "MARIA " and "ma\u200bria" all count against one account."""
    name = unicodedata.normalize("NFKC", typed_name).strip().casefold()
    name = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) not in ("Cf", "Cc"))
    if len(name) <= 64:
        return "user:" + name
    return "user#" + _digest(name)  # no account has so long a name; keep the key short


def address_key(address: str) -> str:
    return "ip:" + address[:100]


@dataclass(frozen=True)
class LoginThrottle:
    """At most `per_account` failed logins for one account and `per_address` from one client address within
    `window` seconds of the first. An attempt is counted before its password is checked, so parallel guesses
    (on one worker or many) cannot slip past the limit; a correct password takes its count back."""

    engine: Engine
    per_account: int = 5
    per_address: int = 20
    window: float = 300.0

    def attempt(self, typed_name: str, address: str, *, now: datetime | None = None) -> int:
        """Count an attempt; 0 when it may go ahead, else the seconds until one is allowed."""
        now = now or utcnow()
        cutoff = now - timedelta(seconds=self.window)
        limits = ((account_key(typed_name), self.per_account), (address_key(address), self.per_address))
        try:
            with transaction(self.engine) as session:
                for key, limit in limits:
                    started = _count(session, key, limit, now=now, cutoff=cutoff)
                    if started is not None:
                        raise _Locked(self.window - (now - as_utc(started)).total_seconds())
        except _Locked as locked:  # the transaction rolled back: nothing was counted
            return max(1, int(locked.seconds) + 1)
        return 0

    def succeeded(self, typed_name: str, address: str) -> None:
        """The password was right: the account starts afresh and the address gets its attempt back."""
        with transaction(self.engine) as session:
            session.execute(delete(LoginFailures).where(col(LoginFailures.key) == account_key(typed_name)))
            session.execute(
                update(LoginFailures)
                .where(col(LoginFailures.key) == address_key(address), col(LoginFailures.failures) > 0)
                .values(failures=col(LoginFailures.failures) - 1)
            )


class _Locked(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _count(session: Session, key: str, limit: int, *, now: datetime, cutoff: datetime) -> datetime | None:
    """Add one failure to `key` in one atomic statement; None when counted, else when the full window began."""
    _ensure_row(session, key, now)
    expired = col(LoginFailures.window_start) <= cutoff
    counted = session.execute(
        update(LoginFailures)
        .where(col(LoginFailures.key) == key, or_(expired, col(LoginFailures.failures) < limit))
        .values(
            failures=case((expired, 1), else_=col(LoginFailures.failures) + 1),
            window_start=case((expired, now), else_=col(LoginFailures.window_start)),
        )
        .returning(col(LoginFailures.failures))
    ).first()
    if counted is not None:
        return None
    row = session.get(LoginFailures, key)
    return row.window_start if row else now


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    insert: Any
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    new_row = insert(LoginFailures).values(key=key, failures=0, window_start=now)
    session.execute(new_row.on_conflict_do_nothing(index_elements=["key"]))
