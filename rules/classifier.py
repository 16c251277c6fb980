"""Sort a mention into complaint / praise / question / other, with sentiment, calibrated confidence and cues.

`load_classifier()` gives the shipped trained spaCy pipeline (rules/model/); the rule model below is only a
fallback for a checkout without that directory. Everything downstream (routing, urgency, the automated
thank-you gate) reads a `Classification`, never the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, cast

from mentiondesk.core.errors import ConfigError
from rules.language import is_supported
from rules.urgency import urgency_tier

Label = Literal["complaint", "praise", "question", "other"]
Sentiment = Literal["negative", "neutral", "positive"]
LABELS: tuple[str, ...] = ("complaint", "praise", "question", "other")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
NON_ENGLISH_SUPPORTED = frozenset({"de", "es", "fr", "it", "pt"})
_NOT_JUDGED = {"negative": 0.3333, "neutral": 0.3334, "positive": 0.3333}
RULES_VERSION = "rules-1"
# Below this probability of its label a mention goes to a person and is never auto-replied. This is the rule
# fallback's; a trained model carries its own (0.5 for the shipped one, in its state.json).
DEFAULT_REVIEW_THRESHOLD = 0.55
# Chosen on the hand-labelled dev rows so that no auto-thanked mention is negative while >= 30% of positives are
# thanked, and the sarcasm sets are thanked no more than before (rules/model/MODEL_CARD.md). 0.55 until the
# label agreed with the sentiment head (Decoder.sentiment_weight), which makes praise surer.
DEFAULT_THANK_THRESHOLD: float = 0.70
# Even confident praise is not thanked when the model sees a real chance of a complaint (sarcasm, mixed), or a
# negative sentiment share above THANK_MAX_NEGATIVE.
THANK_MAX_COMPLAINT = 0.15
THANK_MAX_NEGATIVE = 0.15
# Praise the model is sure of (confidence >= THANK_SURE) with no hint of sarcasm (<= THANK_SARCASM_HINT) may carry
# a complaint probability up to this: sincere thanks that tell a story ("rebooked my whole family after the
# storm") borrow complaint words. Chosen on the dev rows and the training threads (docs/classifier.md).
THANK_MAX_COMPLAINT_SURE = 0.20


@dataclass(frozen=True)
class Classification:
    label: Label
    sentiment: Sentiment
    confidence: float
    scores: dict[str, float]
    cues: tuple[str, ...]
    needs_review: bool
    model_version: str
    # ISO 639-1 code ("und": no words to judge).
    language: str = "en"
    # Probability that the mention asks for or deserves a reply (merely naming the brand does not).
    needs_reply: float = 1.0
    # Why a person must look ("" when needs_review is False): low confidence, possible complaint, language.
    review_reason: str = ""
    # Urgency tier (low / medium / high / critical) and its reason ("injury", "legal threat", "lost money"...).
    urgency: str = "low"
    urgency_reason: str = ""
    # Calibrated probability of each sentiment (sums to 1); empty for results made without a model.
    sentiment_scores: dict[str, float] = field(default_factory=dict)
    # Probability that the text is sarcastic or ironic.
    sarcasm: float = 0.0
    # Expected urgency tier (0 low .. 3 critical) from the learned urgency head; -1 without one.
    urgency_rank: float = -1.0


class Classifier(Protocol):
    version: str

    def classify(self, texts: Sequence[str]) -> list[Classification]: ...


# --- turning scores and cues into a Classification ------------------------------------------------------

_GRIEVANCE_PREFIXES = ("complaint:", "urgent:")
# Sentiment of questions and "other": the complaint / praise probability at which they lean either way.
NEGATIVE_AT = 0.40
NEGATIVE_WITH_GRIEVANCE_AT = 0.2
POSITIVE_AT = 0.4


def has_grievance(cues: Sequence[str]) -> bool:
    return any(c.startswith(_GRIEVANCE_PREFIXES) or c in ("sarcasm", "emoji:negative") for c in cues)


def sentiment_for(label: str, scores: dict[str, float], cues: Sequence[str]) -> Sentiment:
    """Sentiment consistent with the label; questions and 'other' lean on the scores and cues.

    Crowd workers mark a question about a problem ("why is my flight delayed?") negative, so a question
    with a grievance cue or a sizeable complaint score is negative.
    """
    if label == "complaint":
        return "negative"
    if label == "praise":
        return "positive"
    grievance = has_grievance(cues) or "question:why" in cues
    complaint = scores.get("complaint", 0.0)
    if complaint >= NEGATIVE_AT or (grievance and complaint >= NEGATIVE_WITH_GRIEVANCE_AT):
        return "negative"
    if scores.get("praise", 0.0) >= POSITIVE_AT and not grievance:
        return "positive"
    return "neutral"


def make_classification(
    scores: dict[str, float],
    cues: tuple[str, ...],
    version: str,
    *,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    text: str = "",
    language: str = "en",
) -> Classification:
    """A Classification from label scores alone (the rule fallback)."""
    label = max(scores, key=scores.__getitem__)
    confidence = scores[label]
    sentiment = sentiment_for(label, scores, cues)
    tier, reason = urgency_tier_of(text, label, scores.get("complaint", 0.0), cues)
    review = review_reason_for(confidence, review_threshold, language)
    return Classification(
        label=cast(Label, label),
        sentiment=sentiment,
        confidence=confidence,
        scores=scores,
        cues=cues,
        needs_review=bool(review),
        model_version=version,
        language=language,
        review_reason=review,
        urgency=tier,
        urgency_reason=reason,
    )


def review_reason_for(confidence: float, threshold: float, language: str, doubt: str = "") -> str:
    """Why a person must look first: an unsupported language, a label below the review threshold, else `doubt`
    (`label_doubt`'s reason, "" when there is none)."""
    if not is_supported(language):
        return f"language {language} not supported"
    if confidence < threshold:
        return "low confidence"
    return doubt


POSSIBLE_COMPLAINT = "possible complaint"
POSSIBLE_QUESTION = "possible question"
# A complaint asked as a question with no grievance in its words is often a plain question the label head read
# as a complaint ("what's in the 'Northwind Fog'?", complaint 0.67): an apology would be sent to it. Below this
# complaint probability a person looks first. On the hand-labelled dev rows 13 of 667 are flagged this way, 4 of
# them not complaints (0.6: 9 flagged, 2 not complaints; 0.8: 20 and 7).
QUESTION_COMPLAINT_SURE = 0.7
# Besides the grievance cues: asked "why", a negation or a "but" is how people complain in a question.
_COMPLAINING_QUESTION = ("question:why", "negation", "contrast")


def label_doubt(
    label: str,
    scores: dict[str, float],
    *,
    tier: str,
    language: str,
    cues: Sequence[str],
    complaint_floor: float,
) -> str:
    """Why a label the model is confident of may still be wrong: a complaint probability at the floor behind
    another label, or an English complaint at the medium tier (higher tiers are escalated anyway) asked as a
    question with no grievance in its words, that the model is not sure of."""
    if label != "complaint":
        return POSSIBLE_COMPLAINT if scores["complaint"] >= complaint_floor else ""
    if tier != "medium" or language != "en":
        return ""
    if (
        scores["complaint"] < QUESTION_COMPLAINT_SURE
        and "question" in cues
        and not has_grievance(cues)
        and not any(c in _COMPLAINING_QUESTION for c in cues)
    ):
        return POSSIBLE_QUESTION
    return ""


def urgency_tier_of(text: str, label: str, complaint: float, cues: Sequence[str]) -> tuple[str, str]:
    tier, reason = urgency_tier(text, label=label, complaint=complaint)
    if tier == "low" and label == "complaint":
        return "medium", "complaint"
    return tier, reason


# Cues under which the sentiment head is no witness to the label: it reads the praise words of a sarcastic
# complaint ("love waiting 3 hours, great job") as positive.
_NO_SENTIMENT_WITNESS = ("complaint:", "urgent:", "sarcasm", "emoji:negative")


def heed_sentiment(scores: dict[str, float], sentiments: dict[str, float], weight: float) -> dict[str, float]:
    """Label scores that agree with the sentiment head: a complaint is a negative mention and praise a positive
    one, so each is multiplied by (3 x that sentiment's probability) ** weight, a question or "other" (any
    sentiment) by 1, and the scores are renormalised.

    Why: the label head learned from a few thousand brand tweets, mostly complaints, and calls plain praise a
    complaint ("the matcha oat latte is perfect. I'm in there every morning now": complaint 0.39, praise 0.31)
    where the sentiment head, which learned from every corpus, is sure it is positive (0.80)."""
    factor = {"complaint": sentiments["negative"], "praise": sentiments["positive"]}
    weighed = {name: p * (3 * factor[name]) ** weight if name in factor else p for name, p in scores.items()}
    total = sum(weighed.values())
    if total <= 0:
        return scores
    return {name: round(p / total, 4) for name, p in weighed.items()}


def critical_is_complaint(scores: dict[str, float]) -> dict[str, float]:
    """Move the question and other probability to complaint, enough to make complaint the top label."""
    moved = dict(scores)
    for name in ("question", "other"):
        moved["complaint"] += moved[name]
        moved[name] = 0.0
    if moved["complaint"] <= moved["praise"]:
        half = (moved["complaint"] + moved["praise"]) / 2
        moved["complaint"], moved["praise"] = half + 0.01, half - 0.01
    return {name: round(p, 4) for name, p in moved.items()}


@dataclass(frozen=True)
class Decoder:
    """Turns a trained model's head probabilities into a Classification. Settings are tuned on the dev split
    and saved with the model (state.json: decoder)."""

    review_threshold: float = 0.5
    # A mention not labelled complaint whose complaint probability reaches this is flagged for review.
    complaint_floor: float = 0.35
    # Sentiment of questions and "other" leans negative when the complaint probability reaches this.
    negative_at: float = 0.5
    # A model with a label head only (made before the multi-head version): sentiment from label scores.
    label_only: bool = False
    # How far an English label heeds the sentiment head (`heed_sentiment`); 0: the label head alone.
    sentiment_weight: float = 0.0

    @classmethod
    def from_state(cls, settings: dict[str, float], review_threshold: float) -> Decoder:
        return cls(
            review_threshold=review_threshold,
            complaint_floor=settings.get("complaint_floor", cls.complaint_floor),
            negative_at=settings.get("negative_at", cls.negative_at),
            label_only=bool(settings.get("label_only", 0.0)),
            sentiment_weight=settings.get("sentiment_weight", 0.0),
        )

    @staticmethod
    def from_sentiment(scores: dict[str, float], sentiments: dict[str, float]) -> dict[str, float]:
        """Label scores for a mention in a supported language other than English.

        The label head learned from few non-English brand tweets; the sentiment head learned from thousands
        in each language. A negative mention to a brand is a complaint, a positive one praise, and the
        neutral share is split between question and other as the label head sees it."""
        neutral = scores["question"] + scores["other"]
        question = scores["question"] / neutral if neutral > 0 else 0.5
        return {
            "complaint": round(sentiments["negative"], 4),
            "praise": round(sentiments["positive"], 4),
            "question": round(sentiments["neutral"] * question, 4),
            "other": round(sentiments["neutral"] * (1 - question), 4),
        }

    def decide(
        self, row: Sequence[float], cues: tuple[str, ...], language: str, version: str, text: str = ""
    ) -> Classification:
        scores = dict(zip(LABELS, row[0:4], strict=True))
        sentiments = dict(zip(SENTIMENTS, row[4:7], strict=True))
        if language != "en" and language in NON_ENGLISH_SUPPORTED and not self.label_only:
            scores = self.from_sentiment(scores, sentiments)
        elif language == "en" and self.sentiment_weight and not any(c.startswith(_NO_SENTIMENT_WITNESS) for c in cues):
            scores = heed_sentiment(scores, sentiments, self.sentiment_weight)
        label = max(scores, key=scores.__getitem__)
        confidence = scores[label]
        complaint = scores["complaint"]
        if self.label_only:
            made = make_classification(
                scores, cues, version, review_threshold=self.review_threshold, text=text, language=language
            )
            return made
        tier, reason = urgency_tier_of(text, label, complaint, cues)
        if tier == "critical" and label in ("question", "other"):
            # An injury, a legal threat or fraud told to a brand is a complaint, however it is phrased (protocol
            # 2.4: "someone used my card on your site, what do I do?" is critical, and a complaint).
            scores = critical_is_complaint(scores)
            label, complaint = "complaint", scores["complaint"]
            confidence = scores["complaint"]
        if label == "complaint":
            sentiment = "negative"
        elif label == "praise":
            sentiment = "positive"
        elif not is_supported(language):
            # The sentiment head never learned this language: its answer would count a Japanese "delicious" as
            # negative in the trends. Neutral, with every sentiment as likely, says "not judged".
            sentiment, sentiments = "neutral", dict(_NOT_JUDGED)
        elif complaint >= self.negative_at:
            sentiment = "negative"
        else:
            sentiment = max(sentiments, key=sentiments.__getitem__)
        doubt = label_doubt(
            label,
            scores,
            tier=tier,
            language=language,
            cues=cues,
            complaint_floor=self.complaint_floor,
        )
        review = review_reason_for(confidence, self.review_threshold, language, doubt)
        return Classification(
            label=cast(Label, label),
            sentiment=cast(Sentiment, sentiment),
            confidence=confidence,
            scores=scores,
            cues=cues,
            needs_review=bool(review),
            model_version=version,
            language=language,
            needs_reply=row[8],
            review_reason=review,
            urgency=tier,
            urgency_reason=reason,
            sentiment_scores=sentiments,
            sarcasm=row[10],
        )


def softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(x - top) for x in logits]
    total = sum(exps)
    return [e / total for e in exps]


