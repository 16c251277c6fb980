"""Crisis load: the simulator releases mentions at a steady rate (100,000 over 10 minutes by default: about 167 a
second, across X and Reddit and three brands) from `mentiondesk simulate` in its own process, while
`mentiondesk run` polls them as another process, exactly as deployed. Prints what was stored per second, the
lag from posted to stored and from posted to queued (the draft on the desk) at p50/p95, and the queue page's
times measured while it all runs. Goal: lag p95 < 60 s.

The simulator's rate limits are raised out of the way: this measures the desk, not X's quota. Every mention
released names a brand whose sources cover where it is posted, so a mention served to the service and not
stored is lost: counted and named apart.

Run: python benchmarks/crisis.py [--mentions 100000] [--minutes 10] [--database-url postgresql://…]"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pg_seed
from fault_rig import Sim, clean_env
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from mentiondesk.core.brands import parse_brands
from mentiondesk.settings import Settings
from mentiondesk.web.app import create_app
from mentiondesk.web.users import add_user
from storage.db import open_database, transaction
from storage.models import Draft, Mention

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
languages = ["en", "es", "de"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme"] }

[brands.globex]
name = "Globex"
keywords = ["globex"]
languages = ["en", "es", "de"]
handles = { x = ["globex"] }

[brands.initech]
name = "Initech"
keywords = ["initech"]
languages = ["en", "es", "de"]
handles = { x = ["initech"] }
"""
UNLIMITED = 10**9


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (a throwaway schema); default SQLite")
    parser.add_argument("--poll-interval", type=int, default=10, help="the service's seconds between polls")
    parser.add_argument("--x-share", type=float, default=0.6, help="share of the mentions posted on X")
    parser.add_argument("--drain", type=float, default=180.0, help="seconds to wait after the release ends")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="crisis-"))
    (workdir / "brands.toml").write_text(BRANDS)
    sim = SimProcess(workdir, args.seed)
    try:
        with database(args.database_url, workdir) as (engine, url):
            print(f"database: {engine.dialect.name}; work directory {workdir}")
            with transaction(engine) as session:
                add_user(session, "bench", "manager", "bench-password")
            service = start_service(workdir, sim, url, args.poll_interval)
            try:
                run_crisis(engine, sim, args)
            finally:
                service.send_signal(signal.SIGTERM)
                try:
                    service.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    service.kill()
    finally:
        sim.stop()
    print(f"service log: {workdir / 'service.log'}")


class SimProcess(Sim):
    """`mentiondesk simulate` on free ports (the fault campaign's, benchmarks/fault_rig.py), in its own process so
    serving thousands of requests a minute never competes with this one for the interpreter; no rate limits."""

    def __init__(self, workdir: Path, seed: int) -> None:
        super().__init__(workdir, seed)
        self.call("POST", "/_sim/limits", {"x": UNLIMITED, "reddit": UNLIMITED})

    def add_mentions(self, n: int, platform: str) -> list[str]:
        return [str(i) for i in self.call("POST", f"/_sim/mentions?n={n}&platform={platform}")["added"]]

    def served(self) -> dict[str, set[str]]:
        return {p: set(ids) for p, ids in self.call("GET", "/_sim/served").items()}

    def platform_env(self) -> dict[str, str]:
        """X and Reddit only: the crisis is on those two."""
        return {k: v for k, v in self.env.items() if k.startswith(("MENTIONDESK_X_", "MENTIONDESK_REDDIT_"))}


@contextmanager
def database(url: str | None, workdir: Path) -> Iterator[tuple[Engine, str]]:
    if url:
        with pg_seed.scratch_schema(url) as engine:
            yield engine, engine.url.render_as_string(hide_password=False)
        return
    sqlite_url = f"sqlite:///{workdir / 'desk.db'}"
    engine = open_database(sqlite_url)
    yield engine, sqlite_url
    engine.dispose()


def start_service(workdir: Path, sim: SimProcess, url: str, poll_interval: int) -> subprocess.Popen[bytes]:
    env = clean_env()
    env.update(sim.platform_env())
    env.update(
        MENTIONDESK_DATABASE_URL=url,
        MENTIONDESK_BRANDS_FILE=str(workdir / "brands.toml"),
        MENTIONDESK_OUTBOX_DIR=str(workdir / "outbox"),
    )
    log = (workdir / "service.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mentiondesk.cli", "run", "--poll-interval", str(poll_interval)],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while b"Mention Desk service:" not in (workdir / "service.log").read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the service did not start; see {workdir / 'service.log'}")
        time.sleep(0.5)
    return process


