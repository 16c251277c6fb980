"""The sentiment stacker: questions and "other" mentions take the sentiment it learned from brand mentions,
while a complaint stays negative, praise positive, and the thank-you gate reads the same probabilities as
before."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from rules.classifier import DEFAULT_MODEL_DIR, Classifier, load_classifier
from rules.data import Example
from rules.sentiment_head import FILE
from rules.trained import TrainedClassifier
from rules.training import TrainConfig, save, train

TEXTS = [
    "@shopco when will the blue one be back in stock?",
    "@shopco I did that already",
    "@shopco still waiting for my refund, 3 weeks now",
    "@airco the crew on my flight today were wonderful, thank you!",
    "@shopco ¿Dónde está mi pedido? Llevo tres semanas esperando",
]


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


@pytest.fixture(scope="module")
def without_stacker(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    copy = tmp_path_factory.mktemp("plain") / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    (copy / "mentiondesk_textcat" / FILE).unlink()
    return load_classifier(copy)


# Stock questions and follow-ups inside a support thread, which a person reads as neutral; the complaint
# probability alone made many of them negative before the stacker.
NEUTRAL = [
    TEXTS[0],
    "@shopco do you ship to Canada?",
    "@airco what time does boarding start for the 6pm to Denver?",
    "@shopco is the store on Main St open on Sunday?",
    "@airco can I bring a folding bike on board?",
    "@shopco how do I change the email on my account?",
    TEXTS[1],
    "@airco DM sent",
    "@airco just sent you the confirmation code",
    "@shopco sure, it's the one from last Tuesday",
]


def test_the_shipped_model_reads_stock_questions_and_follow_ups_as_neutral(
    model: Classifier, without_stacker: Classifier
) -> None:
    with_it, without = model.classify(NEUTRAL), without_stacker.classify(NEUTRAL)
    neutral = [t for t, c in zip(NEUTRAL, with_it, strict=True) if c.sentiment == "neutral"]
    # 8 of 10 until the stacker was refitted on the labels that heed the sentiment head (+1b9685f8da): its
    # cross-validated dev figure rose (0.742 -> 0.747), but "I did that already" and "sure, it's the one from last
    # Tuesday" now read negative.
    assert len(neutral) >= 0.7 * len(NEUTRAL), sorted(set(NEUTRAL) - set(neutral))
    assert len(neutral) >= sum(c.sentiment == "neutral" for c in without), "the stacker reads fewer as neutral"
    assert all(abs(sum(c.sentiment_scores.values()) - 1.0) < 1e-3 for c in with_it)


def test_labels_and_the_sentiment_of_complaints_praise_and_other_languages_are_the_head_s(
    model: Classifier, without_stacker: Classifier
) -> None:
    with_it, without = model.classify(TEXTS), without_stacker.classify(TEXTS)
    for a, b in zip(with_it, without, strict=True):
        assert (a.label, a.scores, a.needs_review, a.urgency) == (b.label, b.scores, b.needs_review, b.urgency)
    for a, b in zip(with_it[2:], without[2:], strict=True):
        assert (a.sentiment, a.sentiment_scores) == (b.sentiment, b.sentiment_scores)
    assert [c.sentiment for c in with_it[2:4]] == ["negative", "positive"]


def _rows(n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    kinds = (
        ("complaint", "negative", ["my refund never arrived", "charged twice for one order"]),
        ("question", "neutral", ["what time do you open?", "do you ship to Canada?"]),
        ("question", "negative", ["why is my order late again?", "why was I charged twice?"]),
        ("praise", "positive", ["love the new menu", "great crew today"]),
    )
    out = []
    for i in range(n):
        label, sentiment, phrases = kinds[i % 4]
        text = f"@acme {rng.choice(phrases)} {rng.choice(['lol', 'today', 'tbh', 'again'])}"
        out.append(Example(text, label, sentiment, "hand3k:synthetic", language="en"))
    return out


def test_training_fits_the_stacker_and_a_saved_model_gives_the_same_sentiment(tmp_path: Path) -> None:
    config = TrainConfig(n_buckets=1 << 15, epochs=2, finetune_epochs=1)
    result = train(_rows(400, seed=1), _rows(240, seed=2), config)
    save(result, tmp_path / "model")
    assert (tmp_path / "model" / "mentiondesk_textcat" / FILE).is_file()
    texts = ["@acme why is my order late again? lol", "@acme what time do you open? tbh"]
    fresh = TrainedClassifier(result.nlp).classify(texts)
    assert [(c.label, c.sentiment) for c in fresh] == [("question", "negative"), ("question", "neutral")]
    loaded = load_classifier(tmp_path / "model")
    assert loaded.version == result.version
    assert [(c.sentiment, c.sentiment_scores) for c in loaded.classify(texts)] == [
        (c.sentiment, c.sentiment_scores) for c in fresh
    ]


def test_too_few_held_out_rows_train_no_stacker(tmp_path: Path) -> None:
    config = TrainConfig(n_buckets=1 << 15, epochs=1, finetune_epochs=0)
    save(train(_rows(200, seed=1), _rows(100, seed=2), config), tmp_path / "model")
    assert not (tmp_path / "model" / "mentiondesk_textcat" / FILE).exists()