# --- the rule model (fallback) --------------------------------------------------------------------------


class RuleClassifier:
    """Cue counting only. Used when no trained model is installed; its confidences are rough."""

    version = RULES_VERSION

    def __init__(self) -> None:
        from rules.cues import CueMatcher, blank_nlp

        self.nlp = blank_nlp()
        self.cue_matcher = CueMatcher(self.nlp)

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        from rules.cues import public, text_of
        from rules.language import detect

        docs = list(self.nlp.pipe(texts, batch_size=512))
        # The tokenizer made each post's plain text (rules/text.py); language and urgency read that too.
        plain = [text_of(doc) for doc in docs]
        out: list[Classification] = []
        for text, language, doc in zip(plain, detect(plain), docs, strict=True):
            found = self.cue_matcher(doc)
            probs = softmax(rule_logits(found))
            scores = {name: round(p, 4) for name, p in zip(LABELS, probs, strict=True)}
            out.append(make_classification(scores, public(found), self.version, text=text, language=language))
        return out


def rule_logits(cues: Sequence[str]) -> list[float]:
    """complaint, praise, question, other logits from cue counts."""
    found = set(cues)
    grievances = sum(1 for c in found if c.startswith(_GRIEVANCE_PREFIXES))
    complaint = 1.2 * grievances + 1.0 * ("_neg" in found) + 0.8 * ("emoji:negative" in found)
    complaint += 1.5 * ("sarcasm" in found)
    praise = 1.2 * ("_pos" in found) + 0.8 * ("_thanks" in found) + 1.0 * ("emoji:positive" in found)
    praise -= 1.5 * ("sarcasm" in found) + 0.8 * ("negation" in found) + 0.6 * ("contrast" in found)
    question = 1.4 * ("question" in found)
    other = 0.6 + 0.8 * ("spam" in found)
    return [complaint, praise, question, other]


