"""An English label heeds the sentiment head: plain praise the label head alone called a complaint is drafted as
praise, while sarcasm with a grievance in it stays a complaint and is never thanked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from rules.classifier import DEFAULT_MODEL_DIR, heed_sentiment, thank_you_eligible
from rules.trained import TrainedClassifier

# Plain praise with no complaint word in it, which the label head alone read as a complaint (written for this
# test; not in any training or demo set).
PLAIN_PRAISE = [
    "@acme friendly staff, fair prices, spotless store",
    "@acme just finished the audiobook you recommended, loved every minute",
]
# Praise words around a grievance: the sentiment head reads them as positive, so it is no witness here.
SARCASTIC = [
    "Love waiting 3 hours on hold, great job @united",
    "wow amazing service @acme, my order only took 3 days",
    "Great job losing my bag again @AmericanAir",
]


@pytest.fixture(scope="module")
def model() -> TrainedClassifier:
    # An own instance: the tests below change its decoder settings.
    return TrainedClassifier.load(DEFAULT_MODEL_DIR)


@contextmanager
def label_head_alone(model: TrainedClassifier) -> Iterator[None]:
    decoder = model.component.state.decoder
    saved = decoder["sentiment_weight"]
    decoder["sentiment_weight"] = 0.0
    try:
        yield
    finally:
        decoder["sentiment_weight"] = saved


def test_the_shipped_model_heeds_the_sentiment_head(model: TrainedClassifier) -> None:
    assert model.component.state.decoder["sentiment_weight"] == 0.5


def test_plain_praise_the_label_head_called_a_complaint_is_praise(model: TrainedClassifier) -> None:
    with label_head_alone(model):
        before = model.classify(PLAIN_PRAISE)
    after = model.classify(PLAIN_PRAISE)
    assert [c.label for c in before] == ["complaint", "complaint"]
    assert [c.label for c in after] == ["praise", "praise"]
    assert all(c.sentiment == "positive" for c in after)
    # Still not sure enough to thank without a person: drafted with the safe praise wording, under review.
    assert not any(thank_you_eligible(c) for c in after)


def test_sarcasm_around_a_grievance_is_decided_by_the_label_head_alone(model: TrainedClassifier) -> None:
    with label_head_alone(model):
        before = model.classify(SARCASTIC)
    after = model.classify(SARCASTIC)
    for b, a in zip(before, after, strict=True):
        assert a.label == "complaint"
        assert a.scores == b.scores
        assert not thank_you_eligible(a)


def test_clear_praise_gets_surer_and_is_thanked(model: TrainedClassifier) -> None:
    text = ["@acme honestly the best pizza in the neighbourhood"]
    with label_head_alone(model):
        [before] = model.classify(text)
    [after] = model.classify(text)
    assert before.label == after.label == "praise"
    assert after.confidence > before.confidence
    assert thank_you_eligible(after)


def test_heed_sentiment_weighs_complaint_and_praise_only() -> None:
    scores = {"complaint": 0.39, "praise": 0.31, "question": 0.05, "other": 0.25}
    positive = {"negative": 0.14, "neutral": 0.06, "positive": 0.8}
    out = heed_sentiment(scores, positive, 0.5)
    assert max(out, key=out.__getitem__) == "praise"
    assert sum(out.values()) == pytest.approx(1.0, abs=1e-3)
    # Question and "other" keep their ratio to each other.
    assert out["question"] / out["other"] == pytest.approx(0.05 / 0.25, rel=1e-2)
    negative = heed_sentiment(scores, {"negative": 0.8, "neutral": 0.1, "positive": 0.1}, 0.5)
    assert max(negative, key=negative.__getitem__) == "complaint"
    assert heed_sentiment(scores, positive, 0.0) == pytest.approx(scores, abs=1e-4)
