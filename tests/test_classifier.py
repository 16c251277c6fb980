"""The shipped model: loads offline, sorts obvious mentions right, survives hostile text, reports calibrated scores."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from mentiondesk.core.errors import ConfigError
from responders.drafting import review_reason
from rules.classifier import (
    DEFAULT_MODEL_DIR,
    LABELS,
    Classifier,
    RuleClassifier,
    load_classifier,
    thank_you_eligible,
    urgency_score,
)

HOSTILE = [
    "",
    " ",
    "<script>alert('x')</script><b>@acme</b> &amp; &lt;3",
    "\u200f\u202eRTL override \u200b\u200b zero\u200dwidth \ufeff",
    "x" * 10_000,
    "great " * 2_000,
    "\x00\x01\x02 control chars \ud7ff",
    "😀" * 500,
    "?!?!?!?!",
    "@a @b @c @d @e @f @g @h",
]


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


def test_default_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    classifier = load_classifier()
    assert classifier.version.startswith("mentiondesk-textcat-")
    assert classifier.classify(["@acme love it"])[0].model_version == classifier.version
    assert sum(f.stat().st_size for f in DEFAULT_MODEL_DIR.rglob("*") if f.is_file()) < 40 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "label", "sentiment"),
    [
        ("@delta worst airline ever, lost my bag and nobody answers the phone", "complaint", "negative"),
        ("On hold for 2 hours... please help, thx @comcastcares", "complaint", "negative"),
        ("Thank you @AlaskaAir, amazing crew and a smooth flight!", "praise", "positive"),
        ("@AppleSupport how do I change the email on my Apple ID?", "question", "neutral"),
        ("@united can I change my flight to tomorrow?", "question", "neutral"),
        ("@SouthwestAir do you have flights from Dallas to Denver on Friday?", "question", "neutral"),
        ("@united why is my flight delayed AGAIN?", "complaint", "negative"),
        ("@SouthwestAir thanks for losing my luggage", "complaint", "negative"),
    ],
)
def test_obvious_mentions(model: Classifier, text: str, label: str, sentiment: str) -> None:
    [c] = model.classify([text])
    assert (c.label, c.sentiment) == (label, sentiment)


def test_problem_question_reads_negative(model: Classifier) -> None:
    [c] = model.classify(["@united why is my flight delayed again?"])
    assert c.sentiment == "negative"
    assert "question" in c.cues


def test_scores_are_probabilities_and_consistent(model: Classifier) -> None:
    texts = ["I hate this", "I love this", "what time do you open?", "new phone day", "meh"]
    for c in model.classify(texts):
        assert set(c.scores) == set(LABELS)
        assert sum(c.scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert c.confidence == max(c.scores.values()) == c.scores[c.label]
        assert 0.0 <= c.confidence <= 1.0
        if c.label == "complaint":
            assert c.sentiment == "negative"
        if c.label == "praise":
            assert c.sentiment == "positive"
        if c.confidence < 0.5:
            assert c.needs_review
        assert c.needs_review == bool(c.review_reason)
        assert sum(c.sentiment_scores.values()) == pytest.approx(1.0, abs=1e-3)
        assert 0.0 <= c.needs_reply <= 1.0 and 0.0 <= c.sarcasm <= 1.0


def test_hostile_text_classifies_in_order(model: Classifier) -> None:
    batch = model.classify(HOSTILE)
    assert len(batch) == len(HOSTILE)
    one_by_one = [model.classify([t])[0] for t in HOSTILE]
    assert [c.label for c in batch] == [c.label for c in one_by_one]
    assert [c.scores for c in batch] == [c.scores for c in one_by_one]


def test_batch_order_is_kept(model: Classifier) -> None:
    texts = ["I love you @acme, best coffee!", "@acme my order never arrived, refund please"] * 600
    labels = [c.label for c in model.classify(texts)]
    assert labels == ["praise", "complaint"] * 600


def test_not_a_model_directory_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError, match="nope"):
        load_classifier(missing)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="empty"):
        load_classifier(tmp_path / "empty")
    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_MODEL_DIR, broken)
    (broken / "config.cfg").write_text("garbage [[[\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken") as info:
        load_classifier(broken)
    assert "\n" not in str(info.value)


def test_rule_fallback_works_without_a_model() -> None:
    fallback = RuleClassifier()
    [angry, happy] = fallback.classify(["still waiting for my refund, terrible service", "love it, thanks!"])
    assert fallback.version == "rules-1"
    assert angry.label == "complaint"
    assert happy.label == "praise"
    assert len(fallback.classify(HOSTILE)) == len(HOSTILE)


def test_urgency_ranks_danger_and_legal_over_plain_complaints(model: Classifier) -> None:
    fire, lawyer, plain, praise = model.classify(
        [
            "@acme my kettle caught fire this morning, my son got burned",
            "@acme I'm calling my lawyer about these charges",
            "@acme my order is late",
            "@acme love the new blend!",
        ]
    )
    assert (fire.urgency, lawyer.urgency) == ("critical", "critical")
    assert lawyer.urgency_reason == "legal threat"
    assert urgency_score(fire) > urgency_score(plain)
    assert urgency_score(lawyer) > urgency_score(plain)
    assert urgency_score(plain) > urgency_score(praise)
    assert urgency_score(plain, followers=1_000_000) > urgency_score(plain, followers=10)
    assert all(0 <= urgency_score(c, followers=10**9) <= 100 for c in (fire, lawyer, plain, praise))


TIERED = [
    ("@acme found a shard of glass in my drink and cut my mouth", "critical", "injury"),
    ("@acme I'm going to sue you, the coffee gave me second-degree burns", "critical", "injury"),
    ("@acme someone used my card on your site, I never made these charges", "critical", "fraud"),
    ("@acme you charged me twice for the same order, I want my money back", "high", "lost money"),
    ("@acme my flight was cancelled and nobody can rebook me", "high", "cancellation"),
    ("@acme the app won't open at all since this morning", "high", "outage"),
    ("@acme the espresso tasted burnt today, usually great, just flagging", "medium", "complaint"),
    ("@acme queue was a bit slow this morning, annoying", "medium", "complaint"),
    ("@acme what time do you open on Sunday?", "low", ""),
    ("@acme best coffee in town, thank you!", "low", ""),
]


def test_urgency_tiers_with_reasons(model: Classifier) -> None:
    results = model.classify([text for text, _, _ in TIERED])
    assert [(c.urgency, c.urgency_reason) for c in results] == [(tier, reason) for _, tier, reason in TIERED]


def test_followers_lift_within_a_tier_never_across(model: Classifier) -> None:
    results = model.classify([text for text, _, _ in TIERED])
    tiers = [c.urgency for c in results]
    rank = {"low": 0, "medium": 1, "high": 2, "critical": 3}
    for c, tier in zip(results, tiers, strict=True):
        for other, other_tier in zip(results, tiers, strict=True):
            if rank[tier] > rank[other_tier]:
                assert urgency_score(c, followers=0) > urgency_score(other, followers=50_000_000)
    mild = results[6]
    assert urgency_score(mild, followers=2_000_000) > urgency_score(mild, followers=0)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("@acme Me siguen cobrando aunque la cancelé, nadie me responde", "es"),
        ("@acme Ich warte seit drei Wochen auf meine Erstattung", "de"),
        ("@acme Merci beaucoup pour votre aide, le service est vraiment excellent", "fr"),
        ("@acme Il mio ordine non è mai arrivato e nessuno mi risponde", "it"),
        ("@acme Meu pedido chegou quebrado e ninguém responde", "pt"),
        ("@acme my order never arrived and nobody answers", "en"),
    ],
)
def test_language_is_detected(model: Classifier, text: str, language: str) -> None:
    [c] = model.classify([text])
    assert c.language == language
    assert c.review_reason != f"language {language} not supported"


def test_unsupported_language_needs_review(model: Classifier) -> None:
    [dutch, japanese] = model.classify(
        [
            "@acme Mijn bestelling is nog steeds niet aangekomen en niemand neemt de telefoon op",
            "@acme 注文した商品がまだ届きません。どうなっていますか？",
        ]
    )
    assert (dutch.language, japanese.language) == ("nl", "ja")
    assert dutch.needs_review and dutch.review_reason == "language nl not supported"
    assert japanese.needs_review and "not supported" in japanese.review_reason


def test_a_language_without_support_counts_as_no_sentiment_unless_labelled(model: Classifier) -> None:
    """The demo's Japanese "the new oat milk latte was delicious" was "negative" in the trends' sentiment share:
    the sentiment head never learned Japanese."""
    results = model.classify(
        ["@acme 新しいオーツミルクラテ、とても美味しかったです！☕", "@acme طلبي لم يصل بعد، أرجو المساعدة"]
    )
    for c in results:
        assert c.needs_review and c.review_reason.startswith("language")
        if c.label in ("question", "other"):
            assert c.sentiment == "neutral" and max(c.sentiment_scores.values()) < 0.34
    assert any(c.label in ("question", "other") for c in results)  # the rule was exercised


def test_non_english_complaints_are_not_praise(model: Classifier) -> None:
    texts = [
        "@acme Me siguen cobrando aunque la cancelé",
        "@acme Ich warte seit drei Wochen auf meine Erstattung, unverschämt",
        "@acme Mon colis n'est jamais arrivé et personne ne répond",
    ]
    for c in model.classify(texts):
        assert c.sentiment == "negative" or c.needs_review, c
        assert c.label != "praise"


def test_needs_reply_separates_requests_from_passing_mentions(model: Classifier) -> None:
    asks = model.classify(
        [
            "@acme my refund still hasn't arrived, can you check?",
            "@acme how do I change the email on my account?",
        ]
    )
    passing = model.classify(
        [
            "eating acme fries with my friends, what a day",
            "just watched the game, acme ad was funny lol",
        ]
    )
    assert min(c.needs_reply for c in asks) > max(c.needs_reply for c in passing)


def test_praise_with_a_negation_is_not_a_complaint(model: Classifier) -> None:
    [c] = model.classify(["@acme not bad at all, actually really good"])
    assert c.label != "complaint" and c.sentiment != "negative"


def test_cues_name_what_was_seen(model: Classifier) -> None:
    [c] = model.classify(["I want to cancel my subscription and get a refund, but nobody answers"])
    assert {"contrast", "complaint:refund", "urgent:cancel", "urgent:refund"} <= set(c.cues)
    [stop] = model.classify(["stop messaging me"])
    assert "opt_out" in stop.cues


def test_sincere_thanks_carry_no_sarcasm_or_broken_cue(model: Classifier) -> None:
    # "so much for" is sarcasm and "again" a thing that broke again, but not inside plain thanks.
    sincere = model.classify(
        ["Thank you SO MUCH for your help @acme", "@acme thanks again, great job again!", "see you again soon @acme"]
    )
    assert [set(c.cues) & {"sarcasm", "complaint:broken"} for c in sincere] == [set(), set(), set()]
    sour = model.classify(
        ["so much for customer service @acme", "@acme thanks so much for nothing", "@acme the app crashed again"]
    )
    assert ["sarcasm" in sour[0].cues, "sarcasm" in sour[1].cues, "complaint:broken" in sour[2].cues] == [True] * 3


def test_the_masks_change_decisions_not_the_features_the_shipped_model_was_trained_on() -> None:
    # `mentiondesk train` must still make the shipped model: its features and weak labels keep the cues.
    from rules.cues import CueMatcher, blank_nlp

    nlp = blank_nlp()
    matcher = CueMatcher(nlp)
    features, decided = matcher.both(nlp("Thank you so much for your help @acme"))
    assert "sarcasm" in features and "sarcasm" not in decided
    assert matcher(nlp("Thank you so much for your help @acme")) == features


def cues_of_features_and_decisions(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The cues the model's features hold and those decisions read: a decision-only change leaves the model as
    it was trained."""
    from rules.cues import CueMatcher, blank_nlp

    nlp = blank_nlp()
    return CueMatcher(nlp).both(nlp(text))


