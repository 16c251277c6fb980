"""Sort a mention into complaint / praise / question / other, with sentiment, calibrated confidence and cues.

`load_classifier()` gives the shipped trained spaCy pipeline (rules/model/); the rule model below is only a
fallback for a checkout without that directory. Everything downstream (routing, urgency, the automated
thank-you gate) reads a `Classification`, never the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, cast

from mentiondesk.core.errors import ConfigError

Label = Literal["complaint", "praise", "question", "other"]
Sentiment = Literal["negative", "neutral", "positive"]
LABELS: tuple[str, ...] = ("complaint", "praise", "question", "other")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

DEFAULT_MODEL_DIR = Path(__file__).parent / "model"
RULES_VERSION = "rules-1"
# Below this probability of its label a mention goes to a person and is never auto-replied. This is the rule
# fallback's; a trained model carries its own (0.5 for the shipped one, in its state.json).
DEFAULT_REVIEW_THRESHOLD = 0.55
# Chosen so that few auto-thanked mentions are complaints while >= 30% of positives are thanked on the TWCS
# tune half (rules/model/MODEL_CARD.md).
DEFAULT_THANK_THRESHOLD: float = 0.55
# Even confident praise is not thanked when the model sees a real chance of a complaint (sarcasm, mixed).
THANK_MAX_COMPLAINT = 0.15


@dataclass(frozen=True)
class Classification:
    label: Label
    sentiment: Sentiment
    confidence: float
    scores: dict[str, float]
    cues: tuple[str, ...]
    needs_review: bool
    model_version: str


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
) -> Classification:
    label = max(scores, key=scores.__getitem__)
    confidence = scores[label]
    return Classification(
        label=cast(Label, label),
        sentiment=sentiment_for(label, scores, cues),
        confidence=confidence,
        scores=scores,
        cues=cues,
        needs_review=confidence < review_threshold,
        model_version=version,
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
        from rules.cues import public

        out: list[Classification] = []
        for doc in self.nlp.pipe(texts, batch_size=512):
            found = self.cue_matcher(doc)
            probs = softmax(rule_logits(found))
            scores = {name: round(p, 4) for name, p in zip(LABELS, probs, strict=True)}
            out.append(make_classification(scores, public(found), self.version))
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

_URGENT_WEIGHTS = {
    "urgent:safety": 40,
    "urgent:legal": 35,
    "urgent:cancel": 20,
    "urgent:refund": 12,
}


def urgency_score(c: Classification, *, followers: int = 0) -> int:
    """0..100 from negativity, cues (cancel, refund, legal, safety...) and author reach (log of followers)."""
    negativity = c.scores.get("complaint", 0.0)
    if c.sentiment == "negative":
        negativity = max(negativity, 0.6)
    score = 35.0 * negativity
    score += sum(weight for cue, weight in _URGENT_WEIGHTS.items() if cue in c.cues)
    score += min(10, 4 * sum(1 for cue in c.cues if cue.startswith("complaint:")))
    score += 5 * ("sarcasm" in c.cues)
    # Reach matters only for something that is going wrong; 1M followers adds 18 points.
    reach = 3.0 * math.log10(1 + max(0, followers))
    score += reach if negativity >= 0.3 else reach / 3
    return max(0, min(100, round(score)))


_THANK_BLOCKERS = frozenset({"sarcasm", "question", "negation", "contrast", "spam", "opt_out", "emoji:negative"})


def thank_you_eligible(c: Classification, *, threshold: float = DEFAULT_THANK_THRESHOLD) -> bool:
    """Text-level gate for an automated thank-you: praise only, confidence >= threshold, no complaint or
    sarcasm cue, no question, no negation or contrast, not needs_review. (The caller adds: direct @mention,
    platform allows, author not thanked recently, daily cap, quiet hours.)"""
    if c.label != "praise" or c.needs_review or c.confidence < threshold:
        return False
    if c.scores.get("complaint", 0.0) > THANK_MAX_COMPLAINT:
        return False
    return not any(cue in _THANK_BLOCKERS or cue.startswith(_GRIEVANCE_PREFIXES) for cue in c.cues)
