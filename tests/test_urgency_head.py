"""The learned urgency head: it orders the queue by the tiers people gave, while the lexicons keep the critical
and high matters they name, praise stays low, and reach still never crosses a tier."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rules.classifier import DEFAULT_MODEL_DIR, Classifier, load_classifier, urgency_score
from rules.data import Example
from rules.softmax import softmax_rows
from rules.trained import TrainedClassifier
from rules.training import TrainConfig, save, train
from rules.urgency import TIERS
from rules.urgency_head import FILE, fit_sparse, fit_stack


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


def test_the_shipped_model_carries_a_learned_urgency_head(model: Classifier) -> None:
    assert (DEFAULT_MODEL_DIR / "mentiondesk_textcat" / FILE).is_file()
    [c] = model.classify(["@shopco it's been 3 weeks and my refund still hasn't arrived"])
    assert 0.0 <= c.urgency_rank <= 3.0


def test_a_lexicon_hit_keeps_its_tier_and_reason_and_praise_stays_low(model: Classifier) -> None:
    glass, refund, praise = model.classify(
        [
            "@pubco there was a shard of glass in my drink at your Leeds bar, I cut my lip",
            "@bankco my account has been locked for 3 days, can't pay rent",
            "@shopco love the new app, thank you so much!",
        ]
    )
    assert (glass.urgency, glass.urgency_reason) == ("critical", "injury")
    assert (refund.urgency, refund.urgency_reason) == ("high", "account locked")
    assert (praise.urgency, praise.urgency_reason) == ("low", "")


def test_a_rude_complaint_outranks_a_plain_question_and_neither_is_urgent(model: Classifier) -> None:
    rude, question = model.classify(
        ["@airco the staff at the gate were rude and unhelpful, terrible service", "@shopco do you ship to Ireland?"]
    )
    assert (rude.urgency, rude.urgency_reason, question.urgency) == ("medium", "complaint", "low")
    assert urgency_score(rude) > urgency_score(question, followers=10**9)


def test_the_learned_rank_moves_a_mention_only_inside_its_tier(model: Classifier) -> None:
    [c] = model.classify(["@airco the queue at bag drop was long today"])
    floors = {"low": 0, "medium": 25, "high": 50, "critical": 75}
    for tier, floor in floors.items():
        lowest = urgency_score(replace(c, urgency=tier, urgency_rank=0.0), followers=0)
        highest = urgency_score(replace(c, urgency=tier, urgency_rank=3.0), followers=10**9)
        assert floor <= lowest <= highest < floor + 25


def test_a_model_directory_without_the_head_classifies_as_before_the_head(tmp_path: Path, model: Classifier) -> None:
    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, copy)
    (copy / "mentiondesk_textcat" / FILE).unlink()
    plain = load_classifier(copy)
    texts = ["@airco the queue at bag drop was long today", "@shopco do you ship to Ireland?"]
    for with_head, without in zip(model.classify(texts), plain.classify(texts), strict=True):
        assert without.urgency_rank == -1.0
        assert (with_head.label, with_head.scores) == (without.label, without.scores)


def test_the_fits_learn_tiers_that_the_features_separate() -> None:
    # Four made-up features, one per tier, 60 documents each (feature ids as the hashed model would give them).
    tiers = [TIERS[i % 4] for i in range(240)]
    flat = np.asarray([10 + TIERS.index(t) for t in tiers], dtype=np.int64)
    lengths = np.ones(len(tiers), dtype=np.int64)
    weights, bias = fit_sparse(flat, lengths, tiers, n_buckets=32, iterations=200)
    predicted = softmax_rows((weights[flat] + bias).astype(np.float64)).argmax(axis=1)
    assert [TIERS[i] for i in predicted] == tiers
    x = np.hstack([np.ones((len(tiers), 1)), np.eye(4)[predicted]])
    stack = fit_stack(x, tiers, iterations=500)
    assert [TIERS[i] for i in softmax_rows(x @ stack).argmax(axis=1)] == tiers


def _tiered(n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    rows = (
        ("complaint", "negative", "high", ["my refund never arrived", "charged twice for one order"]),
        ("complaint", "negative", "medium", ["the queue was long today", "the coffee was cold"]),
        ("question", "neutral", "low", ["what time do you open?", "do you ship to Canada?"]),
        ("praise", "positive", "low", ["love the new menu", "great crew today"]),
    )
    out = []
    for i in range(n):
        label, sentiment, tier, phrases = rows[i % 4]
        text = f"@acme {rng.choice(phrases)} {rng.choice(['lol', 'today', 'tbh', 'again'])}"
        out.append(Example(text, label, sentiment, "hand3k:synthetic", urgency=tier))
    return out


def test_training_fits_the_head_and_a_saved_model_gives_the_same_urgency(tmp_path: Path) -> None:
    config = TrainConfig(n_buckets=1 << 15, epochs=2, finetune_epochs=1)
    result = train(_tiered(400, seed=1), [], config, urgency_rows=_tiered(240, seed=2))
    save(result, tmp_path / "model")
    assert (tmp_path / "model" / "mentiondesk_textcat" / FILE).is_file()
    texts = ["@acme my refund never arrived again", "@acme what time do you open? lol"]
    fresh = TrainedClassifier(result.nlp).classify(texts)
    loaded = load_classifier(tmp_path / "model")
    assert loaded.version == result.version
    assert [(c.urgency, c.urgency_rank) for c in loaded.classify(texts)] == [(c.urgency, c.urgency_rank) for c in fresh]
    assert fresh[0].urgency_rank > fresh[1].urgency_rank


def test_extra_urgency_rows_teach_the_head_what_the_train_rows_never_showed() -> None:
    # The train rows know no critical matter; extra rows (as rules/eval/urgency_extra.csv gives them) do.
    config = TrainConfig(n_buckets=1 << 15, epochs=2, finetune_epochs=1)
    rng = random.Random(3)
    extra = [
        Example(
            f"@acme {rng.choice(['my son got burned by the kettle', 'the heater caught fire in my flat'])} {i}",
            "complaint",
            "negative",
            "urgency_extra:synthetic",
            urgency="critical",
        )
        for i in range(120)
    ]
    texts = ["@acme my son got burned by the kettle again"]
    plain = train(_tiered(400, seed=1), [], config, urgency_rows=_tiered(240, seed=2))
    taught = train(_tiered(400, seed=1), [], config, urgency_rows=_tiered(240, seed=2), urgency_extra=extra)
    again = train(_tiered(400, seed=1), [], config, urgency_rows=_tiered(240, seed=2), urgency_extra=extra)
    [before] = TrainedClassifier(plain.nlp).classify(texts)
    [after] = TrainedClassifier(taught.nlp).classify(texts)
    assert after.urgency_rank > before.urgency_rank + 0.5
    assert taught.version == again.version != plain.version


def test_a_card_never_calls_a_mention_a_complaint_that_its_label_and_review_flag_say_is_none(
    model: Classifier,
) -> None:
    """The demo queue showed "your Pine St shots are dialed in" as "other", not flagged for review, with a red
    "complaint" urgency chip: the learned head had lifted it to medium at a complaint probability of 0.12."""
    from listener.demo_corpus import DEMO_MENTIONS

    results = model.classify([item.text for item in DEMO_MENTIONS])
    lifted = [
        c
        for c in results
        if c.label in ("question", "other") and c.urgency_reason in ("complaint", "possible complaint")
    ]
    assert all(c.urgency_reason == "possible complaint" for c in lifted)
    assert all(c.scores["complaint"] >= 0.2 and c.review_reason for c in lifted)
    # Since the label heeds the sentiment head (which reads "dialed in" as negative, 0.54), this one's complaint
    # probability reaches the review floor: a red chip now comes with its "Needs review: possible complaint".
    [nerd] = model.classify(["@NorthwindCoffee I'm a picky espresso nerd and your Pine St shots are dialed in"])
    assert nerd.label == "other"
    assert (nerd.urgency, nerd.urgency_reason) == ("low", "") or (
        nerd.urgency_reason == nerd.review_reason == "possible complaint"
    )
