"""Judgment on the demo's hand-written mentions, as issue 10's hand-written set measures it.

    python benchmarks/judgment.py [--model DIR]

The demo corpus (listener/demo_corpus.py) says what a human would call each mention. It is never trained on,
so it is a second test of the genres real tweets hold few of: sarcastic, polite and backhanded complaints
against sincere praise. Prints, per human kind, how the classifier labels them and how many the thank-you
gate would thank, then the issue's goal rows, over every demo mention and over those that share no run of four
words with a hand-written training post (rules/eval/written_mentions.csv): the prompts its writers worked
from quoted some demo mentions as examples of a style (docs/labelling-protocol.md section 7).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Kinds a person reads as a complaint, and the one that is sincere praise.
COMPLAINTS = ("complaint", "sarcasm", "urgent")
PRAISE = "praise"
_WORD = re.compile(r"[a-z0-9']+")
_HANDLE_OR_URL = re.compile(r"@\w+|https?://\S+")


def word_runs(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(_HANDLE_OR_URL.sub(" ", text.lower()))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def main() -> int:
    from listener.demo_corpus import DEMO_MENTIONS
    from rules.classifier import load_classifier, thank_you_eligible
    from rules.hand3k import load_written

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    verdicts = classifier.classify([m.text for m in DEMO_MENTIONS])
    written: set[tuple[str, ...]] = set()
    for e in load_written():
        written |= word_runs(e.text)
    unseen = [not (word_runs(m.text) & written) for m in DEMO_MENTIONS]
    print(f"model {verdicts[0].model_version}; {len(verdicts)} demo mentions, {sum(unseen)} of them unseen")
    for title, pick in (("every demo mention", [True] * len(unseen)), ("unseen demo mentions", unseen)):
        labels: dict[str, Counter[str]] = {}
        thanked: Counter[str] = Counter()
        for m, c, chosen in zip(DEMO_MENTIONS, verdicts, pick, strict=True):
            if chosen:
                labels.setdefault(m.kind, Counter())[c.label] += 1
                thanked[m.kind] += thank_you_eligible(c)
        print(f"\n{title}\n{'kind':<12} {'n':>4}  {'labels':<48} thanked")
        for kind, counts in sorted(labels.items()):
            spread = ", ".join(f"{label} {n}" for label, n in counts.most_common())
            print(f"{kind:<12} {sum(counts.values()):>4}  {spread:<48} {thanked[kind]}")
        for goal_title, kinds, label, goal in GOAL_ROWS:
            print(f"{goal_title + ':':<34} {share(labels, thanked, kinds, label)}  (goal {goal})")
    return 0


GOAL_ROWS = (
    ("sarcastic labelled complaint", ("sarcasm",), "complaint", ">= 80%"),
    ("sarcastic thanked", ("sarcasm",), None, "<= 1%"),
    ("every complaint kind thanked", COMPLAINTS, None, "0"),
    ("sincere praise labelled praise", (PRAISE,), "praise", ">= 60%"),
    ("sincere praise thanked", (PRAISE,), None, ">= 35%"),
)


def share(labels: dict[str, Counter[str]], thanked: Counter[str], kinds: tuple[str, ...], label: str | None) -> str:
    """'hits of total (percent)': mentions of `kinds` given `label`, or thanked when `label` is None."""
    total = sum(sum(labels.get(k, Counter()).values()) for k in kinds)
    hits = sum(thanked[k] if label is None else labels.get(k, Counter())[label] for k in kinds)
    return f"{hits:>3} of {total:<3} {100 * hits / max(1, total):5.1f}%"


if __name__ == "__main__":
    raise SystemExit(main())
