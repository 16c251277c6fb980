"""The demo: a fictional brand whose built-in mentions are posted on the local simulator and read back
through each platform's real client library, the whole pipeline, no keys needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from listener.base import FetchedMention
from listener.demo_corpus import DEMO_MENTIONS, DemoMention
from listener.simulator import Simulator
from listener.simulator.network import demo_network as _network_for
from mentiondesk.core.brands import BrandConfig, load_brands, parse_brands
from mentiondesk.core.errors import ConfigError
from mentiondesk.core.platform import DemoPost, platform_named
from mentiondesk.platforms import PLATFORMS
from mentiondesk.settings import Settings
from storage.models import Draft, DraftState, FoundVia, Mention

DEMO_BRAND_KEY = "northwind"

# The demo plays every platform whose descriptor can post a demo mention on the simulator.
DEMO_PLATFORMS = tuple(p for p in PLATFORMS if p.post_demo is not None)


def _demo_brands_toml() -> str:
    handles = "".join(f'{p.name} = ["NorthwindCoffee"]\n' for p in DEMO_PLATFORMS)
    tables = "".join(f"\n[brands.northwind.{p.name}]\n{p.starter_table}" for p in DEMO_PLATFORMS if p.starter_table)
    automated = ", ".join(f'"{p.name}"' for p in DEMO_PLATFORMS if p.replies.automated_by_default)
    return f"""\
[brands.northwind]
name = "Northwind Coffee"
keywords = ["northwind coffee", "northwind"]
exclude = ["northwind traders database"]
languages = ["en"]
competitors = ["BeanCo", "Brewster's"]
response_target_minutes = 60

[brands.northwind.handles]
{handles}replay = ["NorthwindCoffee"]
{tables}
[brands.northwind.reply_policy]
auto_thank = true
daily_cap = 25
timezone = "UTC"
disclosure = "(automated reply)"
auto_reply_platforms = [{automated}]
"""


DEMO_BRANDS_TOML = _demo_brands_toml()


def demo_brands() -> BrandConfig:
    return parse_brands(DEMO_BRANDS_TOML, path="<demo brands>")


DEMO_BRAND_FILE_HEADER = """\
# Written by `mentiondesk demo`: the demo brand, so `mentiondesk queue`, `relabel` and the rest can read the demo's
# database. `mentiondesk init --force` replaces it with a commented starter for your own brand.

