"""`Simulator`: both platforms on 127.0.0.1, a Python API for tests and the demo, and a mention stream."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from listener.simulator import bluesky_api, hackernews_api, mastodon_api
from listener.simulator.bluesky_api import BlueskyHandler
from listener.simulator.faults import Fault, FaultKind
from listener.simulator.hackernews_api import HackerNewsHandler
from listener.simulator.http import SimHandler
from listener.simulator.mastodon_api import MastodonHandler, world_for
from listener.simulator.reddit_api import RedditHandler
from listener.simulator.state import MentionKind, SimState
from listener.simulator.x_api import XHandler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Simulator:
    """Running simulated X and Reddit servers. Use `Simulator.start(...)` as a context manager."""

    def __init__(
        self,
        state: SimState,
        host: str = "127.0.0.1",
        x_port: int = 0,
        reddit_port: int = 0,
        *,
        mastodon_port: int = 0,
        mastodon_handle: str | None = None,
        hackernews_port: int = 0,
        bluesky_port: int = 0,
        bluesky_handle: str | None = None,
    ) -> None:
        self.state = state
        self.host = host
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._stream_stop = threading.Event()
        # Files a client keeps between runs (a Bluesky session) go here, not into the caller's folder.
        self.scratch = Path(tempfile.mkdtemp(prefix="mentiondesk-sim-"))
        self.x_server = self._serve(XHandler, x_port)
        self.reddit_server = self._serve(RedditHandler, reddit_port)
        self.mastodon_server = self._serve(MastodonHandler, mastodon_port)
        self.mastodon = world_for(state, mastodon_handle, self.mastodon_base_url)
        self.hackernews_server = self._serve(HackerNewsHandler, hackernews_port)
        self.hackernews = hackernews_api.world_for(state)
        self.bluesky_server = self._serve(BlueskyHandler, bluesky_port)
        self.bluesky = bluesky_api.world_for(state, bluesky_handle)

    def _serve(self, handler: type[SimHandler], port: int) -> _Server:
        bound = type(handler.__name__, (handler,), {"state": self.state})
        server = _Server((self.host, port), bound)
        thread = threading.Thread(target=server.serve_forever, name=f"sim-{handler.platform}", daemon=True)
        thread.start()
        self._servers.append(server)
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
        subreddits: list[str] | None = None,
        subreddit_keywords: list[str] | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        x_port: int = 0,
        reddit_port: int = 0,
        mastodon_port: int = 0,
        hackernews_port: int = 0,
        bluesky_port: int = 0,
        x_rate_limit: int = 450,
        reddit_rate_limit: int = 1000,
    ) -> Simulator:
        handles = brand_handles or {"x": ["acme"], "reddit": ["acme_support"]}
        state = SimState(
            x_handles=[h.lstrip("@") for h in handles.get("x", [])],
            reddit_handles=[h.removeprefix("u/") for h in handles.get("reddit", [])],
            keywords=keywords or [],
            subreddits=subreddits or [],
            subreddit_keywords=subreddit_keywords or [],
            seed=seed,
            x_rate_limit=x_rate_limit,
            reddit_rate_limit=reddit_rate_limit,
        )
        mastodon = next(iter(handles.get("mastodon") or []), None)
        return cls(
            state,
            host=host,
            x_port=x_port,
            reddit_port=reddit_port,
            mastodon_port=mastodon_port,
            hackernews_port=hackernews_port,
            bluesky_port=bluesky_port,
            mastodon_handle=mastodon,
            bluesky_handle=next(iter(handles.get("bluesky") or []), None),
        )

    def stop(self) -> None:
        self._stream_stop.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # --- addresses ------------------------------------------------------------------------------------

    @property
    def x_base_url(self) -> str:
        return f"http://{self.host}:{self.x_server.server_address[1]}"

    @property
    def reddit_url(self) -> str:
        return f"http://{self.host}:{self.reddit_server.server_address[1]}"

    @property
    def reddit_oauth_url(self) -> str:
        return self.reddit_url

    @property
    def mastodon_base_url(self) -> str:
        return f"http://{self.host}:{self.mastodon_server.server_address[1]}"

    @property
    def hackernews_base_url(self) -> str:
        return f"http://{self.host}:{self.hackernews_server.server_address[1]}"

    @property
    def bluesky_base_url(self) -> str:
        return f"http://{self.host}:{self.bluesky_server.server_address[1]}"

    def env(self) -> dict[str, str]:
        """MENTIONDESK_* variables pointing Mention Desk at this simulator (any credentials are accepted)."""
        return {
            "MENTIONDESK_X_API_BASE_URL": self.x_base_url,
            "MENTIONDESK_X_BEARER_TOKEN": "sim",
            "MENTIONDESK_X_API_KEY": "sim",
            "MENTIONDESK_X_API_SECRET": "sim",
            "MENTIONDESK_X_ACCESS_TOKEN": "sim",
            "MENTIONDESK_X_ACCESS_SECRET": "sim",
            "MENTIONDESK_REDDIT_OAUTH_URL": self.reddit_oauth_url,
            "MENTIONDESK_REDDIT_URL": self.reddit_url,
            "MENTIONDESK_REDDIT_CLIENT_ID": "sim",
            "MENTIONDESK_REDDIT_CLIENT_SECRET": "sim",
            "MENTIONDESK_REDDIT_USERNAME": self.state.reddit_account,
            "MENTIONDESK_REDDIT_PASSWORD": "sim",
            "MENTIONDESK_MASTODON_BASE_URL": self.mastodon_base_url,
            "MENTIONDESK_MASTODON_ACCESS_TOKEN": "sim",
            "MENTIONDESK_HN_BASE_URL": self.hackernews_base_url,
            "MENTIONDESK_BLUESKY_BASE_URL": self.bluesky_base_url,
            "MENTIONDESK_BLUESKY_HANDLE": self.bluesky.handle,
            "MENTIONDESK_BLUESKY_APP_PASSWORD": self.bluesky.password,
            "MENTIONDESK_BLUESKY_SESSION_FILE": str(self.scratch / "bluesky.session"),
        }

    # --- the Python API -------------------------------------------------------------------------------

    def add_mentions(self, n: int, *, platform: str = "both", kind: MentionKind = "mixed") -> list[str]:
        """Post `n` new mentions on X and/or Reddit ("both"), or on another network by name; returns their ids
        (tweet ids, Reddit fullnames, status ids)."""
        added: list[str] = []
        if platform == "bluesky":
            with self.state.lock:
                return bluesky_api.add_mentions(self.bluesky, self.state, n)
        if platform == "hackernews":
            with self.state.lock:
                return hackernews_api.add_mentions(self.hackernews, self.state, n)
        if platform == "mastodon":
            with self.state.lock:
                return mastodon_api.add_mentions(self.mastodon, self.state, n, kind)
        if platform in ("x", "both"):
            added += self.state.add_x_mentions(n, kind)
        if platform in ("reddit", "both"):
            added += self.state.add_reddit_mentions(n, kind)
        return added

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

    def delete(self, fullname: str, *, removed: bool = False) -> None:
        self.state.delete_reddit(fullname, removed=removed)

    def requests(self, platform: str | None = None) -> list[tuple[str, str, str]]:
        with self.state.lock:
            return [r for r in self.state.request_log if platform in (None, r[0])]

    def stream(
        self, per_minute: float, platforms: tuple[str, ...] = ("x", "x", "x", "reddit", "reddit")
    ) -> threading.Thread:
        """Post mentions steadily in the background until `stop()`, on a platform drawn from `platforms`."""
        interval = 60.0 / per_minute if per_minute > 0 else 60.0

        def run() -> None:
            while not self._stream_stop.wait(interval):
                self.add_mentions(1, platform=self.state.rng.choice(platforms))

        thread = threading.Thread(target=run, name="sim-stream", daemon=True)
        thread.start()
        return thread
