"""Desk accounts: shared by `mentiondesk user`, the users page and the demo."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from mentiondesk.core.errors import Conflict, InputError, NotFound
from mentiondesk.web.auth import generate_password, hash_password, new_api_token, token_digest
from mentiondesk.web.sessions import end_sessions_of
from storage.models import AuditEvent, Role, User

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
DEMO_USER = "demo"


def check_role(role: str) -> str:
    if role not in {r.value for r in Role}:
        raise InputError(f"unknown role {role!r}; use admin, manager or analyst")
    return role


def add_user(session: Session, name: str, role: str, password: str, *, actor: str = "cli") -> User:
    if not NAME_RE.fullmatch(name):
        raise InputError("a user name is 1-64 letters, digits, or _ . @ - characters")
    check_role(role)
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"user {name!r} already exists")
    user = User(name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.add(AuditEvent(actor=actor, action="user.add", detail={"user": name, "role": role}))
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    # A name no account can have is not looked up (PostgreSQL refuses NUL bytes in a query).
    user = session.exec(select(User).where(User.name == name)).first() if NAME_RE.fullmatch(name) else None
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.name)))


def issue_token(session: Session, name: str, *, actor: str = "cli") -> str:
    """A new API token for the user; only its hash is stored, so it is shown once."""
    user = get_user(session, name)
    token = new_api_token()
    user.api_token_hash = token_digest(token)
    session.add(user)
    session.add(AuditEvent(actor=actor, action="user.token", detail={"user": name}))
    session.flush()
    return token


def set_disabled(session: Session, name: str, disabled: bool, *, actor: str) -> User:
    user = get_user(session, name)
    if actor == name and disabled:
        raise InputError("you cannot disable your own account")
    user.disabled = disabled
    session.add(user)
    if disabled:
        assert user.id is not None
        end_sessions_of(session, user.id)
    session.add(AuditEvent(actor=actor, action="user.disable" if disabled else "user.enable", detail={"user": name}))
    session.flush()
    return user


def set_password(session: Session, name: str, password: str, *, actor: str) -> User:
    """A new password; every session of the account ends at once, on every desk worker."""
    user = get_user(session, name)
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    user.password_hash = hash_password(password)
    session.add(user)
    assert user.id is not None
    end_sessions_of(session, user.id)
    session.add(AuditEvent(actor=actor, action="user.password", detail={"user": name}))
    session.flush()
    return user


def set_role(session: Session, name: str, role: str, *, actor: str) -> User:
    user = get_user(session, name)
    check_role(role)
    if actor == name and role != Role.ADMIN:
        raise InputError("you cannot remove your own admin role")
    user.role = role
    session.add(user)
    session.add(AuditEvent(actor=actor, action="user.role", detail={"user": name, "role": role}))
    session.flush()
    return user


def ensure_demo_user(session: Session) -> tuple[str, str]:
    """A manager account for `mentiondesk demo`, with a fresh password each run: (name, password)."""
    password = generate_password()
    user = session.exec(select(User).where(User.name == DEMO_USER)).first()
    if user is None:
        user = User(name=DEMO_USER, role=Role.MANAGER, password_hash=hash_password(password))
    else:
        user.password_hash = hash_password(password)
        user.disabled = False
        assert user.id is not None
        end_sessions_of(session, user.id)
    session.add(user)
    session.flush()
    return DEMO_USER, password
