"""Fault campaign: SIGKILL `queue send`, `poll --once` and `run` at random moments against the platform
simulator, and count what the platforms created.

    .venv/bin/python benchmarks/faults.py [--kills 200] [--approved 1000] [--seed N] [--database-url URL]
    .venv/bin/python benchmarks/faults.py --two-senders 20 [--database-url URL]

A `mentiondesk simulate` process plays X and Reddit; a brand file and .env in a temporary directory point the
real CLI at it, on a SQLite file (or, with --database-url, a fresh schema in that PostgreSQL database, dropped
afterwards). While mentions keep arriving and a reviewer keeps approving drafts, three lanes run the CLI over
and over: two senders (`queue send` twice at once, or `queue send` beside `run`) and a poller (`poll --once`).
Each process is SIGKILLed after a uniform random delay: mostly counted from its first request to a platform
(the simulator says when), so the kill lands while it sends or polls however slowly a busy machine starts
Python; sometimes counted from its start (see fault_rig.Killer). Meanwhile the simulator loses answers after it
has posted the reply (`answer_lost`), answers 429 with a reset and 503 on the reply endpoints, authors tell the
brand to stop replying to them and delete posts that have an approved draft. Then, with faults off, it polls and
sends until nothing is left to do, and prints:

  kills by command; replies per post, counted from the replies the simulator created (GET /_sim/replies);
  drafts per state; drafts stuck without a visible state; mentions stored per mention served; replies after an
  opt-out; replies to deleted posts; replies created inside an announced 429 window.

The last three count a reply only when it was created more than GRACE_SECONDS after the desk could know (the
opt-out stored in the database, the post deleted, the 429 answered), so a reply already on the wire is not
counted; the figures counted from the opt-out post's own time are printed beside them.

--two-senders N: N rounds of two `queue send` at once over the same 200 fresh approved drafts, of which 40 had
failed once (a 503 on their first send); prints replies per post for each round.

Exit status 1 when a figure that must be 0 is not, or the campaign fell short of its kills or approvals."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fault_rig import (
    BRANDS,
    PLATFORMS,
    POLL,
    REPLY_PATHS,
    RUN,
    SEND,
    Desk,
    Killer,
    Lane,
    RunPair,
    Sim,
    Tally,
    client_tag,
    database,
    drain_sends,
    epoch,
    first_poll,
)

from storage.models import DraftState

GRACE_SECONDS = 1.0  # a reply already on the wire when the desk learnt of an opt-out, a deletion or a 429
PAUSE_RECORD_SECONDS = 2.0  # a process killed this soon after its 429 may have died before recording it
OPT_OUT_PHRASES = (
    "stop replying to me",
    "stop replying to me",
    "please stop replying to me",
    "stop pinging me",
    "do not reply to me again",
    "never reply to me again",
    "leave me alone",
    "deja de responderme",
    "hör auf, mir zu antworten",
)


# --- the campaign -------------------------------------------------------------------------------------------


FAULTS: list[dict[str, Any]] = [
    {"kind": "answer_lost", "platform": "x", "path": REPLY_PATHS["x"]},
    {"kind": "answer_lost", "platform": "reddit", "path": REPLY_PATHS["reddit"]},
    {"kind": "rate_limit", "platform": "x", "path": REPLY_PATHS["x"]},
    {"kind": "rate_limit", "platform": "reddit", "path": REPLY_PATHS["reddit"]},
    {"kind": "unavailable", "platform": "x", "path": REPLY_PATHS["x"]},
    {"kind": "unavailable", "platform": "reddit", "path": REPLY_PATHS["reddit"]},
    {"kind": "unavailable", "platform": "any", "path": ""},  # whatever comes next, polling included
]


@dataclass
class World:
    """What the campaign did to the platforms, to judge the desk by afterwards."""

    fed: set[tuple[str, str]] = field(default_factory=set)
    approved: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    opted_out: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)  # (platform, author) -> post
    opt_out_known: dict[str, float] = field(default_factory=dict)  # opt-out post id -> first seen stored
    deleted: dict[tuple[str, str], float] = field(default_factory=dict)
    pauses: dict[tuple[str, float], float] = field(default_factory=dict)  # (scope, until) -> first seen recorded


class Campaign:
    def __init__(self, desk: Desk, sim: Sim, args: argparse.Namespace) -> None:
        self.desk = desk
        self.sim = sim
        self.args = args
        self.rng = random.Random(args.seed)
        self.world = World()
        self.tally = Tally()
        self.stopping = threading.Event()
        self.startup: dict[str, float] = {}
        self.killer = Killer(desk, sim, self.tally, random.Random(args.seed + 1), self.startup)
        self.pair = RunPair(desk, self.tally, random.Random(args.seed + 2), self.stopping) if args.two_runs else None
        self.ended = 0.0
        self.run_tracebacks: list[str] = []
        self.drain_paused_seconds = 0.0  # the end's polls waited for rate-limit pauses to end

    # --- setup ---

    def prepare(self) -> None:
        """Every source's cursor set, start-up times measured (the first kills' windows), drafts to send."""
        first_poll(self.desk, self.sim)
        runs = []
        for _ in range(2):
            began = time.monotonic()
            self.desk.run(SEND)
            runs.append(time.monotonic() - began)
        self.startup[SEND] = self.startup[RUN] = min(runs)
        for platform in PLATFORMS:
            self.world.fed.update((platform, i) for i in self.sim.add_mentions(40, platform))
        began = time.monotonic()
        self.desk.run(POLL)
        self.startup[POLL] = time.monotonic() - began
        self.approve()

    # --- the reviewer, the crowd and the platform's bad days ---

    def feed(self, backlog: int) -> None:
        states = self.desk.drafts_by_state()
        # Drafts the gate would not let the reviewer approve wait for nobody: they must not stop the crowd.
        waiting = max(0, states.get("drafted", 0) - len(self.desk.refused)) + states.get("approved", 0)
        unpolled = len(self.world.fed) - self.desk.mention_count()
        if waiting < backlog and unpolled < 2 * backlog:
            for platform in PLATFORMS:
                self.world.fed.update((platform, i) for i in self.sim.add_mentions(10, platform))

    def approve(self) -> None:
        self.world.approved += self.desk.approve(self.desk.drafted(40))

    def inject_fault(self) -> None:
        """One fault, unless the last one for that platform is still waiting for a request: faults follow the
        traffic instead of piling up in front of every request when the desk is slow."""
        fault = dict(self.rng.choice(FAULTS))
        pending = {f["platform"] for f in self.sim.call("GET", "/_sim/faults")["faults"]}
        if pending & {fault["platform"], "any"} or (fault["platform"] == "any" and pending):
            return
        if fault["kind"] == "answer_lost":
            fault["delay"] = round(self.rng.uniform(0.1, 3.0), 2)
        elif fault["kind"] == "rate_limit":
            fault["reset_in"] = self.rng.randint(3, 12)
        else:
            fault["times"] = self.rng.randint(1, 3)
        self.sim.inject(**fault)
        self.world.faults[fault["kind"]] += 1

    def opt_out(self) -> None:
        """An author whose draft is approved (or failed, or unknown) tells the brand to stop replying."""
        taken = set(self.world.opted_out)
        candidates = [
            p for p in self.desk.pending() if (p[0], p[2]) not in taken and (p[0], p[1]) not in self.world.deleted
        ]
        retried = [p for p in candidates if p[3] in ("failed", "unknown")]
        if not candidates:
            return
        platform, post_id, author, _ = self.rng.choice(retried or candidates)
        said = self.sim.call(
            "POST",
            "/_sim/optout",
            {"platform": platform, "author": author, "in_reply_to": post_id, "text": self.rng.choice(OPT_OUT_PHRASES)},
        )
        self.world.opted_out[(platform, author)] = (str(said["id"]), float(said["at"]))
        self.world.fed.add((platform, str(said["id"])))

    def delete_post(self) -> None:
        """The author of a post with an approved draft deletes it."""
        opted = {author for _, author in self.world.opted_out}
        candidates = [p for p in self.desk.pending() if (p[0], p[1]) not in self.world.deleted and p[2] not in opted]
        if not candidates:
            return
        platform, post_id, _, _ = self.rng.choice(candidates)
        try:
            said = self.sim.call("POST", "/_sim/delete", {"platform": platform, "id": post_id})
        except urllib.error.HTTPError:
            return
        self.world.deleted[(platform, post_id)] = float(said["at"])

    def watch_opt_outs(self) -> None:
        """When each opt-out reached the database: from then on no reply to that author may be created."""
        waiting = {
            (p, post) for (p, _), (post, _) in self.world.opted_out.items() if post not in self.world.opt_out_known
        }
        if waiting:
            now = time.time()
            for _, post in self.desk.stored(waiting):
                self.world.opt_out_known[post] = now

    def watch_pauses(self) -> None:
        """When the desk recorded each rate-limit pause (if it records them): from then on it knows."""
        now = time.time()
        for pause in self.desk.rate_pauses():
            self.world.pauses.setdefault(pause, now)

    # --- the run ---

    def run(self) -> bool:
        """Kill, feed, approve and break things until the targets are met; False if time ran out first."""
        if self.pair is not None:
            # The two `run` poll and send; beside them one `queue send` lane, killed at random as ever.
            self.pair.begin()
            lanes = [Lane(self.killer, SEND, self.stopping)]
        else:
            lanes = [
                Lane(self.killer, SEND, self.stopping),
                Lane(self.killer, SEND, self.stopping, with_run=True),
                Lane(self.killer, POLL, self.stopping),
            ]
        for lane in lanes:
            lane.start()
        deadline = time.monotonic() + self.args.max_minutes * 60
        every = {"fault": self.args.fault_every, "opt_out": 10.0, "delete": 10.0, "report": 30.0}
        due = dict.fromkeys(every, time.monotonic() + 2)
        try:
            while not self._targets_met() and time.monotonic() < deadline:
                self.feed(backlog=150)
                self.approve()
                self.watch_opt_outs()
                self.watch_pauses()
                now = time.monotonic()
                for name, when in due.items():
                    if now >= when:
                        {
                            "fault": self.inject_fault,
                            "opt_out": self.opt_out,
                            "delete": self.delete_post,
                            "report": self._progress,
                        }[name]()
                        due[name] = now + every[name]
                time.sleep(0.5)
        except BaseException:
            self.stopping.set()
            self.killer.kill_all()  # interrupted: stop at once
            if self.pair is not None:
                self.pair.kill_all()
            raise
        finally:
            self.ended = time.time()
            self.stopping.set()
            for lane in lanes:
                lane.join(timeout=60)
            self.killer.kill_all()
            if self.pair is not None:
                self.pair.join(timeout=60)
                self.pair.settle(timeout=60)
        return self._targets_met()

    def _targets_met(self) -> bool:
        with self.tally.lock:
            kills = self.tally.kills[RUN] if self.pair is not None else sum(self.tally.kills.values())
        return kills >= self.args.kills and self.world.approved >= self.args.approved

    def _progress(self) -> None:
        startup = {c: round(s, 1) for c, s in self.startup.items()}
        print(
            f"  ... {self.tally.total_kills} kills {dict(self.tally.kills)}, {self.world.approved} approved, "
            f"{len(self.world.fed)} mentions posted; start-up now {startup} s",
            file=sys.stderr,
            flush=True,
        )

    # --- the end ---

    def drain(self) -> None:
        """Faults off; (the two `run` stopped;) poll until nothing new arrives, then send until nothing changes."""
        self.sim.call("POST", "/_sim/faults/clear")
        if self.pair is not None:
            self.run_tracebacks = self.pair.stop_all()
        for _ in range(10):
            # A source paused by a late 429 is skipped by `poll`: what a killed poller was served before it
            # could store it would look lost. Faults are off, so wait the pause out.
            wait = max(0.0, self.desk.last_pause_end() - time.time())
            self.drain_paused_seconds += wait
            time.sleep(wait)
            before = self.desk.mention_count()
            self.desk.run(POLL)
            self.watch_opt_outs()
            if self.desk.mention_count() == before and self.desk.last_pause_end() <= time.time():
                break
        time.sleep(self.desk.stale_seconds + 1)  # what a killed sender left `sending` is now abandoned
        drain_sends(self.desk, deadline=time.monotonic() + 600)


# --- figures ------------------------------------------------------------------------------------------------


def count_replies(sim: Sim) -> tuple[list[dict[str, Any]], Counter[tuple[str, str]]]:
    replies: list[dict[str, Any]] = sim.call("GET", "/_sim/replies")["replies"]
    return replies, Counter((r["platform"], r["in_reply_to"]) for r in replies)


def figures(campaign: Campaign, minutes: float) -> dict[str, Any]:
    sim, desk, world, tally = campaign.sim, campaign.desk, campaign.world, campaign.tally
    replies, per_post = count_replies(sim)
    attempts = sim.call("GET", "/_sim/attempts")["attempts"]
    out: dict[str, Any] = {
        "minutes": round(minutes, 1),
        "kills": {**dict(tally.kills), "total": sum(tally.kills.values())},
        "kills_after_first_request": _kills_after_first_request(tally, sim.call("GET", "/_sim/clients")["clients"]),
        "kill_seconds_after_start": {
            c: [round(min(d), 1), round(statistics.median(d), 1), round(max(d), 1)] for c, d in tally.delays.items()
        },
        "startup_seconds": {c: round(s, 1) for c, s in campaign.startup.items()},
        "finished": dict(tally.finished),
        "crashed": dict(tally.crashed),
        "refused": dict(tally.refused),
        "crash_examples": sorted(set(tally.crash_lines))[:8],
        "approved": world.approved,
        "approvals_refused": dict(desk.refusals.most_common(8)),
        "faults_injected": dict(world.faults),
        "opt_outs": len(world.opted_out),
        "deleted_posts": len(world.deleted),
        "replies": len(replies),
        "replies_per_post": {str(k): v for k, v in sorted(Counter(per_post.values()).items())},
        "posts_with_2plus_replies": sum(1 for n in per_post.values() if n > 1),
        "extra_replies": sum(n - 1 for n in per_post.values() if n > 1),
    }
    out.update(_draft_figures(desk, replies, per_post))
    out.update(_mention_figures(sim, desk, world))
    out["drain_paused_seconds"] = round(campaign.drain_paused_seconds, 1)
    out.update(_opt_out_figures(desk, world, replies))
    out.update(_deleted_figures(world, replies, attempts))
    out.update(_rate_limit_figures(campaign, replies, attempts))
    if campaign.pair is not None:
        out.update(campaign.pair.gaps(campaign.ended))
        out["runs_with_a_traceback"] = len(campaign.run_tracebacks)
    return out


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
# --two-runs: also a standby that never took the lease over, and a `run` that printed a traceback.
MUST_BE_ZERO_TWO_RUNS = ("takeovers_without_a_new_holder", "runs_with_a_traceback")


def must_be_zero(out: dict[str, Any]) -> tuple[str, ...]:
    return MUST_BE_ZERO + (MUST_BE_ZERO_TWO_RUNS if "holder_kills" in out else ())


def _kills_after_first_request(tally: Tally, clients: dict[str, float]) -> dict[str, list[int]]:
    """Per command: [kills that came after the process's first request to a platform, kills]."""
    first: dict[str, float] = {}
    for client, at in clients.items():
        first[client_tag(client)] = min(at, first.get(client_tag(client), at))
    out: dict[str, list[int]] = {}
    for tag, (command, _, killed) in tally.killed.items():
        counts = out.setdefault(command, [0, 0])
        counts[0] += tag in first and first[tag] <= killed
        counts[1] += 1
    return out


def _draft_figures(desk: Desk, replies: list[dict[str, Any]], per_post: Counter[tuple[str, str]]) -> dict[str, Any]:
    drafts = desk.drafts_of_posts()
    states = Counter(state for _, _, _, state, _ in drafts)
    known = {s.value for s in DraftState}
    reply_ids = {(r["platform"], r["id"]) for r in replies}
    owned = {(p, post) for _, p, post, state, _ in drafts if state in ("sent", "unknown")}
    return {
        "drafts_by_state": dict(sorted(states.items())),
        # Nobody is sending any more, so `approved` and `sending` are limbo, as is a state the desk does not know.
        "drafts_stuck": sum(n for s, n in states.items() if s in ("approved", "sending") or s not in known),
        "drafts_sent_without_a_reply": sum(
            1 for _, p, _, state, reply in drafts if state == "sent" and (p, reply) not in reply_ids
        ),
        # A reply on the platform whose drafts all say it was not posted (failed, rejected, approved): the desk
        # lost track of it. `unknown` is honest: it will be reconciled.
        "replies_the_desk_lost_track_of": sum(1 for post in per_post if post not in owned),
    }


def _mention_figures(sim: Sim, desk: Desk, world: World) -> dict[str, Any]:
    served_lists = sim.call("GET", "/_sim/served")
    served = {(p, str(i)) for p, ids in served_lists.items() for i in ids} & world.fed
    rows = desk.stored(world.fed)
    # A post its author deleted is purged by `run` (platform terms): gone from the database on purpose.
    purged = (served & set(world.deleted)) - set(rows)
    lost = served - set(rows) - purged
    return {
        "mentions_posted": len(world.fed),
        "mentions_served": len(served),
        "mentions_stored": len(rows),
        "mentions_purged_after_deletion": len(purged),
        "mentions_lost": len(lost),
        "mentions_lost_ids": sorted(lost)[:20],
        "mentions_duplicated": sum(n - 1 for n in rows.values()),
    }


def _opt_out_figures(desk: Desk, world: World, replies: list[dict[str, Any]]) -> dict[str, Any]:
    authors, recognised = desk.authors(), desk.opted_out_authors()
    after_known = before_known = unrecognised = 0
    for reply in replies:
        author = (reply["platform"], authors.get((reply["platform"], reply["in_reply_to"])) or "")
        opt_out = world.opted_out.get(author)
        if opt_out is None:
            continue
        post, posted = opt_out
        at, known = epoch(reply["at"]), world.opt_out_known.get(post, float("inf"))
        if at > known + GRACE_SECONDS:
            after_known += 1
            unrecognised += author not in recognised
        elif at > posted:
            before_known += 1
    return {
        "replies_after_opt_out": after_known,
        "replies_after_opt_out_not_recognised": unrecognised,
        "replies_after_opt_out_posted_before_stored": before_known,
        "opt_outs_never_stored": sum(1 for post, _ in world.opted_out.values() if post not in world.opt_out_known),
    }


def _deleted_figures(world: World, replies: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> dict[str, Any]:
    def after(item: dict[str, Any], at: float, grace: float) -> bool:
        deleted = world.deleted.get((item["platform"], item["in_reply_to"]))
        return deleted is not None and at > deleted + grace

    return {
        "replies_to_deleted_posts": sum(1 for r in replies if after(r, epoch(r["at"]), GRACE_SECONDS)),
        "reply_requests_to_deleted_posts": sum(1 for a in attempts if after(a, a["at"], GRACE_SECONDS)),
    }


def _rate_limit_figures(
    campaign: Campaign, replies: list[dict[str, Any]], attempts: list[dict[str, Any]]
) -> dict[str, Any]:
    """Replies created inside a 429 window once the desk could know: after it recorded the pause (+ grace), or,
    if it never recorded one, after the 429 (+ grace) unless the process told died within PAUSE_RECORD_SECONDS
    (then nobody was left who knew: counted apart)."""
    windows = campaign.sim.call("GET", "/_sim/ratelimits")["windows"]
    # X limits each endpoint (creating posts is POST /2/tweets); Reddit limits the whole client.
    closing = [
        w for w in windows if w["platform"] == "reddit" or (w["method"] == "POST" and w["path"] == REPLY_PATHS["x"])
    ]
    posted_by = {(a["platform"], a["in_reply_to"]): client_tag(a["client"]) for a in attempts if a["status"] < 300}
    inside: list[tuple[float, str]] = []  # (seconds after the 429, who sent it: the told process or another)
    untold = 0
    for reply in replies:
        at = epoch(reply["at"])
        window = next(
            (w for w in closing if w["platform"] == reply["platform"] and w["at"] + GRACE_SECONDS < at < w["until"]),
            None,
        )
        if window is None:
            continue
        known = _pause_recorded(campaign.world, window)
        told = client_tag(window["client"])
        killed = campaign.tally.killed.get(told)
        if known is None and killed is not None and killed[2] - window["at"] < PAUSE_RECORD_SECONDS:
            untold += 1
        elif known is None or at > known + GRACE_SECONDS:
            sender = posted_by.get((reply["platform"], reply["in_reply_to"]), "")
            inside.append((at - window["at"], "unknown" if not sender else "same" if sender == told else "other"))
    lags = sorted(lag for lag, _ in inside)
    return {
        "rate_limit_windows": len(closing),
        "sends_in_429_window": len(inside),
        "sends_in_429_window_by": dict(Counter(who for _, who in inside)),
        "sends_in_429_window_seconds_after": [round(lags[0], 1), round(statistics.median(lags), 1), round(lags[-1], 1)]
        if lags
        else [],
        "sends_in_429_window_nobody_knew": untold,
    }


def _pause_recorded(world: World, window: dict[str, Any]) -> float | None:
    """When the desk first had a pause on the window's platform ending with the window (within 1.5 s)."""
    seen = [
        at
        for (scope, until), at in world.pauses.items()
        if scope.split(":")[0] == window["platform"] and abs(until - window["until"]) <= 1.5
    ]
    return min(seen) if seen else None


def print_figures(out: dict[str, Any]) -> None:
    kills = out["kills"]
    print(
        f"Fault campaign: {out['minutes']} min, {kills['total']} kills "
        f"({', '.join(f'{c} {n}' for c, n in kills.items() if c != 'total')}); "
        f"{out['approved']} drafts approved, {out['replies']} replies created"
    )
    during = ", ".join(f"{c} {n} of {k}" for c, (n, k) in out["kills_after_first_request"].items())
    print(
        f"  killed after s (min/median/max): {out['kill_seconds_after_start']}; start-up {out['startup_seconds']}; "
        f"kills after the process's first platform request: {during}"
    )
    print(f"  finished {out['finished']}; crashed {out['crashed']}; refused {out['refused']}")
    for line in out["crash_examples"]:
        print(f"    crash: {line}")
    print(
        f"  faults injected: {out['faults_injected']}; opt-outs {out['opt_outs']}; "
        f"posts deleted {out['deleted_posts']}; 429 windows on sending {out['rate_limit_windows']}"
    )
    print(f"  approvals the desk refused (reason: times): {out['approvals_refused']}")
    print(
        f"Replies per post (created on the platform): {out['replies_per_post']}; posts with 2+ replies "
        f"{out['posts_with_2plus_replies']} ({out['extra_replies']} extra replies)"
    )
    print(
        f"Drafts per state: {out['drafts_by_state']}; stuck without a visible state {out['drafts_stuck']}; "
        f"sent without a reply on the platform {out['drafts_sent_without_a_reply']}; replies whose draft says "
        f"they were not posted {out['replies_the_desk_lost_track_of']}"
    )
    served = out["mentions_served"]
    print(
        f"Mentions: {out['mentions_posted']} posted, {served} served, {out['mentions_stored']} stored "
        f"({out['mentions_stored'] / served if served else 0:.3f} per served); lost {out['mentions_lost']}, "
        f"duplicated {out['mentions_duplicated']}; deleted by their authors and purged "
        f"{out['mentions_purged_after_deletion']}; the end's polls waited {out['drain_paused_seconds']} s for "
        "rate-limit pauses" + (f"; lost ids (first 20): {out['mentions_lost_ids']}" if out["mentions_lost"] else "")
    )
    print(
        f"Replies after an opt-out: {out['replies_after_opt_out']} (after the desk stored it, +{GRACE_SECONDS:g} s; "
        f"{out['replies_after_opt_out_not_recognised']} to authors the desk never marked as opted out); "
        f"{out['replies_after_opt_out_posted_before_stored']} between the opt-out post and its storing; "
        f"{out['opt_outs_never_stored']} opt-outs never stored"
    )
    print(
        f"Replies to deleted posts: {out['replies_to_deleted_posts']}; reply requests to deleted posts "
        f"{out['reply_requests_to_deleted_posts']}"
    )
    print(
        f"Sends inside an announced 429 window: {out['sends_in_429_window']} (by the process that got the 429 or "
        f"another: {out['sends_in_429_window_by']}; seconds after the 429, min/median/max: "
        f"{out['sends_in_429_window_seconds_after']}); not counted: "
        f"{out['sends_in_429_window_nobody_knew']} in windows the desk never recorded whose 429 went to a process "
        f"killed within {PAUSE_RECORD_SECONDS:g} s"
    )
    if "holder_kills" in out:
        print(
            f"Two `run` instances: {out['holder_kills']} lease holders killed, {out['standby_kills']} standbys "
            f"killed; the other held the lease after (s, min/median/max) {out['takeover_lease_seconds']}, a source "
            f"was polled after {out['takeover_first_poll_seconds']}; longest with no lease holder "
            f"{out['longest_without_lease_holder_seconds']} s, longest with no poll "
            f"{out['longest_without_a_poll_seconds']} s ({out['polls_seen']} polls seen); kills with no takeover "
            f"{out['takeovers_without_a_new_holder']}; `run` logs with a traceback {out['runs_with_a_traceback']}"
        )
    names = must_be_zero(out)
    bad = [name for name in names if out[name]]
    print(
        "Must be 0: "
        + ", ".join(f"{name} {out[name]}" for name in names)
        + (f"  -> FAILED: {', '.join(bad)}" if bad else "  -> all 0")
    )


# --- two senders --------------------------------------------------------------------------------------------


def two_senders(desk: Desk, sim: Sim, rounds: int, *, per_round: int = 200, failed_once: int = 40) -> dict[str, Any]:
    """Each round: 200 fresh drafts approved, 40 of them failed once, then two `queue send` at once."""
    results: list[dict[str, Any]] = []
    for number in range(1, rounds + 1):
        drafts = _fresh_drafts(desk, sim, per_round)
        first = drafts[:failed_once]
        desk.approve(first)
        posts = {d: (p, post) for d, p, post, _, _ in desk.drafts_of_posts() if d in drafts}
        for platform in PLATFORMS:
            times = sum(1 for d in first if posts[d][0] == platform)
            if times:
                sim.inject(kind="unavailable", platform=platform, path=REPLY_PATHS[platform], times=times)
        desk.run(SEND)
        sim.call("POST", "/_sim/faults/clear")
        states_after_failure = Counter(s for d, _, _, s, _ in desk.drafts_of_posts() if d in first)
        desk.approve(drafts[failed_once:])
        senders = [desk.start(SEND, tag=f"round{number}-{n}") for n in (1, 2)]
        for sender in senders:
            sender.wait(timeout=600)
        drain_sends(desk, deadline=time.monotonic() + 300)
        _, per_post = count_replies(sim)
        counts = Counter(per_post.get(post, 0) for post in posts.values())
        result = {
            "round": number,
            "failed_once": dict(states_after_failure),
            "replies_per_post": {str(k): v for k, v in sorted(counts.items())},
        }
        results.append(result)
        print(
            f"round {number:>2}: {len(posts)} posts, first attempt of {len(first)} gave {result['failed_once']}; "
            f"replies per post {result['replies_per_post']}",
            flush=True,
        )
    twice = sum(r["replies_per_post"].get(k, 0) for r in results for k in r["replies_per_post"] if int(k) > 1)
    none = sum(r["replies_per_post"].get("0", 0) for r in results)
    return {"rounds": results, "posts_with_2plus_replies": twice, "posts_without_a_reply": none}


def _fresh_drafts(desk: Desk, sim: Sim, wanted: int) -> list[int]:
    for _ in range(50):
        drafted = desk.drafted(wanted)
        if len(drafted) >= wanted:
            return drafted
        for platform in PLATFORMS:
            sim.add_mentions(100, platform)
        desk.run(POLL)
    raise SystemExit(f"could not get {wanted} fresh drafts from the simulator's mentions")


# --- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="SIGKILLs in total (default 200)")
    parser.add_argument("--approved", type=int, default=1000, help="drafts approved over the campaign")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="a PostgreSQL database to use a fresh schema of (default SQLite)")
    parser.add_argument("--two-senders", type=int, metavar="ROUNDS", help="run the two-senders rounds instead")
    parser.add_argument(
        "--two-runs",
        action="store_true",
        help="PostgreSQL: two `run` throughout, the lease holder SIGKILLed and restarted; --kills counts those",
    )
    parser.add_argument(
        "--stale-seconds",
        type=int,
        default=120,
        help="MENTIONDESK_SEND_STALE_SECONDS for the desk (default 120, the desk's own default)",
    )
    parser.add_argument("--fault-every", type=float, default=2.5, help="seconds between injected faults")
    parser.add_argument("--max-minutes", type=float, default=40, help="give up after this long")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (SQLite file, logs) and the PostgreSQL schema"
    )
    args = parser.parse_args()
    if args.two_runs and not (args.database_url or "").startswith("postgresql"):
        print(
            "--two-runs needs --database-url postgresql://...: on SQLite one `mentiondesk run` per database file "
            "is the rule, so there is no standby to take over",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the simulator and the commands on the way out

    workdir = Path(tempfile.mkdtemp(prefix="mentiondesk-faults-"))
    (workdir / "brands.toml").write_text(BRANDS, encoding="utf-8")
    sim = Sim(workdir, args.seed)
    try:
        with database(args.database_url, workdir, keep=args.keep) as url:
            desk = Desk(workdir, sim, url, stale_seconds=args.stale_seconds)
            try:
                return _two_senders_main(desk, sim, args) if args.two_senders else _campaign_main(desk, sim, args)
            finally:
                desk.close()
    finally:
        sim.stop()
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _campaign_main(desk: Desk, sim: Sim, args: argparse.Namespace) -> int:
    campaign = Campaign(desk, sim, args)
    began = time.monotonic()
    campaign.prepare()
    print(
        f"Fault campaign: {args.kills} kills, {args.approved} approvals, seed {args.seed}, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}; start-up "
        f"{ {c: round(s, 1) for c, s in campaign.startup.items()} } s",
        file=sys.stderr,
        flush=True,
    )
    complete = campaign.run()
    campaign.drain()
    out = figures(campaign, (time.monotonic() - began) / 60)
    out["complete"] = complete
    print_figures(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    if not complete:
        print(
            f"INCOMPLETE: {args.max_minutes} min were not enough for {args.kills} kills and {args.approved} approvals",
            file=sys.stderr,
        )
    return 0 if complete and not any(out[name] for name in must_be_zero(out)) else 1


def _two_senders_main(desk: Desk, sim: Sim, args: argparse.Namespace) -> int:
    first_poll(desk, sim)
    began = time.monotonic()
    out = two_senders(desk, sim, args.two_senders)
    out["minutes"] = round((time.monotonic() - began) / 60, 1)
    print(
        f"Two senders, {args.two_senders} rounds: posts with 2+ replies {out['posts_with_2plus_replies']}, "
        f"posts left without a reply {out['posts_without_a_reply']} ({out['minutes']} min)"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 1 if out["posts_with_2plus_replies"] else 0


if __name__ == "__main__":
    sys.exit(main())
