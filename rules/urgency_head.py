"""The learned urgency head: the hand labels' urgency tiers, learned, combined with the lexicon rules.

Two small models fitted after the main model (`rules/training.py: train`, or onto a saved model with
`python -m rules.urgency_head MODEL_DIR`):
- a sparse head: four columns (low, medium, high, critical) over the same hashed features as the main heads,
  fitted on the hand-labelled train rows and the extra urgency rows (rules/eval/urgency_extra.csv);
- a stacker: a logistic regression over the main heads' probabilities, the label, the lexicon tier, the cues
  and the sparse head's log-probabilities, fitted on the hand-labelled dev rows (which the sparse head never
  saw) and on the extra urgency rows at half weight (each scored by a sparse head fitted without it), so it
  learns how far to trust each.

Combined with the rules (`apply`): a critical or high lexicon hit keeps its tier and reason; otherwise the
stacker's most likely tier is taken, at most high (critical stays with the lexicons: allowed to, the stacker
never chose it on dev); praise stays low, a complaint at least medium, a question or "other" is lifted only when
the model flags it as a possible complaint (reason `possible complaint`), and outside English the rules decide.
Its expected tier orders mentions inside their tier (`urgency_rank`, used by `urgency_score`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import numpy as np
from spacy.language import Language

from rules.classifier import LABELS, Classification
from rules.softmax import fit_softmax, softmax_rows
from rules.urgency import TIERS

FILE = "urgency.npz"
# The lexicons own the critical tier; the learned head may say at most this. With the 540 extra rows (143
# critical) allowed to say critical, the stacker still never did on dev (5-fold cross-validation): no data for it.
HIGHEST_LEARNED = "high"
# Regularisation of the two fits and the least rows each needs (fewer: no head, rules only).
SPARSE_L2 = 1.0
STACK_L2 = 3.0
MIN_ROWS = 200
# The extra urgency rows in the stacker's fit: half the weight of a dev row (they were searched for critical
# matters, so their tier mix is not the desk's; on dev, 5-fold cross-validated, 0.5 ordered critical above mild
# best of 0, 0.25, 0.5 and 1), each scored by a sparse head fitted on the other folds.
EXTRA_STACK_WEIGHT = 0.5
EXTRA_FOLDS = 5
_RANKS = np.arange(len(TIERS), dtype=np.float64)
_TIER_RANK = {t: i for i, t in enumerate(TIERS)}
_LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}


@dataclass
class UrgencyHead:
    weights: np.ndarray  # n_buckets x 4: the sparse head, rows are hashed features
    bias: np.ndarray  # 4
    stack: np.ndarray  # design() columns x 4
    cues: tuple[str, ...]  # the cue names the stacker reads, in order

    def apply(
        self, results: Sequence[Classification], probs: np.ndarray, complaint_floor: float
    ) -> list[Classification]:
        """`results` as the decoder made them; `probs` the model's probabilities of those mentions, every
        head's columns and then the sparse urgency head's; `complaint_floor` the decoder's (a mention not
        labelled complaint is flagged "possible complaint" from there). Changes `results` in place: the decoder
        made them a moment ago and nothing else holds them yet."""
        if not results:
            return []
        tiers = softmax_rows(design(results, probs, self.cues) @ self.stack)
        learned = np.minimum(tiers.argmax(axis=1), _TIER_RANK[HIGHEST_LEARNED]).tolist()
        ranks = np.round(tiers @ _RANKS, 4).tolist()
        return [combine(c, TIERS[t], r, complaint_floor) for c, t, r in zip(results, learned, ranks, strict=True)]


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


def combine(c: Classification, learned: str, rank: float, complaint_floor: float) -> Classification:
    """A critical or high lexicon tier stands, praise stays low, a complaint stays at least medium (protocol:
    every complaint is at least a mild annoyance), and outside English the rules decide (the head learned from
    few non-English rows); otherwise the learned tier, with its reason.

    A question or "other" is lifted above low only when its complaint probability reaches the review floor:
    the card must not call "your shots are dialed in" a complaint while its review flag says it is none. On
    the dev rows (5-fold cross-validated) this costs 0.0016 of the pairs ordered (0.8669 -> 0.8653)."""
    if learned == "low" and c.label == "complaint":
        learned = "medium"
    if c.label == "praise" or learned == c.urgency or c.urgency in ("critical", "high") or c.language != "en":
        return with_rank(c, rank)
    complaint = c.label == "complaint"
    if not complaint and c.urgency == "low" and c.scores["complaint"] < complaint_floor:
        return with_rank(c, rank)
    reason = {"low": "", "medium": "complaint" if complaint else "possible complaint", "high": "serious complaint"}[
        learned
    ]
    object.__setattr__(c, "urgency", learned)
    object.__setattr__(c, "urgency_reason", reason)
    return with_rank(c, rank)


def with_rank(c: Classification, rank: float) -> Classification:
    # The decoder made `c` a moment ago and nothing else holds it yet: setting fields in place costs a fraction
    # of a microsecond, where dataclasses.replace or copy.copy cost more than the rest of this head.
    object.__setattr__(c, "urgency_rank", rank)
    return c


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
        p = softmax_rows(z * norm[:, None] + b)
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


def fit_stack(
    x: np.ndarray, tiers: Sequence[str], *, row_weights: np.ndarray | None = None, iterations: int = 3000
) -> np.ndarray:
    y = np.eye(len(TIERS))[[_TIER_RANK[t] for t in tiers]]
    return fit_softmax(x, y, l2=STACK_L2, iterations=iterations, row_weights=row_weights)


@dataclass
class _StackData:
    """What the stacker is fitted on: the sparse head, then one design row per stack row (`results` and `probs`
    are those rows' decoder output and probabilities, to apply a head to them) and per extra row."""

    weights: np.ndarray
    bias: np.ndarray
    cues: tuple[str, ...]
    results: list[Classification]
    probs: np.ndarray
    x: np.ndarray
    tiers: list[str]
    extra_x: np.ndarray
    extra_tiers: list[str]

    def fit(self, keep: np.ndarray | None = None) -> UrgencyHead:
        """The head with its stacker fitted on the stack rows (those in `keep`, default all) and the extra rows."""
        rows = np.arange(len(self.tiers)) if keep is None else keep
        x = np.vstack([self.x[rows], self.extra_x])
        tiers = [self.tiers[i] for i in rows.tolist()] + self.extra_tiers
        row_weights = np.concatenate([np.ones(len(rows)), np.full(len(self.extra_tiers), EXTRA_STACK_WEIGHT)])
        return UrgencyHead(self.weights, self.bias, fit_stack(x, tiers, row_weights=row_weights), self.cues)


def _stack_data(
    nlp: Language,
    train_rows: Sequence[tuple[str, str]],
    stack_rows: Sequence[tuple[str, str]],
    extra_rows: Sequence[tuple[str, str]],
) -> _StackData:
    from rules.data import bucket
    from rules.trained import FACTORY, HashedTextCat, TrainedClassifier, sparse_logits
    from rules.training import featurize

    component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
    n_buckets = component.state.n_buckets

    def sparse_fit(rows: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        feats = featurize(nlp, component, [text for text, _ in rows])
        return fit_sparse(feats.flat, feats.lengths, [tier for _, tier in rows], n_buckets)

    def scored(
        texts: Sequence[str], sparse_head: tuple[np.ndarray, np.ndarray]
    ) -> tuple[list[Classification], np.ndarray]:
        results = TrainedClassifier(nlp).classify(texts)
        probs, _ = component.predict([nlp.tokenizer(text) for text in texts])
        feats = featurize(nlp, component, texts)
        sparse = softmax_rows(sparse_logits(*sparse_head, feats.flat, feats.lengths).astype(np.float64))
        return results, np.hstack([probs, sparse])

    weights, bias = sparse_fit([*train_rows, *extra_rows])
    results, probs = scored([text for text, _ in stack_rows], (weights, bias))
    cues = tuple(sorted({cue for c in results for cue in c.cues}))
    parts = [np.zeros((0, design(results[:1], probs[:1], cues).shape[1]))]
    extra_tiers: list[str] = []
    fold = [bucket(f"urgency-extra-fold:{text}", EXTRA_FOLDS) for text, _ in extra_rows]
    for k in range(EXTRA_FOLDS):
        held = [row for row, f in zip(extra_rows, fold, strict=True) if f == k]
        if held:
            kept = [row for row, f in zip(extra_rows, fold, strict=True) if f != k]
            parts.append(design(*scored([text for text, _ in held], sparse_fit([*train_rows, *kept])), cues))
            extra_tiers += [tier for _, tier in held]
    x = design(results, probs, cues)
    tiers = [tier for _, tier in stack_rows]
    return _StackData(weights, bias, cues, results, probs, x, tiers, np.vstack(parts), extra_tiers)


def fit_head(
    nlp: Language,
    train_rows: Sequence[tuple[str, str]],
    stack_rows: Sequence[tuple[str, str]],
    extra_rows: Sequence[tuple[str, str]] = (),
) -> UrgencyHead | None:
    """Fit both parts onto the model in `nlp` (which must not have an urgency head yet). `train_rows` and
    `stack_rows` are (text, gold tier); `extra_rows` (the extra urgency rows) train the sparse head and, each
    scored by a sparse head fitted without its fold, the stacker at `EXTRA_STACK_WEIGHT`."""
    if len(train_rows) < MIN_ROWS or len(stack_rows) < MIN_ROWS:
        return None
    return _stack_data(nlp, train_rows, stack_rows, extra_rows).fit()


def cross_validate(
    nlp: Language,
    train_rows: Sequence[tuple[str, str]],
    stack_rows: Sequence[tuple[str, str]],
    extra_rows: Sequence[tuple[str, str]] = (),
    *,
    folds: int = 5,
) -> dict[str, float]:
    """Urgency order of the stack rows, each scored by a stacker fitted without its fold (the sparse head is
    fitted once: it never sees stack rows), next to the lexicons alone."""
    from rules.classifier import urgency_score
    from rules.data import bucket
    from rules.training import urgency_order

    data = _stack_data(nlp, train_rows, stack_rows, extra_rows)
    floor = _complaint_floor(nlp)
    fold = np.asarray([bucket(f"urgency-cv:{text}", folds) for text, _ in stack_rows])
    lexicons = urgency_order([(t, urgency_score(c)) for t, c in zip(data.tiers, data.results, strict=True)])
    scores = [0] * len(stack_rows)
    for k in range(folds):
        rows = np.flatnonzero(fold == k)
        head = data.fit(np.flatnonzero(fold != k))
        decided = head.apply([replace(data.results[i]) for i in rows.tolist()], data.probs[rows], floor)
        for i, c in zip(rows.tolist(), decided, strict=True):
            scores[i] = urgency_score(c)
    learned = urgency_order(list(zip(data.tiers, scores, strict=True)))
    return {
        "lexicons_pairs_ordered": lexicons["urgency_pairs_ordered"],
        "lexicons_critical_above_mild": lexicons["critical_above_mild"],
        "pairs_ordered": learned["urgency_pairs_ordered"],
        "critical_above_mild": learned["critical_above_mild"],
    }


def _complaint_floor(nlp: Language) -> float:
    from rules.classifier import Decoder
    from rules.trained import FACTORY, HashedTextCat

    state = cast(HashedTextCat, nlp.get_pipe(FACTORY)).state
    return Decoder.from_state(state.decoder, state.review_threshold).complaint_floor


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
    from rules.hand3k import load_hand3k, load_urgency_extra
    from rules.trained import FACTORY, HashedTextCat
    from rules.training import TrainResult, save, version_of

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("model", type=Path, nargs="?", default=Path(__file__).parent / "model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--cv", action="store_true", help="Print the dev rows' 5-fold cross-validated urgency order; save nothing."
    )
    parser.add_argument("--no-extra", action="store_true", help="Leave out rules/eval/urgency_extra.csv.")
    args = parser.parse_args()
    nlp = spacy.load(args.model)
    component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
    component.set_urgency(None)
    hand = load_hand3k(args.data, splits=("train", "dev"))
    rows = {
        split: [(e.text, e.urgency) for e in hand if e.split == split and e.urgency in TIERS]
        for split in ("train", "dev")
    }
    extra = [] if args.no_extra else [(e.text, e.urgency) for e in load_urgency_extra(args.data)]
    if args.cv:
        for key, value in cross_validate(nlp, rows["train"], rows["dev"], extra).items():
            print(f"{key}: {value:.4f}")
        return
    head = fit_head(nlp, rows["train"], rows["dev"], extra)
    if head is None:
        raise SystemExit("too few hand-labelled rows with an urgency tier")
    component.set_urgency(head)
    component.state.version = version_of(component.state, head, component.sentiment)
    save(TrainResult(nlp, component.state.version, 0.0, len(rows["train"]), len(rows["dev"])), args.model)
    print(component.state.version)


if __name__ == "__main__":
    main()