def test_speed_is_not_waiting(model: Classifier) -> None:
    # "sorted everything in 7 minutes" carried the waiting cue of "3 hours on hold", and the thank-you gate refused
    # the praise for it. Minutes after "in" / "within" are speed; any other duration is still waiting.
    quick = "@acme huge thanks to Maria at the Leeds store, she sorted everything in 7 minutes"
    [praise] = model.classify([quick])
    assert "complaint:waiting" not in praise.cues
    assert praise.label == "praise" and thank_you_eligible(praise)
    waited = model.classify(
        [
            "@acme took 45 minutes to get my coffee",
            "@acme on hold for 40 minutes, still nobody",
            "@acme fixed in 10 minutes after 3 hours on hold",
            "@acme 2 days and it arrived in 10 minutes? no",
        ]
    )
    assert ["complaint:waiting" in c.cues for c in waited] == [True] * 4
    features, decided = cues_of_features_and_decisions(quick)
    assert "complaint:waiting" in features and "complaint:waiting" not in decided


def test_a_spared_nuisance_is_praise_not_a_negation(model: Classifier) -> None:
    # "without a single scratch" carried the negation cue of "still no refund": the card held the praise as
    # "may be sarcastic or mixed" and the thank-you gate refused it. Denying a nuisance is praise; denying
    # anything else, or asking whether there is a nuisance, stays a negation.
    spared = "new kettle from @acme arrived without a single scratch, packed like treasure. thank you"
    [praise] = model.classify([spared])
    assert "negation" not in praise.cues
    assert praise.label == "praise" and thank_you_eligible(praise)
    assert review_reason(praise) == ""
    kept = model.classify(
        [
            "@acme still no refund and no reply",
            "@acme not good enough, the app logs me out every hour",
            "@acme no issues with checked bags being transferred?",
            "@acme my order didn't arrive",
        ]
    )
    assert ["negation" in c.cues for c in kept] == [True] * 4
    assert not any(thank_you_eligible(c) for c in kept)
    [fee] = model.classify(["two years with @acme and not one hidden fee"])
    assert not any(c.startswith("complaint:") for c in fee.cues)
    features, decided = cues_of_features_and_decisions(spared)
    assert "negation" in features and "negation" not in decided


