"""What the tests that start real `mentiondesk` processes share: the command, a brand file for the simulator's
X and Reddit, a throwaway PostgreSQL schema to point them at, and what they stored (read from outside)."""

from __future__ import annotations

import signal
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from storage.db import make_engine

MENTIONDESK = [sys.executable, "-m", "mentiondesk.cli"]


def as_background_job() -> None:
    """Popen's preexec_fn: the child starts as a shell starts `cmd &`, with SIGINT ignored; a command that runs
    until stopped must still stop on SIGINT (it installs its own handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]

[brands.acme.handles]
x = ["acme"]
reddit = ["acme_support"]

[brands.acme.reddit]
subreddits = ["acme"]
"""


@contextmanager
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL schema (chosen through search_path), dropped afterwards."""
    schema = f"md_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stored_ids(engine: Engine) -> set[str]:
    """External ids of the stored mentions (none while the schema is still being made)."""
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("SELECT external_id FROM mention"))}
    except Exception:  # noqa: BLE001 - the schema may not exist yet while `run` is starting
        return set()


def stored_counts(engine: Engine) -> tuple[int, int, int, int]:
    """Mentions, distinct mentions, drafts, mentions with a draft: equal pairs mean nothing stored twice."""
    with engine.connect() as conn:
        mentions, distinct = conn.execute(
            text("SELECT count(*), count(DISTINCT platform || ':' || external_id) FROM mention")
        ).one()
        drafts, drafted = conn.execute(text("SELECT count(*), count(DISTINCT mention_id) FROM draft")).one()
    return int(mentions), int(distinct), int(drafts), int(drafted)
