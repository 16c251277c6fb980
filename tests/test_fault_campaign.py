"""The fault campaign (benchmarks/faults.py) in small, and the simulator records it counts from: 429 windows as
announced, reply requests, post ids served, opt-outs and deletions, all through the /_sim control endpoints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from listener.simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
MUST_BE_ZERO = (
    "posts_with_2plus_replies",
    "drafts_stuck",
    "drafts_sent_without_a_reply",
    "replies_the_desk_lost_track_of",
    "mentions_lost",
    "mentions_duplicated",
    "replies_after_opt_out",
    "replies_to_deleted_posts",
    "sends_in_429_window",
)
OAUTH = {"Authorization": 'OAuth oauth_consumer_key="sim", oauth_token="sender-7", oauth_signature="x"'}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=11
    ) as running:
        yield running


def control(sim: Simulator, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = requests.request(method, sim.x_base_url + path, json=body, timeout=10)
    return response.status_code, response.json()


def reply(sim: Simulator, tweet_id: str) -> requests.Response:
    return requests.post(
        f"{sim.x_base_url}/2/tweets",
        headers=OAUTH,
        timeout=10,
        json={"text": "Sorry about that, we are on it.", "reply": {"in_reply_to_tweet_id": tweet_id}},
    )


def test_a_429_on_the_reply_endpoint_is_recorded_with_the_reset_it_announced(sim: Simulator) -> None:
    [first, second] = sim.add_mentions(2, platform="x", kind="mention")
    sim.inject("rate_limit", platform="x", path="/2/tweets", reset_in=30)

    refused, taken = reply(sim, first), reply(sim, second)

    assert refused.status_code == 429 and taken.status_code == 201
    [window] = control(sim, "GET", "/_sim/ratelimits")[1]["windows"]
    assert (window["platform"], window["method"], window["path"]) == ("x", "POST", "/2/tweets")
    assert window["until"] == int(refused.headers["x-rate-limit-reset"])
    assert 28 <= window["until"] - window["at"] <= 31
    attempts = control(sim, "GET", "/_sim/attempts")[1]["attempts"]
    # Each attempt is recorded just after its answer is sent, so a quick second request may be recorded first.
    assert sorted((a["in_reply_to"], a["status"], a["client"]) for a in attempts) == sorted(
        [(first, 429, "sender-7"), (second, 201, "sender-7")]
    )


def test_served_lists_what_a_client_received_not_an_answer_it_lost(sim: Simulator) -> None:
    brand_id = sim.state.brand_x_ids[0]
    sim.add_mentions(3, platform="x", kind="mention")
    sim.inject("answer_lost", platform="x", path="/mentions", delay=0.1)
    mentions = f"{sim.x_base_url}/2/users/{brand_id}/mentions"
    with pytest.raises(requests.ConnectionError):
        requests.get(mentions, headers={"Authorization": "Bearer poller-1"}, timeout=10)
    assert control(sim, "GET", "/_sim/served")[1]["x"] == []

    page = requests.get(mentions, headers={"Authorization": "Bearer poller-1"}, timeout=10).json()

    assert sorted(control(sim, "GET", "/_sim/served")[1]["x"]) == sorted(t["id"] for t in page["data"])
    assert "poller-1" in control(sim, "GET", "/_sim/clients")[1]["clients"]


def test_an_opt_out_reaches_the_brand_and_a_deleted_post_takes_no_reply(sim: Simulator) -> None:
    [post, gone] = sim.add_mentions(2, platform="x", kind="mention")
    author = sim.state.x_users[sim.state.tweet_index[post]["author_id"]]["username"]

    status, said = control(
        sim,
        "POST",
        "/_sim/optout",
        {"platform": "x", "author": author, "in_reply_to": post, "text": "stop replying to me"},
    )
    deleted_status, deleted = control(sim, "POST", "/_sim/delete", {"platform": "x", "id": gone})

    assert status == 200 and deleted_status == 200
    opt_out = sim.state.tweet_index[said["id"]]
    assert opt_out["text"] == "@acme stop replying to me"
    assert opt_out["referenced_tweets"] == [{"type": "replied_to", "id": post}]
    assert sim.state.x_users[opt_out["author_id"]]["username"] == author
    refused = reply(sim, gone)
    assert refused.status_code == 403 and "deleted" in refused.json()["detail"]
    assert gone not in {t["id"] for t in sim.state.tweets}
    assert control(sim, "GET", "/_sim/optouts")[1]["optouts"] == [said]
    assert control(sim, "GET", "/_sim/deleted")[1]["deleted"] == [deleted]
    assert deleted["at"] <= time.time()
    assert control(sim, "POST", "/_sim/delete", {"platform": "x", "id": gone})[0] == 404


def test_a_reddit_opt_out_mentions_the_account_in_the_authors_thread(sim: Simulator) -> None:
    [post] = sim.add_mentions(1, platform="reddit", kind="mention")
    author = sim.state.things[post]["data"]["author"]

    status, said = control(
        sim,
        "POST",
        "/_sim/optout",
        {"platform": "reddit", "author": author, "in_reply_to": post, "text": "please stop replying to me"},
    )

    comment = sim.state.things[said["id"]]["data"]
    assert status == 200 and comment["parent_id"] == post and comment["author"] == author
    assert comment["body"] == "u/acme_support please stop replying to me"
    assert said["id"] in sim.state.inbox


def test_fault_campaign_in_small_keeps_every_promise(tmp_path: Path) -> None:
    report = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/faults.py",
            "--kills",
            "15",
            "--approved",
            "40",
            "--stale-seconds",
            "20",
            "--max-minutes",
            "15",
            "--json",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
    )
    assert report.exists(), result.stderr[-3000:]
    figures = json.loads(report.read_text())
    assert figures["complete"] and figures["kills"]["total"] >= 15 and figures["approved"] >= 40
    assert figures["replies"] > 0 and figures["mentions_served"] > 0
    assert {name: figures[name] for name in MUST_BE_ZERO} == dict.fromkeys(MUST_BE_ZERO, 0)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("MENTIONDESK_TEST_POSTGRES_URL"), reason="MENTIONDESK_TEST_POSTGRES_URL is not set"
)
def test_two_runs_campaign_in_small_keeps_every_promise_while_the_lease_holder_is_killed(tmp_path: Path) -> None:
    report = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/faults.py",
            "--two-runs",
            "--kills",
            "2",
            "--approved",
            "20",
            "--stale-seconds",
            "20",
            "--max-minutes",
            "3",
            "--database-url",
            os.environ["MENTIONDESK_TEST_POSTGRES_URL"],
            "--json",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert report.exists(), result.stderr[-3000:]
    figures = json.loads(report.read_text())
    assert figures["complete"] and figures["kills"]["run"] >= 2 and figures["approved"] >= 20
    assert figures["holder_kills"] + figures["standby_kills"] == figures["kills"]["run"]
    assert figures["replies"] > 0 and figures["mentions_served"] > 0 and figures["polls_seen"] > 0
    names = (*MUST_BE_ZERO, "takeovers_without_a_new_holder", "runs_with_a_traceback")
    assert {name: figures[name] for name in names} == dict.fromkeys(names, 0)
    assert figures["holder_kills"] >= 1 and max(figures["takeover_lease_seconds"]) <= 60  # polls within 60 s
    assert result.returncode == 0, result.stdout[-3000:]


def test_two_runs_is_refused_on_sqlite_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/faults.py", "--two-runs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--database-url postgresql://" in result.stderr
