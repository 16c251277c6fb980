"""The learned urgency head: the hand labels' urgency tiers, learned, combined with the lexicon rules.

Two small models fitted after the main model (`rules/training.py: train`, or onto a saved model with
`python -m rules.urgency_head MODEL_DIR`):
- a sparse head: four columns (low, medium, high, critical) over the same hashed features as the main heads,
  fitted on the hand-labelled train rows;
- a stacker: a logistic regression over the main heads' probabilities, the label, the lexicon tier, the cues
  and the sparse head's log-probabilities, fitted on the hand-labelled dev rows (which the sparse head never
  saw), so it learns how far to trust each.

Combined with the rules (`apply`): a critical or high lexicon hit keeps its tier and reason; otherwise the
stacker's most likely tier is taken, at most high (critical stays with the lexicons: too few critical rows to
learn it); praise stays low, a complaint at least medium, and outside English the rules decide. Its
expected tier orders mentions inside their tier (`urgency_rank`, used by `urgency_score`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import numpy as np
from spacy.language import Language

from rules.classifier import LABELS, Classification
from rules.urgency import TIERS

FILE = "urgency.npz"
# The lexicons own the critical tier; the learned head may say at most this.
HIGHEST_LEARNED = "high"
# Regularisation of the two fits and the least rows each needs (fewer: no head, rules only).
SPARSE_L2 = 1.0
STACK_L2 = 3.0
MIN_ROWS = 200
_RANKS = np.arange(len(TIERS), dtype=np.float64)
_TIER_RANK = {t: i for i, t in enumerate(TIERS)}
_LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}


@dataclass
class UrgencyHead:
    weights: np.ndarray  # n_buckets x 4: the sparse head, rows are hashed features
    bias: np.ndarray  # 4
    stack: np.ndarray  # design() columns x 4
    cues: tuple[str, ...]  # the cue names the stacker reads, in order

    def apply(self, results: Sequence[Classification], probs: np.ndarray) -> list[Classification]:
        """`results` as the decoder made them; `probs` the model's probabilities of those mentions, every
        head's columns and then the sparse urgency head's."""
        if not results:
            return []
        tiers = softmax(design(results, probs, self.cues) @ self.stack)
        learned = np.minimum(tiers.argmax(axis=1), _TIER_RANK[HIGHEST_LEARNED]).tolist()
        ranks = np.round(tiers @ _RANKS, 4).tolist()
        return [combine(c, TIERS[t], r) for c, t, r in zip(results, learned, ranks, strict=True)]


def design(results: Sequence[Classification], probs: np.ndarray, cues: Sequence[str]) -> np.ndarray:
    """The stacker's inputs, one row per mention: a constant, the main heads' probabilities, the sparse
    urgency head's log-probabilities, then indicators of the lexicon tier, the label and each cue."""
    n = len(results)
    heads = probs.shape[1] - len(TIERS)
    dense = np.hstack([np.ones((n, 1)), probs[:, :heads], np.log(probs[:, heads:] + 1e-6)])
    flags = np.zeros((n, 2 * len(TIERS) + len(cues)))
    cue_column = {name: 2 * len(TIERS) + j for j, name in enumerate(cues)}
    for i, c in enumerate(results):
        flags[i, _TIER_RANK[c.urgency]] = 1.0
        flags[i, len(TIERS) + _LABEL_INDEX[c.label]] = 1.0
        for cue in c.cues:
            column = cue_column.get(cue)
            if column is not None:
                flags[i, column] = 1.0
    return np.hstack([dense, flags])


def combine(c: Classification, learned: str, rank: float) -> Classification:
    """A critical or high lexicon tier stands, praise stays low, a complaint stays at least medium (protocol:
    every complaint is at least a mild annoyance), and outside English the rules decide (the head learned from
    few non-English rows); otherwise the learned tier, with its reason."""
    if learned == "low" and c.label == "complaint":
        learned = "medium"
    if c.label == "praise" or learned == c.urgency or c.urgency in ("critical", "high") or c.language != "en":
        return with_rank(c, rank)
    reason = {"low": "", "medium": "complaint", "high": "serious complaint"}[learned]
    return replace(c, urgency=learned, urgency_reason=reason, urgency_rank=rank)


def with_rank(c: Classification, rank: float) -> Classification:
    # The decoder made `c` a moment ago and nothing else holds it yet: setting the one field in place costs a
    # fraction of a microsecond, where dataclasses.replace or copy.copy cost more than the rest of this head.
    object.__setattr__(c, "urgency_rank", rank)
    return c


def softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


# --- fitting --------------------------------------------------------------------------------------------