# --- loading --------------------------------------------------------------------------------------------

# One text per path through the classifier: English, and languages that need the language detector's model.
WARM_UP_TEXTS = (
    "@acme my order is three weeks late and nobody answers",
    "¿Dónde está mi pedido? Llevo tres semanas esperando una respuesta",
    "Wo bleibt meine Bestellung? Ich warte seit drei Wochen auf eine Antwort",
    "Où est ma commande ? J'attends une réponse depuis trois semaines",
)


def warm_up(classifier: Classifier) -> None:
    """Load now what the first batch would load lazily (the models, the language detector: seconds)."""
    classifier.classify(list(WARM_UP_TEXTS))


def load_classifier(model_dir: Path | str | None = None) -> Classifier:
    """None -> the shipped default model in rules/model/ (falls back to the rule model only if that dir is
    missing). A path that is not a valid model raises ConfigError naming the path."""
    if model_dir is None:
        if not (DEFAULT_MODEL_DIR / "config.cfg").exists():
            return RuleClassifier()
        model_dir = DEFAULT_MODEL_DIR
    from rules.trained import TrainedClassifier

    return TrainedClassifier.load(Path(model_dir))


def require_model_dir(path: Path) -> None:
    """Raise ConfigError unless `path` looks like a saved Mention Desk pipeline."""
    if not path.is_dir():
        raise ConfigError("model directory does not exist", path=path)
    for name in ("config.cfg", "meta.json"):
        if not (path / name).is_file():
            raise ConfigError(f"not a Mention Desk model (no {name})", path=path)


