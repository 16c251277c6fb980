"""Reddit items listed long after newer ones (held by the spam filter, then approved: a lower id, an older time,
listed at their own place) are stored once, through praw against the simulator and the real poller."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.poller import Poller
from listener.reddit import CATCH_UP_PAGES, DESCRIPTOR, ListingCursor, RedditListingSource, forget_tokens, sources_for
from listener.simulator import Simulator
from mentiondesk.core.brands import parse_brands
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from storage.models import Mention, SourceState

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
reddit = { subreddits = ["acme"], search_sitewide = false }
"""


@pytest.fixture
def sim() -> Iterator[Simulator]:
    forget_tokens()
    with Simulator.start(brand_handles={"reddit": ["acme_support"]}, subreddits=["acme"], seed=5) as sim:
        yield sim


class Counted:
    """Passes fetches through to the source and counts every id handed out."""

    def __init__(self, source: RedditListingSource) -> None:
        self.source = source
        self.name, self.platform, self.brand, self.rate_scope = source.name, source.platform, source.brand, "reddit"
        self.ids: Counter[str] = Counter()

    def fetch(self, cursor: str | None) -> Any:
        batch = self.source.fetch(cursor)
        self.ids.update(m.external_id for m in batch.mentions)
        return batch


def posts_source(sim: Simulator) -> Counted:
    values: dict[str, Any] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    access = access_of(DESCRIPTOR, Settings(_env_file=None, **values))  # type: ignore[call-arg]
    [source] = [s for s in sources_for(parse_brands(BRANDS).get("acme"), access) if s.name.endswith(":posts")]
    return Counted(source)


def started_at(sim: Simulator) -> datetime:
    """When the simulator made the subreddit's weekly thread, the newest item the first poll reads: listing time
    counts from there (a module-level "now" let a test run late in the suite see its posts as 10 minutes old
    already, and the catch-up came one poll early)."""
    [anchor] = sim.state.anchor_posts
    return datetime.fromtimestamp(sim.state.things[anchor]["data"]["created_utc"], UTC)


def post(sim: Simulator, n: int, minutes: float, *, held: bool = False) -> str:
    return str(
        sim.state.post_reddit(
            f"acme grinder number {n} is great",
            author=f"redditor{n}",
            created_at=started_at(sim) + timedelta(minutes=minutes),
            held=held,
        )
    )


def stored(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(col(Mention.external_id)).where(Mention.platform == "reddit")))


def test_a_post_listed_35_minutes_late_on_the_newest_page_is_stored_once(sim: Simulator, engine: Engine) -> None:
    source, poller = posts_source(sim), Poller(engine)
    poller.poll(source)  # the first read sets the cursor
    late = post(sim, 0, 1, held=True)  # made first (the lowest id), held by the spam filter
    posted = [post(sim, n, 1 + n) for n in range(1, 41)]
    assert poller.poll(source).stored == 40

    sim.state.release_reddit(late)  # approved 40 minutes after it was made: listed below 40 newer posts
    outcome = poller.poll(source)
    again = poller.poll(source)

    assert (outcome.stored, outcome.requests) == (1, 1)  # found on the page every poll reads anyway
    assert again.stored == 0
    assert sorted(stored(engine)) == sorted([late, *posted])
    assert max(source.ids.values()) == 1  # nothing handed out twice


def test_a_post_listed_late_below_the_newest_page_is_found_by_the_catch_up_read(sim: Simulator, engine: Engine) -> None:
    source, poller = posts_source(sim), Poller(engine)
    poller.poll(source)
    late = post(sim, 0, 1, held=True)
    posted = [post(sim, n, 1 + n / 10) for n in range(1, 251)]  # 250 posts over 25 minutes
    first = poller.poll(source)  # the walk, then a catch-up read (25 minutes of listing time have passed)
    sim.state.release_reddit(late)  # now listed 250 posts deep: below the page a poll reads
    posted.append(post(sim, 251, 27))
    quiet = poller.poll(source)  # 2 minutes of listing time later: no catch-up yet
    posted += [post(sim, n, 27 + (n - 251)) for n in range(252, 270)]  # 18 more minutes
    catch_up = poller.poll(source)
    after = poller.poll(source)

    assert first.stored == 250
    assert (quiet.stored, quiet.requests) == (1, 1)  # the late post is not on the newest page
    # 18 new posts, and the late one from the catch-up's pages; the catch-up reads at most CATCH_UP_PAGES more
    assert catch_up.stored == 19 and 2 <= catch_up.requests <= 1 + CATCH_UP_PAGES
    assert (after.stored, after.requests) == (0, 1)
    assert sorted(stored(engine)) == sorted([late, *posted])
    assert max(source.ids.values()) == 1
    with Session(engine) as session:
        cursor = ListingCursor.parse(session.get_one(SourceState, source.name).cursor)
    assert cursor.below is None and cursor.caught_up_at == cursor.since_at  # back at the top, caught up


def test_a_restart_in_the_middle_of_a_catch_up_read_resumes_it(sim: Simulator, engine: Engine) -> None:
    source, poller = posts_source(sim), Poller(engine)
    poller.poll(source)
    late = post(sim, 0, 1, held=True)
    posted = [post(sim, n, 1 + n / 10) for n in range(1, 251)]
    poller.poll(source)
    sim.state.release_reddit(late)
    posted += [post(sim, n, 26 + (n - 251)) for n in range(251, 270)]

    poller.poll(source, max_pages=2)  # stopped after the catch-up's first page (a crash, a shutdown)
    with Session(engine) as session:
        cursor = ListingCursor.parse(session.get_one(SourceState, source.name).cursor)
    resumed = poller.poll(source)

    assert cursor.below is not None  # the walk's position was saved with the page
    assert resumed.stored == 1 and sorted(stored(engine)) == sorted([late, *posted])
    assert max(source.ids.values()) == 1


def test_history_before_the_first_read_is_not_taken_for_late_posts(sim: Simulator, engine: Engine) -> None:
    history = [post(sim, n, n / 10) for n in range(1, 301)]  # 300 posts before the desk started
    source, poller = posts_source(sim), Poller(engine)
    first = poller.poll(source)
    posted = [post(sim, n, 30 + (n - 300)) for n in range(301, 321)]  # 20 minutes later: a catch-up is due
    second = poller.poll(source)

    assert first.stored == 100  # the newest page only
    assert second.stored == 20  # the catch-up reads no further than the first read's oldest post
    assert set(stored(engine)) == set(history[-100:]) | set(posted)