def test_thanks_beyond_words_is_not_a_negation(model: Classifier) -> None:
    thanks = model.classify(
        ["@acme HUGE thank you to Tina, could never thank her enough!", "can't thank you enough @acme"]
    )
    assert ["negation" in c.cues for c in thanks] == [False, False]
    [locked_out] = model.classify(["@acme I can't log in and I never got the reset email"])
    assert "negation" in locked_out.cues


def test_a_bare_thank_you_is_praise_however_sure_the_sarcasm_head_is(model: Classifier) -> None:
    # The sarcasm sets are full of short ironic thanks, so the head reads "thanks @Delta!" at about 0.8; with
    # nothing else in the post a person reads thanks (before 2026-12-01 it was drafted as a complaint).
    bare = model.classify(["thanks @Delta!", "thanks again @Delta!", "Thank you @AmericanAir"])
    assert [c.label for c in bare] == ["praise"] * 3
    assert max(c.sarcasm for c in bare) > 0.75  # the head is sure: the decoder, not the head, keeps them praise
    # A thank-you that names what went wrong is still read as the complaint it is.
    sour = model.classify(
        ["thanks for charging me twice, really appreciate it 🙃", "thanks a lot @Delta, lost my bag again"]
    )
    assert [c.label for c in sour] == ["complaint", "complaint"]
