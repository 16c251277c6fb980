"""Urgency as a manager reads the queue: danger and legal threats first, then lost money and outages, then mild
annoyance, then questions and praise; reach moves a mention within its tier only, and the card says why."""

from __future__ import annotations

import pytest

from rules.classifier import Classifier, urgency_score
from rules.urgency import urgency_tier

# Most urgent first; each group is one tier.
CRITICAL = [
    "@cafeco I'm going to sue. Your barista spilled a scalding latte on my daughter and she has second-degree burns",
    "@pubco there was a shard of glass in my drink at your Leeds bar, I cut my lip",
    "@airco small fire in the galley, nobody was hurt but the cabin filled with smoke",
    "@airco my 8 year old is travelling alone and has been left stranded at the gate in Denver",
    "@bankco there are charges on my card I didn't make",
]
HIGH = [
    "@shopco it's been 3 weeks and my refund still hasn't arrived",
    "@bankco my account has been locked for 3 days, can't pay rent",
    "@telco internet has been down since this morning",
    "@airco flight cancelled, no rebooking offered",
    "@airco I'm going to miss my connection in Chicago, can you hold the flight?",
]
MILD = [
    "@cafeco the espresso tasted burnt today, usually great, just flagging",
    "@airco the queue at bag drop was long today",
    "@airco turbulence was rough but no injuries, crew handled it well",
]
LOW = [
    "@shopco what time does the Leeds store open on Sunday?",
    "@shopco do you ship to Ireland?",
    "@shopco love the new app, thank you!",
]


def test_tiers_and_reasons_a_manager_would_expect(classifier: Classifier) -> None:
    groups = (("critical", CRITICAL), ("high", HIGH), ("medium", MILD), ("low", LOW))
    for tier, texts in groups:
        assert [c.urgency for c in classifier.classify(texts)] == [tier] * len(texts), tier
    lawsuit, glass, fire, child, card = classifier.classify(CRITICAL)
    assert lawsuit.urgency_reason in ("legal threat", "injury")
    assert (glass.urgency_reason, fire.urgency_reason) == ("injury", "safety")
    assert (child.urgency_reason, card.urgency_reason) == ("vulnerable customer", "fraud")
    refund, locked, down, cancelled, connection = classifier.classify(HIGH)
    assert [c.urgency_reason for c in (refund, locked, down, cancelled, connection)] == [
        "lost money",
        "account locked",
        "outage",
        "cancellation",
        "stranded",
    ]


def test_every_mention_outranks_every_mention_of_a_lower_tier_whatever_the_reach(classifier: Classifier) -> None:
    groups = [classifier.classify(texts) for texts in (CRITICAL, HIGH, MILD, LOW)]
    for upper, lower in zip(groups, groups[1:], strict=False):
        lowest_above = min(urgency_score(c, followers=0) for c in upper)
        highest_below = max(urgency_score(c, followers=50_000_000) for c in lower)
        assert lowest_above > highest_below


def test_the_lawsuit_with_burns_outranks_the_burnt_espresso(classifier: Classifier) -> None:
    sue, espresso = classifier.classify([CRITICAL[0], MILD[0]])
    assert urgency_score(sue) > urgency_score(espresso, followers=2_000_000)
    assert espresso.urgency == "medium" and espresso.urgency_reason == "complaint"


def test_glass_in_a_drink_outranks_a_late_refund_which_outranks_a_question(classifier: Classifier) -> None:
    glass, refund, question = classifier.classify([CRITICAL[1], HIGH[0], LOW[0]])
    assert urgency_score(glass) > urgency_score(refund, followers=1_000_000)
    assert urgency_score(refund) > urgency_score(question, followers=1_000_000)


def test_reach_lifts_within_a_tier(classifier: Classifier) -> None:
    [refund] = classifier.classify([HIGH[0]])
    assert urgency_score(refund, followers=500_000) > urgency_score(refund, followers=10)
    assert urgency_score(refund, followers=10**9) < 75  # still below every critical mention


@pytest.mark.parametrize(
    "text",
    [
        "@airco bumpy landing but no injuries, thanks to the crew",
        "@airco nobody was hurt, but the seat belt sign never came on",
        "@tvco my Fire TV stick keeps buffering",
        "@airco this delay has my blood boiling",
    ],
)
def test_harm_that_did_not_happen_is_not_critical(text: str) -> None:
    assert urgency_tier(text, label="complaint", complaint=0.9)[0] != "critical"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@airco my son has a nut allergy and you served peanuts anyway", "health"),
        ("@hotelco I slipped on the wet floor in your lobby and I'm in pain", "injury"),
        ("@airco we smelled burning in the cabin for an hour", "safety"),
        ("@bankco someone else has logged into my account and changed my email", "fraud"),
    ],
)
def test_critical_matters_in_words_the_lexicon_did_not_always_know(text: str, reason: str) -> None:
    assert urgency_tier(text, label="complaint", complaint=0.9) == ("critical", reason)


def test_a_question_about_a_high_matter_is_high_and_an_advance_plan_is_not() -> None:
    assert (
        urgency_tier("@airco I'm going to miss my connection, can you hold it?", label="question", complaint=0.2)[0]
        == "high"
    )
    assert urgency_tier("@airco how do I book a wheelchair for Friday?", label="question", complaint=0.05) == (
        "low",
        "",
    )
    assert urgency_tier("@shopco thank you, refund arrived!", label="praise", complaint=0.0) == ("low", "")


@pytest.mark.parametrize(
    "text",
    [
        "don't miss Jonathan Kozol, author of Fire in the Ashes, at @bookshop on Friday",
        "my nirvana poster fell down and my brother choked on Sunday lol @golfco",
        "getting mad at @brand for impersonation is beyond me, it's admiration",
    ],
)
def test_chatter_that_names_a_brand_is_not_made_critical_by_a_danger_word(text: str) -> None:
    assert urgency_tier(text, label="other", complaint=0.05) == ("low", "")
    assert urgency_tier(text.replace("@", ""), label="other", complaint=0.05)[0] == "low"
