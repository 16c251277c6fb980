"""Fault campaign: SIGKILL `queue send`, `poll --once` and `run` at random moments against the platform
simulator, and count what the platforms created.

    .venv/bin/python benchmarks/faults.py [--kills 200] [--approved 1000] [--seed N] [--database-url URL]
    .venv/bin/python benchmarks/faults.py --two-senders 20 [--database-url URL]

A `mentiondesk simulate` process plays X and Reddit; a brand file and .env in a temporary directory point the
real CLI at it, on a SQLite file (or, with --database-url, a fresh schema in that PostgreSQL database, dropped
afterwards). While mentions keep arriving and a reviewer keeps approving drafts, three lanes run the CLI over
and over: two senders (`queue send` twice at once, or `queue send` beside `run`) and a poller (`poll --once`).
Each process is SIGKILLed after a delay drawn uniformly from a window that starts around the time it takes the
command to start up, so most kills land while it sends or polls. Meanwhile the simulator loses answers after it
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
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mentiondesk.core.errors import MentionDeskError
from responders.queue import approve
from storage.db import make_engine, transaction
from storage.models import Author, Draft, DraftState, Mention

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

[brands.acme.reply_policy]
auto_thank = false
"""
MENTIONDESK = [sys.executable, "-m", "mentiondesk.cli"]
PLATFORMS = ("x", "reddit")
REPLY_PATHS = {"x": "/2/tweets", "reddit": "/api/comment"}
SEND, POLL, RUN = "queue send", "poll --once", "run"
ARGS = {SEND: ["queue", "send"], POLL: ["poll", "--once"], RUN: ["run", "--poll-interval", "2", "--send-interval", "2"]}
GRACE_SECONDS = 1.0  # a reply already on the wire when the desk learnt of an opt-out, a deletion or a 429
REQUEST_TIMEOUT_SECONDS = 5
OPT_OUT_PHRASES = (
    "stop replying to me", "stop replying to me", "please stop replying to me", "stop pinging me",
    "do not reply to me again", "never reply to me again", "leave me alone", "deja de responderme",
    "hör auf, mir zu antworten",
)
OPEN_STATES = ("drafted", "approved", "sending", "unknown", "failed")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without MENTIONDESK_* (the .env in the work directory says what the desk uses)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def handle(name: str | None) -> str:
    return (name or "").lower().removeprefix("@").removeprefix("u/")


# --- the simulator and the desk ----------------------------------------------------------------------------


