"""`SimNetwork`: what one simulated network plugs into the shared simulator. Each network's module
(listener/simulator/<name>_api.py) exports one as `NETWORK`; the server finds them by looking through this
package, so the shared files (server, state, faults, records, http) name no network.

A network's world (its accounts, posts, rate windows) lives in its own module and is made by `make_world`
when a `Simulator` starts; handlers reach it as `self.world`, callers as `sim.world(name)` (or `sim.<name>`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from listener.simulator.http import SimHandler
    from listener.simulator.state import SimState


class Headers(Protocol):
    def get(self, name: str, /) -> str | None: ...


@dataclass(frozen=True, kw_only=True)
class WorldOptions:
    """What `Simulator.create` hands one network: the brand's handles there, its port's address, a rate
    limit if one was asked for (`<name>_rate_limit`) and the options it declared (`extra_options`)."""

    handles: list[str]
    base_url: str
    scratch: Path
    rate_limit: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DemoShare:
    """Which of the demo's built-in mentions (listener/demo_corpus.py) a network plays. Each is written in a
    `style` ("post" or "thread"); a network that is home to a style (no `slots`) plays all of that style,
    including the brand's own posts; another takes those whose index falls on one of `slots` (index % 8),
    only those found `via` one of these if given, and never the brand's own."""

    style: str
    slots: frozenset[int] | None = None
    via: frozenset[str] = frozenset()

    @property
    def home(self) -> bool:
        return self.slots is None

    def takes(self, index: int, style: str, via: str, own: bool) -> bool:
        if style != self.style:
            return False
        if self.slots is None:
            return True
        return not own and index % 8 in self.slots and (not self.via or via in self.via)


def _user_agent(headers: Headers) -> str:
    return headers.get("User-Agent") or ""


def _nothing(*args: Any) -> Any:
    return None


@dataclass(frozen=True, kw_only=True)
class SimNetwork:
    """One network in the simulator."""

    name: str  # the platform's descriptor name
    handler: type[SimHandler]  # its HTTP API
    make_world: Callable[[SimState, WorldOptions], Any]
    # `n` new mentions of the brand in its world (kind: "mixed", "mention", "reply" or "keyword"); their ids.
    add_mentions: Callable[[SimState, Any, int, str], list[str]]
    # MENTIONDESK_* variables pointing Mention Desk's client at this network's server.
    env: Callable[[Any, str, Path], dict[str, str]]
    # Its share of `add_mentions(platform="both")`, of `stream()` by default and of the default brand; 0: none.
    mix_weight: int = 0
    default_handle: str = ""
    handle_prefix: str = "@"  # what a brand file may write before a handle here
    extra_options: tuple[str, ...] = ()  # keyword options of `Simulator.create` it reads (`extra`)
    aliases: tuple[str, ...] = ()  # more `Simulator` attributes giving its address, for older callers

    # Fault campaigns (listener/simulator/records.py): the post ids a listing answer served, the post a reply
    # request answers, who sent a request, until when a 429 told the client to wait.
    served_ids: Callable[[Any], list[str]] | None = None
    reply_target: Callable[[str, str, bytes], str] = _nothing
    client: Callable[[Headers], str] = _user_agent
    rate_limited_until: Callable[[Mapping[str, str], float], float | None] = _nothing
    # The control endpoints: an author telling the brand something (an opt-out), an author deleting a post
    # (or a moderator removing it: `removed`; False when there is no such post), the requests allowed per
    # window, and counts for /_sim/stats.
    post_to_brand: Callable[[Any, str, str, str], str] | None = None
    delete_post: Callable[[Any, str, bool], bool] | None = None
    rate_limit: Callable[[Any], int] | None = None
    set_rate_limit: Callable[[Any, int], None] | None = None
    stats: Callable[[Any], dict[str, int]] = lambda world: {}
    # Its part in the demo.
    demo_share: DemoShare | None = None


@cache
def networks() -> tuple[SimNetwork, ...]:
    """Every simulated network in this package, the mixed ones first (heaviest first), then by name."""
    import listener.simulator as package

    found: list[SimNetwork] = []
    for module in pkgutil.iter_modules(package.__path__):
        network = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "NETWORK", None)
        if isinstance(network, SimNetwork):
            found.append(network)
    return tuple(sorted(found, key=lambda n: (-n.mix_weight, n.name)))


def demo_network(index: int, style: str, via: str, *, own: bool, playing: set[str]) -> str:
    """The network (of those `playing`) that plays a built-in demo mention: a network taking a share of its
    style before the style's home, the home when none does (or when it is not playing)."""
    shares = [(n.name, n.demo_share) for n in networks() if n.demo_share is not None]
    home = next((name for name, share in shares if share.home and share.style == style), "")
    for name, share in shares:
        if not share.home and name in playing and share.takes(index, style, via, own):
            return name
    return home


def played(state: SimState) -> dict[str, SimNetwork]:
    """The networks a simulator's state has worlds for, by name."""
    return {network.name: network for network in networks() if network.name in state.worlds}


def add_mentions(state: SimState, n: int, *, platform: str = "both", kind: str = "mixed") -> list[str]:
    """`n` new mentions on one network by name, or on each mixed network ("both", as it was when there were
    two); their ids. Raises ValueError for a network the simulator does not play."""
    playing = played(state)
    if platform == "both":
        chosen = [network for network in playing.values() if network.mix_weight]
    elif platform in playing:
        chosen = [playing[platform]]
    else:
        raise ValueError(f"no simulated network {platform!r} (known: {', '.join(playing)})")
    added: list[str] = []
    with state.lock:
        for network in chosen:
            added += network.add_mentions(state, state.worlds[network.name], n, kind)
    return added


def network_named(name: str) -> SimNetwork:
    for network in networks():
        if network.name == name:
            return network
    known = ", ".join(n.name for n in networks())
    raise ValueError(f"no simulated network {name!r} (known: {known})")
