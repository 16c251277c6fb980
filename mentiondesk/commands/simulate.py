"""`mentiondesk simulate`: local X, Reddit, Mastodon, Bluesky and Hacker News (Algolia) servers with a steady
stream of mentions."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from mentiondesk.core.brands import BrandConfig, load_brands
from mentiondesk.platforms import PLATFORMS
from mentiondesk.settings import get_settings


def _from_brands(path: Path | None) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """Handles, keywords and each platform's simulator options (e.g. the communities to play) of every brand
    in the brand file, if there is one."""
    brand_file = path or get_settings().brands_file
    if not Path(brand_file).exists():
        return {"x": ["acme"], "reddit": ["acme_support"], "mastodon": ["acme"]}, ["acme"], {"subreddits": ["acme"]}
    config: BrandConfig = load_brands(brand_file)
    handles: dict[str, list[str]] = {platform.name: [] for platform in PLATFORMS}
    keywords: list[str] = []
    options: dict[str, list[str]] = {}
    for brand in config.brands.values():
        for platform in PLATFORMS:
            handles[platform.name] += brand.handles.get(platform.name, [])
            if platform.simulator_options is not None:
                for key, values in platform.simulator_options(brand).items():
                    options.setdefault(key, []).extend(values)
        keywords += brand.keywords
    return handles, keywords, options


@click.command(name="simulate")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--x-port", default=8701, show_default=True, help="X API port (0: any free port).")
@click.option("--reddit-port", default=8702, show_default=True, help="Reddit API port (0: any free port).")
@click.option("--mastodon-port", default=8703, show_default=True, help="Mastodon API port (0: any free port).")
@click.option("--bluesky-port", default=8704, show_default=True, help="Bluesky PDS port (0: any free port).")
@click.option("--hn-port", default=8705, show_default=True, help="Algolia HN Search API port (0: any free port).")
@click.option(
    "--brands",
    "brands_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Brand file whose handles, keywords and subreddits to play (default MENTIONDESK_BRANDS_FILE).",
)
@click.option("--backlog", default=50, show_default=True, help="Mentions already waiting on each platform.")
@click.option("--per-minute", default=12.0, show_default=True, help="New mentions per minute (0: none).")
@click.option("--seed", default=0, show_default=True, help="Random seed for reproducible mentions.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND[:PLATFORM[:TIMES]]",
    help="Inject a fault at start, e.g. rate_limit:x or unavailable:reddit:3 (repeatable).",
)
def command(
    host: str,
    x_port: int,
    reddit_port: int,
    mastodon_port: int,
    bluesky_port: int,
    hn_port: int,
    brands_file: Path | None,
    backlog: int,
    per_minute: float,
    seed: int,
    faults: tuple[str, ...],
) -> None:
    """Serve simulated X, Reddit, Mastodon, Bluesky and Hacker News APIs until Ctrl-C. Any credentials are
    accepted (Bluesky: the app password printed)."""
    from listener.simulator import Fault, Simulator

    handles, keywords, options = _from_brands(brands_file)
    sim = Simulator.create(
        brand_handles=handles,
        keywords=keywords,
        seed=seed,
        host=host,
        x_port=x_port,
        reddit_port=reddit_port,
        mastodon_port=mastodon_port,
        bluesky_port=bluesky_port,
        hackernews_port=hn_port,
        **options,  # type: ignore[arg-type]
    )
    try:
        if backlog:
            sim.add_mentions(backlog)
            for network in ("mastodon", "bluesky", "hackernews"):
                sim.add_mentions(backlog, platform=network)
        for spec in faults:
            kind, _, rest = spec.partition(":")
            platform, _, times = rest.partition(":")
            sim.inject(Fault.from_dict({"kind": kind, "platform": platform or "any", "times": times or 1}))
        if per_minute > 0:
            sim.stream(per_minute, platforms=("x", "reddit", "mastodon", "bluesky", "hackernews"))
        click.echo(f"X API v2:   {sim.x_base_url}")
        click.echo(f"Reddit API: {sim.reddit_url}")
        click.echo(f"Mastodon:   {sim.mastodon_base_url}")
        click.echo(f"Bluesky:    {sim.bluesky_base_url}")
        click.echo(f"HN search:  {sim.hackernews_base_url}")
        click.echo("Point Mention Desk at it (any credentials work):")
        for key, value in sim.env().items():
            click.echo(f"  export {key}={value}")
        click.echo(
            f"Replies posted: GET {sim.x_base_url}/_sim/replies  (also /_sim/stats, POST /_sim/mentions?n=10,"
            ' POST /_sim/faults with {"kind": "rate_limit", "platform": "x"})'
        )
        click.echo("Ctrl-C to stop.")
        _wait_for_signal()
    finally:
        sim.stop()
        click.echo(f"Stopped; {len(sim.replies())} replies were posted.", err=True)


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
