"""The Source contract, checked for every registered platform that has a simulator module, through its own
descriptor and real client library against the project's simulator (real HTTP on 127.0.0.1):

- a batch is oldest first and carries the cursor to save with it;
- a backlog read from a saved cursor, and again after a restart (new source objects, the saved cursor), has
  every new mention once: no gap, no duplicate (a source that reads an overlap before its cursor remembers
  what it handed out there);
- one odd item on a page is a SkippedItem and the rest of the page is kept;
- whatever the platform answers, `fetch` raises only errors from mentiondesk/core/errors.py.

A new network is covered by registering its descriptor (and its simulator module): nothing here names one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from listener.base import Batch, Source
from listener.simulator import Fault, Simulator
from mentiondesk.core.brands import Brand, parse_brands
from mentiondesk.core.errors import MentionDeskError
from mentiondesk.core.platform import Platform
from mentiondesk.platforms import PLATFORMS, access_of
from mentiondesk.settings import Settings

PLAYED = [platform for platform in PLATFORMS if platform.simulator_module]
HANDLE = "acme"
KEYWORD = "acme"
# Every kind of trouble the simulator can answer with; "slow" outlasts the request timeout below.
FAULTS = ("rate_limit", "unavailable", "slow", "disconnect", "forbidden", "tier", "unauthorized", "malformed")


def brand_toml() -> str:
    handles = ", ".join(f'{p.name} = ["{HANDLE}"]' for p in PLAYED)
    tables = "".join(f"\n[brands.acme.{p.name}]\n{p.starter_table}" for p in PLAYED if p.starter_table)
    return (
        f'[brands.acme]\nname = "Acme"\nkeywords = ["{KEYWORD}"]\nlanguages = []\nhandles = {{ {handles} }}\n{tables}'
    )


@pytest.fixture
def brand() -> Brand:
    return parse_brands(brand_toml()).get("acme")


@pytest.fixture
def sim(brand: Brand) -> Iterator[Simulator]:
    options: dict[str, list[str]] = {}
    for platform in PLAYED:
        if platform.simulator_options is not None:
            options.update(platform.simulator_options(brand))
    handles = {p.name: [HANDLE] for p in PLAYED}
    with Simulator.start(brand_handles=handles, keywords=[KEYWORD], seed=13, **options) as running:
        yield running


def settings_for(sim: Simulator) -> Settings:
    values: dict[str, Any] = {k.removeprefix("MENTIONDESK_").lower(): v for k, v in sim.env().items()}
    values["request_timeout_seconds"] = 1
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def sources_of(platform: Platform[Any], brand: Brand, sim: Simulator) -> list[Source]:
    access = access_of(platform, settings_for(sim))
    assert platform.can_read(access), f"{platform.name}: the simulator's settings do not let it read"
    built = list(platform.sources(brand, access))
    assert built, f"{platform.name}: no source for a brand with a handle and a keyword there"
    return built


def drain(source: Source, cursor: str | None, *, limit: int = 60) -> tuple[list[Batch], str | None]:
    batches: list[Batch] = []
    for _ in range(limit):
        batch = source.fetch(cursor)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.more:
            return batches, cursor
    raise AssertionError(f"{source.name}: still `more` after {limit} pages")


def read_all(sources: list[Source], cursors: dict[str, str | None]) -> dict[str, list[str]]:
    """Every source drained from its saved cursor; checks order and cursors; returns ids per source."""
    seen: dict[str, list[str]] = {}
    for source in sources:
        batches, cursors[source.name] = drain(source, cursors.get(source.name))
        for batch in batches:
            times = [m.created_at for m in batch.mentions]
            assert times == sorted(times), f"{source.name}: a batch is not oldest first"
            assert batch.cursor is not None, f"{source.name}: a batch without a cursor to save"
        seen[source.name] = [m.external_id for b in batches for m in b.mentions]
    return seen


def assert_once(seen: dict[str, list[str]], posted: list[str], name: str) -> None:
    for source, ids in seen.items():
        assert len(ids) == len(set(ids)), f"{source}: the same mention twice in one read"
    fetched = {i for ids in seen.values() for i in ids}
    missing = [p for p in posted if p not in fetched]
    assert not missing, f"{name}: {len(missing)} of {len(posted)} new mentions never fetched, e.g. {missing[:3]}"


@pytest.mark.parametrize("platform", PLAYED, ids=[p.name for p in PLAYED])
def test_a_backlog_is_read_oldest_first_once_and_resumes_after_a_restart(
    platform: Platform[Any], brand: Brand, sim: Simulator
) -> None:
    sources = sources_of(platform, brand, sim)
    cursors: dict[str, str | None] = {}
    read_all(sources, cursors)  # the first read saves where "now" is

    # Mentions of the brand's account: every one is the platform's to deliver (a keyword post by an author who
    # opted out of search, say, is not).
    posted = sim.add_mentions(25, platform=platform.name, kind="mention")
    first = read_all(sources, cursors)
    assert_once(first, posted, platform.name)

    # A restart: new source objects (a new process) from the cursors saved with the last batches.
    restarted = sources_of(platform, brand, sim)
    later = sim.add_mentions(12, platform=platform.name, kind="mention")
    second = read_all(restarted, cursors)
    assert_once(second, later, platform.name)
    before = {i for ids in first.values() for i in ids}
    again = sorted({i for ids in second.values() for i in ids} & before)
    assert not again, f"{platform.name}: read again after the restart: {again[:3]}"


@pytest.mark.parametrize("platform", PLAYED, ids=[p.name for p in PLAYED])
def test_an_odd_item_is_skipped_and_its_page_kept(platform: Platform[Any], brand: Brand, sim: Simulator) -> None:
    sources = sources_of(platform, brand, sim)
    cursors: dict[str, str | None] = {}
    read_all(sources, cursors)
    posted = sim.add_mentions(10, platform=platform.name, kind="mention")
    sim.inject(Fault(kind="malformed", platform=platform.name, times=1))

    skipped = 0
    fetched: set[str] = set()
    for source in sources:
        batches, cursors[source.name] = drain(source, cursors[source.name])
        skipped += sum(len(b.skipped) for b in batches)
        fetched |= {m.external_id for b in batches for m in b.mentions}
        for batch in batches:
            assert all(s.where and s.reason for s in batch.skipped), f"{source.name}: a SkippedItem says nothing"
    assert skipped == 1, f"{platform.name}: {skipped} skipped items for one broken item"
    assert len(fetched & set(posted)) >= len(posted) - 1, f"{platform.name}: the broken item's page was lost"


@pytest.mark.parametrize("kind", FAULTS)
@pytest.mark.parametrize("platform", PLAYED, ids=[p.name for p in PLAYED])
def test_every_failure_is_one_of_ours(platform: Platform[Any], kind: str, brand: Brand, sim: Simulator) -> None:
    sources = sources_of(platform, brand, sim)
    sim.add_mentions(3, platform=platform.name)
    for source in sources:
        sim.inject(Fault(kind=kind, platform=platform.name, times=1, delay=1.5))  # type: ignore[arg-type]
        try:
            source.fetch(None)
        except MentionDeskError:
            pass  # the one tree: the poller knows what each means
        except Exception as exc:  # noqa: BLE001 - the point: nothing else may escape
            pytest.fail(f"{source.name} on {kind}: {type(exc).__module__}.{type(exc).__name__}: {exc}")
