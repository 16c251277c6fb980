"""Values from addresses and forms, checked before they reach a query: a number the database cannot hold, a NUL
byte PostgreSQL refuses, or a value outside its menu is a 400 (pages) or 422 (API), never a 500."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from fastapi import Path

# The largest id or version a database integer holds (SQLite's INTEGER, PostgreSQL's bigint).
MAX_ID = 2**63 - 1
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000
MAX_FILTER_LENGTH = 200
MAX_TEXT_LENGTH = 10_000

ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id")]


class BadValue(Exception):
    """A value in the address or a form that the desk cannot use: the page answers 400 with this message."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def whole_number(raw: str | None, name: str, *, low: int, high: int, default: int) -> int:
    """An integer query value; empty means the default, anything else must be a whole number in [low, high]."""
    text = (raw or "").strip()
    if not text:
        return default
    if len(text) > 20 or not text.lstrip("-").isdigit() or not text.isascii():
        raise BadValue(f"{name} must be a whole number from {low} to {high:,}")
    value = int(text)
    if not low <= value <= high:
        raise BadValue(f"{name} must be a whole number from {low} to {high:,}")
    return value


def choice(raw: str | None, name: str, allowed: Collection[str], *, default: str = "") -> str:
    """One of `allowed`, or empty for "any"."""
    value = raw if raw is not None else default
    if value and value not in allowed:
        raise BadValue(f"unknown {name}; use one of: {', '.join(sorted(allowed))}")
    return value


def clean_text(value: str, name: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Free text a person typed (a reply, a reason): no NUL bytes (PostgreSQL refuses them), bounded length."""
    if "\x00" in value:
        raise BadValue(f"the {name} contains a NUL character")
    if len(value) > max_length:
        raise BadValue(f"the {name} is longer than {max_length:,} characters")
    return value


def no_nul(value: str | None) -> str | None:
    """For pydantic validators: the same rule as clean_text, as a ValueError."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value
