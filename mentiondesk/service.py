"""The scheduled service behind `mentiondesk run`: one poll job per source, a send job, a housekeeping job.

Polling, dedup, cursors and backoff are the poller's (listener/poller.py, through the pipeline); this module
only decides when things run, holds the one-service-per-database lock and shuts down cleanly: on SIGINT or
SIGTERM no new job starts, each poll stops after the batch in hand (stored with its cursor), and the lock is
released."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from listener.base import Batch, Source
from listener.poller import PollOutcome
from mentiondesk import lifecycle
from mentiondesk.core.errors import MentionDeskError
from mentiondesk.pipeline import Pipeline
from responders.sending import Sender, send_approved
from storage.db import transaction
from storage.models import Lock, as_utc, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "service"
HEARTBEAT_SECONDS = 20
STALE_AFTER = timedelta(seconds=90)


class ServiceAlreadyRunning(MentionDeskError):
    """Another `mentiondesk run` holds this database's service lock."""


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ServiceLock:
    """A row in `lock`. Taken if absent or stale (no heartbeat for STALE_AFTER); kept fresh by heartbeat()."""

    def __init__(
        self,
        engine: Engine,
        *,
        holder: str | None = None,
        name: str = LOCK_NAME,
        stale_after: timedelta = STALE_AFTER,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.holder = holder or new_holder()
        self.name = name
        self.stale_after = stale_after
        self.clock = clock

    def acquire(self) -> None:
        now = self.clock()
        try:
            with transaction(self.engine) as session:
                current = session.get(Lock, self.name)
                if current is None:
                    session.add(Lock(name=self.name, holder=self.holder, heartbeat_at=now))
                    return
                held_by, beat = current.holder, as_utc(current.heartbeat_at)
        except IntegrityError:
            raise self._refusal("another service", now) from None
        if held_by != self.holder and now - beat < self.stale_after:
            raise self._refusal(held_by, beat)
        # Stale (or ours): take it over, but only if nobody else did in the meantime.
        with transaction(self.engine) as session:
            result = session.execute(
                update(Lock)
                .where(col(Lock.name) == self.name, col(Lock.holder) == held_by, col(Lock.heartbeat_at) == beat)
                .values(holder=self.holder, heartbeat_at=now)
            )
            taken = result.rowcount == 1  # type: ignore[attr-defined]
        if not taken:
            raise self._refusal("another service", now)
        if held_by != self.holder:
            log.warning("took over a stale service lock from %s (last heartbeat %s)", held_by, beat.isoformat())

    def heartbeat(self) -> bool:
        """Refresh the lock; False if it is no longer ours (someone took it over)."""
        with transaction(self.engine) as session:
            result = session.execute(
                update(Lock)
                .where(col(Lock.name) == self.name, col(Lock.holder) == self.holder)
                .values(heartbeat_at=self.clock())
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def release(self) -> None:
        with transaction(self.engine) as session:
            lock = session.get(Lock, self.name)
            if lock is not None and lock.holder == self.holder:
                session.delete(lock)

    @contextmanager
    def held(self) -> Iterator[ServiceLock]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()

    def _refusal(self, holder: str, beat: datetime) -> ServiceAlreadyRunning:
        return ServiceAlreadyRunning(
            f"another `mentiondesk run` ({holder}) holds this database's service lock; last heartbeat "
            f"{beat.isoformat(timespec='seconds')}. Stop it first, or wait {int(self.stale_after.total_seconds())} "
            "s after it died for the lock to go stale."
        )


class StopAfterBatch:
    """A source that says "no more pages" once the service is stopping, so the poller stores the batch in
    hand with its cursor and returns; the next run resumes from that cursor."""

    def __init__(self, source: Source, stopping: threading.Event) -> None:
        self.source = source
        self.name, self.platform, self.brand = source.name, source.platform, source.brand
        self._stopping = stopping

    def fetch(self, cursor: str | None) -> Batch:
        batch = self.source.fetch(cursor)
        return replace(batch, more=False) if self._stopping.is_set() and batch.more else batch


@dataclass(frozen=True)
class Intervals:
    poll_seconds: int = 60
    send_seconds: int = 30
    housekeeping_seconds: int = HEARTBEAT_SECONDS
    # Posts deleted on their platform must be gone within 24 hours of our noticing (X and Reddit terms).
    purge_seconds: int = 3600
    alert_seconds: int = 60

    @property
    def poll_jitter(self) -> float:
        return max(1.0, min(self.poll_seconds * 0.1, 30.0))


def describe(outcome: PollOutcome) -> str:
    line = (
        f"{outcome.source}: {outcome.status}, {outcome.fetched} fetched, {outcome.stored} new, "
        f"{outcome.requests} requests"
    )
    if outcome.skipped:
        line += f", {len(outcome.skipped)} skipped"
    return line + (f" ({outcome.message})" if outcome.message else "")


class Service:
    def __init__(
        self,
        *,
        engine: Engine,
        pipeline: Pipeline,
        sources: Sequence[Source],
        senders: Mapping[str, Sender],
        intervals: Intervals = Intervals(),
        lock: ServiceLock | None = None,
        send_stale_after: timedelta = timedelta(minutes=2),
        check_alerts: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        self.pipeline = pipeline
        self.sources = list(sources)
        self.senders = dict(senders)
        self.intervals = intervals
        self.send_stale_after = send_stale_after
        self.check_alerts = check_alerts
        self.lock = lock or ServiceLock(engine)
        self.stopping = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(4, len(self.sources) + 2))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self._add_jobs()

    # --- jobs -----------------------------------------------------------------------------------------

    def _add_jobs(self) -> None:
        now = utcnow()
        poll_trigger_args = {"seconds": self.intervals.poll_seconds, "jitter": self.intervals.poll_jitter}
        for index, source in enumerate(self.sources):
            self.scheduler.add_job(
                self._job,
                IntervalTrigger(**poll_trigger_args),
                args=[self.poll_source, source],
                id=f"poll:{source.name}",
                name=f"poll {source.name}",
                # Stagger the first round a little so sources don't all start in the same second.
                next_run_time=now + timedelta(seconds=min(index * 0.2, 5)),
            )
        self.scheduler.add_job(
            self._job,
            IntervalTrigger(seconds=self.intervals.send_seconds),
            args=[self.send_replies],
            id="send",
            name="send approved replies",
            next_run_time=now + timedelta(seconds=1),
        )
        self.scheduler.add_job(
            self._job,
            IntervalTrigger(seconds=self.intervals.housekeeping_seconds),
            args=[self.housekeeping],
            id="housekeeping",
            name="housekeeping",
        )
        self.scheduler.add_job(
            self._job,
            IntervalTrigger(seconds=self.intervals.purge_seconds),
            args=[self.purge],
            id="purge",
            name="purge deleted and expired mentions",
            next_run_time=now + timedelta(seconds=min(60, self.intervals.purge_seconds)),
        )
        if self.check_alerts is not None:
            self.scheduler.add_job(
                self._job,
                IntervalTrigger(seconds=self.intervals.alert_seconds),
                args=[self.check_alerts],
                id="alerts",
                name="alert checks",
                next_run_time=now + timedelta(seconds=5),
            )

    def _job(self, work: Callable[..., object], *args: object) -> None:
        if self.stopping.is_set():
            return
        with self._idle:
            self._busy += 1
        try:
            work(*args)
        except Exception:  # one failing job must not take the service down; it is logged with its trace
            log.exception("job %s failed", getattr(work, "__name__", work))
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def poll_source(self, source: Source) -> PollOutcome:
        outcome = self.pipeline.poll(StopAfterBatch(source, self.stopping))
        level = logging.INFO if outcome.status in ("ok", "waiting") else logging.WARNING
        log.log(level, "%s", describe(outcome))
        return outcome

    def send_replies(self) -> None:
        report = send_approved(
            engine=self.engine,
            senders=self.senders,
            brands=self.pipeline.brands,
            actor="service",
            stale_after=self.send_stale_after,
        )
        if report.sent or report.reconciled or report.failed or report.blocked or report.unknown:
            log.info(
                "sent %d, reconciled %d, failed %d, blocked %d, outcome unknown %d, held %d",
                len(report.sent),
                len(report.reconciled),
                len(report.failed),
                len(report.blocked),
                len(report.unknown),
                len(report.paused),
            )

    def purge(self) -> None:
        lifecycle.purge(self.engine, self.pipeline.brands)

    def housekeeping(self) -> None:
        if not self.lock.heartbeat():
            log.error("the service lock was taken over by another process; stopping")
            self.stop()

    # --- running --------------------------------------------------------------------------------------

    def run(self, *, install_signals: bool = True, on_start: Callable[[], None] | None = None) -> None:
        """Take the lock, run until stop() (or SIGINT/SIGTERM), finish the jobs in hand, release the lock.
        `on_start` runs once the lock is held (a second service is refused before it says anything)."""
        if install_signals:
            self._install_signals()  # first, so a signal at any later point still ends in a clean stop
        with self.lock.held():
            if on_start is not None:
                on_start()
            log.info("service started: %d sources, %d senders", len(self.sources), len(self.senders))
            try:
                if not self.stopping.is_set():
                    self.scheduler.start()  # blocks until shutdown
            finally:
                self.stopping.set()
                self._wait_idle()
                log.info("service stopped")

    def stop(self) -> None:
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _wait_idle(self, timeout: float = 120.0) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=timeout)

    def _install_signals(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            log.warning("%s: finishing the batches in hand, then stopping", signal.Signals(signum).name)
            # The scheduler's loop runs on this thread and may be halfway through its job store: shutting it
            # down from here would empty the store under it (JobLookupError, exit 1). Another thread waits
            # for the loop to let go, then shuts it down.
            self.stopping.set()
            threading.Thread(target=self.stop, name="stop-on-signal", daemon=True).start()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
