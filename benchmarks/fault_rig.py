"""The rig behind benchmarks/faults.py: the simulator as a process, the desk's work directory and database, and
the lanes that start CLI commands and SIGKILL them at random moments."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from mentiondesk.core.errors import MentionDeskError
from mentiondesk.lease import APPLICATION_PREFIX, POLLING_LEASE_KEY
from responders.queue import approve
from storage.db import make_engine, transaction
from storage.models import Author, Draft, DraftState, Mention, SourceState

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
REQUEST_TIMEOUT_SECONDS = 5


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without MENTIONDESK_* (the .env in the work directory says what the desk uses)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTIONDESK_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def as_epoch(moment: datetime | str) -> float:
    """A database time (naive means UTC; SQLite may hand back text) as epoch seconds."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def handle(name: str | None) -> str:
    return (name or "").lower().removeprefix("@").removeprefix("u/")


# --- the simulator and the desk ----------------------------------------------------------------------------


class Sim:
    """`mentiondesk simulate` on free ports, driven through its /_sim control endpoints."""

    def __init__(self, workdir: Path, seed: int) -> None:
        self.log = (workdir / "simulator.log").open("w")
        self.process = subprocess.Popen(
            [
                *MENTIONDESK,
                "simulate",
                "--x-port",
                "0",
                "--reddit-port",
                "0",
                # Every network on a free port, so that two campaigns (or a campaign and a test) can run at once.
                "--mastodon-port",
                "0",
                "--bluesky-port",
                "0",
                "--hn-port",
                "0",
                "--backlog",
                "0",
                "--per-minute",
                "0",
                "--brands",
                str(workdir / "brands.toml"),
                "--seed",
                str(seed),
            ],
            cwd=workdir,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
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
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
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
        self.refusals: Counter[str] = Counter()  # why the reviewer's approvals were refused
        self.refused: set[int] = set()  # drafts the gate would not let the reviewer approve: not offered again

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def start(self, command: str, *, tag: str, stderr: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        """`tag` goes out as the X tokens and in the Reddit user agent, so the simulator's records tell which
        process made each request."""
        env = clean_env(
            MENTIONDESK_X_ACCESS_TOKEN=tag,
            MENTIONDESK_X_BEARER_TOKEN=tag,
            MENTIONDESK_REDDIT_USER_AGENT=f"faults/{tag} ",
        )
        return subprocess.Popen(
            [*MENTIONDESK, *ARGS[command]],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )

    def run(self, command: str, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*MENTIONDESK, *ARGS[command]],
            cwd=self.workdir,
            env=clean_env(),
            text=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )

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
        """The oldest drafts waiting for review, but for those the gate refused to approve (a Reddit post in the
        subreddit that does not mention the brand, say): a reviewer moves on to the next."""
        with Session(self.engine) as session:
            ids = session.exec(
                select(col(Draft.id))
                .where(Draft.state == DraftState.DRAFTED, col(Draft.platform).in_(PLATFORMS))
                .order_by(col(Draft.id))
                .limit(limit + len(self.refused))
            )
            return [i for i in ids if i is not None and i not in self.refused][:limit]

    def approve(self, draft_ids: list[int]) -> int:
        approved = 0
        for draft_id in draft_ids:
            try:
                with transaction(self.engine) as session:
                    approve(draft_id, session=session, actor="campaign")
                approved += 1
            except MentionDeskError as exc:  # the gate said no (an opt-out, say), or someone moved it first
                self.refused.add(draft_id)
                self.refusals[type(exc).__name__ + ": " + re.sub(r"\d+", "N", str(exc))[:100]] += 1
        return approved

    def pending(self) -> list[tuple[str, str, str, str]]:
        """(platform, post id, author, draft state) of drafts that are approved or on their way."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Mention.platform, Mention.external_id, Mention.author_handle, Draft.state)
                .join(Draft, col(Draft.mention_id) == col(Mention.id))
                .where(
                    col(Draft.state).in_(["approved", "failed", "unknown", "sending"]),
                    col(Mention.platform).in_(PLATFORMS),
                )
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
                    found.update(
                        (platform, str(i))
                        for i in session.exec(
                            select(Mention.external_id).where(
                                Mention.platform == platform, col(Mention.external_id).in_(chunk)
                            )
                        )
                    )
        return dict(found)

    def authors(self) -> dict[tuple[str, str], str]:
        with Session(self.engine) as session:
            rows = session.exec(select(Mention.platform, Mention.external_id, Mention.author_handle)).all()
        return {(str(p), str(i)): handle(a) for p, i, a in rows}

    def rate_pauses(self) -> list[tuple[str, float]]:
        """(scope, until as epoch seconds) of the rate-limit pauses the desk has recorded, if it records any."""
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text("SELECT scope, until FROM rate_pause")).all()
        except SQLAlchemyError:
            return []  # a desk without the table
        return [(str(scope), as_epoch(until)) for scope, until in rows]

    def last_pause_end(self) -> float:
        """Epoch seconds when the last rate-limit pause the desk knows of ends (a source's own or a shared
        scope's); 0 when none was recorded."""
        ends = [until for _, until in self.rate_pauses()]
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT rate_limited_until FROM source_state WHERE rate_limited_until IS NOT NULL")
            )
            ends += [as_epoch(until) for (until,) in rows]
        return max(ends, default=0.0)

    def lease_view(self) -> tuple[int | None, set[int]]:
        """PostgreSQL: (pid of the `run` holding this schema's polling lease, pids of every `run` with a lease
        connection), read from pg_locks and the application_name each `run` gives its lease connection."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT a.application_name, l.pid IS NOT NULL FROM pg_stat_activity a LEFT JOIN pg_locks l "
                    "ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND l.classid::bigint = :key "
                    "AND l.objid::bigint = (hashtext(coalesce(current_schema(), ''))::bigint & 4294967295) "
                    "WHERE a.application_name LIKE :prefix"
                ),
                {"key": POLLING_LEASE_KEY, "prefix": APPLICATION_PREFIX + "%"},
            ).all()
        holder, asking = None, set()
        for name, holds in rows:
            parts = str(name).removeprefix(APPLICATION_PREFIX).split(":")
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            asking.add(int(parts[1]))
            if holds:
                holder = int(parts[1])
        return holder, asking

    def poll_times(self) -> set[tuple[str, float]]:
        """(source, when it last fetched) for every source: a poll that ran, whatever it got back."""
        with Session(self.engine) as session:
            rows = session.exec(select(SourceState.name, SourceState.last_fetch_at)).all()
        return {(str(name), as_epoch(at)) for name, at in rows if at is not None}

    def opted_out_authors(self) -> set[tuple[str, str]]:
        """(platform, author) of every author the desk has marked as opted out."""
        with Session(self.engine) as session:
            rows = session.exec(select(Author.platform, Author.handle).where(col(Author.opted_out_at).is_not(None)))
            return {(str(p), handle(h)) for p, h in rows}

    def drafts_of_posts(self) -> list[tuple[int, str, str, str, str | None]]:
        """(draft id, platform, post id, state, reply id) of every draft."""
        with Session(self.engine) as session:
            rows = session.execute(
                sa_select(
                    col(Draft.id),
                    col(Mention.platform),
                    col(Mention.external_id),
                    col(Draft.state),
                    col(Draft.reply_external_id),
                ).join(Mention, col(Draft.mention_id) == col(Mention.id))
            ).all()
        return [(int(d or 0), str(p), str(i), str(s), r) for d, p, i, s, r in rows]


@contextmanager
def database(url: str | None, workdir: Path, *, keep: bool = False) -> Iterator[str]:
    """A SQLite file in the work directory, or a fresh schema in the PostgreSQL database at `url` (dropped
    afterwards unless `keep`)."""
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
        if keep:
            print(f"PostgreSQL schema kept: {schema}", file=sys.stderr)
        else:
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


def first_poll(desk: Desk, sim: Sim) -> None:
    """Rate windows nothing here can exhaust; one `poll --once` alone creates the schema and marks where "new"
    begins for every source (a source's first read takes only the newest page)."""
    sim.call("POST", "/_sim/limits", {"x": 1_000_000, "reddit": 1_000_000})
    first = desk.run(POLL)
    if first.returncode != 0:
        raise SystemExit(f"the first `poll --once` failed: {first.stderr.strip()[-500:]}")


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


# --- two long-lived `run` on PostgreSQL ---------------------------------------------------------------------


@dataclass
class Instance:
    """One `mentiondesk run`: its tag (X token, Reddit user agent), process and log."""

    tag: str
    process: subprocess.Popen[bytes]
    started: float
    log: Path

    def said(self, text_: str) -> bool:
        return text_ in self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Takeover:
    """A SIGKILLed lease holder: when it died, when the other `run` held the lease, when a source was next
    polled (epoch seconds; None if it never happened before the campaign ended)."""

    killed: float
    lease_taken: float | None = None
    polled: float | None = None


class RunPair(threading.Thread):
    """Two `mentiondesk run` on one PostgreSQL database for the whole campaign. Once one holds the polling lease
    and the other says it stands by, one of them is SIGKILLed a uniform random delay later (the lease holder
    three times in four, and always the first time; else the standby) and a new `run` takes its place at once.
    Twice a second it looks at who holds the lease (pg_locks) and when each source last fetched (source_state),
    for the takeover figures."""

    KILL_STANDBY = 0.25
    WINDOW = 15.0  # seconds, from both being up, within which the next kill lands
    SAMPLE_SECONDS = 0.5

    def __init__(self, desk: Desk, tally: Tally, rng: random.Random, stopping: threading.Event) -> None:
        super().__init__(daemon=True, name="run-pair")
        self.desk = desk
        self.tally = tally
        self.rng = rng
        self.stopping = stopping
        self.slots: list[Instance] = []
        self.takeovers: list[Takeover] = []
        self.standby_kills = 0
        self.holders: list[tuple[float, int | None]] = []  # (when, holder pid) at every change
        self.polls: set[tuple[str, float]] = set()
        self.watch_began = 0.0
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def start_instance(self) -> Instance:
        tag = self.tally.new_tag()
        log = self.desk.workdir / f"run-{tag}.log"
        with log.open("wb") as stderr:
            process = self.desk.start(RUN, tag=tag, stderr=stderr)
        return Instance(tag, process, time.time(), log)

    def begin(self) -> None:
        """Both started; returns once one polls and the other stands by (or after 5 minutes)."""
        self.slots = [self.start_instance(), self.start_instance()]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            self._look()
            if self._pair() is not None:
                break
            time.sleep(self.SAMPLE_SECONDS)
        self.watch_began = time.time()
        self.start()

    def run(self) -> None:
        kill_at: float | None = None
        victim: int | None = None
        while not self.stopping.is_set():
            try:
                self._look()
            except SQLAlchemyError as exc:  # the database was busy; look again
                self.errors.append(str(exc).splitlines()[0][:200])
            self._replace_ended()
            pair = self._pair()
            if kill_at is None and pair is not None:
                holder, standby = pair
                # The first kill always takes the lease holder, so even a short campaign sees a takeover.
                killed_before = bool(self.takeovers) or self.standby_kills > 0
                victim = standby if killed_before and self.rng.random() < self.KILL_STANDBY else holder
                kill_at = time.time() + self.rng.uniform(0, self.WINDOW)
            if kill_at is not None and victim is not None and time.time() >= kill_at:
                self._kill(victim)
                kill_at = victim = None
            self.stopping.wait(self.SAMPLE_SECONDS)

    def settle(self, *, timeout: float) -> None:
        """After the last kill: keep looking until its takeover is seen (or `timeout` seconds passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with suppress(SQLAlchemyError):
                self._look()
            with self.lock:
                if all(t.lease_taken is not None and t.polled is not None for t in self.takeovers):
                    return
            time.sleep(self.SAMPLE_SECONDS)

    def _pair(self) -> tuple[int, int] | None:
        """(slot of the lease holder, slot of the standby) when one holds it and the other stands by."""
        holder = self.holders[-1][1] if self.holders else None
        pids = [instance.process.pid for instance in self.slots]
        if holder not in pids:
            return None
        standby = 1 - pids.index(holder)
        if self.slots[standby].process.poll() is not None or not self.slots[standby].said("on standby"):
            return None
        return pids.index(holder), standby

    def _look(self) -> None:
        now = time.time()
        holder, _ = self.desk.lease_view()
        pids = {instance.process.pid for instance in self.slots}
        holder = holder if holder in pids else None
        with self.lock:
            if not self.holders or self.holders[-1][1] != holder:
                self.holders.append((now, holder))
            polls = self.desk.poll_times()
            self.polls |= polls
            for takeover in self.takeovers:
                if takeover.lease_taken is None and holder is not None:
                    takeover.lease_taken = now
                if takeover.polled is None and any(at > takeover.killed for _, at in polls):
                    takeover.polled = min(at for _, at in polls if at > takeover.killed)

    def _kill(self, slot: int) -> None:
        instance = self.slots[slot]
        was_holder = bool(self.holders) and self.holders[-1][1] == instance.process.pid
        with suppress(ProcessLookupError):
            instance.process.send_signal(signal.SIGKILL)
        instance.process.wait()
        killed = time.time()
        with self.tally.lock:
            self.tally.kills[RUN] += 1
            self.tally.killed[instance.tag] = (RUN, instance.started, killed)
            self.tally.delays.setdefault(RUN, []).append(killed - instance.started)
        with self.lock:
            if was_holder:
                self.takeovers.append(Takeover(killed))
            else:
                self.standby_kills += 1
        self.slots[slot] = self.start_instance()

    def _replace_ended(self) -> None:
        """A `run` that ended by itself (it must not) is counted as crashed and replaced."""
        for slot, instance in enumerate(self.slots):
            returncode = instance.process.poll()
            if returncode is None:
                continue
            said = instance.log.read_text(encoding="utf-8", errors="replace")
            with self.tally.lock:
                self.tally.crashed[RUN] += 1
                last = [line for line in said.strip().splitlines() if line.strip()][-1:] or [f"exit {returncode}"]
                self.tally.crash_lines.append(f"run: {last[0][:200]}")
            self.slots[slot] = self.start_instance()

    def stop_all(self) -> list[str]:
        """SIGTERM both (a clean stop), SIGKILL what is left after a minute; lines with a traceback, if any."""
        for instance in self.slots:
            if instance.process.poll() is None:
                instance.process.send_signal(signal.SIGTERM)
        for instance in self.slots:
            try:
                instance.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                instance.process.kill()
                instance.process.wait()
        tracebacks = []
        for log in self.desk.workdir.glob("run-*.log"):
            if "Traceback" in log.read_text(encoding="utf-8", errors="replace"):
                tracebacks.append(log.name)
        return tracebacks

    def kill_all(self) -> None:
        for instance in self.slots:
            with suppress(ProcessLookupError):
                instance.process.send_signal(signal.SIGKILL)

    def gaps(self, until: float) -> dict[str, Any]:
        """Takeover times and the longest stretches with nobody holding the lease or nobody polling."""
        with self.lock:
            takeovers = list(self.takeovers)
            holders = list(self.holders)
            polls = sorted(at for _, at in self.polls if self.watch_began <= at <= until)
        leaseless = 0.0
        for (at, holder), (next_at, _) in zip(holders, [*holders[1:], (until, None)], strict=True):
            if holder is None and at >= self.watch_began:
                leaseless = max(leaseless, next_at - at)
        between_polls = [(b - a, a) for a, b in zip(polls, polls[1:], strict=False)]
        longest_without_a_poll = max(between_polls, default=(0.0, 0.0))
        lease_after = [t.lease_taken - t.killed for t in takeovers if t.lease_taken is not None]
        poll_after = [t.polled - t.killed for t in takeovers if t.polled is not None]

        def spread(values: list[float]) -> list[float]:
            return [round(min(values), 1), round(statistics.median(values), 1), round(max(values), 1)] if values else []

        return {
            "holder_kills": len(takeovers),
            "standby_kills": self.standby_kills,
            "takeovers_without_a_new_holder": sum(1 for t in takeovers if t.lease_taken is None),
            "takeover_lease_seconds": spread(lease_after),
            "takeover_first_poll_seconds": spread(poll_after),
            "longest_without_lease_holder_seconds": round(leaseless, 1),
            "longest_without_a_poll_seconds": round(longest_without_a_poll[0], 1),
            "longest_without_a_poll_from": datetime.fromtimestamp(longest_without_a_poll[1], UTC).isoformat(),
            "polls_seen": len(polls),
            "watch_errors": len(self.errors),
        }