# --- what the rest of the desk asks of a Classification -------------------------------------------------

# Each tier owns a band of the 0..100 score, so reach never lifts a mention into the next tier.
TIER_FLOOR = {"low": 0, "medium": 25, "high": 50, "critical": 75}
TIER_WIDTH = 24


def urgency_score(c: Classification, *, followers: int = 0) -> int:
    """0..100. The tier decides the band (critical 75+, high 50-74, medium 25-49, low 0-24); the rest only
    orders mentions inside it: up to 14 points from the learned urgency head's expected tier (`urgency_rank`),
    up to 10 for reach (log of followers). Without that head (older models, relabels): the 14 points are how
    sure the model is that the mention is a complaint and negative (half each), and in the low tier 12 points
    split three ways with how much the mention asks for a reply."""
    floor = TIER_FLOOR.get(c.urgency, 0)
    complaint = c.scores.get("complaint", 0.0)
    negative = c.sentiment_scores.get("negative", complaint) if c.sentiment_scores else complaint
    if c.urgency_rank >= 0:
        # The learned head's expected tier: one tier below this one scores 0, one tier above 14. On the dev rows
        # this orders gold tiers inside a band better than mixing in needs_reply for the low tier (0.877 / 0.874).
        tier_rank = TIER_FLOOR.get(c.urgency, 0) / 25
        severity = 14.0 * min(1.0, max(0.0, (c.urgency_rank - tier_rank + 1) / 2))
    elif c.urgency != "low":
        severity = 7.0 * complaint + 7.0 * negative
    else:
        severity = 4.0 * complaint + 4.0 * negative + 4.0 * min(1.0, max(0.0, c.needs_reply))
    reach = min(10.0, 2.0 * math.log10(1 + max(0, followers)))
    if c.urgency == "low" and c.sentiment != "negative":
        reach /= 3
    return int(floor + min(TIER_WIDTH, round(severity + reach)))


