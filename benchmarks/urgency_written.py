"""Critical mentions in new words: how many the urgency tiers find, and how often they rank above mild ones.

    python benchmarks/urgency_written.py [--model DIR]

rules/eval/urgency_written.csv holds mentions written for this (2026-12-01), never trained on: per set, 25
critical ones (injury, safety, health, fraud, data breach, harassment, a vulnerable customer harmed) told in
words the lexicons were not written from, and 10-15 mild complaints. Set A was read to try wider lexicons; set B
was kept shut until the end (docs/classifier.md, "Why the critical lexicons are not grown further"). Prints per
set the critical mentions found critical, the mild ones called critical, and the share of (critical, mild)
pairs the urgency score orders critical first, then the critical mentions missed in set A.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

FILE = Path(__file__).resolve().parent.parent / "rules" / "eval" / "urgency_written.csv"


def main() -> int:
    from rules.classifier import load_classifier, urgency_score
    from rules.training import urgency_order

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    with FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    verdicts = classifier.classify([r["text"] for r in rows])
    print(f"model {verdicts[0].model_version}; {len(rows)} written mentions")
    for name in sorted({r["set"] for r in rows}):
        critical = [c for r, c in zip(rows, verdicts, strict=True) if r["set"] == name and r["tier"] == "critical"]
        mild = [c for r, c in zip(rows, verdicts, strict=True) if r["set"] == name and r["tier"] == "medium"]
        tiers = [("critical", urgency_score(c)) for c in critical] + [("medium", urgency_score(c)) for c in mild]
        above = urgency_order(tiers)["critical_above_mild"]
        found = sum(c.urgency == "critical" for c in critical)
        false = sum(c.urgency == "critical" for c in mild)
        print(
            f"set {name}: critical found {found} of {len(critical)}; mild called critical {false} of {len(mild)}; "
            f"critical above mild {above:.3f} of pairs"
        )
    print("\nset A, critical mentions not found critical:")
    for r, c in zip(rows, verdicts, strict=True):
        if r["set"] == "A" and r["tier"] == "critical" and c.urgency != "critical":
            print(f"  {c.urgency:<8} {c.label:<9} {r['text'][:100]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
