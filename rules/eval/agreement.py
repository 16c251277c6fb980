"""Inter-labeller agreement on the hand3k second pass (stdlib only).

Run from the repository root: `python rules/eval/agreement.py`. Prints Markdown: per field the raw agreement and
Cohen's kappa between the first pass (hand3k_labels.csv) and the second pass (hand3k_second_pass.csv), the
confusion matrix of `label`, and the `order` numbers of the disagreeing rows (never tweet text).
`python rules/eval/agreement.py --urgency-extra` does the same for urgency_extra.csv and its second pass
(label, sentiment, urgency, and critical against the rest).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
IDS = HERE / "hand3k_ids.csv"
FIRST = HERE / "hand3k_labels.csv"
SECOND = HERE / "hand3k_second_pass.csv"
EXTRA = HERE / "urgency_extra.csv"
EXTRA_SECOND = HERE / "urgency_extra_second_pass.csv"
EXTRA_FIELDS = ("label", "sentiment", "urgency")

KAPPA_FIELDS = ("label", "sentiment", "needs_reply", "urgency", "sarcasm", "language")
LABELS = ("complaint", "question", "praise", "other")
URGENCY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}

Key = tuple[str, str]
Row = dict[str, str]


def read_rows(path: Path) -> dict[Key, Row]:
    with path.open(newline="", encoding="utf-8") as handle:
        # (source, row) is the key: tweetsumm ids are not unique.
        return {(r["source"], r["row"]): r for r in csv.DictReader(handle)}


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    total = len(pairs)
    observed = sum(a == b for a, b in pairs) / total
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (total * total)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def linear_weighted_kappa(pairs: list[tuple[int, int]], levels: int) -> float:
    # Ordinal urgency: a low/critical split is worse than a medium/high one.
    total = len(pairs)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)

    def weight(i: int, j: int) -> float:
        return abs(i - j) / (levels - 1)

    observed = sum(weight(a, b) for a, b in pairs) / total
    expected = sum(first[i] * second[j] * weight(i, j) for i in range(levels) for j in range(levels)) / (total * total)
    return 1.0 - observed / expected if expected else 1.0


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def field_rows(
    fields: tuple[str, ...], keys: list[Key], first: dict[Key, Row], second: dict[Key, Row]
) -> list[list[str]]:
    """Per field: raw agreement and Cohen's kappa of the two passes."""
    table = []
    for field in fields:
        pairs = [(first[k][field], second[k][field]) for k in keys]
        agree = sum(a == b for a, b in pairs) / len(pairs)
        table.append([field, f"{agree:.3f}", f"{cohen_kappa(pairs):.3f}"])
    return table


def print_disagreements(
    fields: tuple[str, ...], keys: list[Key], first: dict[Key, Row], second: dict[Key, Row], order_of: dict[Key, str]
) -> None:
    print("\nDisagreements by field (`order` numbers; first pass -> second pass)\n")
    for field in fields:
        diffs = [
            f"{order_of[k]} ({first[k][field]}->{second[k][field]})"
            for k in keys
            if first[k][field] != second[k][field]
        ]
        print(f"- {field} ({len(diffs)}): {', '.join(diffs) if diffs else 'none'}")


def extra_agreement() -> int:
    first, second = read_rows(EXTRA), read_rows(EXTRA_SECOND)
    keys = sorted(second, key=lambda k: int(second[k]["order"]))
    print(f"Rows compared: {len(keys)} (first pass: {EXTRA.name}, second pass: {EXTRA_SECOND.name})\n")
    table = field_rows(EXTRA_FIELDS, keys, first, second)
    urgency = [(URGENCY_RANK[first[k]["urgency"]], URGENCY_RANK[second[k]["urgency"]]) for k in keys]
    table.append(["urgency (linear-weighted kappa)", "", f"{linear_weighted_kappa(urgency, len(URGENCY_RANK)):.3f}"])
    critical = [(str(first[k]["urgency"] == "critical"), str(second[k]["urgency"] == "critical")) for k in keys]
    critical_agree = sum(a == b for a, b in critical) / len(critical)
    table.append(["critical vs not", f"{critical_agree:.3f}", f"{cohen_kappa(critical):.3f}"])
    print(markdown_table(["field", "raw agreement", "Cohen's kappa"], table))
    print_disagreements(EXTRA_FIELDS, keys, first, second, {k: second[k]["order"] for k in keys})
    return 0


def main() -> int:
    if "--urgency-extra" in sys.argv[1:]:
        return extra_agreement()
    with IDS.open(newline="", encoding="utf-8") as handle:
        selected = [r for r in csv.DictReader(handle) if r["second_pass"] == "1"]
    order_of = {(r["source"], r["row"]): r["order"] for r in selected}
    first, second = read_rows(FIRST), read_rows(SECOND)
    keys = sorted((k for k in order_of if k in second), key=lambda k: int(order_of[k]))
    missing = [order_of[k] for k in keys if k not in first]
    if missing:
        print(f"first pass lacks {len(missing)} of the second-pass rows (orders {', '.join(missing[:10])}...)")
        return 1
    print(f"Rows compared: {len(keys)} (first pass: {FIRST.name}, second pass: {SECOND.name})\n")

    table = field_rows(KAPPA_FIELDS, keys, first, second)
    urgency = [(URGENCY_RANK[first[k]["urgency"]], URGENCY_RANK[second[k]["urgency"]]) for k in keys]
    weighted = linear_weighted_kappa(urgency, len(URGENCY_RANK))
    table.append(["urgency (linear-weighted kappa)", "", f"{weighted:.3f}"])
    complaint = [(first[k]["label"] == "complaint", second[k]["label"] == "complaint") for k in keys]
    complaint_pairs = [(str(a), str(b)) for a, b in complaint]
    complaint_agree = sum(a == b for a, b in complaint) / len(complaint)
    table.append(
        ["complaint vs not (label collapsed)", f"{complaint_agree:.3f}", f"{cohen_kappa(complaint_pairs):.3f}"]
    )
    print(markdown_table(["field", "raw agreement", "Cohen's kappa"], table))

    print("\nConfusion matrix of `label` (rows: first pass, columns: second pass)\n")
    cells = Counter((first[k]["label"], second[k]["label"]) for k in keys)
    rows = [[a, *(str(cells[(a, b)]) for b in LABELS), str(sum(cells[(a, b)] for b in LABELS))] for a in LABELS]
    rows.append(["total", *(str(sum(cells[(a, b)] for a in LABELS)) for b in LABELS), str(len(keys))])
    print(markdown_table(["first \\ second", *LABELS, "total"], rows))

    print_disagreements(KAPPA_FIELDS, keys, first, second, order_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