class Sim:
    """`mentiondesk simulate` on free ports, driven through its /_sim control endpoints."""

    def __init__(self, workdir: Path, seed: int) -> None:
        self.log = (workdir / "simulator.log").open("w")
        self.process = subprocess.Popen(
            [*MENTIONDESK, "simulate", "--x-port", "0", "--reddit-port", "0", "--backlog", "0", "--per-minute", "0",
             "--brands", str(workdir / "brands.toml"), "--seed", str(seed)],
            cwd=workdir, env=clean_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )
        self.env: dict[str, str] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip().startswith("export "):
                key, _, value = line.strip().removeprefix("export ").partition("=")
                self.env[key] = value
            if line.startswith("Ctrl-C"):
                break
        if "MENTIONDESK_X_API_BASE_URL" not in self.env:
            self.stop()
            raise SystemExit(f"the simulator did not start; see {workdir / 'simulator.log'}")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.base = self.env["MENTIONDESK_X_API_BASE_URL"]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def add_mentions(self, n: int, platform: str) -> list[str]:
        return [str(i) for i in self.call("POST", f"/_sim/mentions?n={n}&platform={platform}")["added"]]

    def inject(self, **fault: Any) -> None:
        self.call("POST", "/_sim/faults", fault)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Desk:
    """The work directory (brands.toml, .env), the CLI as subprocesses and a direct look at the database."""

    def __init__(self, workdir: Path, sim: Sim, database_url: str, *, stale_seconds: int) -> None:
        self.workdir = workdir
        self.stale_seconds = stale_seconds
        settings = {
            **sim.env,
            "MENTIONDESK_DATABASE_URL": database_url,
            "MENTIONDESK_BRANDS_FILE": str(workdir / "brands.toml"),
            "MENTIONDESK_OUTBOX_DIR": str(workdir / "outbox"),
            "MENTIONDESK_REQUEST_TIMEOUT_SECONDS": str(REQUEST_TIMEOUT_SECONDS),
            "MENTIONDESK_SEND_STALE_SECONDS": str(stale_seconds),
        }
        (workdir / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
        self.database_url = database_url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def start(self, command: str, *, tag: str, stderr: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        """`tag` goes out as the X tokens and in the Reddit user agent, so the simulator's records tell which
        process made each request."""
        env = clean_env(MENTIONDESK_X_ACCESS_TOKEN=tag, MENTIONDESK_X_BEARER_TOKEN=tag,
                        MENTIONDESK_REDDIT_USER_AGENT=f"faults/{tag} ")
        return subprocess.Popen([*MENTIONDESK, *ARGS[command]], cwd=self.workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)

    def run(self, command: str, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*MENTIONDESK, *ARGS[command]], cwd=self.workdir, env=clean_env(), text=True,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # --- what the database holds ---

    def drafts_by_state(self) -> dict[str, int]:
        with Session(self.engine) as session:
            rows = session.exec(select(Draft.state, func.count()).group_by(Draft.state)).all()
        return {str(state): int(n) for state, n in rows}

    def mention_count(self) -> int:
        with Session(self.engine) as session:
            return int(session.exec(select(func.count()).select_from(Mention)).one())

    def drafted(self, limit: int) -> list[int]:
        with Session(self.engine) as session:
            ids = session.exec(
                select(col(Draft.id)).where(Draft.state == DraftState.DRAFTED, col(Draft.platform).in_(PLATFORMS))
                .order_by(col(Draft.id)).limit(limit))
            return [i for i in ids if i is not None]

    def approve(self, draft_ids: list[int]) -> int:
        approved = 0
        for draft_id in draft_ids:
            try:
                with transaction(self.engine) as session:
                    approve(draft_id, session=session, actor="campaign")
                approved += 1
            except MentionDeskError:
                pass  # the gate said no (an opt-out, say), or someone else moved it first
        return approved

    def pending(self) -> list[tuple[str, str, str, str]]:
        """(platform, post id, author, draft state) of drafts that are approved or on their way."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Mention.platform, Mention.external_id, Mention.author_handle, Draft.state)
                .join(Draft, col(Draft.mention_id) == col(Mention.id))
                .where(col(Draft.state).in_(["approved", "failed", "unknown", "sending"]),
                       col(Mention.platform).in_(PLATFORMS))
            ).all()
        return [(str(p), str(i), handle(a), str(s)) for p, i, a, s in rows]

    def stored(self, ids: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """How many rows each of these (platform, post id) has in the mention table."""
        found: Counter[tuple[str, str]] = Counter()
        with Session(self.engine) as session:
            for platform in PLATFORMS:
                wanted = sorted(i for p, i in ids if p == platform)
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    found.update((platform, str(i)) for i in session.exec(
                        select(Mention.external_id).where(Mention.platform == platform,
                                                          col(Mention.external_id).in_(chunk))))
        return dict(found)

    def authors(self) -> dict[tuple[str, str], str]:
        with Session(self.engine) as session:
            rows = session.exec(select(Mention.platform, Mention.external_id, Mention.author_handle)).all()
        return {(str(p), str(i)): handle(a) for p, i, a in rows}

    def opted_out_authors(self) -> set[tuple[str, str]]:
        """(platform, author) of every author the desk has marked as opted out."""
        with Session(self.engine) as session:
            rows = session.exec(select(Author.platform, Author.handle).where(col(Author.opted_out_at).is_not(None)))
            return {(str(p), handle(h)) for p, h in rows}

    def drafts_of_posts(self) -> list[tuple[int, str, str, str, str | None]]:
        """(draft id, platform, post id, state, reply id) of every draft."""
        with Session(self.engine) as session:
            rows = session.execute(
                sa_select(col(Draft.id), col(Mention.platform), col(Mention.external_id), col(Draft.state),
                          col(Draft.reply_external_id))
                .join(Mention, col(Draft.mention_id) == col(Mention.id))
            ).all()
        return [(int(d or 0), str(p), str(i), str(s), r) for d, p, i, s, r in rows]


@contextmanager
def database(url: str | None, workdir: Path) -> Iterator[str]:
    """A SQLite file in the work directory, or a fresh schema in the PostgreSQL database at `url`."""
    if not url:
        yield f"sqlite:///{workdir / 'desk.db'}"
        return
    schema = f"faults_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- killing commands ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Every process the campaign started: killed (and when), finished, crashed, refused."""

    kills: Counter[str] = field(default_factory=Counter)
    finished: Counter[str] = field(default_factory=Counter)
    crashed: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    crash_lines: list[str] = field(default_factory=list)
    killed: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # tag -> (command, start, kill)
    delays: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0

    def new_tag(self) -> str:
        with self.lock:
            self.serial += 1
            return f"campaign{self.serial:06d}"

    @property
    def total_kills(self) -> int:
        with self.lock:
            return sum(self.kills.values())


def client_tag(client: str) -> str:
    return client.removeprefix("faults/").split(" ")[0]


class Killer:
    """Starts a command, SIGKILLs it after a uniform random delay unless it ends first, and keeps the tally.

    Four kills in five come a uniform random delay after the process's first request to a platform (the
    simulator tells when), so they land while it sends or polls whatever the machine's load does to start-up
    (Python, imports, the database); the fifth comes a uniform random delay after the start, around the usual
    start-up time, so some land while it claims its first drafts or opens the database."""

    AFTER_START = 0.2
    WINDOW = {SEND: 6.0, POLL: 3.0, RUN: 15.0}  # seconds after the first request
    POLLS_LEFT_TO_FINISH = 0.25  # so that mentions keep reaching the database whatever the machine's load

    def __init__(self, desk: Desk, sim: Sim, tally: Tally, rng: random.Random, startup: dict[str, float]) -> None:
        self.desk = desk
        self.sim = sim
        self.tally = tally
        self.rng = rng
        self.startup = startup  # seconds from start to a command's first request (median of the latest)
        self.samples: dict[str, list[float]] = {}
        self.processes: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()

    def cycle(self, command: str) -> str:
        """One process: "killed", "finished", "refused" (another service holds the lock) or "crashed"."""
        tag = self.tally.new_tag()
        with self.lock:
            finish = command == POLL and self.rng.random() < self.POLLS_LEFT_TO_FINISH
            after_start = self.rng.random() < self.AFTER_START
            startup = self.startup[command]
            delay = self.rng.uniform(0, self.WINDOW[command])
            if after_start:
                delay = self.rng.uniform(0.5 * startup, 1.5 * startup + self.WINDOW[command])
        with tempfile.TemporaryFile() as stderr:
            started = time.time()
            process = self.desk.start(command, tag=tag, stderr=stderr)
            with self.lock:
                self.processes.add(process)
            try:
                if finish:
                    process.wait(timeout=600)
                elif not after_start:
                    first = self._first_request(tag, process)
                    if first is not None:
                        self._learn(command, first - started)
                        process.wait(timeout=max(first + delay - time.time(), 0.01))
                else:
                    process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                with self.tally.lock:
                    self.tally.kills[command] += 1
                    self.tally.killed[tag] = (command, started, time.time())
                    self.tally.delays.setdefault(command, []).append(time.time() - started)
                return "killed"
            finally:
                with self.lock:
                    self.processes.discard(process)
            process.wait()
            stderr.seek(0)
            said = stderr.read().decode("utf-8", "replace")
        return self._ended(command, process.returncode, said)

    def _first_request(self, tag: str, process: subprocess.Popen[bytes]) -> float | None:
        """When the simulator first heard from this process; None if it ended without a request. A process
        silent for two minutes (waiting on a database lock, say) is taken to have started now."""
        give_up = time.time() + 120
        while process.poll() is None:
            seen = self.sim.call("GET", f"/_sim/clients?contains={tag}")["clients"]
            if seen:
                return float(min(seen.values()))
            if time.time() > give_up:
                return time.time()
            time.sleep(0.2)
        return None

    def _learn(self, command: str, startup: float) -> None:
        with self.lock:
            recent = self.samples.setdefault(command, [])
            recent.append(startup)
            del recent[:-12]
            self.startup[command] = statistics.median(recent)

    def _ended(self, command: str, returncode: int, said: str) -> str:
        with self.tally.lock:
            if returncode == 0:
                self.tally.finished[command] += 1
                return "finished"
            if command == RUN and "service lock" in said:
                self.tally.refused[command] += 1
                return "refused"
            self.tally.crashed[command] += 1
            last = [line for line in said.strip().splitlines() if line.strip()][-1:] or [f"exit {returncode}"]
            self.tally.crash_lines.append(f"{command}: {last[0][:200]}")
            return "crashed"

    def kill_all(self) -> None:
        with self.lock:
            for process in self.processes:
                with suppress(ProcessLookupError):
                    process.send_signal(signal.SIGKILL)


class Lane(threading.Thread):
    """Runs commands one after another until told to stop. `with_run`: now and then `run` instead of a sender."""

    def __init__(self, killer: Killer, command: str, stopping: threading.Event, *, with_run: bool = False) -> None:
        super().__init__(daemon=True, name=f"lane-{command}")
        self.killer = killer
        self.command = command
        self.stopping = stopping
        self.with_run = with_run
        self.next_run = time.monotonic() + 5

    def run(self) -> None:
        while not self.stopping.is_set():
            command = self.command
            if self.with_run and time.monotonic() >= self.next_run:
                command = RUN
            outcome = self.killer.cycle(command)
            if command == RUN:
                # A killed service holds its lock until the lock goes stale; meanwhile this lane sends.
                self.next_run = time.monotonic() + (15 if outcome == "refused" else 30)


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
        waiting = states.get("drafted", 0) + states.get("approved", 0)
        unpolled = len(self.world.fed) - self.desk.mention_count()
        if waiting < backlog and unpolled < 2 * backlog:
            for platform in PLATFORMS:
                self.world.fed.update((platform, i) for i in self.sim.add_mentions(10, platform))

    def approve(self) -> None:
        self.world.approved += self.desk.approve(self.desk.drafted(40))

    def inject_fault(self) -> None:
        fault = dict(self.rng.choice(FAULTS))
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
        candidates = [p for p in self.desk.pending() if (p[0], p[2]) not in taken and (p[0], p[1]) not in
                      self.world.deleted]
        retried = [p for p in candidates if p[3] in ("failed", "unknown")]
        if not candidates:
            return
        platform, post_id, author, _ = self.rng.choice(retried or candidates)
        said = self.sim.call("POST", "/_sim/optout", {"platform": platform, "author": author, "in_reply_to": post_id,
                                                      "text": self.rng.choice(OPT_OUT_PHRASES)})
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
        waiting = {(p, post) for (p, _), (post, _) in self.world.opted_out.items()
                   if post not in self.world.opt_out_known}
        if waiting:
            now = time.time()
            for (_, post) in self.desk.stored(waiting):
                self.world.opt_out_known[post] = now

    # --- the run ---

    def run(self) -> bool:
        """Kill, feed, approve and break things until the targets are met; False if time ran out first."""
        lanes = [Lane(self.killer, SEND, self.stopping), Lane(self.killer, SEND, self.stopping, with_run=True),
                 Lane(self.killer, POLL, self.stopping)]
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
                now = time.monotonic()
                for name, when in due.items():
                    if now >= when:
                        {"fault": self.inject_fault, "opt_out": self.opt_out, "delete": self.delete_post,
                         "report": self._progress}[name]()
                        due[name] = now + every[name]
                time.sleep(0.5)
        finally:
            self.stopping.set()
            for lane in lanes:
                lane.join(timeout=60)
            self.killer.kill_all()
        return self._targets_met()

    def _targets_met(self) -> bool:
        return self.tally.total_kills >= self.args.kills and self.world.approved >= self.args.approved

    def _progress(self) -> None:
        startup = {c: round(s, 1) for c, s in self.startup.items()}
        print(f"  ... {self.tally.total_kills} kills, {self.world.approved} approved, {len(self.world.fed)} mentions "
              f"posted; start-up now {startup} s", file=sys.stderr, flush=True)

    # --- the end ---

    def drain(self) -> None:
        """Faults off; poll until nothing new arrives, then send until nothing changes."""
        self.sim.call("POST", "/_sim/faults/clear")
        for _ in range(10):
            before = self.desk.mention_count()
            self.desk.run(POLL)
            self.watch_opt_outs()
            if self.desk.mention_count() == before:
                break
        time.sleep(self.desk.stale_seconds + 1)  # what a killed sender left `sending` is now abandoned
        drain_sends(self.desk, deadline=time.monotonic() + 600)


def drain_sends(desk: Desk, *, deadline: float) -> None:
    """`queue send` until draft states stop changing and nothing is approved or sending."""
    previous: dict[str, int] | None = None
    while time.monotonic() < deadline:
        desk.run(SEND)
        states = desk.drafts_by_state()
        if states == previous and not states.get("approved") and not states.get("sending"):
            return
        previous = states
        time.sleep(desk.stale_seconds + 1 if states.get("sending") else 1.5)


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
        "kill_seconds_after_start": {c: [round(min(d), 1), round(statistics.median(d), 1), round(max(d), 1)]
                               for c, d in tally.delays.items()},
        "startup_seconds": {c: round(s, 1) for c, s in campaign.startup.items()},
        "finished": dict(tally.finished), "crashed": dict(tally.crashed), "refused": dict(tally.refused),
        "crash_examples": sorted(set(tally.crash_lines))[:8],
        "approved": world.approved,
        "faults_injected": dict(world.faults),
        "opt_outs": len(world.opted_out), "deleted_posts": len(world.deleted),
        "replies": len(replies),
        "replies_per_post": {str(k): v for k, v in sorted(Counter(per_post.values()).items())},
        "posts_with_2plus_replies": sum(1 for n in per_post.values() if n > 1),
        "extra_replies": sum(n - 1 for n in per_post.values() if n > 1),
    }
    out.update(_draft_figures(desk, replies, per_post))
    out.update(_mention_figures(sim, desk, world))
    out.update(_opt_out_figures(desk, world, replies))
    out.update(_deleted_figures(world, replies, attempts))
    out.update(_rate_limit_figures(sim, replies))
    return out


MUST_BE_ZERO = ("posts_with_2plus_replies", "drafts_stuck", "drafts_sent_without_a_reply",
                "replies_the_desk_lost_track_of", "mentions_lost",
                "mentions_duplicated", "replies_after_opt_out", "replies_to_deleted_posts", "sends_in_429_window")


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
        "drafts_sent_without_a_reply": sum(1 for _, p, _, state, reply in drafts
                                           if state == "sent" and (p, reply) not in reply_ids),
        # A reply on the platform whose drafts all say it was not posted (failed, rejected, approved): the desk
        # lost track of it. `unknown` is honest: it will be reconciled.
        "replies_the_desk_lost_track_of": sum(1 for post in per_post if post not in owned),
    }


