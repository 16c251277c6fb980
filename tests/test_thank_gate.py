"""The automated thank-you gate: sincere praise passes; sarcastic, negated, mixed and question praise never does."""

from __future__ import annotations

from dataclasses import replace

import pytest

from responders.drafting import review_reason
from rules.classifier import (
    DEFAULT_THANK_THRESHOLD,
    THANK_MAX_SARCASM,
    Classification,
    Classifier,
    load_classifier,
    thank_you_eligible,
)

SINCERE = [
    "Thank you @AlaskaAir, the crew was amazing and the flight was smooth!",
    "Huge thanks to @Delta for the upgrade today, you made my day!",
    "@SouthwestAir best airline ever, love you guys! Thank you!",
    # "so much for" and "again" are sarcasm and a thing broken again elsewhere, not in plain thanks; "could never
    # thank her enough" is no negation.
    "Thank you SO MUCH for your help today @JetBlue",
    "@united huge thank you to Maria at the gate, went above and beyond, could never thank her enough!",
]

REFUSED = {
    "sarcastic": [
        "Love waiting 3 hours on hold, great job @united",
        "Thanks for nothing @comcast",
        "Great job losing my bag again @AmericanAir",
        "Oh great, another delay. Thanks a lot @SouthwestAir...",
        "Wow, just what I needed, a cancelled flight. Amazing work @JetBlue",
        "Thanks @united, my bag never arrived. Great.",
        "@AmericanAir thank you for ruining my vacation",
        "@VirginAmerica thanks for making me miss my connection",
        "@AmericanAir Thanks for the 'help'",
        "@airco thanks for the middle seat when I had a perfectly good aisle seat.",
        "i love how the new attendant just stands around watching me instead of helping @shopco",
    ],
    "ironic emoji": [
        "@Tesco thank u to the woman who ID'd me for FUEL on my way home from WORK 🙃",
    ],
    "negated": [
        "Not great, @delta. Not great at all.",
        "I don't love the new app @Spotify",
        "The new update is not good @AppleSupport",
    ],
    "mixed": [
        "Love the crew but the flight was delayed 4 hours @delta",
        "Great food, however the service was terrible @Chipotle",
        "Thanks @Amazon, still waiting for my refund",
        "Pretty excited for my phone to stop working @acme",
    ],
    "question": [
        "Love the new update! When will it come to Android?",
        "Amazing service, can you do the same for my refund?",
        "Great phone @Samsung, does it come in blue?",
    ],
    "polite or backhanded": [
        "@acme the app charged my old card again even though I updated it, thanks for looking into it",
        "@acme refunds take 5-7 business days. Today is business day 15. Thanks so much!",
        "@acme Nice of you to finally answer after three days, appreciate it",
        "@acme love how the wifi works for exactly five minutes, great stuff",
        "@acme great coffee as always, shame about the 40 minute wait",
    ],
    "non-English grievance": [
        "@acme Me siguen cobrando aunque la cancelé, gracias",
        "@acme Danke für nichts, mein Paket ist immer noch nicht da",
    ],
    "threat or danger": [
        "@comcastcares thanks, I'm going to sue you if this isn't fixed",
        "Love my new heater @acme but it caught fire last night",
    ],
}


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


@pytest.mark.parametrize("text", SINCERE)
def test_sincere_praise_is_thanked(model: Classifier, text: str) -> None:
    [c] = model.classify([text])
    assert c.label == "praise"
    assert thank_you_eligible(c)


def test_thanks_again_is_praise_and_only_the_sarcasm_head_may_leave_its_thank_you_to_a_person(model: Classifier):
    # "again" is a thing broken again elsewhere, not in plain thanks. The sarcasm head reads this one at 0.43 to
    # 0.70 depending on the training seed and data (docs/classifier.md, "Hand-written genres"); above 0.5 the
    # gate leaves the thank-you to a person, but it is praise either way, never drafted as a complaint.
    [c] = model.classify(["thanks again @Delta, the crew was great"])
    assert (c.label, c.sentiment) == ("praise", "positive")
    assert "complaint:broken" not in c.cues
    assert thank_you_eligible(c) or c.sarcasm > THANK_MAX_SARCASM


# Sincere thanks that tell a story borrow complaint words ("after the storm", "a full flight"): the model is sure
# they are praise and sees no sarcasm, but has given them a complaint probability between 0.15, where the gate
# used to stop, and 0.20. They are thanked, and the desk drafts them as praise instead of holding them for review.
STORIES = [
    "@airco the gate agent in Denver rebooked my whole family after the storm, so kind. Thank you",
    "@airco Michele at the Boston desk found us four seats together on a full flight. Thank you!",
]
# Inside the band of complaint probability where only sure praise without sarcasm is thanked.
IN_BAND = 0.18


