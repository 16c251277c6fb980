"""Never a valid row lost: the crisis benchmark's three brands (one watching a subreddit, all searching Reddit
sitewide) against the simulator played from that brand file as `mentiondesk simulate --brands` plays it, with
more Reddit items per poll than a listing page (100) and than the seen-set (SEEN_LIMIT). Every Reddit mention
the simulator releases and serves is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from listener.poller import Poller
from listener.reddit import DESCRIPTOR, SEEN_LIMIT, sources_for
from listener.simulator import Simulator
from listener.simulator.records import records_for
from mentiondesk.commands.simulate import _from_brands
from mentiondesk.core.brands import load_brands
from mentiondesk.platforms import access_of
from mentiondesk.settings import Settings
from storage.models import Mention

# benchmarks/crisis.py's brand file
BRANDS = """
[brands.acme]
name = "Acme"
keywords = ["acme"]
handles = { x = ["acme"], reddit = ["acme_support"] }
reddit = { subreddits = ["acme"] }

[brands.globex]
name = "Globex"
keywords = ["globex"]
handles = { x = ["globex"] }

[brands.initech]
name = "Initech"
keywords = ["initech"]
handles = { x = ["initech"] }
"""
PER_POLL = SEEN_LIMIT + 50


def stored_reddit_ids(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(col(Mention.external_id)).where(Mention.platform == "reddit")))


def test_every_released_reddit_mention_is_stored_across_three_brands(any_engine: Engine, tmp_path: Path) -> None:
    brand_file = tmp_path / "brands.toml"
    brand_file.write_text(BRANDS, encoding="utf-8")
    handles, keywords, options = _from_brands(brand_file)
    config = load_brands(brand_file)
    with Simulator.start(brand_handles=handles, keywords=keywords, seed=13, **options) as sim:
        values: dict[str, Any] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
        access = access_of(DESCRIPTOR, Settings(_env_file=None, **values))  # type: ignore[call-arg]
        sources = [s for brand in config.brands.values() for s in sources_for(brand, access)]
        poller = Poller(any_engine)
        for source in sources:  # the first read sets each cursor
            poller.poll(source)
        released: set[str] = set()
        for _ in range(2):
            released.update(sim.add_mentions(PER_POLL, platform="reddit"))
            for source in sources:
                outcome = poller.poll(source)
                assert outcome.status == "ok", (source.name, outcome.message)
        served = set(records_for(sim.state).served["reddit"])

    lost = sorted(released - stored_reddit_ids(any_engine))
    texts = {n: sim.state.things[n]["data"].get("body") or sim.state.things[n]["data"]["title"] for n in lost}
    assert not lost, f"{len(lost)} of {len(released)} released Reddit mentions not stored: " + "; ".join(
        f"{n} {texts[n][-60:]!r}" for n in lost[:5]
    )
    assert released <= served
