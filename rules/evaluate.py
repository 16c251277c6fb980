"""Figures for the model card: every held-out set, our model next to VADER.

    python -m rules.evaluate [--model DIR] [--data DIR]

Sets: the brand held-out slice (Sanders + CrowdFlower, never trained on), the same re-weighted to a
negative-majority mix like customer @mentions, the 160 hand-labeled customer-support tweets,
the second hand-labeled batch (478 reserved TWCS tweets: tune half = even ids, test half = odd ids), TweetEval val.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rules.data import DEFAULT_DATA_DIR, Example, load_shared
from rules.training import SENTIMENTS, evaluate, f1_macro, target_mix_weights

COLUMNS = (
    ("sentiment_macro_f1", "sent F1"),
    ("complaint_macro_f1", "compl F1"),
    ("label_macro_f1", "label F1"),
    ("thank_precision_complaint_rate", "thanked=compl"),
    ("thank_coverage_of_positive", "thank cover"),
    ("needs_review_rate", "review"),
)


def held_out_sets(data_dir: Path) -> dict[str, tuple[list[Example], bool]]:
    shared = load_shared(data_dir, weak=False)
    brand = [e for e in shared if e.split == "dev" and e.source in ("sanders", "crowdflower")]
    return {
        "brand held-out": (brand, False),
        "brand held-out, 63/21/16 mix": (brand, True),
        "TWCS hand-labeled": ([e for e in shared if e.source == "twcs_dev"], False),
        "TWCS batch 2, tune half": ([e for e in shared if e.source == "twcs_tune"], False),
        "TWCS batch 2, test half": ([e for e in shared if e.source == "twcs_test"], False),
        "TweetEval val": ([e for e in shared if e.source == "tweeteval_val"], False),
    }


def vader_scores(examples: Sequence[Example], reweight: bool) -> tuple[float, float] | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()

    def sentiment(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    weights = target_mix_weights(examples) if reweight else np.ones(len(examples))
    predicted = [sentiment(e.text) for e in examples]
    sent = f1_macro([e.sentiment for e in examples], predicted, SENTIMENTS, weights)
    gold = ["y" if e.label == "complaint" else "n" for e in examples]
    complaint = f1_macro(gold, ["y" if p == "negative" else "n" for p in predicted], ("y", "n"), weights)
    return sent, complaint


def main() -> None:
    from rules.classifier import load_classifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    print(f"model: {classifier.version}\n")
    print(f"| set | n | {' | '.join(title for _, title in COLUMNS)} | VADER sent F1 | VADER compl F1 |")
    print("|---|---|" + "---|" * (len(COLUMNS) + 2))
    for name, (examples, reweight) in held_out_sets(args.data).items():
        if not examples:
            continue
        m = evaluate(classifier, examples, reweight=reweight)
        vader = vader_scores(examples, reweight)
        vader_cells = f"{vader[0]:.3f} | {vader[1]:.3f}" if vader else "- | -"
        cells = " | ".join(f"{m[key]:.3f}" for key, _ in COLUMNS)
        print(f"| {name} | {len(examples)} | {cells} | {vader_cells} |")


if __name__ == "__main__":
    main()
