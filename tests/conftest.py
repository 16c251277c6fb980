"""Shared fixtures: real databases (a SQLite file; PostgreSQL when MENTIONDESK_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

import mentiondesk.platforms  # noqa: F401  (registers every platform, as the shell does on start)
from mentiondesk.core.brands import BrandConfig, parse_brands
from storage.db import make_engine, upgrade
from tests.browser import browser, page  # noqa: F401  (the browser tests' Chromium fixtures, by name)
from tests.processes import postgres_schema

if TYPE_CHECKING:
    from rules.classifier import Classifier

POSTGRES_URL = os.environ.get("MENTIONDESK_TEST_POSTGRES_URL")

TEST_BRANDS = """
[brands.acme]
name = "Acme Coffee"
keywords = ["acme coffee"]
exclude = ["acme anvil"]
competitors = ["BeanCo"]
languages = ["en"]

[brands.acme.handles]
x = ["AcmeCoffee"]
reddit = ["AcmeCoffee"]
replay = ["AcmeCoffee"]

[brands.acme.reply_policy]
auto_thank = true
daily_cap = 2
timezone = "UTC"
auto_reply_platforms = ["x", "replay"]
"""


def _postgres_engine() -> Generator[Engine, None, None]:
    """An engine on a new, empty PostgreSQL schema, dropped afterwards."""
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def migrated_engine(kind: str, tmp_path: Path, revision: str = "head") -> Iterator[Engine]:
    """A database of `kind` ("sqlite": a file in `tmp_path`; "postgres": a new schema, skipped without
    MENTIONDESK_TEST_POSTGRES_URL), migrated to `revision`."""
    if kind == "postgres":
        if not POSTGRES_URL:
            pytest.skip("MENTIONDESK_TEST_POSTGRES_URL is not set")
        with contextmanager(_postgres_engine)() as engine:
            upgrade(engine, revision)
            yield engine
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        upgrade(engine, revision)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database of each kind the machine has."""
    with migrated_engine(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file (for tests where the database kind does not matter)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def brands() -> BrandConfig:
    return parse_brands(TEST_BRANDS)


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    from rules.classifier import load_classifier

    return load_classifier()


def at(hour: int = 12, minute: int = 0, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)