def _with_complaint(c: Classification, complaint: float) -> Classification:
    """The model's verdict on a real mention with another complaint probability (any model may score the same
    text a little higher or lower; the gate's treatment of the band is what these tests are about)."""
    return replace(c, scores={**c.scores, "complaint": complaint})


@pytest.mark.parametrize("text", STORIES)
def test_sure_praise_that_tells_a_story_is_thanked_and_drafted_as_praise(model: Classifier, text: str) -> None:
    [c] = model.classify([text])
    for verdict in (c, _with_complaint(c, IN_BAND)):
        assert thank_you_eligible(verdict), verdict
        assert review_reason(verdict) == ""


def test_sarcastic_thanks_with_as_much_complaint_probability_is_still_held(model: Classifier) -> None:
    [c] = model.classify(["@airco thanks for the middle seat when I had a perfectly good aisle seat."])
    for verdict in (c, _with_complaint(c, IN_BAND)):
        assert not thank_you_eligible(verdict), verdict
        assert review_reason(verdict) == "praise that may be sarcastic or mixed"


def test_the_higher_complaint_ceiling_needs_a_sure_model_and_no_sarcasm() -> None:
    mixed = {"complaint": 0.18, "praise": 0.8, "question": 0.01, "other": 0.01}
    assert thank_you_eligible(_praise(0.8, scores=mixed, sarcasm=0.1))
    assert not thank_you_eligible(_praise(0.7, scores={**mixed, "praise": 0.7, "other": 0.11}, sarcasm=0.1))
    assert not thank_you_eligible(_praise(0.8, scores=mixed, sarcasm=0.3))
    assert not thank_you_eligible(_praise(0.78, scores={**mixed, "complaint": 0.21, "other": 0.0}, sarcasm=0.0))


@pytest.mark.parametrize(("kind", "text"), [(kind, text) for kind, texts in REFUSED.items() for text in texts])
def test_gate_refuses(model: Classifier, kind: str, text: str) -> None:
    [c] = model.classify([text])
    assert not thank_you_eligible(c), f"{kind} praise was cleared for a thank-you: {text!r} -> {c}"


def test_sarcastic_and_polite_complaints_are_mostly_labelled_complaint(model: Classifier) -> None:
    """The issue's bar: at least 80% of sarcastic, polite and backhanded complaints labelled complaint."""
    texts = REFUSED["sarcastic"] + REFUSED["polite or backhanded"]
    results = model.classify(texts)
    labelled = [c.label == "complaint" for c in results]
    assert sum(labelled) >= 0.8 * len(texts), [t for t, ok in zip(texts, labelled, strict=True) if not ok]
    assert not any(c.label == "praise" and thank_you_eligible(c) for c in results)


def test_sarcasm_probability_or_negative_sentiment_blocks_the_gate() -> None:
    assert not thank_you_eligible(_praise(0.95, sarcasm=0.8))
    assert not thank_you_eligible(_praise(0.95, sentiment_scores={"negative": 0.4, "neutral": 0.1, "positive": 0.5}))
    assert not thank_you_eligible(_praise(0.95, urgency="high", urgency_reason="lost money"))


def _praise(confidence: float, **changes: object) -> Classification:
    c = Classification(
        label="praise",
        sentiment="positive",
        confidence=confidence,
        scores={"complaint": 0.01, "praise": confidence, "question": 0.0, "other": 1 - confidence - 0.01},
        cues=(),
        needs_review=False,
        model_version="test",
    )
    return replace(c, **changes)  # type: ignore[arg-type]


def test_gate_needs_confidence_and_no_review_flag() -> None:
    assert thank_you_eligible(_praise(0.95))
    assert not thank_you_eligible(_praise(DEFAULT_THANK_THRESHOLD - 0.01))
    assert not thank_you_eligible(_praise(0.95, needs_review=True))
    assert not thank_you_eligible(_praise(0.95, label="other"))
    assert thank_you_eligible(_praise(0.7), threshold=0.65)
    assert not thank_you_eligible(_praise(0.7), threshold=0.75)


@pytest.mark.parametrize(
    "cue",
    ["sarcasm", "negation", "contrast", "question", "complaint:refund", "urgent:legal", "spam", "opt_out"],
)
def test_any_blocking_cue_refuses(cue: str) -> None:
    assert not thank_you_eligible(_praise(0.99, cues=(cue,)))