"""


def leave_demo_brand_file(path: Path) -> str:
    """The commands the demo suggests read the brand file: write the demo brand to `path` when there is none.
    Returns what happened: "wrote", "has the demo brand", "other brands" (a brand file of the user's own, left
    as it is) or "unwritable" (no such directory, or no permission)."""
    if not path.exists():
        try:
            path.write_text(DEMO_BRAND_FILE_HEADER + DEMO_BRANDS_TOML, encoding="utf-8")
        except OSError:
            return "unwritable"
        return "wrote"
    try:
        keys = load_brands(path).brands
    except ConfigError:
        return "other brands"
    return "has the demo brand" if DEMO_BRAND_KEY in keys else "other brands"


def demo_mentions(*, now: datetime | None = None, platform: str | None = None) -> list[FetchedMention]:
    """The built-in set as already-fetched mentions, two days' worth, oldest first (for seeding test desks
    through the pipeline without a platform)."""
    now = now or datetime.now(UTC)
    total = len(DEMO_MENTIONS)
    return [
        FetchedMention(
            platform=platform or home_network(item),
            external_id=f"demo-{index:04d}",
            brand=DEMO_BRAND_KEY,
            text=item.text,
            author_handle=item.author,
            author_name=item.name,
            author_followers=item.followers,
            created_at=now - timedelta(minutes=8 * (total - index)),
            language=item.lang,
            found_via=FoundVia(item.via),
        )
        for index, item in enumerate(DEMO_MENTIONS)
    ]


def demo_settings(settings: Settings, sim: Simulator) -> Settings:
    """The user's settings, with every simulated platform pointed at the simulator (which accepts any
    credentials)."""
    overrides = {key.removeprefix("MENTIONDESK_").lower(): value for key, value in sim.env().items()}
    return Settings.model_validate({**settings.model_dump(), **overrides})


def start_simulator() -> Simulator:
    brand = demo_brands().get(DEMO_BRAND_KEY)
    options: dict[str, Any] = {}
    for platform in DEMO_PLATFORMS:
        if platform.simulator_options is not None:
            options.update(platform.simulator_options(brand))
    return Simulator.create(
        brand_handles={p.name: brand.handles[p.name] for p in DEMO_PLATFORMS},
        keywords=brand.keywords,
        seed=7,
        **options,
    )


# The demo's mentions arrive within the last 45 minutes, inside its brand's 60-minute response target: a new
# user's queue is fresh rather than all "Stale", and replies sent now take minutes, not days.
DEMO_SPREAD = timedelta(minutes=45)


def post_demo_mentions(sim: Simulator, *, now: datetime | None = None) -> int:
    """Post the built-in mentions on the simulated platforms, spread over the last 45 minutes, oldest first."""
    now = now or datetime.now(UTC)
    total = len(DEMO_MENTIONS)
    for index, item in enumerate(DEMO_MENTIONS):
        created = now - DEMO_SPREAD * (total - index) / total
        _post(sim, item, created, demo_network(index, item))
    return total


def demo_network(index: int, item: DemoMention) -> str:
    """Where a built-in mention is posted, of the networks the demo plays: each simulated network says which
    it takes (`NETWORK.demo_share`)."""
    playing = {p.name for p in DEMO_PLATFORMS}
    return _network_for(index, item.style, item.via, own=item.kind == "own", playing=playing)


def home_network(item: DemoMention) -> str:
    """The network a built-in mention's style is written for, when the demo plays no other."""
    return _network_for(0, item.style, item.via, own=True, playing=set())


def _post(sim: Simulator, item: DemoMention, created: datetime, network: str) -> None:
    post_demo = platform_named(network).post_demo
    assert post_demo is not None, f"no demo hook for {network}"
    post = DemoPost(
        text=item.text,
        author=item.author,
        name=item.name,
        followers=item.followers,
        lang=item.lang,
        via=item.via,
        created_at=created,
    )
    post_demo(sim, post)


@dataclass
class Summary:
    mentions: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    by_route: dict[str, int] = field(default_factory=dict)
    queue: int = 0
    queue_by_category: dict[str, int] = field(default_factory=dict)
    auto_approved: int = 0
    replies_posted: int = 0
    # draft id, mention id, urgency, author, text
    top_urgent: list[tuple[int, int, int, str, str]] = field(default_factory=list)


def summarize(session: Session) -> Summary:
    summary = Summary()
    summary.mentions = int(session.exec(select(func.count()).select_from(Mention)).one())
    for label, count in session.exec(select(Mention.label, func.count()).group_by(Mention.label)):
        summary.by_label[label or "unclassified"] = int(count)
    for route, count in session.exec(select(Mention.route, func.count()).group_by(Mention.route)):
        summary.by_route[route or "none"] = int(count)
    for category, count in session.exec(
        select(Draft.category, func.count()).where(Draft.state == DraftState.DRAFTED).group_by(Draft.category)
    ):
        summary.queue_by_category[category] = int(count)
    summary.queue = sum(summary.queue_by_category.values())
    summary.auto_approved = int(
        session.exec(select(func.count()).select_from(Draft).where(Draft.automated == True)).one()  # noqa: E712
    )
    top = session.exec(
        select(Draft, Mention)
        .join(Mention, col(Mention.id) == Draft.mention_id)
        .where(Draft.state == DraftState.DRAFTED)
        .order_by(col(Draft.urgency).desc(), col(Draft.created_at))
        .limit(5)
    )
    summary.top_urgent = [(d.id or 0, m.id or 0, d.urgency, m.author_handle, m.text) for d, m in top]
    return summary