def fit_sparse(
    flat: np.ndarray, lengths: np.ndarray, tiers: Sequence[str], n_buckets: int, *, iterations: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression over hashed features (summed, scaled by 1/sqrt(count) as in `sparse_logits`),
    full-batch Adam from zeros: deterministic, no seed needed."""
    k = len(TIERS)
    n = len(lengths)
    y = np.eye(k)[[_TIER_RANK[t] for t in tiers]]
    owner = np.repeat(np.arange(n), lengths)
    norm = 1.0 / np.sqrt(np.maximum(lengths, 1))
    used = np.unique(flat)
    local = np.searchsorted(used, flat)
    w = np.zeros((len(used), k))
    b = np.zeros(k)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    rate = 0.05
    for t in range(1, iterations + 1):
        z = np.zeros((n, k))
        np.add.at(z, owner, w[local])
        p = softmax(z * norm[:, None] + b)
        g_rows = (p - y) * norm[:, None] / n
        g = np.zeros_like(w)
        np.add.at(g, local, g_rows[owner])
        g += SPARSE_L2 * w / n
        b -= rate * 5 * (p - y).sum(axis=0) / n
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    weights = np.zeros((n_buckets, k), dtype=np.float32)
    weights[used] = w
    return weights, b.astype(np.float32)


def fit_stack(x: np.ndarray, tiers: Sequence[str], *, iterations: int = 3000) -> np.ndarray:
    k = len(TIERS)
    y = np.eye(k)[[_TIER_RANK[t] for t in tiers]]
    w = np.zeros((x.shape[1], k))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, iterations + 1):
        p = softmax(x @ w)
        g = x.T @ (p - y) / len(x) + STACK_L2 * w / len(x)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def fit_head(
    nlp: Language, train_rows: Sequence[tuple[str, str]], stack_rows: Sequence[tuple[str, str]]
) -> UrgencyHead | None:
    """Fit both parts onto the model in `nlp` (which must not have an urgency head yet). `train_rows` and
    `stack_rows` are (text, gold tier)."""
    from rules.trained import FACTORY, HashedTextCat, TrainedClassifier, sparse_logits
    from rules.training import featurize

    if len(train_rows) < MIN_ROWS or len(stack_rows) < MIN_ROWS:
        return None
    component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
    n_buckets = component.state.n_buckets
    feats = featurize(nlp, component, [text for text, _ in train_rows])
    weights, bias = fit_sparse(feats.flat, feats.lengths, [tier for _, tier in train_rows], n_buckets)
    texts = [text for text, _ in stack_rows]
    results = TrainedClassifier(nlp).classify(texts)
    cues = tuple(sorted({cue for c in results for cue in c.cues}))
    probs, _ = component.predict([nlp.tokenizer(text) for text in texts])
    feats = featurize(nlp, component, texts)
    sparse = softmax(sparse_logits(weights, bias, feats.flat, feats.lengths).astype(np.float64))
    x = design(results, np.hstack([probs, sparse]), cues)
    return UrgencyHead(weights, bias, fit_stack(x, [tier for _, tier in stack_rows]), cues)


# --- on disk ----------------------------------------------------------------------------------------------


def save(head: UrgencyHead, directory: Path) -> None:
    used = np.flatnonzero(np.any(head.weights != 0, axis=1))
    np.savez_compressed(
        directory / FILE,
        rows=used.astype(np.int64),
        weights=head.weights[used].astype(np.float16),
        bias=head.bias,
        stack=head.stack,
        cues=np.asarray(head.cues, dtype=str),
    )


def load(directory: Path, n_buckets: int) -> UrgencyHead | None:
    path = directory / FILE
    if not path.is_file():
        return None
    with np.load(path) as arrays:
        weights = np.zeros((n_buckets, len(TIERS)), dtype=np.float32)
        weights[arrays["rows"]] = arrays["weights"].astype(np.float32)
        return UrgencyHead(
            weights,
            arrays["bias"].astype(np.float32),
            arrays["stack"].astype(np.float64),
            tuple(str(c) for c in arrays["cues"]),
        )


def digest(head: UrgencyHead | None) -> bytes:
    if head is None:
        return b""
    return (
        b"".join(np.ascontiguousarray(a).tobytes() for a in (head.weights, head.bias, head.stack))
        + repr(head.cues).encode()
    )


def main() -> None:
    """Fit the urgency head onto a saved model (the shipped one by default), as `train` does at its end."""
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
    component.set_urgency(None)
    hand = load_hand3k(args.data, splits=("train", "dev"))
    rows = {
        split: [(e.text, e.urgency) for e in hand if e.split == split and e.urgency in TIERS]
        for split in ("train", "dev")
    }
    head = fit_head(nlp, rows["train"], rows["dev"])
    if head is None:
        raise SystemExit("too few hand-labelled rows with an urgency tier")
    component.set_urgency(head)
    component.state.version = version_of(component.state, head, component.sentiment)
    save(TrainResult(nlp, component.state.version, 0.0, len(rows["train"]), len(rows["dev"])), args.model)
    print(component.state.version)


if __name__ == "__main__":
    main()
