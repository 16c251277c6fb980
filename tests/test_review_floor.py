"""The review floor ("possible complaint") of a model trained on a brand's own rows is set by complaints a person
labelled. A sentiment-only file's "complaints" are every negative post: on 3,000 Apple tweets they drove the floor
to its minimum and flagged 36% of new mentions for review (benchmarks/learning.py, docs/classifier.md)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from rules.classifier import load_classifier
from rules.data import load_labeled_file
from rules.training import tune_decoder

# Negative opinions about a brand, not complaints to it, and neutral news: what a sentiment-only file holds.
NEGATIVE = [
    "$ACME down another {n}% today, the stock has been terrible all quarter",
    "acme's new phone looks boring, version {n} is the worst design yet imo",
    "honestly acme keynote #{n} was the dullest one I've watched",
]
NEUTRAL = ["acme announces quarterly results on day {n}", "acme opens store number {n} in Leeds"]


def sentiment_only_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment"])
        for n in range(12):
            writer.writerows([[t.format(n=n), "negative"] for t in NEGATIVE])
            writer.writerows([[t.format(n=n), "neutral"] for t in NEUTRAL])
    return path


def test_a_sentiment_only_file_leaves_the_review_floor_as_it_was(tmp_path: Path) -> None:
    rows = load_labeled_file(sentiment_only_file(tmp_path))
    assert sum(e.label == "complaint" for e in rows) == 36 and all(e.label_from_sentiment for e in rows)
    model = load_classifier()
    before = model.component.state.decoder["complaint_floor"]  # type: ignore[attr-defined]
    assert tune_decoder(model, rows)["complaint_floor"] == before


def test_the_same_rows_labelled_by_a_person_set_it(tmp_path: Path) -> None:
    rows = [replace(e, label_from_sentiment=False) for e in load_labeled_file(sentiment_only_file(tmp_path))]
    model = load_classifier()
    before = model.component.state.decoder["complaint_floor"]  # type: ignore[attr-defined]
    assert tune_decoder(model, rows)["complaint_floor"] != before
