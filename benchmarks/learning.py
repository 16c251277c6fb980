"""Does `mentiondesk train --data` learn a new domain? 3,000 labelled mentions of a domain the base never saw.

    .venv/bin/python benchmarks/learning.py [--data DIR] [--domain apple|museums] [--n 3000]

The domain (`--domain apple`, the default) is CrowdFlower's Apple Twitter Sentiment (tweets to @Apple / about
#AAPL, crowd-labelled negative / neutral / positive; `not_relevant` rows dropped). `--domain museums` is the SMILE
tweets to British museums (emotion labels: happy is positive, angry / sad / disgust negative, no emotion neutral;
not-relevant, surprise and mixed rows dropped; mostly neutral and positive, so use `--n 1500`). No corpus of the
base model contains either. Three models,
each made by the `train` command: the base (shared corpora only), the base plus `--data` with N rows of the domain,
and those N rows alone (`--no-shared`, what a plain classifier of the domain would learn). All three are scored
on the rest of the domain (never trained on): sentiment, label and complaint macro-F1, then what the desk would
see (automated thank-yous and the share of them to negative rows, the share of positives thanked, the share of
mentions flagged for review).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

DOMAINS = {
    "apple": Path("crowdflower_apple_twitter_sentiment") / "apple_twitter_sentiment.csv",
    "museums": Path("smile_museum_twitter_emotions") / "smile_annotations.csv",
}
# Each domain's labels as a sentiment; rows with a label not here are dropped.
SENTIMENT_OF = {
    "apple": {"negative": "negative", "neutral": "neutral", "positive": "positive"},
    "museums": {
        "nocode": "neutral",
        "happy": "positive",
        "angry": "negative",
        "sad": "negative",
        "disgust": "negative",
    },
}


def domain_rows(data_dir: Path, domain: str = "apple") -> list[tuple[str, str]]:
    """(text, sentiment) in a fixed order (a hash of the text), so "the first N" is a seeded sample."""
    from rules.data import bucket

    sentiment_of = SENTIMENT_OF[domain]
    with (data_dir / DOMAINS[domain]).open(encoding="utf-8", newline="") as handle:
        rows = [(r["text"], sentiment_of[r["label"]]) for r in csv.DictReader(handle) if r["label"] in sentiment_of]
    return sorted(rows, key=lambda row: (bucket(f"learning:{row[0]}", 1 << 30), row[0]))


def train_cli(args: list[str]) -> str:
    from mentiondesk.cli import main

    result = CliRunner().invoke(main, ["train", *args])
    if result.exit_code != 0:
        raise SystemExit(f"train failed: {result.output}{result.stderr}{result.exception!r}")
    return result.stdout


def main() -> int:
    from rules.data import DEFAULT_DATA_DIR, Example
    from rules.trained import TrainedClassifier
    from rules.training import evaluate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--domain", choices=sorted(DOMAINS), default="apple")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--hold-out", type=int, default=20, help="train --hold-out for the domain rows")
    parser.add_argument(
        "--base",
        type=Path,
        default=None,
        help="An already trained base model (e.g. rules/model, made by the same `train` command) instead of "
        "training one here; saves one training run.",
    )
    args = parser.parse_args()

    rows = domain_rows(args.data, args.domain)
    added, rest = rows[: args.n], rows[args.n :]
    from rules.data import from_sentiment

    scored = [Example(t, *from_sentiment(t, s), "domain") for t, s in rest]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        labels = work / "domain.csv"
        with labels.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "sentiment"])
            writer.writerows(added)
        shared = ["--shared-data", str(args.data)]
        base_dir = args.base or work / "base"
        if args.base is None:
            train_cli(["--output", str(base_dir), *shared])
        train_cli(["--output", str(work / "more"), *shared, "--data", str(labels), "--hold-out", str(args.hold_out)])
        train_cli(["--output", str(work / "alone"), "--no-shared", "--data", str(labels), "--hold-out", "0"])
        for name, folder in (("base", base_dir), ("more", work / "more"), ("alone", work / "alone")):
            results[name] = evaluate(TrainedClassifier.load(folder), scored)

    print(
        f"domain: {DOMAINS[args.domain].parent}; added {len(added)} labelled rows (--hold-out {args.hold_out}); "
        f"scored on the other {len(rest)}"
    )
    print(f"{'metric':<27}{'base':>8}{'+data':>8}{'gain':>8}{'alone':>8}")
    for key in ("sentiment_macro_f1", "label_macro_f1", "complaint_macro_f1"):
        base, more, alone = (results[n][key] for n in ("base", "more", "alone"))
        print(f"{key:<27}{base:>8.3f}{more:>8.3f}{more - base:>+8.3f}{alone:>8.3f}")
    # What the domain head does to the desk: automated thank-yous (and how many went to negative rows) and the
    # share of mentions flagged for review.
    base, more, alone = (int(results[n].get("thanked", 0.0)) for n in ("base", "more", "alone"))
    print(f"{'thanked':<27}{base:>8}{more:>8}{more - base:>+8}{alone:>8}")
    for key in ("thanked_negative_rate", "thank_coverage_of_positive", "needs_review_rate"):
        base_f, more_f, alone_f = (results[n].get(key, 0.0) for n in ("base", "more", "alone"))
        print(f"{key:<27}{base_f:>8.3f}{more_f:>8.3f}{more_f - base_f:>+8.3f}{alone_f:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
