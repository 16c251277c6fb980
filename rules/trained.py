"""The trained model: a spaCy pipeline component with a hashed linear model over words, word bigrams,
character n-grams, negation scope and the rule cues, plus temperature calibration and a domain prior.

Why not spaCy's own textcat: its bag-of-words model has no subword features and its CNN is far too slow for
10,000 mentions/s on one core. This component is a few numpy operations per batch.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import spacy
from murmurhash.mrmr import hash as murmur
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc

from mentiondesk.core.errors import ConfigError
from rules.classifier import (
    LABELS,
    SENTIMENTS,
    Classification,
    Decoder,
    require_model_dir,
)
from rules.cues import NEGATIONS, CueMatcher, blank_nlp, public, text_of
from rules.domain_sentiment import DomainSentiment
from rules.domain_sentiment import load as load_domain_sentiment
from rules.domain_sentiment import save as save_domain_sentiment
from rules.sentiment_head import SentimentStack
from rules.sentiment_head import load as load_sentiment_head
from rules.sentiment_head import save as save_sentiment_head
from rules.softmax import softmax_rows
from rules.urgency_head import UrgencyHead
from rules.urgency_head import load as load_urgency_head
from rules.urgency_head import save as save_urgency_head

FACTORY = "mentiondesk_textcat"
NUMPY_FILE = "weights.npz"
_MAX_CACHE = 300_000
_NEG_SCOPE = 3
NGRAM_SIZES = (3, 5)
SARCASM_SHARE = 0.85
NEGATED_PRAISE_SHARE = 0.6
GRIEVANCE_SHARE = 0.3
GRIEVANCE_QUESTION_SHARE = 0.5
# Plain thanks with nothing wrong in sight ("ok thx", "Booking no X. Thanks.") is positive to crowd workers;
# the model, trained toward complaints, often calls such short replies complaints or other.
THANKS_SHARE = 0.3
# A thank-you this short with no grievance is taken as thanks whatever the sarcasm head says (`_bare_thanks`).
BARE_THANKS_WORDS = 4
_SCOPE_ENDERS = (".", ",", "!", "?", ";", ":", "but", "...", "…")
_DIGITS = re.compile(r"\d")
_LITOTES = re.compile(
    r"\b(?:not|n't|never|wasn'?t|isn'?t) (?:that |too |so |half )?(?:bad|terrible|awful|disappointed)\b|"
    r"\bno complaints\b|\bcan'?t complain\b",
    re.IGNORECASE,
)
# Every _LITOTES match holds one of these (lowercased), so a text without any cannot match; the regex costs
# more than this search. No letter here has a non-ASCII case variant that IGNORECASE would accept.
_LITOTES_WORDS = re.compile("bad|terr|awful|appo|compl")
_REPEATS = re.compile(r"(.)\1{2,}")

# Cues live in doc.user_data (a plain dict is cheaper than an extension attribute at 10,000 docs/s);
# doc._.md_cues reads them.
CUES_KEY = "mentiondesk_cues"
if not Doc.has_extension("md_cues"):
    Doc.set_extension("md_cues", getter=lambda doc: doc.user_data.get(CUES_KEY, ()))


# The model's heads: each is a softmax over its own columns of one weight matrix (shared features).
HEADS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("label", LABELS),
    ("sentiment", SENTIMENTS),
    ("reply", ("no", "yes")),
    ("sarcasm", ("no", "yes")),
)


def head_slices(heads: Sequence[tuple[str, Sequence[str]]] = HEADS) -> dict[str, slice]:
    out: dict[str, slice] = {}
    start = 0
    for name, classes in heads:
        out[name] = slice(start, start + len(classes))
        start += len(classes)
    return out


N_COLUMNS = sum(len(classes) for _, classes in HEADS)
SENTIMENT_COLUMNS = head_slices()["sentiment"]


@dataclass
class ModelState:
    """Everything the component learns. Saved as weights.npz + state.json."""

    labels: tuple[str, ...] = LABELS
    n_buckets: int = 1 << 18
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, N_COLUMNS), dtype=np.float32))
    bias: np.ndarray = field(default_factory=lambda: np.zeros(N_COLUMNS, dtype=np.float32))
    # One temperature per head (fitted on held-out data), applied before the shift.
    temperatures: dict[str, float] = field(default_factory=lambda: {name: 1.0 for name, _ in HEADS})
    # Per column: log of the expected class mix where the model is used minus the mix it was trained on.
    prior_shift: np.ndarray = field(default_factory=lambda: np.zeros(N_COLUMNS, dtype=np.float32))
    review_threshold: float = 0.5
    # Decision settings tuned on the dev split (rules/classifier.py: Decoder).
    decoder: dict[str, float] = field(default_factory=dict)
    version: str = "mentiondesk-textcat-untrained"

    @property
    def temperature(self) -> float:
        return self.temperatures.get("label", 1.0)


class HashedTextCat:
    """Sets doc.cats (calibrated label probabilities) and doc._.md_cues."""

    def __init__(self, nlp: Language, name: str, n_buckets: int) -> None:
        self.name = name
        self.state = ModelState(n_buckets=n_buckets)
        self.cue_matcher = CueMatcher(nlp)
        self.negations = frozenset(nlp.vocab.strings.add(w) for w in NEGATIONS)
        self.scope_enders = frozenset(nlp.vocab.strings.add(w) for w in _SCOPE_ENDERS)
        self.strings = nlp.vocab.strings
        self._cache: dict[int, tuple[int, ...]] = {}
        self._neg_cache: dict[int, int] = {}
        self._gram_cache: dict[str, int] = {}
        self._cue_ids: dict[str, int] = {}
        self._bos = self._eos = 0
        # The learned urgency head (rules/urgency_head.py), if the model has one; its sparse columns are
        # scored with the main heads' in one gather (`_scoring`).
        self.urgency: UrgencyHead | None = None
        self._scoring: tuple[np.ndarray, np.ndarray] | None = None
        # The sentiment stacker (rules/sentiment_head.py), if the model has one.
        self.sentiment: SentimentStack | None = None
        # The domain sentiment head (rules/domain_sentiment.py), in a model trained on a user's own rows.
        self.domain: DomainSentiment | None = None
        self._reset_caches()

    def set_urgency(self, head: UrgencyHead | None) -> None:
        self.urgency = head
        if head is None:
            self._scoring = None
            return
        combined = np.hstack([self.state.weights, head.weights])
        self._scoring = (combined, np.concatenate([self.state.bias, head.bias]))
        # The main heads read a view of the combined matrix: one copy of the weights in memory.
        self.state.weights = combined[:, :N_COLUMNS]

    def _reset_caches(self) -> None:
        self._cache.clear()
        self._neg_cache.clear()
        self._gram_cache.clear()
        self._cue_ids.clear()
        self._bos = _hash("w:<s>", self.state.n_buckets)
        self._eos = _hash("w:</s>", self.state.n_buckets)

    # --- features -------------------------------------------------------------------------------------

    def featurize(self, doc: Doc, out: list[int]) -> tuple[int, tuple[str, ...]]:
        """Append the doc's hashed feature ids to `out`; return how many, and the cues decisions read (those of
        the features but for the few a phrase masks for decisions: rules/cues.py, `_DECISION_MASKS`)."""
        n = self.state.n_buckets
        lowers: list[int] = doc.to_array(LOWER).tolist()
        cues, decided = self.cue_matcher.both(doc, lowers)
        before = len(out)
        words: list[int] = [self._bos]
        # Locals: this loop runs once per token of every mention.
        cache, negations, enders = self._cache, self.negations, self.scope_enders
        extend, add_word = out.extend, words.append
        scope = 0
        for key in lowers:
            grams = cache.get(key)
            if grams is None:
                grams = self._word_features(self.strings[key], key)
            if scope:
                out.append(self._negated(key, grams[0]))
                scope = 0 if key in enders else scope - 1
            extend(grams)
            add_word(grams[0])
            if key in negations:
                scope = _NEG_SCOPE
        words.append(self._eos)
        extend([(a * 1_000_003 + b) % n for a, b in zip(words, words[1:], strict=False)])
        cue_ids = self._cue_ids
        extend([cue_ids[c] if c in cue_ids else self._cue_feature(c) for c in cues])
        grievances = sum(1 for c in cues if c.startswith(("complaint:", "urgent:")))
        out.append(self._cue_feature(f"ngriev:{min(grievances, 3)}"))
        return len(out) - before, decided

    def _cue_feature(self, name: str) -> int:
        found = self._cue_ids.get(name)
        if found is None:
            found = self._cue_ids[name] = _hash("cue:" + name, self.state.n_buckets)
        return found

    def _word_features(self, lower: str, key: int) -> tuple[int, ...]:
        n = self.state.n_buckets
        norm = _normalize(lower)
        grams = [_hash("w:" + norm, n)]
        if norm[0].isalpha() and len(norm) > 2:
            padded = f"<{norm[:20]}>"
            # n-grams repeat across words far more than words do; a dict hit is cheaper than hashing.
            gram_ids = self._gram_cache
            for size in NGRAM_SIZES:
                for i in range(len(padded) - size + 1):
                    gram = padded[i : i + size]
                    found = gram_ids.get(gram)
                    if found is None:
                        found = gram_ids[gram] = _hash(gram, n)
                    grams.append(found)
        out = tuple(grams)
        if len(self._cache) > _MAX_CACHE:
            self._cache.clear()
            self._gram_cache.clear()
        self._cache[key] = out
        return out

    def _negated(self, key: int, word_id: int) -> int:
        found = self._neg_cache.get(key)
        if found is None:
            found = (word_id * 7_919 + 104_729) % self.state.n_buckets
            self._neg_cache[key] = found
        return found

    # --- scoring ----------------------------------------------------------------------------------------

    def logits(self, flat: list[int], lengths: list[int]) -> np.ndarray:
        """Raw (uncalibrated) scores, one row per document, every head's columns (then the urgency head's)."""
        weights, bias = self._scoring or (self.state.weights, self.state.bias)
        return sparse_logits(weights, bias, np.array(flat, dtype=np.int64), np.array(lengths, dtype=np.int64))

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities: a softmax per head over temperature-scaled, prior-shifted logits."""
        return calibrated(logits, self.state.temperatures, self.state.prior_shift)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 1000) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._set_cats(batch)
                batch = []
        if batch:
            yield from self._set_cats(batch)

    def _set_cats(self, docs: list[Doc]) -> list[Doc]:
        probs, _ = self.predict(docs)
        label = head_slices()["label"]
        for doc, row in zip(docs, np.round(probs[:, label], 4).tolist(), strict=True):
            doc.cats = dict(zip(self.state.labels, row, strict=True))
        return docs

    def predict(self, docs: Sequence[Doc]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Probabilities of every head (one row per doc) after the cue rules, and each doc's cues."""
        probs, cues, _ = self.predict_with_domain(docs)
        return probs, cues

    def predict_with_domain(self, docs: Sequence[Doc]) -> tuple[np.ndarray, list[tuple[str, ...]], np.ndarray | None]:
        """`predict`, and the domain sentiment head's logits (None without that head)."""
        flat: list[int] = []
        lengths: list[int] = []
        all_cues: list[tuple[str, ...]] = []
        sarcastic: list[int] = []
        negated: list[int] = []
        grievance: list[int] = []
        thanks: list[int] = []
        for i, doc in enumerate(docs):
            count, cues = self.featurize(doc, flat)
            lengths.append(count)
            doc.user_data[CUES_KEY] = cues
            all_cues.append(cues)
            if "sarcasm" in cues:
                sarcastic.append(i)
            elif "_negpos" in cues:
                negated.append(i)
            elif _plain_grievance(cues):
                grievance.append(i)
            elif _plain_thanks(cues):
                thanks.append(i)
        raw = self.logits(flat, lengths)
        probs = self.probabilities(raw[:, :N_COLUMNS]).astype(np.float64)
        slices = head_slices()
        label = probs[:, slices["label"]]  # a view: the moves below write through
        labels = self.state.labels
        shares = self.state.decoder
        # Praise next to a grievance word also raises the sarcasm cue, and sincere praise names refunds and
        # cancellations too ("thanks for waiving the cancellation fee"): with a grievance cue in sight the
        # sarcasm head must agree. Without one the cue came from a sarcastic phrase ("thanks for ruining").
        gate = shares.get("sarcasm_gate", 0.0)
        sarcasm_yes = probs[:, slices["sarcasm"].start + 1]
        if gate:
            sarcastic = [i for i in sarcastic if sarcasm_yes[i] >= gate or not _has_grievance_cue(all_cues[i])]
        # Praise the sarcasm head is sure of is sarcasm with or without a cue ("thank you for ruining my trip"),
        # but a bare thank-you ("thanks again @Delta!") gives it nothing to be sure of: the sarcasm sets are full
        # of short ironic thanks, and a person reads these as thanks (left to review, never thanked by the bot).
        sure = shares.get("sarcasm_sure", 0.0)
        if sure:
            cued = set(sarcastic)
            sarcastic += [
                i
                for i in np.flatnonzero(sarcasm_yes >= sure).tolist()
                if i not in cued and not _bare_thanks(docs[i], all_cues[i])
            ]
        move_to_complaint(label, sarcastic, "praise", shares.get("sarcasm_share", SARCASM_SHARE), labels)
        move_to_complaint(label, negated, "praise", shares.get("negated_share", NEGATED_PRAISE_SHARE), labels)
        move_to_complaint(label, grievance, "other", shares.get("grievance_share", GRIEVANCE_SHARE), labels)
        move_to_complaint(
            label, grievance, "question", shares.get("grievance_question_share", GRIEVANCE_QUESTION_SHARE), labels
        )
        move_share(label, thanks, "complaint", "praise", shares.get("thanks_share", THANKS_SHARE), labels)
        move_share(label, thanks, "other", "praise", shares.get("thanks_share", THANKS_SHARE), labels)
        if "litotes_share" in shares:
            self._litotes(docs, all_cues, probs, shares["litotes_share"])
        if self.urgency is not None:
            probs = np.hstack([probs, softmax_rows(raw[:, N_COLUMNS:].astype(np.float64))])
        domain = None
        if self.domain is not None:
            ids, counts = np.array(flat, dtype=np.int64), np.array(lengths, dtype=np.int64)
            domain = sparse_logits(self.domain.weights, self.domain.bias, ids, counts).astype(np.float64)
        return probs, all_cues, domain

    def _litotes(self, docs: Sequence[Doc], cues: list[tuple[str, ...]], probs: np.ndarray, share: float) -> None:
        """ "not bad at all", "can't complain": a negated negative word is praise, not a grievance; the
        hashed features see "bad" and lean negative."""
        rows = [i for i, doc in enumerate(docs) if _is_litotes(text_of(doc)) and not _has_grievance_cue(cues[i])]
        if not rows:
            return
        slices = head_slices()
        label, sentiment = probs[:, slices["label"]], probs[:, slices["sentiment"]]
        move_share(label, rows, "complaint", "praise", share, self.state.labels)
        move_share(sentiment, rows, "negative", "positive", share, SENTIMENTS)

    # --- serialization ----------------------------------------------------------------------------------

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        s = self.state
        np.savez_compressed(
            path / NUMPY_FILE,
            weights=s.weights.astype(np.float16),
            bias=s.bias,
            prior_shift=s.prior_shift,
        )
        meta = {
            "labels": list(s.labels),
            "heads": [[name, list(classes)] for name, classes in HEADS],
            "n_buckets": s.n_buckets,
            "temperatures": s.temperatures,
            "review_threshold": s.review_threshold,
            "decoder": s.decoder,
            "version": s.version,
        }
        (path / "state.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if self.urgency is not None:
            save_urgency_head(self.urgency, path)
        if self.sentiment is not None:
            save_sentiment_head(self.sentiment, path)
        if self.domain is not None:
            save_domain_sentiment(self.domain, path)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> HashedTextCat:
        path = Path(path)
        meta = json.loads((path / "state.json").read_text(encoding="utf-8"))
        if "heads" not in meta:
            return self._from_label_only(path, meta)
        if [[name, list(classes)] for name, classes in HEADS] != meta["heads"]:
            raise ValueError("model made by another Mention Desk version (different heads); retrain it")
        with np.load(path / NUMPY_FILE) as arrays:
            self.state = ModelState(
                labels=tuple(meta["labels"]),
                n_buckets=int(meta["n_buckets"]),
                weights=arrays["weights"].astype(np.float32),
                bias=arrays["bias"].astype(np.float32),
                temperatures={k: float(v) for k, v in meta["temperatures"].items()},
                prior_shift=arrays["prior_shift"].astype(np.float32),
                review_threshold=float(meta["review_threshold"]),
                decoder={k: float(v) for k, v in meta.get("decoder", {}).items()},
                version=str(meta["version"]),
            )
        self.set_urgency(load_urgency_head(path, self.state.n_buckets))
        self.sentiment = load_sentiment_head(path)
        self.domain = load_domain_sentiment(path)
        self._reset_caches()
        return self

    def _from_label_only(self, path: Path, meta: dict[str, Any]) -> HashedTextCat:
        """A model from before the multi-head version (label head only): its other heads stay untrained and
        the decoder derives sentiment from the label scores, as that model did."""
        with np.load(path / NUMPY_FILE) as arrays:
            weights = arrays["weights"].astype(np.float32)
            padded = np.zeros((weights.shape[0], N_COLUMNS), dtype=np.float32)
            padded[:, : weights.shape[1]] = weights
            bias = np.zeros(N_COLUMNS, dtype=np.float32)
            bias[: weights.shape[1]] = arrays["bias"]
            shift = np.zeros(N_COLUMNS, dtype=np.float32)
            shift[: weights.shape[1]] = arrays["prior_shift"]
        self.state = ModelState(
            labels=tuple(meta["labels"]),
            n_buckets=int(meta["n_buckets"]),
            weights=padded,
            bias=bias,
            temperatures={"label": float(meta["temperature"])},
            prior_shift=shift,
            review_threshold=float(meta["review_threshold"]),
            decoder={"label_only": 1.0},
            version=str(meta["version"]),
        )
        self._reset_caches()
        return self


def calibrated(logits: np.ndarray, temperatures: dict[str, float], shift: np.ndarray) -> np.ndarray:
    out = np.empty_like(logits)
    for name, columns in head_slices().items():
        scaled = logits[:, columns] / temperatures.get(name, 1.0) + shift[columns]
        out[:, columns] = softmax_rows(scaled)
    return out


@Language.factory(FACTORY, default_config={"n_buckets": 1 << 18})
def make_hashed_textcat(nlp: Language, name: str, n_buckets: int) -> HashedTextCat:
    return HashedTextCat(nlp, name, n_buckets)


def move_to_complaint(probs: np.ndarray, rows: list[int], source: str, share: float, labels: Sequence[str]) -> None:
    """Move a share of one label's probability to complaint, in place, for the given rows.

    Praise words around a grievance are sarcasm, negated praise is criticism, and a grievance without praise
    ("on hold 2 hours... please help, thx") is a complaint far more often than the general tweets the model
    learned from suggest."""
    if not rows or share <= 0:
        return
    index, complaint = labels.index(source), labels.index("complaint")
    moved = probs[rows, index] * share
    probs[rows, index] -= moved
    probs[rows, complaint] += moved


def move_share(
    probs: np.ndarray, rows: list[int], source: str, target: str, share: float, labels: Sequence[str]
) -> None:
    """Move a share of one label's probability to another, in place, for the given rows."""
    if not rows or share <= 0:
        return
    index, to = labels.index(source), labels.index(target)
    moved = probs[rows, index] * share
    probs[rows, index] -= moved
    probs[rows, to] += moved


_NOT_PLAIN_THANKS = frozenset(
    {"_neg", "emoji:negative", "sarcasm", "negation", "contrast", "question", "spam", "opt_out", "_negpos"}
)


def _plain_thanks(cues: tuple[str, ...]) -> bool:
    """Thanks and nothing that could make it a polite complaint or a question (callers check grievance)."""
    return "_thanks" in cues and not any(c in _NOT_PLAIN_THANKS for c in cues)


def _bare_thanks(doc: Doc, cues: tuple[str, ...]) -> bool:
    """Plain thanks in at most BARE_THANKS_WORDS words (handles, links and emoji not counted)."""
    if not _plain_thanks(cues) or _has_grievance_cue(cues):
        return False
    return sum(token.is_alpha for token in doc) <= BARE_THANKS_WORDS


def _is_litotes(text: str) -> bool:
    return _LITOTES_WORDS.search(text.lower()) is not None and _LITOTES.search(text) is not None


def _has_grievance_cue(cues: tuple[str, ...]) -> bool:
    return any(c.startswith(("complaint:", "urgent:")) for c in cues)


def _plain_grievance(cues: tuple[str, ...]) -> bool:
    if "_pos" in cues or "emoji:positive" in cues:
        return False
    return any(c.startswith(("complaint:", "urgent:")) for c in cues)


def _hash(text: str, n: int) -> int:
    value: int = murmur(text) % n
    return value


def _normalize(lower: str) -> str:
    if lower.startswith("@"):
        return "@user"
    if lower.startswith(("http", "www.")):
        return "<url>"
    lower = lower.replace("\u2019", "'")
    lower = _DIGITS.sub("0", lower)
    return _REPEATS.sub(r"\1\1", lower) if len(lower) > 3 else lower


def sparse_logits(weights: np.ndarray, bias: np.ndarray, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Sum of weight rows per document, each document's features scaled by 1/sqrt(count)."""
    out = np.zeros((len(lengths), weights.shape[1]), dtype=np.float32)
    nonempty = lengths > 0
    if flat.size:
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        # take() gathers the same rows as weights[flat], several times faster than fancy indexing.
        out[nonempty] = np.add.reduceat(weights.take(flat, axis=0), starts, axis=0)
    out *= (1.0 / np.sqrt(np.maximum(lengths, 1)))[:, None].astype(np.float32)
    return out + bias


def sparse_weight_gradient(
    weights: np.ndarray, grad: np.ndarray, flat: np.ndarray, lengths: np.ndarray, l2: float
) -> tuple[np.ndarray, np.ndarray]:
    """The adjoint of `sparse_logits`: for `grad`, the gradient of the loss for each document's logits, the
    gradient of the weight rows those documents' features use, plus `l2` times those rows. Returns the rows'
    feature ids (sorted, unique) and their gradients, in `grad`'s dtype."""
    scale = (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(grad.dtype)
    per_feature = np.repeat(grad * scale[:, None], lengths, axis=0)
    ids, inverse = np.unique(flat, return_inverse=True)
    gw = np.zeros((len(ids), grad.shape[1]), dtype=grad.dtype)
    for k in range(grad.shape[1]):
        gw[:, k] = np.bincount(inverse, weights=per_feature[:, k], minlength=len(ids))
    gw += l2 * weights[ids]
    return ids, gw


def adagrad_step(
    param: np.ndarray, squares: np.ndarray, grad: np.ndarray, rate: float, rows: np.ndarray | slice = slice(None)
) -> None:
    """One AdaGrad step on `param[rows]`, in place: `squares[rows]` (the running sum of squared gradients, shaped
    like `param`) grows by `grad`², then `param[rows]` moves by `rate`·`grad`/√`squares[rows]`, computed in the
    gradients' precision and rounded to `param`'s once."""
    squares[rows] += grad * grad
    param[rows] -= (rate * grad / np.sqrt(squares[rows])).astype(param.dtype)


# --- the Classifier over a saved pipeline ---------------------------------------------------------------


def blank_pipeline(n_buckets: int = 1 << 18) -> Language:
    nlp = blank_nlp()
    nlp.add_pipe(FACTORY, config={"n_buckets": n_buckets})
    return nlp


class TrainedClassifier:
    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.component = cast(HashedTextCat, nlp.get_pipe(FACTORY))
        self.version = self.component.state.version

    @classmethod
    def load(cls, path: Path) -> TrainedClassifier:
        require_model_dir(path)
        try:
            nlp = spacy.load(path)
        except Exception as exc:  # any failure to load a user-given directory is a config problem
            reason = " ".join(str(exc).split())[:200]
            raise ConfigError(f"cannot load model: {reason}", path=path) from None
        if FACTORY not in nlp.pipe_names:
            raise ConfigError(f"not a Mention Desk model (no {FACTORY} component)", path=path)
        return cls(nlp)

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        with _no_cycle_collection():
            return self._classify(texts)

    def _classify(self, texts: Sequence[str]) -> list[Classification]:
        from rules.language import detect

        state = self.component.state
        decoder = Decoder.from_state(state.decoder, state.review_threshold)
        out: list[Classification] = []
        tokenizer = self.nlp.tokenizer
        for start in range(0, len(texts), BATCH):
            docs = [tokenizer(text) for text in texts[start : start + BATCH]]
            # The tokenizer made each post's plain text (rules/text.py); language and urgency read that too.
            chunk = [text_of(doc) for doc in docs]
            languages = detect(chunk)
            probs, cues, domain = self.component.predict_with_domain(docs)
            head = self.component.domain
            # The domain head's sentiment is what the decoder reads too (outside English it makes the label).
            domain_sentiment = (
                None if head is None or domain is None else head.probabilities(probs[:, SENTIMENT_COLUMNS], domain)
            )
            heads = probs[:, :N_COLUMNS] if domain_sentiment is None else _with_sentiment(probs, domain_sentiment)
            rows = np.round(heads, 4).tolist()
            decided = [
                decoder.decide(row, public(found), language, self.version, text)
                for text, row, found, language in zip(chunk, rows, cues, languages, strict=True)
            ]
            sentiment = self.component.sentiment
            if sentiment is not None:
                decided = sentiment.apply(decided, probs)
            urgency = self.component.urgency
            decided = decided if urgency is None else urgency.apply(decided, probs, decoder.complaint_floor)
            if head is not None and domain_sentiment is not None:
                decided = head.apply(decided, domain_sentiment)
            out.extend(decided)
        return out


def _with_sentiment(probs: np.ndarray, sentiment: np.ndarray) -> np.ndarray:
    out = probs[:, :N_COLUMNS].copy()
    out[:, SENTIMENT_COLUMNS] = sentiment
    return out


BATCH = 1000


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for one classify call. The call makes hundreds of thousands of
    short-lived objects (Docs, token lists), which refcounting frees; each collection they trigger also walks
    the large long-lived tables (vocab, word cache), about 8% of the time. Cycles made meanwhile are collected
    after the call."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def model_info(path: Path) -> dict[str, Any]:
    return dict(json.loads((path / FACTORY / "state.json").read_text(encoding="utf-8")))
