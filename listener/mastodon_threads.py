"""Where a Mastodon thread starts. A status names only the post it answers (`in_reply_to_id`); the REST API
has no thread or conversation id for public posts. The first post of a reply's thread is learnt from the
statuses already seen (a post that answers nothing starts its own thread; a reply is in its parent's), or
read from the status's context (GET /api/v1/statuses/:id/context, whose `ancestors` run from the first post
down). Roots never change, so one table per instance is shared by every source of the process (bounded)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

ROOTS_KEPT = 50_000  # statuses whose thread is remembered, per instance (the least recently used go first)
# Context reads for one page of mentions at most, and none while the rate window has fewer requests left than
# the reserve: reading mentions comes first; a reply whose thread is not read keeps its parent as conversation.
CONTEXT_READS_PER_PAGE = 10
CONTEXT_RESERVE = 60


class ThreadRoots:
    """Status id -> the id of its thread's first post."""

    def __init__(self, kept: int = ROOTS_KEPT) -> None:
        self._roots: OrderedDict[str, str] = OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    def learn(self, status_id: str, parent: str | None) -> None:
        """What a status says by itself: with no parent it starts a thread; a known parent's thread is its."""
        with self._lock:
            root = status_id if parent is None else self._roots.get(parent)
        if root is not None:
            self.remember([status_id], root)

    def root_of(self, status_id: str) -> str | None:
        with self._lock:
            root = self._roots.get(status_id)
            if root is not None:
                self._roots.move_to_end(status_id)
            return root

    def remember(self, status_ids: Iterable[str], root: str) -> None:
        with self._lock:
            for status_id in status_ids:
                self._roots[status_id] = root
                self._roots.move_to_end(status_id)
            while len(self._roots) > self._kept:
                self._roots.popitem(last=False)


_BY_INSTANCE: dict[str, ThreadRoots] = {}
_LOCK = threading.Lock()


def roots_for(base_url: str) -> ThreadRoots:
    with _LOCK:
        return _BY_INSTANCE.setdefault(base_url.rstrip("/").lower(), ThreadRoots())


def forget_roots() -> None:
    """Drop every instance's table (a test's fresh process)."""
    with _LOCK:
        _BY_INSTANCE.clear()
