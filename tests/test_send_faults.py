"""The send path under the faults a real deployment meets: lost answers, two senders, an opt-out or a deletion
between two attempts, 429s on posting. Real tweepy and praw against the simulator on 127.0.0.1; every count of
replies is what the simulated platform created, not what our database says."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.simulator import Simulator
from mentiondesk.core.brands import BrandConfig, parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import build_senders, build_sources
from mentiondesk.settings import Settings
from responders import queue as desk
from responders.sending import send_approved
from rules.classifier import Classifier
from storage.db import transaction
from storage.models import Author, Draft, DraftState, Mention
from tests.factories import must

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme"] }

[brands.acme.reply_policy]
auto_thank = false
"""


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start(
        brand_handles={"x": ["acme"], "reddit": ["acme_support"]}, keywords=["acme"], subreddits=["acme"], seed=11
    ) as running:
        yield running


@pytest.fixture
def desk_brands() -> BrandConfig:
    return parse_brands(BRANDS)


def settings_for(sim: Simulator) -> Settings:
    values: dict[str, object] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    values["request_timeout_seconds"] = 2
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


class Desk:
    """The pipeline, the senders and the approve button, wired to one simulator and one database."""

    def __init__(self, engine: Engine, sim: Simulator, brands: BrandConfig, classifier: Classifier) -> None:
        self.engine, self.sim, self.brands = engine, sim, brands
        settings = settings_for(sim)
        self.pipeline = Pipeline(engine=engine, brands=brands, classifier=classifier)
        self.sources = build_sources(brands, settings)
        self.senders = build_senders(settings)
        self.poll()  # where "new" begins

    def poll(self) -> None:
        for source in self.sources:
            self.pipeline.poll(source)

    def approve_all(self, *, limit: int | None = None) -> list[int]:
        with Session(self.engine) as session:
            drafted = select(Draft.id).where(Draft.state == DraftState.DRAFTED).order_by(col(Draft.id))
            ids = [must(draft_id) for draft_id in session.exec(drafted)]
        for draft_id in ids[:limit]:
            with transaction(self.engine) as session:
                desk.approve(draft_id, session=session, actor="maria")
        return ids[:limit]

    def send(self, *, clock: datetime | None = None) -> object:
        return send_approved(
            engine=self.engine,
            senders=self.senders,
            brands=self.brands,
            stale_after=timedelta(seconds=30),
            clock=(lambda: clock) if clock else (lambda: datetime.now(UTC)),
        )

    def state_of(self, draft_id: int) -> Draft:
        with Session(self.engine) as session:
            draft = session.get(Draft, draft_id)
            assert draft is not None
            return draft

    def replies_per_post(self, platform: str) -> Counter[str]:
        return Counter(r["in_reply_to"] for r in self.sim.replies(platform))


def complaints_on_x(sim: Simulator, n: int, *, prefix: str = "user") -> list[str]:
    return [
        sim.state.post_tweet(f"@acme order {i} arrived cold and late again, not happy", username=f"{prefix}{i}")
        for i in range(n)
    ]


def complaints_on_reddit(sim: Simulator, n: int) -> list[str]:
    return [
        sim.state.post_reddit(
            f"my acme order {i} arrived broken, really not happy", author=f"redditor{i}", mention_account=True
        )
        for i in range(n)
    ]


@pytest.fixture
def desk_on(any_engine: Engine, sim: Simulator, desk_brands: BrandConfig, classifier: Classifier) -> Desk:
    return Desk(any_engine, sim, desk_brands, classifier)


def test_x_reply_whose_answer_was_lost_is_found_behind_150_later_replies(desk_on: Desk, sim: Simulator):
    [target] = complaints_on_x(sim, 1)
    desk_on.poll()
    [draft_id] = desk_on.approve_all()
    sim.inject("answer_lost", platform="x", path="/2/tweets", delay=0)
    report = desk_on.send()
    assert draft_id in report.unknown  # type: ignore[attr-defined]
    assert desk_on.state_of(draft_id).state == DraftState.UNKNOWN
    # 150 more replies go out before anyone looks again (the newest 100 no longer hold ours).
    for other in complaints_on_x(sim, 150, prefix="later"):
        sim.state.add_x_reply(other, f"Sorry about that order {other}")

    again = desk_on.send()

    assert again.reconciled == [draft_id] and again.sent == []  # type: ignore[attr-defined]
    assert desk_on.replies_per_post("x")[target] == 1
    assert desk_on.state_of(draft_id).state == DraftState.SENT


def test_reddit_reply_whose_answer_was_lost_is_reconciled_not_posted_again(desk_on: Desk, sim: Simulator):
    targets = complaints_on_reddit(sim, 6)
    desk_on.poll()
    drafts = desk_on.approve_all()
    assert len(drafts) == 6
    sim.inject("answer_lost", platform="reddit", path="/api/comment", delay=0, times=6)
    first = desk_on.send()
    assert sorted(first.unknown) == sorted(drafts)  # type: ignore[attr-defined]

    second = desk_on.send()

    assert sorted(second.reconciled) == sorted(drafts) and second.sent == []  # type: ignore[attr-defined]
    counts = desk_on.replies_per_post("reddit")
    assert [counts[t] for t in targets] == [1] * 6


