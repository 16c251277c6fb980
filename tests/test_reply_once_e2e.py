"""Kill the sender between posting a reply and recording it, start again: still exactly one reply on the
(simulated) platform. Real processes, real tweepy, the simulator on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from listener.simulator import Simulator
from storage.db import make_engine
from storage.models import Draft, DraftState

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]

[brands.acme.handles]
x = ["acme"]

[brands.acme.reply_policy]
auto_thank = false
"""
MENTIONDESK = [sys.executable, "-m", "mentiondesk.cli"]


@pytest.fixture
def sim():
    with Simulator.start(brand_handles={"x": ["acme"], "reddit": []}, keywords=["acme"], seed=3) as running:
        yield running


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*MENTIONDESK, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stderr
    return result


def test_killed_mid_send_then_restarted_leaves_one_reply(tmp_path: Path, sim: Simulator):
    (tmp_path / "brands.toml").write_text(BRANDS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(sim.env())
    env.update(
        MENTIONDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}",
        MENTIONDESK_SEND_STALE_SECONDS="0",
        MENTIONDESK_REQUEST_TIMEOUT_SECONDS="60",
    )
    run(["poll", "--once"], env, tmp_path)  # marks where "new" begins
    sim.state.post_tweet("@acme my order arrived cold and late, not happy", username="dana", name="Dana Park")
    run(["poll", "--once"], env, tmp_path)
    [draft] = json.loads(run(["queue", "--json"], env, tmp_path).stdout)
    run(["queue", "approve", str(draft["id"])], env, tmp_path)

    # The platform takes the reply, but its answer never arrives: the sender is killed while it waits.
    sim.inject("answer_lost", platform="x", path="/2/tweets", delay=60)
    sender = subprocess.Popen(
        [*MENTIONDESK, "queue", "send"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not sim.replies("x") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sim.replies("x")) == 1
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    with Session(engine) as session:
        assert session.exec(select(Draft)).one().state == DraftState.SENDING

    # Started again: the interrupted send is found on the platform and recorded, not posted again.
    report = json.loads(run(["queue", "send", "--json"], env, tmp_path).stdout)
    assert report["reconciled"] == [draft["id"]] and report["sent"] == []
    assert json.loads(run(["queue", "send", "--json"], env, tmp_path).stdout)["sent"] == []
    assert len(sim.replies("x")) == 1
    with Session(engine) as session:
        stored = session.exec(select(Draft)).one()
    assert stored.state == DraftState.SENT and stored.reply_external_id == sim.replies("x")[0]["id"]
