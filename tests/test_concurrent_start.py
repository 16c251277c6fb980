"""Several `mentiondesk` processes on one database at once, as a team runs them: ten commands started together
on an empty database, and `poll --once` beside `run`. Real processes, a real PostgreSQL schema or SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from listener.simulator import Simulator
from storage.db import MIGRATIONS_DIR, make_engine
from tests.processes import BRANDS, MENTIONDESK, postgres_schema, stored_counts, stored_ids

POSTGRES_URL = os.environ.get("MENTIONDESK_TEST_POSTGRES_URL")
# What a team starts at once: upgrades, status checks and polls (no platform keys: nothing to fetch).
COMMANDS = [["db", "upgrade"], ["sources"], ["poll", "--once"]]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema (via search_path)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("MENTIONDESK_TEST_POSTGRES_URL is not set")
    with postgres_schema(POSTGRES_URL) as url:
        yield url


def environment(tmp_path: Path, database_url: str, sim: Simulator | None = None) -> dict[str, str]:
    (tmp_path / "brands.toml").write_text(BRANDS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(
        MENTIONDESK_DATABASE_URL=database_url,
        MENTIONDESK_BRANDS_FILE=str(tmp_path / "brands.toml"),
        MENTIONDESK_OUTBOX_DIR=str(tmp_path / "outbox"),
        MENTIONDESK_REQUEST_TIMEOUT_SECONDS="10",
    )
    if sim is not None:
        env.update(sim.env())
    return env


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*MENTIONDESK, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    try:
        _, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, stderr


def head_revisions() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def test_ten_commands_started_at_once_on_an_empty_database(database_url: str, tmp_path: Path) -> None:
    env = environment(tmp_path, database_url)
    blocker = _hold_sqlite_file(tmp_path / "desk.db") if database_url.startswith("sqlite") else None
    processes = [start(COMMANDS[i % len(COMMANDS)], env, tmp_path) for i in range(10)]
    if blocker is not None:
        # Each command waits for the file at its first statement; letting go starts them all in one moment.
        time.sleep(8)
        blocker.rollback()
        blocker.close()
    results = [finish(p) for p in processes]

    failed = [(i, rc, err[-1500:]) for i, (rc, err) in enumerate(results) if rc != 0 or "Traceback" in err]
    assert not failed, failed
    engine = make_engine(database_url)
    try:
        assert _versions(engine) == head_revisions(), "one schema, at head"
        assert {"mention", "author", "draft", "source_state"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _hold_sqlite_file(path: Path) -> sqlite3.Connection:
    """An exclusive lock on a new, empty SQLite file: whoever opens it waits (busy timeout) until released."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def _versions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def test_poll_once_beside_run_stores_every_mention_once(database_url: str, tmp_path: Path) -> None:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=11
    ) as sim:
        served = sim.add_mentions(40)  # each source's first page holds all of them: every one is found
        env = environment(tmp_path, database_url, sim)
        assert finish(start(["db", "upgrade"], env, tmp_path))[0] == 0  # the schema exists: this is about polling
        service = start(["run", "--poll-interval", "1", "--send-interval", "60"], env, tmp_path)
        try:
            poll_results: list[tuple[int, str]] = []
            for _ in range(3):
                served += sim.add_mentions(30)
                polls = [start(["poll", "--once"], env, tmp_path) for _ in range(2)]
                poll_results += [finish(p) for p in polls]
            engine = make_engine(database_url)
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and not set(served) <= stored_ids(engine):
                    time.sleep(0.5)
                stored = stored_ids(engine)
                mentions, distinct, drafts, drafted = stored_counts(engine)
            finally:
                engine.dispose()
        finally:
            service.send_signal(signal.SIGTERM)
            service_rc, service_err = finish(service, timeout=120)

    assert [(rc, err[-1500:]) for rc, err in poll_results if rc != 0 or "Traceback" in err] == []
    assert service_rc == 0 and "Traceback" not in service_err, service_err[-3000:]
    assert "Stopped." in service_err
    assert set(served) <= stored, f"{len(set(served) - stored)} served mentions not stored"
    assert mentions == distinct, "a mention stored twice"
    assert drafts == drafted, "a mention drafted twice"
