"""A reply on Mastodon and on Bluesky whose answer is lost, then `queue send` again: exactly one reply on the
(simulated) platform, and the draft recorded as sent. Real processes, the real clients, 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from listener.simulator import Simulator, bluesky_api, mastodon_api
from storage.db import make_engine
from storage.models import Draft, DraftState

BRANDS = """
[brands.acme]
name = "Acme"

[brands.acme.handles]
mastodon = ["acme"]
bluesky = ["acme.bsky.social"]

[brands.acme.reply_policy]
auto_thank = false
"""
COMPLAINT = "my order arrived cold and late, not happy"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "mentiondesk.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result


def post_complaint(sim: Simulator, network: str) -> str:
    with sim.state.lock:
        if network == "mastodon":
            author = mastodon_api.account(sim.mastodon, "dana")
            return mastodon_api.post_status(sim.mastodon, f"@acme {COMPLAINT}", author)
        author = bluesky_api.actor(sim.bluesky, "dana.bsky.social")
        return bluesky_api.post(sim.bluesky, author, f"@acme.bsky.social {COMPLAINT}")


@pytest.mark.parametrize(("network", "post_path"), [("mastodon", "/api/v1/statuses"), ("bluesky", "createRecord")])
def test_a_lost_answer_then_another_send_leaves_one_reply(tmp_path: Path, network: str, post_path: str) -> None:
    with Simulator.start(brand_handles={"mastodon": ["acme"], "bluesky": ["acme.bsky.social"]}, seed=4) as sim:
        (tmp_path / "brands.toml").write_text(BRANDS)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
        env.update(sim.env())
        env.update(MENTIONDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'desk.db'}", MENTIONDESK_SEND_STALE_SECONDS="0")
        run(["poll", "--once"], env, tmp_path)  # marks where "new" begins
        target = post_complaint(sim, network)
        run(["poll", "--once"], env, tmp_path)
        [draft] = [d for d in json.loads(run(["queue", "--json"], env, tmp_path).stdout) if d["platform"] == network]
        run(["queue", "approve", str(draft["id"])], env, tmp_path)

        sim.inject("answer_lost", platform=network, path=post_path, method="POST", delay=0.2)
        run(["queue", "send"], env, tmp_path)  # posted, but the answer never came: outcome unknown
        assert len(sim.replies(network)) == 1
        run(["queue", "send"], env, tmp_path)  # finds the reply on the platform instead of posting again

        [reply] = sim.replies(network)
        assert reply["in_reply_to"] == target
        with Session(make_engine(f"sqlite:///{tmp_path / 'desk.db'}")) as session:
            sent = session.exec(select(Draft).where(Draft.id == draft["id"])).one()
        assert sent.state == DraftState.SENT and sent.reply_external_id == reply["id"]
