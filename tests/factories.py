"""Small builders for test data (real rows through the real pipeline)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from listener.base import Batch, FetchedMention
from storage.models import FoundVia

_ids = itertools.count(1)
BASE_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

T = TypeVar("T")


def must(value: T | None) -> T:
    """The value a test expects to be there (a row by key, an id after flush); fails the test if it is None."""
    assert value is not None
    return value


def mention(
    text: str,
    *,
    author: str = "ana_l",
    name: str = "Ana Lopez",
    followers: int = 120,
    platform: str = "replay",
    via: FoundVia = FoundVia.MENTION,
    external_id: str | None = None,
    brand: str = "acme",
    lang: str | None = "en",
    minutes: int | None = None,
) -> FetchedMention:
    number = next(_ids)
    return FetchedMention(
        platform=platform,
        external_id=external_id or f"m{number}",
        brand=brand,
        text=text,
        author_handle=author,
        author_name=name,
        author_followers=followers,
        created_at=BASE_TIME + timedelta(minutes=minutes if minutes is not None else number),
        language=lang,
        found_via=via,
    )


class ListSource:
    """A source serving fixed pages, standing in for a platform (not for any of our own code)."""

    platform = "replay"
    brand = "acme"

    def __init__(self, pages: list[list[FetchedMention]], name: str = "list:acme") -> None:
        self.pages = pages
        self.name = name
        self.calls: list[str | None] = []

    def fetch(self, cursor: str | None) -> Batch:
        self.calls.append(cursor)
        index = int(cursor) if cursor else 0
        if index >= len(self.pages):
            return Batch(mentions=[], cursor=cursor)
        return Batch(mentions=self.pages[index], cursor=str(index + 1), more=index + 1 < len(self.pages))
