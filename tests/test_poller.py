"""The one poller: rate limits, transient faults, access errors, skipped items and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, func, select

from listener.base import Batch, SkippedItem
from listener.poller import Backoff, Poller
from mentiondesk.core.errors import AccessDenied, RateLimited, TransientError
from storage.models import Mention, SourceState
from tests.factories import mention


class Scripted:
    """A platform that answers each fetch from a script: a batch, or an error to raise."""

    platform = "replay"
    brand = "acme"

    def __init__(self, *answers: Batch | Exception, name: str = "scripted") -> None:
        self.answers = list(answers)
        self.name = name
        self.cursors: list[str | None] = []

    def fetch(self, cursor: str | None) -> Batch:
        self.cursors.append(cursor)
        answer = self.answers.pop(0) if self.answers else Batch(mentions=[], cursor=cursor)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_poller(engine, brands, classifier, clock: Clock, sleeps: list[float]) -> Poller:
    return Poller(engine, backoff=Backoff(retries=2, base_seconds=1.0), sleep=sleeps.append, clock=clock)


def state(engine, name="scripted") -> SourceState:
    with Session(engine) as session:
        found = session.get(SourceState, name)
        assert found is not None
        return found


def stored(engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Mention)).one())


def test_rate_limited_source_is_not_asked_again_before_its_reset(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    reset = clock.now + timedelta(minutes=15)
    source = Scripted(RateLimited(reset, platform="x"), Batch(mentions=[mention("@AcmeCoffee hi")], cursor="1"))
    poller = make_poller(engine, brands, classifier, clock, sleeps)
    assert poller.poll(source).status == "rate_limited"
    assert state(engine).health == "rate_limited"
    clock.now = reset - timedelta(seconds=1)
    assert poller.poll(source).status == "waiting"
    assert len(source.cursors) == 1  # no request while limited
    clock.now = reset + timedelta(seconds=1)
    assert poller.poll(source).stored == 1
    assert state(engine).health == "ok" and sleeps == []


def test_transient_faults_are_retried_with_backoff_then_reported(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    source = Scripted(TransientError("503"), TransientError("timeout"), TransientError("503"))
    outcome = make_poller(engine, brands, classifier, clock, sleeps).poll(source)
    assert outcome.status == "failing" and len(source.cursors) == 3
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.5 and 1.0 <= sleeps[1] <= 3.0  # jittered, growing
    failing = state(engine)
    assert failing.health == "failing" and failing.failing_since == clock.now


def test_a_fault_that_clears_on_retry_stores_the_batch(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    source = Scripted(TransientError("503"), Batch(mentions=[mention("@AcmeCoffee ok")], cursor="9"))
    outcome = make_poller(engine, brands, classifier, clock, sleeps).poll(source)
    assert outcome.status == "ok" and outcome.stored == 1 and state(engine).cursor == "9"


def test_access_denied_says_so_plainly(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    source = Scripted(AccessDenied("your X API access tier does not include this endpoint", platform="x"))
    outcome = make_poller(engine, brands, classifier, clock, sleeps).poll(source)
    assert outcome.status == "access_denied" and sleeps == []
    assert "access tier" in state(engine).health_message


def test_skipped_items_are_reported_and_the_rest_of_the_page_kept(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    page = Batch(
        mentions=[mention("@AcmeCoffee one"), mention("@AcmeCoffee two")],
        cursor="2",
        skipped=[SkippedItem(where="tweet 17", reason="no text")],
    )
    outcome = make_poller(engine, brands, classifier, clock, sleeps).poll(Scripted(page))
    assert outcome.stored == 2 and [s.where for s in outcome.skipped] == ["tweet 17"]


def test_a_restart_mid_backlog_has_no_gap_and_no_duplicate(engine, brands, classifier):
    clock = Clock()
    sleeps: list[float] = []
    pages = [
        Batch(mentions=[mention(f"@AcmeCoffee m{i}", external_id=f"id{i}")], cursor=str(i + 1), more=True)
        for i in range(4)
    ]
    first = Scripted(pages[0], pages[1], TransientError("connection reset"), TransientError("x"), TransientError("y"))
    make_poller(engine, brands, classifier, clock, sleeps).poll(first)
    assert stored(engine) == 2 and state(engine).cursor == "2"
    # A new process: it starts from the saved cursor and the platform re-sends page 2 (overlap) and more.
    clock.now += timedelta(hours=1)
    second = Scripted(pages[1], pages[2], Batch(mentions=[mention("@AcmeCoffee m3", external_id="id3")], cursor="4"))
    make_poller(engine, brands, classifier, clock, sleeps).poll(second)
    assert second.cursors[0] == "2"
    assert stored(engine) == 4
