"""Share of voice on Reddit: the brand's competitors are searched for themselves (sitewide, or in the watched
subreddits when the brand does not search sitewide), through praw against the simulator and the pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.reddit import forget_tokens
from listener.simulator import Simulator
from mentiondesk.commands.budget import brand_listings
from mentiondesk.core.brands import parse_brands
from mentiondesk.pipeline import Pipeline
from mentiondesk.platforms import build_sources
from mentiondesk.settings import Settings
from rules.classifier import Classifier
from storage.models import Draft, FoundVia, Mention, Route

BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = {{ reddit = ["acme_support"] }}
competitors = ["Globex", "Initech"]
reddit = {{ subreddits = ["coffee"], search_sitewide = {sitewide} }}
"""


def settings_for(sim: Simulator) -> Settings:
    values: dict[str, Any] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize("sitewide", [True, False])
def test_posts_naming_a_competitor_are_counted_and_never_answered(
    sitewide: bool, engine: Engine, classifier: Classifier
) -> None:
    forget_tokens()
    config = parse_brands(BRANDS.format(sitewide=str(sitewide).lower()))
    with Simulator.start(brand_handles={"reddit": ["acme_support"]}, subreddits=["coffee", "tea"], seed=2) as sim:
        settings = settings_for(sim)
        pipeline = Pipeline(engine=engine, brands=config, classifier=classifier)
        sources = [s for s in build_sources(config, settings) if s.platform == "reddit"]
        for source in sources:  # the first read sets each cursor
            pipeline.poll(source)
        world = sim.state.worlds["reddit"]
        # post_reddit takes the subreddits in turn: coffee, tea, coffee, tea
        in_coffee = world.post_reddit("Globex grinder broke after a week, anyone else?", author="gina")
        in_tea = world.post_reddit("Initech kettle is the best I have owned", author="omar")
        both = world.post_reddit("acme or Globex for a first espresso machine?", author="lee")
        world.post_reddit("Nothing to do with anyone here", author="ivy")
        for source in sources:
            outcome = pipeline.poll(source)
            assert outcome.status == "ok", (source.name, outcome.message)
        searched = [path for _, _, path in sim.requests("reddit") if "search" in path]

    names = {s.name for s in sources}
    assert "reddit:acme:search:competitors" in names
    with Session(engine) as session:
        stored = {m.external_id: m for m in session.exec(select(Mention).where(Mention.platform == "reddit"))}
        competitor_only = [stored[n] for n in (in_coffee, in_tea) if n in stored]
        ids = {m.id for m in competitor_only}
        assert not session.exec(select(Draft).where(col(Draft.mention_id).in_(ids))).all()
    # sitewide search finds the competitor anywhere; without it, only in the watched subreddit
    assert {m.external_id for m in competitor_only} == ({in_coffee, in_tea} if sitewide else {in_coffee})
    assert {m.found_via for m in competitor_only} == {FoundVia.COMPETITOR}
    assert {m.route for m in competitor_only} == {Route.IGNORE}
    assert stored[both].found_via == FoundVia.KEYWORD  # names us: handled as our own listings would
    assert len(stored) == 3 - (not sitewide)
    if not sitewide:
        assert searched and all(path.startswith("/r/coffee/search") for path in searched)


def test_the_budget_plans_the_reddit_competitor_search_the_service_builds() -> None:
    forget_tokens()
    for sitewide in (True, False):
        config = parse_brands(BRANDS.format(sitewide=str(sitewide).lower()))
        with Simulator.start(brand_handles={"reddit": ["acme_support"]}, subreddits=["coffee"]) as sim:
            built = {s.name for s in build_sources(config, settings_for(sim)) if s.platform == "reddit"}
        planned = {name for name, platform, _ in brand_listings(config.brands["acme"]) if platform == "reddit"}
        assert built == planned and "reddit:acme:search:competitors" in built
