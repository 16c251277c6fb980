"""Where a thread starts, for networks whose posts name only the post they answer (no thread id). The first
post of a reply's thread is learnt from the posts already seen (a post that answers nothing starts its own
thread; a reply is in its parent's), or told by the platform module after it asked the network. Roots never
change, so one table per server is shared by every source of the process (bounded)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

ROOTS_KEPT = 50_000  # posts whose thread is remembered, per server (the least recently used go first)


class ThreadRoots:
    """Post id -> the id of its thread's first post."""

    def __init__(self, kept: int = ROOTS_KEPT) -> None:
        self._roots: OrderedDict[str, str] = OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    def learn(self, post_id: str, parent: str | None) -> None:
        """What a post says by itself: with no parent it starts a thread; a known parent's thread is its."""
        with self._lock:
            root = post_id if parent is None else self._roots.get(parent)
        if root is not None:
            self.remember([post_id], root)

    def root_of(self, post_id: str) -> str | None:
        with self._lock:
            root = self._roots.get(post_id)
            if root is not None:
                self._roots.move_to_end(post_id)
            return root

    def remember(self, post_ids: Iterable[str], root: str) -> None:
        with self._lock:
            for post_id in post_ids:
                self._roots[post_id] = root
                self._roots.move_to_end(post_id)
            while len(self._roots) > self._kept:
                self._roots.popitem(last=False)


_BY_SERVER: dict[str, ThreadRoots] = {}
_LOCK = threading.Lock()


def roots_for(base_url: str) -> ThreadRoots:
    with _LOCK:
        return _BY_SERVER.setdefault(base_url.rstrip("/").lower(), ThreadRoots())


def forget_roots() -> None:
    """Drop every server's table (a test's fresh process)."""
    with _LOCK:
        _BY_SERVER.clear()
