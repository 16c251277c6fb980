"""Shared fixtures: real databases (a SQLite file; PostgreSQL when MENTIONDESK_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, text

import mentiondesk.platforms  # noqa: F401  (registers every platform, as the shell does on start)
from mentiondesk.core.brands import BrandConfig, parse_brands
from storage.db import make_engine, upgrade
from tests.browser import browser, page  # noqa: F401  (the browser tests' Chromium fixtures, by name)

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
    assert POSTGRES_URL
    schema = f"md_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    engine = make_engine(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database of each kind the machine has."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("MENTIONDESK_TEST_POSTGRES_URL is not set")
        gen = _postgres_engine()
        engine = next(gen)
        upgrade(engine)
        yield engine
        gen.close()
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


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
