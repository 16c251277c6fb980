"""Indexes a simulated network keeps beside its posts so a request costs about its page, not the whole store:
a listing's items in ascending key order (a post's numeric id), found by key with bisect and read newest or
oldest first from any point. A crisis load holds 100,000 posts; scanning them all per request took seconds.

An index may hold more than a listing shows (a post whose author was renamed by a deletion, say): callers still
apply the listing's own test to each item, so an index only ever narrows what is scanned."""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Generic, TypeVar

T = TypeVar("T")


class OrderedIndex(Generic[T]):
    """Items by a unique integer key, in ascending key order."""

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._items: list[T] = []

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: int) -> bool:
        at = bisect_left(self._keys, key)
        return at < len(self._keys) and self._keys[at] == key

    def add(self, key: int, item: T) -> None:
        """Appends when `key` is the newest (the usual case), else inserts in order; a key held already is left."""
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
            self._items.append(item)
            return
        if key in self:
            return
        at = bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self._items.insert(at, item)

    def remove(self, key: int) -> None:
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            del self._keys[at]
            del self._items[at]

    def get(self, key: int) -> T | None:
        at = bisect_left(self._keys, key)
        return self._items[at] if at < len(self._keys) and self._keys[at] == key else None

    def first(self) -> T | None:
        return self._items[0] if self._items else None

    @property
    def items(self) -> list[T]:
        """The items, oldest first (the index's own list: read it, never change it)."""
        return self._items

    def newest_first(self, *, below: int | None = None, above: int | None = None) -> Iterator[tuple[int, T]]:
        """(key, item) with above < key < below (either bound may be absent), newest first."""
        stop = bisect_left(self._keys, below) if below is not None else len(self._keys)
        start = bisect_right(self._keys, above) if above is not None else 0
        keys, items = self._keys, self._items
        return ((keys[i], items[i]) for i in range(stop - 1, start - 1, -1))

    def oldest_first(self, *, above: int | None = None, below: int | None = None) -> Iterator[tuple[int, T]]:
        """(key, item) with above < key < below (either bound may be absent), oldest first."""
        start = bisect_right(self._keys, above) if above is not None else 0
        stop = bisect_left(self._keys, below) if below is not None else len(self._keys)
        keys, items = self._keys, self._items
        return ((keys[i], items[i]) for i in range(start, stop))


class IndexMap(Generic[T]):
    """One `OrderedIndex` per value of something (a community, a mentioned name, an author), made on first use."""

    def __init__(self) -> None:
        self._by: dict[str, OrderedIndex[T]] = {}

    def add(self, value: str, key: int, item: T) -> None:
        self._by.setdefault(value, OrderedIndex()).add(key, item)

    def remove(self, value: str, key: int) -> None:
        if value in self._by:
            self._by[value].remove(key)

    def get(self, value: str) -> OrderedIndex[T]:
        return self._by.get(value) or OrderedIndex()

    def where(self, wanted: Callable[[str], bool]) -> list[OrderedIndex[T]]:
        """The indexes of the values `wanted` accepts (a value's spellings differing in case, say)."""
        return [index for value, index in self._by.items() if wanted(value)]


def newest_first(
    indexes: Iterable[OrderedIndex[T]], *, below: int | None = None, above: int | None = None
) -> Iterator[tuple[int, T]]:
    """Several indexes read as one (their keys do not overlap), newest first."""
    found = [index.newest_first(below=below, above=above) for index in indexes]
    if len(found) == 1:
        return found[0]
    return heapq.merge(*found, key=lambda pair: pair[0], reverse=True)


def oldest_first(
    indexes: Iterable[OrderedIndex[T]], *, above: int | None = None, below: int | None = None
) -> Iterator[tuple[int, T]]:
    """Several indexes read as one (their keys do not overlap), oldest first."""
    found = [index.oldest_first(above=above, below=below) for index in indexes]
    if len(found) == 1:
        return found[0]
    return heapq.merge(*found, key=lambda pair: pair[0])


def take(pairs: Iterator[tuple[int, T]], keep: Callable[[T], bool], n: int) -> list[T]:
    """The first `n` items that `keep` accepts."""
    return list(islice((item for _, item in pairs if keep(item)), n))