def run_crisis(engine: Engine, sim: SimProcess, args: argparse.Namespace) -> None:
    seconds = args.minutes * 60
    released = {"x": 0, "reddit": 0}
    ids: set[tuple[str, str]] = set()
    stopping = threading.Event()
    queue_times: list[float] = []
    stored_at: list[tuple[float, int]] = []

    def release() -> None:
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(args.mentions * elapsed / seconds) - sum(released.values())
            x = round(due * args.x_share)
            post(x, "x")
            post(due - x, "reddit")
            time.sleep(0.25)
        rest = args.mentions - sum(released.values())
        post(round(rest * args.x_share), "x")
        post(rest - round(rest * args.x_share), "reddit")

    def post(n: int, platform: str) -> None:
        if n > 0:
            added = sim.add_mentions(n, platform=platform)
            released[platform] += len(added)
            ids.update((platform, i) for i in added)

    def watch_queue() -> None:
        app = create_app(engine, parse_brands(BRANDS).brands, Settings(secret_key=SecretStr("bench")))
        client = TestClient(app)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post("/login", data={"name": "bench", "password": "bench-password", "csrf_token": token.group(1)})
        while not stopping.wait(2.0):
            begin = time.perf_counter()
            response = client.get("/queue")
            queue_times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, response.status_code

    def count_stored() -> None:
        while not stopping.wait(5.0):
            stored_at.append((time.monotonic(), stored(engine)))

    began = time.monotonic()
    threads = [threading.Thread(target=t, daemon=True) for t in (watch_queue, count_stored)]
    for thread in threads:
        thread.start()
    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    while releaser.is_alive():
        releaser.join(timeout=30)
        print(
            f"  {time.monotonic() - began:5.0f} s: released {sum(released.values()):,}, stored {stored(engine):,}",
            flush=True,
        )
    release_took = time.monotonic() - began
    total = sum(released.values())
    # Drained when everything is stored, or nothing more arrives for three polls (a mention served and not stored
    # by then is lost).
    drain_until = time.monotonic() + args.drain
    last, still_since = stored(engine), time.monotonic()
    while last < total and time.monotonic() < drain_until and time.monotonic() - still_since < 3 * args.poll_interval:
        time.sleep(2)
        now = stored(engine)
        if now != last:
            last, still_since = now, time.monotonic()
    caught_up = still_since - began if last < total else time.monotonic() - began
    stopping.set()
    for thread in threads:
        thread.join(timeout=30)
    report(engine, released, release_took, caught_up, queue_times, stored_at, began)
    missing = ids - stored_ids(engine)
    if missing:
        served = sim.served()
        by_platform = {p: sum(1 for q, _ in missing if q == p) for p in released}
        lost = sorted(f"{p}:{i}" for p, i in missing if i in served.get(p, set()))
        print(
            f"not stored: {', '.join(f'{p} {n:,}' for p, n in by_platform.items())}; "
            f"LOST (served to the service, never stored) {len(lost):,}" + (f": {', '.join(lost[:10])}" if lost else "")
        )


def stored_ids(engine: Engine) -> set[tuple[str, str]]:
    with Session(engine) as session:
        return {(p, i) for p, i in session.execute(select(col(Mention.platform), col(Mention.external_id)))}


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Mention)).scalar_one())


def report(
    engine: Engine,
    released: dict[str, int],
    release_took: float,
    caught_up: float,
    queue_times: list[float],
    stored_at: list[tuple[float, int]],
    began: float,
) -> None:
    with Session(engine) as session:
        mentions = session.execute(
            select(col(Mention.platform), col(Mention.created_at), col(Mention.fetched_at))
        ).all()
        drafts = session.execute(
            select(col(Mention.created_at), col(Draft.created_at)).join(Mention, col(Mention.id) == Draft.mention_id)
        ).all()
    total = sum(released.values())
    by_platform = {p: sum(1 for m in mentions if m[0] == p) for p in released}
    stored_lag = [seconds(fetched) - seconds(posted) for _, posted, fetched in mentions]
    queued_lag = [seconds(queued) - seconds(posted) for posted, queued in drafts]
    rates = [(n2 - n1) / (t2 - t1) for (t1, n1), (t2, n2) in zip(stored_at, stored_at[1:], strict=False) if t2 > t1]
    done = f"all by {caught_up:.0f} s" if len(mentions) >= total else f"MISSING {total - len(mentions):,}"
    print(
        f"released {total:,} mentions in {release_took:.0f} s "
        f"({', '.join(f'{p} {n:,}' for p, n in released.items())}); "
        f"stored {len(mentions):,} ({', '.join(f'{p} {n:,}' for p, n in by_platform.items())}), {done}"
    )
    print(
        f"stored per second: mean {len(mentions) / max(caught_up, 1):.0f}/s over the run "
        f"(offered {total / max(release_took, 1):.0f}/s), peak 5-s window {max(rates, default=0):.0f}/s"
    )
    verdict = "meets" if pct(queued_lag, 0.95) < 60 else "MISSES"
    print(
        f"lag posted -> stored: p50 {pct(stored_lag, 0.5):5.1f} s  p95 {pct(stored_lag, 0.95):5.1f} s  "
        f"max {max(stored_lag, default=float('nan')):5.1f} s"
    )
    print(
        f"lag posted -> queued ({len(drafts):,} drafts): p50 {pct(queued_lag, 0.5):5.1f} s  "
        f"p95 {pct(queued_lag, 0.95):5.1f} s  max {max(queued_lag, default=float('nan')):5.1f} s  "
        f"({verdict} the p95 < 60 s goal)"
    )
    print(
        f"queue page while it ran ({len(queue_times)} loads): p50 {pct(queue_times, 0.5):6.1f} ms  "
        f"p95 {pct(queue_times, 0.95):6.1f} ms  max {max(queue_times, default=float('nan')):6.1f} ms"
    )


def seconds(moment: datetime | str) -> float:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


if __name__ == "__main__":
    main()
