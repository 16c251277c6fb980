"""Passwords, API tokens, signed session cookies and the login throttle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import transaction
from storage.models import Role, User
from storage.web_models import WebSecret

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
TOKEN_PREFIX = "mdk_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough and lets us look them up by index.
    return hashlib.sha256(token.encode()).hexdigest()


def password_version(password_hash: str) -> str:
    """Changes when the password changes, which signs out every session made with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Identity:
    id: int
    name: str
    role: str

    @property
    def can_act(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def identity_of(user: User) -> Identity:
    assert user.id is not None
    return Identity(id=user.id, name=user.name, role=user.role)


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or user.disabled:
        return None
    return user


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = session.exec(select(User).where(User.api_token_hash == token_digest(token))).first()
    if user is None or user.disabled:
        return None
    return user


class Signer:
    """HMAC-SHA256 signed, base64 JSON payloads with an issue time."""

    def __init__(self, key: bytes, purpose: str) -> None:
        self._key = hashlib.sha256(key + b"|" + purpose.encode()).digest()

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode().rstrip("=")

    def sign(self, payload: dict[str, object]) -> str:
        data = dict(payload, iat=int(time.time()))
        body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=")
        return body.decode() + "." + self._mac(body)

    def unsign(self, value: str, *, max_age: int) -> dict[str, object] | None:
        body, _, mac = value.rpartition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        issued = data.get("iat")
        if not isinstance(issued, int) or time.time() - issued > max_age:
            return None
        return data

    def digest(self, value: str) -> str:
        return self._mac(value.encode())


def secret_key(engine: Engine, configured: str) -> bytes:
    """settings.secret_key when set; otherwise a random key generated once and kept in the database."""
    if configured:
        return configured.encode()
    with transaction(engine) as session:
        row = session.get(WebSecret, "session")
        if row is None:
            row = WebSecret(name="session", value=secrets.token_urlsafe(48))
            session.add(row)
            session.flush()
        return row.value.encode()


class LoginThrottle:
    """At most `limit` failed logins per key (client address, user name) in `window` seconds. In memory: a
    restart forgives, which is fine since argon2 already makes each guess slow."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = self._recent(key, now)
                if len(recent) >= self.limit:
                    wait = max(wait, self.window - (now - recent[-self.limit]))
        return int(wait) + (1 if wait else 0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, []).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
