"""The per-chunk caches behind language detection and urgency keep memory bounded on an endless stream of new
words, and a chunk met again after the cache was emptied gives the same answer."""

from __future__ import annotations

import pytest

from rules import chunks, language, urgency
from rules.urgency import urgency_tier


def test_an_endless_stream_of_new_words_keeps_the_caches_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "CHUNK_CACHE_SIZE", 50)
    posts = [f"the flight word{n} was cancelled and my luggage{n} is gone, I am stranded" for n in range(400)]
    before = [(language.quick_english(p), urgency_tier(p, label="complaint", complaint=0.9)) for p in posts[:20]]

    for post in posts:
        language.quick_english(post)
        urgency_tier(post, label="complaint", complaint=0.9)
    assert len(language._PACKED_COUNTS) <= 50
    assert len(urgency._GATES.of_chunk) <= 50

    assert [
        (language.quick_english(p), urgency_tier(p, label="complaint", complaint=0.9)) for p in posts[:20]
    ] == before
    assert before[0][0] == "en" and before[0][1] == ("high", "cancellation")
