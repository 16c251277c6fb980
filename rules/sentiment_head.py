"""The sentiment stacker: a small logistic regression that reads the model's own head probabilities, its label
and its cues and gives the sentiment of an English mention.

The sentiment head alone is one softmax over hashed features trained mostly on general tweets; on brand
mentions the label head, the sarcasm head and the cues know things it does not (a question about a delay is
negative to crowd workers, a follow-up with a handle and an order number is neutral). The stacker learns how
far to trust each, fitted on held-out brand mentions (the hand-labelled dev rows, or a user's own held-out rows
in `mentiondesk train`) after the main model and its calibration are fixed.

Combined with the decoder (`apply`): a complaint stays negative and praise positive, and their
`sentiment_scores` stay the sentiment head's (the label decided; the thank-you gate and the review of doubtful
praise read the head's negative share, which the stacker, knowing the label is praise, would lower); a
question or "other" takes the stacker's most likely sentiment and its probabilities. Outside English the
sentiment head stands (the stacker saw few non-English rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
from spacy.language import Language

from rules.classifier import LABELS, SENTIMENTS, Classification, Sentiment
from rules.softmax import fit_softmax, softmax_rows

FILE = "sentiment.npz"
# Regularisation of the fit (chosen by 5-fold cross-validation on the dev rows) and the least rows it needs.
STACK_L2 = 10.0
MIN_ROWS = 200
FOLDS = 5
# The main heads' columns the stacker reads (label, sentiment, needs-reply, sarcasm), as log-probabilities.
_HEAD_COLUMNS = 11
_LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}
# Labels whose sentiment the label decides (complaint: negative, praise: positive).
_LABEL_DECIDES = frozenset({"complaint", "praise"})


@dataclass
class SentimentStack:
    stack: np.ndarray  # design() columns x 3 (negative, neutral, positive)
    cues: tuple[str, ...]  # the cue names the stacker reads, in order

    def probabilities(self, results: Sequence[Classification], probs: np.ndarray) -> np.ndarray:
        return softmax_rows(design(results, probs, self.cues) @ self.stack)

    def apply(self, results: Sequence[Classification], probs: np.ndarray) -> list[Classification]:
        """`results` as the decoder made them; `probs` the model's probabilities of those mentions (every head's
        columns first). Changes English questions and "other" in place: the decoder made them a moment ago and
        nothing else holds them yet."""
        chosen = [i for i, c in enumerate(results) if c.language == "en" and c.label not in _LABEL_DECIDES]
        if not chosen:
            return list(results)
        stacked = np.round(self.probabilities([results[i] for i in chosen], probs[chosen]), 4).tolist()
        for i, row in zip(chosen, stacked, strict=True):
            scores = dict(zip(SENTIMENTS, row, strict=True))
            object.__setattr__(results[i], "sentiment_scores", scores)
            object.__setattr__(results[i], "sentiment", cast(Sentiment, max(scores, key=scores.__getitem__)))
        return list(results)


def design(results: Sequence[Classification], probs: np.ndarray, cues: Sequence[str]) -> np.ndarray:
    """The stacker's inputs, one row per mention: a constant, the main heads' log-probabilities, then
    indicators of the label and of each cue."""
    n = len(results)
    dense = np.hstack([np.ones((n, 1)), np.log(probs[:, :_HEAD_COLUMNS] + 1e-4)])
    flags = np.zeros((n, len(LABELS) + len(cues)))
    cue_column = {name: len(LABELS) + j for j, name in enumerate(cues)}
    for i, c in enumerate(results):
        flags[i, _LABEL_INDEX[c.label]] = 1.0
        for cue in c.cues:
            column = cue_column.get(cue)
            if column is not None:
                flags[i, column] = 1.0
    return np.hstack([dense, flags])


# --- fitting --------------------------------------------------------------------------------------------


def fit_stack(x: np.ndarray, gold: Sequence[str], *, l2: float = STACK_L2, iterations: int = 3000) -> np.ndarray:
    y = np.eye(len(SENTIMENTS))[[SENTIMENTS.index(s) for s in gold]]
    return fit_softmax(x, y, l2=l2, iterations=iterations)


@dataclass
class Stacking:
    """What the stacker is fitted on: the main model's view of the held-out English rows."""

    results: list[Classification]
    probs: np.ndarray
    gold: list[str]
    cues: tuple[str, ...]

    def design(self) -> np.ndarray:
        return design(self.results, self.probs, self.cues)


