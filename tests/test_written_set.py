"""The hand-written posts (rules/eval/written_mentions.csv): well-formed, split for good, trained on only in their
train part, and kept apart from the demo corpus that benchmarks/judgment.py scores as a held-out judge."""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

from listener.demo_corpus import DEMO_MENTIONS
from rules.corpora import WEIGHTS, build
from rules.data import DEFAULT_DATA_DIR
from rules.hand3k import OUTCOMES_FILE, WRITTEN_FILE, load_outcomes, load_written
from rules.text import norm_key
from rules.training import is_in_domain

ALLOWED = {
    "label": {"complaint", "praise", "other"},
    "sentiment": {"negative", "neutral", "positive"},
    "kind": {"sarcastic", "polite", "backhanded", "sincere", "neutral"},
    "sarcasm": {"yes", "no"},
    "needs_reply": {"yes", "no"},
    "urgency": {"critical", "high", "medium", "low"},
}


def rows(path: Path = WRITTEN_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_has_allowed_values_a_unique_id_and_a_unique_text():
    found = rows()
    for line, row in enumerate(found, start=2):
        for field, allowed in ALLOWED.items():
            assert row[field] in allowed, f"{WRITTEN_FILE.name}:{line}: {field}={row[field]!r}"
        assert row["text"].strip(), f"{WRITTEN_FILE.name}:{line}: empty text"
    assert len({r["id"] for r in found}) == len(found)
    assert len({norm_key(r["text"]) for r in found}) == len(found)


def test_complaints_of_every_kind_are_negative_and_sincere_praise_is_never_sarcastic():
    for row in rows():
        if row["label"] == "complaint":
            assert (row["sentiment"], row["kind"]) in {("negative", k) for k in ("sarcastic", "polite", "backhanded")}
        if row["kind"] == "sincere":
            assert (row["label"], row["sarcasm"]) == ("praise", "no")


def test_the_split_is_fixed_and_holds_every_kind_in_its_test_part():
    first, again = load_written(), load_written()
    assert [e.split for e in first] == [e.split for e in again]
    test_kinds = Counter(e.source for e in first if e.split == "test")
    assert set(test_kinds) == {f"written:{k}" for k in ALLOWED["kind"]}
    assert 0.2 < sum(test_kinds.values()) / len(first) < 0.4


def test_training_sees_the_train_part_weighted_and_in_domain_and_never_the_test_part():
    every = build(DEFAULT_DATA_DIR)
    written = [e for e in every if e.source.startswith("written:")]
    by_split = Counter(e.split for e in written)
    assert by_split == Counter(e.split for e in load_written())
    assert {e.weight for e in written} == {WEIGHTS["written"]}
    assert all(is_in_domain(e) for e in written)  # the fine-tuning stage learns from them too
    assert {e.sarcasm for e in written} == {-1}  # surface thanks would teach the sarcasm head to doubt real thanks
    test_texts = {e.text for e in written if e.split == "test"}
    assert not any(e.text in test_texts for e in every if e.split == "train")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", re.sub(r"@\w+|https?://\S+", " ", text.lower())))


@cache
def _demo_words() -> tuple[set[str], ...]:
    return tuple(_words(m.text) for m in DEMO_MENTIONS)


def closest_demo_overlap(text: str) -> float:
    """The largest share of words (Jaccard) `text` has in common with any demo mention."""
    words = _words(text)
    return max(len(words & d) / max(1, len(words | d)) for d in _demo_words())


def test_no_written_post_is_a_near_copy_of_a_demo_mention():
    # The demo corpus judges these genres in benchmarks/judgment.py, so nothing trained on may restate it.
    for row in rows():
        assert closest_demo_overlap(row["text"]) < 0.3, (row["id"], row["text"])


def test_the_outcome_posts_are_well_formed_never_trained_on_and_not_copies():
    # A judge for praise told in complaint words ("refund landed the same afternoon") and plain complaints in
    # the same words: its figures mean something only while nothing learns from it.
    found = rows(OUTCOMES_FILE)
    assert {(r["label"], r["sentiment"], r["kind"]) for r in found} == {
        ("praise", "positive", "sincere"),
        ("complaint", "negative", "plain"),
    }
    assert {r["urgency"] for r in found if r["label"] == "praise"} == {"low"}
    assert {r["urgency"] for r in found if r["label"] == "complaint"} <= {"high", "medium"}
    assert len({r["id"] for r in found}) == len(found) == len(load_outcomes())
    keys = {norm_key(r["text"]) for r in found}
    assert len(keys) == len(found)
    assert not keys & {norm_key(r["text"]) for r in rows()}
    assert not any(norm_key(e.text) in keys for e in build(DEFAULT_DATA_DIR))
    for row in found:
        assert closest_demo_overlap(row["text"]) < 0.3, (row["id"], row["text"])
