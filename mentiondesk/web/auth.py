"""Passwords, API tokens, identities and the per-database secret key. Sessions and the login throttle live in
mentiondesk.web.sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.db import insert_if_absent, transaction
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


def login_name(typed: str) -> str:
    """A typed user name as the desk looks it up: NFKC (full-width letters become plain), no surrounding spaces."""
    return unicodedata.normalize("NFKC", typed).strip()


def authenticate(session: Session, name: str, password: str) -> User | None:
    wanted = login_name(name)
    # A name no account can have (too long, control characters) is not looked up; PostgreSQL refuses NUL bytes.
    possible = 0 < len(wanted) <= 64 and wanted.isprintable()
    user = session.exec(select(User).where(User.name == wanted)).first() if possible else None
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
    """Keyed digests (HMAC-SHA256) for one purpose, e.g. the CSRF token derived from a per-browser cookie."""

    def __init__(self, key: bytes, purpose: str) -> None:
        self._key = hashlib.sha256(key + b"|" + purpose.encode()).digest()

    def digest(self, value: str) -> str:
        mac = hmac.new(self._key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def secret_key(engine: Engine, configured: str) -> bytes:
    """settings.secret_key when set; otherwise a random key generated once and kept in the database."""
    if configured:
        return configured.encode()
    # Every desk worker starts at once: the first insert wins and all of them read the key it stored (a plain
    # read-then-add let the losers fail on the primary key, and their workers die at start).
    with transaction(engine) as session:
        insert_if_absent(WebSecret, {"name": "session", "value": secrets.token_urlsafe(48)}, session=session)
        return session.exec(select(WebSecret.value).where(WebSecret.name == "session")).one().encode()