def _mention_figures(sim: Sim, desk: Desk, world: World) -> dict[str, Any]:
    served_lists = sim.call("GET", "/_sim/served")
    served = {(p, str(i)) for p, ids in served_lists.items() for i in ids} & world.fed
    rows = desk.stored(world.fed)
    return {
        "mentions_posted": len(world.fed),
        "mentions_served": len(served),
        "mentions_stored": len(rows),
        "mentions_lost": len(served - set(rows)),
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
    return {"replies_after_opt_out": after_known, "replies_after_opt_out_not_recognised": unrecognised,
            "replies_after_opt_out_posted_before_stored": before_known,
            "opt_outs_never_stored": sum(1 for post, _ in world.opted_out.values()
                                         if post not in world.opt_out_known)}


def _deleted_figures(world: World, replies: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> dict[str, Any]:
    def after(item: dict[str, Any], at: float, grace: float) -> bool:
        deleted = world.deleted.get((item["platform"], item["in_reply_to"]))
        return deleted is not None and at > deleted + grace

    return {
        "replies_to_deleted_posts": sum(1 for r in replies if after(r, epoch(r["at"]), GRACE_SECONDS)),
        "reply_requests_to_deleted_posts": sum(1 for a in attempts if after(a, a["at"], GRACE_SECONDS)),
    }


def _rate_limit_figures(sim: Sim, replies: list[dict[str, Any]]) -> dict[str, Any]:
    windows = sim.call("GET", "/_sim/ratelimits")["windows"]
    # X limits each endpoint (creating posts is POST /2/tweets); Reddit limits the whole client.
    closing = [w for w in windows
               if w["platform"] == "reddit" or (w["method"] == "POST" and w["path"] == REPLY_PATHS["x"])]
    inside = sum(
        1 for r in replies
        if any(w["platform"] == r["platform"] and w["at"] + GRACE_SECONDS < epoch(r["at"]) < w["until"]
               for w in closing)
    )
    return {"rate_limit_windows": len(closing), "sends_in_429_window": inside}


def print_figures(out: dict[str, Any]) -> None:
    kills = out["kills"]
    print(f"Fault campaign: {out['minutes']} min, {kills['total']} kills "
          f"({', '.join(f'{c} {n}' for c, n in kills.items() if c != 'total')}); "
          f"{out['approved']} drafts approved, {out['replies']} replies created")
    during = ", ".join(f"{c} {n} of {k}" for c, (n, k) in out["kills_after_first_request"].items())
    print(f"  killed after s (min/median/max): {out['kill_seconds_after_start']}; start-up {out['startup_seconds']}; "
          f"kills after the process's first platform request: {during}")
    print(f"  finished {out['finished']}; crashed {out['crashed']}; refused {out['refused']}")
    for line in out["crash_examples"]:
        print(f"    crash: {line}")
    print(f"  faults injected: {out['faults_injected']}; opt-outs {out['opt_outs']}; "
          f"posts deleted {out['deleted_posts']}; 429 windows on sending {out['rate_limit_windows']}")
    print(f"Replies per post (created on the platform): {out['replies_per_post']}; posts with 2+ replies "
          f"{out['posts_with_2plus_replies']} ({out['extra_replies']} extra replies)")
    print(f"Drafts per state: {out['drafts_by_state']}; stuck without a visible state {out['drafts_stuck']}; "
          f"sent without a reply on the platform {out['drafts_sent_without_a_reply']}; replies whose draft says "
          f"they were not posted {out['replies_the_desk_lost_track_of']}")
    served = out["mentions_served"]
    print(f"Mentions: {out['mentions_posted']} posted, {served} served, {out['mentions_stored']} stored "
          f"({out['mentions_stored'] / served if served else 0:.3f} per served); lost {out['mentions_lost']}, "
          f"duplicated {out['mentions_duplicated']}")
    print(f"Replies after an opt-out: {out['replies_after_opt_out']} (after the desk stored it, +{GRACE_SECONDS:g} s; "
          f"{out['replies_after_opt_out_not_recognised']} to authors the desk never marked as opted out); "
          f"{out['replies_after_opt_out_posted_before_stored']} between the opt-out post and its storing; "
          f"{out['opt_outs_never_stored']} opt-outs never stored")
    print(f"Replies to deleted posts: {out['replies_to_deleted_posts']}; reply requests to deleted posts "
          f"{out['reply_requests_to_deleted_posts']}")
    print(f"Sends inside an announced 429 window: {out['sends_in_429_window']}")
    bad = [name for name in MUST_BE_ZERO if out[name]]
    print("Must be 0: " + ", ".join(f"{name} {out[name]}" for name in MUST_BE_ZERO)
          + (f"  -> FAILED: {', '.join(bad)}" if bad else "  -> all 0"))


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
        result = {"round": number, "failed_once": dict(states_after_failure),
                  "replies_per_post": {str(k): v for k, v in sorted(counts.items())}}
        results.append(result)
        print(f"round {number:>2}: {len(posts)} posts, first attempt of {len(first)} gave {result['failed_once']}; "
              f"replies per post {result['replies_per_post']}", flush=True)
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
    parser.add_argument("--stale-seconds", type=int, default=120,
                        help="MENTIONDESK_SEND_STALE_SECONDS for the desk (default 120, the desk's own default)")
    parser.add_argument("--fault-every", type=float, default=2.5, help="seconds between injected faults")
    parser.add_argument("--max-minutes", type=float, default=40, help="give up after this long")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (SQLite file, logs)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the simulator and the commands on the way out

    workdir = Path(tempfile.mkdtemp(prefix="mentiondesk-faults-"))
    (workdir / "brands.toml").write_text(BRANDS, encoding="utf-8")
    sim = Sim(workdir, args.seed)
    try:
        with database(args.database_url, workdir) as url:
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
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def _campaign_main(desk: Desk, sim: Sim, args: argparse.Namespace) -> int:
    campaign = Campaign(desk, sim, args)
    began = time.monotonic()
    campaign.prepare()
    print(f"Fault campaign: {args.kills} kills, {args.approved} approvals, seed {args.seed}, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; start-up "
          f"{ {c: round(s, 1) for c, s in campaign.startup.items()} } s", file=sys.stderr, flush=True)
    complete = campaign.run()
    campaign.drain()
    out = figures(campaign, (time.monotonic() - began) / 60)
    out["complete"] = complete
    print_figures(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    if not complete:
        print(f"INCOMPLETE: {args.max_minutes} min were not enough for {args.kills} kills and {args.approved} "
              "approvals", file=sys.stderr)
    return 0 if complete and not any(out[name] for name in MUST_BE_ZERO) else 1


def first_poll(desk: Desk, sim: Sim) -> None:
    """Rate windows nothing here can exhaust; one `poll --once` alone creates the schema and marks where "new"
    begins for every source (a source's first read takes only the newest page)."""
    sim.call("POST", "/_sim/limits", {"x": 1_000_000, "reddit": 1_000_000})
    first = desk.run(POLL)
    if first.returncode != 0:
        raise SystemExit(f"the first `poll --once` failed: {first.stderr.strip()[-500:]}")


def _two_senders_main(desk: Desk, sim: Sim, args: argparse.Namespace) -> int:
    first_poll(desk, sim)
    began = time.monotonic()
    out = two_senders(desk, sim, args.two_senders)
    out["minutes"] = round((time.monotonic() - began) / 60, 1)
    print(f"Two senders, {args.two_senders} rounds: posts with 2+ replies {out['posts_with_2plus_replies']}, "
          f"posts left without a reply {out['posts_without_a_reply']} ({out['minutes']} min)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 1 if out["posts_with_2plus_replies"] else 0


if __name__ == "__main__":
    sys.exit(main())
