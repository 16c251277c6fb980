"""The scheduled service behind `mentiondesk run`: one poll job per source, a send job, a housekeeping job.

Polling, dedup, cursors and backoff are the poller's (listener/poller.py, through the pipeline); this module
only decides when things run, who may poll, and shuts down cleanly: on SIGINT or SIGTERM no new job starts,
each poll stops after the batch in hand (stored with its cursor), and the lock or lease is let go.

Who polls: on PostgreSQL any number of services run at once; the one holding the polling lease
(mentiondesk/lease.py) schedules polling, the others stand by and try for the lease every few seconds, so one
of them polls again within seconds of the active one dying, however it died. Every service sends: each draft
is claimed by a row lock and a compare-and-set (responders/sending.py), so no reply goes out twice. Nothing is
lost or stored twice across a takeover: a poll that died stored nothing past its last committed cursor, and
dedup (one ingest lock per platform, unique keys) holds across processes. On SQLite one service per file:
the row lock below refuses a second."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
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
from mentiondesk.lease import PollingLease, new_holder
from mentiondesk.pipeline import Pipeline
from responders.sending import Sender, send_approved
from rules.classifier import warm_up
from storage.db import transaction
from storage.models import Lock, as_utc, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "service"
HEARTBEAT_SECONDS = 20
LEASE_CHECK_SECONDS = 5
STALE_AFTER = timedelta(seconds=90)


class ServiceAlreadyRunning(MentionDeskError):
    """Another `mentiondesk run` holds this database's service lock."""


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
    # Posts deleted on their platform must be gone within 24 hours of our noticing (the networks' terms).
    purge_seconds: int = 3600
    alert_seconds: int = 60
    lease_seconds: float = LEASE_CHECK_SECONDS  # how often a standby asks for the polling lease

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


@dataclass(frozen=True)
class Role:
    """What this service does, for the line `mentiondesk run` prints when it starts."""

    polling: bool
    active_elsewhere: str | None = None  # who polls, when this one stands by


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
        lease: PollingLease | None = None,
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
        # PostgreSQL: the polling lease (many services, one polls). Elsewhere: the row lock (one service).
        if lease is None and lock is None and engine.dialect.name == "postgresql":
            lease = PollingLease(engine)
        self.lease = lease
        self.lock = None if lease is not None else lock or ServiceLock(engine)
        self.polling = False
        self._lease_guard = threading.Lock()
        self.stopping = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(4, len(self.sources) + 3))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone="UTC",
        )
        self._add_jobs()

    # --- jobs -----------------------------------------------------------------------------------------

    def _add_jobs(self) -> None:
        now = utcnow()
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
                args=[self.alerts],
                id="alerts",
                name="alert checks",
                next_run_time=now + timedelta(seconds=5),
            )
        if self.lease is not None:
            self.scheduler.add_job(
                self._job,
                IntervalTrigger(seconds=self.intervals.lease_seconds),
                args=[self.keep_lease],
                id="lease",
                name="polling lease",
            )

    def _start_polling(self) -> None:
        """One job per source, the first round now (staggered a little so sources don't start in one second)."""
        now = utcnow()
        poll_trigger_args = {"seconds": self.intervals.poll_seconds, "jitter": self.intervals.poll_jitter}
        for index, source in enumerate(self.sources):
            self.scheduler.add_job(
                self._job,
                IntervalTrigger(**poll_trigger_args),
                args=[self.poll_source, source],
                id=f"poll:{source.name}",
                name=f"poll {source.name}",
                next_run_time=now + timedelta(seconds=min(index * 0.2, 5)),
                replace_existing=True,
            )
        self.polling = True

    def _stop_polling(self) -> None:
        """No new polls; a poll in hand finishes (dedup keeps it from storing anything twice)."""
        self.polling = False
        for source in self.sources:
            if self.scheduler.get_job(f"poll:{source.name}") is not None:
                self.scheduler.remove_job(f"poll:{source.name}")

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

    def poll_source(self, source: Source) -> PollOutcome | None:
        if not self.polling:  # the lease went elsewhere after this poll was scheduled
            return None
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

    def alerts(self) -> None:
        if self.polling and self.check_alerts is not None:  # one alerter per database, like the purger
            self.check_alerts()

    def purge(self) -> None:
        if self.polling:  # one purger per database: the service holding the polling lease (or the lock)
            lifecycle.purge(self.engine, self.pipeline.brands)

    def housekeeping(self) -> None:
        if self.lock is not None and not self.lock.heartbeat():
            log.error("the service lock was taken over by another process; stopping")
            self.stop()

    def keep_lease(self) -> None:
        """The holder checks it still holds the lease; a standby asks for it and, given it, starts polling."""
        lease = self.lease
        if lease is None:
            return
        with self._lease_guard:
            if self.polling:
                if not lease.still_held():
                    self._stop_polling()
                    log.error("lost the polling lease; standing by (sending goes on)")
            elif not self.stopping.is_set() and lease.try_acquire():
                self._start_polling()
                log.warning("took over polling: the service that held the lease stopped")

    # --- running --------------------------------------------------------------------------------------

    def run(self, *, install_signals: bool = True, on_start: Callable[[Role], None] | None = None) -> None:
        """Take the lock (or try for the lease), run until stop() (or SIGINT/SIGTERM), finish the jobs in hand,
        let go. `on_start` runs once this service knows its role (a second service on SQLite is refused before
        it says anything)."""
        if install_signals:
            self._install_signals()  # first, so a signal at any later point still ends in a clean stop
        held: AbstractContextManager[object] = self.lock.held() if self.lock is not None else nullcontext()
        with held:
            role = self._first_role()
            if on_start is not None:
                on_start(role)
            if role.polling:
                log.info("service started: %d sources, %d senders", len(self.sources), len(self.senders))
            else:
                log.info("service on standby: %s polls; %d senders", role.active_elsewhere, len(self.senders))
            try:
                if not self.stopping.is_set():
                    self.scheduler.start()  # blocks until shutdown
            finally:
                self.stopping.set()
                self._wait_idle()
                if self.lease is not None:
                    self.lease.release()  # after the last poll stored its batch: a standby resumes from there
                log.info("service stopped")

    def _first_role(self) -> Role:
        if self.lease is None or self.lease.try_acquire():
            self._start_polling()
            return Role(polling=True)
        role = Role(polling=False, active_elsewhere=self.lease.holder_elsewhere() or "another instance")
        self._warm_up()
        return role

    def _warm_up(self) -> None:
        """A standby loads now what a first poll would load lazily (the classifier's models, the language
        detector), so a takeover starts storing at once instead of spending its first seconds loading."""
        try:
            warm_up(self.pipeline.classifier)
        except Exception:  # a model that cannot classify fails the first poll too, with the poll's own report
            log.warning("standby: warming up the classifier failed", exc_info=True)

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
