"""The training set: public corpora in ../shared/data turned into `Example`s with whatever targets each knows.

Every corpus has a fixed held-out part (its own test split where it has one, else a hash of the text), marked
`split="test"`: never trained or tuned on, scored by `python -m rules.evaluate`. Heads:

- label (complaint / praise / question / other): brand-directed data only, plus general tweets as "other"
  (a tweet addressed to no brand is not a complaint, however negative);
- sentiment: every sentiment corpus, in six languages;
- needs_reply: the hand labels, brand threads (yes) and general tweets (no);
- sarcasm: the sarcasm and irony sets and the hand labels.

`commercial_only=True` leaves out every non-commercial corpus (TWCS-derived, CC BY-NC-SA; SemEval-2018 irony).
Licenses: rules/model/MODEL_CARD.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from rules.data import Example, bucket, clean, load_shared
from rules.hand3k import hand3k_keys, load_hand3k, load_written
from rules.text import norm_key

# Languages the model classifies (sentiment trained on each); anything else is flagged for review.
SUPPORTED_LANGUAGES = ("en", "de", "es", "fr", "it", "pt")
NON_COMMERCIAL = frozenset({"twacs_weak", "thread_weak", "hand3k", "semeval2018_irony", "twcs_weak", "twcs_dev"})

# Weights: how far each source resembles a brand @mention and how clean its labels are.
WEIGHTS = {
    "hand3k": 4.0,
    "written": 4.0,
    "twacs_weak": 0.6,
    "thread_weak": 0.6,
    "fig8": 0.6,
    "semeval": 0.5,
    "sentiment140": 0.25,
    "umsab": 1.5,
    "sarcasm": 0.5,
    "banking77": 0.3,
    "brand": 1.0,
}
SENTIMENT140_ROWS = 30_000
# A general tweet is addressed to no brand: "other" for the label head, but it weighs less there than in the
# sentiment head, so it teaches "no brand, no complaint" without drowning the brand data.
GENERAL_LABEL_SHARE = 0.35


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _held(key: str, percent: int = 15) -> str:
    return "test" if bucket(f"heldout:{key}") < percent else "train"


# --- brand threads: weak labels from the brand's reply ----------------------------------------------------

_APOLOGY = re.compile(
    r"\b(?:sorry|apolog|unfortunate|frustrat|inconvenien|not the experience|oh no|disappoint|regret)", re.IGNORECASE
)
_GLAD = re.compile(
    r"(?:shout|glad|love to hear|happy to hear|great to hear|nice to hear|kind words|you'?re welcome|"
    r"you are welcome|thanks for the love|appreciate the (?:kind|love|support)|so happy|pleasure|\u2764|\U0001f499|"
    r"\U0001f60a|\U0001f64c)",
    re.IGNORECASE,
)


def reply_signal(reply: str | None) -> str | None:
    """'complaint' for an apology, 'praise' for a glad/thank-you reply, None when the reply says neither.

    On the hand-labelled tune rows an apology reply means a complaint 92% of the time, a glad reply praise 73%."""
    if not reply:
        return None
    apology, glad = bool(_APOLOGY.search(reply)), bool(_GLAD.search(reply))
    if apology and not glad:
        return "complaint"
    if glad and not apology:
        return "praise"
    return None


_SENTIMENT_OF = {"complaint": "negative", "praise": "positive", "question": "neutral"}


def _weak(text: str, signal: str | None, source: str, split: str) -> Example | None:
    if signal is None:
        return None
    return Example(text, signal, _SENTIMENT_OF[signal], source, split, WEIGHTS[source], needs_reply=1, language="en")


def _with_cues(pending: list[tuple[str, str | None]], source: str) -> list[Example]:
    """Weak examples from (text, reply) pairs. An apology or glad reply decides; an informative reply (or none)
    leaves it to the cue rules, which are right about questions 60% of the time there and about praise and
    complaints 76-88% (hand-labelled tune rows). Without these rows every airline tweet the model saw was a
    complaint or praise, and it learned that airline words mean a complaint."""
    from rules.cues import CueMatcher, blank_nlp
    from rules.data import weak_label

    nlp = blank_nlp()
    matcher = CueMatcher(nlp)
    out: list[Example] = []
    for (text, reply), doc in zip(pending, nlp.pipe([t for t, _ in pending]), strict=True):
        signal = reply_signal(reply)
        if signal is None:
            by_cues = weak_label(set(matcher(doc)))
            signal = by_cues if by_cues in ("complaint", "praise", "question") else None
            if signal == "question" and reply is None:
                signal = None  # unanswered questions are often complaints in a thread (12 of 24)
        example = _weak(text, signal, source, "train")
        if example:
            out.append(example)
    return out


def twacs_threads(data_dir: Path, skip_texts: set[str], skip_threads: set[str]) -> list[Example]:
    """Customer tweets to airlines labelled by the reply they got (TwACS, 62,654 turns)."""
    folder = data_dir / "twacs_airline_support_twcs"
    if not folder.is_dir():
        return []
    threads: dict[str, list[tuple[str, str]]] = {}
    for row in _read(folder / "conversations.csv"):
        turns = [("CUSTOMER", row["text"])]
        for part in row["context"].split(" || "):
            role, _, text = part.partition(": ")
            if text:
                turns.append((role, text))
        threads[row["conversation_id"]] = turns
    pending: list[tuple[str, str | None]] = []
    for row in _read(folder / "customer_turns.csv"):
        cid = row["conversation_id"]
        if cid in skip_threads:
            continue
        text = clean(row["text"])
        if norm_key(text) in skip_texts:
            continue
        turns = threads.get(cid, [])
        index = int(row["turn_index"])
        reply = turns[index + 1][1] if index + 1 < len(turns) and turns[index + 1][0] == "BRAND" else None
        pending.append((text, reply))
    return _with_cues(pending, "twacs_weak")


def other_threads(data_dir: Path, skip_texts: set[str]) -> list[Example]:
    """TweetSumm and IBM 2020 customer turns, labelled by the brand turn that follows."""
    pending: list[tuple[str, str | None]] = []
    sources = (
        (data_dir / "twcs_more_slices" / "tweetsumm_dialog_tweets.csv", "dialog_key"),
        (data_dir / "ibm_twitter_customer_care_2020" / "turns.csv", "conversation_id"),
    )
    for path, key in sources:
        if not path.is_file():
            continue
        rows = list(_read(path))
        for row, following in zip(rows, rows[1:] + [{}], strict=True):
            if row["role"] != "customer":
                continue
            text = clean(row["text"])
            if norm_key(text) in skip_texts:
                continue
            same = following.get(key) == row[key] and following.get("role") != "customer"
            pending.append((text, following.get("text") if same else None))
    return _with_cues(pending, "thread_weak")


# --- general tweets: sentiment, and "other" for the label head ------------------------------------------


def _general(text: str, sentiment: str, source: str, split: str, *, language: str = "en") -> Example:
    weight = WEIGHTS[source]
    return Example(text, "other", sentiment, source, split, weight, needs_reply=0, language=language)


def fig8(data_dir: Path) -> list[Example]:
    path = data_dir / "tweet_sentiment_extraction_fig8" / "tweet_sentiment.csv"
    if not path.is_file():
        return []
    return [
        _general(clean(r["text"]), r["label"], "fig8", "test" if r["kaggle_split"] == "test" else "train")
        for r in _read(path)
        if r["text"].strip()
    ]


def semeval(data_dir: Path) -> list[Example]:
    """SemEval-2017 / TweetEval general tweets (val held out, as before)."""
    out = []
    for e in load_shared(data_dir, weak=False):
        if e.source in ("semeval", "tweeteval_test", "tweeteval_val"):
            split = "test" if e.source == "tweeteval_val" else "train"
            out.append(_general(e.text, e.sentiment, "semeval", split))
    return out


def sentiment140(data_dir: Path) -> list[Example]:
    path = data_dir / "sentiment140_slices" / "sentiment140_slices.csv"
    if not path.is_file():
        return []
    rows = [r for r in _read(path) if bucket(f"s140:{r['text']}", 1000) < 1000 * SENTIMENT140_ROWS // 115_454]
    return [_general(clean(r["text"]), r["label"], "sentiment140", "train") for r in rows]


def umsab(data_dir: Path) -> list[Example]:
    """Sentiment in de/es/fr/it/pt: train split learned, validation split held out (never tuned on)."""
    folder = data_dir / "umsab_multilingual_sentiment"
    out: list[Example] = []
    for name, split in (("train.csv", "train"), ("val.csv", "test")):
        path = folder / name
        if not path.is_file():
            continue
        for r in _read(path):
            if r["lang"] in SUPPORTED_LANGUAGES and r["lang"] != "en":
                out.append(
                    Example(clean(r["text"]), "", r["label"], "umsab", split, WEIGHTS["umsab"], language=r["lang"])
                )
    return out


# --- brand sentiment corpora (Sanders, CrowdFlower SXSW) -------------------------------------------------


def brand_sentiment(data_dir: Path) -> list[Example]:
    out = []
    for e in load_shared(data_dir, weak=False):
        if e.source in ("sanders", "crowdflower"):
            split = "test" if e.split == "dev" else "train"
            out.append(Example(e.text, e.label, e.sentiment, e.source, split, WEIGHTS["brand"], language="en"))
    return out


# --- sarcasm and irony ----------------------------------------------------------------------------------


def sarcasm_sets(data_dir: Path, *, commercial_only: bool = False) -> list[Example]:
    out: list[Example] = []

    def add(text: str, sarcastic: bool, source: str, split: str) -> None:
        text = clean(text)
        if text:
            out.append(Example(text, "", "", source, split, WEIGHTS["sarcasm"], sarcasm=int(sarcastic), language="en"))

    path = data_dir / "semeval2018_task3_irony" / "semeval2018_irony.csv"
    if path.is_file() and not commercial_only:
        for r in _read(path):
            add(
                r["text"],
                r["label_irony"] == "1",
                "semeval2018_irony",
                "test" if r["semeval_split"] == "test" else "train",
            )
    path = data_dir / "isarcasmeval_2022_en" / "isarcasmeval_en.csv"
    if path.is_file():
        for r in _read(path):
            add(r["text"], r["sarcastic"] == "1", "isarcasmeval", "test" if r["split"] == "test" else "train")
    path = data_dir / "figlang2020_sarcasm_twitter_reddit" / "figlang2020_sarcasm.csv"
    if path.is_file():
        for r in _read(path):
            if r["platform"] == "twitter":
                add(r["response"], r["label"] == "SARCASM", "figlang", "test" if r["split"] == "test" else "train")
    path = data_dir / "ghosh_veale2016_sarcasm_tweets" / "ghosh_veale_sarcasm.csv"
    if path.is_file():
        for r in _read(path):
            if r["split"] == "train":
                add(r["text_no_cue_tags"], r["label"] == "1", "ghosh", "train")
    path = data_dir / "sarcasm_sign_interpretations" / "sarcasm_sign.csv"
    if path.is_file():
        seen: set[str] = set()
        for r in _read(path):
            split = "test" if r["split"].startswith("test") else "train"
            if r["sarcastic_text"] not in seen:
                seen.add(r["sarcastic_text"])
                add(r["sarcastic_text"], True, "sarcasm_sign", split)
            add(r["interpretation"], False, "sarcasm_sign", split)
    return out


# --- banking77: customer requests, problems (complaints) versus how-to questions -------------------------

# Intents that report something gone wrong (a complaint to a bank); the rest are plain questions.
BANKING_PROBLEMS = frozenset(
    {
        "Refund_not_showing_up", "balance_not_updated_after_bank_transfer",
        "balance_not_updated_after_cheque_or_cash_deposit", "card_arrival", "card_not_working",
        "card_payment_fee_charged", "card_payment_not_recognised", "card_payment_wrong_exchange_rate",
        "card_swallowed", "cash_withdrawal_charge", "cash_withdrawal_not_recognised", "compromised_card",
        "contactless_not_working", "declined_card_payment", "declined_cash_withdrawal", "declined_transfer",
        "direct_debit_payment_not_recognised", "extra_charge_on_statement", "failed_transfer",
        "lost_or_stolen_card", "lost_or_stolen_phone", "pin_blocked", "reverted_card_payment?",
        "top_up_failed", "top_up_reverted", "transaction_charged_twice", "transfer_not_received_by_recipient",
        "unable_to_verify_identity", "virtual_card_not_working", "wrong_amount_of_cash_received",
        "wrong_exchange_rate_for_cash_withdrawal", "pending_card_payment", "pending_cash_withdrawal",
        "pending_top_up", "pending_transfer",
    }
)  # fmt: skip


def banking77(data_dir: Path) -> list[Example]:
    path = data_dir / "banking77_customer_queries" / "banking77.csv"
    if not path.is_file():
        return []
    out = []
    for r in _read(path):
        if not r.get("intent") or r["split"] not in ("train", "test"):
            continue
        problem = r["intent"] in BANKING_PROBLEMS
        label, sentiment = ("complaint", "negative") if problem else ("question", "neutral")
        split = "test" if r["split"] == "test" else "train"
        out.append(
            Example(clean(r["text"]), label, sentiment, "banking77", split, WEIGHTS["banking77"], 1, language="en")
        )
    return out


# --- everything ------------------------------------------------------------------------------------------


def build(data_dir: Path, *, commercial_only: bool = False) -> list[Example]:
    """Every example with its fixed split (train / dev / test). Hand-labelled rows never appear as weak rows."""
    out: list[Example] = []
    hand = load_hand3k(data_dir)
    skip_texts, skip_threads = hand3k_keys(data_dir) if hand else (set(), set())
    if not commercial_only:
        out += [_hand_weighted(e) for e in hand]
        out += twacs_threads(data_dir, skip_texts, skip_threads)
        out += other_threads(data_dir, skip_texts)
    # Their sarcasm flag teaches no head: the sarcastic ones thank on the surface, and with them the sarcasm head
    # read a plain "thanks again @Delta!" as sarcasm (docs/classifier.md). The label head learns they are complaints.
    out += [replace(e, weight=WEIGHTS["written"], sarcasm=-1) for e in load_written()]
    public = fig8(data_dir) + semeval(data_dir) + sentiment140(data_dir) + umsab(data_dir)
    public += brand_sentiment(data_dir) + sarcasm_sets(data_dir, commercial_only=commercial_only) + banking77(data_dir)
    # A public tweet that reads like a hand-labelled one ("@x Really?") is never trained on.
    out += [e for e in public if e.split != "train" or norm_key(e.text) not in skip_texts]
    return [e for e in out if e.text]


def _hand_weighted(e: Example) -> Example:
    return replace(e, weight=WEIGHTS["hand3k"])
