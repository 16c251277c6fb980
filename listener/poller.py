"""The one poller. Every source goes through it, so pauses, backoff, dedup, cursor saving and health live here
once. It knows nothing of what happens to a mention after it arrives: `arrivals` hands each batch's new
mentions to the caller inside the transaction that saves the batch's cursor, so a crash between batches loses
nothing and fetches nothing twice (the next poll starts from the cursor saved with the last stored batch)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from listener.base import Batch, SkippedItem, Source, rate_scope
from mentiondesk.core.errors import AccessDenied, RateLimited, SourceError, TransientError
from mentiondesk.core.vocabulary import SourceHealth, as_utc, utcnow
from storage.db import transaction
from storage.queries import (
    NewMention,
    insert_mentions,
    month_spend,
    new_mentions,
    pause_scope,
    paused_until,
    source_state,
)

log = logging.getLogger(__name__)


class Meter(Protocol):
    """Prices a batch's reads and says a brand's monthly cap on a platform (the shell's rules/costs.py)."""

    def cost(self, *, source: str, platform: str, posts: int) -> float: ...

    def cap(self, *, brand: str, platform: str) -> float | None: ...


@dataclass(frozen=True)
class Arrival:
    """A batch's mentions not stored before, and the open transaction that will save them with the cursor."""

    session: Session
    mentions: list[NewMention]


@dataclass
class PollOutcome:
    source: str
    status: str = "ok"  # ok | waiting | rate_limited | access_denied | failing
    fetched: int = 0
    stored: int = 0
    requests: int = 0
    pages: int = 0
    skipped: list[SkippedItem] = field(default_factory=list)
    message: str = ""
    new_mention_ids: list[int] = field(default_factory=list)


@dataclass
class Backoff:
    """Jittered exponential backoff for transient faults."""

    retries: int = 3
    base_seconds: float = 1.0
    cap_seconds: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        return min(self.cap_seconds, self.base_seconds * 2**attempt) * self.rng.uniform(0.5, 1.5)


class Poller:
    def __init__(
        self,
        engine: Engine,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
        meter: Meter | None = None,
    ) -> None:
        self.engine = engine
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.clock = clock
        self.meter = meter

    def poll(self, source: Source, *, max_pages: int = 100) -> PollOutcome:
        """Store every new mention of a source, and nothing more (no classifying): benchmarks and tests."""
        outcome = PollOutcome(source=source.name)
        for _ in self.arrivals(source, outcome, max_pages=max_pages):
            pass
        return outcome

    def arrivals(self, source: Source, outcome: PollOutcome, *, max_pages: int = 100) -> Iterator[Arrival]:
        """Fetch pages until the source has no more (or `max_pages`), yielding each page's new mentions inside
        its transaction. When the caller asks for the next one, the page's mentions (any the caller did not
        store itself) and its cursor are committed; if the caller raises, nothing of the page is kept."""
        with transaction(self.engine) as session:
            state = source_state(source.name, session=session, platform=source.platform, brand=source.brand)
            cursor = state.cursor
            until = as_utc(state.rate_limited_until) if state.rate_limited_until else None
            shared = paused_until(rate_scope(source), now=self.clock(), session=session)
        now = self.clock()
        until = max(filter(None, (until, shared)), default=None)
        if until and now < until:
            outcome.status = "waiting"
            outcome.message = f"paused until {until.isoformat(timespec='seconds')}"
            return
        while outcome.pages < max_pages:
            if self._budget_reached(source, outcome):
                return
            try:
                batch = self._fetch(source, cursor, outcome)
            except SourceError as exc:
                self._record_failure(source, exc, outcome)
                return
            with transaction(self.engine) as session:
                new = new_mentions(batch.mentions, source=source.name, session=session, now=self.clock())
                yield Arrival(session, new)
                insert_mentions(new, session=session)
                cursor = self._save_cursor(source, batch, cursor, session=session)
            self._count(source, batch, new, outcome)
            if not batch.more:
                break

    def _budget_reached(self, source: Source, outcome: PollOutcome) -> bool:
        """Whether the brand's monthly cap on this platform is spent: then the source is not read (its cursor
        waits for next month) and its health says so."""
        cap = self.meter.cap(brand=source.brand, platform=source.platform) if self.meter else None
        if cap is None:
            return False
        month = self.clock().strftime("%Y-%m")
        with transaction(self.engine) as session:
            spent = month_spend(source.brand, source.platform, month, session=session)
            if spent < cap:
                return False
            state = source_state(source.name, session=session, platform=source.platform, brand=source.brand)
            state.health = SourceHealth.BUDGET_REACHED
            state.health_message = f"budget reached: {_dollars(spent)} of the {_dollars(cap)} cap for {month}"
            session.add(state)
        outcome.status = SourceHealth.BUDGET_REACHED
        outcome.message = state.health_message
        log.warning("%s: %s", source.name, outcome.message)
        return True

    def _fetch(self, source: Source, cursor: str | None, outcome: PollOutcome) -> Batch:
        attempt = 0
        while True:
            try:
                batch = source.fetch(cursor)
                outcome.requests += batch.requests
                return batch
            except TransientError as exc:
                outcome.requests += 1
                if attempt >= self.backoff.retries:
                    raise
                delay = self.backoff.delay(attempt)
                log.warning("%s: %s; retrying in %.1fs", source.name, exc, delay)
                self.sleep(delay)
                attempt += 1

    def _save_cursor(self, source: Source, batch: Batch, cursor: str | None, *, session: Session) -> str | None:
        now = self.clock()
        state = source_state(source.name, session=session, platform=source.platform, brand=source.brand)
        state.cursor = batch.cursor if batch.cursor is not None else cursor
        state.health = SourceHealth.OK
        state.health_message = ""
        state.rate_limited_until = None
        state.failing_since = None
        state.consecutive_failures = 0
        state.last_fetch_at = now
        state.last_ok_at = now
        state.requests_used += batch.requests
        state.fetched_total += len(batch.mentions)
        if self.meter is not None:
            month = now.strftime("%Y-%m")
            if state.spend_month != month:
                state.spend_month, state.spend_usd = month, 0.0
            # A platform bills every post a read returns, the ones skipped as malformed too.
            posts = len(batch.mentions) + len(batch.skipped)
            state.spend_usd += self.meter.cost(source=source.name, platform=source.platform, posts=posts)
        if batch.rate_remaining is not None:
            state.requests_remaining = batch.rate_remaining
        if batch.rate_reset_at is not None:
            state.window_reset_at = batch.rate_reset_at
        session.add(state)
        return state.cursor

    @staticmethod
    def _count(source: Source, batch: Batch, new: list[NewMention], outcome: PollOutcome) -> None:
        for item in batch.skipped:
            log.warning("%s: skipped %s: %s", source.name, item.where, item.reason)
        outcome.pages += 1
        outcome.fetched += len(batch.mentions)
        outcome.stored += len(new)
        outcome.skipped.extend(batch.skipped)
        outcome.new_mention_ids.extend(m.id for m in new if m.id is not None)

    def _record_failure(self, source: Source, exc: SourceError, outcome: PollOutcome) -> None:
        now = self.clock()
        with transaction(self.engine) as session:
            state = source_state(source.name, session=session, platform=source.platform, brand=source.brand)
            state.last_fetch_at = now
            state.health_message = exc.message
            state.requests_used += 1
            if isinstance(exc, RateLimited):
                state.health = SourceHealth.RATE_LIMITED
                state.rate_limited_until = exc.reset_at
                pause_scope(rate_scope(source), until=exc.reset_at, reason=exc.message, session=session)
                state.requests_remaining = 0
                state.window_reset_at = exc.reset_at
                outcome.status = SourceHealth.RATE_LIMITED
            elif isinstance(exc, AccessDenied):
                state.health = SourceHealth.ACCESS_DENIED
                outcome.status = SourceHealth.ACCESS_DENIED
            else:
                state.health = SourceHealth.FAILING
                state.consecutive_failures += 1
                state.failing_since = state.failing_since or now
                # A failing source is polled again later anyway; this just stops a tight retry loop.
                state.rate_limited_until = now + timedelta(seconds=min(300, 15 * state.consecutive_failures))
                outcome.status = SourceHealth.FAILING
            session.add(state)
        outcome.message = str(exc)
        log.warning("%s: %s", source.name, exc)


def _dollars(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 else f"${value:.3f}"
