"""The rig behind benchmarks/faults.py: the simulator as a process, the desk's work directory and database, and
the lanes that start CLI commands and SIGKILL them at random moments."""

from __future__ import annotations

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
        with Session(self.engine) as session:
            ids = session.exec(
                select(col(Draft.id))
                .where(Draft.state == DraftState.DRAFTED, col(Draft.platform).in_(PLATFORMS))
                .order_by(col(Draft.id))
                .limit(limit)
            )
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
