"""`mentiondesk poll --once`, `sources` and `run` as a user runs them: real processes against the simulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from listener.simulator import Simulator
from tests.processes import BRANDS, MENTIONDESK, as_background_job


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=5
    ) as running:
        running.add_mentions(40)
        yield running


def environment(tmp_path: Path, sim: Simulator | None) -> dict[str, str]:
    (tmp_path / "brands.toml").write_text(BRANDS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(
        MENTIONDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}",
        MENTIONDESK_BRANDS_FILE=str(tmp_path / "brands.toml"),
        MENTIONDESK_OUTBOX_DIR=str(tmp_path / "outbox"),
        MENTIONDESK_REQUEST_TIMEOUT_SECONDS="5",
    )
    if sim is not None:
        env.update(sim.env())
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MENTIONDESK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_poll_once_then_sources(tmp_path: Path, sim: Simulator) -> None:
    env = environment(tmp_path, sim)

    polled = run(["poll", "--once", "--json"], env, tmp_path)
    assert polled.returncode == 0, polled.stderr
    outcomes = [json.loads(line) for line in polled.stdout.splitlines()]
    assert {o["source"] for o in outcomes} == {
        "x:acme:mentions:acme",
        "x:acme:search",
        "reddit:acme:mentions:acme_support",
        "reddit:acme:posts",
        "reddit:acme:comments",
        "reddit:acme:search",
        "mastodon:acme:search:acme",
        "bluesky:acme:search:acme",
    }
    assert all(o["status"] == "ok" for o in outcomes)
    assert sum(o["stored"] for o in outcomes) > 0

    listed = run(["sources", "--json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {r["source"]: r for r in map(json.loads, listed.stdout.splitlines())}
    mentions = rows["x:acme:mentions:acme"]
    assert mentions["health"] == "ok" and mentions["cursor"] and mentions["requests_used"] == 2
    assert mentions["requests_remaining"] == 449 and mentions["window_reset_at"] != "-"

    sim.inject("rate_limit", platform="x", path="/mentions", reset_in=600)
    run(["poll", "--once", "--source", "x:acme:mentions:acme"], env, tmp_path)
    text = run(["sources"], env, tmp_path).stdout
    assert "health rate_limited" in text and "paused until" in text


def test_without_credentials_platforms_are_skipped_with_one_line_each(tmp_path: Path) -> None:
    result = run(["poll", "--once"], environment(tmp_path, None), tmp_path)
    assert result.returncode == 0
    assert result.stderr.count("X: no MENTIONDESK_X_BEARER_TOKEN") == 1
    assert result.stderr.count("Reddit: no credentials") == 1
    assert "No sources configured" in result.stderr


def test_run_refuses_a_second_instance_and_stops_cleanly_on_sigterm(tmp_path: Path, sim: Simulator) -> None:
    env = environment(tmp_path, sim)
    first = subprocess.Popen(
        [*MENTIONDESK, "run", "--poll-interval", "2", "--send-interval", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _polled(tmp_path):
            time.sleep(0.2)
        if not _polled(tmp_path):
            first.kill()
            pytest.fail("the service did not poll: " + first.communicate(timeout=30)[1][-2000:])

        second = run(["run"], env, tmp_path)
        assert second.returncode == 2
        assert "holds this database's service lock" in second.stderr
        assert "Mention Desk service:" not in second.stderr

        first.send_signal(signal.SIGTERM)
        _, stderr = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    assert not _locked(tmp_path), "released on the way out"
    assert "SIGTERM: finishing the batches in hand" in stderr and "Stopped." in stderr
    again = subprocess.Popen([*MENTIONDESK, "run"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _locked(tmp_path) and again.poll() is None:
            time.sleep(0.2)
        assert _locked(tmp_path) and again.poll() is None, "the lock was released, so a new service starts"
    finally:
        again.send_signal(signal.SIGINT)
        again.communicate(timeout=60)
    assert again.returncode == 0


def _polled(tmp_path: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(tmp_path / "desk.db") as conn:
            return bool(conn.execute("SELECT count(*) FROM source_state WHERE last_ok_at IS NOT NULL").fetchone()[0])
    except sqlite3.Error:
        return False


def _locked(tmp_path: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(tmp_path / "desk.db") as conn:
            return bool(conn.execute("SELECT count(*) FROM lock").fetchone()[0])
    except sqlite3.Error:
        return False


def test_poll_without_once_keeps_polling_until_interrupted(tmp_path: Path, sim: Simulator) -> None:
    env = environment(tmp_path, sim)
    env["MENTIONDESK_POLL_INTERVAL_SECONDS"] = "1"
    looping = subprocess.Popen(
        [*MENTIONDESK, "poll", "--json"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_background_job,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _sources_polled(tmp_path) < 6:  # the brand's six sources
            time.sleep(0.2)
        before = _stored(tmp_path)
        sim.add_mentions(5, platform="x", kind="mention")  # arrives after the first round
        while time.monotonic() < deadline and _stored(tmp_path) < before + 5:
            time.sleep(0.2)
    finally:
        looping.send_signal(signal.SIGINT)
        _, stderr = looping.communicate(timeout=60)
    assert _stored(tmp_path) == before + 5, "a later round picked up exactly the new mentions"
    assert "Traceback" not in stderr
    assert looping.returncode == 0, "SIGINT ends the loop cleanly, even when started in the background"


def _sources_polled(tmp_path: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(tmp_path / "desk.db") as conn:
            return int(conn.execute("SELECT count(*) FROM source_state WHERE last_ok_at IS NOT NULL").fetchone()[0])
    except sqlite3.Error:
        return 0


def _stored(tmp_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(tmp_path / "desk.db") as conn:
        return int(conn.execute("SELECT count(*) FROM mention").fetchone()[0])
