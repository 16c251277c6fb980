"""The hand-labelled brand-directed tweets (`rules/eval/hand3k_*.csv`, protocol in docs/labelling-protocol.md).

The repository holds ids and labels only; texts are read from the raw files in ../shared/data at build time.
Splits: `test` (1,000 rows, never trained or tuned on), and the `tune` rows divided by a fixed hash into
`train` (learned from) and `dev` (calibration, thresholds and choices).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rules.data import Example, bucket, clean

EVAL_DIR = Path(__file__).parent / "eval"
IDS_FILE = EVAL_DIR / "hand3k_ids.csv"
LABELS_FILE = EVAL_DIR / "hand3k_labels.csv"
# More hand-labelled tweets, chosen to add critical urgency rows (docs/labelling-protocol.md section 6): only the
# urgency head learns from them, always as train rows.
URGENCY_EXTRA_FILE = EVAL_DIR / "urgency_extra.csv"
# Posts we wrote by hand (docs/labelling-protocol.md section 7): sarcastic, polite and backhanded complaints,
# sincere praise and brand-naming chatter, the genres real tweets hold too few of. Texts and labels are ours.
WRITTEN_FILE = EVAL_DIR / "written_mentions.csv"
# Hand-written praise that tells a good outcome in the words complaints use, and plain complaints in the same
# words: a judge only, never trained on (docs/labelling-protocol.md §7).
OUTCOMES_FILE = EVAL_DIR / "written_outcomes.csv"
# Share of the written rows held out as a test part (by a hash of the row id: fixed).
WRITTEN_TEST_PERCENT = 30
# Share of the tune rows kept for calibration and thresholds (by a hash of source and row: fixed).
DEV_PERCENT = 35


@dataclass(frozen=True)
class HandRow:
    source: str
    source_file: str
    row: int
    id: str
    stratum: str
    split: str  # "test", "train" or "dev"


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def hand_rows() -> list[HandRow]:
    out = []
    for r in _read(IDS_FILE):
        split = r["split"]
        if split == "tune":
            split = "dev" if bucket(f"hand3k-dev:{r['source']}:{r['row']}") < DEV_PERCENT else "train"
        out.append(HandRow(r["source"], r["source_file"], int(r["row"]), r["id"], r["stratum"], split))
    return out


def source_texts(data_dir: Path, source_file: str) -> list[str]:
    """Text column of a raw file by 1-based data row (index 0 is row 1)."""
    return [row["text"] for row in _read(data_dir / source_file)]


def load_hand3k(data_dir: Path, *, splits: tuple[str, ...] = ("train", "dev", "test")) -> list[Example]:
    """Gold examples with every field of the protocol; `split` is train / dev / test."""
    labels = {(r["source"], int(r["row"])): r for r in _read(LABELS_FILE)}
    rows = [r for r in hand_rows() if r.split in splits]
    texts: dict[str, list[str]] = {}
    out: list[Example] = []
    for r in rows:
        if r.source_file not in texts:
            if not (data_dir / r.source_file).is_file():
                return []
            texts[r.source_file] = source_texts(data_dir, r.source_file)
        gold = labels[(r.source, r.row)]
        out.append(
            Example(
                clean(texts[r.source_file][r.row - 1]),
                gold["label"],
                gold["sentiment"],
                f"hand3k:{r.stratum}",
                r.split,
                needs_reply=1 if gold["needs_reply"] == "yes" else 0,
                sarcasm=1 if gold["sarcasm"] == "yes" else 0,
                urgency=gold["urgency"],
                language=gold["language"],
            )
        )
    return out


def load_urgency_extra(data_dir: Path) -> list[Example]:
    """The extra urgency rows (label, sentiment and urgency only), every one a `train` row."""
    texts: dict[str, list[str]] = {}
    out: list[Example] = []
    for r in _read(URGENCY_EXTRA_FILE):
        if r["source_file"] not in texts:
            if not (data_dir / r["source_file"]).is_file():
                return []
            texts[r["source_file"]] = source_texts(data_dir, r["source_file"])
        text = clean(texts[r["source_file"]][int(r["row"]) - 1])
        out.append(
            Example(text, r["label"], r["sentiment"], f"urgency_extra:{r['stratum']}", "train", urgency=r["urgency"])
        )
    return out


def hand3k_keys(data_dir: Path) -> tuple[set[str], set[str]]:
    """(normalised texts, twacs conversation ids) of every hand-labelled row: kept out of weak training."""
    from rules.text import norm_key

    texts: set[str] = set()
    threads: set[str] = set()
    for e in load_hand3k(data_dir):
        texts.add(norm_key(e.text))
    for r in hand_rows():
        if r.source == "twacs":
            threads.add(r.id.split(":")[0])
    return texts, threads


def load_written() -> list[Example]:
    """The hand-written posts with every field of the protocol but language (all English); `split` is train
    or test. They need no raw data folder: the texts are in the file."""
    return [
        _written(r, "test" if bucket(f"written:{r['id']}") < WRITTEN_TEST_PERCENT else "train")
        for r in _read(WRITTEN_FILE)
    ]


def load_outcomes() -> list[Example]:
    """The outcome posts (`OUTCOMES_FILE`), all `test`: nothing trains on them."""
    return [_written(r, "test") for r in _read(OUTCOMES_FILE)]


def _written(r: dict[str, str], split: str) -> Example:
    return Example(
        r["text"],
        r["label"],
        r["sentiment"],
        f"written:{r['kind']}",
        split,
        needs_reply=1 if r["needs_reply"] == "yes" else 0,
        sarcasm=1 if r["sarcasm"] == "yes" else 0,
        urgency=r["urgency"],
        language="en",
    )