_THANK_BLOCKERS = frozenset({"sarcasm", "question", "negation", "contrast", "spam", "opt_out", "emoji:negative"})
# Above this sarcasm probability (the model's sarcasm head) praise is not thanked automatically; above the
# hint, only praise the model is sure of ("Big thanks for the free workout: walked to 3 stores for milk").
THANK_MAX_SARCASM = 0.5
THANK_SARCASM_HINT = 0.2
THANK_SURE = 0.75
# Praise with a hint of sarcasm is thanked only at this confidence. 0.75 until the label heeded the sentiment
# head, which makes praise surer: at 0.75 the demo's "Big thanks for the free workout: walked to 3 stores
# looking for one with milk" (0.82, sarcasm 0.28) would be thanked.
THANK_SURE_DESPITE_HINT = 0.85


def thank_complaint_ceiling(c: Classification) -> float:
    """The highest complaint probability at which praise may still be thanked automatically."""
    if c.confidence >= THANK_SURE and c.sarcasm <= THANK_SARCASM_HINT:
        return THANK_MAX_COMPLAINT_SURE
    return THANK_MAX_COMPLAINT


def thank_you_eligible(c: Classification, *, threshold: float = DEFAULT_THANK_THRESHOLD) -> bool:
    """Text-level gate for an automated thank-you: praise only, confidence >= threshold, positive sentiment,
    no complaint or sarcasm cue or probability, no question, no negation or contrast, not needs_review.
    (The caller adds: direct @mention, platform allows, author not thanked recently, daily cap, quiet hours.)"""
    if c.label != "praise" or c.needs_review or c.confidence < threshold or c.sentiment != "positive":
        return False
    if c.scores.get("complaint", 0.0) > thank_complaint_ceiling(c) or c.sarcasm > THANK_MAX_SARCASM:
        return False
    if c.sarcasm > THANK_SARCASM_HINT and c.confidence < THANK_SURE_DESPITE_HINT:
        return False
    if c.sentiment_scores and c.sentiment_scores.get("negative", 0.0) > THANK_MAX_NEGATIVE:
        return False
    if c.urgency != "low" or c.language != "en":
        # Outside English the model has seen few brand mentions: a person thanks those.
        return False
    return not any(cue in _THANK_BLOCKERS or cue.startswith(_GRIEVANCE_PREFIXES) for cue in c.cues)
