"""`Simulator`: every simulated network on 127.0.0.1 (each its own port), a Python API for tests and the demo,
and a mention stream. The networks plug in through their modules' `NETWORK` (listener/simulator/network.py);
nothing here names one."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from listener.simulator.faults import Fault, FaultKind
from listener.simulator.network import SimNetwork, WorldOptions, add_mentions, network_named, networks
from listener.simulator.state import MentionKind, SimState


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Simulator:
    """Running simulated networks. Use `Simulator.start(...)` as a context manager.

    Each network's world is `sim.world(name)` (also `sim.<name>`), its address `sim.base_url(name)` (also
    `sim.<name>_base_url`, and any alias its network declares)."""

    def __init__(
        self,
        state: SimState,
        host: str = "127.0.0.1",
        *,
        handles: dict[str, list[str]] | None = None,
        ports: dict[str, int] | None = None,
        rate_limits: dict[str, int] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.state = state
        self.host = host
        self.networks: dict[str, SimNetwork] = {network.name: network for network in networks()}
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._stream_stop = threading.Event()
        # Files a client keeps between runs (a session, say) go here, not into the caller's folder.
        self.scratch = Path(tempfile.mkdtemp(prefix="mentiondesk-sim-"))
        for name, network in self.networks.items():
            self._servers[name] = self._serve(network, (ports or {}).get(name, 0))
            options = WorldOptions(
                handles=list((handles or {}).get(name) or []),
                base_url=self.base_url(name),
                scratch=self.scratch,
                rate_limit=(rate_limits or {}).get(name),
                extra={key: value for key, value in (extra or {}).items() if key in network.extra_options},
            )
            with state.lock:
                state.worlds[name] = network.make_world(state, options)

    def _serve(self, network: SimNetwork, port: int) -> _Server:
        bound = type(network.handler.__name__, (network.handler,), {"state": self.state, "network": network})
        server = _Server((self.host, port), bound)
        thread = threading.Thread(target=server.serve_forever, name=f"sim-{network.name}", daemon=True)
        thread.start()
        self._threads.append(thread)
        return server

    @classmethod
    @contextmanager
    def start(cls, **options: Any) -> Iterator[Simulator]:
        """`create(**options)` as a context manager: the servers stop when the block ends."""
        sim = cls.create(**options)
        try:
            yield sim
        finally:
            sim.stop()

    @classmethod
    def create(
        cls,
        *,
        brand_handles: dict[str, list[str]] | None = None,
        keywords: list[str] | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        **options: Any,
    ) -> Simulator:
        """`brand_handles` by network (default: each mixed network's default handle); `options`:
        `<network>_port` (0: any free port), `<network>_rate_limit` (requests per window, where the network
        has one) and whatever a network declares in its `extra_options` (the communities to play, say)."""
        played = networks()
        handles = brand_handles or {n.name: [n.default_handle] for n in played if n.default_handle}
        ports: dict[str, int] = {}
        limits: dict[str, int] = {}
        extra: dict[str, Any] = {}
        for key, value in options.items():
            if key.endswith("_port") and key.removesuffix("_port") in {n.name for n in played}:
                ports[key.removesuffix("_port")] = int(value)
            elif key.endswith("_rate_limit") and key.removesuffix("_rate_limit") in {n.name for n in played}:
                limits[key.removesuffix("_rate_limit")] = int(value)
            elif any(key in n.extra_options for n in played):
                extra[key] = value
            else:
                raise TypeError(f"Simulator.create() got an unexpected keyword argument {key!r}")
        # Without keywords, the brand's first handle on each mixed network stands in for its name.
        fallback = [
            handles[n.name][0].removeprefix(n.handle_prefix) for n in played if n.mix_weight and handles.get(n.name)
        ]
        state = SimState(keywords=keywords or fallback, seed=seed)
        return cls(state, host=host, handles=handles, ports=ports, rate_limits=limits, extra=extra)

    def stop(self) -> None:
        self._stream_stop.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- worlds and addresses ---------------------------------------------------------------------------

    def world(self, network: str) -> Any:
        return self.state.worlds[network_named(network).name]

    def base_url(self, network: str) -> str:
        return f"http://{self.host}:{self._servers[network].server_address[1]}"

    def __getattr__(self, attr: str) -> Any:
        # `sim.<network>` is its world, `sim.<network>_base_url` (or an alias its network declares) its address.
        found = self.__dict__.get("networks", {})
        if attr in found:
            return self.state.worlds[attr]
        for name, network in found.items():
            if attr == f"{name}_base_url" or attr in network.aliases:
                return self.base_url(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")

    def env(self) -> dict[str, str]:
        """MENTIONDESK_* variables pointing Mention Desk at this simulator (any credentials are accepted)."""
        variables: dict[str, str] = {}
        for name, network in self.networks.items():
            variables.update(network.env(self.state.worlds[name], self.base_url(name), self.scratch))
        return variables

    # --- the Python API -------------------------------------------------------------------------------

    def add_mentions(self, n: int, *, platform: str = "both", kind: MentionKind = "mixed") -> list[str]:
        """Post `n` new mentions on one network by name, or on each mixed network ("both", as it was when
        there were two); returns their ids (tweet ids, fullnames, status ids, ...)."""
        return add_mentions(self.state, n, platform=platform, kind=kind)

    def inject(self, fault: Fault | FaultKind, **options: Any) -> Fault:
        """Queue a fault for the next matching request(s), e.g. `sim.inject("rate_limit", platform="x")`."""
        if not isinstance(fault, Fault):
            fault = Fault(kind=fault, **options)
        with self.state.lock:
            self.state.faults.append(fault)
        return fault

    def replies(self, platform: str | None = None) -> list[dict[str, str]]:
        with self.state.lock:
            return [r.as_dict() for r in self.state.replies if platform in (None, r.platform)]

    def delete(self, post_id: str, *, removed: bool = False) -> None:
        """The post's author deletes it (or a moderator removes it, where a network has moderators)."""
        for name, network in self.networks.items():
            if network.delete_post is not None and network.delete_post(self.state.worlds[name], post_id, removed):
                return
        raise KeyError(post_id)

    def requests(self, platform: str | None = None) -> list[tuple[str, str, str]]:
        with self.state.lock:
            return [r for r in self.state.request_log if platform in (None, r[0])]

    def stream(self, per_minute: float, platforms: tuple[str, ...] | None = None) -> threading.Thread:
        """Post mentions steadily in the background until `stop()`, on a network drawn from `platforms`
        (default: the mixed networks, each as often as its weight)."""
        interval = 60.0 / per_minute if per_minute > 0 else 60.0
        drawn = platforms or tuple(name for name, n in self.networks.items() for _ in range(n.mix_weight))

        def run() -> None:
            while not self._stream_stop.wait(interval):
                self.add_mentions(1, platform=self.state.rng.choice(drawn))

        thread = threading.Thread(target=run, name="sim-stream", daemon=True)
        thread.start()
        return thread
