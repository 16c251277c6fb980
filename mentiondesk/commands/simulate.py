"""`mentiondesk simulate`: a local server for every platform with a simulator module, with a steady stream of
mentions. Each platform's part (its port option, its address, what a brand asks it to play) comes from its
descriptor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mentiondesk.commands._common import stop_on_signals
from mentiondesk.core.brands import BrandConfig, load_brands, parse_brands
from mentiondesk.platforms import PLATFORMS
from mentiondesk.settings import get_settings

PLAYED = tuple(platform for platform in PLATFORMS if platform.simulator_module)


def _default_brands() -> BrandConfig:
    """With no brand file: a brand "acme" with that handle and keyword on every simulated platform."""
    handles = ", ".join(f'{p.name} = ["acme"]' for p in PLAYED)
    tables = "".join(f"\n[brands.acme.{p.name}]\n{p.starter_table}" for p in PLAYED if p.starter_table)
    return parse_brands(f'[brands.acme]\nname = "Acme"\nkeywords = ["acme"]\nhandles = {{ {handles} }}\n{tables}')


def _from_brands(path: Path | None) -> tuple[dict[str, list[str]], list[str], dict[str, list[str]]]:
    """Handles, keywords and each platform's simulator options (e.g. the communities to play) of every brand
    in the brand file, if there is one."""
    brand_file = path or get_settings().brands_file
    config: BrandConfig = load_brands(brand_file) if Path(brand_file).exists() else _default_brands()
    handles: dict[str, list[str]] = {platform.name: [] for platform in PLAYED}
    keywords: list[str] = []
    options: dict[str, list[str]] = {}
    for brand in config.brands.values():
        for platform in PLAYED:
            handles[platform.name] += brand.handles.get(platform.name, [])
            if platform.simulator_options is not None:
                for key, values in platform.simulator_options(brand).items():
                    options.setdefault(key, []).extend(values)
        keywords += brand.keywords
    return handles, keywords, options


def _port_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for platform in reversed(PLAYED):
        command = click.option(
            f"--{platform.settings_key}-port",
            f"{platform.name}_port",
            default=platform.simulator_port,
            show_default=True,
            help=f"{platform.title} API port (0: any free port).",
        )(command)
    return command


@click.command(name="simulate")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@_port_options
@click.option(
    "--brands",
    "brands_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Brand file whose handles, keywords and watched communities to play (default MENTIONDESK_BRANDS_FILE).",
)
@click.option("--backlog", default=50, show_default=True, help="Mentions already waiting on each platform.")
@click.option("--per-minute", default=12.0, show_default=True, help="New mentions per minute (0: none).")
@click.option("--seed", default=0, show_default=True, help="Random seed for reproducible mentions.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND[:PLATFORM[:TIMES]]",
    help=f"Inject a fault at start, e.g. rate_limit:{PLAYED[0].name} or unavailable:{PLAYED[-1].name}:3 (repeatable).",
)
def command(
    host: str,
    brands_file: Path | None,
    backlog: int,
    per_minute: float,
    seed: int,
    faults: tuple[str, ...],
    **ports: int,
) -> None:
    """Serve a simulated API for every platform until Ctrl-C. Any credentials are accepted (where a platform
    checks a password, the one printed)."""
    from listener.simulator import Fault, Simulator

    handles, keywords, options = _from_brands(brands_file)
    sim = Simulator.create(
        brand_handles=handles,
        keywords=keywords,
        seed=seed,
        host=host,
        **ports,
        **options,
    )
    try:
        if backlog:
            for platform in PLAYED:
                sim.add_mentions(backlog, platform=platform.name)
        for spec in faults:
            kind, _, rest = spec.partition(":")
            platform_name, _, times = rest.partition(":")
            sim.inject(Fault.from_dict({"kind": kind, "platform": platform_name or "any", "times": times or 1}))
        if per_minute > 0:
            sim.stream(per_minute, platforms=tuple(p.name for p in PLAYED))
        for platform in PLAYED:
            if platform.simulator_address is not None:
                click.echo(f"{platform.title + ':':<13} {platform.simulator_address(sim)}")
        click.echo("Point Mention Desk at it (any credentials work):")
        for key, value in sim.env().items():
            click.echo(f"  export {key}={value}")
        first = PLAYED[0]
        address = first.simulator_address(sim) if first.simulator_address else ""
        click.echo(
            f"Replies posted: GET {address}/_sim/replies  (also /_sim/stats, POST /_sim/mentions?n=10,"
            f' POST /_sim/faults with {{"kind": "rate_limit", "platform": "{first.name}"}})'
        )
        click.echo("Ctrl-C to stop.")
        _wait_for_signal()
    finally:
        sim.stop()
        click.echo(f"Stopped; {len(sim.replies())} replies were posted.", err=True)


def _wait_for_signal() -> None:
    stop = stop_on_signals()
    while not stop.wait(0.5):
        pass
