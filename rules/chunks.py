"""A value worked out once per whitespace-separated chunk of text.

Chunks repeat across mentions far more often than they are new, so the scorers that read text chunk by chunk
(language words, urgency gates) keep what each chunk gave: a dict hit is far cheaper than the regexes it
replaces. The cache is emptied when full, so memory stays bounded on an endless stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

# 20,000 tweets hold about 70,000 distinct chunks, 50,000 about 140,000. Kept with the chunks themselves, a cache
# of small values this size is about 25 MB.
CHUNK_CACHE_SIZE = 200_000

V = TypeVar("V")


class ChunkCache(dict[str, V]):
    """`cache[chunk]` is `work(chunk)`, computed on first use."""

    def __init__(self, work: Callable[[str], V]) -> None:
        super().__init__()
        self._work = work

    def __missing__(self, chunk: str) -> V:
        if len(self) >= CHUNK_CACHE_SIZE:
            self.clear()
        value = self[chunk] = self._work(chunk)
        return value