@pytest.mark.parametrize("platform", ["x", "reddit"])
def test_two_senders_over_retried_drafts_post_each_reply_once(desk_on: Desk, sim: Simulator, platform: str):
    # Reddit, unlike X, does not refuse a second identical reply: only our claim stands between it and a duplicate.
    targets = complaints_on_x(sim, 24) if platform == "x" else complaints_on_reddit(sim, 24)
    post_path = "/2/tweets" if platform == "x" else "/api/comment"
    desk_on.poll()
    # 8 answers are lost (posted, outcome unknown), 8 are refused by a platform that is down, 8 are fresh.
    drafts = desk_on.approve_all(limit=8)
    sim.inject("answer_lost", platform=platform, path=post_path, delay=0, times=8)
    desk_on.send()
    drafts += desk_on.approve_all(limit=8)
    sim.inject("unavailable", platform=platform, path=post_path, times=8)
    desk_on.send()
    drafts += desk_on.approve_all()
    assert len(drafts) == 24
    # Posting is slow now, so both senders are inside the same retry at the same moment.
    sim.inject("slow", platform=platform, path=post_path, delay=0.4, times=6)
    start = threading.Barrier(2)

    def sender() -> None:
        start.wait()
        desk_on.send()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    desk_on.send()  # whatever one sender left for the other is finished

    counts = desk_on.replies_per_post(platform)
    assert [counts[t] for t in targets] == [1] * 24
    assert {desk_on.state_of(d).state for d in drafts} == {DraftState.SENT}


def test_an_opt_out_between_two_attempts_stops_the_retry(desk_on: Desk, sim: Simulator):
    [target] = complaints_on_x(sim, 1, prefix="dana")
    desk_on.poll()
    [draft_id] = desk_on.approve_all()
    sim.inject("unavailable", platform="x", path="/2/tweets")
    desk_on.send()
    assert desk_on.sim.replies("x") == []
    sim.state.post_tweet("@acme stop replying to me", username="dana0")
    desk_on.poll()

    report = desk_on.send()

    assert "the author asked for no more replies" in report.blocked[draft_id]  # type: ignore[attr-defined]
    assert desk_on.replies_per_post("x")[target] == 0
    with Session(desk_on.engine) as session:
        author = session.exec(select(Author).where(Author.handle == "dana0")).one()
    assert author.opted_out_at is not None
    assert desk_on.state_of(draft_id).state == DraftState.REJECTED


def test_a_post_deleted_before_sending_gets_no_reply_and_is_marked_deleted(desk_on: Desk, sim: Simulator):
    [target, kept] = complaints_on_reddit(sim, 2)
    desk_on.poll()
    drafts = desk_on.approve_all()
    sim.delete(target)

    report = desk_on.send()

    assert desk_on.replies_per_post("reddit") == Counter({kept: 1})
    assert len(report.blocked) == 1 and len(report.sent) == 1  # type: ignore[attr-defined]
    with Session(desk_on.engine) as session:
        gone = session.exec(select(Mention).where(Mention.external_id == target)).one()
        blocked = session.exec(select(Draft).where(Draft.mention_id == gone.id)).one()
    assert gone.deleted_at is not None
    assert blocked.state == DraftState.REJECTED and blocked.id in drafts
    # A person trying again is told why, and nothing goes out.
    assert blocked.policy_reasons == ["the post was deleted"]


def test_a_429_on_posting_pauses_sending_until_the_reset_without_spending_attempts(desk_on: Desk, sim: Simulator):
    complaints_on_x(sim, 10)
    desk_on.poll()
    drafts = desk_on.approve_all()
    sim.inject("rate_limit", platform="x", path="/2/tweets", reset_in=60)
    posts_before = len([r for r in sim.requests("x") if r[1] == "POST"])

    first = desk_on.send()
    second = desk_on.send()

    posts = len([r for r in sim.requests("x") if r[1] == "POST"]) - posts_before
    assert posts == 1  # the one that got the 429; nothing inside the announced window
    assert sim.replies("x") == []
    assert sorted(first.paused) == sorted(drafts) and sorted(second.paused) == sorted(drafts)  # type: ignore[attr-defined]
    assert {desk_on.state_of(d).attempts for d in drafts} == {0}
    assert {desk_on.state_of(d).state for d in drafts} == {DraftState.APPROVED}

    later = desk_on.send(clock=datetime.now(UTC) + timedelta(seconds=61))
    assert sorted(later.sent) == sorted(drafts)  # type: ignore[attr-defined]


def test_a_reddit_429_on_sending_pauses_every_reddit_source_too(desk_on: Desk, sim: Simulator):
    complaints_on_reddit(sim, 2)
    desk_on.poll()
    desk_on.approve_all()
    sim.inject("rate_limit", platform="reddit", path="/api/comment", reset_in=120)
    desk_on.send()
    before = len(sim.requests("reddit"))
    complaints_on_reddit(sim, 3)

    outcomes = [desk_on.pipeline.poll(s) for s in desk_on.sources if s.platform == "reddit"]

    assert {o.status for o in outcomes} == {"waiting"}
    assert len(sim.requests("reddit")) == before  # no request inside the window


def test_several_mentions_by_one_author_get_different_replies(desk_on: Desk, sim: Simulator):
    for text in (
        "@acme my order arrived cold",
        "@acme and the second order arrived cold too",
        "@acme third cold order this week",
        "@acme fourth one cold as well, not happy",
    ):
        sim.state.post_tweet(text, username="sam", name="Sam Lee")
    desk_on.poll()
    drafts = desk_on.approve_all()
    assert len(drafts) == 4

    report = desk_on.send()

    texts = [r["text"] for r in sim.replies("x")]
    assert len(report.sent) == 4 and len(set(texts)) == 4  # type: ignore[attr-defined]
    with Session(desk_on.engine) as session:
        states = session.exec(select(Draft.state).where(col(Draft.id).in_(drafts))).all()
    assert set(states) == {DraftState.SENT}
