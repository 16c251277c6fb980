"""The domain sentiment head: what a brand's own labelled rows teach about sentiment in its domain.

`mentiondesk train --data/--from-desk` fits it on the user's training rows: a softmax regression over the
model's hashed features with the model's own sentiment log-probabilities as a fixed offset (the prior), so it
learns only how the domain differs from the base. The main model does not learn sentiment from those rows (its
sentiment head stays the base's; rules/training.py masks them), so the offset on the rows it is fitted on is what it
will be on new mentions.

Applied to every mention, whatever its label: on the user's domain the user's sentiment labels are the truth,
and the decoder's "complaint is negative, praise positive" is the base's convention (crowd workers call many
complaints about a stock price neutral). On benchmarks/learning.py's unseen Apple domain this took sentiment
macro-F1 from 0.679 (the rows in the main model, the decoder's sentiment) to 0.729, and on its museum tweets
from 0.640 to 0.736.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from rules.classifier import SENTIMENTS, Classification, Sentiment
from rules.softmax import softmax_rows

FILE = "domain_sentiment.npz"
# The least user rows with a sentiment that make a head; fewer barely move 260,000 base rows.
MIN_ROWS = 200
# Full-batch AdaGrad passes and L2, chosen over the shipped model on the 708 held-out rows of the 3,000 Apple
# rows of benchmarks/learning.py (of 10 / 30 passes and L2 1e-4 / 1e-3, 30 and 1e-4 were best there).
EPOCHS = 30
RATE = 0.5
L2 = 1e-4


@dataclass
class DomainSentiment:
    weights: np.ndarray  # n_buckets x 3 (negative, neutral, positive)
    bias: np.ndarray  # 3

    def probabilities(self, sentiment_probs: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """`sentiment_probs`: the model's sentiment probabilities; `logits`: this head's, for the same mentions."""
        return softmax_rows(offset(sentiment_probs) + logits)

    def apply(self, results: Sequence[Classification], probabilities: np.ndarray) -> list[Classification]:
        """Set each result's sentiment and sentiment scores to this head's `probabilities` (in place: the
        decoder made them a moment ago and nothing else holds them yet)."""
        rows = np.round(probabilities, 4).tolist()
        for result, row in zip(results, rows, strict=True):
            scores = dict(zip(SENTIMENTS, row, strict=True))
            object.__setattr__(result, "sentiment_scores", scores)
            object.__setattr__(result, "sentiment", cast(Sentiment, max(scores, key=scores.__getitem__)))
        return list(results)


def offset(sentiment_probs: np.ndarray) -> np.ndarray:
    return np.log(sentiment_probs + 1e-4)


def fit(
    flat: np.ndarray, lengths: np.ndarray, sentiment_probs: np.ndarray, gold: Sequence[str], n_buckets: int
) -> DomainSentiment:
    """Class-balanced softmax regression on hashed features (`flat`, `lengths` as `sparse_logits` takes them)
    with the model's sentiment log-probabilities as offset. Full batch from zeros: deterministic."""
    from rules.trained import adagrad_step, sparse_logits, sparse_weight_gradient

    classes = len(SENTIMENTS)
    y = np.asarray([SENTIMENTS.index(s) for s in gold])
    counts = np.bincount(y, minlength=classes)
    balance = np.where(counts > 0, len(y) / (classes * np.maximum(counts, 1)), 0.0)[y]
    onehot = np.eye(classes)[y]
    prior = offset(sentiment_probs)
    w = np.zeros((n_buckets, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    # The gradients are float64 (the one-hot and balance are), and so are their running squares.
    g2w = np.full((n_buckets, classes), 1e-8)
    g2b = np.full(classes, 1e-8)
    for _ in range(EPOCHS):
        grad = (softmax_rows(sparse_logits(w, b, flat, lengths) + prior) - onehot) * balance[:, None] / len(y)
        ids, gw = sparse_weight_gradient(w, grad, flat, lengths, L2)
        adagrad_step(w, g2w, gw, RATE, ids)
        adagrad_step(b, g2b, grad.sum(axis=0), RATE)
    # As saved (float16), so a saved model gives what this run measured.
    return DomainSentiment(w.astype(np.float16).astype(np.float32), b)


def save(head: DomainSentiment, directory: Path) -> None:
    np.savez_compressed(directory / FILE, weights=head.weights.astype(np.float16), bias=head.bias)


def load(directory: Path) -> DomainSentiment | None:
    path = directory / FILE
    if not path.is_file():
        return None
    with np.load(path) as arrays:
        return DomainSentiment(arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float32))


def digest(head: DomainSentiment | None) -> bytes:
    if head is None:
        return b""
    return np.ascontiguousarray(head.weights).tobytes() + np.ascontiguousarray(head.bias).tobytes()