def stacking_rows(nlp: Language, rows: Sequence[tuple[str, str]]) -> Stacking:
    """The model in `nlp` (without a sentiment stacker) on `rows` (text, gold sentiment), English rows only."""
    from rules.trained import FACTORY, HashedTextCat, TrainedClassifier

    component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
    texts = [text for text, _ in rows]
    results = TrainedClassifier(nlp).classify(texts)
    english = [i for i, c in enumerate(results) if c.language == "en"]
    probs, _ = component.predict([nlp.tokenizer(texts[i]) for i in english])
    chosen = [results[i] for i in english]
    cues = tuple(sorted({cue for c in chosen for cue in c.cues}))
    return Stacking(chosen, probs[:, :_HEAD_COLUMNS], [rows[i][1] for i in english], cues)


def fit_head(nlp: Language, rows: Sequence[tuple[str, str]]) -> SentimentStack | None:
    """Fit the stacker onto the model in `nlp` (which must not have one yet); `rows` are held-out
    (text, gold sentiment)."""
    rows = [(text, gold) for text, gold in rows if gold in SENTIMENTS]
    if len(rows) < MIN_ROWS:
        return None
    data = stacking_rows(nlp, rows)
    if len(data.gold) < MIN_ROWS:
        return None
    return SentimentStack(fit_stack(data.design(), data.gold), data.cues)


def decided(results: Sequence[Classification], probabilities: np.ndarray) -> list[str]:
    """The sentiment `apply` would give: the label's for complaint and praise, else the most likely."""
    best = [SENTIMENTS[i] for i in probabilities.argmax(axis=1).tolist()]
    fixed = {"complaint": "negative", "praise": "positive"}
    return [fixed.get(c.label, b) for c, b in zip(results, best, strict=True)]


def cross_validate(data: Stacking, *, l2: float = STACK_L2, folds: int = FOLDS) -> tuple[float, float]:
    """Sentiment macro-F1 of the English rows without the stacker and with it, each row predicted by a stacker
    fitted on the other folds (row i is in fold i mod `folds`: fixed)."""
    from rules.training import f1_macro

    x = data.design()
    fold = np.arange(len(data.gold)) % folds
    stacked = np.zeros((len(data.gold), len(SENTIMENTS)))
    for k in range(folds):
        train, held = fold != k, fold == k
        w = fit_stack(x[train], [g for g, t in zip(data.gold, train, strict=True) if t], l2=l2)
        stacked[held] = softmax_rows(x[held] @ w)
    ones = np.ones(len(data.gold))
    before = f1_macro(data.gold, [c.sentiment for c in data.results], SENTIMENTS, ones)
    after = f1_macro(data.gold, decided(data.results, stacked), SENTIMENTS, ones)
    return before, after


# --- on disk ----------------------------------------------------------------------------------------------


def save(head: SentimentStack, directory: Path) -> None:
    np.savez_compressed(directory / FILE, stack=head.stack, cues=np.asarray(head.cues, dtype=str))


def load(directory: Path) -> SentimentStack | None:
    path = directory / FILE
    if not path.is_file():
        return None
    with np.load(path) as arrays:
        return SentimentStack(arrays["stack"].astype(np.float64), tuple(str(c) for c in arrays["cues"]))


def digest(head: SentimentStack | None) -> bytes:
    if head is None:
        return b""
    return np.ascontiguousarray(head.stack).tobytes() + repr(head.cues).encode()


def main() -> None:
    """Fit the sentiment stacker onto a saved model (the shipped one by default) on the hand-labelled dev rows,
    as `train` does; print its 5-fold cross-validated sentiment macro-F1 on those rows first."""
    import argparse

    import spacy

    from rules.data import DEFAULT_DATA_DIR
    from rules.hand3k import load_hand3k
    from rules.trained import FACTORY, HashedTextCat
    from rules.training import TrainResult, save, version_of

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("model", type=Path, nargs="?", default=Path(__file__).parent / "model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    nlp = spacy.load(args.model)
    component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
    component.sentiment = None
    rows = [(e.text, e.sentiment) for e in load_hand3k(args.data, splits=("dev",)) if e.sentiment in SENTIMENTS]
    if len(rows) < MIN_ROWS:
        raise SystemExit("too few hand-labelled dev rows with a sentiment")
    data = stacking_rows(nlp, rows)
    before, after = cross_validate(data)
    print(f"dev, English ({len(data.gold)} rows), {FOLDS}-fold: sentiment macro-F1 {before:.3f} -> {after:.3f}")
    head = fit_head(nlp, rows)
    component.sentiment = head
    component.state.version = version_of(component.state, component.urgency, head)
    save(TrainResult(nlp, component.state.version, 0.0, 0, len(rows)), args.model)
    print(component.state.version)


if __name__ == "__main__":
    main()
